"""Reads for duty performance, scoped to what the user may see. Out of scope -> Http404.

Every function runs a constant number of queries whatever the number of rows.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Avg, Count, Max, Min, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from zhengxie.core.models import Organisation, Role
from zhengxie.core.permissions import acts_in_q
from zhengxie.members.models import Member, MemberGroup, Sector, SpecialCommittee

from . import acts as A
from . import schemes, scoring
from . import workflow as W
from .models import (
    Assessment,
    AssessmentEntry,
    DutyRecord,
    MemberWarning,
    MemberYearScore,
    ScoringScheme,
    SelfReport,
    WarningCase,
)

NOTHING = Q(pk__in=[])
BY_CHOICES = {"sector": "界别", "committee": "专委会", "group": "委员小组", "liaison": "乡镇联络组"}


def this_year() -> int:
    return timezone.localdate().year


def parse_year(value, default=None) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return default or this_year()
    return year if 2000 <= year <= 2100 else (default or this_year())


# --- who sees which member ------------------------------------------------------------------------


def archive_q(user) -> Q:
    """Members whose archive the user may read: themself; staff, leaders and administrators their
    subtree; a liaison group's user the members of their group."""
    if not user.is_authenticated:
        return NOTHING
    q = Q(user_id=user.pk)
    if user.organisation_id is None:
        return q
    if user.has_role(Role.STAFF, Role.LEADER, Role.SYSADMIN):
        q |= Q(organisation__path__startswith=user.organisation.path)
    if user.has_role(Role.LIAISON):
        q |= Q(liaison_group__path__startswith=user.organisation.path)
    return q


def get_member(user, pk) -> Member:
    try:
        return (
            Member.objects.select_related("organisation", "sector", "liaison_group", "party", "user")
            .filter(archive_q(user))
            .get(pk=pk)
        )
    except (Member.DoesNotExist, ValueError, TypeError):
        raise Http404("未找到")


# --- organisations for staff pages ----------------------------------------------------------------


def committees_for(user) -> list[Organisation]:
    """Committees (not liaison groups) the user may look at, in tree order."""
    if not user.is_authenticated or user.organisation_id is None:
        return []
    org = user.organisation
    if org.kind == Organisation.Kind.LIAISON:
        return [org.committee]
    return list(
        Organisation.objects.filter(path__startswith=org.path)
        .exclude(kind=Organisation.Kind.LIAISON)
        .order_by("path")
    )


def pick_organisation(user, org_id=None) -> tuple[Organisation, list[Organisation]]:
    """The committee a staff page shows: the one asked for (if visible), else the user's own when it
    has members, else the first visible committee with members. Http404 when none is visible."""
    options = committees_for(user)
    if not options:
        raise Http404("未找到")
    if org_id:
        for o in options:
            if str(o.pk) == str(org_id):
                return o, options
        raise Http404("未找到")
    if len(options) == 1:
        return options[0], options
    with_members = set(
        Member.objects.filter(organisation__in=options)
        .order_by()
        .values_list("organisation_id", flat=True)
        .distinct()
    )
    for o in options:
        if o.pk in with_members:
            return o, options
    return options[0], options


# --- the archive (一员一档) ------------------------------------------------------------------------


def _attach_sources(records: list[DutyRecord]) -> None:
    """Fetch source objects in one query per source type, so the archive can link to them."""
    by_ct = defaultdict(list)
    for r in records:
        if r.source_ct_id:
            by_ct[r.source_ct_id].append(r)
    for ct_id, rows in by_ct.items():
        model = ContentType.objects.get_for_id(ct_id).model_class()
        if model is None or not hasattr(model, "get_absolute_url"):
            continue
        objs = model._base_manager.in_bulk([r.source_id for r in rows])
        for r in rows:
            r._source_obj = objs.get(int(r.source_id) if r.source_id.isdigit() else r.source_id)


