"""Fixtures for 民主评议: the demo county 青川县 (demo-county), whose 办公室 (user "office") organises rounds;
`make_round(...)` creates an open places round through the services (three weighted items, a few parks,
member1 and member3 invited); `photo()` is a small JPEG carrying GPS in its EXIF."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from zhengxie.appraisal import services
from zhengxie.core.models import Organisation
from zhengxie.members.models import Member


@pytest.fixture
def county(db):
    return Organisation.objects.get(code="demo-county")


@pytest.fixture
def member_of_user(db):
    def get(username):
        return Member.objects.get(user__username=username)

    return get


ITEMS = [
    {"name": "环境卫生", "weight": 30},
    {"name": "设施维护", "weight": 40},
    {"name": "管理服务", "weight": 30},
]


@pytest.fixture
def make_round(db, user, member_of_user):
    def make(kind="places", open=True, raters=("member1", "member3"), targets=None, **extra):
        now = timezone.now()
        data = {
            "year": now.year,
            "title": "测试公园评议" if kind == "places" else "测试部门评议",
            "kind": kind,
            "opens_at": now - datetime.timedelta(hours=1),
            "closes_at": now + datetime.timedelta(days=7),
            "items": ITEMS if kind == "places" else [{"name": "工作作风"}, {"name": "服务质量"}],
        }
        data.update(extra)
        office = user("office")
        r = services.create(office, **data)
        if kind == "places":
            services.add_targets(
                office, r, text=targets or "测试公园甲，城关镇一路\n测试公园乙，城关镇二路\n测试广场丙"
            )
        else:
            services.add_targets(office, r, all_units=True)
        if raters:
            services.invite(office, r, members=[member_of_user(u).pk for u in raters])
        if open:
            services.open_round(office, r)
        r.refresh_from_db()
        return r

    return make


def _jpeg(gps=True, size=(64, 48)) -> bytes:
    from PIL import Image

    img = Image.new("RGB", size, (120, 180, 90))
    out = io.BytesIO()
    if gps:
        exif = Image.Exif()
        exif[0x8825] = {1: "N", 2: (32.0, 35.0, 10.0), 3: "E", 4: (105.0, 13.0, 40.0)}
        img.save(out, format="JPEG", exif=exif)
    else:
        img.save(out, format="JPEG")
    return out.getvalue()


@pytest.fixture
def photo():
    def make(name="现场.jpg", gps=True):
        return SimpleUploadedFile(name, _jpeg(gps), content_type="image/jpeg")

    return make


@pytest.fixture
def scores_for():
    def make(r, values=(80, 90, 70)):
        items = list(r.items.order_by("order"))
        if r.is_units:
            return [{"item": i.pk, "verdict": v} for i, v in zip(items, values, strict=False)]
        return [{"item": i.pk, "value": v} for i, v in zip(items, values, strict=False)]

    return make
