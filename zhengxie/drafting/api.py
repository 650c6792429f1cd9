"""撰写助手 in the JSON API: the check of a draft while it is written (advice, never a block).

    POST /api/v1/drafting/check          {kind: proposal|opinion|suggestion, title, content, reasons?,
                                          suggestions?, attachment_ids?, exclude_id?}  (logged in)
    POST /api/v1/public/drafting/check   {organisation_id, title, content}          (no login; the public
                                          page's check: `public.check_per_hour` per address, 429 past it)

→ {advice: [{code, level: info|warning, field, message, fix, detail}], similar: [{kind, id, title, year,
state, reply, reply_by, rating, url, score}]}. 403 for whoever may not write that kind, 404 for an
attachment that is not the caller's, 422 for bad input.
"""

from __future__ import annotations

from typing import Literal

from ninja import Field, Router, Schema

from zhengxie.core.context import client_ip

from . import services

router = Router(tags=["撰写助手"])


class DraftingCheckIn(Schema):
    kind: Literal["proposal", "opinion", "suggestion"]
    title: str = Field("", max_length=20000)
    content: str = Field("", max_length=20000)
    reasons: str = Field("", max_length=20000, description="提案：理由（案据）；不填则把 content 当作全文")
    suggestions: str = Field("", max_length=20000, description="提案：办法和建议")
    attachment_ids: list[int] = Field(default_factory=list, max_length=10, description="本人上传的附件")
    exclude_id: int | None = Field(None, description="修改草稿时：该草稿自身的编号（不列为相似件）")


class PublicDraftingCheckIn(Schema):
    organisation_id: int
    title: str = Field("", max_length=20000)
    content: str = Field("", max_length=20000)


class DraftingAdvice(Schema):
    code: str
    level: Literal["info", "warning"]
    field: str
    message: str
    fix: str = ""
    detail: dict = Field(default_factory=dict)


class DraftingEarlier(Schema):
    kind: str
    id: int
    title: str
    year: int | None = None
    state: str
    reply: str = ""
    reply_by: str = ""
    rating: str = ""
    url: str | None = None
    score: float


class DraftingCheckOut(Schema):
    advice: list[DraftingAdvice]
    similar: list[DraftingEarlier]


@router.post(
    "/drafting/check",
    response=DraftingCheckOut,
    summary="撰写检查：正在撰写的提案、社情民意或微建议缺什么、有什么问题，以及往年和今年的同类件（仅为提示，不影响提交）",
)
def drafting_check(request, payload: DraftingCheckIn):
    return services.check(
        user=request.user,
        kind=payload.kind,
        title=payload.title,
        content=payload.content,
        reasons=payload.reasons,
        suggestions=payload.suggestions,
        attachment_ids=payload.attachment_ids,
        exclude_id=payload.exclude_id,
    )


@router.post(
    "/public/drafting/check",
    response={200: DraftingCheckOut, 429: dict},
    auth=None,
    summary="群众撰写微建议时的检查（无需登录；只列已公开答复的微建议；每个网络地址每小时限 public.check_per_hour 次）",
)
def public_drafting_check(request, payload: PublicDraftingCheckIn):
    return services.public_check(
        organisation=payload.organisation_id,
        title=payload.title,
        content=payload.content,
        ip=client_ip(request),
    )
