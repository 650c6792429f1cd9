"""Proposals JSON API under /api/v1 (stable contract).

Same permissions as the pages: invisible → 404, invalid input → 422, forbidden → 403, illegal transition
→ 409, each with a Chinese `detail` (and `code` where useful). Lists are {"items", "count"}.
"""

from __future__ import annotations

import datetime
import json
from typing import Literal

from django.http import Http404
from django.urls import reverse
from ninja import File, Router, Schema, UploadedFile
from ninja.pagination import PageNumberPagination, paginate
from pydantic import Field

from zhengxie.core import uploads
from zhengxie.core.documents import file_response
from zhengxie.core.errors import Invalid
from zhengxie.core.exports import CONTENT_TYPES
from zhengxie.core.pagination import Rows
from zhengxie.handling import selectors as spine_selectors
from zhengxie.handling.api import CaseSignoff
from zhengxie.handling.services import signoff

from . import documents, selectors, services
from .models import Assignment, Proposal
from .rules import may_download_reply_template

router = Router(tags=["提案"])

Status = Literal[
    "draft",
    "awaiting_cosigners",
    "submitted",
    "accepted",
    "rejected",
    "converted",
    "merged",
    "assigned",
    "handling",
    "replied",
    "rehandling",
    "closed",
]
LightStr = Literal["green", "yellow", "red"]


# --- schemas ----------------------------------------------------------------------------------------------


class SessionOut(Schema):
    id: int
    name: str
    year: int


class ProposalUnitRef(Schema):
    id: int
    name: str


class SignerOut(Schema):
    member_id: int
    name: str
    role: str
    status: str
    via_merge: int | None = None


class ContactOut(Schema):
    id: int
    contacted_on: datetime.date
    method: str
    summary: str


class AssignmentOut(Schema):
    id: int
    unit_id: int
    unit_name: str
    role: Literal["lead", "co", "parallel"]
    deadline: datetime.date
    assigned_at: datetime.datetime
    acknowledged_at: datetime.datetime | None = None
    is_active: bool
    change_status: str
    change_reason: str
    co_opinion: str
    batch: str
    contacts: list[ContactOut]


class ProposalReplyOut(Schema):
    id: int
    result_class: str
    content: str
    replied_at: datetime.datetime
    round: int
    on_time: bool
    unit_name: str
    letter_url: str | None = None
    # Extensions: which unit answered (分办: one reply per unit), and the letter over the API (token auth).
    unit_id: int | None = None
    assignment_id: int | None = None
    letter_api_url: str | None = None
    # 签发: the unit head who signed the letter off, and when (None unless "proposals.head_signoff").
    signed_by: str | None = None
    signed_at: datetime.datetime | None = None


class EvaluationOut(Schema):
    member_id: int
    member_name: str
    reply_id: int
    rating: Literal["satisfied", "basically_satisfied", "unsatisfied"]
    comment: str
    created_at: datetime.datetime


class ProposalEventOut(Schema):
    at: datetime.datetime
    actor: str
    action: str
    label: str
    detail: str = ""


class ProposalOut(Schema):
    id: int
    title: str
    reasons: str
    suggestions: str
    category: str
    kind: Literal["individual", "joint", "collective"]
    status: Status
    status_label: str
    number: int | None = None
    number_label: str
    light: LightStr | None = None
    deadline: datetime.date | None = None
    session: SessionOut
    collective_body: str
    research_note: str
    is_key: bool
    key_leader: str | None = None
    is_excellent: bool
    rehandle_round: int
    reject_reason: str
    review_note: str
    converted_to: str
    merged_into: int | None = None
    submitted_at: datetime.datetime | None = None
    accepted_at: datetime.datetime | None = None
    assigned_at: datetime.datetime | None = None
    replied_at: datetime.datetime | None = None
    closed_at: datetime.datetime | None = None
    signers: list[SignerOut]
    assignments: list[AssignmentOut]
    replies: list[ProposalReplyOut]
    evaluations: list[EvaluationOut]
    timeline: list[ProposalEventOut]
    allowed_actions: list[str]
    # The user's unit's reply draft waiting for its head's 签发, or returned (the unit's users only).
    signoff: CaseSignoff | None = None


