"""Reads of 民主监督, scoped with core.permissions.org_scope_q, each in a constant number of queries."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from zhengxie.core.errors import NotFound
from zhengxie.core.models import Attachment
from zhengxie.core.permissions import org_scope_q
from zhengxie.members.models import Member
from zhengxie.members.selectors import member_of

from . import rules
from .models import Ballot, Candidate, Item, Selection, Supervision

L = Item.List


def visible(user):
    """Staff, leaders and administrators: their organisation and below; anybody else: the groups they are
    in (leader, member or staff contact)."""
    if not getattr(user, "is_authenticated", False):
        return Supervision.objects.none()
    if rules.is_reader(user):
        return Supervision.objects.filter(org_scope_q(user))
    q = Q(staff_contact_id=user.pk)
    m = member_of(user)
    if m is not None:
        through = Supervision.members.through.objects.filter(member_id=m.pk).values("supervision_id")
        q |= Q(leader_id=m.pk) | Q(pk__in=through)
    return Supervision.objects.filter(q)


def supervision_list(user, *, year=None, status="", q="", todo=False):
    """The groups with their lists' counts (one query, plus the count for pages); `todo`: only the groups
    with rectification items awaiting the user's confirmation, whatever the year, each with `awaiting`."""
    qs = visible(user).select_related("organisation", "unit", "leader")
    if todo:
        qs = qs.filter(pk__in=awaiting_items(user).values("supervision_id")).annotate(
            awaiting=_items(status=Item.Status.REPLIED)
        )
    if year:
        qs = qs.filter(year=year)
    if status in Supervision.Status.values:
        qs = qs.filter(status=status)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(unit__name__icontains=q) | Q(leader__name__icontains=q))
    # Correlated counts, not a join grouped over every group: the page's count() leaves them out and only
    # the rows of the page compute them (each by the item table's supervision index).
    return qs.annotate(
        problems=_items(list=L.PROBLEM),
        suggestions=_items(list=L.SUGGESTION),
        rectifications=_items(list=L.RECTIFICATION),
        rectified=_items(status=Item.Status.RECTIFIED),
    ).order_by("-year", "organisation_id", "id")


def _items(**filters):
    rows = (
        Item.objects.filter(supervision=OuterRef("pk"), **filters)
        .order_by()
        .values("supervision")
        .annotate(n=Count("id"))
        .values("n")[:1]
    )
    return Coalesce(Subquery(rows), 0)


def get(user, pk) -> Supervision:
    """One group with its members and items (four queries), or 404."""
    s = None
    if str(pk).isdigit() and int(pk) < 2**53:
        s = (
            Supervision.objects.select_related("organisation", "unit", "leader", "staff_contact", "selection")
            .prefetch_related(
                Prefetch("members", queryset=Member.objects.order_by("id")),
                Prefetch(
                    "items",
                    queryset=Item.objects.select_related("case", "problem").order_by("list", "number"),
                ),
            )
            .filter(pk=int(pk))
            .first()
        )
    if s is None or not rules.can_view(user, s):
        raise NotFound("未找到该民主监督小组。")
    return s


def evidence(items) -> dict[int, list[Attachment]]:
    """{item id: its evidence files} in one query."""
    items = list(items)
    if not items:
        return {}
    ct = ContentType.objects.get_for_model(Item)
    out: dict[int, list] = {i.pk: [] for i in items}
    for a in Attachment.objects.filter(content_type=ct, object_id__in=[str(i.pk) for i in items]).order_by(
        "id"
    ):
        out.setdefault(int(a.object_id), []).append(a)
    return out


def latest_replies(items) -> dict[int, object]:
    """{rectification item id: the unit's latest reply on its case, with its 整改佐证 files} in two queries
    (what the group reads before it confirms or sends the item back)."""
    from zhengxie.handling.models import Reply

    cases = {i.case_id: i.pk for i in items if i.case_id}
    if not cases:
        return {}
    out = {}
    rows = (
        Reply.objects.filter(case_id__in=cases)
        .select_related("assignment__unit")
        .prefetch_related(Prefetch("files", queryset=Attachment.objects.order_by("id")))
        .order_by("replied_at", "id")
    )
    for rp in rows:
        out[cases[rp.case_id]] = rp  # the last one wins
    return out


def lists(s: Supervision) -> dict[str, list[Item]]:
    out = {v: [] for v in L.values}
    for i in s.items.all():
        out[i.list].append(i)
    return out


def years(user) -> list[int]:
    found = set(visible(user).order_by().values_list("year", flat=True).distinct())
    found.add(timezone.localdate().year)
    return sorted(found, reverse=True)


def awaiting_items(user):
    """Rectification items replied by the unit and awaiting the confirmation of a group the user is in
    (as its staff contact, leader or member)."""
    if not getattr(user, "is_authenticated", False):
        return Item.objects.none()
    q = Q(supervision__staff_contact_id=user.pk)
    m = member_of(user)
    if m is not None:
        through = Supervision.members.through.objects.filter(member_id=m.pk).values("supervision_id")
        q |= Q(supervision__leader_id=m.pk) | Q(supervision_id__in=through)
    return Item.objects.filter(q, status=Item.Status.REPLIED)


def awaiting_confirmation(user) -> int:
    """How many groups have rectification items awaiting the user's confirmation (the to-do: it opens the
    list of exactly these groups, supervision_list(todo=True))."""
    return awaiting_items(user).values("supervision_id").distinct().count()


# --- 票决 ------------------------------------------------------------------------------------------------


def selections(user, year=None):
    if not getattr(user, "is_authenticated", False) or rules.is_unit(user):
        return Selection.objects.none()
    qs = Selection.objects.filter(org_scope_q(user)).select_related("organisation")
    if year:
        qs = qs.filter(year=year)
    return qs.annotate(n_candidates=Count("candidates", distinct=True)).order_by("-year", "-id")


def get_selection(user, pk) -> Selection:
    sel = None
    if str(pk).isdigit() and int(pk) < 2**53:
        sel = Selection.objects.select_related("organisation").filter(pk=int(pk)).first()
    if sel is None or not rules.can_view_selection(user, sel):
        raise NotFound("未找到该票决。")
    return sel


def candidates(sel: Selection) -> list[Candidate]:
    return list(
        Candidate.objects.filter(selection=sel)
        .select_related("unit")
        .annotate(n=Count("ballots"))
        .order_by("order", "id")
    )


def my_ballot(user, sel: Selection) -> Ballot | None:
    m = member_of(user)
    if m is None:
        return None
    return Ballot.objects.filter(selection=sel, member=m).prefetch_related("candidates__unit").first()


def open_votes_for(user) -> int:
    """Open 票决 of the user's committee that this standing member has not voted in (the to-do)."""
    m = member_of(user)
    if m is None or not m.is_standing or m.status != Member.Status.ACTIVE:
        return 0
    return (
        Selection.objects.filter(organisation_id=m.organisation_id, status=Selection.Status.OPEN)
        .exclude(ballots__member=m)
        .count()
    )
