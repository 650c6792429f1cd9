"""社情民意信息 JSON API under /api/v1 (stable contract of issue 9).

Same permissions as the pages: invisible → 404, invalid input → 422, forbidden → 403, illegal transition
→ 409, each with a Chinese `detail` (and `code`/`field` where useful). Lists are {"items", "count"}.

    POST /opinions                         write (暂存)            → 201 opinion (status draft)
    GET  /opinions?status=&year=&q=&page=  list (mine=, queue=, category= as extensions)
    GET  /opinions/stats?year=             the year's figures
    GET|PATCH /opinions/{id}               read; the writer edits a draft, the 信息科 edits after submission
    POST /opinions/{id}/submit | review | forward | adoptions | adoptions/{aid}/revoke | instructions
    POST /opinion-issues                   compose a numbered issue → 201; GET /opinion-issues(?year=)
    GET  /opinion-issues/{id}; POST /opinion-issues/{id}/publish; GET /opinion-issues/{id}/document
"""

from __future__ import annotations

import datetime
import importlib
from typing import Literal
from urllib.parse import quote

from django.db.models import Count
from django.http import HttpResponse
from ninja import Router, Schema
from ninja.pagination import PageNumberPagination, paginate
from pydantic import Field

from zhengxie.core.errors import Invalid, NotFound, ServiceError
from zhengxie.core.pagination import Rows
from zhengxie.handling import kinds

from . import rules as r
from . import selectors, services
from .models import LEVEL_LABELS, Adoption, Instruction, Opinion, OpinionIssue

router = Router(tags=["社情民意信息"])

Status = Literal["draft", "submitted", "returned", "accepted", "filed", "merged"]
Level = Literal["county", "city", "province", "national"]
NOT_FOUND = "未找到该社情民意信息。"


# --- schemas ----------------------------------------------------------------------------------------------


class OrgRef(Schema):
    id: int
    name: str


class OpinionUnitRef(Schema):
    id: int
    name: str


class AuthorOut(Schema):
    member_id: int
    name: str
    # Extension: the merged item this credit came from (a merge keeps every author's credit).
    via_merge: int | None = None


class IssueRef(Schema):
    id: int
    number: int
    year: int
    kind: Literal["special", "digest"]
    status: Literal["draft", "published"]


class AdoptionOut(Schema):
    id: int
    level: Level
    level_label: str
    body: str
    used_as: Literal["single", "summary"]
    adopted_on: datetime.date
    organisation: OrgRef
    revoked: bool
    # Extensions: the item of the chain it was recorded on, and a revocation's reason.
    opinion_id: int
    revoke_reason: str = ""


class InstructionOut(Schema):
    id: int
    leader: str
    level: Level
    content: str
    instructed_on: datetime.date
    unit: OpinionUnitRef | None = None
    deadline: datetime.date | None = None
    case_id: int | None = None
    # Extensions.
    level_label: str = ""
    opinion_id: int
    organisation: OrgRef


class OpinionFollowUpOut(Schema):
    instruction_id: int
    case_id: int
    unit: OpinionUnitRef | None = None
    deadline: datetime.date | None = None
    status: str
    light: Literal["green", "yellow", "red"] | None = None
    url: str | None = None
    # Extension: the spine's wording of the status (已交办, 办理中, 已答复 …).
    status_label: str = ""


class ForwardedToOut(Schema):
    organisation_id: int
    organisation: str
    opinion_id: int
    status: Status
    # Extension.
    status_label: str = ""


class ForwardedFromOut(Schema):
    organisation_id: int
    organisation: str
    opinion_id: int


class OpinionEventOut(Schema):
    at: datetime.datetime
    action: str
    label: str
    detail: str = ""
    actor: str = ""


