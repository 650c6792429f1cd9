"""The whole journey through the pages: staff create, invite a sector, notify; members reply, ask for
leave, check in by QR; staff approve the leave, tick a member present, close; duty records follow."""

import datetime

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tests.filepicker import assert_picker
from zhengxie.activities import selectors, services
from zhengxie.activities.models import Invitation, Meeting
from zhengxie.core.models import AuditEntry, Notification
from zhengxie.members.models import Member

from .conftest import duty, shift


def _local(dt):
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def test_staff_create_invite_notify_member_reply_leave_checkin_close(
    client_for, user, django_capture_on_commit_callbacks
):
    staff = client_for("office")
    start = timezone.now() + datetime.timedelta(minutes=40)
    r = staff.post(
        reverse("activities:create"),
        {
            "kind": "standing",
            "title": "常委会第十三次会议",
            "starts_at": _local(start),
            "ends_at": _local(start + datetime.timedelta(hours=2)),
            "place": "县政协二楼会议室",
            "agenda": "一、审议",
            "checkin_before_minutes": 60,
            "checkin_after_minutes": 60,
        },
    )
    meeting = Meeting.objects.get(title="常委会第十三次会议")
    assert r.status_code == 302 and r.url == reverse("activities:invite", args=[meeting.pk])
    assert meeting.status == "draft" and meeting.organiser.username == "office"

    m1, m2, m3 = (user(u).member for u in ("member1", "member2", "member3"))
    # Invite member1's sector plus member2 and member3 one by one.
    r = staff.post(
        reverse("activities:invite", args=[meeting.pk]),
        {"sectors": [m1.sector_id], "members": [m2.pk, m3.pk]},
    )
    assert r.status_code == 302
    sector_ids = set(
        Member.objects.filter(sector=m1.sector, organisation=m1.organisation, status="active").values_list(
            "pk", flat=True
        )
    )
    invited = set(meeting.invitations.values_list("member_id", flat=True))
    assert invited == sector_ids | {m2.pk, m3.pk}
    # Drafts are invisible to members until the notice goes out.
    assert client_for("member1").get(reverse("activities:detail", args=[meeting.pk])).status_code == 404

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        r = staff.post(reverse("activities:notify", args=[meeting.pk]), follow=True)
    assert f"已向 {len(invited)} 位委员发送会议通知" in r.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == "notified"
    assert Notification.objects.filter(user=m1.user, title__contains="会议通知").exists()
    assert any("member1@example.com" in e.to for e in mail.outbox)

    # member1: workbench to-do, then reply 参加.
    c1 = client_for("member1")
    assert "待回复的会议通知" in c1.get("/").content.decode()
    r = c1.get(reverse("activities:detail", args=[meeting.pk]))
    assert "常委会第十三次会议" in r.content.decode() and 'id="btn-attend"' in r.content.decode()
    r = c1.post(reverse("activities:reply", args=[meeting.pk]), {"reply": "attend"}, follow=True)
    assert "已回复参加" in r.content.decode()
    assert Invitation.objects.get(meeting=meeting, member=m1).reply == "attend"

    # member2 asks for leave; the organiser hears of it; staff approve.
    c2 = client_for("member2")
    r = c2.post(
        reverse("activities:reply", args=[meeting.pk]), {"reply": "leave", "reason": "出差在外"}, follow=True
    )
    assert "已提交请假申请" in r.content.decode()
    inv2 = Invitation.objects.get(meeting=meeting, member=m2)
    assert (inv2.reply, inv2.leave_status, inv2.leave_reason) == ("leave_requested", "pending", "出差在外")
    assert Notification.objects.filter(user__username="office", title__contains="请假申请").exists()
    replies = staff.get(
        reverse("activities:replies", args=[meeting.pk]) + "?filter=leave_pending"
    ).content.decode()
    assert "出差在外" in replies and "同意" in replies
    r = staff.post(
        reverse("activities:decide", args=[meeting.pk, inv2.pk]),
        {"approve": "1", "reason": ""},
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 200 and "已准假" in r.content.decode()
    assert Notification.objects.filter(user=m2.user, title__contains="请假已批准").exists()

    # member1 scans the on-site QR code.
    qr = staff.get(reverse("activities:qr", args=[meeting.pk])).content.decode()
    assert "<svg" in qr
    assert "已签到 <strong" in qr
    token = services.checkin_token(meeting)
    r = c1.get(reverse("activities:checkin", args=[meeting.pk, token]))
    assert r.status_code == 200 and "签到成功" in r.content.decode()
    inv1 = Invitation.objects.get(meeting=meeting, member=m1)
    assert (inv1.attendance, inv1.checkin_method) == ("present", "qr")

    # Staff tick member3 present from the list (htmx row).
    inv3 = Invitation.objects.get(meeting=meeting, member=m3)
    r = staff.post(
        reverse("activities:attendance_set", args=[meeting.pk, inv3.pk]),
        {"present": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 200 and "工作人员登记" in r.content.decode()
    assert r.content.decode().lstrip().startswith("<tr")

    # Not yet started: cannot close. Time passes, then close.
    r = staff.post(reverse("activities:close", args=[meeting.pk]), follow=True)
    assert "开始之后才能结束归档" in r.content.decode()
    meeting = shift(meeting, 60)
    r = staff.post(reverse("activities:close", args=[meeting.pk]), follow=True)
    assert "会议已结束归档" in r.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == "closed"
    finals = dict(meeting.invitations.values_list("member_id", "attendance"))
    assert finals[m1.pk] == "present" and finals[m3.pk] == "present" and finals[m2.pk] == "on_leave"
    assert set(finals.values()) <= {"present", "on_leave", "absent"}
    assert duty(m1, "standing_attend", meeting).count() == 1
    assert duty(m2, "standing_leave", meeting).count() == 1
    absentees = [pk for pk, a in finals.items() if a == "absent"]
    for pk in absentees:
        member = Member.objects.get(pk=pk)
        assert duty(member, "standing_absent", meeting).count() == 1
        assert Notification.objects.filter(user=member.user, title__contains="缺席提醒").exists()
    assert AuditEntry.objects.filter(action="activities.meeting_close", target_id=str(meeting.pk)).exists()
    # The attendance page counts it.
    stats = staff.get(
        reverse("activities:attendance") + f"?year={timezone.localtime(meeting.starts_at).year}"
    )
    assert "常委会第十三次会议" in stats.content.decode()


def test_member_workbench_lists_upcoming_and_calendar_shows_the_meeting(client_for, make_meeting):
    m = make_meeting(minutes=60 * 24 * 3, title="教科卫体委员会座谈")
    c = client_for("member3")
    home = c.get("/").content.decode()
    assert "待回复的会议通知" in home and "近期会议活动" in home
    month = timezone.localtime(m.starts_at).strftime("%Y-%m")
    cal = c.get(reverse("activities:calendar") + f"?month={month}").content.decode()
    assert "教科卫体委员会座谈" in cal
    lst = c.get(reverse("activities:list") + "?when=upcoming").content.decode()
    assert "教科卫体委员会座谈" in lst and "待回复" in lst


def test_materials_upload_and_download_checks_permission(client_for, make_meeting):
    from django.core.files.uploadedfile import SimpleUploadedFile

    m = make_meeting(invite=("member1",))
    staff = client_for("office")
    # The upload's file input is the site's Chinese picker (issue 15), labelled, the types offered kept.
    page = staff.get(reverse("activities:detail", args=[m.pk])).content.decode()
    assert_picker(page, "file", accept=".pdf,.docx,.png,.jpg,.jpeg")
    assert '<label class="visually-hidden" for="id_file">会议材料</label>' in page
    pdf = SimpleUploadedFile("议程.pdf", b"%PDF-1.4\n% test\n", content_type="application/pdf")
    r = staff.post(reverse("activities:material_upload", args=[m.pk]), {"file": pdf}, follow=True)
    assert "材料已上传" in r.content.decode()
    att = selectors.materials(m).get()
    url = reverse("core:attachment", args=[att.pk])
    assert client_for("member1").get(url).status_code == 200
    assert client_for("member2").get(url).status_code == 404  # not invited
    assert client_for("other").get(url).status_code == 404
    assert client_for("leader").get(url).status_code == 200
    # A file pretending to be a PDF is refused in Chinese.
    fake = SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    r = staff.post(reverse("activities:material_upload", args=[m.pk]), {"file": fake}, follow=True)
    assert "文件类型不符" in r.content.decode()


def test_demo_plenary_is_closed_with_duty_records(db):
    from zhengxie.performance.models import DutyRecord

    plenary = Meeting.objects.get(
        organisation__code="demo-county", kind="plenary", title__contains="全体会议"
    )
    assert plenary.status == "closed"
    n = plenary.invitations.count()
    assert n >= 30
    records = DutyRecord.objects.filter(
        source_ct__model="invitation",
        voided=False,
        act__startswith="plenary_",
        source_id__in=[str(i) for i in plenary.invitations.values_list("pk", flat=True)],
    )
    assert records.count() == n
    upcoming = Meeting.objects.get(organisation__code="demo-county", kind="committee", status="notified")
    states = dict(upcoming.invitations.values_list("member__user__username", "leave_status"))
    assert states["member2"] == "pending"
