"""The spine over the API: the unit inbox across kinds, the 督办 board figures and the unit figures.

`GET /api/v1/inbox?kind=&light=&status=&q=&page=` → {items: [{kind, id, title, deadline, light, status, url,
…}], count}: for a unit user what their unit owes; for staff, leaders and system administrators the same
across their organisation's subtree, or one unit with `unit=`.

`GET /api/v1/handling/cases/{id}` and its actions: one case of a kind without a workflow of its own (below).
"""

from __future__ import annotations

import datetime

from ninja import File, Router, Schema, UploadedFile
from ninja.pagination import PageNumberPagination, paginate
from pydantic import BaseModel

from zhengxie.core import uploads
from zhengxie.core.errors import Forbidden, NotFound, ServiceError
from zhengxie.core.pagination import Rows

from . import case_selectors, selectors, services
from . import rules as r
from .models import Reply
from .services import flow

router = Router(tags=["交办"])


class UnitRef(Schema):
    id: int
    name: str


class InboxRow(Schema):
    kind: str
    kind_label: str
    id: int
    case_id: int
    assignment_id: int
    label: str
    title: str
    deadline: datetime.date | None
    overdue: bool  # exactly: the light is red (lights.row_light)
    co_late: bool = False  # a 会办 unit's own deadline passed, its opinion still owed
    light: str | None
    status: str
    stage: str
    role: str
    role_label: str
    unit: UnitRef
    acknowledged: bool
    change_pending: bool
    url: str
    signoff: str = ""
    # 来源: where the item came from (the proposer, the 批示 and its leader, the consultation …), not its number.
    source: str = ""


def _need_inbox(user):
    if not (r.is_unit_user(user) or r.can_supervise(user)):
        raise Forbidden("只有承办单位、督办部门和领导可以查看交办事项。")


@router.get("/inbox", response=list[InboxRow], summary="承办工作台：本单位待办的各类交办事项（分页，可筛选）")
@paginate(PageNumberPagination, page_size=20)
def inbox(
    request,
    kind: str = "",
    light: str = "",
    status: str = "",
    q: str = "",
    unit: int | None = None,
    sort: str = "deadline",
):
    _need_inbox(request.user)
    qs = selectors.inbox(request.user, kind=kind, light=light, status=status, q=q, unit=unit, sort=sort)
    return Rows(qs, many=selectors.inbox_rows)


# The board and the unit figures carry some 400 rows of plain dicts: pydantic models validate them ~8 times
# faster than ninja's Schema (which wraps every row for attribute access); the JSON and the OpenAPI
# schema are the same.
class BoardTotals(BaseModel):
    red: int
    yellow: int
    green: int
    none: int
    total: int
    unacknowledged: int


class BoardUnit(BoardTotals):
    unit_id: int
    name: str
    short_name: str


class BoardKind(BaseModel):
    kind: str
    label: str
    count: int


class BoardOut(BaseModel):
    totals: BoardTotals
    units: list[BoardUnit]
    kinds: list[BoardKind]


@router.get("/handling/board", response=BoardOut, summary="督办台：在办事项按督办灯、承办单位、类型统计")
def board(request, kind: str = "", unit: int | None = None):
    if not r.can_supervise(request.user):
        raise Forbidden("只有督办部门、领导和系统管理员可以查看督办台。")
    return selectors.board(request.user, kind=kind, unit=unit)


class UnitFigure(BaseModel):
    unit_id: int
    name: str
    assigned: int
    owed: int
    late_open: int  # open, past the deadline, no reply yet: counted as late in on_time_rate
    replied: int
    on_time: int
    on_time_rate: float | None
    rehandled: int
    rated: int
    good: int
    satisfaction: float | None


@router.get(
    "/handling/units", response=list[UnitFigure], summary="各承办单位办理情况（按期答复率、满意率、重新办理）"
)
def unit_figures(request, kind: str = "", year: int | None = None):
    if not r.can_supervise(request.user):
        raise Forbidden("只有督办部门、领导和系统管理员可以查看承办单位办理情况。")
    return selectors.unit_figures(request.user, kind=kind, year=year)


class RemindIn(Schema):
    case_ids: list[int]
    note: str = ""


class RemindOut(Schema):
    reminded: int


@router.post("/handling/remind", response=RemindOut, summary="批量催办（督办台）")
def remind(request, payload: RemindIn):
    return {
        "reminded": services.cases_remind(user=request.user, case_ids=payload.case_ids, note=payload.note)
    }


# --- one case of a kind without a workflow of its own (services.flow) ------------------------------------
#
# GET /api/v1/handling/cases/{id} → the case (kind, title, label, status, stage, light, deadline, units,
# replies with letters and who signed them off, ratings, timeline, the user's unit's reply draft as
# `signoff`) and `actions`, what the user may do now; the actions are POSTs to /acknowledge, /reply
# {content} (a draft for the head when `<prefix>.head_signoff` is on), /sign {decision: sign|return,
# reason} (the unit head), /letter (multipart field `file`), /rate {rating, comment}, /extend
# {new_deadline, reason}, /change-request {reason} (the unit), /change-decision {grant, note, new_unit}
# (the kind's office) and /contacts {contacted_on, method, summary} (the unit), each answering the case afresh. Invisible → 404; not the user's to do →
# 403; not now → 409; bad input → 422 {detail, code, field}.

