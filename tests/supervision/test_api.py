"""The API contract of issue 12 for 民主监督: groups, the three lists, 整改 through the unit's inbox and the
group's confirmation, the rating; the 票决 with its quorum and the tie; 404 / 403 / 409 / 422 with Chinese
details."""

import datetime

import pytest

from zhengxie.core.models import AuditEntry, Notification
from zhengxie.handling.models import Case
from zhengxie.performance.models import DutyRecord
from zhengxie.supervision.models import Item, Supervision

pytestmark = pytest.mark.django_db


def _post(client, path, data=None):
    return client.post(path, data or {}, content_type="application/json")


def _body(user, member, unit, today, **extra):
    return {
        "year": today.year,
        "unit_id": unit.pk,
        "title": "卫健局民主监督小组",
        "leader_member_id": member("member2").pk,
        "member_ids": [member("member1").pk],
        **extra,
    }


def test_create_list_and_read(api_for, user, member, unit, today):
    office = api_for("office")
    r = _post(
        office, "/api/v1/supervisions", _body(user, member, unit, today, staff_contact_id=user("office").pk)
    )
    assert r.status_code == 201, r.content
    s = r.json()
    assert (
        s["status"] == "active" and s["unit_id"] == unit.pk and s["leader_member_id"] == member("member2").pk
    )
    assert [m["name"] for m in s["members"]] == [member("member1").name]
    assert s["lists"] == {"problem": [], "suggestion": [], "rectification": []}
    assert s["rating"]["group_size"] == 2 and s["rating"]["valid"] is False
    assert [a["aspect"] for a in s["rating"]["aspects"]] == ["工作作风", "依法履职", "整改落实", "服务成效"]
    assert "finish" in s["actions"] and "add_item" in s["actions"]
    assert Notification.objects.filter(user=user("member1"), title__contains="民主监督小组").exists()
    assert AuditEntry.objects.filter(action="supervision.create", target_id=str(s["id"])).exists()
    ids = [x["id"] for x in office.get(f"/api/v1/supervisions?year={today.year}").json()["items"]]
    assert s["id"] in ids
    # member1 sees their groups only; member3 is not in this one.
    m1 = api_for("member1")
    r = m1.get(f"/api/v1/supervisions/{s['id']}")
    assert r.status_code == 200 and "rate" in r.json()["actions"] and "finish" not in r.json()["actions"]
    assert api_for("member3").get(f"/api/v1/supervisions/{s['id']}").status_code == 404
    assert s["id"] not in [x["id"] for x in api_for("member3").get("/api/v1/supervisions").json()["items"]]
    assert api_for("leader").get(f"/api/v1/supervisions/{s['id']}").status_code == 200


def test_bad_group_input(api_for, user, member, unit, today, county):
    office = api_for("office")
    from zhengxie.core.models import HandlingUnit

    foreign = HandlingUnit.objects.exclude(organisation=county).first()
    cases = [
        ({"unit_id": foreign.pk}, "unit_id"),
        ({"leader_member_id": member("other").pk}, "leader_member_id"),
        ({"member_ids": [member("other").pk]}, "member_ids"),
        ({"year": 1900}, "year"),
        ({"starts_on": str(today), "ends_on": str(today - datetime.timedelta(days=1))}, "ends_on"),
        ({"staff_contact_id": user("member1").pk}, "staff_contact_id"),
    ]
    for extra, field in cases:
        r = _post(office, "/api/v1/supervisions", _body(user, member, unit, today, **extra))
        assert r.status_code == 422, (extra, r.content)
        assert r.json()["detail"] and r.json().get("field") == field, (extra, r.json())
    assert (
        _post(api_for("staff"), "/api/v1/supervisions", _body(user, member, unit, today)).status_code == 403
    )
    assert (
        _post(api_for("member1"), "/api/v1/supervisions", _body(user, member, unit, today)).status_code == 403
    )
    assert not Supervision.objects.filter(unit=unit).exists()


