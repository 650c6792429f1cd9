"""The online hall (网络议政), the issue's contract and its extensions:

POST /consultations/{id}/comments        {content, parent_id?} → 201 the comment (409 outside the window)
GET  /consultations/{id}/comments?page=  a page of threads (pinned first on page 1) with their replies
                                         nested (the first 10; `reply_count` says how many), plus counts
GET  /consultations/{id}/hall            the counts, the window's state and the word cloud's terms
POST /consultation-comments/{id}/hide    {reason} → 200 (leaves every list and count; audited)
POST /consultation-comments/{id}/pin     {pinned?: true} → 200 (threads only)
POST /consultation-comments/{id}/approve → 200 (a citizen's pending comment is shown)
POST /consultation-comments/{id}/merge   {into_id} → 200 (hidden as 已合并到第N条)

Invisible → 404, forbidden → 403, outside the window or a hidden thread → 409, bad input → 422."""

from __future__ import annotations

import datetime

from ninja import Schema

from zhengxie.core.errors import Invalid, NotFound

from .. import rules, selectors_hall, wordcloud
from ..models import Comment
from ..services import hall as services
from . import router

MAX_PAGE = 100000


class HallCommentIn(Schema):
    content: str
    parent_id: int | None = None


class HallCommentOut(Schema):
    id: int
    content: str
    author_label: str
    is_public: bool
    parent_id: int | None
    root_id: int | None
    created_at: datetime.datetime
    status: str
    pinned: bool
    reply_count: int


class HallThreadOut(HallCommentOut):
    replies: list[HallCommentOut]


class HallThreadsOut(Schema):
    page: int
    threads: list[HallThreadOut]
    has_next: bool
    comment_count: int
    participant_count: int


class HallTermOut(Schema):
    term: str
    count: int
    size: int


class HallOut(Schema):
    consultation_id: int
    state: str
    state_label: str
    opens_at: datetime.datetime | None
    closes_at: datetime.datetime | None
    public: bool
    comment_count: int
    participant_count: int
    can_comment: bool
    terms: list[HallTermOut]


class HallHideIn(Schema):
    reason: str


class HallPinIn(Schema):
    pinned: bool = True


class HallMergeIn(Schema):
    into_id: int


def _out(cm: Comment) -> dict:
    return {
        "id": cm.pk,
        "content": cm.content,
        "author_label": cm.author_label,
        "is_public": cm.is_public,
        "parent_id": cm.parent_id,
        "root_id": cm.root_id,
        "created_at": cm.created_at,
        "status": cm.status,
        "pinned": cm.pinned,
        "reply_count": cm.reply_count,
    }


def _thread(t: selectors_hall.Thread) -> dict:
    return {**_out(t.root), "replies": [_out(r) for r in t.replies]}


@router.post(
    "/consultations/{consultation_id}/comments",
    response={201: HallCommentOut},
    summary="网络议政：发表留言或回复（议政期间，委员和工作人员）",
)
def hall_comment_create(request, consultation_id: int, payload: HallCommentIn):
    cm = services.post_comment(
        user=request.user, consultation=consultation_id, content=payload.content, parent_id=payload.parent_id
    )
    return 201, _out(cm)


@router.get(
    "/consultations/{consultation_id}/comments",
    response=HallThreadsOut,
    summary="网络议政：留言主题分页（最新在前，置顶在第1页最前），回复嵌套",
)
def hall_comment_list(request, consultation_id: int, page: int = 1):
    if not 1 <= page <= MAX_PAGE:
        raise Invalid(f"页码须在1到{MAX_PAGE}之间。", field="page")
    c = selectors_hall.get_hall(request.user, consultation_id)
    size = selectors_hall.THREADS_PER_PAGE
    p = selectors_hall.hall_page(c, size=size, offset=(page - 1) * size)
    return {
        "page": page,
        "threads": [_thread(t) for t in p.pinned + p.threads],
        "has_next": p.next_before is not None,
        "comment_count": c.comment_count,
        "participant_count": c.participant_count,
    }


@router.get(
    "/consultations/{consultation_id}/hall",
    response=HallOut,
    summary="网络议政：实时计数、议政状态和讨论热词",
)
def hall_get(request, consultation_id: int):
    user = request.user
    c = selectors_hall.get_hall(user, consultation_id)
    state = services.window_state(c)
    return {
        "consultation_id": c.pk,
        "state": state,
        "state_label": services.WINDOW_LABELS[state],
        "opens_at": c.opens_at,
        "closes_at": c.closes_at,
        "public": c.public,
        "comment_count": c.comment_count,
        "participant_count": c.participant_count,
        "can_comment": rules.can_comment(user, c) and state == "open",
        "terms": wordcloud.terms(c),
    }


def _visible(request, comment_id: int) -> Comment:
    """The comment if the caller may see its consultation (404 otherwise, as for the consultation)."""
    cm = Comment.objects.filter(pk=comment_id).first()
    if cm is None:
        raise NotFound("未找到该留言。")
    selectors_hall.get_hall(request.user, cm.consultation_id)
    return cm


@router.post(
    "/consultation-comments/{comment_id}/hide",
    response=HallCommentOut,
    summary="网络议政：隐藏留言（须填写原因；主题隐藏时其回复一并隐藏）",
)
def hall_comment_hide(request, comment_id: int, payload: HallHideIn):
    cm = services.hide(user=request.user, comment=_visible(request, comment_id), reason=payload.reason)
    wordcloud.forget(cm.consultation_id)
    return _out(cm)


@router.post(
    "/consultation-comments/{comment_id}/pin",
    response=HallCommentOut,
    summary="网络议政：置顶或取消置顶主题",
)
def hall_comment_pin(request, comment_id: int, payload: HallPinIn | None = None):
    pinned = True if payload is None else payload.pinned
    cm = services.set_pinned(user=request.user, comment=_visible(request, comment_id), pinned=pinned)
    return _out(cm)


@router.post(
    "/consultation-comments/{comment_id}/approve",
    response=HallCommentOut,
    summary="网络议政：审核通过群众留言",
)
def hall_comment_approve(request, comment_id: int):
    cm = services.approve(user=request.user, comment=_visible(request, comment_id))
    wordcloud.forget(cm.consultation_id)
    return _out(cm)


@router.post(
    "/consultation-comments/{comment_id}/merge",
    response=HallCommentOut,
    summary="网络议政：将重复留言合并到另一条（原留言隐藏）",
)
def hall_comment_merge(request, comment_id: int, payload: HallMergeIn):
    cm = services.merge(user=request.user, comment=_visible(request, comment_id), into=payload.into_id)
    wordcloud.forget(cm.consultation_id)
    return _out(cm)
