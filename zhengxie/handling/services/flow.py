"""The whole handling of kinds that have no workflow of their own (批示落实, 微建议, 整改 items,
consultation recommendations, key tasks): the case itself carries the state.

    route → assigned → (签收) acknowledged → (答复) replied → (评价 满意/基本满意) closed
                                                            (Kind.rating_rule "all": once every rater has)
                                                            → (评价 不满意) rehandling → replied …
                                                            → (不满意, the kind only notes it) closed

A module opens such a case with `route` from inside its own service (it has checked who may route and
its own item), and the spine does the rest: the unit's inbox, the lights, the reply, the rating and the
close, which calls the kind's `on_close` hook. Case.status holds one of FLOW_STATUSES, Case.stage follows
it (STAGES). The kind is registered with `flow=True` (kinds.Kind): its page is the case page.

Each service checks, in this order: the user may see the case (else NotFound, 404), may act on it
(Forbidden, 403), the case's state allows it (Conflict, 409), then the input (Invalid, 422). The checks are
the `check_*` functions, which `allowed_actions` (the page and the API) asks too. The work itself is the
spine's (units.acknowledge / reply / attach_letter, ratings.rate, supervision.extend); here it is one
transaction with the case row locked, the case's status and stage (case_sync), its light, the timeline
(`event`), the audit entry and the notifications to whoever must act next.
"""

from __future__ import annotations

import re

from django.db import transaction
from django.utils import timezone

from zhengxie.core import audit
from zhengxie.core.errors import Conflict, Forbidden, Invalid, NotFound, ServiceError
from zhengxie.core.models import Role, User
from zhengxie.core.notifications import notify, sentence
from zhengxie.members.models import Member
from zhengxie.members.selectors import member_of

from .. import kinds
from .. import rules as r
from ..jobs import users_by_unit
from ..lights import REPLYING_ROLES, refresh
from ..models import Assignment, Case, Event, Reply
from ..selectors import all_rated, evaluation_deadline, ratable, unit_answers
from . import ratings, signoff, supervision, units
from .cases import case_sync, open_case

ASSIGNED = "assigned"
ACKNOWLEDGED = "acknowledged"
REPLIED = "replied"
REHANDLING = "rehandling"
CLOSED = "closed"
# What an item routed through the flow shows of its case (微建议, 协商建议): routed → replied → closed.
ITEM_STATUS = {
    ASSIGNED: "routed",
    ACKNOWLEDGED: "routed",
    REHANDLING: "routed",
    REPLIED: "replied",
    CLOSED: "closed",
}
FLOW_STATUSES = {
    ASSIGNED: "已交办",
    ACKNOWLEDGED: "办理中",
    REPLIED: "已答复",
    REHANDLING: "重新办理",
    CLOSED: "已办结",
}
STAGES = {
    ASSIGNED: Case.Stage.HANDLING,
    ACKNOWLEDGED: Case.Stage.HANDLING,
    REHANDLING: Case.Stage.HANDLING,
    REPLIED: Case.Stage.REPLIED,
    CLOSED: Case.Stage.CLOSED,
}
OWING = (ASSIGNED, ACKNOWLEDGED, REHANDLING)  # the unit owes a reply
VERBS = {
    "acknowledge": "签收",
    "reply": "答复",
    "attach_letter": "上传答复函",
    "rate": "评价",
    "extend": "延期",
    "sign": "签发答复",
    "request_change": "申请调整",
    "decide_change": "审核调整申请",
    "record_contact": "记录沟通情况",
}


def event(case: Case, user, action: str, label: str, detail: str = "", actor_label: str = "") -> Event:
    """A timeline entry on the case (who, when, what); `actor_label` names someone without an account."""
    who = (getattr(user, "name", "") or getattr(user, "username", "")) if user else (actor_label or "系统")
    return Event.objects.create(
        case_id=case.pk,
        actor=user if user is not None and getattr(user, "pk", None) else None,
        actor_label=who[:100],
        action=action,
        label=label[:200],
        detail=detail,
    )


def is_flow(case: Case) -> bool:
    kind = kinds.KINDS.get(case.kind)
    return kind is not None and kind.flow


# --- who may do what, when (the services and allowed_actions ask the same) --------------------------------