class ProposalRow(Schema):
    id: int
    title: str
    category: str
    kind: str
    status: Status
    status_label: str
    number: int | None = None
    number_label: str
    light: LightStr | None = None
    deadline: datetime.date | None = None
    session: SessionOut
    lead_member: str | None = None
    signers: list[str]
    lead_unit: ProposalUnitRef | None = None
    is_key: bool
    is_excellent: bool
    submitted_at: datetime.datetime | None = None


class SimilarOut(Schema):
    id: int
    title: str
    score: float
    status: str
    session: str
    number: int | None = None


class ProposalIn(Schema):
    title: str
    reasons: str = ""
    suggestions: str = ""
    category: str
    kind: Literal["individual", "joint", "collective"] = "individual"
    cosigner_ids: list[int] = Field(default_factory=list)
    collective_body: str = ""
    research_note: str = ""
    session_id: int | None = None


class ProposalPatch(Schema):
    title: str | None = None
    reasons: str | None = None
    suggestions: str | None = None
    category: str | None = None
    kind: Literal["individual", "joint", "collective"] | None = None
    cosigner_ids: list[int] | None = None
    collective_body: str | None = None
    research_note: str | None = None


class CosignIn(Schema):
    agree: bool


class ProposalReviewIn(Schema):
    decision: Literal["accept", "reject", "to_suggestion", "to_opinion", "merge"]
    reason: str = ""
    merge_into: int | None = None
    category: str | None = None


class AssignIn(Schema):
    lead_unit_id: int
    co_unit_ids: list[int] = Field(default_factory=list)
    deadline: datetime.date | None = None
    # 分办: with other units here, lead_unit_id and these each answer their part (no co-units then).
    parallel_unit_ids: list[int] = Field(default_factory=list)


class BatchAssignIn(AssignIn):
    proposal_ids: list[int]


class ReasonIn(Schema):
    reason: str


class DecideChangeIn(Schema):
    assignment_id: int
    grant: bool
    note: str = ""
    new_unit_id: int | None = None


class ContactIn(Schema):
    contacted_on: datetime.date
    method: Literal["visit", "meeting", "phone", "online"]
    summary: str


class CoOpinionIn(Schema):
    opinion: str


class ProposalReplyIn(Schema):
    result_class: str
    content: str


class EvaluateIn(Schema):
    rating: Literal["satisfied", "basically_satisfied", "unsatisfied"]
    comment: str = ""
    member_id: int | None = None
    # 分办: which unit's reply is rated when several wait (otherwise the one waiting).
    reply_id: int | None = None


class ExtendIn(Schema):
    new_deadline: datetime.date
    reason: str


class KeyIn(Schema):
    is_key: bool = True
    leader_id: int | None = None


class ExcellentIn(Schema):
    value: bool = True


class CloseIn(Schema):
    reason: str = Field("", max_length=500, description="仍予办结的理由：有会办单位从未提出会办意见时必填")


# --- serialisation ----------------------------------------------------------------------------------------


def _session(s) -> dict:
    return {"id": s.pk, "name": s.name, "year": s.year}


def _attachment_url(att) -> str | None:
    return reverse("core:attachment", args=[att.pk]) if att is not None else None