class OpinionOut(Schema):
    id: int
    title: str
    content: str
    category: str
    status: Status
    status_label: str
    number: int | None = None
    issue: IssueRef | None = None
    authors: list[AuthorOut]
    edited_title: str
    edited_content: str
    review_note: str
    organisation: OrgRef
    year: int
    submitted_at: datetime.datetime | None = None
    adoptions: list[AdoptionOut]
    instructions: list[InstructionOut]
    followups: list[OpinionFollowUpOut]
    forwarded_to: list[ForwardedToOut]
    forwarded_from: ForwardedFromOut | None = None
    timeline: list[OpinionEventOut]
    allowed_actions: list[str]
    # Extensions.
    source: str
    source_body: str
    merged_into: int | None = None
    created_at: datetime.datetime
    reviewed_at: datetime.datetime | None = None


class OpinionRow(Schema):
    id: int
    title: str
    status: Status
    status_label: str
    category: str
    year: int
    authors: list[AuthorOut]
    number: int | None = None
    submitted_at: datetime.datetime | None = None
    organisation: OrgRef
    # Extensions: the 信息科's title, and where a forwarded item came from.
    edited_title: str = ""
    source: str = ""
    source_body: str = ""
    forwarded_from_id: int | None = None


class OpinionWriteIn(Schema):
    title: str
    content: str
    category: str = ""
    co_author_ids: list[int] = Field(default_factory=list)
    # Staff writing on behalf of members (author_ids, the first leads) or of a body (source_body).
    author_ids: list[int] | None = None
    source: str = ""
    source_body: str = ""


class OpinionPatch(Schema):
    # The writer, while draft or returned:
    title: str | None = None
    content: str | None = None
    co_author_ids: list[int] | None = None
    # The 信息科, while submitted or accepted:
    edited_title: str | None = None
    edited_content: str | None = None
    # Either:
    category: str | None = None


class OpinionReviewIn(Schema):
    decision: Literal["accept", "file", "return", "merge"]
    edited_title: str | None = None
    edited_content: str | None = None
    reason: str = ""
    merge_into: int | None = None


class ForwardIn(Schema):
    organisation_id: int


class AdoptionIn(Schema):
    level: Level
    body: str
    used_as: Literal["single", "summary"] = "single"
    adopted_on: datetime.date | None = None


class RevokeIn(Schema):
    reason: str


class InstructionIn(Schema):
    leader: str
    level: Level
    content: str
    instructed_on: datetime.date | None = None
    unit_id: int | None = None
    deadline: datetime.date | None = None


class AdoptedOut(Schema):
    county: int
    city: int
    province: int
    national: int


class StatsOut(Schema):
    received: int
    accepted: int
    filed: int
    merged: int
    issues: int
    adopted: AdoptedOut
    instructions: int


class IssueItemOut(Schema):
    id: int
    title: str
    authors: list[AuthorOut]
    order: int


class IssueOut(Schema):
    id: int
    number: int
    year: int
    kind: Literal["special", "digest"]
    kind_label: str
    status: Literal["draft", "published"]
    status_label: str
    label: str
    title: str
    signer: str
    recipients: str
    organisation: OrgRef
    created_at: datetime.datetime
    published_at: datetime.datetime | None = None
    items: list[IssueItemOut]
    allowed_actions: list[str]


class IssueRow(Schema):
    id: int
    number: int
    year: int
    kind: Literal["special", "digest"]
    kind_label: str
    status: Literal["draft", "published"]
    status_label: str
    label: str
    title: str
    signer: str
    organisation: OrgRef
    published_at: datetime.datetime | None = None
    item_count: int


class IssueIn(Schema):
    kind: Literal["special", "digest"]
    opinion_ids: list[int]
    title: str = ""
    signer: str = ""
    recipients: str = ""


class IssuePatch(Schema):
    opinion_ids: list[int] | None = None
    title: str | None = None
    signer: str | None = None
    recipients: str | None = None


# --- serialisation ----------------------------------------------------------------------------------------


def _org(org) -> dict:
    return {"id": org.pk, "name": org.name}