def _part(user, case: Case, assignments=None, roles=None) -> Assignment | None:
    """The user's unit's active assignment on the case (of these roles); `assignments`: the case's rows
    when already read."""
    if not r.is_unit_user(user):
        return None
    if assignments is None:
        return units.my_assignment(user, case, *(roles or ()))
    return next(
        (
            a
            for a in assignments
            if a.is_active and a.unit_id == user.handling_unit_id and (not roles or a.role in roles)
        ),
        None,
    )


def verb(case: Case, action: str) -> str:
    """What the action is called for this kind (上传答复函, 上传整改佐证 …)."""
    if action == "attach_letter":
        return f"上传{kinds.get(case.kind).reply_file_label}"
    return VERBS[action]


def _state(case: Case, action: str, allowed) -> None:
    if case.status not in allowed:
        label = kinds.get(case.kind).label
        now = FLOW_STATUSES.get(case.status, case.status or "未交办")
        raise Conflict(f"该{label}当前状态为「{now}」，不能{verb(case, action)}。", code="bad_state")


def check_acknowledge(user, case: Case, assignments=None) -> Assignment:
    kind = kinds.get(case.kind)
    a = _part(user, case, assignments)
    if a is None:
        raise Forbidden(f"只有承办单位的工作人员可以签收该{kind.label}。")
    _state(case, "acknowledge", OWING)
    if a.acknowledged_at is not None:
        raise Conflict(f"本单位已签收该{kind.label}。", code="already_acknowledged")
    return a


def check_reply(user, case: Case, assignments=None) -> Assignment:
    a = _part(user, case, assignments, REPLYING_ROLES)
    if a is None:
        raise Forbidden(f"只有承办单位的工作人员可以答复该{kinds.get(case.kind).label}。")
    _state(case, "reply", OWING)
    if a.signoff == "pending":
        raise Conflict("本单位的答复稿正在等待负责人签发。", code="signoff_pending")
    return a


def check_sign(user, case: Case, assignments=None) -> Assignment:
    """签发: the head of a replying unit whose handler's draft waits (services.signoff)."""
    a = signoff.check_sign(user, case, _part(user, case, assignments, REPLYING_ROLES))
    _state(case, "sign", OWING)
    return a


def check_attach_letter(user, case: Case, assignments=None) -> Assignment:
    a = _part(user, case, assignments, REPLYING_ROLES)
    if a is None:
        raise Forbidden(f"只有承办单位的工作人员可以{verb(case, 'attach_letter')}。")
    # A signed letter may follow at any time after the reply; more proof (整改佐证) only while the reply
    # waits for its rating — sent back, the unit replies again with its files; closed, it is done.
    _state(case, "attach_letter", (REPLIED,) if kinds.get(case.kind).reply_file_many else (REPLIED, CLOSED))
    return a


def check_rate(user, case: Case) -> None:
    kind = kinds.get(case.kind)
    if r.is_unit_user(user) or not kind.may_rate(case, user):
        raise Forbidden(f"只有{kind.rater_label}可以评价该{kind.label}的答复。")
    _state(case, "rate", (REPLIED,))
    # With several raters the case stays 已答复 until all have rated: one who has, waits.
    if kind.rating_rule == "all" and not ratable(unit_answers(case), _rater(user).ident):
        raise Conflict("已评价过本次答复，不能重复评价。", code="already_evaluated")


def check_extend(user, case: Case):
    """延期: the board's rule (supervision.check_extend: its office, the handling stage, and not once the
    deadline is at the kind's limit), with the flow's own state message (「当前状态为…」). Returns the limit."""
    return supervision.check_extend(user, case, state=lambda c: _state(c, "extend", OWING))


def check_request_change(user, case: Case, assignments=None) -> Assignment:
    """申请调整: the unit's handler, while the unit owes its reply and has not asked already (the window and
    the reason are the spine's units.request_change)."""
    a = _part(user, case, assignments)
    if a is None:
        raise Forbidden("只有承办单位的工作人员可以申请调整。")
    # Once the unit has replied (even when sent back to handle again) it is its item: as for proposals.
    _state(case, "request_change", (ASSIGNED, ACKNOWLEDGED))
    if a.change_status == Assignment.ChangeStatus.PENDING:
        raise Conflict("本单位已申请调整，正在等待审核。", code="change_pending")
    if a.signoff == "pending":
        raise Conflict("本单位的答复稿正在等待负责人签发。", code="signoff_pending")
    return a


