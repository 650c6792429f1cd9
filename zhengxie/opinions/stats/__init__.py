"""Yearly figures of 社情民意信息 per organisation (a committee: 县, 市 or 省政协), with aggregate queries only.

- 收到 received: the organisation's items submitted in the year (by `Opinion.year`; everything but drafts,
  including items forwarded from below, returned, filed and merged ones);
- 录用 accepted, 留存 filed, 合并 merged: those items by their status now;
- 编发 issues: the organisation's published issues of 《社情民意》 of the year;
- 采用 adopted[level]: distinct items of the organisation whose forwarding chain (`Opinion.root`) has a
  live (not revoked) adoption at that level dated in the year - wherever on the chain it was recorded, so
  a city adoption recorded on the city's copy counts for the county's item too;
- 批示 instructions: instructions dated in the year on the chains of the organisation's items.

`year_figures` is the API's answer (`GET /opinions/stats`), four aggregate queries; `year_report` adds the
breakdowns of the statistics page and its .xlsx (by month, category, author, 界别; the year-end name list
and the work-report sentence) in a fixed number of queries whatever the amount of data.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.utils import timezone

from zhengxie.core import datacache, orgsettings
from zhengxie.core.errors import Invalid, NotFound
from zhengxie.core.models import Organisation, Role
from zhengxie.core.permissions import in_scope
from zhengxie.members.models import Member

from ..models import LEVELS, Adoption, Instruction, Opinion, OpinionAuthor, OpinionIssue
from ..rules import is_info_office

S = Opinion.Status
LEVEL_CODES = [code for code, _ in LEVELS]
# What a leader reads first: the highest level first.
LEVELS_DOWN = list(reversed(LEVEL_CODES))
LEVEL_SHORT = {"national": "全国", "province": "省级", "city": "市级", "county": "县级"}
UNCATEGORISED = "未分类"
NO_SECTOR = "单位报送"
ROOTS_PER_QUERY = 5000  # well under SQLite's 32,766 parameters; a county adopts ~3,000 chains a year  # items reported by a body (民盟县委会 …) without a member author


def may_view(user) -> bool:
    """The statistics page, its export and the API's figures: 信息科 staff, leaders and administrators."""
    if not getattr(user, "is_authenticated", False):
        return False
    return is_info_office(user) or user.has_role(Role.LEADER, Role.SYSADMIN)


def organisation_for(user, organisation=None) -> Organisation:
    """The committee whose figures the user asks for: their own by default; a committee below theirs (a
    city user's county) when given. Anything else - no right, out of scope, unknown - is 404."""
    if not may_view(user) or user.organisation_id is None:
        raise NotFound("未找到该统计。")
    if organisation in (None, ""):
        return user.organisation.committee
    if isinstance(organisation, Organisation):
        org = organisation
    else:
        try:
            org = Organisation.objects.get(pk=int(organisation))
        except (Organisation.DoesNotExist, ValueError, TypeError):
            raise NotFound("未找到该政协组织。")
    if not in_scope(user, org) or org.kind == Organisation.Kind.LIAISON:
        raise NotFound("未找到该政协组织。")
    return org


def organisations(user) -> list[Organisation]:
    """The committees a user may pick on the page: their own and those below it (one query)."""
    if not may_view(user) or user.organisation_id is None:
        return []
    own = user.organisation.committee
    return list(
        Organisation.objects.filter(path__startswith=own.path)
        .exclude(kind=Organisation.Kind.LIAISON)
        .order_by("path")
    )


def check_year(year) -> int:
    if year in (None, ""):
        return timezone.localdate().year
    try:
        value = int(year)
    except (TypeError, ValueError):
        raise Invalid("年度不正确。", field="year")
    if not 2000 <= value <= 2100:
        raise Invalid("年度不正确。", field="year")
    return value


def years(back: int = 6) -> list[int]:
    this = timezone.localdate().year
    return list(range(this, this - back, -1))


# --------------------------------------------------------------------------- querysets


def _items(org, year):
    """The organisation's items of the year (opinion_stats_idx: organisation, year, status)."""
    return Opinion.objects.filter(organisation_id=org.pk, year=year).exclude(status=S.DRAFT)


def _on_chain(org):
    """A chain (a root) that has an item in this organisation (opinion_root_idx: root, organisation)."""
    return Exists(Opinion.objects.filter(root_id=OuterRef("root_id"), organisation_id=org.pk))


