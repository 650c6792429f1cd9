"""Reads of 民主评议, scoped with core.permissions.org_scope_q, each in a constant number of queries."""

from __future__ import annotations

from django.db.models import Prefetch, Q
from django.utils import timezone

from zhengxie.core.errors import NotFound
from zhengxie.core.permissions import org_scope_q
from zhengxie.members.selectors import member_of

from . import rules, services
from .models import Item, Rater, Rating, RatingPhoto, Round, Score, Target

S = Round.Status


def visible(user):
    """Readers: every round of their organisation and below; members: their committee's rounds once
    opened."""
    if not getattr(user, "is_authenticated", False):
        return Round.objects.none()
    if rules.is_reader(user):
        return Round.objects.filter(org_scope_q(user))
    member = member_of(user)
    if member is None or member.status != "active":
        return Round.objects.none()
    return Round.objects.filter(organisation_id=member.organisation_id).exclude(status=S.DRAFT)


def round_list(user, *, year=None, status="", kind="", q="", todo=False):
    """The rounds the user may see; `todo`: only those of the workbench to-do (open, invited, unfinished)."""
    qs = visible(user).select_related("organisation")
    if todo:
        qs = qs.filter(pk__in=todo_raters(user).values("round_id"))
    if year:
        qs = qs.filter(year=year)
    if status in S.values:
        qs = qs.filter(status=status)
    if kind in Round.Kind.values:
        qs = qs.filter(kind=kind)
    q = (q or "").strip()
    if q:
        qs = qs.filter(title__icontains=q)
    return qs.order_by("-year", "-id")


def years(user) -> list[int]:
    found = set(visible(user).order_by().values_list("year", flat=True).distinct())
    found.add(timezone.localdate().year)
    return sorted(found, reverse=True)


def get(user, pk) -> Round:
    r = None
    if str(pk).isdigit() and int(pk) < 2**53:
        r = (
            Round.objects.select_related("organisation", "created_by")
            .prefetch_related(Prefetch("items", queryset=Item.objects.order_by("order", "id")))
            .filter(pk=int(pk))
            .first()
        )
    if r is None or not rules.can_view(user, r):
        raise NotFound("未找到该民主评议。")
    return r


def my_rater(user, r: Round):
    member = rules.committee_member(user, r.organisation)
    if member is None:
        return None
    return Rater.objects.filter(round=r, member=member).first()


def targets(r: Round, *, q=""):
    qs = Target.objects.filter(round=r).select_related("unit")
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(address__icontains=q))
    return qs.order_by("order", "id")


def target(r: Round, pk) -> Target:
    t = None
    if str(pk).isdigit() and int(pk) < 2**53:
        t = Target.objects.select_related("unit").filter(round=r, pk=int(pk)).first()
    if t is None:
        raise NotFound("未找到该评议对象。")
    return t


def rated_ids(rater) -> set[int]:
    if rater is None:
        return set()
    return set(Rating.objects.filter(rater=rater).values_list("target_id", flat=True))


def my_rating(rater, t: Target):
    if rater is None:
        return None
    return (
        Rating.objects.filter(rater=rater, target=t)
        .prefetch_related("scores", Prefetch("photo_rows", queryset=RatingPhoto.objects.order_by("id")))
        .first()
    )


def ratings(user, r: Round, *, target=None):
    """Ratings the user may read: readers all, a member their own (with the member, scores and photos)."""
    qs = Rating.objects.filter(round=r).select_related("member", "target")
    if not rules.can_see_details(user, r):
        member = rules.committee_member(user, r.organisation)
        qs = qs.filter(member_id=member.pk if member else -1)
    if target is not None:
        qs = qs.filter(target=target)
    return qs.prefetch_related(
        Prefetch("scores", queryset=Score.objects.order_by("item__order", "item_id")),
        Prefetch("photo_rows", queryset=RatingPhoto.objects.order_by("id")),
    ).order_by("-rated_at", "-id")