def pending_changes(case: Case, assignments=None) -> list[Assignment]:
    rows = assignments if assignments is not None else list(case.assignments.select_related("unit"))
    return [a for a in rows if a.is_active and a.change_status == Assignment.ChangeStatus.PENDING]


def check_decide_change(user, case: Case, assignments=None) -> None:
    """审核调整申请: the staff of the kind's office, while a unit's request waits."""
    if not r.is_case_office(user, case):
        raise Forbidden(f"只有本级{kinds.get(case.kind).office_label}工作人员可以审核调整申请。")
    _state(case, "decide_change", OWING)
    if not pending_changes(case, assignments):
        raise Conflict("该调整申请不在待审核状态。", code="no_pending_change")


def check_record_contact(user, case: Case, assignments=None) -> Assignment:
    """沟通协商: the unit records a contact with the item's author while it handles the item."""
    a = _part(user, case, assignments)
    if a is None:
        raise Forbidden("只有承办单位的工作人员可以记录沟通情况。")
    _state(case, "record_contact", OWING)
    return a


def allowed_actions(user, case: Case, assignments=None) -> list[str]:
    """What this user may do on the case now (the page's forms, the API's `actions`); the services check
    the same. `assignments`: the case's rows when already read (no query then, but the kind's may_rate)."""
    if not is_flow(case):
        return []
    checks = {
        "acknowledge": lambda: check_acknowledge(user, case, assignments),
        "reply": lambda: check_reply(user, case, assignments),
        "attach_letter": lambda: check_attach_letter(user, case, assignments),
        "rate": lambda: check_rate(user, case),
        "extend": lambda: check_extend(user, case),
        "sign": lambda: check_sign(user, case, assignments),
        "request_change": lambda: check_request_change(user, case, assignments),
        "decide_change": lambda: check_decide_change(user, case, assignments),
        "record_contact": lambda: check_record_contact(user, case, assignments),
    }
    out = []
    for name, check in checks.items():
        try:
            check()
        except ServiceError:
            continue
        out.append(name)
    return out


# --- people to tell ------------------------------------------------------------------------------------


def unit_users(unit_ids, heads: bool = False) -> list[User]:
    people = users_by_unit(list(unit_ids))
    return [u for p in people.values() for u in p["handler"] + (p["head"] if heads else [])]


def unit_heads(unit_ids) -> list[User]:
    """The heads (负责人) of these units, who sign reply letters off."""
    people = users_by_unit(list(unit_ids))
    return [u for p in people.values() for u in p["head"]]


def office_users(case: Case) -> list[User]:
    """Staff of the office that runs the kind, in the case's organisation."""
    office = kinds.get(case.kind).office
    staff = User.objects.filter(
        organisation_id=case.organisation_id, groups__name=Role.STAFF, is_active=True
    ).distinct()
    return [u for u in staff if u.works_in(office)]


def raters(case: Case) -> list[User]:
    """Who is asked to rate a reply: the kind's answer, or the office staff whom the kind lets rate."""
    kind = kinds.get(case.kind)
    if kind.raters_users is not None:
        return list(kind.raters_users(case))
    return [u for u in office_users(case) if kind.may_rate(case, u)]


def rater_keys(case: Case) -> list[str]:
    """Who must all rate before the case closes (Kind.rating_rule "all"): each member among the raters
    ("member:<id>"). Empty — the first rating decides — under the rule "first", or when no rater is a
    member (the office rating in the item's stead, a citizen)."""
    if kinds.get(case.kind).rating_rule != "all":
        return []
    ids = Member.objects.filter(user_id__in=[u.pk for u in raters(case)]).values_list("pk", flat=True)
    return [f"member:{pk}" for pk in ids]


def _rater(user) -> ratings.Rater:
    member = member_of(user)
    if member is not None:
        return ratings.Rater(label=member.name, member=member)
    return ratings.Rater(label=user.name or user.username, key=f"user:{user.pk}")


# --- the services --------------------------------------------------------------------------------------


def _load(user, case) -> Case:
    """The case, freshly read and row-locked, if it is a flow kind's and the user may see it; else 404."""
    pk = getattr(case, "pk", case)
    c = None
    if pk not in (None, "") and str(pk).isdigit():
        c = Case.objects.select_for_update(of=("self",)).select_related("organisation").filter(pk=pk).first()
    if c is None or not is_flow(c) or not r.can_view_case(user, c):
        raise NotFound("未找到")
    return c