def test_rectification_goes_through_the_units_inbox_and_the_group_confirms(
    api_for, user, make_group, unit, today
):
    s = make_group()
    m1 = api_for("member1")
    r = _post(m1, f"/api/v1/supervisions/{s.pk}/items", {"list": "problem", "content": "窗口服务时间不足。"})
    assert r.status_code == 201 and r.json()["number"] == 1 and r.json()["case_id"] is None
    r = _post(
        m1,
        f"/api/v1/supervisions/{s.pk}/items",
        {
            "list": "rectification",
            "content": "延长窗口服务时间",
            "deadline": str(today + datetime.timedelta(days=20)),
        },
    )
    assert r.status_code == 201, r.content
    item = r.json()
    assert item["status"] == "routed" and item["case_id"] and item["light"]
    assert item["deadline"] == str(today + datetime.timedelta(days=20))
    case = Case.objects.get(pk=item["case_id"])
    assert case.kind == "supervision_rectification" and case.assignments.get().unit_id == unit.pk
    # Without a deadline: the setting's default (supervision.reply_days, 30 days).
    r = _post(m1, f"/api/v1/supervisions/{s.pk}/items", {"list": "rectification", "content": "公开办事指南"})
    assert r.json()["deadline"] == str(today + datetime.timedelta(days=30))
    second = r.json()["id"]
    # Not replied yet: 409.
    r = _post(m1, f"/api/v1/supervision-items/{item['id']}/confirm", {"accepted": True, "note": ""})
    assert r.status_code == 409 and "答复" in r.json()["detail"]
    # The unit's handler finds it in the one inbox and replies on the spine.
    from zhengxie.core.models import HandlingUnit, Role, User

    handler = User.objects.filter(handling_unit=unit, groups__name=Role.UNIT_HANDLER).first()
    h = api_for(handler.username)
    inbox = h.get("/api/v1/inbox?kind=supervision_rectification").json()["items"]
    assert item["case_id"] in [x["id"] for x in inbox] or any(
        x.get("case_id") == item["case_id"] for x in inbox
    )
    r = _post(h, f"/api/v1/handling/cases/{item['case_id']}/reply", {"content": "已延长至晚七点。"})
    assert r.status_code == 200, r.content
    assert Item.objects.get(pk=item["id"]).status == "replied"
    assert HandlingUnit.objects.filter(pk=unit.pk).exists()
    # Someone outside the group: 403 (staff of another office) / 404 (another county).
    assert (
        _post(
            api_for("info"), f"/api/v1/supervision-items/{item['id']}/confirm", {"accepted": True}
        ).status_code
        == 403
    )
    assert (
        _post(
            api_for("other"), f"/api/v1/supervision-items/{item['id']}/confirm", {"accepted": True}
        ).status_code
        == 404
    )
    # Sent back without a note: 422; with one: re-handling.
    r = _post(m1, f"/api/v1/supervision-items/{item['id']}/confirm", {"accepted": False, "note": ""})
    assert r.status_code == 422 and r.json()["field"] == "note"
    r = _post(
        m1, f"/api/v1/supervision-items/{item['id']}/confirm", {"accepted": False, "note": "周末仍未开放"}
    )
    assert r.status_code == 200 and r.json()["status"] == "rehandling"
    assert Case.objects.get(pk=item["case_id"]).status == "rehandling"
    _post(h, f"/api/v1/handling/cases/{item['case_id']}/reply", {"content": "周末已开放。"})
    r = _post(m1, f"/api/v1/supervision-items/{item['id']}/confirm", {"accepted": True, "note": "整改到位"})
    assert r.status_code == 200 and r.json()["status"] == "rectified"
    assert Case.objects.get(pk=item["case_id"]).status == "closed"
    # Twice: 409.
    r = _post(m1, f"/api/v1/supervision-items/{item['id']}/confirm", {"accepted": True})
    assert r.status_code == 409
    # A problem item needs no confirmation: 409.
    problem = Item.objects.get(supervision=s, list="problem")
    assert _post(m1, f"/api/v1/supervision-items/{problem.pk}/confirm", {"accepted": True}).status_code == 409
    assert Item.objects.get(pk=second).status == "routed"
    assert AuditEntry.objects.filter(action="supervision.confirm", target_id=str(item["id"])).count() == 2


def test_bad_items(api_for, make_group, today):
    s = make_group()
    m1 = api_for("member1")
    r = _post(m1, f"/api/v1/supervisions/{s.pk}/items", {"list": "problem", "content": "  "})
    assert r.status_code == 422 and r.json()["field"] == "content"
    r = _post(m1, f"/api/v1/supervisions/{s.pk}/items", {"list": "other", "content": "x"})
    assert r.status_code == 422 and "detail" in r.json()
    r = _post(
        m1,
        f"/api/v1/supervisions/{s.pk}/items",
        {"list": "rectification", "content": "x", "deadline": str(today - datetime.timedelta(days=1))},
    )
    assert r.status_code == 422 and r.json()["field"] == "deadline"
    # Outside the group: staff of the county see it but may not add (403); member3 does not see it (404).
    assert (
        _post(
            api_for("staff"), f"/api/v1/supervisions/{s.pk}/items", {"list": "problem", "content": "x"}
        ).status_code
        == 403
    )
    assert (
        _post(
            api_for("member3"), f"/api/v1/supervisions/{s.pk}/items", {"list": "problem", "content": "x"}
        ).status_code
        == 404
    )
    assert not Item.objects.filter(supervision=s).exists()


