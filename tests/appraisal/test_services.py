"""The rules of 民主评议 in the services: the scoring form (weights add up to 100), the steps (409 on an
illegal one), who rates (invited only, 403), the window (409), one rating per member and target (edited
until the round closes), photos without GPS, the duty credit once per target, the ranking with top / bottom
N (settings), the units' quorum and 满意率, and the notices."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from zhengxie.appraisal import services
from zhengxie.appraisal.models import Rater, Rating, RatingPhoto, Round, Target
from zhengxie.core.errors import Conflict, Forbidden, Invalid, NotFound
from zhengxie.core.models import AuditEntry, Notification
from zhengxie.performance.models import DutyRecord

pytestmark = pytest.mark.django_db


def test_weights_must_add_up_to_100(user):
    now = timezone.now()
    with pytest.raises(Invalid) as e:
        services.create(
            user("office"),
            year=now.year,
            title="权重不对",
            kind="places",
            opens_at=now,
            closes_at=now + datetime.timedelta(days=1),
            items=[{"name": "甲", "weight": 50}, {"name": "乙", "weight": 40}],
        )
    assert "100" in e.value.message and e.value.field == "items"
    assert not Round.objects.filter(title="权重不对").exists()
    # Units: aspects without weights.
    r = services.create(
        user("office"),
        year=now.year,
        title="部门评议",
        kind="units",
        opens_at=now,
        closes_at=now + datetime.timedelta(days=1),
        items=[{"name": "作风"}, {"name": "服务"}],
    )
    assert [i.weight for i in r.items.all()] == [0, 0]


def test_only_office_or_committee_staff_organise(user):
    now = timezone.now()
    data = {
        "year": now.year,
        "title": "x",
        "kind": "places",
        "opens_at": now,
        "closes_at": now + datetime.timedelta(days=1),
        "items": [{"name": "甲", "weight": 100}],
    }
    for username in ("staff", "member1", "leader", "handler1"):
        with pytest.raises(Forbidden):
            services.create(user(username), **data)


def test_steps_and_illegal_transitions(make_round, user):
    r = make_round(open=False)
    office = user("office")
    with pytest.raises(Conflict):
        services.publish(office, r)
    with pytest.raises(Conflict):
        services.close_round(office, r)
    services.open_round(office, r)
    assert Notification.objects.filter(user=user("member1"), title__contains="请参加民主评议").exists()
    with pytest.raises(Conflict):
        services.open_round(office, r)
    services.close_round(office, r)
    services.publish(office, r)
    r.refresh_from_db()
    assert r.status == "published" and r.published_at
    assert Notification.objects.filter(user=user("member3"), title__contains="结果已公布").exists()
    assert AuditEntry.objects.filter(action="appraisal.publish", target_id=str(r.pk)).exists()


def test_opening_needs_targets_and_raters(user):
    now = timezone.now()
    office = user("office")
    r = services.create(
        office,
        year=now.year,
        title="空评议",
        kind="places",
        opens_at=now,
        closes_at=now + datetime.timedelta(days=1),
        items=[{"name": "甲", "weight": 100}],
    )
    with pytest.raises(Invalid, match="评议对象"):
        services.open_round(office, r)
    services.add_targets(office, r, text="甲公园")
    with pytest.raises(Invalid, match="委员"):
        services.open_round(office, r)


def test_rating_weighted_score_once_per_member_and_target(make_round, user, member_of_user, scores_for):
    r = make_round()
    t = r.targets.get(name="测试公园甲")
    m1 = user("member1")
    rating = services.rate(
        m1, r, t, scores=scores_for(r, (80, 90, 70)), note="干净整洁", latitude=32.5, longitude=105.2
    )
    assert rating.score == Decimal("81.00")  # 80*.3 + 90*.4 + 70*.3
    t.refresh_from_db()
    assert t.ratings == 1 and t.score == Decimal("81.00")
    # Again: the same rating is updated, not a second one.
    services.rate(m1, r, t, scores=scores_for(r, (100, 100, 100)))
    assert Rating.objects.filter(target=t).count() == 1
    t.refresh_from_db()
    assert t.score == Decimal("100.00")
    rt = Rating.objects.get(target=t)
    assert rt.latitude == Decimal("32.500000")  # the place stays when a later edit has none
    # The duty credit, once per target.
    m = member_of_user("member1")
    assert (
        DutyRecord.objects.filter(member=m, act="appraisal", voided=False, source_id=str(t.pk)).count() == 1
    )
    assert Rater.objects.get(round=r, member=m).rated == 1
    r.refresh_from_db()
    assert r.rating_count == 1


def test_bad_scores_not_invited_and_window(make_round, user, scores_for):
    r = make_round()
    t = r.targets.first()
    m1 = user("member1")
    with pytest.raises(Invalid, match="0至100"):
        services.rate(m1, r, t, scores=scores_for(r, (101, 50, 50)))
    with pytest.raises(Invalid, match="打分"):
        services.rate(m1, r, t, scores=scores_for(r, (50, 50)))
    with pytest.raises(Forbidden):
        services.rate(user("member2"), r, t, scores=scores_for(r))  # not invited
    with pytest.raises(NotFound):
        services.rate(user("other"), r, t, scores=scores_for(r))  # another county
    Round.objects.filter(pk=r.pk).update(
        closes_at=timezone.now() - datetime.timedelta(minutes=1),
        opens_at=timezone.now() - datetime.timedelta(days=1),
    )
    with pytest.raises(Conflict):
        services.rate(m1, r, t, scores=scores_for(r))
    assert not Rating.objects.filter(round=r).exists()


def test_photo_required_and_stored_without_gps(make_round, user, photo, scores_for):
    r = make_round(photo_required=True)
    t = r.targets.first()
    m1 = user("member1")
    with pytest.raises(Invalid) as e:
        services.rate(m1, r, t, scores=scores_for(r), note="有照片才行")
    assert e.value.field == "photos" and "照片" in e.value.message
    assert not Rating.objects.filter(target=t).exists()
    rating = services.rate(m1, r, t, scores=scores_for(r), photos=[photo(), photo("二.jpg")])
    assert rating.photo_count == 2
    from PIL import Image

    for p in RatingPhoto.objects.filter(rating=rating).select_related("attachment"):
        with p.attachment.file.open("rb") as fh, Image.open(fh) as img:
            assert 0x8825 not in img.getexif()  # no GPS
    t.refresh_from_db()
    assert t.photos == 2
    # A later edit without new photos keeps them and is accepted.
    services.rate(m1, r, t, scores=scores_for(r, (60, 60, 60)))
    # Not a picture: refused in Chinese.
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    with pytest.raises(Invalid, match="文件类型不符"):
        services.add_photos(m1, rating, [bad])


def test_ranking_top_and_bottom_follow_the_settings(make_round, user, scores_for, county):
    lines = "\n".join(f"公园{i}" for i in range(8))
    r = make_round(targets=lines, raters=("member1",))
    m1 = user("member1")
    for i, t in enumerate(r.targets.order_by("order")):
        services.rate(m1, r, t, scores=scores_for(r, (50 + i * 5,) * 3))
    office = user("office")
    services.close_round(office, r)
    marks = dict(Target.objects.filter(round=r).values_list("name", "mark"))
    assert [n for n, m in marks.items() if m == "top"] and sum(1 for m in marks.values() if m == "top") == 3
    assert {n for n, m in marks.items() if m == "bottom"} == {"公园0", "公园1", "公园2"}
    assert Target.objects.get(round=r, name="公园7").rank == 1
    county.settings = {**(county.settings or {}), "appraisal.top_n": 1, "appraisal.bottom_n": 2}
    county.save()
    services.publish(office, r)
    marks = dict(Target.objects.filter(round=r).values_list("name", "mark"))
    assert [n for n, m in marks.items() if m == "top"] == ["公园7"]
    assert {n for n, m in marks.items() if m == "bottom"} == {"公园0", "公园1"}


def test_units_quorum_and_satisfaction_rate(make_round, user, scores_for):
    r = make_round(kind="units", raters=("member1", "member2", "member3"))
    units = list(r.targets.order_by("order")[:2])
    a, b = units
    # Two of three raters on unit a (quorum met), one on unit b (not).
    services.rate(user("member1"), r, a, scores=scores_for(r, ("satisfied", "basically_satisfied")))
    services.rate(user("member3"), r, a, scores=scores_for(r, ("unsatisfied", "unknown")))
    services.rate(user("member1"), r, b, scores=scores_for(r, ("satisfied", "satisfied")))
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.satisfied == 1 and a.basically_satisfied == 1 and a.unsatisfied == 1 and a.unknown == 1
    assert a.rate == Decimal("66.7")  # 2 of 3 judged (不了解 left out)
    ranked = services.ranking(r, [a, b])
    assert a.valid and a.rank == 1 and not b.valid and b.rank is None
    with pytest.raises(Invalid, match="满意、基本满意"):
        services.rate(
            user("member1"), r, a, scores=[{"item": i.pk, "verdict": "good"} for i in r.items.all()]
        )
    assert ranked[0] is a


def test_invite_by_sector_and_all(make_round, user, member_of_user):
    r = make_round(open=False, raters=())
    m1 = member_of_user("member1")
    n = services.invite(user("office"), r, sectors=[m1.sector_id])
    assert n >= 1 and Rater.objects.filter(round=r, member=m1).exists()
    n2 = services.invite(user("office"), r, all_members=True)
    r.refresh_from_db()
    assert r.rater_count == n + n2 and n2 >= 1
    with pytest.raises(Invalid):
        services.invite(user("office"), r, members=[member_of_user("other").pk])


def test_targets_from_lines_and_xlsx(make_round, user):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import Workbook

    r = make_round(open=False)
    before = r.target_count
    new = services.add_targets(user("office"), r, text="新公园A|北路1号\n新公园B\t南路\n测试公园甲，重复")
    assert [t.name for t in new] == ["新公园A", "新公园B"] and new[0].address == "北路1号"
    wb = Workbook()
    ws = wb.active
    ws.append(["名称", "地址"])
    ws.append(["表格公园", "东路8号"])
    ws.append(["表格广场", None])
    buf = io.BytesIO()
    wb.save(buf)
    up = SimpleUploadedFile("对象.xlsx", buf.getvalue())
    new = services.add_targets(user("office"), r, upload=up)
    assert [t.name for t in new] == ["表格公园", "表格广场"]
    r.refresh_from_db()
    assert r.target_count == before + 4


def test_finish_and_todo(make_round, user, scores_for):
    from zhengxie.core.navigation import todos_for

    r = make_round()
    m1 = user("member1")
    todo = [t for t in todos_for(m1) if t["label"] == "待完成的民主评议"]
    assert todo and todo[0]["count"] >= 1
    n = todo[0]["count"]
    with pytest.raises(Invalid):
        services.finish(m1, r)
    services.rate(m1, r, r.targets.first(), scores=scores_for(r))
    services.finish(m1, r)
    todo = [t for t in todos_for(m1) if t["label"] == "待完成的民主评议"]
    assert (todo[0]["count"] if todo else 0) == n - 1


def test_close_due_job(make_round, user):
    from zhengxie.appraisal.jobs import close_due

    r = make_round()
    Round.objects.filter(pk=r.pk).update(closes_at=timezone.now() - datetime.timedelta(minutes=5))
    assert close_due()["closed"] >= 1
    r.refresh_from_db()
    assert r.status == "closed"