def _set(c: Case, status: str, **facts) -> None:
    """The case's new status (and stage), its copies on the rows and its light."""
    case_sync(c.pk, status=status, stage=STAGES[status], **facts)
    refresh([c.pk])
    c.refresh_from_db()


def _done(caller, c: Case) -> Case:
    if isinstance(caller, Case) and caller is not c:
        caller.refresh_from_db()
    return c


def _audit(user, c: Case, action: str, **after) -> None:
    audit.record(
        user,
        f"handling.{c.kind}.{action}",
        c,
        after={"status": c.status, **after},
        organisation=c.organisation,
    )


NUMBERED = re.compile(r"第\d+[条项]")  # a label's 第N条 (a report's recommendation), 第N项 (a 整改 item)


def named(title: str, label: str = "") -> str:
    """The item as a notice names it: its title and, when its label numbers it among several (「协商成果第2条」,
    「整改第3项」: the case title is the report's or the outcome's), that number once — not when the title
    already says it."""
    m = NUMBERED.search(label or "")
    return f"{title} {m.group()}" if m and m.group() not in title else title


def route(
    *,
    user,
    kind: str,
    item,
    organisation,
    title: str,
    unit,
    label: str = "",
    category: str = "",
    deadline=None,
    note: str = "",
) -> Case:
    """交办 an item to one unit: open its case, assign the unit (deadline: given, or the kind's reply time),
    put the case in handling and tell the unit's handlers. Runs inside the caller's transaction."""
    k = kinds.get(kind)
    with transaction.atomic():
        case = open_case(
            kind=kind, item=item, organisation_id=organisation.pk, title=title[:200], label=label
        )
        done = units.assign(user=user, case=case, lead_unit=unit, deadline=deadline)
        _set(
            case,
            ASSIGNED,
            title=title[:200],
            label=label,
            category=category,
            assigned_at=done.at,
            deadline=done.deadline,
        )
        event(case, user, "assign", f"交办：{done.lead.name}，期限 {done.deadline:%Y-%m-%d}", note)
        _audit(user, case, "assign", unit=done.lead.pk, deadline=done.deadline.isoformat())
        notify(
            unit_users([done.lead.pk], heads=True),
            f"新交办{k.label}：{named(title, label)}",
            f"请及时签收，并于 {done.deadline:%Y年%m月%d日} 前答复。{note}".strip(),
            url=k.url(case),
            category="handling",
        )
    return case


def acknowledge(*, user, case) -> Case:
    """签收: a handler of the assigned unit confirms receipt (a late receipt no longer turns the light
    yellow)."""
    with transaction.atomic():
        c = _load(user, case)
        check_acknowledge(user, c)
        a = units.acknowledge(user=user, case=c)
        _set(c, ACKNOWLEDGED if c.status == ASSIGNED else c.status)
        event(c, user, "acknowledge", f"{a.unit.name}签收")
        _audit(user, c, "acknowledge", unit=a.unit_id)
    return _done(case, c)


def reply(*, user, case, content, letter=None, result_class="") -> Case:
    """答复: the unit replies (with its signed letter, optional here and attachable later — or, where the
    kind takes several files, `letter` is a list of them: Kind.reply_file_many; a reply class only where
    the kind uses classes). The case is 已答复 and whoever rates is asked to. With the kind's
    `<prefix>.head_signoff` on, a handler's reply is a draft that waits for the unit head's 签发 (`sign`)."""
    with transaction.atomic():
        c = _load(user, case)
        kind = kinds.get(c.kind)
        check_reply(user, c)
        if signoff.drafts_instead(user, c):
            d = signoff.draft(user=user, case=c, result_class=result_class, content=content, letter=letter)
            unit = d.assignment.unit
            _set(c, ACKNOWLEDGED if c.status == ASSIGNED else c.status)
            event(c, user, "draft", f"{unit.name}拟稿答复，待负责人签发")
            _audit(user, c, "draft", draft=d.pk, round=d.round, letter=d.letter_id)
            notify(
                unit_heads([unit.pk]),
                f"待签发：{kind.label}答复《{c.title}》",
                f"{user.name or user.username}已拟写答复，请审核后签发或退回修改。",
                url=kind.url(c),
                category="handling",
            )
            return _done(case, c)
        rp, _answers, still_owed = units.reply(
            user=user,
            case=c,
            result_class=result_class,
            content=content,
            letter=letter,
            letter_target=c,
            signed=signoff.required(c),
        )
        _replied(c, user, rp, still_owed, "reply")
    return _done(case, c)


