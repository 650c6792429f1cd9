"""Reads of 重点工作, scoped with core.permissions.org_scope_q, each in a constant number of queries."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from zhengxie.core.errors import NotFound
from zhengxie.core.permissions import org_scope_q

from . import rules
from .models import Category, KeyTask, Light, Milestone, ProgressReport

LIGHTS = {v for v, _ in Light.choices}


def visible(user):
    """The tasks the user may see: staff, leaders and administrators their organisation and its subtree;
    anybody else only the tasks they own or lead."""
    if not getattr(user, "is_authenticated", False):
        return KeyTask.objects.none()
    if rules.is_reader(user):
        return KeyTask.objects.filter(org_scope_q(user))
    return KeyTask.objects.filter(Q(owner_id=user.pk) | Q(leader_id=user.pk))


def task_list(user, *, year=None, category=None, light="", owner=None, status="", q="", todo=""):
    """The list, filtered; ordered by category then number (one query, plus the count for pages).
    `todo="behind"`: only the user's to-do (behind_mine)."""
    qs = visible(user).select_related("organisation", "category", "owner", "leader")
    if todo == "behind":
        qs = qs.filter(pk__in=behind_mine(user).values("pk"))
    if year:
        qs = qs.filter(year=year)
    if category:
        qs = (
            qs.filter(category_id=category) if str(category).isdigit() else qs.filter(category__name=category)
        )
    if light in LIGHTS:
        qs = qs.filter(light=light)
    if owner:
        qs = qs.filter(owner_id=owner)
    if status in KeyTask.Status.values:
        qs = qs.filter(status=status)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(owner_unit__icontains=q) | Q(description__icontains=q))
    # Categories in the order they were made (Category.order follows it): the index keytask_year_idx
    # reads a page in this order without sorting the year's tasks.
    return qs.order_by("year", "organisation_id", "category_id", "number", "id")


def get(user, pk, *, full=False) -> KeyTask:
    """One task with its milestones (and reports, evidence and reporters when `full`), or 404."""
    qs = KeyTask.objects.select_related("organisation", "category", "owner", "leader", "created_by")
    prefetch = [Prefetch("milestones", queryset=Milestone.objects.order_by("due_on", "id"))]
    if full:
        prefetch.append(
            Prefetch(
                "reports",
                queryset=ProgressReport.objects.select_related("reported_by", "evidence").order_by(
                    "-at", "-id"
                ),
            )
        )
    t = None
    if str(pk).isdigit() and int(pk) < 2**53:
        t = qs.prefetch_related(*prefetch).filter(pk=int(pk)).first()
    if t is None or not rules.can_view(user, t):
        raise NotFound("未找到该重点工作任务。")
    return t


def categories(user, year):
    """The categories of the user's organisation (and below) that year, by order."""
    return list(Category.objects.filter(org_scope_q(user), year=year).order_by("order", "id"))


def years(user) -> list[int]:
    # From the categories (a few per year), not the tasks.
    if rules.is_reader(user):
        qs = Category.objects.filter(org_scope_q(user))
    else:
        qs = Category.objects.filter(tasks__in=visible(user))
    found = set(qs.order_by().values_list("year", flat=True).distinct())
    found.add(timezone.localdate().year)
    return sorted(found, reverse=True)


def owners(user, year) -> list[dict]:
    """The owners who have tasks that year (for the filter)."""
    return list(
        visible(user)
        .filter(year=year)
        .values("owner_id", "owner__name")
        .annotate(n=Count("id"))
        .order_by("owner__name")
    )


def board(user, year, organisation=None) -> dict:
    """The leader's board: per category the tasks done, on schedule (green), behind (yellow / red), and
    the totals with the sentence (one query)."""
    qs = visible(user).filter(year=year)
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    rows = list(
        qs.values("category__name", "category__order", "category_id")
        .annotate(
            total=Count("id"),
            done=Count("id", filter=Q(status=KeyTask.Status.DONE)),
            green=Count("id", filter=Q(status=KeyTask.Status.IN_PROGRESS, light=Light.GREEN)),
            yellow=Count("id", filter=Q(status=KeyTask.Status.IN_PROGRESS, light=Light.YELLOW)),
            red=Count("id", filter=Q(status=KeyTask.Status.IN_PROGRESS, light=Light.RED)),
        )
        .order_by("category__order", "category_id")
    )
    # Categories of the same name across organisations (a city reading its counties) are one row.
    merged: dict[str, dict] = {}
    for r in rows:
        m = merged.setdefault(
            r["category__name"],
            {"name": r["category__name"], "total": 0, "done": 0, "green": 0, "yellow": 0, "red": 0},
        )
        for k in ("total", "done", "green", "yellow", "red"):
            m[k] += r[k]
    cats = list(merged.values())
    for c in cats:
        c["behind"] = c["yellow"] + c["red"]
    totals = {k: sum(c[k] for c in cats) for k in ("total", "done", "green", "yellow", "red", "behind")}
    totals["categories"] = len(cats)
    return {"year": year, "categories": cats, "totals": totals, "sentence": sentence(totals)}


def sentence(totals: dict) -> str:
    """重点工作h类i项，完成j项 (the yearly report's words)."""
    return f"重点工作{totals['categories']}类{totals['total']}项，完成{totals['done']}项"


def year_figures(organisation, year) -> dict:
    """An organisation's own year (the yearly report): {categories, total, done, behind, sentence}; one query."""
    rows = list(
        KeyTask.objects.filter(organisation=organisation, year=year)
        .values("category__name")
        .annotate(
            total=Count("id"),
            done=Count("id", filter=Q(status=KeyTask.Status.DONE)),
            behind=Count("id", filter=Q(status=KeyTask.Status.IN_PROGRESS) & ~Q(light=Light.GREEN)),
        )
    )
    names = {r["category__name"] for r in rows}
    totals = {
        "year": year,
        "categories": len(names),
        "total": sum(r["total"] for r in rows),
        "done": sum(r["done"] for r in rows),
        "behind": sum(r["behind"] for r in rows),
    }
    totals["sentence"] = sentence(totals)
    return totals


def behind_mine(user):
    """Open tasks behind schedule that the user owns or leads, of any year: the workbench to-do and the
    list's ?todo=behind."""
    return KeyTask.objects.filter(
        Q(owner_id=user.pk) | Q(leader_id=user.pk), status=KeyTask.Status.IN_PROGRESS
    ).exclude(light=Light.GREEN)


def behind_count(user) -> int:
    """Open tasks behind schedule that the user owns or leads (the workbench to-do; one query)."""
    return behind_mine(user).count()