def ranks(member: Member, year: int, total: Decimal) -> dict:
    """Competition ranks (1 + how many scored more) in the member's sector and each committee. A member
    with no points this year is not ranked (rank None: "暂未排名"), rather than 第 1 名 among zeros."""
    unranked = not total or total <= 0
    base = MemberYearScore.objects.filter(year=year, organisation_id=member.organisation_id)
    sector = base.filter(sector_id=member.sector_id).aggregate(
        above=Count("pk", filter=Q(total__gt=total)), size=Count("pk")
    )
    sector_rank, sector_size = sector["above"] + 1, sector["size"]
    committees = list(member.committees.order_by("order", "id"))
    rows = (
        base.filter(member__committees__in=committees)
        .values("member__committees")
        .annotate(above=Count("pk", filter=Q(total__gt=total)), size=Count("pk"))
    )
    by_c = {r["member__committees"]: r for r in rows}
    committee_ranks = [
        {
            "committee": c,
            "rank": by_c.get(c.pk, {}).get("above", 0) + 1,
            "size": by_c.get(c.pk, {}).get("size", 0),
        }
        for c in committees
    ]
    if unranked:
        sector_rank = None
        for c in committee_ranks:
            c["rank"] = None
    return {
        "sector": sector_rank,
        "sector_size": sector_size,
        "committees": committee_ranks,
        "committee": committee_ranks[0]["rank"] if committee_ranks else None,
    }


def archive(member: Member, year: int) -> dict:
    """Everything the archive page, the API and the annual report show for a member and a year."""
    scheme = scoring.resolve(member.organisation_id, year)
    records = list(
        DutyRecord.objects.filter(member=member, year=year, **scoring.LIVE)
        .select_related("confirmed_by")
        .order_by("-occurred_on", "-id")
    )
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for r in records:
        # As the scheme in force values it (the stored figure may still await re-valuing after a change).
        r.points = scoring.record_points(r, scheme)
        r.category = scheme.category_of(r.act)
        r.category_name = scheme.category_label(r.category)
        sums[r.act] += r.points
    score = scheme.compute(dict(sums))
    _attach_sources(records)
    active = member.status == Member.Status.ACTIVE
    member_warnings = warnings(
        member.organisation_id,
        year,
        member_ids=[member.pk] if active else [],
        scheme=scheme,
        totals={member.pk: score.total},
    ).get(member.pk, [])
    steps = list(MemberWarning.objects.filter(member=member, year=year).select_related("by"))
    return {
        "member": member,
        "year": year,
        "scheme": scheme,
        "score": score,
        "records": records,
        "ranks": ranks(member, year, score.total),
        "warnings": member_warnings,
        "steps": steps,
    }


def self_reports_of(member: Member) -> QuerySet:
    return SelfReport.objects.filter(member=member).select_related("reviewer").order_by("-created_at", "-id")


def evidence_for(reports) -> dict[int, list]:
    """Attachments of the given self-reports, by report id (one query)."""
    from zhengxie.core.models import Attachment

    reports = list(reports)
    if not reports:
        return {}
    ct = ContentType.objects.get_for_model(SelfReport)
    out = defaultdict(list)
    for a in Attachment.objects.filter(content_type=ct, object_id__in=[str(r.pk) for r in reports]):
        out[int(a.object_id)].append(a)
    return out


# --- self-report review queue ---------------------------------------------------------------------