def sign(*, user, case, decision, reason="") -> Case:
    """签发 by the unit head of a handler's draft: "sign" sends it (the case moves on exactly as after a
    direct reply, the raters are asked), "return" sends it back to the handler with the reason."""
    with transaction.atomic():
        c = _load(user, case)
        kind = kinds.get(c.kind)
        check_sign(user, c)
        d, rp, _answers, still_owed = signoff.decide(user=user, case=c, decision=decision, reason=reason)
        if rp is not None:
            _replied(c, user, rp, still_owed, "sign")
        else:
            unit = d.assignment.unit
            event(c, user, "return_draft", f"{unit.name}负责人退回答复稿", d.return_reason)
            _audit(user, c, "return_draft", draft=d.pk, reason=d.return_reason)
            notify(
                [d.drafted_by],
                f"答复稿被退回修改：{kind.label}《{c.title}》",
                f"{user.name or user.username}：{d.return_reason}",
                url=kind.url(c),
                category="handling",
            )
    return _done(case, c)


def _replied(c: Case, user, rp, still_owed, action: str) -> None:
    """After a reply is sent (directly, or signed off from a draft): the case's state, the timeline, the
    audit entry and the raters asked to rate."""
    kind = kinds.get(c.kind)
    _set(c, ACKNOWLEDGED if still_owed else REPLIED)
    unit = rp.assignment.unit
    timing = "按期" if rp.on_time else "逾期"
    again = "重新" if rp.round > 1 else ""
    signed = f"，{user.name or user.username}签发" if action == "sign" else ""
    files = [rp.letter] if rp.letter else list(rp.files.all()) if kind.reply_file_many else []
    event(
        c,
        user,
        action,
        f"{unit.name}{again}答复（{timing}{signed}）",
        "、".join(f.original_name for f in files),
    )
    more = {"files": [f.pk for f in files]} if kind.reply_file_many else {}
    _audit(user, c, action, reply=rp.pk, on_time=rp.on_time, round=rp.round, letter=rp.letter_id, **more)
    if not still_owed:
        due = evaluation_deadline(c, rp)
        notify(
            raters(c),
            f"{kind.label}已答复，请评价：{c.title}",
            f"{unit.name}已{again}答复，请于 {due:%Y年%m月%d日} 前评价（满意、基本满意或不满意）。",
            url=kind.url(c),
            category="handling",
        )


def close_unrated(today=None) -> int:
    """A reply nobody rated within "<prefix>.evaluation_days" working days closes the case unrated (a
    citizen rarely comes back to rate; without this the case would stay 已答复 for ever and the closed
    count would read low). Returns how many closed. The daily job handling.close_unrated runs it."""
    today = today or timezone.localdate()
    flow_kinds = [k.name for k in kinds.KINDS.values() if k.flow]
    cases = list(Case.objects.filter(kind__in=flow_kinds, status=REPLIED).select_related("organisation"))
    latest = {}
    for rp in Reply.objects.filter(case_id__in=[c.pk for c in cases]).order_by("case_id", "replied_at"):
        latest[rp.case_id] = rp  # the last one wins
    closed = 0
    for c in cases:
        rp = latest.get(c.pk)
        if rp is None or evaluation_deadline(c, rp) >= today:
            continue
        with transaction.atomic():
            locked = Case.objects.select_for_update(of=("self",)).filter(pk=c.pk, status=REPLIED).first()
            if locked is None:
                continue  # rated meanwhile
            locked.organisation = c.organisation
            days = kinds.get(locked.kind).days(locked.organisation, "evaluation_days")
            _set(locked, CLOSED, closed_at=timezone.now())
            event(locked, None, "close", f"评价期限（{days}个工作日）已过，未评价，办结")
            _audit(None, locked, "close_unrated", reply=rp.pk)
            kind = kinds.get(locked.kind)
            if kind.on_close is not None:
                kind.on_close(locked)
            closed += 1
    return closed