def serialize(p: Proposal, user) -> dict:
    """The full representation; `p` comes from selectors.detail_prefetch (a fixed number of queries)."""
    return {
        "id": p.pk,
        "title": p.title,
        "reasons": p.reasons,
        "suggestions": p.suggestions,
        "category": p.category,
        "kind": p.kind,
        "status": p.status,
        "status_label": p.get_status_display(),
        "number": p.number,
        "number_label": p.number_label,
        "light": p.light or None,
        "deadline": p.deadline,
        "session": _session(p.session),
        "collective_body": p.collective_body,
        "research_note": p.research_note,
        "is_key": p.is_key,
        "key_leader": p.key_leader.name if p.key_leader_id else None,
        "is_excellent": p.is_excellent,
        "rehandle_round": p.rehandle_round,
        "reject_reason": p.reject_reason,
        "review_note": p.review_note,
        "converted_to": p.converted_to,
        "merged_into": p.merged_into_id,
        "submitted_at": p.submitted_at,
        "accepted_at": p.accepted_at,
        "assigned_at": p.assigned_at,
        "replied_at": p.replied_at,
        "closed_at": p.closed_at,
        "signers": [
            {
                "member_id": s.member_id,
                "name": s.member.name,
                "role": s.role,
                "status": s.status,
                "via_merge": s.via_merge_id,
            }
            for s in p.signers.all()
        ],
        "assignments": [
            {
                "id": a.pk,
                "unit_id": a.unit_id,
                "unit_name": a.unit.name,
                "role": a.role,
                "deadline": a.deadline,
                "assigned_at": a.assigned_at,
                "acknowledged_at": a.acknowledged_at,
                "is_active": a.is_active,
                "change_status": a.change_status,
                "change_reason": a.change_reason,
                "co_opinion": a.co_opinion,
                "batch": a.batch,
                "contacts": [
                    {"id": c.pk, "contacted_on": c.contacted_on, "method": c.method, "summary": c.summary}
                    for c in a.contacts.all()
                ],
            }
            for a in p.assignments.all()  # in the detail's order (selectors: active, then 主办 first)
        ],
        "replies": [
            {
                "id": rp.pk,
                "result_class": rp.result_class,
                "content": rp.content,
                "replied_at": rp.replied_at,
                "round": rp.round,
                "on_time": rp.on_time,
                "unit_name": rp.assignment.unit.name,
                "letter_url": _attachment_url(rp.letter),
                "unit_id": rp.assignment.unit_id,
                "assignment_id": rp.assignment_id,
                "letter_api_url": f"/api/v1/proposals/{p.pk}/replies/{rp.pk}/letter"
                if rp.letter_id
                else None,
                "signed_by": (rp.signed_by.name or rp.signed_by.username) if rp.signed_by_id else None,
                "signed_at": rp.signed_at,
            }
            for rp in p.replies.all()
        ],
        "evaluations": [
            {
                "member_id": e.member_id,
                "member_name": e.member.name,
                "reply_id": e.reply_id,
                "rating": e.rating,
                "comment": e.comment,
                "created_at": e.created_at,
            }
            for e in p.evaluations.all()
        ],
        "timeline": [
            {
                "at": ev.at,
                "actor": ev.actor_label or (ev.actor.name if ev.actor_id else ""),
                "action": ev.action,
                "label": ev.label,
                "detail": ev.detail,
            }
            for ev in p.events.all()
        ],
        "allowed_actions": sorted(selectors.allowed_actions(user, p)),
        "signoff": signoff.view(selectors.unit_draft(user, p)),
    }


def _row(p: Proposal) -> dict:
    lead = next((a for a in p.active_assignments if a.role == Assignment.Role.LEAD), None)
    return {
        "id": p.pk,
        "title": p.title,
        "category": p.category,
        "kind": p.kind,
        "status": p.status,
        "status_label": p.get_status_display(),
        "number": p.number,
        "number_label": p.number_label,
        "light": p.light or None,
        "deadline": p.deadline,
        "session": _session(p.session),
        "lead_member": p.lead_member.name if p.lead_member_id else (p.collective_body or None),
        "signers": [s.member.name for s in p.signers.all() if s.status == "agreed"],
        "lead_unit": {"id": lead.unit_id, "name": lead.unit.name} if lead else None,
        "is_key": p.is_key,
        "is_excellent": p.is_excellent,
        "submitted_at": p.submitted_at,
    }


def _full(request, pk) -> dict:
    return serialize(selectors.get_proposal(request.user, pk, full=True), request.user)


def _get(request, pk) -> Proposal:
    return selectors.get_proposal(request.user, pk)


DOCX = CONTENT_TYPES["docx"]


# --- endpoints --------------------------------------------------------------------------------------------


@router.post("/proposals", response={201: ProposalOut}, summary="起草提案（草稿）")
def create(request, payload: ProposalIn):
    data = payload.dict()
    session = data.pop("session_id")
    p = services.proposal_create(user=request.user, session=session, **data)
    return 201, _full(request, p.pk)


