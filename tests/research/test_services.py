"""The services of 视察调研 without the API: one transaction each (a refused report leaves nothing
behind), the audit trail, who is told, the duty acts (a writer once per topic; attending a visit credits
参加视察 through the activities meeting), re-handling after 不满意, and the city reading but not acting."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from zhengxie.activities import services as meetings
from zhengxie.core.errors import Conflict, Forbidden, Invalid, NotFound
from zhengxie.core.models import AuditEntry, Notification
from zhengxie.handling.services import flow
from zhengxie.performance.models import DutyRecord
from zhengxie.research import services
from zhengxie.research.models import Recommendation, ResearchTopic

pytestmark = pytest.mark.django_db


def test_a_refused_report_leaves_nothing(make_topic, user, member):
    t = make_topic("in_progress")
    with pytest.raises(Invalid) as e:
        services.submit_report(
            user("office"),
            t,
            file=SimpleUploadedFile("报告.pdf", b"not a pdf"),
            writer_ids=[member("member1").pk],
            recommendations=["建议一"],
        )
    assert e.value.field == "file"
    t.refresh_from_db()
    assert t.status == "in_progress" and t.report_id is None
    assert not Recommendation.objects.filter(topic=t).exists()
    assert not DutyRecord.objects.filter(act="research_report", source_id=str(t.pk)).exists()


def test_writers_are_credited_once_per_topic(make_topic, user, member):
    t = make_topic("reported")  # member1 wrote it
    records = DutyRecord.objects.filter(act="research_report", source_id=str(t.pk))
    assert list(records.values_list("member_id", flat=True)) == [member("member1").pk]
    assert AuditEntry.objects.filter(action="research.report", target_id=str(t.pk)).exists()
    assert Notification.objects.filter(user=user("leader"), title__contains="报告已提交").exists()
    assert Notification.objects.filter(user=user("member1"), title__contains="您执笔的").exists()
    with pytest.raises(Conflict):
        services.submit_report(user("office"), t, generate=True)


def test_writer_must_take_part(make_topic, user, member):
    t = make_topic("in_progress")
    with pytest.raises(Invalid) as e:
        services.submit_report(user("office"), t, generate=True, writer_ids=[member("member3").pk])
    assert e.value.field == "writer_ids" and "参加本课题" in e.value.message


def test_visit_attendance_credits_the_inspection_act(make_topic, user, member):
    t = make_topic("in_progress", kind="inspection")
    office = user("office")
    start = timezone.now() - datetime.timedelta(hours=3)
    v = services.add_visit(
        office, t, starts_at=start, ends_at=start + datetime.timedelta(hours=2), site="县城"
    )
    assert v.meeting.kind == "inspection" and v.meeting.invitations.count() == 2
    inv = v.meeting.invitations.get(member=member("member1"))
    meetings.invitation_set_attendance(user=office, invitation=inv, present=True)
    meetings.meeting_close(user=office, meeting=v.meeting)
    assert DutyRecord.objects.filter(member=member("member1"), act="inspection").exists()
    assert not DutyRecord.objects.filter(
        member=member("member2"), act="inspection", source_id=str(inv.pk)
    ).exists()
    # A reported topic takes no more visits.
    services.submit_report(office, t, generate=True)
    with pytest.raises(Conflict):
        services.add_visit(office, t, starts_at=start, ends_at=start, site="")


def test_unsatisfied_sends_the_unit_back(make_topic, user):
    t = make_topic("reported")
    r = t.recommendations.order_by("number").first()
    services.route(user("office"), r, unit=user("handler1").handling_unit_id)
    r.refresh_from_db()
    h = user("handler1")
    flow.acknowledge(user=h, case=r.case_id)
    flow.reply(user=h, case=r.case_id, content="正在研究。")
    assert Recommendation.objects.get(pk=r.pk).status == "replied"
    flow.rate(user=user("office"), case=r.case_id, rating="unsatisfied", comment="措施不具体")
    assert Recommendation.objects.get(pk=r.pk).status == "routed"
    # The 提案委 staff does not manage topics: may not rate.
    flow.reply(user=h, case=r.case_id, content="已制定具体方案。")
    with pytest.raises(Forbidden):
        flow.rate(user=user("staff"), case=r.case_id, rating="satisfied")


def test_the_city_reads_but_does_not_act(make_topic, user):
    t = make_topic()
    assert services._load(user("citystaff"), t.pk, lock=False) == t
    with pytest.raises(Forbidden):
        services.set_status(user("citystaff"), t, "in_progress")
    with pytest.raises(NotFound):
        services.set_status(user("other"), t, "in_progress")
    assert ResearchTopic.objects.get(pk=t.pk).status == "planned"


def test_update_adds_members_and_tells_them(make_topic, user, member):
    t = make_topic()
    services.update(
        user("office"), t, member_ids=[member("member1").pk, member("member3").pk], title="新课题名"
    )
    t.refresh_from_db()
    assert t.title == "新课题名" and set(t.members.values_list("pk", flat=True)) == {
        member("member1").pk,
        member("member3").pk,
    }
    assert Notification.objects.filter(user=user("member3"), title__contains="您已加入").exists()
    services.set_status(user("office"), t, "in_progress")
    services.submit_report(user("office"), t, generate=True)
    services.set_status(user("office"), t, "closed")
    with pytest.raises(Conflict):
        services.update(user("office"), t, title="再改")


def test_a_writer_submitting_does_not_confirm_their_own_credit(make_topic, user, member):
    # Found in the issue-12 walkthrough: member1's archive listed member1 as 确认人 of their own report.
    t = make_topic("in_progress")
    services.submit_report(user("member1"), t, generate=True, writer_ids=[member("member1").pk])
    rec = DutyRecord.objects.get(act="research_report", source_id=str(t.pk))
    assert rec.member == member("member1") and rec.confirmed_by is None
    t2 = make_topic("in_progress")
    services.submit_report(user("office"), t2, generate=True, writer_ids=[member("member1").pk])
    assert DutyRecord.objects.get(act="research_report", source_id=str(t2.pk)).confirmed_by == user("office")