def test_rating_finish_and_close(api_for, make_group, member, user):
    s = make_group()
    m1, m2 = api_for("member1"), api_for("member2")
    r = _post(m1, f"/api/v1/supervisions/{s.pk}/ratings", {"aspect": "工作作风", "rating": "satisfied"})
    assert r.status_code == 200, r.content
    row = r.json()["rating"]["aspects"][0]
    assert row["counts"]["satisfied"] == 1 and row["raters"] == 1 and row["valid"] is False  # 1 of 3
    # Re-rating replaces.
    r = _post(m1, f"/api/v1/supervisions/{s.pk}/ratings", {"aspect": "工作作风", "rating": "unsatisfied"})
    row = r.json()["rating"]["aspects"][0]
    assert row["counts"]["satisfied"] == 0 and row["counts"]["unsatisfied"] == 1 and row["raters"] == 1
    assert r.json()["my_ratings"] == {"工作作风": "unsatisfied"}
    # Bad aspect / rating: 422; outside the group: 403 (the staff contact is not a rater), 404 (member3).
    r = _post(m1, f"/api/v1/supervisions/{s.pk}/ratings", {"aspect": "颜值", "rating": "satisfied"})
    assert r.status_code == 422 and r.json()["field"] == "aspect"
    r = _post(m1, f"/api/v1/supervisions/{s.pk}/ratings", {"aspect": "工作作风", "rating": "great"})
    assert r.status_code == 422
    assert (
        _post(
            api_for("office"),
            f"/api/v1/supervisions/{s.pk}/ratings",
            {"aspect": "工作作风", "rating": "satisfied"},
        ).status_code
        == 403
    )
    assert (
        _post(
            api_for("member3"),
            f"/api/v1/supervisions/{s.pk}/ratings",
            {"aspect": "工作作风", "rating": "satisfied"},
        ).status_code
        == 404
    )
    office = api_for("office")
    # Closing before the rating ends: 409; ending the rating with 1 of 3: 409 (not more than half).
    assert _post(office, f"/api/v1/supervisions/{s.pk}/close").status_code == 409
    r = _post(office, f"/api/v1/supervisions/{s.pk}/finish")
    assert r.status_code == 409 and "半数" in r.json()["detail"]
    for aspect in ["工作作风", "依法履职", "整改落实", "服务成效"]:
        _post(m1, f"/api/v1/supervisions/{s.pk}/ratings", {"aspect": aspect, "rating": "satisfied"})
        _post(m2, f"/api/v1/supervisions/{s.pk}/ratings", {"aspect": aspect, "rating": "basically_satisfied"})
    r = office.get(f"/api/v1/supervisions/{s.pk}")
    first = r.json()["rating"]["aspects"][0]
    assert first["valid"] is True and first["satisfaction_rate"] == 100.0
    assert first["result"] == "basically_satisfied"  # a tie goes to the worse
    # A member may not end it (403); the office does.
    assert _post(m1, f"/api/v1/supervisions/{s.pk}/finish").status_code == 403
    r = _post(office, f"/api/v1/supervisions/{s.pk}/finish")
    assert r.status_code == 200 and r.json()["status"] == "rated" and "close" in r.json()["actions"]
    assert (
        _post(
            m1, f"/api/v1/supervisions/{s.pk}/ratings", {"aspect": "工作作风", "rating": "satisfied"}
        ).status_code
        == 409
    )
    assert (
        _post(m1, f"/api/v1/supervisions/{s.pk}/items", {"list": "problem", "content": "x"}).status_code
        == 409
    )
    assert _post(office, f"/api/v1/supervisions/{s.pk}/finish").status_code == 409
    r = _post(office, f"/api/v1/supervisions/{s.pk}/close")
    assert r.status_code == 200 and r.json()["status"] == "closed"
    credited = DutyRecord.objects.filter(act="supervision", source_id=str(s.pk))
    assert {"member1", "member2"} <= set(credited.values_list("member__user__username", flat=True))
    assert credited.count() == 3
    assert _post(office, f"/api/v1/supervisions/{s.pk}/close").status_code == 409
    assert credited.count() == 3