def _unit(unit) -> dict | None:
    return {"id": unit.pk, "name": unit.name} if unit is not None else None


def _authors(o: Opinion) -> list[dict]:
    return [
        {"member_id": a.member_id, "name": a.member.name, "via_merge": a.via_merge_id}
        for a in o.authors.all()
    ]


def _issue_ref(o: Opinion) -> dict | None:
    i = o.issue if o.issue_id else None
    if i is None:
        return None
    return {"id": i.pk, "number": i.number, "year": i.year, "kind": i.kind, "status": i.status}


def adoption_out(a: Adoption) -> dict:
    return {
        "id": a.pk,
        "level": a.level,
        "level_label": LEVEL_LABELS.get(a.level, a.level),
        "body": a.body,
        "used_as": a.used_as,
        "adopted_on": a.adopted_on,
        "organisation": _org(a.organisation),
        "revoked": a.revoked_at is not None,
        "opinion_id": a.opinion_id,
        "revoke_reason": a.revoke_reason,
    }


def instruction_out(i: Instruction) -> dict:
    return {
        "id": i.pk,
        "leader": i.leader,
        "level": i.level,
        "level_label": LEVEL_LABELS.get(i.level, i.level),
        "content": i.content,
        "instructed_on": i.instructed_on,
        "unit": _unit(i.unit) if i.unit_id else None,
        "deadline": i.case.deadline if i.case_id else i.deadline,
        "case_id": i.case_id,
        "opinion_id": i.opinion_id,
        "organisation": _org(i.organisation),
    }


def _followup(i: Instruction) -> dict:
    from .handling_kind import status_label

    case = i.case
    return {
        "instruction_id": i.pk,
        "case_id": case.pk,
        "unit": _unit(i.unit) if i.unit_id else None,
        "deadline": case.deadline,
        "status": case.status,
        "status_label": status_label(case),
        "light": case.light or None,
        "url": kinds.get(case.kind).url(case),
    }


def serialize(d: selectors.Detail) -> dict:
    """The full representation from selectors.detail (a fixed number of queries)."""
    o = d.opinion
    src = o.forwarded_from if o.forwarded_from_id else None
    return {
        "id": o.pk,
        "title": o.title,
        "content": o.content,
        "category": o.category,
        "status": o.status,
        "status_label": o.get_status_display(),
        "number": o.issue.number if o.issue_id else None,
        "issue": _issue_ref(o),
        "authors": _authors(o),
        "edited_title": o.edited_title,
        "edited_content": o.edited_content,
        "review_note": o.review_note,
        "organisation": _org(o.organisation),
        "year": o.year,
        "submitted_at": o.submitted_at,
        "adoptions": [adoption_out(a) for a in d.adoptions],
        "instructions": [instruction_out(i) for i in d.instructions],
        "followups": [_followup(i) for i in d.followups],
        "forwarded_to": [
            {
                "organisation_id": c.organisation_id,
                "organisation": c.organisation.name,
                "opinion_id": c.pk,
                "status": c.status,
                "status_label": c.get_status_display(),
            }
            for c in d.upward
        ],
        "forwarded_from": {
            "organisation_id": src.organisation_id,
            "organisation": src.organisation.name,
            "opinion_id": src.pk,
        }
        if src is not None
        else None,
        "timeline": [
            {
                "at": ev.at,
                "action": ev.action,
                "label": ev.label,
                "detail": ev.detail,
                "actor": (ev.actor.name or ev.actor.username) if ev.actor_id else "",
            }
            for ev in d.events
        ],
        "allowed_actions": sorted(d.actions),
        "source": o.source,
        "source_body": o.source_body,
        "merged_into": o.merged_into_id,
        "created_at": o.created_at,
        "reviewed_at": o.reviewed_at,
    }