def _adoptions(org, year):
    """Live adoptions of the year on the organisation's chains (adoption_stats_idx: year, level, root)."""
    return Adoption.objects.filter(year=year, revoked_at__isnull=True).filter(_on_chain(org))


def _instructions(org, year):
    """批示 of the year on the organisation's chains (instruction_stats_idx: year, root)."""
    return Instruction.objects.filter(year=year).filter(_on_chain(org))


def _published_issues(org, year):
    return OpinionIssue.objects.filter(
        organisation_id=org.pk, year=year, status=OpinionIssue.Status.PUBLISHED
    )


def _figures(status_counts: dict, issues: int, adopted: dict, instructions: int) -> dict:
    received = sum(n for s, n in status_counts.items() if s != S.DRAFT)
    return {
        "received": received,
        "accepted": status_counts.get(S.ACCEPTED, 0),
        "filed": status_counts.get(S.FILED, 0),
        "merged": status_counts.get(S.MERGED, 0),
        "issues": issues,
        "adopted": {level: adopted.get(level, 0) for level in LEVEL_CODES},
        "instructions": instructions,
    }


# --------------------------------------------------------------------------- the API's figures


def year_figures(user, year=None, organisation=None) -> dict:
    """{received, accepted, filed, merged, issues, adopted: {county, city, province, national},
    instructions} of the organisation's year (GET /opinions/stats). Four aggregate queries."""
    return committee_figures(organisation_for(user, organisation), check_year(year))


def committee_figures(org, year: int) -> dict:
    """year_figures of a committee without the caller's checks (the yearbook counts for the committee)."""
    status_counts = dict(_items(org, year).values_list("status").annotate(n=Count("id")).order_by())
    adopted = dict(
        _adoptions(org, year).values_list("level").annotate(n=Count("root_id", distinct=True)).order_by()
    )
    return _figures(
        status_counts, _published_issues(org, year).count(), adopted, _instructions(org, year).count()
    )


def work_report_sentence(figures: dict) -> str:
    """The sentence of the yearly work report (工作报告), from the figures alone."""
    a = figures["adopted"]
    return (
        f"全年收到社情民意信息{figures['received']}篇，录用{figures['accepted']}篇，"
        f"编发《社情民意》专报{figures['issues']}期，被全国政协采用{a['national']}篇、"
        f"省政协采用{a['province']}篇、市政协采用{a['city']}篇，获领导批示{figures['instructions']}次。"
    )


# --------------------------------------------------------------------------- the page's report


def _month_bounds(year: int) -> list[tuple[datetime.datetime, datetime.datetime]]:
    """Each month of the year as [start, end) in local time (compared as values: no function per row)."""
    starts = [timezone.make_aware(datetime.datetime(year, m, 1)) for m in range(1, 13)]
    starts.append(timezone.make_aware(datetime.datetime(year + 1, 1, 1)))
    return list(zip(starts[:-1], starts[1:], strict=True))


def _levels(counts: dict | None = None) -> dict:
    return {level: (counts or {}).get(level, 0) for level in LEVEL_CODES}


def levels_label(adopted: dict) -> str:
    """全国1、省级2、市级3 (the levels that adopted something, highest first)."""
    return "、".join(f"{LEVEL_SHORT[lv]}{adopted[lv]}" for lv in LEVELS_DOWN if adopted.get(lv))


def year_report(user, year=None, organisation=None) -> dict:
    """Everything the statistics page, the dashboard and the .xlsx show for one organisation's year:
    the figures (as year_figures), issues by kind, and the breakdowns by month, category, author (the
    year-end list) and 界别, with the work-report sentence. Seven queries (and one for a picked committee),
    none of which fetches a row per item beyond its authorships.

    Kept per data version (core.datacache, kind "opinions"): recomputed after a committed write to the
    items, their issues, adoptions, 批示, authors or the members, not on every request. The key is the
    committee the caller may read (organisation_for has checked it), the year and its category order."""
    org = organisation_for(user, organisation)
    year = check_year(year)
    order = tuple(orgsettings.get(org, "opinions.categories"))
    key = ("year_report", org.pk, year, order)
    report = datacache.cached("opinions", key, lambda: _year_report(org, year, order))
    return {"organisation": org, **report}


