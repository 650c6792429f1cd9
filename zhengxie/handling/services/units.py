"""The units' side of handling, for every kind: 签收, 申请调整 and its decision, 沟通协商, 会办意见, 答复
and the files with it (the signed letter, or the kind's several files: Kind.reply_file_*). The caller (the kind's own service) has loaded and locked its item inside a
transaction and checked the item's state; these check the unit's side, validate, and write the rows."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.apps import apps
from django.utils import timezone

from zhengxie.core.calendar import Calendar
from zhengxie.core.errors import Conflict, Forbidden, Invalid
from zhengxie.core.models import HandlingUnit
from zhengxie.core.textinput import plain_text
from zhengxie.core.uploads import save_attachment, validate

from .. import kinds
from .. import rules as r
from ..lights import REPLYING_ROLES
from ..models import Assignment, Case, Contact, Reply
from ..selectors import change_window_open, unit_answers
from .cases import copies

# The spine's free texts and their caps in characters: the services refuse longer ones with the message of
# `bounded`, the forms show the same number ("0 / N 字") and the API answers 422 by the field.
REPLY_MAX = 5000  # 答复内容 (as a 工作室's answer to a 微建议)
COMMENT_MAX = 500  # 评价意见
CONTACT_MAX = 1000  # 沟通情况
REASON_MAX = 500  # 申请调整理由, 调整审核意见, 退回理由, 延期理由
OPINION_MAX = 2000  # 会办意见


def bounded(value, name: str, field: str, limit: int, *, required: str = "") -> str:
    """A free text of the spine, stripped: `required` is the message when it is empty (else it may be),
    and it is at most `limit` characters — 「{name}不能超过{limit}字（现为N字）。」 by its field."""
    text = plain_text(value, name)
    if required and not text:
        raise Invalid(required, field=field)
    if len(text) > limit:
        raise Invalid(f"{name}不能超过{limit}字（现为{len(text)}字）。", field=field)
    return text


CHANGE_REASON_REQUIRED = "请说明申请调整的理由。"
REFUSAL_NOTE_REQUIRED = "不同意调整时请写明意见。"


def check_change_reason(reason) -> str:
    """申请调整 (退回): the unit says why, at most REASON_MAX characters."""
    return bounded(reason, "申请调整理由", "reason", REASON_MAX, required=CHANGE_REASON_REQUIRED)


def check_change_decision(grant: bool, note) -> str:
    """审核调整申请: a refusal says why (the unit goes on with it); a note at most REASON_MAX characters."""
    return bounded(note, "审核意见", "note", REASON_MAX, required="" if grant else REFUSAL_NOTE_REQUIRED)


def as_date(value, label: str, field: str) -> datetime.date | None:
    """A date from a form or the API (YYYY-MM-DD), or None when empty."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise Invalid(f"{label}格式不正确（应为 YYYY-MM-DD）。", field=field)


def my_assignment(user, case: Case, *roles) -> Assignment | None:
    """The user's unit's active assignment on this case (of these roles), or None."""
    if not r.is_unit_user(user):
        return None
    qs = Assignment.objects.filter(
        case_id=case.pk, unit_id=user.handling_unit_id, is_active=True
    ).select_related("unit")
    if roles:
        qs = qs.filter(role__in=roles)
    return qs.first()


def _mine(user, case, verb: str, *roles) -> Assignment:
    a = my_assignment(user, case, *roles)
    if a is None:
        raise Forbidden(f"只有承办单位的工作人员可以{verb}。")
    return a


def resolve_unit(organisation, unit, field="lead_unit") -> HandlingUnit:
    """An active handling unit of this organisation, from an instance or an id; else Invalid."""
    pk = getattr(unit, "pk", unit)
    u = None
    if pk not in (None, ""):
        try:
            u = HandlingUnit.objects.filter(
                pk=int(pk), organisation_id=organisation.pk, is_active=True
            ).first()
        except (TypeError, ValueError):
            u = None
    if u is None:
        raise Invalid("请选择本级政协的承办单位。", field=field)
    return u