def review_queue(user, status: str = SelfReport.Status.PENDING) -> QuerySet:
    if not user.has_perm("performance.review_selfreport"):
        raise Http404("未找到")
    qs = SelfReport.objects.filter(organisation__path__startswith=user.organisation.path).select_related(
        "member", "member__sector", "reviewer", "organisation"
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("created_at", "id") if status == SelfReport.Status.PENDING else qs


def get_self_report(user, pk) -> SelfReport:
    try:
        report = SelfReport.objects.select_related("member", "member__user", "organisation").get(pk=pk)
    except (SelfReport.DoesNotExist, ValueError, TypeError):
        raise Http404("未找到")
    if not user.has_perm("performance.view_selfreport", report):
        raise Http404("未找到")
    return report


def pending_self_report_count(user) -> int:
    if not user.has_role(Role.STAFF) or user.organisation_id is None:
        return 0
    # the work this user can do: their own committee's reports, not the levels below (issue 14, finding 6)
    return SelfReport.objects.filter(acts_in_q(user), status=SelfReport.Status.PENDING).count()


# --- rankings ---------------------------------------------------------------------------------------


def _group_names(organisation, by: str) -> dict:
    if by == "sector":
        return dict(Sector.objects.filter(organisation=organisation).values_list("pk", "name"))
    if by == "committee":
        return dict(SpecialCommittee.objects.filter(organisation=organisation).values_list("pk", "name"))
    if by == "group":
        return dict(MemberGroup.objects.filter(organisation=organisation).values_list("pk", "name"))
    return dict(
        Organisation.objects.filter(
            path__startswith=organisation.path, kind=Organisation.Kind.LIAISON
        ).values_list("pk", "short_name")
    )


GROUP_FIELD = {
    "sector": "sector_id",
    "committee": "member__committees",
    "group": "member__work_groups",  # 委员小组 (issue 15)
    "liaison": "liaison_group_id",
}


def ranking_groups(organisation, year: int, by: str) -> list[dict]:
    """Per group (sector / committee / liaison group): members, average, highest, lowest, passed."""
    field = GROUP_FIELD[by]
    names = _group_names(organisation, by)
    rows = (
        MemberYearScore.objects.filter(organisation=organisation, year=year)
        .values(field)
        .annotate(
            n=Count("pk"),
            avg=Avg("total"),
            hi=Max("total"),
            lo=Min("total"),
            passed_n=Count("pk", filter=Q(passed=True)),
        )
        .order_by()
    )
    out = []
    for r in rows:
        key = r[field]
        out.append(
            {
                "id": key,
                "name": names.get(key, "未分组"),
                "count": r["n"],
                "avg": round(float(r["avg"] or 0), 2),
                "max": float(r["hi"] or 0),
                "min": float(r["lo"] or 0),
                "passed": r["passed_n"],
                "pass_rate": round(100 * r["passed_n"] / r["n"], 1) if r["n"] else 0,
            }
        )
    out.sort(key=lambda g: -g["avg"])
    return out


class RankedList:
    """Scores in rank order, sliced in the database, each row given its competition rank (1 + how many
    scored more). Works with Django's Paginator and Ninja's pagination: one COUNT for the page's first
    rank, whatever the page — no window function over the whole organisation."""

    def __init__(self, qs: QuerySet):
        self.qs = qs

    def all(self):
        return self

    def count(self) -> int:
        return self.qs.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, item):
        if not isinstance(item, slice):
            return self[item : item + 1][0]
        start = item.start or 0
        # Deferred join: pick the page's ids from the (organisation, year, total) index, then fetch 30 rows
        # with their member, sector and group — deep pages do not join the whole organisation.
        ids = list(self.qs.values_list("pk", flat=True)[item])
        if not ids:
            return []
        by_id = self.qs.model.objects.select_related("member", "sector", "liaison_group").in_bulk(ids)
        rows = [by_id[i] for i in ids]
        rank = self.qs.filter(total__gt=rows[0].total).count() + 1
        prev = None
        for i, row in enumerate(rows):
            if prev is not None and row.total != prev:
                rank = start + i + 1
            row.rank = rank
            prev = row.total
        return rows


def ranking_members(organisation, year: int, by: str = "", group=None) -> RankedList:
    """Members ranked by total (competition rank), optionally within one group."""
    qs = MemberYearScore.objects.filter(organisation=organisation, year=year)
    if group not in (None, ""):
        if by in ("committee", "group"):
            qs = qs.filter(**{GROUP_FIELD[by]: group})
        elif by in GROUP_FIELD:
            qs = qs.filter(**{GROUP_FIELD[by]: group})
    return RankedList(qs.order_by("-total", "member_id"))


