"""立案审查时限: the review queue shows each submitted proposal's deadline (working days) and marks late
ones; the office's workbench counts them."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from zhengxie.core.calendar import Calendar, add_workdays
from zhengxie.proposals.models import Proposal
from zhengxie.proposals.nav import proposal_todos


def _submitted_on(p, day):
    Proposal.objects.filter(pk=p.pk).update(
        submitted_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 30)))
    )


def _late_todo(user):
    return next(t for t in proposal_todos(user) if t["label"] == "审查超期的提案")


def test_latest_late_start_agrees_with_adding_working_days(user):
    org = user("staff").organisation
    org.settings = {
        "calendar.holidays": ["2026-10-01", "2026-10-02", "2026-10-05"],
        "calendar.extra_workdays": ["2026-10-10"],
    }
    cal = Calendar(org)
    for offset in range(60):
        today = datetime.date(2026, 9, 20) + datetime.timedelta(days=offset)
        for days in (0, 1, 5, 15):
            last = cal.latest_late_start(today, days)
            assert cal.add(last, days) < today, (today, days)
            assert cal.add(last + datetime.timedelta(days=1), days) >= today, (today, days)


def _row(page: str, p) -> str:
    """The queue's table row of proposal p (from its selection box to the row's end)."""
    start = page.index(f'id="rq-{p.pk}"')
    return page[page.rindex("<tr", 0, start) : page.index("</tr>", start)]


def test_review_queue_shows_deadline_and_marks_late_ones_red(user, proposal_in, client_for):
    staff = user("staff")
    today = timezone.localdate()
    late = proposal_in("submitted", title="关于加强乡村学校校车安全管理的建议")
    fresh = proposal_in("submitted", author="member2", title="关于改善乡村学校食堂条件的建议")
    late_day = today - datetime.timedelta(days=40)
    _submitted_on(late, late_day)
    _submitted_on(fresh, today)
    before = _late_todo(staff)["count"]

    page = client_for("staff").get(reverse("proposals:review_queue")).content.decode()
    late_deadline = add_workdays(late_day, 15, staff.organisation)
    fresh_deadline = add_workdays(today, 15, staff.organisation)
    assert late_deadline < today < fresh_deadline
    # The queue's table (the 疑似重复 groups above it name both: the two share their body text).
    page = page[page.index('id="review-queue"') :]
    row = _row(page, late)
    assert f"{late_deadline:%Y-%m-%d}" in row and "已超期" in row and "text-danger" in row
    row = _row(page, fresh)
    assert f"{fresh_deadline:%Y-%m-%d}" in row and "已超期" not in row

    only_late = client_for("staff").get(reverse("proposals:review_queue") + "?overdue=1").content.decode()
    only_late = only_late[only_late.index('id="review-queue"') :]
    assert late.title in only_late and fresh.title not in only_late

    # the workbench counts it and links to the late ones
    todo = _late_todo(staff)
    assert todo["url"].endswith("?overdue=1")
    _submitted_on(fresh, late_day)
    assert _late_todo(staff)["count"] == todo["count"] + 1
    assert todo["count"] >= 1 and todo["count"] == before
    assert "审查超期的提案" in client_for("staff").get("/").content.decode()


def test_review_days_is_a_setting(user, proposal_in, client_for):
    staff = user("staff")
    p = proposal_in("submitted")
    day = timezone.localdate() - datetime.timedelta(days=10)
    _submitted_on(p, day)
    org = staff.organisation
    org.settings = {**(org.settings or {}), "proposals.review_days": 30}
    org.save()
    page = client_for("staff").get(reverse("proposals:review_queue") + "?overdue=1").content.decode()
    assert p.title not in page
    org.settings = {**org.settings, "proposals.review_days": 2}
    org.save()
    page = client_for("staff").get(reverse("proposals:review_queue") + "?overdue=1").content.decode()
    assert p.title in page and f"{add_workdays(day, 2, org):%Y-%m-%d}" in page


def _queries(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_queue_and_workbench_run_a_constant_number_of_queries(proposal_in, client_for):
    client = client_for("staff")
    late_day = timezone.localdate() - datetime.timedelta(days=40)
    _submitted_on(proposal_in("submitted"), late_day)
    urls = [reverse("proposals:review_queue"), reverse("proposals:review_queue") + "?overdue=1", "/"]
    counts = [_queries(client, u) for u in urls]
    for author in ("member2", "member3", "member2"):
        _submitted_on(proposal_in("submitted", author=author), late_day)
    assert [_queries(client, u) for u in urls] == counts
