"""/api/v1/meetings...: the flow over JSON, status codes and Chinese details."""

import datetime

from django.utils import timezone

from zhengxie.activities import services
from zhengxie.activities.models import Invitation, Meeting

from .conftest import duty, shift


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def test_api_flow(api_for, user):
    staff = api_for("office")
    start = timezone.now() + datetime.timedelta(minutes=30)
    r = post(
        staff,
        "/api/v1/meetings",
        {
            "kind": "plenary",
            "title": "API 全体会议",
            "starts_at": start.isoformat(),
            "ends_at": (start + datetime.timedelta(hours=3)).isoformat(),
            "place": "大礼堂",
        },
    )
    assert r.status_code == 201, r.content
    mid = r.json()["id"]
    assert r.json()["status"] == "draft" and r.json()["kind_label"] == "全体会议"
    m1, m2, m3 = (user(u).member for u in ("member1", "member2", "member3"))
    r = post(staff, f"/api/v1/meetings/{mid}/invite", {"member_ids": [m1.pk, m2.pk, m3.pk]})
    assert r.json() == {"count": 3}
    assert post(staff, f"/api/v1/meetings/{mid}/notify").json() == {"count": 3}

    member = api_for("member1")
    r = member.get("/api/v1/meetings")
    assert r.status_code == 200 and mid in [i["id"] for i in r.json()["items"]]
    r = member.get(f"/api/v1/meetings/{mid}")
    assert r.json()["my_invitation"]["reply"] == "pending" and r.json()["counts"] is None
    r = post(member, f"/api/v1/meetings/{mid}/reply", {"reply": "attend"})
    assert r.status_code == 200 and r.json()["my_invitation"]["reply"] == "attend"

    r = post(api_for("member2"), f"/api/v1/meetings/{mid}/leave", {"reason": "出差"})
    assert r.json()["my_invitation"]["leave_status"] == "pending"
    inv2 = Invitation.objects.get(meeting_id=mid, member=m2)
    r = post(staff, f"/api/v1/meetings/{mid}/leave-requests/{inv2.pk}/decide", {"approve": True})
    assert r.status_code == 200 and r.json()["leave_status"] == "approved"
    r = post(
        staff, f"/api/v1/meetings/{mid}/leave-requests/{inv2.pk}/decide", {"approve": False, "reason": "x"}
    )
    assert r.status_code == 409 and "已处理" in r.json()["detail"]

    meeting = Meeting.objects.get(pk=mid)
    r = post(member, f"/api/v1/meetings/{mid}/checkin", {"token": services.checkin_token(meeting)})
    assert r.status_code == 200 and r.json()["my_invitation"]["attendance"] == "present"
    r = post(member, f"/api/v1/meetings/{mid}/checkin", {"token": services.checkin_token(meeting)})
    assert r.status_code == 409 and "无需重复签到" in r.json()["detail"]

    r = post(staff, f"/api/v1/meetings/{mid}/attendance", {"member_id": m3.pk, "present": True})
    assert (
        r.status_code == 200 and r.json()["attendance"] == "present" and r.json()["checkin_method"] == "staff"
    )
    r = post(
        staff, f"/api/v1/meetings/{mid}/attendance", {"member_id": user("other").member.pk, "present": True}
    )
    assert r.status_code == 422 and "不在本次会议的邀请名单中" in r.json()["detail"]

    r = staff.get(f"/api/v1/meetings/{mid}/invitations")
    assert r.json()["count"] == 3
    r = staff.get(f"/api/v1/meetings/{mid}")
    assert r.json()["counts"]["present"] == 2

    r = post(staff, f"/api/v1/meetings/{mid}/close")
    assert r.status_code == 409 and "开始之后" in r.json()["detail"]
    shift(meeting, 60)
    r = post(staff, f"/api/v1/meetings/{mid}/close")
    assert r.status_code == 200 and r.json() == {"present": 2, "on_leave": 1, "absent": 0, "never_replied": 0}
    r = post(staff, f"/api/v1/meetings/{mid}/close")
    assert r.status_code == 409 and r.json()["code"] == "already_closed"
    assert (
        duty(m1, "plenary_attend", meeting).count() == 1 and duty(m2, "plenary_leave", meeting).count() == 1
    )
    r = post(member, f"/api/v1/meetings/{mid}/checkin", {"token": services.checkin_token(meeting)})
    assert r.status_code == 409


def test_api_bad_input_is_422_in_chinese(api_for, make_meeting):
    staff = api_for("office")
    start = timezone.now()
    r = post(
        staff,
        "/api/v1/meetings",
        {"kind": "party", "title": "x", "starts_at": start.isoformat(), "ends_at": start.isoformat()},
    )
    assert r.status_code == 422 and "会议类型" in r.json()["detail"]
    r = post(
        staff,
        "/api/v1/meetings",
        {
            "kind": "training",
            "title": "x",
            "starts_at": start.isoformat(),
            "ends_at": (start - datetime.timedelta(hours=1)).isoformat(),
        },
    )
    assert r.status_code == 422 and r.json()["detail"] == "结束时间不能早于开始时间。"
    r = post(staff, "/api/v1/meetings", {"kind": "training"})
    assert r.status_code == 422 and r.json()["detail"].startswith("输入有误")
    m = make_meeting()
    member = api_for("member1")
    r = post(member, f"/api/v1/meetings/{m.pk}/leave", {"reason": ""})
    assert r.status_code == 422 and "请假事由" in r.json()["detail"]
    r = post(member, f"/api/v1/meetings/{m.pk}/reply", {"reply": "maybe"})
    assert r.status_code == 422
    r = post(member, f"/api/v1/meetings/{m.pk}/checkin", {"token": "garbage"})
    assert r.status_code == 422 and "签到码无效" in r.json()["detail"]
    r = post(
        api_for("member2"), f"/api/v1/meetings/{make_meeting(invite=('member1',)).pk}/checkin", {"token": "x"}
    )
    assert r.status_code == 403 and "不在本次会议的邀请名单中" in r.json()["detail"]
    r = post(staff, f"/api/v1/meetings/{m.pk}/invite", {})
    assert r.status_code == 422 and "邀请方式" in r.json()["detail"]


def test_api_list_is_paginated_and_scoped(api_for, make_meeting):
    make_meeting(invite=("member1",), title="只邀请了委员一")
    r = api_for("member2").get("/api/v1/meetings?q=只邀请了委员一")
    assert r.json() == {"items": [], "count": 0}
    r = api_for("other").get("/api/v1/meetings")
    assert all(i["organisation"] == "石门区政协" for i in r.json()["items"])
    r = api_for("office").get("/api/v1/meetings?q=只邀请了委员一")
    assert r.json()["count"] == 1
    assert api_for("handler1").get("/api/v1/meetings").json()["count"] == 0
    assert api_for("office").get("/api/v1/meetings").json()["count"] >= 6
    assert len(api_for("office").get("/api/v1/meetings").json()["items"]) <= 20