def row(o: Opinion) -> dict:
    return {
        "id": o.pk,
        "title": o.title,
        "status": o.status,
        "status_label": o.get_status_display(),
        "category": o.category,
        "year": o.year,
        "authors": _authors(o),
        "number": o.issue.number if o.issue_id else None,
        "submitted_at": o.submitted_at,
        "organisation": _org(o.organisation),
        "edited_title": o.edited_title,
        "source": o.source,
        "source_body": o.source_body,
        "forwarded_from_id": o.forwarded_from_id,
    }


def _full(request, pk) -> dict:
    return serialize(selectors.detail(request.user, pk))


def _get(request, pk) -> Opinion:
    return selectors.get_opinion(request.user, pk)


def _issue_actions(user, i: OpinionIssue) -> list[str]:
    if i.status == OpinionIssue.Status.DRAFT and r.is_info_office(user, i.organisation_id):
        return ["publish", "update"]
    return []


def issue_out(user, i: OpinionIssue) -> dict:
    return {
        "id": i.pk,
        "number": i.number,
        "year": i.year,
        "kind": i.kind,
        "kind_label": i.get_kind_display(),
        "status": i.status,
        "status_label": i.get_status_display(),
        "label": i.label,
        "title": i.title,
        "signer": i.signer,
        "recipients": i.recipients,
        "organisation": _org(i.organisation),
        "created_at": i.created_at,
        "published_at": i.published_at,
        "items": [
            {"id": o.pk, "title": o.display_title, "authors": _authors(o), "order": o.issue_order}
            for o in selectors.issue_items(i)
        ],
        "allowed_actions": _issue_actions(user, i),
    }


def _issue_row(i: OpinionIssue) -> dict:
    return {
        "id": i.pk,
        "number": i.number,
        "year": i.year,
        "kind": i.kind,
        "kind_label": i.get_kind_display(),
        "status": i.status,
        "status_label": i.get_status_display(),
        "label": i.label,
        "title": i.title,
        "signer": i.signer,
        "organisation": _org(i.organisation),
        "published_at": i.published_at,
        "item_count": i.item_count,
    }


class NotReady(ServiceError):
    """A part built by another module that is not installed yet."""

    status = 501


def _module(name: str, what: str):
    """This app's `name` module (documents, stats), imported when first used."""
    full = f"{__package__}.{name}"
    try:
        return importlib.import_module(full)
    except ModuleNotFoundError as exc:
        if exc.name != full:
            raise
        raise NotReady(f"{what}尚未就绪。", code="not_ready")


def _statuses(status: str) -> list[str] | None:
    values = [s.strip() for s in (status or "").split(",") if s.strip()]
    bad = [s for s in values if s not in Opinion.Status.values]
    if bad:
        raise Invalid(
            "状态取值不正确："
            + "、".join(bad)
            + "（可选 draft、submitted、returned、accepted、filed、merged）。",
            field="status",
        )
    return values or None


# --- opinions ---------------------------------------------------------------------------------------------


@router.post("/opinions", response={201: OpinionOut}, summary="撰写社情民意信息（暂存，status=draft）")
def create(request, payload: OpinionWriteIn):
    o = services.opinion_create(user=request.user, **payload.dict())
    return 201, _full(request, o.pk)


@router.get(
    "/opinions",
    response=list[OpinionRow],
    summary="社情民意信息列表（分页；status 可用逗号分隔多个；mine=true 本人的；queue=true 信息科工作台）",
)
@paginate(PageNumberPagination, page_size=20)
def list_opinions(
    request,
    status: str = "",
    year: int | None = None,
    q: str = "",
    mine: bool = False,
    queue: bool = False,
    category: str = "",
):
    qs = selectors.opinion_list(
        request.user,
        status=_statuses(status),
        year=year,
        q=q.strip(),
        mine=mine,
        queue=queue,
        category=category or None,
    )
    return Rows(qs, row, kept="opinions")  # the count kept per data version and scope (core.datacache)