@router.get("/proposals", response=list[ProposalRow], summary="提案列表（分页，可筛选、检索）")
@paginate(PageNumberPagination, page_size=20)
def list_proposals(
    request,
    status: str = "",
    category: str = "",
    unit: int | None = None,
    light: str = "",
    q: str = "",
    session: int | None = None,
    key: bool | None = None,
    mine: bool = False,
    proposer: str = "",
    sort: str = "",
):
    """`proposer`: a proposer's name (lead or co-signer) or a collective body holds it; `sort`: number,
    title, proposer, category, deadline, status or submitted, "-" before it for descending (an unknown key
    keeps the default order: session, then number)."""
    qs = selectors.proposal_list(
        request.user,
        session=session,
        status=status or None,
        category=category or None,
        unit=unit,
        light=light or None,
        key=key,
        q=q,
        proposer=proposer[:40],
        sort=sort,
        mine=mine,
    )
    return Rows(qs, _row, kept="proposals")  # the count kept per data version and scope (core.datacache)


@router.get("/proposals/{int:pk}", response=ProposalOut, summary="提案详情（含交办、答复、评价、办理过程）")
def detail(request, pk: int):
    return _full(request, pk)


@router.patch("/proposals/{int:pk}", response=ProposalOut, summary="修改草稿")
def update(request, pk: int, payload: ProposalPatch):
    p = _get(request, pk)
    services.proposal_update(user=request.user, proposal=p, **payload.dict(exclude_unset=True))
    return _full(request, pk)


@router.get("/proposals/{int:pk}/similar", response=list[SimilarOut], summary="相似提案（并案参考）")
def similar(request, pk: int, limit: int = 10):
    p = _get(request, pk)
    return selectors.similar_proposals(
        request.user,
        text=f"{p.title}\n{p.reasons}\n{p.suggestions}",
        exclude_id=p.pk,
        limit=max(1, min(limit, 50)),
    )


def _action(path: str, summary: str):
    return router.post(f"/proposals/{{int:pk}}/{path}", response=ProposalOut, summary=summary)


@_action("submit", '提交（联名提案进入待附议）；可带 {"confirm_single_matter": true} 或同名查询参数')
def submit(request, pk: int, confirm_single_matter: bool = False):
    """The body is optional: an empty POST submits; `confirm_single_matter` confirms a flagged 一事一案 warning."""
    confirm = confirm_single_matter or bool(_optional_json(request).get("confirm_single_matter"))
    services.proposal_submit(user=request.user, proposal=_get(request, pk), confirm_single_matter=confirm)
    return _full(request, pk)


class WithdrawIn(Schema):
    reason: str = ""


@_action("withdraw", "撤回（第一提案人，立案审查前）：提案退回草稿，附议与加入申请失效；可附撤回说明")
def withdraw(request, pk: int, payload: WithdrawIn | None = None):
    p = _get(request, pk)
    services.proposal_withdraw(user=request.user, proposal=p, reason=(payload.reason if payload else ""))
    return _full(request, pk)


@router.delete("/proposals/{int:pk}", response={204: None}, summary="删除草稿（只有起草人、只有草稿）")
def delete_draft(request, pk: int):
    services.proposal_delete_draft(user=request.user, proposal=_get(request, pk))
    return 204, None


def _optional_json(request) -> dict:
    if not request.body or "json" not in request.content_type:
        return {"confirm_single_matter": request.POST.get("confirm_single_matter") in ("1", "true", "on")}
    try:
        data = json.loads(request.body)
    except ValueError:
        raise Invalid("请求内容不是有效的 JSON。")
    return data if isinstance(data, dict) else {}


@_action("cosign", "附议（agree=true）或拒绝附议")
def cosign(request, pk: int, payload: CosignIn):
    services.proposal_cosign(user=request.user, proposal=_get(request, pk), agree=payload.agree)
    return _full(request, pk)


@_action("drop_decliners", "移除未附议的委员并提交")
def drop_decliners(request, pk: int):
    services.proposal_drop_decliners(user=request.user, proposal=_get(request, pk))
    return _full(request, pk)


@_action("review", "立案审查：accept|reject|to_suggestion|to_opinion|merge")
def review(request, pk: int, payload: ProposalReviewIn):
    services.proposal_review(
        user=request.user,
        proposal=_get(request, pk),
        decision=payload.decision,
        reason=payload.reason,
        merge_into=payload.merge_into,
        category=payload.category,
    )
    return _full(request, pk)


