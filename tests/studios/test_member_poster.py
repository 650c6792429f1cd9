"""A member prints their own 委员工作室's QR poster from 我的工作室 (the issue: "their studio ... with its own
QR code"); another studio's poster stays 404 to them."""

import pytest

from zhengxie.studios.models import Studio

pytestmark = pytest.mark.django_db


def test_member_prints_own_studio_poster_only(client_for, user):
    member = user("member1").member
    own = Studio.objects.filter(members=member).order_by("pk").first()
    other = Studio.objects.filter(organisation=own.organisation).exclude(members=member).first()
    c = client_for("member1")
    mine = c.get("/studios/mine/").content.decode()
    assert f"/studios/{own.pk}/poster.pdf" in mine and f"/studios/{own.pk}/poster.png" in mine
    pdf = c.get(f"/studios/{own.pk}/poster.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content if pdf.streaming else [pdf.content]).startswith(b"%PDF")
    png = c.get(f"/studios/{own.pk}/poster.png")
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    assert c.get(f"/studios/{other.pk}/poster.png").status_code == 404