def acknowledge(*, user, case: Case) -> Assignment:
    """签收: a handler of an assigned unit confirms receipt (once)."""
    label = kinds.get(case.kind).label
    a = _mine(user, case, f"签收{label}")
    if a.acknowledged_at is not None:
        raise Conflict(f"本单位已签收该{label}。", code="already_acknowledged")
    a.acknowledged_at = timezone.now()
    a.acknowledged_by = user
    a.save(update_fields=["acknowledged_at", "acknowledged_by"])
    return a


def request_change(*, user, case: Case, reason) -> Assignment:
    """申请调整/退回: within "<prefix>.change_request_days" working days of receipt, before replying."""
    kind = kinds.get(case.kind)
    a = _mine(user, case, "申请调整")
    if a.change_status == Assignment.ChangeStatus.PENDING:
        raise Conflict("本单位已申请调整，正在等待审核。", code="change_pending")
    if Reply.objects.filter(assignment=a).exists():
        raise Conflict("本单位已答复，不能再申请调整。", code="already_replied")
    reason = check_change_reason(reason)
    if not change_window_open(case, a):
        days = kind.days(case.organisation, "change_request_days")
        raise Invalid(
            f"已超过申请调整期限（签收后 {days} 个工作日内），请与{kind.office_label}联系。", field="reason"
        )
    a.change_status = Assignment.ChangeStatus.PENDING
    a.change_reason = reason
    a.save(update_fields=["change_status", "change_reason"])
    return a


def decide_change(*, user, case: Case, assignment, grant: bool, note="", new_unit=None):
    """The office grants or refuses a unit's change request; granting with `new_unit` gives that part to
    another unit. Returns (the old assignment, the new one or None, the note)."""
    kind = kinds.get(case.kind)
    if not r.is_case_office(user, case):
        raise Forbidden(f"只有本级{kind.office_label}工作人员可以审核调整申请。")
    a = Assignment.objects.select_related("unit").select_for_update(of=("self",)).get(pk=assignment)
    if a.case_id != case.pk or not a.is_active or a.change_status != Assignment.ChangeStatus.PENDING:
        raise Conflict("该调整申请不在待审核状态。", code="no_pending_change")
    note = check_change_decision(grant, note)
    a.change_decided_by = user
    a.change_decision_note = note
    if not grant:
        a.change_status = Assignment.ChangeStatus.REFUSED
        a.save(update_fields=["change_status", "change_decided_by", "change_decision_note"])
        return a, None, note
    target = None
    if new_unit not in (None, ""):
        target = resolve_unit(case.organisation, new_unit, field="new_unit")
        if Assignment.objects.filter(case_id=case.pk, unit=target, is_active=True).exists():
            raise Invalid(f"{target.name}已承办该{kind.label}。", field="new_unit")
    a.change_status = Assignment.ChangeStatus.GRANTED
    a.is_active = False
    a.save(update_fields=["change_status", "change_decided_by", "change_decision_note", "is_active"])
    new = None
    if target is not None:
        new = Assignment.objects.create(
            case_id=case.pk,
            unit=target,
            role=a.role,
            assigned_by=user,
            deadline=a.deadline,
            batch=a.batch,
            **copies(case),
        )
    if a.role == Assignment.Role.LEAD:
        follow_unit(case, new.unit_id if new else None)
    return a, new, note


def follow_unit(case: Case, unit_id: int | None) -> None:
    """The item's own unit link (Kind.item_unit) names the case's lead unit: after a granted 申请调整 the
    item's pages, lists and figures name the new unit, not the one that gave it back."""
    spec = kinds.get(case.kind).item_unit
    if not spec:
        return
    model, field = spec.rsplit(".", 1)
    apps.get_model(model).objects.filter(case_id=case.pk).update(**{f"{field}_id": unit_id})