CODES = {422: "invalid", 403: "forbidden", 409: "conflict"}


class CaseUnit(Schema):
    id: int
    name: str
    role: str
    role_label: str
    deadline: datetime.date
    acknowledged_at: datetime.datetime | None
    is_active: bool
    # 申请调整: "" | pending | granted | refused, the unit's reason and the office's note.
    change_status: str = ""
    change_status_label: str = ""
    change_reason: str = ""
    change_decision_note: str = ""


class CaseLetter(Schema):
    id: int
    name: str
    size: int
    url: str
    api_url: str


class CaseFile(Schema):
    id: int
    name: str
    size: int
    is_image: bool
    url: str
    api_url: str


class MaterialFile(Schema):
    name: str
    url: str
    is_image: bool


class CaseMaterial(Schema):
    """What the unit needs of the item to act on it (the kind's: a 整改 item's requirement and evidence)."""

    title: str
    text: str
    files: list[MaterialFile] = []


class CaseRating(Schema):
    id: int
    reply_id: int
    rater: str
    rating: str
    rating_label: str
    comment: str
    at: datetime.datetime


class CaseReply(Schema):
    id: int
    unit: UnitRef
    round: int
    result_class: str
    content: str
    replied_at: datetime.datetime
    on_time: bool
    letter: CaseLetter | None
    # The kind's several files (reply_file_many: 整改佐证), else empty.
    files: list[CaseFile] = []
    ratings: list[CaseRating]
    signed_by: str | None = None
    signed_at: datetime.datetime | None = None


class DraftLetter(Schema):
    id: int
    name: str


class CaseSignoff(Schema):
    """The user's unit's reply draft: waiting for the head's 签发 (pending) or returned (returned)."""

    id: int
    status: str
    status_label: str
    unit: UnitRef
    result_class: str
    content: str
    letter: DraftLetter | None
    files: list[DraftLetter] = []
    drafted_by: str
    drafted_at: datetime.datetime
    return_reason: str


class CaseExtension(Schema):
    old_deadline: datetime.date
    new_deadline: datetime.date
    reason: str
    at: datetime.datetime


class CaseEvent(Schema):
    at: datetime.datetime
    actor: str
    action: str
    label: str
    detail: str


class CaseOut(Schema):
    id: int
    kind: str
    kind_label: str
    object_id: int
    title: str
    label: str
    category: str
    source: str
    materials: list[CaseMaterial] = []
    url: str
    item_url: str
    status: str
    status_label: str
    stage: str
    stage_label: str
    light: str | None
    light_label: str
    deadline: datetime.date | None
    overdue: bool
    round: int
    assigned_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    units: list[CaseUnit]
    replies: list[CaseReply]
    ratings: list[CaseRating]
    extensions: list[CaseExtension]
    timeline: list[CaseEvent]
    actions: list[str]
    signoff: CaseSignoff | None = None
    reply_file_label: str = "答复函"
    reply_file_many: bool = False


class CaseReplyIn(Schema):
    content: str = ""
    result_class: str = ""


class CaseRateIn(Schema):
    rating: str = ""
    comment: str = ""


class CaseSignIn(Schema):
    decision: str = ""
    reason: str = ""


class CaseExtendIn(Schema):
    new_deadline: str = ""
    reason: str = ""


class CaseChangeRequestIn(Schema):
    reason: str = ""


class CaseChangeDecisionIn(Schema):
    grant: bool
    note: str = ""
    new_unit: int | None = None


class CaseContactIn(Schema):
    contacted_on: str = ""
    method: str = ""
    summary: str = ""


def _flow_case(request, case_id: int):
    case = case_selectors.get_case(request.user, case_id)
    if not flow.is_flow(case):
        raise NotFound("未找到")
    return case


def _case_out(request, case_id: int) -> dict:
    case = case_selectors.with_rows(_flow_case(request, case_id))
    return case_selectors.view(case, request.user)


def _do(service, **kw):
    """Run a flow service; its error answers with a code even where the message has none."""
    try:
        return service(**kw)
    except ServiceError as exc:
        exc.code = exc.code or CODES.get(exc.status, "")
        raise


@router.get(
    "/handling/cases/{case_id}",
    response=CaseOut,
    summary="交办事项详情（办理情况、答复、评价、办理过程、可办理操作）",
)
def case_detail(request, case_id: int):
    return _case_out(request, case_id)


@router.post("/handling/cases/{case_id}/acknowledge", response=CaseOut, summary="承办单位签收")
def case_acknowledge(request, case_id: int):
    _do(flow.acknowledge, user=request.user, case=_flow_case(request, case_id))
    return _case_out(request, case_id)


