"""跟踪落实: a B-class reply stays open for follow-up until the promised work is done (domain.md, "Proposals").

Through the services, the pages and the API: opening on a B reply, the unit's plan and progress reports, its
report that the work is done, the office's confirmation or sending back, the proposers' view, the daily reminder.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from zhengxie.core import scheduler
from zhengxie.core.errors import Conflict, Forbidden, Invalid
from zhengxie.core.models import AuditEntry, Notification
from zhengxie.handling import jobs as spine_jobs
from zhengxie.proposals import services
from zhengxie.proposals.models import Event, FollowUp, FollowUpReport

from .conftest import fake_pdf_upload, pdf_upload

API = "/api/v1"
J = "application/json"
St = FollowUp.Status


def b_reply(user, p, handler="handler1", result_class="B", content="已列入明年计划，逐步解决。"):
    services.proposal_reply(user=user(handler), proposal=p, result_class=result_class, content=content)


@pytest.fixture
def followup_in(proposal_in, user):
    """followup_in(**proposal_in kwargs) -> (proposal, its open follow-up) after a B reply of the lead unit."""

    def make(**kw):
        p = proposal_in("handling", **kw)
        b_reply(user, p, handler={"住建局": "handler2"}.get(kw.get("lead"), "handler1"))
        p.refresh_from_db()
        return p, FollowUp.objects.get(case_id=p.case_id)

    return make


def notes(username, fragment):
    return Notification.objects.filter(user__username=username, title__contains=fragment)


def actions(p):
    return list(
        Event.objects.filter(case_id=p.case_id, action__startswith="followup").values_list(
            "action", flat=True
        )
    )


def rehandle(user, p, member="member1"):
    services.proposal_evaluate(user=user(member), proposal=p, rating="unsatisfied", comment="落实不够具体。")


# --- services ------------------------------------------------------------------------------------------------


def test_a_b_reply_opens_a_followup_and_other_classes_do_not(user, proposal_in, followup_in):
    p, f = followup_in()
    assert f.status == St.OPEN and f.assignment.unit.short_name == "教育局" and f.reply.result_class == "B"
    assert actions(p) == ["followup_open"]
    assert AuditEntry.objects.filter(action="proposals.followup_open", target_id=str(p.pk)).exists()
    a = proposal_in("handling", author="member2")
    b_reply(user, a, result_class="A")
    assert not FollowUp.objects.filter(case_id=a.case_id).exists()


def test_followup_class_is_a_setting(user, proposal_in):
    org = user("staff").organisation
    org.settings = {**(org.settings or {}), "proposals.followup_classes": ["C"]}
    org.save()
    b, c = proposal_in("handling"), proposal_in("handling", author="member2")
    b_reply(user, b)
    b_reply(user, c, result_class="C")
    assert not FollowUp.objects.filter(case_id=b.case_id).exists()
    assert FollowUp.objects.filter(case_id=c.case_id, status=St.OPEN).exists()


def test_unsatisfied_ends_the_followup_and_the_rehandled_reply_decides_afresh(user, followup_in):
    """domain.md, "Follow-up": 不满意 ends the follow-up of the reply it rates; the re-handled reply opens a
    new one if it is of a follow-up class, none otherwise (the rule is pinned path by path in
    test_followup_unsatisfied.py)."""
    p, f = followup_in()
    rehandle(user, p)
    f.refresh_from_db()
    assert f.status == St.SUPERSEDED and f.end_reason == "答复被评为不满意，退回重新办理"
    b_reply(user, p, content="第二轮：已列入计划。")
    second = FollowUp.objects.get(case_id=p.case_id, status=St.OPEN)
    assert second.pk != f.pk and second.reply.content == "第二轮：已列入计划。"
    rehandle(user, p)
    b_reply(user, p, result_class="A", content="已全部解决。")
    assert not FollowUp.objects.filter(case_id=p.case_id, status__in=FollowUp.ACTIVE).exists()
    assert actions(p) == ["followup_open", "followup_open"]
    # a new B reply after that opens a new one: one active follow-up per assignment
    rehandle(user, p)
    b_reply(user, p, content="第四轮")
    assert FollowUp.objects.filter(case_id=p.case_id, status=St.OPEN).count() == 1
    assert FollowUp.objects.filter(case_id=p.case_id).count() == 3


def test_a_later_reply_of_another_class_ends_an_active_followup(user, followup_in):
    """Without a rating in between (a kind whose 不满意 does not send back, or a reply replaced before any
    rating), a reply of another class still ends the follow-up, saying why."""
    from zhengxie.handling.models import Reply
    from zhengxie.handling.services import followups as spine_followups

    p, f = followup_in()
    r = Reply.objects.get(pk=f.reply_id)
    r.result_class = "A"
    assert spine_followups.follow_reply(case=p.case, reply=r)[0] == "superseded"
    f.refresh_from_db()
    assert f.status == St.SUPERSEDED and f.end_reason == "改为A类答复"


def test_the_whole_flow_through_the_services(user, followup_in):
    p, f = followup_in(cosigners=["member2"])
    h, staff = user("handler1"), user("staff")
    plan = timezone.localdate() + datetime.timedelta(days=60)
    services.followup_set_plan(user=h, followup=f, planned_date=plan)
    services.followup_report(user=h, followup=f, content="已完成选址，正在招标。")
    f.refresh_from_db()
    assert f.planned_date == plan and f.last_report_at is not None and f.status == St.OPEN
    assert notes("member1", "提案落实进展").count() == 1 and notes("member2", "提案落实进展").count() == 1

    services.followup_report(user=h, followup=f, content="工程已竣工并投入使用。", done=True)
    f.refresh_from_db()
    assert f.status == St.REPORTED_DONE and f.done_at is not None
    assert notes("staff", "报告已落实，请确认").exists()
    assert notes("member1", "报告提案建议已落实").exists()
    with pytest.raises(Conflict):
        services.followup_report(user=h, followup=f, content="再报一次")

    with pytest.raises(Invalid) as exc:
        services.followup_confirm(user=staff, followup=f, accept=False, reason="  ")
    assert "理由" in exc.value.message
    services.followup_confirm(user=staff, followup=f, accept=False, reason="请附竣工验收材料。")
    f.refresh_from_db()
    assert f.status == St.OPEN and f.returned_reason == "请附竣工验收材料。" and f.done_at is None
    assert notes("handler1", "落实情况被退回").exists()

    services.followup_report(
        user=h, followup=f, content="补充竣工验收报告。", done=True, attachment=pdf_upload("验收.pdf")
    )
    services.followup_confirm(user=staff, followup=f, accept=True)
    f.refresh_from_db()
    assert f.status == St.DONE and f.confirmed_by == staff and f.confirmed_at is not None
    assert notes("member1", "已确认办结落实").exists() and notes("member2", "已确认办结落实").exists()
    reports = list(f.reports.all())
    assert [r.is_final for r in reports] == [False, True, True] and reports[
        -1
    ].attachment.original_name == "验收.pdf"
    assert actions(p) == [
        "followup_open",
        "followup_plan",
        "followup_report",
        "followup_done",
        "followup_return",
        "followup_done",
        "followup_confirm",
    ]
    assert AuditEntry.objects.filter(action="proposals.followup_confirm", target_id=str(p.pk)).exists()


def test_permissions_and_states_in_the_services(user, followup_in):
    p, f = followup_in(co=["住建局"])
    with pytest.raises(Forbidden):  # the co-unit sees the proposal but did not reply
        services.followup_report(user=user("handler2"), followup=f, content="会办单位报告")
    with pytest.raises(Forbidden):
        services.followup_report(user=user("member1"), followup=f, content="委员报告")
    with pytest.raises(Forbidden):
        services.followup_confirm(user=user("handler1"), followup=f, accept=True)
    from django.http import Http404

    with pytest.raises(Http404):
        services.followup_report(user=user("other"), followup=f, content="另一个县")
    with pytest.raises(Conflict):  # nothing reported done yet
        services.followup_confirm(user=user("staff"), followup=f, accept=True)
    with pytest.raises(Invalid) as exc:
        services.followup_report(user=user("handler1"), followup=f, content="  ")
    assert exc.value.field == "content" and "请填写" in exc.value.message
    with pytest.raises(Invalid) as exc:
        services.followup_set_plan(
            user=user("handler1"), followup=f, planned_date=timezone.localdate() - datetime.timedelta(days=1)
        )
    assert "不能早于今天" in exc.value.message
    with pytest.raises(Invalid):
        services.followup_report(
            user=user("handler1"), followup=f, content="附件", attachment=fake_pdf_upload()
        )
    assert not FollowUpReport.objects.filter(followup=f).exists()  # nothing half-saved


# --- pages ---------------------------------------------------------------------------------------------------


def test_the_unit_the_office_and_the_proposers_on_the_pages(user, followup_in, client_for):
    p, f = followup_in(cosigners=["member2"])
    h, staff = client_for("handler1"), client_for("staff")
    page = reverse("proposals:followup", args=[f.pk])
    mine = h.get(reverse("proposals:followups_mine")).content.decode()
    assert page in mine
    assert "跟踪落实中的B类提案" in h.get("/").content.decode()
    assert "报告落实进展" in h.get(page).content.decode()

    r = h.post(reverse("proposals:followup_act", args=[f.pk, "report"]), {"content": ""})
    assert r.status_code == 422 and "请填写落实进展情况" in r.content.decode()
    day = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    r = h.post(reverse("proposals:followup_act", args=[f.pk, "plan"]), {"planned_date": day})
    assert r.status_code == 302
    r = h.post(
        reverse("proposals:followup_act", args=[f.pk, "report"]),
        {"content": "校舍改造已开工。", "attachment": pdf_upload("进展.pdf")},
    )
    assert r.status_code == 302
    report = FollowUpReport.objects.get(followup=f)
    r = h.post(
        reverse("proposals:followup_act", args=[f.pk, "report"]), {"content": "已全部完工。", "done": "on"}
    )
    assert r.status_code == 302

    # the proposers see the status and every report on the proposal page, and may open the file
    detail = client_for("member2").get(reverse("proposals:detail", args=[p.pk])).content.decode()
    assert 'id="followups"' in detail and "校舍改造已开工" in detail and "已全部完工" in detail
    assert "已报落实待确认" in detail and "办理跟踪落实" not in detail
    att = reverse("core:attachment", args=[report.attachment_id])
    assert client_for("member2").get(att).status_code == 200
    assert client_for("handler2").get(att).status_code == 404

    ledger = staff.get(reverse("proposals:followup_ledger")).content.decode()
    assert page in ledger and "待确认落实的B类提案" in staff.get("/").content.decode()
    assert "确认办结落实" in staff.get(page).content.decode()
    r = staff.post(reverse("proposals:followup_act", args=[f.pk, "confirm"]), {"decision": "return"})
    assert r.status_code == 422 and "退回时请说明理由" in r.content.decode()
    r = staff.post(reverse("proposals:followup_act", args=[f.pk, "confirm"]), {"decision": "accept"})
    assert r.status_code == 302
    f.refresh_from_db()
    assert f.status == St.DONE
    assert page in staff.get(reverse("proposals:followup_ledger"), {"status": "done"}).content.decode()
    assert page not in staff.get(reverse("proposals:followup_ledger"), {"status": "open"}).content.decode()


def test_page_errors_and_scope(user, followup_in, client_for):
    p, f = followup_in()
    page = reverse("proposals:followup", args=[f.pk])
    assert client_for("other").get(page).status_code == 404
    assert client_for("handler2").get(page).status_code == 404  # another unit, not assigned
    assert client_for("member1").get(reverse("proposals:followup_ledger")).status_code == 404
    assert client_for("member1").get(reverse("proposals:followups_mine")).status_code == 404
    r = client_for("member1").post(reverse("proposals:followup_act", args=[f.pk, "report"]), {"content": "x"})
    assert r.status_code == 403 and "只有答复该提案的承办单位" in r.content.decode()
    r = client_for("staff").post(
        reverse("proposals:followup_act", args=[f.pk, "confirm"]), {"decision": "accept"}
    )
    assert r.status_code == 409
    assert page not in client_for("handler2").get(reverse("proposals:followups_mine")).content.decode()
    r = client_for("staff").post(reverse("proposals:followup_act", args=[f.pk, "remind"]))
    assert r.status_code == 302 and notes("handler1", "督促落实").exists()


def test_ledger_filters(user, followup_in, client_for, units):
    p1, f1 = followup_in()
    p2, f2 = followup_in(author="member2", lead="住建局", title="关于加强城区学校周边住房安全的建议")
    FollowUp.objects.filter(pk=f1.pk).update(planned_date=timezone.localdate() - datetime.timedelta(days=1))
    staff = client_for("staff")
    url = reverse("proposals:followup_ledger")
    late = staff.get(url, {"overdue": "1"}).content.decode()
    assert p1.title in late and p2.title not in late
    by_unit = staff.get(url, {"unit": units["住建局"].pk}).content.decode()
    assert p2.title in by_unit and p1.title not in by_unit
    assert p1.title in staff.get(url, {"session": p1.session_id}).content.decode()
    assert "跟踪落实逾期的B类提案" in client_for("handler1").get("/").content.decode()


def _count(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
    assert r.status_code == 200
    return len(ctx)


def test_ledger_and_detail_run_a_constant_number_of_queries(user, followup_in, client_for):
    staff = client_for("staff")
    ledger = reverse("proposals:followup_ledger")
    p, f = followup_in()
    one = _count(staff, ledger)
    detail = reverse("proposals:detail", args=[p.pk])
    services.followup_report(user=user("handler1"), followup=f, content="第一次进展", attachment=pdf_upload())
    detail_one = _count(staff, detail)
    for i in range(4):
        followup_in(author=["member2", "member3"][i % 2], cosigners=["member1"] if i % 2 else ())
    assert _count(staff, ledger) == one
    assert _count(staff, ledger + "?overdue=0&status=open") == one
    for text in ("第二次进展", "第三次进展"):
        services.followup_report(user=user("handler1"), followup=f, content=text, attachment=pdf_upload())
    assert _count(staff, detail) == detail_one


# --- API -----------------------------------------------------------------------------------------------------


def test_api_flow(user, followup_in, api_for):
    p, f = followup_in()
    h, staff, m = api_for("handler1"), api_for("staff"), api_for("member1")
    body = m.get(f"{API}/proposals/{p.pk}/followups").json()
    assert [x["status"] for x in body] == ["open"] and body[0]["unit"]["name"] == "县教育局"
    assert body[0]["result_class"] == "B" and body[0]["allowed_actions"] == []

    day = (timezone.localdate() + datetime.timedelta(days=90)).isoformat()
    r = h.post(f"{API}/followups/{f.pk}/report", {"content": "已开工。", "planned_date": day}, content_type=J)
    assert r.status_code == 200, r.content.decode()
    assert r.json()["planned_date"] == day and r.json()["reports"][0]["content"] == "已开工。"
    assert set(r.json()["allowed_actions"]) == {"report", "plan"}

    r = staff.post(f"{API}/followups/{f.pk}/confirm", {"accept": True}, content_type=J)
    assert r.status_code == 409 and "不能确认" in r.json()["detail"]
    r = h.post(f"{API}/followups/{f.pk}/report", {"content": "已完工。", "done": True}, content_type=J)
    assert r.json()["status"] == "reported_done"
    r = staff.post(f"{API}/followups/{f.pk}/confirm", {"accept": False}, content_type=J)
    assert r.status_code == 422 and "理由" in r.json()["detail"]
    r = staff.post(f"{API}/followups/{f.pk}/confirm", {"accept": True}, content_type=J)
    assert r.status_code == 200 and r.json()["status"] == "done" and r.json()["confirmed_by"] == "李晓梅"

    # the demo county has follow-ups of its own: count them alongside this one
    county = FollowUp.objects.filter(case__organisation=p.organisation).exclude(status=St.SUPERSEDED)
    rows = staff.get(f"{API}/followups", {"status": "done", "session": p.session_id}).json()
    assert rows["count"] == county.filter(status=St.DONE, case__session=p.session).count()
    assert [x["report_count"] for x in rows["items"] if x["id"] == f.pk] == [2]
    rows = staff.get(f"{API}/followups", {"status": "open"}).json()
    assert rows["count"] == county.filter(status__in=FollowUp.ACTIVE).count()
    assert f.pk not in [x["id"] for x in rows["items"]]
    assert (
        h.get(f"{API}/followups").json()["count"] == county.filter(assignment__unit=f.assignment.unit).count()
    )
    assert (
        api_for("handler2").get(f"{API}/followups").json()["count"]
        == county.filter(assignment__unit__short_name="住建局").count()
    )
    assert m.get(f"{API}/followups").json()["count"] == 0


def test_api_errors(user, followup_in, api_for, units):
    p, f = followup_in(co=["住建局"])
    report = f"{API}/followups/{f.pk}/report"
    r = api_for("handler1").post(report, {"content": "   "}, content_type=J)
    assert (
        r.status_code == 422
        and r.json()["detail"] == "请填写落实进展情况。"
        and r.json()["field"] == "content"
    )
    r = api_for("handler1").post(report, {"content": "x", "planned_date": "明年"}, content_type=J)
    assert r.status_code == 422 and "日期" in r.json()["detail"]
    r = api_for("handler2").post(report, {"content": "会办单位"}, content_type=J)
    assert r.status_code == 403 and "承办单位" in r.json()["detail"]
    r = api_for("member1").post(report, {"content": "委员"}, content_type=J)
    assert r.status_code == 403
    assert api_for("other").post(report, {"content": "外县"}, content_type=J).status_code == 404
    assert api_for("other").get(f"{API}/followups/{f.pk}").status_code == 404
    assert api_for("other").get(f"{API}/proposals/{p.pk}/followups").status_code == 404
    # the city's proposal office sees the county's proposal but does not confirm for the county
    services.followup_report(user=user("handler1"), followup=f, content="完成", done=True)
    r = api_for("citystaff").post(f"{API}/followups/{f.pk}/confirm", {"accept": True}, content_type=J)
    assert r.status_code == 403
    r = api_for("staff").get(f"{API}/followups", {"status": "nonsense"})
    assert r.status_code == 422 and "状态" in r.json()["detail"]
    housing = api_for("staff").get(f"{API}/followups", {"unit": units["住建局"].pk}).json()["items"]
    assert f.pk not in [x["id"] for x in housing]  # the co-unit has no follow-up of its own


# --- the daily reminder -----------------------------------------------------------------------------------


def test_silent_or_late_followups_are_reminded_once_per_period(user, followup_in):
    p, f = followup_in()
    reminders = notes("handler1", "请报告提案落实进展")
    today = timezone.localdate()
    assert spine_jobs.check_followups(today)["followup_reminded"] == 0  # the demo's are already reminded, too
    # From here on only this follow-up's reminders are counted: the demo's others are set aside.
    FollowUp.objects.exclude(pk=f.pk).filter(status=St.OPEN).update(status=St.DONE)

    later = today + datetime.timedelta(days=90)  # "proposals.followup_report_days" without a report
    assert spine_jobs.check_followups(later)["followup_reminded"] == 1
    assert reminders.count() == 1 and "90 天未报告" in reminders.get().body
    assert spine_jobs.check_followups(later)["followup_reminded"] == 0
    assert spine_jobs.check_followups(later + datetime.timedelta(days=30))["followup_reminded"] == 0
    assert Event.objects.filter(case_id=p.case_id, action="followup_reminder").count() == 1
    assert (
        spine_jobs.check_followups(later + datetime.timedelta(days=90))["followup_reminded"] == 1
    )  # next period

    # a report clears it; a passed planned date reminds again, once
    services.followup_report(
        user=user("handler1"), followup=f, content="进展", planned_date=today + datetime.timedelta(days=10)
    )
    late = today + datetime.timedelta(days=11)
    assert spine_jobs.check_followups(late)["followup_reminded"] == 1
    assert "已过" in reminders.order_by("-id").first().body
    assert spine_jobs.check_followups(late + datetime.timedelta(days=1))["followup_reminded"] == 0
    # reported done: nothing to remind the unit of
    services.followup_report(user=user("handler1"), followup=f, content="完成", done=True)
    assert spine_jobs.check_followups(late + datetime.timedelta(days=400))["followup_reminded"] == 0


def test_followup_job_is_registered(user, followup_in):
    p, f = followup_in()
    FollowUp.objects.filter(pk=f.pk).update(opened_at=timezone.now() - datetime.timedelta(days=200))
    assert "handling.followups" in scheduler.JOBS
    assert "handling.followups" in scheduler.run_due(now=timezone.now() + datetime.timedelta(days=3650))
    assert Event.objects.filter(case_id=p.case_id, action="followup_reminder").exists()
