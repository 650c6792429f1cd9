"""The 微建议 pages: public.py (no login: the QR landing pages, the form, tracking and rating, published
answers) and staff.py (the 办公室's queue and item page, a studio's list, photos, statistics)."""
