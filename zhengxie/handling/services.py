"""Keeping the spine right: a module opens the case of its item (`open_case`) and, at every state change,
hands over its item's current facts (`case_sync`); the spine then brings its own copies up to date.

The copies let the inbox, the 督办 board and the statistics read a few index entries instead of joining
every row:
- the case copies the item's title, label, status, stage, category, session, deadline, light and round;
- assignments carry the case's session and `owes` (active, the case in handling, and no standing reply:
  none yet, or the latest one rated 不满意);
- replies carry the session, the replying unit and `is_latest` (no later reply of the same assignment);
- evaluations carry the session, the case's category, the rated unit and `is_current` (the rated reply
  is still the latest).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Subquery

from .models import Assignment, Case, Evaluation, Reply

CASE_FIELDS = (
    "title",
    "label",
    "status",
    "stage",
    "category",
    "session_id",
    "assigned_at",
    "deadline",
    "light",
    "round",
    "closed_at",
)


def open_case(*, kind: str, item, organisation_id: int, **facts) -> Case:
    """The case of this item, made if it has none yet (the item's `case` is set and saved)."""
    if getattr(item, "case_id", None):
        return item.case
    case, _ = Case.objects.get_or_create(
        kind=kind,
        object_id=item.pk,
        defaults={"organisation_id": organisation_id, **{k: v for k, v in facts.items() if k in CASE_FIELDS}},
    )
    type(item).objects.filter(pk=item.pk).update(case=case)
    item.case = case
    return case


def case_sync(case_id: int, **facts) -> None:
    """Copy the item's facts onto its case, then refresh the case's row copies."""
    if facts:
        Case.objects.filter(pk=case_id).update(**{k: v for k, v in facts.items() if k in CASE_FIELDS})
    sync_copies([case_id])


def sync_copies(case_ids: Iterable[int] | None = None) -> None:
    """Bring the copies on assignments, replies and evaluations of these cases (all when None) up to date,
    with a few set-based UPDATEs."""
    ids = None if case_ids is None else list(case_ids)

    def scoped(manager):
        return manager.all() if ids is None else manager.filter(case_id__in=ids)

    case = Case.objects.filter(pk=OuterRef("case_id"))
    later = Reply.objects.filter(assignment_id=OuterRef("assignment_id"), pk__gt=OuterRef("pk"))
    scoped(Reply.objects).update(
        session_id=Subquery(case.values("session_id")[:1]),
        unit_id=Subquery(Assignment.objects.filter(pk=OuterRef("assignment_id")).values("unit_id")[:1]),
        is_latest=~Exists(later),
    )
    reply = Reply.objects.filter(pk=OuterRef("reply_id"))
    scoped(Evaluation.objects).update(
        session_id=Subquery(case.values("session_id")[:1]),
        category=Subquery(case.values("category")[:1]),
        unit_id=Subquery(reply.values("unit_id")[:1]),
        is_current=Subquery(reply.values("is_latest")[:1]),
    )
    standing = Reply.objects.filter(assignment_id=OuterRef("pk"), is_latest=True).exclude(
        evaluations__rating=Evaluation.Rating.UNSATISFIED
    )
    in_handling = Case.objects.filter(pk=OuterRef("case_id"), stage=Case.Stage.HANDLING)
    scoped(Assignment.objects).update(
        session_id=Subquery(case.values("session_id")[:1]),
        owes=Q(is_active=True) & Exists(in_handling) & ~Exists(standing),
    )


# --- 督办: reminders and extensions from the board, for every kind -----------------------------------------


def cases_remind(*, user, case_ids, note: str = "") -> int:
    """催办: remind the handlers of every unit that still owes each of these cases (batch from the board).
    Only the office that runs the kind, in the case's organisation. Returns the number of cases reminded."""
    from zhengxie.core import audit
    from zhengxie.core.errors import Forbidden, Invalid
    from zhengxie.core.notifications import notify

    from . import kinds
    from . import rules as r
    from .jobs import users_by_unit
    from .models import Event

    ids = [int(x) for x in case_ids or () if str(x).isdigit()]
    if not ids:
        raise Invalid("请至少选择一项。", field="case_ids")
    note = (note or "").strip()[:200]
    with transaction.atomic():
        cases = list(Case.objects.select_for_update().filter(pk__in=ids, stage=Case.Stage.HANDLING))
        if len(cases) != len(set(ids)):
            raise Invalid("所选事项中有已不在办理中的，请刷新后重试。", field="case_ids")
        if not all(r.is_case_office(user, c) for c in cases):
            raise Forbidden("只有本级负责该类事项的工作人员可以催办。")
        owing: dict[int, list[Assignment]] = {}
        for a in Assignment.objects.filter(case_id__in=ids, owes=True).select_related("unit"):
            owing.setdefault(a.case_id, []).append(a)
        people = users_by_unit({a.unit_id for rows in owing.values() for a in rows})
        for c in cases:
            kind = kinds.get(c.kind)
            units = owing.get(c.pk, [])
            users = [u for a in units for u in people[a.unit_id]["handler"]]
            body = f"请于 {c.deadline:%Y年%m月%d日} 前办理答复。" if c.deadline else "请尽快办理。"
            notify(
                users,
                f"【催办】{kind.label}{c.label}《{c.title}》",
                (note + "；" if note else "") + body,
                url=kind.url(c),
                category=c.kind,
            )
            names = "、".join(a.unit.name for a in units) or "—"
            Event.objects.create(
                case=c,
                actor=user,
                actor_label=user.name or user.username,
                action="remind",
                label=f"催办：{names}",
                detail=note,
            )
            audit.record(
                user, "handling.remind", c, after={"units": [a.unit_id for a in units], "note": note}
            )
    return len(cases)


def case_extend(*, user, case, new_deadline, reason: str):
    """延期 from the board: the kind's own service moves the item's deadline (and the case's with it)."""
    from zhengxie.core.errors import Invalid, NotFound

    from . import kinds

    c = case if isinstance(case, Case) else Case.objects.filter(pk=case).first()
    if c is None:
        raise NotFound("未找到该事项。")
    extend = kinds.get(c.kind).extend
    if extend is None:
        raise Invalid("该类事项不能在督办台延期。")
    return extend(user=user, case=c, new_deadline=new_deadline, reason=reason)