def record_contact(*, user, case: Case, contacted_on, method, summary) -> Contact:
    """沟通协商: the unit records a contact with the proposer (not in the future, not before assignment)."""
    a = _mine(user, case, "记录沟通情况")
    day = as_date(contacted_on, "联系日期", "contacted_on")
    check_contact_date(day, timezone.localdate(a.assigned_at))
    if method not in Contact.Method.values:
        raise Invalid("请选择沟通方式：" + "、".join(Contact.Method.labels) + "。", field="method")
    summary = bounded(summary, "沟通情况", "summary", CONTACT_MAX, required="请填写沟通情况。")
    c = Contact.objects.create(
        assignment=a, contacted_on=day, method=method, summary=summary, recorded_by=user
    )
    c.assignment = a
    return c


def check_contact_date(day, assigned_on=None) -> None:
    """A contact is recorded for a day neither in the future nor before the assignment."""
    if day is None:
        raise Invalid("请填写联系日期。", field="contacted_on")
    if day > timezone.localdate():
        raise Invalid("联系日期不能晚于今天。", field="contacted_on")
    if assigned_on is not None and day < assigned_on:
        raise Invalid("联系日期不能早于交办日期。", field="contacted_on")


def co_opinion(*, user, case: Case, opinion) -> Assignment:
    """会办意见: a co-unit sends its opinion to the lead unit (this also counts as receipt)."""
    a = my_assignment(user, case, Assignment.Role.CO)
    if a is None:
        raise Forbidden("只有会办单位可以提交会办意见。")
    opinion = bounded(opinion, "会办意见", "opinion", OPINION_MAX, required="请填写会办意见。")
    a.co_opinion = opinion
    a.co_opinion_at = timezone.now()
    if a.acknowledged_at is None:
        a.acknowledged_at, a.acknowledged_by = a.co_opinion_at, user
    a.save(update_fields=["co_opinion", "co_opinion_at", "acknowledged_at", "acknowledged_by"])
    return a


def result_classes(case: Case) -> list[str]:
    kind = kinds.get(case.kind)
    return list(kind.setting(case.organisation, "result_classes")) if kind.uses_classes else []


def check_reply(user, case: Case, result_class, content, *, signing=False):
    """What a reply (or a reply draft waiting for 签发) must be: a replying unit's (主办, or each 分办 unit for
    its part) that still owes one, with nothing waiting for its head (unless `signing` that), a class where
    the kind uses classes, and a text. Returns (assignment, the unit answers, result class, content)."""
    kind = kinds.get(case.kind)
    a = my_assignment(user, case, *REPLYING_ROLES)
    if a is None:
        raise Forbidden(f"只有主办单位（或分办单位）可以答复该{kind.label}。")
    answers = unit_answers(case)
    mine = next((x for x in answers if x.assignment.pk == a.pk), None)
    if mine is not None and not mine.awaited:
        raise Conflict(f"本单位已答复，正在等待{kind.rater_label}评价。", code="already_replied")
    if a.signoff == "pending" and not signing:
        raise Conflict("本单位的答复稿正在等待负责人签发。", code="signoff_pending")
    classes = result_classes(case)
    if classes and result_class not in classes:
        raise Invalid(f"答复类别须为 {'、'.join(classes)} 之一。", field="result_class")
    if not classes:
        result_class = ""
    content = bounded(content, "答复内容", "content", REPLY_MAX, required="请填写答复内容。")
    return a, answers, result_class, content


TYPE_NAMES = {"pdf": "PDF", "docx": "Word .docx", "xlsx": "Excel .xlsx", "png": "PNG", "jpg": "JPEG"}


def file_types_label(kind) -> str:
    """The file types the kind's reply takes, as a user reads them: "PDF 或 Word .docx"."""
    names = [TYPE_NAMES[k] for k in kind.reply_file_types]
    return names[0] if len(names) == 1 else "、".join(names[:-1]) + " 或 " + names[-1]