@_action("assign", "交办（主办、会办单位与期限；或 parallel_unit_ids 分办）")
def assign(request, pk: int, payload: AssignIn):
    services.proposal_assign(
        user=request.user,
        proposal=_get(request, pk),
        lead_unit=payload.lead_unit_id,
        co_units=payload.co_unit_ids,
        deadline=payload.deadline,
        parallel_units=payload.parallel_unit_ids,
    )
    return _full(request, pk)


class BatchReviewIn(Schema):
    ids: list[int] = Field(..., description="待审查提案的 id（至多 100 件）")
    decision: str = Field("accept", description="批量审查只支持立案（accept）")
    reason: str = Field("", description="审查意见（可选，写入每件的立案记录）")


class BatchReviewAccepted(Schema):
    id: int
    number_label: str
    title: str


class BatchReviewRefused(Schema):
    id: int
    title: str
    detail: str
    code: str


class BatchReviewOut(Schema):
    accepted: list[BatchReviewAccepted]
    refused: list[BatchReviewRefused]


@router.post("/proposals/batch-review", response=BatchReviewOut, summary="批量立案（逐件立案，逐件报告结果）")
def batch_review(request, payload: BatchReviewIn):
    """Each proposal is accepted as by POST /proposals/{id}/review with decision=accept, in its own
    transaction; one that cannot be (another decision came first, not visible, not this office's) is listed
    in `refused` with the Chinese reason and does not stop the others. 403 for a user who is not a proposal
    office; 422 for an empty or too long list, or another decision."""
    if payload.decision != "accept":
        raise Invalid("批量审查只支持立案（accept）；不予立案、转办和并案请逐件审查。", field="decision")
    done = services.proposals_accept_batch(user=request.user, proposals=payload.ids, note=payload.reason)
    return {
        "accepted": [
            {"id": p.pk, "number_label": p.number_label, "title": p.title} for p in done["accepted"]
        ],
        "refused": [
            {"id": pk, "title": title, "detail": why, "code": code}
            for pk, title, why, code in done["refused"]
        ],
    }


@router.post("/proposals/assign_batch", response=list[ProposalRow], summary="打包交办")
def assign_batch(request, payload: BatchAssignIn):
    items = [_get(request, pk) for pk in payload.proposal_ids]
    done = services.proposals_assign_batch(
        user=request.user,
        proposals=items,
        lead_unit=payload.lead_unit_id,
        co_units=payload.co_unit_ids,
        deadline=payload.deadline,
        parallel_units=payload.parallel_unit_ids,
    )
    return [_row(p) for p in selectors.list_prefetch(Proposal.objects.filter(pk__in=[p.pk for p in done]))]


@_action("acknowledge", "承办单位签收")
def acknowledge(request, pk: int):
    services.assignment_acknowledge(user=request.user, proposal=_get(request, pk))
    return _full(request, pk)


@_action("request_change", "承办单位申请调整（退回）")
def request_change(request, pk: int, payload: ReasonIn):
    services.assignment_request_change(user=request.user, proposal=_get(request, pk), reason=payload.reason)
    return _full(request, pk)


@_action("decide_change", "审核调整申请（可改交其他单位）")
def decide_change(request, pk: int, payload: DecideChangeIn):
    _get(request, pk)
    a = Assignment.objects.filter(pk=payload.assignment_id, case__kind="proposal", case__object_id=pk).first()
    if a is None:
        from django.http import Http404

        raise Http404
    services.assignment_decide_change(
        user=request.user, assignment=a, grant=payload.grant, note=payload.note, new_unit=payload.new_unit_id
    )
    return _full(request, pk)


@_action("contacts", "记录与提案人的沟通协商")
def contacts(request, pk: int, payload: ContactIn):
    services.assignment_record_contact(
        user=request.user,
        proposal=_get(request, pk),
        contacted_on=payload.contacted_on,
        method=payload.method,
        summary=payload.summary,
    )
    return _full(request, pk)


@_action("co_opinion", "会办单位提交会办意见")
def co_opinion(request, pk: int, payload: CoOpinionIn):
    services.assignment_co_opinion(user=request.user, proposal=_get(request, pk), opinion=payload.opinion)
    return _full(request, pk)


