"""履职承诺 against what was done (issue 15): a member's pledge targets set beside the year's duty records,
counted the same way for the 一员一档, the API and the staff's list (one query for any number of members)."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count

from zhengxie.members.models import Member, Pledge

from . import acts as A
from . import scoring
from .models import DutyRecord

# What each target counts: the live duty records of these acts in the pledge's year.
COUNTED = {
    "proposals": ("提交提案", "件", (A.PROPOSAL_SUBMIT,)),
    "activities": (
        "参加会议活动",
        "次",
        (
            A.PLENARY_ATTEND,
            A.STANDING_ATTEND,
            A.CHAIR_MEETING_ATTEND,
            A.COMMITTEE_MEETING_ATTEND,
            A.SECTOR_ACTIVITY,
            A.INSPECTION,
            A.RESEARCH,
            A.TRAINING,
            A.LECTURE,
            A.LECTURE_ATTEND,
            A.CONSULTATION_ATTEND,
            A.READING_ACTIVITY,
            A.PUBLIC_WELFARE,
        ),
    ),
    "opinions": ("报送社情民意", "条", (A.OPINION_SUBMIT,)),
}
_KIND_OF_ACT = {act: kind for kind, (_, _, acts) in COUNTED.items() for act in acts}


def actuals(member_ids, year: int) -> dict[int, dict[str, int]]:
    """member_id -> {"proposals": n, "activities": n, "opinions": n} done in the year (one query)."""
    out: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTED, 0))
    ids = list(member_ids)
    if not ids:
        return out
    rows = (
        DutyRecord.objects.filter(member_id__in=ids, year=year, act__in=list(_KIND_OF_ACT), **scoring.LIVE)
        .values_list("member_id", "act")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for mid, act, n in rows:
        out[mid][_KIND_OF_ACT[act]] += n
    return out


def progress(pledge: Pledge | None, done: dict[str, int]) -> dict:
    """Each target beside its count ("提交提案 ≥2 件：已 3 件 ✓"), and whether every target is met (None
    without a pledge or without targets)."""
    rows = []
    for kind, (label, unit, _) in COUNTED.items():
        target = getattr(pledge, f"target_{kind}", None) if pledge else None
        rows.append(
            {
                "kind": kind,
                "label": label,
                "unit": unit,
                "target": target,
                "done": done.get(kind, 0),
                "met": None if target is None else done.get(kind, 0) >= target,
                "short": max(0, (target or 0) - done.get(kind, 0)),
            }
        )
    judged = [r["met"] for r in rows if r["met"] is not None]
    return {"rows": rows, "met": (all(judged) if judged else None) if pledge else None}


def member_pledge(member: Member, year: int) -> dict:
    """The 一员一档's pledge card: the pledge (or None) and its progress (two queries)."""
    pledge = Pledge.objects.filter(member=member, year=year).select_related("written_by").first()
    return {"pledge": pledge, **progress(pledge, actuals([member.pk], year)[member.pk])}


STATUS_CHOICES = {"pledged": "已承诺", "none": "未承诺", "met": "已达成", "unmet": "未达成"}


def pledge_list(organisation, year: int, status: str = "", q: str = "") -> dict:
    """The staff's list: every active member of the committee with their pledge (or none) and progress, and
    the counts (three queries whatever the number of members)."""
    members = list(
        Member.objects.filter(organisation=organisation, status=Member.Status.ACTIVE)
        .select_related("sector")
        .order_by("sector__order", "sector_id", "name", "id")
    )
    pledges = {
        p.member_id: p
        for p in Pledge.objects.filter(
            organisation=organisation, year=year, member__status=Member.Status.ACTIVE
        )
    }
    done = actuals(list(pledges), year)
    rows = []
    for m in members:
        p = pledges.get(m.pk)
        rows.append({"member": m, "pledge": p, **progress(p, done[m.pk] if p else {})})
    counts = {
        "members": len(rows),
        "pledged": sum(1 for r in rows if r["pledge"]),
        "met": sum(1 for r in rows if r["met"] is True),
        "unmet": sum(1 for r in rows if r["met"] is False),
    }
    counts["none"] = counts["members"] - counts["pledged"]
    if q:
        rows = [r for r in rows if q in r["member"].name]
    if status == "pledged":
        rows = [r for r in rows if r["pledge"]]
    elif status == "none":
        rows = [r for r in rows if not r["pledge"]]
    elif status == "met":
        rows = [r for r in rows if r["met"] is True]
    elif status == "unmet":
        rows = [r for r in rows if r["met"] is False]
    return {"rows": rows, "counts": counts}