def test_report_download(api_for, make_group):
    import io

    from docx import Document

    s = make_group()
    m1 = api_for("member1")
    _post(m1, f"/api/v1/supervisions/{s.pk}/items", {"list": "problem", "content": "候诊时间过长"})
    r = m1.get(f"/api/v1/supervisions/{s.pk}/report")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    text = "\n".join(p.text for p in Document(io.BytesIO(r.content)).paragraphs)
    assert s.title in text and "候诊时间过长" in text and "评议结果" in text
    assert api_for("other").get(f"/api/v1/supervisions/{s.pk}/report").status_code == 404


def test_evidence_photo_loses_its_exif(api_for, client_for, make_group):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    s = make_group()
    m1 = api_for("member1")
    item = _post(m1, f"/api/v1/supervisions/{s.pk}/items", {"list": "problem", "content": "路面破损"}).json()
    img = Image.new("RGB", (8, 8), "red")
    exif = Image.Exif()
    exif[0x010F] = "Camera"  # Make
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif.tobytes())
    assert b"Camera" in buf.getvalue()
    photo = SimpleUploadedFile("现场.jpg", buf.getvalue(), content_type="image/jpeg")
    r = m1.post(f"/api/v1/supervision-items/{item['id']}/evidence", {"file": photo})
    assert r.status_code == 201, r.content
    f = r.json()["evidence"][0]
    assert f["name"] == "现场.jpg"
    got = client_for("member1").get(f["url"])
    data = b"".join(got.streaming_content)
    assert data.startswith(b"\xff\xd8") and b"Camera" not in data
    # Served to whoever sees the group, not to another county nor to a member outside the group.
    assert client_for("leader").get(f["url"]).status_code == 200
    assert client_for("other").get(f["url"]).status_code == 404
    assert client_for("member3").get(f["url"]).status_code == 404
    bad = SimpleUploadedFile("x.jpg", b"nope", content_type="image/jpeg")
    r = m1.post(f"/api/v1/supervision-items/{item['id']}/evidence", {"file": bad})
    assert r.status_code == 422 and r.json()["detail"]