@_action("reply", "主办单位答复（A/B/C 类）")
def reply(request, pk: int, payload: ProposalReplyIn):
    services.proposal_reply(
        user=request.user,
        proposal=_get(request, pk),
        result_class=payload.result_class,
        content=payload.content,
    )
    return _full(request, pk)


class SignIn(Schema):
    decision: str = ""
    reason: str = ""


@_action("sign", "单位负责人签发答复稿（decision：sign 签发 / return 退回修改，退回须写明 reason）")
def sign(request, pk: int, payload: SignIn):
    services.proposal_sign(
        user=request.user, proposal=_get(request, pk), decision=payload.decision, reason=payload.reason
    )
    return _full(request, pk)


@_action("reply/letter", "上传答复函（PDF 或 Word .docx，multipart 字段 file）")
def reply_letter(request, pk: int, file: UploadedFile = File(...)):  # noqa: B008
    services.proposal_attach_letter(user=request.user, proposal=_get(request, pk), upload=file)
    return _full(request, pk)


@router.get("/proposals/{pk}/replies/{reply_id}/letter", summary="下载答复函（与提案详情同样的查看权限）")
def reply_letter_download(request, pk: int, reply_id: int):
    p = _get(request, pk)
    letter = spine_selectors.reply_letter(p.case_id, reply_id)
    response = uploads.download(letter) if letter is not None else None
    if response is None:
        raise Http404("未找到")
    return response


@router.get(
    "/proposals/{int:pk}/reply-letter-template",
    summary="下载答复函模板（.docx，已填好案号、案由、提案人和承办单位；仅承办单位和提案委员会）",
)
def reply_letter_template(request, pk: int):
    p = _get(request, pk)
    if not may_download_reply_template(request.user, p):
        raise Http404("未找到")
    p = documents.document_queryset().get(pk=p.pk)
    return file_response(
        documents.reply_letter_for(request.user, p), documents.reply_letter_filename(p), DOCX
    )


@_action("evaluate", "提案人评价答复（工作人员可代录：member_id；分办时 reply_id 指定评价哪个单位的答复）")
def evaluate(request, pk: int, payload: EvaluateIn):
    services.proposal_evaluate(
        user=request.user,
        proposal=_get(request, pk),
        rating=payload.rating,
        comment=payload.comment,
        member=payload.member_id,
        reply=payload.reply_id,
    )
    return _full(request, pk)


@_action("extend", "延期")
def extend(request, pk: int, payload: ExtendIn):
    services.proposal_extend(
        user=request.user,
        proposal=_get(request, pk),
        new_deadline=payload.new_deadline,
        reason=payload.reason,
    )
    return _full(request, pk)


@_action("mark_key", "设为/取消重点提案（leader_id：领衔督办领导）")
def mark_key(request, pk: int, payload: KeyIn):
    services.proposal_mark_key(
        user=request.user, proposal=_get(request, pk), is_key=payload.is_key, leader=payload.leader_id
    )
    return _full(request, pk)


@_action("mark_excellent", "评为/撤销优秀提案")
def mark_excellent(request, pk: int, payload: ExcellentIn):
    services.proposal_mark_excellent(user=request.user, proposal=_get(request, pk), value=payload.value)
    return _full(request, pk)


@_action("remind", "督办提醒")
def remind(request, pk: int):
    services.proposal_remind(user=request.user, proposal=_get(request, pk))
    return _full(request, pk)


@_action("close", "办结")
def close(request, pk: int, payload: CloseIn | None = None):
    proposal = _get(request, pk)
    services.proposal_close(user=request.user, proposal=proposal, reason=payload.reason if payload else "")
    return _full(request, pk)


# --- 跟踪落实 (follow-up of B-class replies) ------------------------------------------------------------
# Same visibility as the pages: a proposal's follow-ups for whoever may see it; the list for the office
# (its organisation) and the handling units (their own).

from .models import FollowUp  # noqa: E402
from .selectors import followup as selectors_followup  # noqa: E402

FollowUpStatus = Literal["open", "reported_done", "done", "superseded"]


class FollowUpReportOut(Schema):
    id: int
    content: str
    is_final: bool
    at: datetime.datetime
    reported_by: str
    attachment_url: str | None = None
    attachment_name: str | None = None