# Before /opinions/{id}: "stats" is not an id.
@router.get(
    "/opinions/stats",
    response=StatsOut,
    summary="年度统计（收到、录用、留存、合并、编发期数、各级采用、批示）",
)
def stats(request, year: int | None = None, organisation: int | None = None):
    """The caller's committee by default; `organisation` (extension): a committee below theirs."""
    return _module("stats", "统计功能").year_figures(request.user, year, organisation=organisation)


@router.get(
    "/opinions/{int:pk}",
    response=OpinionOut,
    summary="信息详情（编辑稿、期刊、采用、批示与落实、报送、过程）",
)
def detail(request, pk: int):
    return _full(request, pk)


@router.patch(
    "/opinions/{int:pk}",
    response=OpinionOut,
    summary="修改：作者在暂存/退回时改 title、content、category、co_author_ids；"
    "信息科在提交后改 edited_title、edited_content、category",
)
def update(request, pk: int, payload: OpinionPatch):
    o = _get(request, pk)
    data = payload.dict(exclude_unset=True)
    writer = {k: data[k] for k in ("title", "content", "co_author_ids") if k in data}
    office = {k: data[k] for k in ("edited_title", "edited_content") if k in data}
    if writer and office:
        raise Invalid(
            "原文（title、content、co_author_ids）与编辑稿（edited_title、edited_content）请分别修改。"
        )
    user = request.user
    # The writer edits their own text; the 信息科 edits its version (a writer who is also the 信息科 edits
    # the original while it is theirs to edit).
    as_office = bool(office) or (
        not writer and r.can_review(user, o) and not (r.is_writer(user, o) and o.status in services.EDITABLE)
    )
    if as_office:
        services.opinion_edit(user=user, opinion=o, category=data.get("category"), **office)
    else:
        services.opinion_update(user=user, opinion=o, category=data.get("category"), **writer)
    return _full(request, pk)


def _action(path: str, summary: str):
    return router.post(f"/opinions/{{int:pk}}/{path}", response=OpinionOut, summary=summary)


@_action("submit", "提交（退回后修改的再次提交）")
def submit(request, pk: int):
    services.opinion_submit(user=request.user, opinion=_get(request, pk))
    return _full(request, pk)


@_action("review", "信息科处理：accept 录用（可同时编辑）| file 留存未录用 | return 退回修改 | merge 合并")
def review(request, pk: int, payload: OpinionReviewIn):
    services.opinion_review(user=request.user, opinion=_get(request, pk), **payload.dict())
    return _full(request, pk)


@_action("forward", "报送上级政协（市、省；生成上级的一份，进入其信息科待处理）")
def forward(request, pk: int, payload: ForwardIn):
    services.opinion_forward(
        user=request.user, opinion=_get(request, pk), organisation=payload.organisation_id
    )
    return _full(request, pk)


@router.post(
    "/opinions/{int:pk}/adoptions", response={201: AdoptionOut}, summary="登记采用情况（层级不低于本级）"
)
def add_adoption(request, pk: int, payload: AdoptionIn):
    a = services.adoption_add(user=request.user, opinion=_get(request, pk), **payload.dict())
    a = Adoption.objects.select_related("organisation").get(pk=a.pk)
    return 201, adoption_out(a)


@router.post(
    "/opinions/{int:pk}/adoptions/{int:aid}/revoke",
    response=AdoptionOut,
    summary="撤销采用记录（须说明理由）",
)
def revoke_adoption(request, pk: int, aid: int, payload: RevokeIn):
    o = _get(request, pk)
    if not Adoption.objects.filter(pk=aid, root_id=o.root_id).exists():
        raise NotFound("未找到该采用记录。")
    services.adoption_revoke(user=request.user, adoption=aid, reason=payload.reason)
    return adoption_out(Adoption.objects.select_related("organisation").get(pk=aid))


