"""督办 from the board, for every kind: batch reminders (催办) and extensions (延期) through the kind."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from zhengxie.core import audit
from zhengxie.core.errors import Conflict, Forbidden, Invalid, NotFound, ServiceError
from zhengxie.core.notifications import notify
from zhengxie.core.permissions import org_scope_q

from .. import kinds
from .. import rules as r
from ..jobs import users_by_unit
from ..lights import REPLYING_ROLES
from ..models import Assignment, Case, Event, Extension
from .units import REASON_MAX, as_date, bounded


def cases_remind(*, user, case_ids, note: str = "") -> int:
    """催办: remind the handlers of every unit that still owes each of these cases (batch from the board).
    Only the office that runs the kind, in the case's organisation. Returns the number of cases reminded."""

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
            if c.light == Case.Light.RED:  # overdue: the unit heads too, by SMS as well
                users += [u for a in units for u in people[a.unit_id]["head"]]
            body = f"请于 {c.deadline:%Y年%m月%d日} 前办理答复。" if c.deadline else "请尽快办理。"
            notify(
                users,
                f"【催办】{kind.label}{c.label}《{c.title}》",
                (note + "；" if note else "") + body,
                url=kind.url(c),
                category=c.kind,
                sms=c.light == Case.Light.RED,
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


BATCH_MAX = 200


def cases_remind_each(*, user, case_ids, note: str = "") -> tuple[list[Case], list[tuple[str, str]]]:
    """催办所选 from the board, item by item: each case goes through cases_remind on its own (one transaction
    each), so one that cannot be reminded — replied or closed meanwhile, or not this office's — is named
    with the reason and the others are still reminded. Returns (the cases reminded, [(item, reason) …])."""
    ids = []
    for x in case_ids or ():
        if str(x).isdigit() and int(x) < 2**53 and int(x) not in ids:
            ids.append(int(x))
    if not ids:
        raise Invalid("请至少选择一项。", field="case_ids")
    if len(ids) > BATCH_MAX:
        raise Invalid(f"一次最多催办 {BATCH_MAX} 项。", field="case_ids")
    seen = {c.pk: c for c in Case.objects.filter(org_scope_q(user), pk__in=ids)}
    done, refused = [], []
    for pk in ids:
        c = seen.get(pk)
        if c is None:
            refused.append((f"编号 {pk}", "未找到该事项，或您无权查看。"))
            continue
        name = f"{c.label}《{c.title}》" if c.label else f"《{c.title}》"
        if c.stage != Case.Stage.HANDLING:
            refused.append((name, f"已不在办理中（{c.get_stage_display()}），无需催办。"))
            continue
        try:
            cases_remind(user=user, case_ids=[pk], note=note)
        except ServiceError as exc:
            refused.append((name, exc.message))
        else:
            done.append(c)
    return done, refused


def case_extend(*, user, case, new_deadline, reason: str):
    """延期 from the board: the kind's own service moves the item's deadline (and the case's with it)."""

    c = case if isinstance(case, Case) else Case.objects.filter(pk=case).first()
    if c is None:
        raise NotFound("未找到该事项。")
    extend = kinds.get(c.kind).extend
    if extend is None:
        raise Invalid("该类事项不能在督办台延期。")
    # The kind's service checks who, when and the limit (check_extend's rule) in its own transaction.
    return extend(user=user, case=c, new_deadline=new_deadline, reason=reason)


def latest_deadline(kind, organisation, assigned) -> tuple[datetime.date, int] | None:
    """The latest deadline an item of this kind assigned on `assigned` may have by 延期, and the number of
    days: "<prefix>.max_extension_days" after the assignment; None when the kind sets no limit. `assigned`:
    the day, or the item's assigned_at (counted from its day in the platform's time zone; None, not assigned
    yet: today). The services, the board's 延期 link, the proposals' and the demo's deadlines all read it."""
    if not kind.max_extension_days:
        return None
    if isinstance(assigned, datetime.datetime):
        assigned = timezone.localdate(assigned)
    elif assigned is None:
        assigned = timezone.localdate()
    days = kind.days(organisation, "max_extension_days")
    return assigned + datetime.timedelta(days=days), days


def extension_limit(case: Case, organisation=None) -> tuple[datetime.date, int] | None:
    """latest_deadline of this case (`organisation`: the case's, when already read)."""
    return latest_deadline(kinds.get(case.kind), organisation or case.organisation, case.assigned_at)


def check_not_at_limit(current, latest) -> None:
    """An item whose deadline is already at or after the kind's limit cannot be extended at all:
    re-handled after 不满意, an item can owe its reply after the limit, and then no date would do."""
    if latest is not None and current and current >= latest[0]:
        raise Invalid(
            f"现办理期限（{current:%Y-%m-%d}）已在交办之日起 {latest[1]} 天（{latest[0]:%Y-%m-%d}）之后，不能再延期。",
            field="new_deadline",
        )


def check_extend(user, case: Case, organisation=None, state=None) -> tuple[datetime.date, int] | None:
    """Whether this user may extend this item now, for every kind — the board's 延期 link asks it (may_extend)
    and the kinds' services check the same (the flow's check_extend, the proposals' extend and their
    allowed_actions): the kind has a 延期 service; the staff of the office that runs the kind, in the item's
    own organisation; while its units owe a reply (the handling stage: the kinds' extend states); and its
    deadline not already at the kind's limit. `state(case)`: a kind's own state check, run after the office
    check and before the stage's (the flow's, which names the case's status). Returns the limit (for
    check_extension_date)."""
    kind = kinds.get(case.kind)
    if kind.extend is None:
        raise Invalid("该类事项不能在督办台延期。")
    if not r.is_case_office(user, case):
        raise Forbidden(f"只有本级{kind.office_label}工作人员可以延期。")
    if state is not None:
        state(case)
    if case.stage != Case.Stage.HANDLING:
        raise Conflict(f"该{kind.label}已不在办理中，不能延期。", code="bad_state")
    latest = extension_limit(case, organisation)
    check_not_at_limit(case.deadline, latest)
    return latest


def may_extend(user, case: Case, organisation=None) -> bool:
    """check_extend as a yes or no (the 督办台 offers 延期 on a row exactly then)."""
    try:
        check_extend(user, case, organisation)
    except ServiceError:
        return False
    return True


def check_extension_date(current, value, latest=None):
    """A new deadline is later than the current one and, with `latest` = (date, days), not after the kind's
    limit counted from the assignment."""
    check_not_at_limit(current, latest)
    new = as_date(value, "新的办理期限", "new_deadline")
    if new is None:
        raise Invalid("请填写新的办理期限。", field="new_deadline")
    if current and new <= current:
        raise Invalid(f"新的办理期限须晚于原期限（{current:%Y-%m-%d}）。", field="new_deadline")
    if latest is not None and new > latest[0]:
        raise Invalid(
            f"延期后的期限不能超过交办之日起 {latest[1]} 天（{latest[0]:%Y-%m-%d}）。", field="new_deadline"
        )
    return new


def check_extension_reason(reason) -> str:
    """An extension gives its reason, at most REASON_MAX characters (the 延期 forms say "0 / 500 字")."""
    return bounded(reason, "延期理由", "reason", REASON_MAX, required="请填写延期理由。")


def extend(*, user, case: Case, new_deadline, reason, latest=None):
    """延期 on the spine: validates the new deadline (later than the current one, not after `latest`, the
    kind's limit) and the reason, writes the Extension and moves the replying units' deadlines.
    Returns (old deadline, new deadline, reason). The caller has checked who may extend."""

    new = check_extension_date(case.deadline, new_deadline, latest)
    reason = check_extension_reason(reason)
    old = case.deadline
    Extension.objects.create(
        case_id=case.pk, old_deadline=old or new, new_deadline=new, reason=reason, approved_by=user
    )
    Assignment.objects.filter(case_id=case.pk, is_active=True, role__in=REPLYING_ROLES).update(deadline=new)
    Case.objects.filter(pk=case.pk).update(deadline=new)
    case.deadline = new
    return old, new, reason