def unit_figures(user, r: Round) -> dict[int, dict]:
    """The handling figures of each unit this year (proposals handled, replied on time, 满意率), from the
    handling spine's one selector; empty for those who may not read them."""
    if not r.is_units:
        return {}
    from zhengxie.handling.selectors import unit_figures as spine_figures

    return {row["unit_id"]: row for row in spine_figures(user, kind="proposal", year=r.year)}


def results(user, r: Round) -> dict:
    """The ranking (live while open, as fixed at close / publish afterwards), the chart and the figures
    per target: a constant number of queries."""
    ts = list(Target.objects.filter(round=r).select_related("unit").order_by("order", "id"))
    if r.status in (S.CLOSED, S.PUBLISHED):
        for t in ts:
            t.valid = t.rank is not None
        ranked = sorted(ts, key=lambda t: (t.rank is None, t.rank or 0, t.order, t.pk))
    else:
        ranked = services.ranking(r, ts)
    figures = unit_figures(user, r)
    for t in ranked:
        t.figures = figures.get(t.unit_id) if t.unit_id else None
    shown = [t for t in ranked if t.valid][:50]
    value = (lambda t: float(t.rate or 0)) if r.is_units else (lambda t: float(t.score or 0))
    option = {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "grid": {"left": 8, "right": 24, "top": 10, "bottom": 8, "containLabel": True},
        "xAxis": {"type": "value", "max": 100},
        "yAxis": {"type": "category", "data": [t.name for t in shown], "inverse": True},
        "series": [
            {
                "type": "bar",
                "name": "满意率(%)" if r.is_units else "加权平均分",
                "data": [
                    {
                        "value": value(t),
                        "itemStyle": {
                            "color": "#2e7d32"
                            if t.mark == "top"
                            else "#c62828"
                            if t.mark == "bottom"
                            else "#1976d2"
                        },
                    }
                    for t in shown
                ],
                "label": {"show": True, "position": "right"},
                "barMaxWidth": 28,
            }
        ],
    }
    return {
        "round": r,
        "targets": ranked,
        "top": [t for t in ranked if t.mark == "top"],
        "bottom": [t for t in ranked if t.mark == "bottom"],
        "rated": sum(1 for t in ranked if t.ratings),
        "option": option,
        "chart_height": max(240, 28 * len(shown) + 40),
        "has_figures": bool(figures),
    }


def photos_by_target(r: Round, target_ids, limit=6) -> dict[int, list[RatingPhoto]]:
    """A few photos of each target (one query)."""
    out: dict[int, list] = {}
    for p in (
        RatingPhoto.objects.filter(target_id__in=list(target_ids))
        .select_related("attachment")
        .order_by("target_id", "id")
    ):
        lst = out.setdefault(p.target_id, [])
        if len(lst) < limit:
            lst.append(p)
    return out


def notes_by_target(r: Round, target_ids) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for tid, note in (
        Rating.objects.filter(target_id__in=list(target_ids))
        .exclude(note="")
        .order_by("target_id", "rated_at")
        .values_list("target_id", "note")
    ):
        out.setdefault(tid, []).append(note)
    return out


def todo_raters(user):
    """The user's invitations to rate in open rounds not yet finished: the to-do and the list's ?todo=1."""
    now = timezone.now()
    return Rater.objects.filter(
        user_id=user.pk,
        finished_at__isnull=True,
        round__status=S.OPEN,
        round__opens_at__lte=now,
        round__closes_at__gt=now,
    )


def open_todo_count(user) -> int:
    """Open rounds the user is invited to and has not finished (one query)."""
    return todo_raters(user).count()


def open_todo_round(user):
    now = timezone.now()
    return (
        Rater.objects.filter(
            user_id=user.pk,
            finished_at__isnull=True,
            round__status=S.OPEN,
            round__opens_at__lte=now,
            round__closes_at__gt=now,
        )
        .order_by("round__closes_at")
        .values_list("round_id", flat=True)
        .first()
    )
