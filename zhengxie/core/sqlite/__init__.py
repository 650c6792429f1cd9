"""Django's SQLite backend with the writers of one process queued in order (see base.py)."""