def _year_report(org, year: int, order) -> dict:
    months = _month_bounds(year)

    # 1. The items by category and status, with a count per month of submission: one pass over
    # opinion_stats_idx (it holds every column read here).
    per_month = {
        f"m{m}": Count("id", filter=Q(submitted_at__gte=start, submitted_at__lt=end))
        for m, (start, end) in enumerate(months, 1)
    }
    rows = list(
        _items(org, year).values("category", "status").annotate(n=Count("id"), **per_month).order_by()
    )

    # 2. Published issues by kind.
    issue_kinds = dict(_published_issues(org, year).values_list("kind").annotate(n=Count("id")).order_by())

    # 3. Live adoptions of the year on the organisation's chains, with the category of its item there.
    own_item = Opinion.objects.filter(root_id=OuterRef("root_id"), organisation_id=org.pk)
    adoptions = list(
        _adoptions(org, year)
        .annotate(item_category=Subquery(own_item.values("category")[:1]))
        .values_list("root_id", "level", "adopted_on", "item_category")
        .order_by()
    )

    # 4. 批示 of the year on the organisation's chains.
    instructions = list(_instructions(org, year).values_list("root_id", "instructed_on").order_by())

    # 5. Authorships of the year's items, by member, item status and place in the author list.
    author_rows = list(
        OpinionAuthor.objects.filter(opinion__organisation_id=org.pk, opinion__year=year)
        .exclude(opinion__status=S.DRAFT)
        .values("member_id", "opinion__status")
        .annotate(
            own=Count("id", filter=Q(via_merge__isnull=True)),
            lead=Count("id", filter=Q(order=0, via_merge__isnull=True)),
            credited=Count("id"),
        )
        .order_by()
    )

    # 6. Authors of the organisation's items on the chains adopted or instructed in the year, by the roots
    # queries 3 and 4 read (a list, not their subqueries again: PostgreSQL planned those as a semi-join
    # over every authorship, 329 ms at 100,000 items).
    roots = sorted({a[0] for a in adoptions} | {i[0] for i in instructions})
    chain_rows = []
    for at in range(0, len(roots), ROOTS_PER_QUERY):
        chain_rows += list(
            OpinionAuthor.objects.filter(
                opinion__organisation_id=org.pk, opinion__root_id__in=roots[at : at + ROOTS_PER_QUERY]
            )
            .values_list("member_id", "opinion__root_id", "order", "via_merge_id")
            .order_by()
        )

    # 7. Those members' names and 界别.
    member_ids = {r["member_id"] for r in author_rows} | {r[0] for r in chain_rows}
    members = {
        m["pk"]: m
        for m in Member.objects.filter(pk__in=member_ids).values(
            "pk", "name", "sector_id", "sector__name", "sector__order"
        )
    }

    # --- figures
    status_counts: dict = {}
    for r in rows:
        status_counts[r["status"]] = status_counts.get(r["status"], 0) + r["n"]
    first_adoption: dict[tuple, tuple] = {}  # (root, level) -> (date, category) of its earliest adoption
    for root, level, day, category in adoptions:
        seen = first_adoption.get((root, level))
        if seen is None or day < seen[0]:
            first_adoption[(root, level)] = (day, category)
    adopted = _levels()
    for _, level in first_adoption:
        adopted[level] += 1
    figures = _figures(status_counts, sum(issue_kinds.values()), adopted, len(instructions))
    adopted_roots: dict[int, set] = {}
    for root, level in first_adoption:
        adopted_roots.setdefault(root, set()).add(level)
    instructed: dict[int, int] = {}
    for root, _ in instructions:
        instructed[root] = instructed.get(root, 0) + 1

    # --- by month
    by_month = [
        {"month": m, "received": 0, "accepted": 0, "adopted": 0, "instructions": 0} for m in range(1, 13)
    ]
    for r in rows:
        for m in range(1, 13):
            by_month[m - 1]["received"] += r[f"m{m}"]
            if r["status"] == S.ACCEPTED:
                by_month[m - 1]["accepted"] += r[f"m{m}"]
    for day, _ in first_adoption.values():
        by_month[day.month - 1]["adopted"] += 1
    for _, day in instructions:
        by_month[day.month - 1]["instructions"] += 1

    # --- by category (in the order of the organisation's list)
    cats: dict[str, dict] = {}

    def cat(name):
        name = name or UNCATEGORISED
        return cats.setdefault(
            name, {"category": name, "received": 0, "accepted": 0, "filed": 0, "adopted": 0}
        )

    for r in rows:
        c = cat(r["category"])
        c["received"] += r["n"]
        if r["status"] in (S.ACCEPTED, S.FILED):
            c[r["status"]] += r["n"]
    for _, category in first_adoption.values():
        cat(category)["adopted"] += 1
    order = list(order)
    by_category = sorted(
        cats.values(),
        key=lambda c: (order.index(c["category"]) if c["category"] in order else len(order), c["category"]),
    )

    # --- by author (the year-end list) and by 界别 (each item counted for its first author's 界别)
    authors: dict[int, dict] = {}
    sectors: dict = {}

    def author(member_id):
        a = authors.get(member_id)
        if a is None:
            m = members.get(member_id) or {}
            a = authors[member_id] = {
                "member_id": member_id,
                "name": m.get("name", ""),
                "sector": m.get("sector__name") or "",
                "sector_id": m.get("sector_id"),
                "sector_order": m.get("sector__order") or 0,
                "submitted": 0,
                "lead": 0,
                "accepted": 0,
                "adopted": _levels(),
                "adopted_total": 0,
                "instructions": 0,
                "_roots": set(),
            }
        return a

    def sector_row(a):
        key = a["sector_id"] if a else None
        if key in sectors:  # (setdefault would build the default row for every authorship)
            return sectors[key]
        return sectors.setdefault(
            key,
            {
                "sector": a["sector"] if a else NO_SECTOR,
                "order": a["sector_order"] if a else 10**6,
                "items": 0,
                "accepted": 0,
                "members": set(),
                "adopted": _levels(),
                "adopted_total": 0,
                "instructions": 0,
            },
        )

    for r in author_rows:
        a = author(r["member_id"])
        a["submitted"] += r["own"]
        a["lead"] += r["lead"]
        s = sector_row(a)
        s["items"] += r["lead"]
        s["members"].add(r["member_id"])
        if r["opinion__status"] == S.ACCEPTED:
            a["accepted"] += r["credited"]
            s["accepted"] += r["lead"]
    for member_id, root, n, via_merge in chain_rows:
        a = author(member_id)
        if root in a["_roots"]:
            continue
        a["_roots"].add(root)
        levels = adopted_roots.get(root, ())
        for level in levels:
            a["adopted"][level] += 1
        a["instructions"] += instructed.get(root, 0)
        if n == 0 and via_merge is None:
            s = sector_row(a)
            for level in levels:
                s["adopted"][level] += 1
            s["instructions"] += instructed.get(root, 0)
    # Items without a member author (a body's report) make the 单位报送 row.
    lead_items = sum(s["items"] for s in sectors.values())
    lead_accepted = sum(s["accepted"] for s in sectors.values())
    if figures["received"] > lead_items:
        s = sector_row(None)
        s["items"] += figures["received"] - lead_items
        s["accepted"] += figures["accepted"] - lead_accepted
    for a in authors.values():
        del a["_roots"]
        a["adopted_total"] = sum(a["adopted"].values())
        a["adopted_label"] = levels_label(a["adopted"])
        a["adopted_list"] = [a["adopted"][lv] for lv in LEVELS_DOWN]
    for s in sectors.values():
        s["members"] = len(s["members"])
        s["adopted_total"] = sum(s["adopted"].values())
        s["adopted_list"] = [s["adopted"][lv] for lv in LEVELS_DOWN]
    by_author = sorted(authors.values(), key=lambda a: (a["sector_order"], a["sector"], a["name"]))
    # 年终名单: who was adopted highest and most, then who submitted most.
    year_end = sorted(
        authors.values(),
        key=lambda a: (
            *(-a["adopted"][lv] for lv in LEVELS_DOWN),
            -a["instructions"],
            -a["submitted"],
            a["name"],
        ),
    )
    return {
        "year": year,
        "figures": figures,
        "issue_kinds": {k: issue_kinds.get(k, 0) for k in OpinionIssue.Kind.values},
        "sentence": work_report_sentence(figures),
        "levels": [{"code": lv, "label": LEVEL_SHORT[lv], "count": adopted[lv]} for lv in LEVELS_DOWN],
        "by_month": by_month,
        "by_category": by_category,
        "by_author": by_author,
        "year_end": year_end,
        "by_sector": sorted(sectors.values(), key=lambda s: (s["order"], s["sector"])),
        "adopted_roots": adopted_roots,
        "instructed": instructed,
    }