def attach_letter(*, user, case, upload) -> Case:
    """Attach (or replace) the signed reply letter (答复函, PDF or Word .docx) of the unit's latest reply;
    where the kind takes several files (Kind.reply_file_many: 整改佐证), add them (`upload`: one or a list).
    Whoever rates is told that more came while the reply waits for them."""
    with transaction.atomic():
        c = _load(user, case)
        kind = kinds.get(c.kind)
        check_attach_letter(user, c)
        a, saved = units.attach_letter(user=user, case=c, upload=upload, target=c)
        names = "、".join(f.original_name for f in saved)
        event(c, user, "attach_letter", f"{a.unit.name}{verb(c, 'attach_letter')}", names)
        if kind.reply_file_many:
            _audit(user, c, "attach_letter", files=[f.pk for f in saved])
        else:
            _audit(user, c, "attach_letter", attachment=saved[0].pk)
        if kind.reply_file_many and c.status == REPLIED:
            notify(
                raters(c),
                f"{kind.label}补充了{kind.reply_file_label}：{c.title}",
                f"{a.unit.name}补充上传：{names}。",
                url=kind.url(c),
                category="handling",
            )
    return _done(case, c)


def rate(*, user, case, rating, comment="") -> Case:
    """评价 of the unit's latest reply by whoever the kind lets rate. 满意/基本满意 close the case (the
    kind's on_close is called; under Kind.rating_rule "all" once every member rater has rated); 不满意 sends the unit back to handle it again within
    "<prefix>.rehandle_days" days when the kind says "rehandle", else it is recorded and the case closes."""
    with transaction.atomic():
        c = _load(user, case)
        check_rate(user, c)
        _rate(c, user, _rater(user), rating, comment)
    return _done(case, c)


def rate_as(*, rater: ratings.Rater, case, rating, comment="") -> Case:
    """评价 by someone without an account — a citizen holding the tracking code of their 微建议
    (rater key "citizen:<code>"). The calling module has checked the code against its own item, so here
    only the case's state and the rating itself are checked; the timeline and the audit name the rater."""
    with transaction.atomic():
        pk = getattr(case, "pk", case)
        c = Case.objects.select_for_update(of=("self",)).select_related("organisation").filter(pk=pk).first()
        if c is None or not is_flow(c):
            raise NotFound("未找到")
        _state(c, "rate", (REPLIED,))
        _rate(c, None, rater, rating, comment)
    return _done(case, c)


def _rate(c: Case, user, rater: ratings.Rater, rating, comment) -> None:
    kind = kinds.get(c.kind)
    rated = ratings.rate(user=user, case=c, rater=rater, rating=rating, comment=comment)
    ev, a = rated.evaluation, rated.assignment
    label = f"{ev.rater_label}评价：{ev.get_rating_display()}"
    if rated.rehandle_until is not None:
        _set(c, REHANDLING, round=c.round + 1, deadline=rated.rehandle_until)
        label += f"，{a.unit.name}重新办理（第{c.round}轮）"
        notify(
            unit_users([a.unit_id], heads=True),
            f"对答复不满意，需重新办理{kind.label}：{c.title}",
            f"{ev.rater_label}：{sentence(ev.comment)}请于 {c.deadline:%Y年%m月%d日} 前重新答复。",
            url=kind.url(c),
            category="handling",
        )
    elif not all_rated(rated.answers, rater_keys(c)):
        label += "，待其他评价人评价"
    else:
        _set(c, CLOSED, closed_at=timezone.now())
        label += "，办结"
        notify(
            unit_users([a.unit_id]),
            f"{kind.label}已办结（评价：{ev.get_rating_display()}）：{c.title}",
            ev.comment,
            url=kind.url(c),
            category="handling",
        )
    event(c, user, "rate", label, ev.comment, actor_label=rater.label)
    who = {"rater": rater.label} if user is None else {}
    _audit(user, c, "rate", rating=ev.rating, reply=ev.reply_id, round=c.round, **who)
    if c.status == CLOSED and kind.on_close is not None:
        kind.on_close(c)


