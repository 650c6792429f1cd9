"""manage.py loadscale on a small province: what the county, city and province pages show equals a full
recount of the generated rows, and each level sees only its own committee and those below it."""

import io
from statistics import median

import pytest
from django.core.management import call_command
from django.utils import timezone

from zhengxie.core.models import Organisation
from zhengxie.yearbook import services
from zhengxie.yearbook.models import Snapshot

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


@pytest.fixture
def province():
    call_command("loadscale", scale=0.001, cities=2, counties=4, seed=7, stdout=io.StringIO())
    return Organisation.objects.get(code="sc-p")


def _flat(parts):
    return {f"{p['key']}.{f['key']}": f["value"] for p in parts for f in p["figures"]}


def _shown(client, org, year=YEAR):
    r = client.get(f"/api/v1/yearbook?year={year}&organisation={org.pk}")
    assert r.status_code == 200, r.content
    return r.json()


def _independent(committee, year):
    """The figures of the modules loadscale fills, counted straight from their rows."""
    from django.db.models import Sum

    from zhengxie.activities.models import Invitation, Meeting
    from zhengxie.consultation.models import Consultation
    from zhengxie.keytasks.models import KeyTask
    from zhengxie.opinions.models import Adoption, Opinion
    from zhengxie.proposals.documents import ACCEPTED_STATES
    from zhengxie.proposals.models import Proposal
    from zhengxie.proposals.workflow import NOT_SUBMITTED
    from zhengxie.reading.models import Book, Log
    from zhengxie.research.models import ResearchTopic
    from zhengxie.studios.models import DutySlot, ServiceRecord
    from zhengxie.suggestions.models import Suggestion
    from zhengxie.supervision.models import Item, Supervision

    ids = services.own_ids(committee)
    proposals = Proposal.objects.filter(session__organisation=committee, session__year=year)
    opinions = Opinion.objects.filter(organisation=committee, year=year).exclude(status="draft")
    held = Meeting.objects.filter(organisation_id__in=ids, status="closed", starts_at__year=year)
    invitations = Invitation.objects.filter(meeting__in=held)
    return {
        "proposals.submitted": proposals.exclude(status__in=NOT_SUBMITTED).count(),
        "proposals.accepted": proposals.filter(status__in=ACCEPTED_STATES).count(),
        "proposals.closed": proposals.filter(status="closed").count(),
        "proposals.key": proposals.filter(is_key=True).count(),
        "proposals.excellent": proposals.filter(is_excellent=True).count(),
        "opinions.received": opinions.count(),
        "opinions.accepted": opinions.filter(status="accepted").count(),
        "opinions.adopted_county": Adoption.objects.filter(
            organisation=committee, year=year, level="county", revoked_at__isnull=True
        )
        .values("root_id")
        .distinct()
        .count(),
        "activities.held": held.count(),
        "activities.trained": invitations.filter(attendance="present", meeting__kind="training").count(),
        "suggestions.received": Suggestion.objects.filter(
            organisation_id__in=ids, created_at__year=year
        ).count(),
        "studios.duty_days": DutySlot.objects.filter(
            organisation_id__in=ids, day__year=year, status="done"
        ).count(),
        "studios.people": ServiceRecord.objects.filter(
            organisation_id__in=ids, served_on__year=year
        ).aggregate(n=Sum("people_served"))["n"]
        or 0,
        "keytasks.total": KeyTask.objects.filter(organisation=committee, year=year).count(),
        "keytasks.done": KeyTask.objects.filter(organisation=committee, year=year, status="done").count(),
        "reading.books": Book.objects.filter(organisation=committee, year=year).count(),
        "reading.check_ins": Log.objects.filter(organisation_id__in=ids, read_on__year=year).count(),
        "consultation.held": Consultation.objects.filter(
            organisation_id__in=ids, year=year, status__in=("held", "outcome_sent", "closed")
        ).count(),
        "research.research": ResearchTopic.objects.filter(
            organisation=committee, year=year, kind="research"
        ).count(),
        "supervision.groups": Supervision.objects.filter(organisation=committee, year=year).count(),
        "supervision.problems": Item.objects.filter(
            supervision__organisation=committee, supervision__year=year, list="problem"
        ).count(),
    }


def test_pages_show_exactly_a_full_recount_at_every_level(province, api_for, client_for):
    city = Organisation.objects.filter(code="sc-c00").get()
    counties = services.committees_below(city)
    assert len(counties) == 2
    totals: dict[str, int] = {}
    for committee, who in [
        (counties[0], "sc-c00-k00-office"),
        (city, "sc-c00-leader"),
        (province, "sc-p-staff"),
    ]:
        for year in (YEAR, YEAR - 1):
            stored = Snapshot.objects.get(organisation=committee, year=year)
            data = _shown(api_for(who), committee, year)
            shown = _flat(data["parts"])
            # the page serves the snapshot loadscale stored (no recount on the visit) ...
            assert Snapshot.objects.get(pk=stored.pk).computed_at == stored.computed_at
            # ... and it is every number of a recount from the modules' tables now
            assert shown == _flat(services.compute(committee, year))
            independent = _independent(committee, year)
            assert {k: shown.get(k, 0) for k in independent} == independent
            for key in ("proposals.submitted", "opinions.received", "activities.held", "consultation.held"):
                totals[key] = totals.get(key, 0) + shown[key]
        page = client_for(who).get(f"/yearbook/?org={committee.pk}&year={YEAR}").content.decode()
        assert committee.name in page and "工作报告主要数据" in page
    # the comparison above was over real rows: a small committee may have none of a kind in one year
    # (the generator's dates follow today's), but the levels and years together always do
    assert all(v > 0 for v in totals.values()), totals

    # the city's table of its counties and the province's of its cities: each cell is that committee's
    # recount, a count's total their sum, a rate's total their median
    for committee, who in [(city, "sc-c00-staff"), (province, "sc-p-leader")]:
        below = services.committees_below(committee)
        r = api_for(who).get(f"/api/v1/yearbook/levels?year={YEAR}&organisation={committee.pk}")
        assert r.status_code == 200, r.content
        data = r.json()
        keys = [c["key"] for c in data["columns"]]
        recount = {c.pk: _flat(services.compute(c, YEAR)) for c in below}
        assert [row["organisation_id"] for row in data["rows"]] == [c.pk for c in below]
        for row in data["rows"]:
            assert row["values"] == [recount[row["organisation_id"]].get(k) for k in keys]
        for i, col in enumerate(data["columns"]):
            vals = [recount[c.pk].get(col["key"]) for c in below if recount[c.pk].get(col["key"]) is not None]
            want = (round(median(vals), 1) if vals else None) if col["unit"] == "%" else sum(vals)
            assert data["totals"][i] == want, col["key"]
        html = client_for(who).get(f"/yearbook/levels/?org={committee.pk}&year={YEAR}").content.decode()
        assert all(c.name in html for c in below)