@router.post("/handling/cases/{case_id}/reply", response=CaseOut, summary="承办单位答复（答复函另行上传）")
def case_reply(request, case_id: int, payload: CaseReplyIn):
    _do(
        flow.reply,
        user=request.user,
        case=_flow_case(request, case_id),
        content=payload.content,
        result_class=payload.result_class,
    )
    return _case_out(request, case_id)


@router.post(
    "/handling/cases/{case_id}/letter",
    response=CaseOut,
    summary="上传答复函（PDF 或 Word .docx，multipart 字段 file）；整改佐证等可多个文件的事项（reply_file_many）"
    "可重复 file 字段上传多个，照片（JPEG/PNG）去除位置等元数据后保存",
)
def case_letter(request, case_id: int, file: list[UploadedFile] = File(...)):  # noqa: B008
    _do(flow.attach_letter, user=request.user, case=_flow_case(request, case_id), upload=list(file))
    return _case_out(request, case_id)


@router.post(
    "/handling/cases/{case_id}/rate",
    response=CaseOut,
    summary="评价答复（rating：satisfied 满意 / basically_satisfied 基本满意 / unsatisfied 不满意，不满意须写明意见）",
)
def case_rate(request, case_id: int, payload: CaseRateIn):
    _do(
        flow.rate,
        user=request.user,
        case=_flow_case(request, case_id),
        rating=payload.rating,
        comment=payload.comment,
    )
    return _case_out(request, case_id)


@router.post(
    "/handling/cases/{case_id}/sign",
    response=CaseOut,
    summary="单位负责人签发答复稿（decision：sign 签发 / return 退回修改，退回须写明 reason）",
)
def case_sign(request, case_id: int, payload: CaseSignIn):
    _do(
        flow.sign,
        user=request.user,
        case=_flow_case(request, case_id),
        decision=payload.decision,
        reason=payload.reason,
    )
    return _case_out(request, case_id)


@router.post("/handling/cases/{case_id}/extend", response=CaseOut, summary="延期（负责该类事项的科室）")
def case_extend(request, case_id: int, payload: CaseExtendIn):
    _do(
        flow.extend,
        user=request.user,
        case=_flow_case(request, case_id),
        new_deadline=payload.new_deadline,
        reason=payload.reason,
    )
    return _case_out(request, case_id)


@router.post(
    "/handling/cases/{case_id}/change-request",
    response=CaseOut,
    summary="承办单位申请调整（退回），须写明 reason；由负责该类事项的科室审核",
)
def case_change_request(request, case_id: int, payload: CaseChangeRequestIn):
    _do(flow.request_change, user=request.user, case=_flow_case(request, case_id), reason=payload.reason)
    return _case_out(request, case_id)


@router.post(
    "/handling/cases/{case_id}/change-decision",
    response=CaseOut,
    summary="审核调整申请（负责该类事项的科室）：grant=true 须给 new_unit（改由该单位办理），"
    "grant=false 不同意，note 写明意见",
)
def case_change_decision(request, case_id: int, payload: CaseChangeDecisionIn):
    _do(
        flow.decide_change,
        user=request.user,
        case=_flow_case(request, case_id),
        grant=payload.grant,
        note=payload.note,
        new_unit=payload.new_unit,
    )
    return _case_out(request, case_id)


@router.post(
    "/handling/cases/{case_id}/contacts",
    response=CaseOut,
    summary="承办单位记录与提出人的沟通情况（contacted_on YYYY-MM-DD，method：visit/meeting/phone/online，summary）",
)
def case_contact(request, case_id: int, payload: CaseContactIn):
    _do(
        flow.record_contact,
        user=request.user,
        case=_flow_case(request, case_id),
        contacted_on=payload.contacted_on,
        method=payload.method,
        summary=payload.summary,
    )
    return _case_out(request, case_id)


@router.get(
    "/handling/cases/{case_id}/replies/{reply_id}/letter", summary="下载答复函（与事项同样的查看权限）"
)
def case_letter_download(request, case_id: int, reply_id: int):
    case = _flow_case(request, case_id)
    letter = selectors.reply_letter(case.pk, reply_id)
    response = uploads.download(letter) if letter is not None else None
    if response is None:
        raise NotFound("未找到")
    return response


@router.get(
    "/handling/cases/{case_id}/replies/{reply_id}/files/{file_id}",
    summary="下载答复附件（整改佐证等，与事项同样的查看权限）",
)
def case_file_download(request, case_id: int, reply_id: int, file_id: int):
    case = _flow_case(request, case_id)
    rp = Reply.objects.filter(pk=reply_id, case_id=case.pk).first()
    att = rp.files.filter(pk=file_id).first() if rp is not None else None
    response = uploads.download(att) if att is not None else None
    if response is None:
        raise NotFound("未找到")
    return response