def check_reply_files(kind, uploads) -> list:
    """The uploads a reply of this kind may carry: one letter unless Kind.reply_file_many, each of the kind's
    types by its content (the first refused is named, nothing is stored). Returns them, rewound."""
    uploads = [u for u in uploads or () if u]
    if len(uploads) > 1 and not kind.reply_file_many:
        raise Invalid(f"只能上传一个{kind.reply_file_label}文件。", field="file")
    for u in uploads:
        try:
            validate(u, kind.reply_file_types)
        except Invalid as exc:
            name = f"{u.name}：" if kind.reply_file_many else ""
            raise Invalid(f"{name}{exc.message}", field=exc.field)
        finally:
            u.seek(0)
    return uploads


def save_reply_files(kind, uploads, *, target, user) -> list:
    """Store a reply's files (checked by check_reply_files first); photos without their EXIF/GPS."""
    return [
        save_attachment(
            u,
            target=target,
            user=user,
            purpose="reply_letter",
            allowed=kind.reply_file_types,
            strip_metadata=True,
        )
        for u in check_reply_files(kind, uploads)
    ]


def as_uploads(value) -> list:
    """One upload, a list of them, or none, as a list."""
    if value is None:
        return []
    return [u for u in value if u] if isinstance(value, (list, tuple)) else [value]


def acknowledge_by_reply(a: Assignment, user, now) -> None:
    """A reply (or a draft of one) is also the receipt when the unit had not signed for the item."""
    if a.acknowledged_at is None:
        a.acknowledged_at, a.acknowledged_by = now, user
        a.save(update_fields=["acknowledged_at", "acknowledged_by"])


def reply(
    *,
    user,
    case: Case,
    result_class,
    content,
    letter=None,
    letter_target=None,
    due=None,
    draft=None,
    signed=False,
):
    """答复: a replying unit (主办, or each 分办 unit for its part) replies, with a class where the kind uses
    classes, and optionally its signed letter — or, where the kind takes several files (Kind.reply_file_many),
    `letter` is a list of them. With `draft` the unit head signs off (签发) the draft a handler wrote (its
    text, class and files; `user` is the head); `signed`: the head replies and signs it at once.
    Returns (reply, the unit answers before this reply, the answers still owed by other units)."""
    kind = kinds.get(case.kind)
    if draft is not None:
        result_class, content = draft.result_class, draft.content
    a, answers, result_class, content = check_reply(
        user, case, result_class, content, signing=draft is not None
    )
    uploads = check_reply_files(kind, as_uploads(letter))
    att, files = None, []
    if draft is not None:
        att, files = draft.letter, list(draft.files.all()) if kind.reply_file_many else []
    if uploads:
        saved = save_reply_files(kind, uploads, target=letter_target or case, user=user)
        if kind.reply_file_many:
            files = saved
        else:
            att = saved[0]
    now = timezone.now()
    acknowledge_by_reply(a, user, now)
    # 分办 units may run on their own deadlines (one re-handles while the others are done).
    if due is None:
        due = a.deadline if a.role == Assignment.Role.PARALLEL else case.deadline
    on_time = due is None or timezone.localdate(now) <= due
    sign = draft is not None or signed
    rp = Reply.objects.create(
        case_id=case.pk,
        assignment=a,
        result_class=result_class,
        content=content,
        letter=att,
        round=case.round,
        replied_by=draft.drafted_by if draft is not None else user,
        replied_at=now,
        on_time=on_time,
        signed_by=user if sign else None,
        signed_at=now if sign else None,
    )
    if files:
        rp.files.add(*files)
    rp.assignment = a
    still_owed = [x for x in answers if x.awaited and x.assignment.pk != a.pk]
    return rp, answers, still_owed


def attach_letter(*, user, case: Case, upload, target=None):
    """Attach (or replace) the signed reply letter (答复函, PDF or Word) of the unit's latest reply; where the
    kind takes several files (Kind.reply_file_many) add them (`upload`: one or a list) to it instead.
    Returns (the assignment, the files stored)."""
    kind = kinds.get(case.kind)
    a = my_assignment(user, case, *REPLYING_ROLES)
    if a is None:
        raise Forbidden(f"只有主办单位（或分办单位）可以上传{kind.reply_file_label}。")
    rp = Reply.objects.filter(case_id=case.pk, assignment=a).order_by("-replied_at", "-id").first()
    if rp is None:
        raise Conflict("尚无答复，请先答复。")
    uploads = as_uploads(upload)
    if not uploads:
        raise Invalid("请选择要上传的文件。", field="file")
    saved = save_reply_files(kind, uploads, target=target or case, user=user)
    if kind.reply_file_many:
        rp.files.add(*saved)
    else:
        rp.letter = saved[0]
        rp.save(update_fields=["letter"])
    return a, saved


