"""The demo city's counties side by side (issue #13): besides 青川县, 石门区 has a modest year of work this year
and last, and 临江县 is behind on its handling, so the city's table has three real rows and an outlier. The
figures are counted when the demo loads (stored snapshots) and equal a recount."""

import re

import pytest
from django.utils import timezone

from zhengxie.activities.models import Meeting
from zhengxie.core.models import Organisation
from zhengxie.handling.models import Assignment, Evaluation, Reply
from zhengxie.opinions import services as opinions
from zhengxie.opinions.models import OpinionIssue
from zhengxie.performance.models import DutyRecord
from zhengxie.proposals.models import Proposal
from zhengxie.yearbook import services
from zhengxie.yearbook.models import Snapshot

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year
COUNTIES = ["青川县政协", "石门区政协", "临江县政协"]


def _levels(api_for, year, figure="proposals.reply_rate"):
    r = api_for("citystaff").get(f"/api/v1/yearbook/levels?year={year}&figure={figure}")
    assert r.status_code == 200, r.content
    data = r.json()
    keys = [c["key"] for c in data["columns"]]
    rows = {row["organisation"]: dict(zip(keys, row["values"], strict=True)) for row in data["rows"]}
    return data, rows


@pytest.mark.parametrize("year", [YEAR, YEAR - 1])
def test_every_county_has_a_year_of_work_and_they_differ(api_for, year):
    data, rows = _levels(api_for, year)
    assert list(rows) == COUNTIES
    for name in COUNTIES:
        f = rows[name]
        assert f["proposals.submitted"] > 0 and f["proposals.accepted"] > 0 and f["proposals.on_time"] > 0, (
            name
        )
    for name in COUNTIES[1:]:  # (青川县's own demo has no 社情民意 last year)
        f = rows[name]
        assert f["opinions.received"] > 0 and f["opinions.accepted"] > 0, name
        assert f["activities.held"] >= 10 and f["activities.attendance_rate"] > 70, name
        assert f["activities.trained"] > 0 and f["activities.trained_new_share"] > 0, name
    figures = {
        tuple(rows[n][k] for k in ("proposals.submitted", "proposals.accepted", "proposals.reply_rate"))
        for n in COUNTIES
    }
    assert len(figures) == 3


def test_linjiang_is_flagged_on_its_low_reply_rate(api_for, client_for):
    data, rows = _levels(api_for, YEAR)
    rates = {n: rows[n]["proposals.reply_rate"] for n in COUNTIES}
    assert rates["临江县政协"] < 25 < min(rates["青川县政协"], rates["石门区政协"])
    assert data["ranking"][-1] == "临江县政协"
    assert [r["organisation"] for r in data["rows"] if r["outlier"]] == ["临江县政协"]
    html = (
        client_for("citystaff")
        .get(f"/yearbook/levels/?year={YEAR}&figure=proposals.reply_rate")
        .content.decode()
    )
    body = html.split('id="levels-table"')[1].split("<tbody>")[1].split("</tbody>")[0]
    flagged = re.findall(r'<tr class="table-danger">\s*<td><a [^>]*>([^<]+)</a>', body)
    assert flagged == ["临江县政协"]


def test_the_demo_stores_every_committees_figures_and_they_equal_a_recount():
    codes = ["demo-city", "demo-county", "demo-county-2", "demo-county-3"]
    stored = Snapshot.objects.filter(organisation__code__in=codes, year__in=(YEAR - 1, YEAR))
    assert stored.count() == 8
    for code in codes[2:]:
        org = Organisation.objects.get(code=code)
        for year in (YEAR - 1, YEAR):
            snap = stored.get(organisation=org, year=year)
            assert services.figure_map(snap.parts) == services.figure_map(services.compute(org, year))


def test_shimen_proposals_run_through_their_states_with_its_own_units():
    org = Organisation.objects.get(code="demo-county-2")
    mine = Proposal.objects.filter(organisation=org)
    states = set(mine.values_list("status", flat=True))
    assert {"submitted", "assigned", "handling", "replied", "closed", "rejected"} <= states
    assert set(mine.values_list("session__year", flat=True)) == {YEAR - 1, YEAR}
    numbers = sorted(mine.filter(session__year=YEAR).exclude(number=None).values_list("number", flat=True))
    assert numbers == list(range(1, len(numbers) + 1))  # gap-free
    cases = mine.values("case_id")
    units = set(Assignment.objects.filter(case_id__in=cases).values_list("unit__organisation", flat=True))
    assert units == {org.pk}
    assert set(Reply.objects.filter(case_id__in=cases).values_list("on_time", flat=True)) == {True, False}
    assert Evaluation.objects.filter(case_id__in=cases).exists()


def test_shimen_year_page_shows_its_figures(client_for):
    html = client_for("demo-county-2-leader").get(f"/yearbook/?year={YEAR}").content.decode()
    assert "石门区政协" in html
    m = re.search(r"共提交提案(\d+)件，立案(\d+)件", html)
    assert m and int(m.group(1)) > 0 and int(m.group(2)) > 0


def test_the_next_issue_follows_the_demos_issues(user):
    """The demo's 社情民意 issues of 石门区 are numbered like the service's: the next one composed follows."""
    org = Organisation.objects.get(code="demo-county-2")
    last = OpinionIssue.objects.filter(organisation=org, year=YEAR).order_by("-number").first()
    assert last is not None
    o = opinions.opinion_create(
        user=user("other"), title="关于完善社区养老服务的建议", content="社区养老设施不足。"
    )
    opinions.opinion_submit(user=user("other"), opinion=o)
    info = user("demo-county-2-info")
    opinions.opinion_review(
        user=info, opinion=o, decision="accept", edited_title="关于完善社区养老服务的建议"
    )
    issue = opinions.issue_create(user=info, kind="special", opinion_ids=[o.pk])
    assert (issue.year, issue.number) == (YEAR, last.number + 1)


@pytest.mark.parametrize("code", ["demo-county-2", "demo-county-3"])
def test_the_counties_members_are_credited_for_their_work(code):
    """Duty records as the services write them: attendance of a closed meeting, proposals submitted."""
    plenary = Meeting.objects.get(organisation__code=code, kind="plenary", starts_at__year=YEAR - 1)
    attended = [
        str(pk) for pk in plenary.invitations.filter(attendance="present").values_list("pk", flat=True)
    ]
    records = DutyRecord.objects.filter(source_ct__model="invitation", source_id__in=attended, voided=False)
    assert records.count() == len(attended) > 0
    assert set(records.values_list("act", flat=True)) == {"plenary_attend"}
    submitted = DutyRecord.objects.filter(organisation__code=code, act="proposal_submit", voided=False)
    assert submitted.values("source_id").distinct().count() == (
        Proposal.objects.filter(organisation__code=code)
        .exclude(submitted_at=None)
        .exclude(kind="collective")
        .count()
    )