@router.post(
    "/opinions/{int:pk}/instructions",
    response={201: InstructionOut},
    summary="登记领导批示（unit_id：交承办单位落实，可带 deadline）",
)
def add_instruction(request, pk: int, payload: InstructionIn):
    data = payload.dict()
    i = services.instruction_add(
        user=request.user, opinion=_get(request, pk), unit=data.pop("unit_id"), **data
    )
    i = Instruction.objects.select_related("organisation", "unit", "case").get(pk=i.pk)
    return 201, instruction_out(i)


# --- issues of 《社情民意》 --------------------------------------------------------------------------------


def _issue(request, pk) -> OpinionIssue:
    return selectors.get_issue(request.user, pk)


@router.post(
    "/opinion-issues",
    response={201: IssueOut},
    summary="编发一期《社情民意》（special 专报一篇 | digest 摘报多篇；期号按组织和年度连续编号）",
)
def create_issue(request, payload: IssueIn):
    i = services.issue_create(user=request.user, **payload.dict())
    return 201, issue_out(request.user, _issue(request, i.pk))


@router.get("/opinion-issues", response=list[IssueRow], summary="《社情民意》期刊列表（分页）")
@paginate(PageNumberPagination, page_size=20)
def list_issues(request, year: int | None = None):
    qs = selectors.issue_list(request.user, year=year).annotate(item_count=Count("items"))
    return Rows(qs, _issue_row)


@router.get("/opinion-issues/{int:pk}", response=IssueOut, summary="一期《社情民意》及其信息")
def issue_detail(request, pk: int):
    return issue_out(request.user, _issue(request, pk))


@router.patch(
    "/opinion-issues/{int:pk}", response=IssueOut, summary="修改未印发的一期（信息、标题、签发人、报送）"
)
def update_issue(request, pk: int, payload: IssuePatch):
    services.issue_update(user=request.user, issue=_issue(request, pk), **payload.dict(exclude_unset=True))
    return issue_out(request.user, _issue(request, pk))


@router.post(
    "/opinion-issues/{int:pk}/publish", response=IssueOut, summary="印发（须有签发人；印发后不能再改）"
)
def publish_issue(request, pk: int):
    services.issue_publish(user=request.user, issue=_issue(request, pk))
    return issue_out(request.user, _issue(request, pk))


DOCUMENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


@router.get("/opinion-issues/{int:pk}/document", summary="下载一期《社情民意》（format=docx|pdf）")
def issue_document(request, pk: int, format: str = "docx"):  # noqa: A002 (the contract's parameter name)
    issue = _issue(request, pk)
    fmt = (format or "").strip().lower()
    if fmt not in DOCUMENT_TYPES:
        raise Invalid("文件格式须为 docx 或 pdf。", field="format")
    documents = _module("documents", "期刊文件生成功能")
    data = documents.issue_docx(issue) if fmt == "docx" else documents.issue_pdf(issue)
    resp = HttpResponse(data, content_type=DOCUMENT_TYPES[fmt])
    filename = f"社情民意{issue.year}年第{issue.number}期.{fmt}"
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return resp


# --- 疑似重复 (near-duplicates waiting for the 信息科) and 一键合并 ---------------------------------------------

from django.http import Http404  # noqa: E402

from zhengxie.search.schemas import DuplicateGroupsOut, MergeGroupIn  # noqa: E402

from .duplicates import duplicate_groups  # noqa: E402


@router.get(
    "/opinions/duplicate-groups",
    response=DuplicateGroupsOut,
    summary="待处理社情民意信息中的疑似重复分组（信息科；组内信息、相似度、建议的主信息）",
)
def opinion_duplicate_groups(request):
    if not r.is_info_office(request.user):
        raise Http404
    return duplicate_groups(request.user)


@router.post("/opinions/merge-group", response=OpinionOut, summary="一键合并：将一组待处理信息合并到主信息")
def opinion_merge_group(request, payload: MergeGroupIn):
    o = services.opinion_merge_group(
        user=request.user, main=payload.main, others=payload.others, reason=payload.reason
    )
    return _full(request, o.pk)
