"""PATCH /api/v1/meetings/{id} and POST /api/v1/meetings/{id}/cancel: the same services as the edit and
cancel pages (permission, one transaction, audit, notices to the invitees), with 404/403/409/422."""

import datetime

from django.utils import timezone

from zhengxie.core.models import AuditEntry, Notification
from zhengxie.members.models import SpecialCommittee

from .conftest import shift


def patch(client, url, data):
    return client.patch(url, data, content_type="application/json")


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def notes(username, title):
    return Notification.objects.filter(user__username=username, title=title)


def test_patch_changes_only_the_fields_sent_audits_and_notifies_a_new_time_or_place(api_for, make_meeting):
    meeting = make_meeting(title="月度协商会")
    url = f"/api/v1/meetings/{meeting.pk}"
    staff = api_for("office")
    r = patch(staff, url, {"title": "  月度协商会（调整）  ", "agenda": "一、通报情况"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["title"] == "月度协商会（调整）" and body["agenda"] == "一、通报情况"
    assert body["place"] == "县政协会议室" and body["kind"] == "committee"
    # Only the title and agenda changed: no notice to the invitees.
    assert not Notification.objects.filter(title__startswith="会议变更").exists()
    entry = AuditEntry.objects.filter(action="activities.meeting_update", target_id=str(meeting.pk)).latest(
        "id"
    )
    assert entry.actor.username == "office" and entry.after["title"] == "月度协商会（调整）"

    start = timezone.now() + datetime.timedelta(days=2)
    r = patch(
        staff,
        url,
        {
            "starts_at": start.isoformat(),
            "ends_at": (start + datetime.timedelta(hours=1)).isoformat(),
            "place": "二楼会议室",
        },
    )
    assert r.status_code == 200 and r.json()["place"] == "二楼会议室"
    assert abs(datetime.datetime.fromisoformat(r.json()["starts_at"]) - start) < datetime.timedelta(seconds=1)
    for u in ("member1", "member2", "member3"):
        note = notes(u, "会议变更：月度协商会（调整）").get()
        assert "二楼会议室" in note.body and note.url == f"/activities/{meeting.pk}/"
    assert (
        AuditEntry.objects.filter(action="activities.meeting_update", target_id=str(meeting.pk)).count() == 2
    )


def test_patch_committee_can_be_set_and_cleared(api_for, make_meeting):
    meeting = make_meeting()
    committee = SpecialCommittee.objects.filter(organisation=meeting.organisation).first()
    staff = api_for("office")
    r = patch(staff, f"/api/v1/meetings/{meeting.pk}", {"committee_id": committee.pk})
    assert r.status_code == 200 and r.json()["committee_id"] == committee.pk
    r = patch(staff, f"/api/v1/meetings/{meeting.pk}", {"committee_id": None})
    assert r.status_code == 200 and r.json()["committee_id"] is None


def test_cancel_notifies_the_notified_invitees_and_is_audited(api_for, make_meeting):
    meeting = make_meeting(title="视察活动", kind="inspection")
    r = post(api_for("office"), f"/api/v1/meetings/{meeting.pk}/cancel", {"reason": "天气原因"})
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "cancelled" and r.json()["status_label"] == "已取消"
    meeting.refresh_from_db()
    assert meeting.cancel_reason == "天气原因"
    for u in ("member1", "member2", "member3"):
        assert "原因：天气原因" in notes(u, "会议取消：视察活动").get().body
    entry = AuditEntry.objects.get(action="activities.meeting_cancel", target_id=str(meeting.pk))
    assert entry.after == {"status": "cancelled", "reason": "天气原因"} and entry.before == {
        "status": "notified"
    }


def test_a_draft_cancelled_tells_nobody(api_for, make_meeting):
    meeting = make_meeting(notify=False, title="草稿会议")
    r = post(api_for("office"), f"/api/v1/meetings/{meeting.pk}/cancel", {"reason": "不再举行"})
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert not Notification.objects.filter(title="会议取消：草稿会议").exists()


def test_invisible_meetings_are_404(api_for, make_meeting):
    meeting = make_meeting()
    other = api_for("other")  # 石门区: cannot see 青川县's meetings
    assert patch(other, f"/api/v1/meetings/{meeting.pk}", {"title": "x"}).status_code == 404
    assert post(other, f"/api/v1/meetings/{meeting.pk}/cancel", {"reason": "x"}).status_code == 404
    assert patch(api_for("office"), "/api/v1/meetings/999999", {"title": "x"}).status_code == 404
    # An uninvited member does not see a meeting either.
    draft = make_meeting(notify=False)
    r = post(api_for("member1"), f"/api/v1/meetings/{draft.pk}/cancel", {"reason": "x"})
    assert r.status_code == 404 and r.json()["detail"] == "未找到。"


def test_visible_but_not_theirs_to_manage_is_403(api_for, make_meeting):
    meeting = make_meeting(title="原名称")
    for username in ("member1", "leader", "citystaff"):
        client = api_for(username)
        r = patch(client, f"/api/v1/meetings/{meeting.pk}", {"title": "改名"})
        assert r.status_code == 403 and "机关工作人员" in r.json()["detail"], username
        r = post(client, f"/api/v1/meetings/{meeting.pk}/cancel", {"reason": "不开了"})
        assert r.status_code == 403, username
    meeting.refresh_from_db()
    assert meeting.title == "原名称" and meeting.status == "notified"
    assert not AuditEntry.objects.filter(
        action__in=["activities.meeting_update", "activities.meeting_cancel"], target_id=str(meeting.pk)
    ).exists()


def test_closed_or_cancelled_meetings_are_409(api_for, make_meeting, user):
    from zhengxie.activities import services

    staff = api_for("office")
    cancelled = make_meeting()
    assert post(staff, f"/api/v1/meetings/{cancelled.pk}/cancel", {"reason": "改期"}).status_code == 200
    r = patch(staff, f"/api/v1/meetings/{cancelled.pk}", {"title": "再改"})
    assert r.status_code == 409 and r.json()["code"] == "cancelled" and "已取消" in r.json()["detail"]
    r = post(staff, f"/api/v1/meetings/{cancelled.pk}/cancel", {"reason": "再取消"})
    assert r.status_code == 409 and "已取消" in r.json()["detail"]

    closed = shift(make_meeting(), 60)
    services.meeting_close(user=user("office"), meeting=closed)
    r = patch(staff, f"/api/v1/meetings/{closed.pk}", {"place": "别处"})
    assert r.status_code == 409 and r.json()["code"] == "closed" and "已结束归档" in r.json()["detail"]
    r = post(staff, f"/api/v1/meetings/{closed.pk}/cancel", {"reason": "x"})
    assert r.status_code == 409 and r.json()["code"] == "closed"


def test_bad_input_is_422_in_chinese_and_changes_nothing(api_for, make_meeting):
    meeting = make_meeting(title="原名称")
    staff = api_for("office")
    url = f"/api/v1/meetings/{meeting.pk}"
    earlier = (meeting.starts_at - datetime.timedelta(hours=1)).isoformat()
    cases = [
        ({"title": "   "}, "请填写会议名称", "title"),
        ({"kind": "party"}, "会议类型", "kind"),
        ({"ends_at": earlier}, "结束时间不能早于开始时间", "ends_at"),
        ({"starts_at": None}, "请填写开始时间", "starts_at"),
        ({"checkin_before_minutes": -5}, "签到时间须在 0 到 1440 分钟之间", "checkin_before_minutes"),
        ({"committee_id": 999999}, "专委会不存在", "committee_id"),
    ]
    for data, message, field in cases:
        r = patch(staff, url, data)
        assert r.status_code == 422 and message in r.json()["detail"] and r.json()["field"] == field, data
    from zhengxie.core.models import Organisation

    other_committee = SpecialCommittee.objects.create(
        organisation=Organisation.objects.get(code="demo-county-2"), name="外县专委会"
    )
    r = patch(staff, url, {"committee_id": other_committee.pk})
    assert r.status_code == 422 and "不属于本会" in r.json()["detail"]
    r = patch(staff, url, {"starts_at": "明天上午"})
    assert r.status_code == 422 and r.json()["detail"].startswith("输入有误")

    r = post(staff, f"{url}/cancel", {"reason": "  "})
    assert r.status_code == 422 and r.json()["detail"] == "请填写取消原因。" and r.json()["field"] == "reason"
    r = post(staff, f"{url}/cancel", {})
    assert r.status_code == 422 and "输入有误" in r.json()["detail"]
    meeting.refresh_from_db()
    assert meeting.title == "原名称" and meeting.status == "notified"
    assert not Notification.objects.filter(title__startswith="会议变更").exists()