def extend(*, user, case, new_deadline, reason) -> Case:
    """延期 by the office that runs the kind (also from the 督办 board: the kind's `extend` defaults to this):
    the spine's extension (a later date, a reason), the light again, and the unit told."""
    with transaction.atomic():
        c = _load(user, case)
        kind = kinds.get(c.kind)
        latest = check_extend(user, c)
        old, new, reason = supervision.extend(
            user=user, case=c, new_deadline=new_deadline, reason=reason, latest=latest
        )
        _set(c, c.status)
        event(
            c,
            user,
            "extend",
            f"延期：{old:%Y-%m-%d} → {new:%Y-%m-%d}" if old else f"延期至 {new:%Y-%m-%d}",
            reason,
        )
        _audit(user, c, "extend", old=old.isoformat() if old else None, new=new.isoformat(), reason=reason)
        unit_ids = Assignment.objects.filter(case_id=c.pk, is_active=True).values_list("unit_id", flat=True)
        notify(
            unit_users(unit_ids),
            f"{kind.label}办理期限已延至 {new:%Y年%m月%d日}：{c.title}",
            reason,
            url=kind.url(c),
            category="handling",
        )
    return _done(case, c)


def request_change(*, user, case, reason) -> Case:
    """申请调整: the unit asks the kind's office to send the item to another unit (the spine's
    units.request_change: the reason, within the kind's change_request_days); the office is told."""
    with transaction.atomic():
        c = _load(user, case)
        kind = kinds.get(c.kind)
        check_request_change(user, c)
        a = units.request_change(user=user, case=c, reason=reason)
        event(c, user, "request_change", f"{a.unit.name}申请调整承办单位", a.change_reason)
        _audit(user, c, "request_change", unit=a.unit_id, assignment=a.pk, reason=a.change_reason)
        notify(
            office_users(c),
            f"{a.unit.name}申请调整{kind.label}：{c.title}",
            a.change_reason,
            url=kind.url(c),
            category="handling",
        )
    return _done(case, c)


def decide_change(*, user, case, assignment=None, grant: bool, note="", new_unit=None) -> Case:
    """审核调整申请 by the kind's office: granted, the item goes to `new_unit` (required: a flow item always
    has its unit) with the same deadline, to be acknowledged again; refused (a note), the unit goes on.
    `assignment`: the request's row, or None for the case's one pending request."""
    with transaction.atomic():
        c = _load(user, case)
        kind = kinds.get(c.kind)
        check_decide_change(user, c)
        if assignment in (None, ""):
            assignment = pending_changes(c)[0].pk
        if grant and new_unit in (None, ""):
            raise Invalid("请选择改由哪个承办单位办理。", field="new_unit")
        a, new, note = units.decide_change(
            user=user,
            case=c,
            assignment=getattr(assignment, "pk", assignment),
            grant=grant,
            note=note,
            new_unit=new_unit,
        )
        old_users = unit_users([a.unit_id], heads=True)
        if not grant:
            event(c, user, "decide_change", f"不同意{a.unit.name}的调整申请", note)
            _audit(user, c, "decide_change", assignment=a.pk, granted=False, note=note)
            notify(
                old_users,
                f"调整申请未获同意：{kind.label}《{c.title}》",
                note or "请继续办理。",
                url=kind.url(c),
                category="handling",
            )
            return _done(case, c)
        status = ASSIGNED if a.role in REPLYING_ROLES else c.status
        _set(c, status)
        label = f"同意{a.unit.name}的调整申请，改由{new.unit.name}办理"
        event(c, user, "decide_change", label, note)
        _audit(user, c, "decide_change", assignment=a.pk, granted=True, new_unit=new.unit_id, note=note)
        notify(
            old_users,
            f"调整申请已同意：{kind.label}《{c.title}》",
            note,
            url=kind.url(c),
            category="handling",
        )
        notify(
            unit_users([new.unit_id], heads=True),
            f"新交办{kind.label}：{named(c.title, c.label)}",
            f"请及时签收，并于 {new.deadline:%Y年%m月%d日} 前答复。",
            url=kind.url(c),
            category="handling",
        )
    return _done(case, c)


def record_contact(*, user, case, contacted_on, method, summary) -> Case:
    """沟通协商: the unit records a contact with the item's author (the spine's units.record_contact)."""
    with transaction.atomic():
        c = _load(user, case)
        kind = kinds.get(c.kind)
        check_record_contact(user, c)
        ct = units.record_contact(
            user=user, case=c, contacted_on=contacted_on, method=method, summary=summary
        )
        _set(c, c.status)
        event(
            c,
            user,
            "contact",
            f"{ct.assignment.unit.name}与{kind.proposer_label}沟通（{ct.get_method_display()}）",
            ct.summary,
        )
        _audit(user, c, "contact", contact=ct.pk, unit=ct.assignment.unit_id)
    return _done(case, c)