def test_the_vote(api_for, user, county, today):
    from zhengxie.core.models import HandlingUnit
    from zhengxie.supervision.services import standing_members

    units = list(HandlingUnit.objects.filter(organisation=county).order_by("id")[:4])
    office = api_for("office")
    body = {
        "year": today.year,
        "choose": 2,
        "candidates": [{"unit_id": u.pk, "reason": f"理由{i}"} for i, u in enumerate(units)],
    }
    assert _post(api_for("staff"), "/api/v1/supervision-votes", body).status_code == 403
    r = _post(office, "/api/v1/supervision-votes", {**body, "choose": 5})
    assert r.status_code == 422 and r.json()["field"] == "choose"
    r = _post(office, "/api/v1/supervision-votes", body)
    assert r.status_code == 201, r.content
    v = r.json()
    assert v["status"] == "open" and len(v["candidates"]) == 4 and v["voters"] == 0
    assert v["id"] in [x["id"] for x in api_for("member1").get("/api/v1/supervision-votes").json()["items"]]
    assert api_for("handler1").get("/api/v1/supervision-votes").json()["count"] == 0
    assert api_for("handler1").get(f"/api/v1/supervision-votes/{v['id']}").status_code == 404
    standing = list(standing_members(county).select_related("user"))
    assert Notification.objects.filter(user=standing[0].user, title__contains="票决").exists()
    m3 = api_for("member3")
    r = m3.get(f"/api/v1/supervision-votes/{v['id']}")
    assert (
        r.json()["actions"] == ["ballot"] and r.json()["candidates"][0]["votes"] is None
    )  # hidden while open
    r = _post(m3, f"/api/v1/supervision-votes/{v['id']}/ballots", {"unit_ids": [u.pk for u in units[:3]]})
    assert r.status_code == 422 and r.json()["field"] == "unit_ids"
    r = _post(m3, f"/api/v1/supervision-votes/{v['id']}/ballots", {"unit_ids": [units[0].pk, units[1].pk]})
    assert r.status_code == 201 and r.json()["my_ballot"] == [units[0].pk, units[1].pk]
    r = _post(m3, f"/api/v1/supervision-votes/{v['id']}/ballots", {"unit_ids": [units[2].pk]})
    assert r.status_code == 409 and "一次" in r.json()["detail"]
    assert (
        _post(
            api_for("member1"), f"/api/v1/supervision-votes/{v['id']}/ballots", {"unit_ids": [units[0].pk]}
        ).status_code
        == 403
    )
    assert (
        _post(
            api_for("other"), f"/api/v1/supervision-votes/{v['id']}/ballots", {"unit_ids": [units[0].pk]}
        ).status_code
        == 404
    )
    # Paper result: more voters than standing members left: 422; then a tie at the cut (units 1 and 2).
    n = len(standing)
    r = _post(office, f"/api/v1/supervision-votes/{v['id']}/paper", {"voters": n, "votes": []})
    assert r.status_code == 422 and r.json()["field"] == "voters"
    paper = n // 2  # with member3's ballot: more than half
    r = _post(
        office,
        f"/api/v1/supervision-votes/{v['id']}/paper",
        {
            "voters": paper,
            "votes": [{"unit_id": units[0].pk, "votes": paper}, {"unit_id": units[2].pk, "votes": 1}],
        },
    )
    assert r.status_code == 200, r.content
    assert r.json()["voters"] == paper + 1
    r = _post(office, f"/api/v1/supervision-votes/{v['id']}/close")
    assert r.status_code == 200, r.content
    out = r.json()
    assert out["valid"] is True and out["status"] == "tie"
    by = {c["unit_id"]: c for c in out["candidates"]}
    assert by[units[0].pk]["chosen"] and by[units[1].pk]["tied"] and by[units[2].pk]["tied"]
    r = _post(m3, f"/api/v1/supervision-votes/{v['id']}/ballots", {"unit_ids": [units[0].pk]})
    assert r.status_code == 409
    r = _post(office, f"/api/v1/supervision-votes/{v['id']}/pick", {"unit_ids": [units[3].pk]})
    assert r.status_code == 422
    r = _post(office, f"/api/v1/supervision-votes/{v['id']}/pick", {"unit_ids": [units[2].pk]})
    assert r.status_code == 200 and r.json()["status"] == "closed"
    chosen = sorted(c["unit_id"] for c in r.json()["candidates"] if c["chosen"])
    assert chosen == sorted([units[0].pk, units[2].pk])
    assert _post(office, f"/api/v1/supervision-votes/{v['id']}/close").status_code == 409
    # A group on a chosen unit is linked to the vote.
    from zhengxie.members.models import Member

    r = _post(
        office,
        "/api/v1/supervisions",
        {
            "year": today.year,
            "unit_id": units[2].pk,
            "leader_member_id": Member.objects.get(user__username="member2").pk,
        },
    )
    assert r.status_code == 201 and r.json()["selection_id"] == v["id"]


def test_a_vote_without_quorum_is_void(api_for, county, today):
    from zhengxie.core.models import HandlingUnit

    units = list(HandlingUnit.objects.filter(organisation=county).order_by("id")[:3])
    office = api_for("office")
    v = _post(
        office,
        "/api/v1/supervision-votes",
        {"year": today.year, "choose": 1, "candidates": [{"unit_id": u.pk, "reason": "理由"} for u in units]},
    ).json()
    _post(api_for("member3"), f"/api/v1/supervision-votes/{v['id']}/ballots", {"unit_ids": [units[0].pk]})
    r = _post(office, f"/api/v1/supervision-votes/{v['id']}/close")
    assert r.status_code == 200 and r.json()["valid"] is False and r.json()["status"] == "closed"
    assert not any(c["chosen"] for c in r.json()["candidates"])


def test_stats(api_for, today):
    r = api_for("leader").get(f"/api/v1/supervisions/stats?year={today.year}")
    assert r.status_code == 200
    s = r.json()
    assert s["groups"] == 2 and s["sentence"].startswith("票决委派民主监督小组2个")
    assert len(s["by_group"]) == 2
    assert api_for("other").get(f"/api/v1/supervisions/stats?year={today.year}").json()["groups"] == 0


def test_list_query_count_is_constant(api_for, make_group, user, member, county, today):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from zhengxie.core.models import HandlingUnit

    c = api_for("leader")
    units = list(HandlingUnit.objects.filter(organisation=county).order_by("id"))

    def count():
        with CaptureQueriesContext(connection) as q:
            assert c.get(f"/api/v1/supervisions?year={today.year}").status_code == 200
        return len(q)

    few = count()
    for u in units[:6]:
        make_group(unit=u)
    assert count() == few