def check_units(organisation, lead_unit, co_units=(), parallel_units=(), kind=None):
    """The units of an assignment: one lead (主办) with co-units (会办), or several units each answering
    their part (分办: the lead and the parallel ones), all active units of this organisation.
    Returns (lead, co-units, parallel units or [])."""
    lead = resolve_unit(organisation, lead_unit)
    parallel = [lead]
    for u in parallel_units or ():
        pu = resolve_unit(organisation, u, field="parallel_units")
        if pu.pk not in {x.pk for x in parallel}:
            parallel.append(pu)
    if len(parallel) == 1:
        parallel = []
    elif co_units:
        label = kind.label if kind else "事项"
        raise Invalid(f"分办的{label}由各单位分别答复，不再指定会办单位。", field="co_units")
    cos = []
    for u in co_units or ():
        cu = resolve_unit(organisation, u, field="co_units")
        if cu.pk == lead.pk:
            raise Invalid("主办单位不能同时作为会办单位。", field="co_units")
        if cu.pk not in {c.pk for c in cos}:
            cos.append(cu)
    return lead, cos, parallel


def check_deadline(value) -> datetime.date | None:
    """A deadline given for an assignment is later than today (None: the kind's default applies)."""
    deadline = as_date(value, "办理期限", "deadline")
    if deadline is not None and deadline <= timezone.localdate():
        raise Invalid("办理期限须晚于今天。", field="deadline")
    return deadline


@dataclass
class Assigned:
    lead: HandlingUnit
    cos: list
    parallel: list  # empty unless 分办
    deadline: datetime.date
    co_deadline: datetime.date
    at: datetime.datetime


def default_deadline(case: Case, start: datetime.date) -> datetime.date:
    """`<prefix>.reply_days` after `start`, in working days when the kind counts them (微建议), else days."""
    kind = kinds.get(case.kind)
    days = kind.days(case.organisation, "reply_days")
    if kind.working_days:
        return Calendar(case.organisation).add(start, days)
    return start + datetime.timedelta(days=days)


def assign(
    *, user, case: Case, lead_unit, co_units=(), parallel_units=(), deadline=None, co_days=None, batch=""
) -> Assigned:
    """交办 to one lead unit (主办) and optional co-units (会办, who send an opinion within `co_days` days), or
    to several units that each answer their part (分办: lead_unit and parallel_units). The deadline defaults
    to the kind's reply time. The caller checks who may assign and the item's state."""
    lead, cos, parallel = check_units(
        case.organisation, lead_unit, co_units, parallel_units, kinds.get(case.kind)
    )
    today = timezone.localdate()
    deadline = check_deadline(deadline) or default_deadline(case, today)
    co_deadline = min(deadline, today + datetime.timedelta(days=co_days)) if co_days else deadline
    now = timezone.now()

    def row(unit, role, due):
        return Assignment(
            case_id=case.pk,
            unit=unit,
            role=role,
            assigned_at=now,
            assigned_by=user,
            deadline=due,
            batch=batch,
            **copies(case),
        )

    # A unit assigned before and released by a granted change request is a new row (only active ones are unique).
    if parallel:
        rows = [row(u, Assignment.Role.PARALLEL, deadline) for u in parallel]
    else:
        rows = [row(lead, Assignment.Role.LEAD, deadline)] + [
            row(u, Assignment.Role.CO, co_deadline) for u in cos
        ]
    Assignment.objects.bulk_create(rows)
    return Assigned(lead, cos, parallel, deadline, co_deadline, now)
