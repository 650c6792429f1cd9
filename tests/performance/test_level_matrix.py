"""Issue 14, finding 6: reading a subtree is not acting in it. Every write service of performance, members
and activities is tried by every demo role on records of the county (a lower level for the city's users)
and of the city; the set of users who get past the permission check is pinned per action.

Decided per action (default: the level above may NOT act):
- performance: confirming self-reports, warnings, assessments - the member's own committee's staff only;
  the scoring scheme (and its recomputation) is platform administration: the system administrator of the
  subtree (the demo's only system administrator works at the city).
- members (members, terms, accounts, password resets): platform administration by the system
  administrator of the subtree (a county is set up and run by the city's administrator) - the level above
  may act; the security administrator of the county resets its accounts.
- activities: the meeting's own organisation's staff only.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from zhengxie.core.errors import Forbidden, NotFound
from zhengxie.core.models import Organisation

USERS = ["staff", "office", "info", "leader", "admin", "citystaff", "other", "secadmin"]
COUNTY_STAFF = {"staff", "office", "info"}
YEAR = timezone.localdate().year
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class _Rollback(Exception):
    pass


def _outcome(call) -> str:
    """ "allowed" when the service got past its permission check (it may still refuse the data), else
    "refused"; every attempt is rolled back."""
    try:
        with transaction.atomic():
            try:
                call()
            except (Forbidden, NotFound, PermissionDenied, Http404):
                return "refused"
            except Exception as exc:  # noqa: BLE001 - a data error comes after the permission check
                from zhengxie.core.errors import ServiceError

                if not isinstance(exc, ServiceError):
                    raise
            raise _Rollback
    except _Rollback:
        return "allowed"


@pytest.fixture
def records(user):
    from zhengxie.activities import services as activities
    from zhengxie.performance import acts
    from zhengxie.performance.services import self_report_submit

    county = user("staff").organisation
    city = user("citystaff").organisation
    report = self_report_submit(
        user=user("member1"),
        act=acts.SELF_REPORT,
        occurred_on=timezone.localdate() - datetime.timedelta(days=3),
        description="参加培训",
        evidence=SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf"),
    )
    start = timezone.now() + datetime.timedelta(days=2)

    def meeting(by):
        return activities.meeting_create(
            user=user(by),
            kind="chair",
            title="测试会议",
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=2),
            place="会议室",
        )

    return {
        "county": county,
        "city": city,
        "report": report,
        "member": user("member1").member,
        "county_meeting": meeting("office"),
        "city_meeting": meeting("citystaff"),
    }


def _talk_args():
    return {
        "talk_by": "staff",
        "talk_by_name": "王干事",
        "talk_on": timezone.localdate(),
        "talk_summary": "督促按时参加会议",
        "member_response": "表示今后按时参会",
    }


def _actions(records, user):
    from zhengxie.activities import services as activities
    from zhengxie.members import services as members
    from zhengxie.performance import services as performance
    from zhengxie.performance import services_warnings as warnings

    r = records
    return {
        # performance: the own committee's staff only
        "performance.self_report_confirm@county": (
            lambda u: performance.self_report_confirm(user=u, report=r["report"]),
            COUNTY_STAFF,
        ),
        "performance.self_report_reject@county": (
            lambda u: performance.self_report_reject(user=u, report=r["report"], reason="证明材料不清楚"),
            COUNTY_STAFF,
        ),
        "performance.warning_talk@county": (
            lambda u: warnings.warning_talk(user=u, member=r["member"], year=YEAR, **_talk_args()),
            COUNTY_STAFF,
        ),
        "performance.warning_decide@county": (
            lambda u: warnings.warning_decide(
                user=u, member=r["member"], year=YEAR, decision="withdraw", grounds="数据有误"
            ),
            COUNTY_STAFF,
        ),
        "performance.assessment_create@county": (
            lambda u: performance.assessment_create(user=u, organisation=r["county"], year=YEAR),
            COUNTY_STAFF,
        ),
        "performance.assessment_create@city": (
            lambda u: performance.assessment_create(user=u, organisation=r["city"], year=YEAR),
            {"citystaff"},
        ),
        "performance.recompute_request@county": (
            lambda u: performance.recompute_request(user=u, organisation=r["county"], year=YEAR),
            {"admin"},
        ),
        # members: platform administration (the system administrator of the subtree)
        "members.member_update@county": (
            lambda u: members.member_update(user=u, member=r["member"], data={"employer": "县教育局"}),
            {"admin"},
        ),
        "members.term_create@county": (
            lambda u: members.term_create(
                user=u,
                organisation=r["county"],
                number=99,
                name="第九十九届",
                start_date=datetime.date(2030, 1, 1),
            ),
            {"admin"},
        ),
        "members.user_reset_password@county": (
            lambda u: members.user_reset_password(user=u, target=user("member2")),
            {"admin", "secadmin"},
        ),
        # activities: the meeting's own organisation's staff
        "activities.meeting_update@county": (
            lambda u: activities.meeting_update(user=u, meeting=r["county_meeting"], place="二楼会议室"),
            COUNTY_STAFF,
        ),
        "activities.meeting_cancel@county": (
            lambda u: activities.meeting_cancel(user=u, meeting=r["county_meeting"], reason="改期"),
            COUNTY_STAFF,
        ),
        "activities.meeting_update@city": (
            lambda u: activities.meeting_update(user=u, meeting=r["city_meeting"], place="二楼会议室"),
            {"citystaff"},
        ),
    }


def test_role_action_level_matrix(records, user):
    assert records["city"].kind == Organisation.Kind.CITY and records["county"].is_descendant_of(
        records["city"]
    )
    got, want = {}, {}
    for name, (call, allowed) in _actions(records, user).items():
        for who in USERS:
            u = user(who)
            got[(name, who)] = _outcome(lambda call=call, u=u: call(u))
            want[(name, who)] = "allowed" if who in allowed else "refused"
    wrong = {k: v for k, v in got.items() if v != want[k]}
    assert not wrong, wrong


def test_citystaff_reads_the_county_but_does_not_act(records, user, client_for):
    from zhengxie.performance import services as performance

    citystaff = user("citystaff")
    assert citystaff.has_perm("performance.view_archive", records["member"])
    assert not citystaff.has_perm("performance.review_selfreport", records["report"])
    with pytest.raises(Forbidden):
        performance.self_report_confirm(user=citystaff, report=records["report"])


def test_the_review_queue_offers_only_the_users_own_work(records, user, client_for):
    """The city's staff read the county's self-reports in 履职自报审核 but get neither 确认计分/退回 nor a
    to-do for them (they answered 无权 on every click, and the to-do counted the whole subtree)."""
    from django.urls import reverse

    from zhengxie.core.navigation import todos_for
    from zhengxie.performance.selectors import pending_self_report_count

    report = records["report"]
    confirm = reverse("performance:review_confirm", args=[report.pk])
    city_page = client_for("citystaff").get(reverse("performance:reviews")).content.decode()
    assert (
        report.description in city_page and confirm not in city_page and "btn-batch-confirm" not in city_page
    )
    assert f"待{records['county'].name}审核" in city_page
    assert pending_self_report_count(user("citystaff")) == 0
    assert not any(t["label"] == "待确认的履职自报" and t["count"] for t in todos_for(user("citystaff")))
    county_page = client_for("staff").get(reverse("performance:reviews")).content.decode()
    assert confirm in county_page and "btn-batch-confirm" in county_page
    assert pending_self_report_count(user("staff")) >= 1