class ProposalFollowUpOut(Schema):
    id: int
    proposal_id: int
    unit: ProposalUnitRef
    reply_id: int
    result_class: str
    status: FollowUpStatus
    status_label: str
    planned_date: datetime.date | None = None
    overdue: bool
    opened_at: datetime.datetime
    last_report_at: datetime.datetime | None = None
    done_at: datetime.datetime | None = None
    confirmed_at: datetime.datetime | None = None
    confirmed_by: str | None = None
    returned_reason: str
    end_reason: str = Field(
        "", description="已终止的原因：改为其他类别答复，或答复被评为不满意、退回重新办理"
    )
    reports: list[FollowUpReportOut]
    allowed_actions: list[str]


class FollowUpRow(Schema):
    id: int
    proposal_id: int
    number_label: str
    title: str
    session: SessionOut
    unit: ProposalUnitRef
    status: FollowUpStatus
    status_label: str
    planned_date: datetime.date | None = None
    overdue: bool
    opened_at: datetime.datetime
    last_report_at: datetime.datetime | None = None
    report_count: int


class FollowUpReportIn(Schema):
    content: str
    done: bool = False
    planned_date: datetime.date | None = None


class FollowUpConfirmIn(Schema):
    accept: bool
    reason: str = ""


def _followup(f: FollowUp, user) -> dict:
    """One follow-up with its reports; `f` has its reports prefetched (selectors/followup.py)."""
    return {
        "id": f.pk,
        "proposal_id": f.case.object_id,
        "unit": {"id": f.assignment.unit_id, "name": f.assignment.unit.name},
        "reply_id": f.reply_id,
        "result_class": f.reply.result_class,
        "status": f.status,
        "status_label": f.get_status_display(),
        "planned_date": f.planned_date,
        "overdue": f.overdue,
        "opened_at": f.opened_at,
        "last_report_at": f.last_report_at,
        "done_at": f.done_at,
        "confirmed_at": f.confirmed_at,
        "confirmed_by": f.confirmed_by.name if f.confirmed_by_id else None,
        "returned_reason": f.returned_reason,
        "end_reason": f.end_reason,
        "reports": [
            {
                "id": rp.pk,
                "content": rp.content,
                "is_final": rp.is_final,
                "at": rp.at,
                "reported_by": rp.reported_by.name or rp.reported_by.username,
                "attachment_url": _attachment_url(rp.attachment),
                "attachment_name": rp.attachment.original_name if rp.attachment_id else None,
            }
            for rp in f.reports.all()
        ],
        "allowed_actions": sorted(selectors_followup.followup_actions(user, f)),
    }


def _followup_row(f: FollowUp) -> dict:
    p = f.case.proposal
    return {
        "id": f.pk,
        "proposal_id": p.pk,
        "number_label": p.number_label,
        "title": p.title,
        "session": _session(p.session),
        "unit": {"id": f.assignment.unit_id, "name": f.assignment.unit.name},
        "status": f.status,
        "status_label": f.get_status_display(),
        "planned_date": f.planned_date,
        "overdue": f.overdue,
        "opened_at": f.opened_at,
        "last_report_at": f.last_report_at,
        "report_count": f.report_count,
    }


@router.get(
    "/proposals/{int:pk}/followups",
    response=list[ProposalFollowUpOut],
    summary="提案的跟踪落实（B类答复）与进展",
)
def proposal_followups(request, pk: int):
    p = _get(request, pk)
    rows = (
        FollowUp.objects.filter(case_id=p.case_id)
        .select_related("case", "assignment__unit", "reply", "confirmed_by")
        .prefetch_related(selectors_followup.reports_prefetch())
        .order_by("opened_at", "id")
    )
    return [_followup(f, request.user) for f in rows]


@router.get(
    "/followups",
    response=list[FollowUpRow],
    summary="跟踪落实台账（分页；status=open|reported_done|done|superseded，unit，session，overdue）",
)
@paginate(PageNumberPagination, page_size=20)
def list_followups(
    request,
    status: str = "",
    unit: int | None = None,
    session: int | None = None,
    overdue: bool | None = None,
):
    return Rows(
        selectors_followup.followup_list(
            request.user, status=status, unit=unit, session=session, overdue=overdue
        ),
        _followup_row,
    )