def test_each_level_sees_its_own_committees_only(province, api_for, client_for):
    c0, c1 = Organisation.objects.get(code="sc-c00"), Organisation.objects.get(code="sc-c01")
    k00, k01 = services.committees_below(c0)
    k10 = services.committees_below(c1)[0]
    county = api_for("sc-c00-k00-office")
    # a county: itself only — never a sibling county, a cousin, its city or the province
    assert county.get(f"/api/v1/yearbook?organisation={k00.pk}").status_code == 200
    for other in (k01, k10, c0, province):
        assert county.get(f"/api/v1/yearbook?organisation={other.pk}").status_code == 404
        assert client_for("sc-c00-k00-office").get(f"/yearbook/?org={other.pk}").status_code == 404
    assert county.get("/api/v1/yearbook/levels").json()["rows"] == []
    # a city: itself and its own counties, not the other city's nor the province
    city = api_for("sc-c00-staff")
    rows = city.get("/api/v1/yearbook/levels").json()["rows"]
    assert {r["organisation_id"] for r in rows} == {k00.pk, k01.pk}
    for own in (c0, k00, k01):
        assert city.get(f"/api/v1/yearbook?organisation={own.pk}").status_code == 200
    for other in (k10, c1, province):
        assert city.get(f"/api/v1/yearbook?organisation={other.pk}").status_code == 404
    assert city.get(f"/api/v1/yearbook/levels?organisation={c1.pk}").status_code == 404
    # the province: its cities side by side, and any county below read-only
    prov = api_for("sc-p-staff")
    assert {r["organisation_id"] for r in prov.get("/api/v1/yearbook/levels").json()["rows"]} == {
        c0.pk,
        c1.pk,
    }
    assert prov.get(f"/api/v1/yearbook?organisation={k10.pk}").status_code == 200
    # the demo's committees are another tree: 404 both ways
    demo = Organisation.objects.get(code="demo-county")
    assert prov.get(f"/api/v1/yearbook?organisation={demo.pk}").status_code == 404
    assert api_for("office").get(f"/api/v1/yearbook?organisation={k00.pk}").status_code == 404
    # members and handling units read no figures
    assert api_for("sc-c00-k00-m00000").get("/api/v1/yearbook").status_code == 404
    assert api_for("sc-c00-k00-u00").get("/api/v1/yearbook").status_code == 404


def test_loadscale_writes_valid_handling_rows(province):
    """Rows as the services leave them: every accepted proposal numbered gap-free per session, its case on
    the spine, every reply on an assignment of the case, every case's facts synced."""
    from django.db.models import Count, Max

    from zhengxie.handling.models import Assignment, Case, Reply
    from zhengxie.proposals.models import Proposal

    ours = Proposal.objects.filter(organisation__path__startswith=province.path)
    assert ours.count() > 0 and not ours.filter(case__isnull=True).exists()
    for row in (
        ours.filter(number__isnull=False).values("session_id").annotate(n=Count("id"), top=Max("number"))
    ):
        assert row["n"] == row["top"]
    cases = Case.objects.filter(organisation__path__startswith=province.path, kind="proposal")
    assert cases.count() == ours.count()
    assert not Reply.objects.filter(case__in=cases).exclude(assignment__case_id=models_f("case_id")).exists()
    assert Assignment.objects.filter(case__in=cases, owes=True).exists()
    p = ours.filter(status="closed").select_related("case").first()
    assert p.case.status == "closed" and p.case.session_id == p.session_id


def models_f(name):
    from django.db.models import F

    return F(name)


def test_pages_read_stored_figures_in_a_constant_number_of_queries(province, client_for):
    """A county's, a city's and the province's pages run the same statements whatever the rows behind them
    (the snapshots are stored): the year page and the table of the committees below."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    city = Organisation.objects.get(code="sc-c00")
    county = services.committees_below(city)[0]
    counts = {}
    for org, who in [(county, "sc-c00-k00-office"), (city, "sc-c00-staff"), (province, "sc-p-staff")]:
        c = client_for(who)
        for page in ("/yearbook/", "/yearbook/levels/"):
            url = f"{page}?org={org.pk}&year={YEAR}"
            c.get(url)
            with CaptureQueriesContext(connection) as q:
                assert c.get(url).status_code == 200
            counts[(org.kind, page)] = len(q)
    assert counts[("city", "/yearbook/levels/")] == counts[("province", "/yearbook/levels/")] <= 12
    assert max(counts[(k, "/yearbook/")] for k in ("county", "city", "province")) <= 14