def distribution(organisation, year: int, width: int = 10) -> dict:
    """Histogram of totals in `width`-point bins, and how many members have each grade (one query)."""
    rows = list(
        MemberYearScore.objects.filter(organisation=organisation, year=year).values_list("total", "grade")
    )
    totals = [t for t, _ in rows]
    grades: dict[str, int] = defaultdict(int)
    for _, g in rows:
        grades[g] += 1
    top = max([100] + [int(t) for t in totals])
    bins = list(range(0, top + width, width))
    counts = [0] * len(bins)
    for t in totals:
        counts[min(int(t) // width, len(bins) - 1)] += 1
    labels = [f"{b}-{b + width - 1}" for b in bins]
    while len(counts) > 1 and counts[-1] == 0 and bins[-1] >= 100:
        counts.pop()
        labels.pop()
        bins.pop()
    return {
        "labels": labels,
        "counts": counts,
        "n": len(totals),
        "grades": sorted(grades.items(), key=lambda r: -r[1]),
    }


# --- warnings ----------------------------------------------------------------------------------------


def warnings(
    organisation_id: int, year: int, member_ids=None, scheme=None, totals=None, active_only: bool = True
) -> dict[int, list[dict]]:
    """member_id -> the warning rules they trigger this year (3 queries whatever the number of members,
    one more when a multi-year rule is on; 1 (2) when the caller gives the members, already known active,
    and their totals). `active_only=False`: every member of the organisation (the re-nomination list).

    Multi-year rules (`below_years`, `none_years`) look at this year and the `years - 1` before it; a
    year before counts only when the member has a yearly score for it (was serving then)."""
    scheme = scheme or scoring.resolve(organisation_id, year)
    rules = [w for w in scheme.warning_rules if w.get("enabled", True)]
    if not rules:
        return {}
    if member_ids is not None and totals is not None:
        ids = list(member_ids)
    else:
        members = Member.objects.filter(organisation_id=organisation_id)
        if active_only:
            members = members.filter(status=Member.Status.ACTIVE)
        if member_ids is not None:
            members = members.filter(pk__in=member_ids)
        ids = list(members.values_list("pk", flat=True))
    span = max([int(w.get("years") or 2) for w in rules if w.get("kind") in schemes.MULTI_YEAR_KINDS] or [1])
    years = list(range(year - span + 1, year + 1))
    relevant = {a for w in rules for a in w.get("acts", [])}
    if any(w.get("kind") == "three_ones" for w in rules):
        relevant |= set(THREE_ONES_ACTS)
    records = DutyRecord.objects.filter(
        organisation_id=organisation_id, year__in=years, **scoring.LIVE, act__in=relevant
    )
    scores = MemberYearScore.objects.filter(organisation_id=organisation_id, year=year)
    earlier = MemberYearScore.objects.filter(organisation_id=organisation_id, year__in=years[:-1])
    if member_ids is not None:
        records = records.filter(member_id__in=ids)
        scores = scores.filter(member_id__in=ids)
        earlier = earlier.filter(member_id__in=ids)
    counts: dict[tuple[int, int], dict[str, int]] = defaultdict(dict)
    for mid, y, act, n in records.values_list("member_id", "year", "act").annotate(n=Count("pk")).order_by():
        counts[(mid, y)][act] = n
    if totals is None:
        totals = dict(scores.values_list("member_id", "total"))
    before: dict[tuple[int, int], Decimal] = {}
    if span > 1:
        before = {(mid, y): t for mid, y, t in earlier.values_list("member_id", "year", "total")}
    base = scheme.compute({}).total
    out: dict[int, list[dict]] = {}
    for mid in ids:
        c = counts.get((mid, year), {})
        hits = []
        for w in rules:
            kind = w.get("kind")
            if kind == "act_count":
                hit = sum(c.get(a, 0) for a in w.get("acts", [])) >= int(w.get("min") or 1)
            elif kind == "none_of":
                hit = not any(c.get(a, 0) for a in w.get("acts", []))
            elif kind == "below_pass":
                hit = totals.get(mid, base) < scheme.pass_mark
            elif kind == "three_ones":
                hit = not three_ones_met(c)
            elif kind in schemes.MULTI_YEAR_KINDS:
                back = range(year - int(w.get("years") or 2) + 1, year)
                served = all((mid, y) in before for y in back)
                if kind == "below_years":
                    line = Decimal(str(w.get("min") or 40))
                    hit = (
                        served and totals.get(mid, base) < line and all(before[(mid, y)] < line for y in back)
                    )
                else:
                    acts = w.get("acts", [])
                    hit = served and not any(
                        counts.get((mid, y), {}).get(a, 0) for y in [*back, year] for a in acts
                    )
            else:
                hit = False
            if hit:
                hits.append(w)
        if hits:
            out[mid] = hits
    return out


THREE_ONES_ACTS = (A.PLENARY_ATTEND, A.PROPOSAL_SUBMIT, A.OPINION_SUBMIT, A.INSPECTION, A.RESEARCH)


def three_ones_met(counts: dict[str, int]) -> bool:
    """三个一: one plenary attended, one proposal or 社情民意 item, one inspection or research (act counts)."""
    return bool(
        counts.get(A.PLENARY_ATTEND)
        and (counts.get(A.PROPOSAL_SUBMIT) or counts.get(A.OPINION_SUBMIT))
        and (counts.get(A.INSPECTION) or counts.get(A.RESEARCH))
    )


def warning_list(organisation, year: int, rule: str = "", state: str = "", member_ids=None) -> list[dict]:
    """Members with warnings or a warning case this year, lowest score first:
    [{"member_id", "warnings", "total", "state"}] (5 queries). A member whose warnings have no case yet is
    预警 (`warned`); a case keeps its members on the list after they left (劝辞 / 视为辞去).
    `member_ids`: only these members (a convener's). Call `hydrate_warnings` on the page shown to add the
    members, cases and steps."""
    found = warnings(organisation.pk, year, member_ids=member_ids)
    states = {}
    cases = WarningCase.objects.filter(organisation=organisation, year=year)
    if member_ids is not None:
        cases = cases.filter(member_id__in=list(member_ids))
    for mid, st, case_rules in cases.values_list("member_id", "state", "rules"):
        states[mid] = st
        if mid not in found:
            found[mid] = case_rules
        else:
            codes = {w["code"] for w in found[mid]}
            found[mid] = found[mid] + [r for r in case_rules if r["code"] not in codes]
    if rule:
        found = {m: [w for w in ws if w["code"] == rule] for m, ws in found.items()}
        found = {m: ws for m, ws in found.items() if ws}
    scores = MemberYearScore.objects.filter(organisation=organisation, year=year)
    if member_ids is not None:
        scores = scores.filter(member_id__in=list(member_ids))
    totals = dict(scores.values_list("member_id", "total"))
    rows = [
        {"member_id": mid, "warnings": ws, "total": totals.get(mid), "state": states.get(mid, W.WARNED)}
        for mid, ws in found.items()
    ]
    if state == "open":
        rows = [r for r in rows if r["state"] in W.OPEN]
    elif state:
        rows = [r for r in rows if r["state"] == state]
    rows.sort(key=lambda r: (r["total"] if r["total"] is not None else Decimal(0), r["member_id"]))
    return rows


def hydrate_warnings(rows, organisation, year: int) -> list[dict]:
    """Add `member`, `case` and `steps` to the rows of one page (3 queries)."""
    ids = [r["member_id"] for r in rows]
    members = Member.objects.filter(pk__in=ids).select_related("sector", "liaison_group").in_bulk()
    cases = {
        c.member_id: c
        for c in WarningCase.objects.filter(organisation=organisation, year=year, member_id__in=ids)
    }
    steps = defaultdict(list)
    for s in (
        MemberWarning.objects.filter(organisation=organisation, year=year, member_id__in=ids)
        .select_related("by")
        .order_by("created_at", "id")
    ):
        steps[s.member_id].append(s)
    out = []
    for r in rows:
        if r["member_id"] in members:
            out.append(
                r
                | {
                    "member": members[r["member_id"]],
                    "case": cases.get(r["member_id"]),
                    "state_label": W.state_label(r["state"]),
                    "steps": steps.get(r["member_id"], []),
                }
            )
    return out


def warning_case(member: Member, year: int) -> dict:
    """A member's warning case of a year for its page and the API: the case (None before the first step),
    the rules triggered now and recorded, the state, the history and the transitions the state offers."""
    case = (
        WarningCase.objects.filter(member=member, year=year)
        .select_related("talk_convener", "decided_by")
        .first()
    )
    now = (
        warnings(member.organisation_id, year, member_ids=[member.pk]).get(member.pk, [])
        if member.status == Member.Status.ACTIVE
        else []
    )
    rules = list(case.rules) if case else []
    known = {r["code"] for r in rules}
    rules += [
        {"code": w["code"], "label": w["label"], "step": w.get("step", "")}
        for w in now
        if w["code"] not in known
    ]
    state = case.state if case else W.WARNED
    steps = list(
        MemberWarning.objects.filter(member=member, year=year)
        .select_related("by")
        .order_by("created_at", "id")
    )
    return {
        "member": member,
        "year": year,
        "case": case,
        "state": state,
        "state_label": W.state_label(state),
        "rules": rules,
        "exit_rules": [r for r in rules if r.get("step") == W.EXIT_STEP],
        "triggered": bool(now) or case is not None,
        "steps": steps,
        "actions": W.allowed(state) if (case is not None or now) else [],
    }


def get_case_member(user, pk) -> Member:
    """The member of a warning case (page and API): 404 unless the user reads the subtree's warnings or looks
    after the member as 界别召集人 / 组长 (performance.view_warning_case), and never the user themself."""
    try:
        member = Member.objects.select_related("organisation", "sector", "liaison_group", "user").get(pk=pk)
    except (Member.DoesNotExist, ValueError, TypeError):
        raise Http404("未找到")
    if member.user_id == user.pk or not user.has_perm("performance.view_warning_case", member):
        raise Http404("未找到")
    return member


def office_warning_organisation(user):
    """The committee whose warnings this user acts on from the workbench: their own, when they are its office
    staff (办公室, or staff of no named office) allowed to handle warnings there; else None."""
    from zhengxie.core.models import Office

    if not user.has_role(Role.STAFF) or user.organisation_id is None:
        return None
    if user.office and not user.works_in(Office.GENERAL):
        return None
    organisation = user.organisation
    if organisation.kind == Organisation.Kind.LIAISON:
        return None
    return organisation if user.has_perm("performance.manage_warnings", organisation) else None


def open_warning_count(user) -> int:
    """The office's to-do: members of its committee whose warning this year waits for a 谈话提醒 or a decision
    (the rows of the warnings page with 待处理; the same selector, 5 queries)."""
    organisation = office_warning_organisation(user)
    if organisation is None:
        return 0
    return len(warning_list(organisation, this_year(), state="open"))


def convened_warnings(user, year: int, state: str = "") -> list[dict]:
    """A 界别召集人's / 组长's list: the members they look after with a warning this year (warning_list over
    those members: 6 queries; none when they look after nobody)."""
    from zhengxie.members.selectors import member_of
    from zhengxie.members.selectors_groups import convened_member_ids

    convener = member_of(user)
    ids = convened_member_ids(convener)
    if not ids:
        return []
    return warning_list(convener.organisation, year, state=state, member_ids=ids)


def convened_talk_count(user) -> int:
    """The convener's to-do: members they look after whose warning waits for the 谈话提醒 (state 预警)."""
    if not user.has_role(Role.MEMBER):
        return 0
    return len(convened_warnings(user, this_year(), state=W.WARNED))


def member_warning_count(user) -> int:
    member = getattr(user, "member", None) if user.has_role(Role.MEMBER) else None
    if member is None:
        return 0
    return len(warnings(member.organisation_id, this_year(), member_ids=[member.pk]).get(member.pk, []))


# --- assessment and scheme ----------------------------------------------------------------------------


def assessments(user) -> QuerySet:
    if not user.has_perm("performance.view_assessment"):
        raise Http404("未找到")
    return (
        Assessment.objects.filter(organisation__path__startswith=user.organisation.path)
        .select_related("organisation", "created_by", "confirmed_by")
        .annotate(n=Count("entries"))
        .order_by("-year", "organisation__path")
    )


def get_assessment(user, pk) -> Assessment:
    try:
        a = Assessment.objects.select_related("organisation", "created_by", "confirmed_by").get(pk=pk)
    except (Assessment.DoesNotExist, ValueError, TypeError):
        raise Http404("未找到")
    if not user.has_perm("performance.view_assessment", a):
        raise Http404("未找到")
    return a


def assessment_entries(assessment, grade: str = "", q: str = "") -> QuerySet:
    qs = (
        AssessmentEntry.objects.filter(assessment=assessment)
        .select_related("member", "member__sector", "adjusted_by")
        .order_by("-score", "member_id")
    )
    if grade:
        qs = qs.filter(final_grade=grade)
    if q:
        qs = qs.filter(member__name__icontains=q)
    return qs


def get_assessment_entry(user, pk) -> AssessmentEntry:
    try:
        e = AssessmentEntry.objects.select_related("assessment", "assessment__organisation", "member").get(
            pk=pk
        )
    except (AssessmentEntry.DoesNotExist, ValueError, TypeError):
        raise Http404("未找到")
    if not user.has_perm("performance.view_assessment", e.assessment):
        raise Http404("未找到")
    return e


def scheme_for_page(organisation, year: int) -> ScoringScheme | None:
    return scoring.saved_scheme(organisation.pk, year)