@router.get("/followups/{int:pk}", response=ProposalFollowUpOut, summary="一项跟踪落实及其进展")
def followup_detail(request, pk: int):
    return _followup(selectors_followup.get_followup(request.user, pk), request.user)


@router.post(
    "/followups/{int:pk}/report",
    response=ProposalFollowUpOut,
    summary="承办单位报告落实进展（done=true：报告已落实，提请确认；可同时调整 planned_date）",
)
def followup_report(request, pk: int, payload: FollowUpReportIn):
    services.followup_report(
        user=request.user,
        followup=pk,
        content=payload.content,
        done=payload.done,
        planned_date=payload.planned_date,
    )
    return _followup(selectors_followup.get_followup(request.user, pk), request.user)


@router.post(
    "/followups/{int:pk}/confirm",
    response=ProposalFollowUpOut,
    summary="提案委员会确认办结落实（accept=true）或退回（accept=false，须说明 reason）",
)
def followup_confirm(request, pk: int, payload: FollowUpConfirmIn):
    services.followup_confirm(user=request.user, followup=pk, accept=payload.accept, reason=payload.reason)
    return _followup(selectors_followup.get_followup(request.user, pk), request.user)


@router.post("/followups/{int:pk}/remind", response=ProposalFollowUpOut, summary="提案委员会督促承办单位落实")
def followup_remind(request, pk: int):
    services.followup_remind(user=request.user, followup=pk)
    return _followup(selectors_followup.get_followup(request.user, pk), request.user)


# --- 申请加入 (join a similar proposal instead) -----------------------------------------------------------
# A member of the same committee asks to join a proposal waiting for co-signers or review; the first
# proposer agrees or declines. The request shows in `signers` with status "requested".


class JoinDecisionIn(Schema):
    member_id: int
    accept: bool


@_action("join", '申请加入该提案（附议）；可带 {"drop_draft_id": 草稿编号} 同时删除自己的草稿')
def join(request, pk: int):
    """The body is optional (like submit): an empty POST asks to join; `drop_draft_id` names the member's own
    draft on the same matter, deleted in the same transaction."""
    drop = None
    if request.body and "json" in (request.content_type or ""):
        try:
            data = json.loads(request.body)
        except ValueError:
            raise Invalid("请求内容不是有效的 JSON。")
        drop = data.get("drop_draft_id") if isinstance(data, dict) else None
        if drop is not None and (isinstance(drop, bool) or not isinstance(drop, int)):
            raise Invalid("drop_draft_id 须为草稿编号（整数）。", field="drop_draft_id")
    # Not _get: a member may join a proposal of the committee they cannot open yet (the service checks).
    services.proposal_request_join(user=request.user, proposal=pk, drop_draft=drop)
    return _full(request, pk)


@_action("join_decision", "第一提案人同意（accept=true）或拒绝委员的加入申请")
def join_decision(request, pk: int, payload: JoinDecisionIn):
    services.proposal_decide_join(
        user=request.user, proposal=pk, member=payload.member_id, accept=payload.accept
    )
    return _full(request, pk)


# --- 疑似重复 (near-duplicates waiting for review) and 一键并案 ----------------------------------------------

from zhengxie.search.schemas import DuplicateGroupsOut, MergeGroupIn  # noqa: E402

from .duplicates import duplicate_groups  # noqa: E402
from .rules import is_proposal_office  # noqa: E402


@router.get(
    "/proposals/duplicate-groups",
    response=DuplicateGroupsOut,
    summary="待审查提案中的疑似重复分组（提案委；组内事项、相似度、建议的主提案）",
)
def proposal_duplicate_groups(request):
    if not is_proposal_office(request.user):
        raise Http404
    return duplicate_groups(request.user)


@router.post("/proposals/merge-group", response=ProposalOut, summary="一键并案：将一组待审查提案并入主提案")
def proposal_merge_group(request, payload: MergeGroupIn):
    p = services.proposal_merge_group(
        user=request.user, main=payload.main, others=payload.others, reason=payload.reason
    )
    return _full(request, p.pk)
