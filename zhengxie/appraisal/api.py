"""民主评议 JSON API under /api/v1:

    GET  /appraisals?year=&status=&kind=&q=&page=          the rounds the caller sees (paged)
    POST /appraisals  {year, title, kind, opens_at, closes_at, items: [{name, weight, guidance}]} → 201
    GET  /appraisals/{round_id}                          a round, its form and the caller's actions
    POST /appraisals/{round_id}/targets  {targets: [{name, address, unit}], lines, units, all_units}
    POST /appraisals/{round_id}/targets/upload           the same from an .xlsx (multipart `file`)
    GET  /appraisals/{round_id}/targets?q=&page=         targets (the caller's own rating marked)
    POST /appraisals/{round_id}/raters  {members, sectors, committees, all_members}
    PATCH /appraisals/{round_id}                          edit (a draft: all; open: name, note, window)
    POST /appraisals/{round_id}/open | close | publish    the steps (409 on an illegal one)
    POST /appraisals/{round_id}/finish                    an invited member is done (the to-do goes)
    POST /appraisals/{round_id}/ratings  {target, scores: [{item, value | verdict}], note, latitude, longitude}
    POST /appraisals/{round_id}/ratings/upload           the same with its photos at once (multipart: `scores`
                                                        as JSON text, `photos`; a round that requires photos)
    GET  /appraisals/{round_id}/ratings?target=           staff: every rating (with the place); members: their own
    POST /appraisal-ratings/{rating_id}/photos            multipart `photos` (images; stored without EXIF)
    GET  /appraisals/{round_id}/results                   ranking with 满意 / 重点监督
    GET  /appraisal-stats?year=                           the year's figures and sentence

Invisible → 404, forbidden (not invited, not an organiser) → 403, bad input → 422, an illegal step or a
closed window → 409.
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from typing import Literal

from django.urls import reverse
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import PageNumberPagination, paginate

from zhengxie.core.errors import Invalid, NotFound
from zhengxie.core.pagination import Rows

from . import rules, selectors, services, stats
from .models import Rating, Round, Target

router = Router(tags=["民主评议"])

KindName = Literal["places", "units"]
StatusName = Literal["draft", "open", "closed", "published"]


class AppraisalItemIn(Schema):
    name: str
    weight: int = 0
    guidance: str = ""


class AppraisalIn(Schema):
    year: int
    title: str
    kind: KindName
    opens_at: datetime.datetime
    closes_at: datetime.datetime
    items: list[AppraisalItemIn]
    description: str = ""
    photo_required: bool = False


class AppraisalPatch(Schema):
    title: str | None = None
    description: str | None = None
    opens_at: datetime.datetime | None = None
    closes_at: datetime.datetime | None = None
    photo_required: bool | None = None
    items: list[AppraisalItemIn] | None = None


class AppraisalTargetIn(Schema):
    name: str
    address: str = ""
    unit: int | None = None


class AppraisalTargetsIn(Schema):
    targets: list[AppraisalTargetIn] = []
    lines: str = ""
    units: list[int] = []
    all_units: bool = False


class AppraisalInviteIn(Schema):
    members: list[int] = []
    sectors: list[int] = []
    committees: list[int] = []
    all_members: bool = False


class AppraisalScoreIn(Schema):
    item: int
    value: int | None = None
    verdict: Literal["satisfied", "basically_satisfied", "unsatisfied", "unknown"] | None = None


class AppraisalRatingIn(Schema):
    target: int
    scores: list[AppraisalScoreIn]
    note: str = ""
    latitude: float | None = None
    longitude: float | None = None
    accuracy: float | None = None


class AppraisalRatingForm(Schema):
    """The multipart rating: `scores` is the JSON list of {item, value | verdict}."""

    target: int
    scores: str
    note: str = ""
    latitude: float | None = None
    longitude: float | None = None
    accuracy: float | None = None


class AppraisalItem(Schema):
    id: int
    name: str
    weight: int
    guidance: str


class AppraisalRow(Schema):
    id: int
    organisation_id: int
    year: int
    title: str
    kind: KindName
    status: StatusName
    opens_at: datetime.datetime
    closes_at: datetime.datetime
    photo_required: bool
    targets: int
    raters: int
    ratings: int


class AppraisalDetail(AppraisalRow):
    description: str
    items: list[AppraisalItem]
    invited: bool
    rated: int
    finished: bool
    window_open: bool
    actions: list[str]


class AppraisalTarget(Schema):
    id: int
    name: str
    address: str
    unit: int | None = None
    unit_name: str = ""
    rated_by_me: bool = False


class AppraisalTargetsOut(Schema):
    added: int
    total: int


class AppraisalInviteOut(Schema):
    added: int
    raters: int


class AppraisalScore(Schema):
    item: int
    value: int | None = None
    verdict: str = ""


class AppraisalRating(Schema):
    id: int
    target: int
    target_name: str
    member: int
    member_name: str
    score: Decimal | None = None
    scores: list[AppraisalScore]
    note: str
    photos: list[str]
    rated_at: datetime.datetime
    updated_at: datetime.datetime
    # Staff only (null for the member's own view): where the phone was.
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    accuracy: int | None = None


class AppraisalResultRow(Schema):
    id: int
    name: str
    address: str
    unit: int | None = None
    rank: int | None = None
    mark: Literal["", "top", "bottom"]
    valid: bool
    ratings: int
    score: Decimal | None = None
    photos: int
    satisfied: int
    basically_satisfied: int
    unsatisfied: int
    unknown: int
    satisfaction_rate: Decimal | None = None
    proposals_handled: int | None = None
    replied_on_time: int | None = None
    members_satisfaction: float | None = None


class AppraisalResults(Schema):
    round: AppraisalRow
    targets: list[AppraisalResultRow]
    top: list[str]
    bottom: list[str]


class AppraisalStats(Schema):
    year: int
    rounds: int
    published: int
    targets: int
    ratings: int
    raters: int
    sentence: str


def row(r: Round) -> dict:
    return {
        "id": r.pk,
        "organisation_id": r.organisation_id,
        "year": r.year,
        "title": r.title,
        "kind": r.kind,
        "status": r.status,
        "opens_at": r.opens_at,
        "closes_at": r.closes_at,
        "photo_required": r.photo_required,
        "targets": r.target_count,
        "raters": r.rater_count,
        "ratings": r.rating_count,
    }


def detail(user, r: Round) -> dict:
    rater = selectors.my_rater(user, r)
    actions = []
    if rules.can_manage(user, r):
        actions += [a for a, states in services.TRANSITIONS.items() if r.status in states]
        if r.status in (Round.Status.DRAFT, Round.Status.OPEN):
            actions += ["targets", "raters"]
    if rater is not None and r.window_open():
        actions.append("rate")
    if rules.can_see_results(user, r):
        actions.append("results")
    return {
        **row(r),
        "description": r.description,
        "items": [
            {"id": i.pk, "name": i.name, "weight": i.weight, "guidance": i.guidance} for i in r.items.all()
        ],
        "invited": rater is not None,
        "rated": rater.rated if rater else 0,
        "finished": bool(rater and rater.finished_at),
        "window_open": r.window_open(),
        "actions": actions,
    }


def _full(request, pk) -> dict:
    return detail(request.user, selectors.get(request.user, pk))


def rating_row(x: Rating, details: bool) -> dict:
    return {
        "id": x.pk,
        "target": x.target_id,
        "target_name": x.target.name,
        "member": x.member_id,
        "member_name": x.member.name,
        "score": x.score,
        "scores": [{"item": s.item_id, "value": s.value, "verdict": s.verdict} for s in x.scores.all()],
        "note": x.note,
        "photos": [reverse("core:attachment", args=[p.attachment_id]) for p in x.photo_rows.all()],
        "rated_at": x.rated_at,
        "updated_at": x.updated_at,
        "latitude": x.latitude if details else None,
        "longitude": x.longitude if details else None,
        "accuracy": x.accuracy if details else None,
    }


@router.get(
    "/appraisals",
    response=list[AppraisalRow],
    summary="民主评议列表（工作人员：本级及下级；委员：受邀及已公布的评议）",
)
@paginate(PageNumberPagination, page_size=30)
def list_appraisals(request, year: int | None = None, status: str = "", kind: str = "", q: str = ""):
    if year is not None:
        year = services.check_year(year)
    return Rows(selectors.round_list(request.user, year=year, status=status, kind=kind, q=q), row)


@router.post(
    "/appraisals",
    response={201: AppraisalDetail},
    summary="新建民主评议（办公室或专委会工作人员）：评分表权重之和须为100",
)
def create_appraisal(request, payload: AppraisalIn):
    r = services.create(
        request.user,
        year=payload.year,
        title=payload.title,
        kind=payload.kind,
        opens_at=payload.opens_at,
        closes_at=payload.closes_at,
        items=[i.dict() for i in payload.items],
        description=payload.description,
        photo_required=payload.photo_required,
    )
    return 201, _full(request, r.pk)


@router.get(
    "/appraisal-stats", response=AppraisalStats, summary="民主评议年度数据：评议次数、对象、参与委员人次"
)
def appraisal_stats(request, year: int | None = None):
    if not rules.is_reader(request.user):
        raise NotFound("未找到。")
    s = stats.year_stats(request.user, year)
    return {k: s[k] for k in ("year", "rounds", "published", "targets", "ratings", "raters", "sentence")}


@router.get(
    "/appraisals/{int:round_id}",
    response=AppraisalDetail,
    summary="民主评议详情（评分表、本人评议进度、可执行的操作）",
)
def get_appraisal(request, round_id: int):
    return _full(request, round_id)


@router.patch(
    "/appraisals/{int:round_id}",
    response=AppraisalDetail,
    summary="修改民主评议（草拟时均可修改；评议中只能改名称、说明和时间）",
)
def update_appraisal(request, round_id: int, payload: AppraisalPatch):
    given = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    services.update(request.user, round_id, **given)
    return _full(request, round_id)


@router.post(
    "/appraisals/{int:round_id}/targets",
    response=AppraisalTargetsOut,
    summary="添加评议对象（逐个、粘贴多行或选择承办单位）",
)
def add_appraisal_targets(request, round_id: int, payload: AppraisalTargetsIn):
    new = services.add_targets(
        request.user,
        round_id,
        rows=[t.dict() for t in payload.targets],
        text=payload.lines,
        units=payload.units,
        all_units=payload.all_units,
    )
    return {"added": len(new), "total": selectors.get(request.user, round_id).target_count}


@router.post(
    "/appraisals/{int:round_id}/targets/upload",
    response=AppraisalTargetsOut,
    summary="从 Excel 导入评议对象（第一列名称，第二列地址，第三列单位）",
)
def upload_appraisal_targets(request, round_id: int, file: File[UploadedFile] = None):
    if file is None:
        selectors.get(request.user, round_id)  # 404 first for a round the caller does not see
        raise Invalid("请选择要上传的 Excel 文件。", field="file")
    new = services.add_targets(request.user, round_id, upload=file)
    return {"added": len(new), "total": selectors.get(request.user, round_id).target_count}


@router.get(
    "/appraisals/{int:round_id}/targets",
    response=list[AppraisalTarget],
    summary="评议对象列表（可搜索；标出本人已评议的对象）",
)
@paginate(PageNumberPagination, page_size=50)
def list_appraisal_targets(request, round_id: int, q: str = ""):
    r = selectors.get(request.user, round_id)
    mine = selectors.rated_ids(selectors.my_rater(request.user, r))

    def fn(t: Target) -> dict:
        return {
            "id": t.pk,
            "name": t.name,
            "address": t.address,
            "unit": t.unit_id,
            "unit_name": t.unit.name if t.unit_id else "",
            "rated_by_me": t.pk in mine,
        }

    return Rows(selectors.targets(r, q=q), fn)


@router.post(
    "/appraisals/{int:round_id}/raters",
    response=AppraisalInviteOut,
    summary="邀请参评委员（指定委员、按界别、按专委会或全体委员）",
)
def invite_appraisal_raters(request, round_id: int, payload: AppraisalInviteIn):
    n = services.invite(
        request.user,
        round_id,
        members=payload.members,
        sectors=payload.sectors,
        committees=payload.committees,
        all_members=payload.all_members,
    )
    return {"added": n, "raters": selectors.get(request.user, round_id).rater_count}


@router.post("/appraisals/{int:round_id}/open", response=AppraisalDetail, summary="开始评议（通知受邀委员）")
def open_appraisal(request, round_id: int):
    services.open_round(request.user, round_id)
    return _full(request, round_id)


@router.post("/appraisals/{int:round_id}/close", response=AppraisalDetail, summary="结束评议（形成排名）")
def close_appraisal(request, round_id: int):
    services.close_round(request.user, round_id)
    return _full(request, round_id)


@router.post(
    "/appraisals/{int:round_id}/publish", response=AppraisalDetail, summary="公布评议结果（通知参评委员）"
)
def publish_appraisal(request, round_id: int):
    services.publish(request.user, round_id)
    return _full(request, round_id)


@router.post(
    "/appraisals/{int:round_id}/finish",
    response=AppraisalDetail,
    summary="受邀委员确认已完成本次评议（待办随之消失）",
)
def finish_appraisal(request, round_id: int):
    services.finish(request.user, round_id)
    return _full(request, round_id)


@router.post(
    "/appraisals/{int:round_id}/ratings",
    response=AppraisalRating,
    summary="提交或修改本人对一个评议对象的评议（受邀委员，评议时间内）",
)
def rate_appraisal_target(request, round_id: int, payload: AppraisalRatingIn):
    rating = services.rate(
        request.user,
        round_id,
        payload.target,
        scores=[s.dict() for s in payload.scores],
        note=payload.note,
        latitude=payload.latitude,
        longitude=payload.longitude,
        accuracy=payload.accuracy,
    )
    r = selectors.get(request.user, round_id)
    x = selectors.ratings(request.user, r).get(pk=rating.pk)
    return rating_row(x, rules.can_see_details(request.user, r))


@router.post(
    "/appraisals/{int:round_id}/ratings/upload",
    response=AppraisalRating,
    summary="提交本人的评议并同时上传现场照片（multipart；scores 为 JSON 文本；须上传照片的评议用此接口）",
)
def rate_appraisal_target_with_photos(
    request, round_id: int, payload: Form[AppraisalRatingForm], photos: File[list[UploadedFile]] = None
):
    # An invisible round is a 404 before the form is read: a bad form must not tell that the round exists.
    r = selectors.get(request.user, round_id)
    try:
        raw = json.loads(payload.scores or "[]")
        if not isinstance(raw, list):
            raise ValueError
        scores = [AppraisalScoreIn(**x).dict() for x in raw]
    except (ValueError, TypeError):
        raise Invalid("评分格式有误：scores 须为 [{item, value 或 verdict}] 的 JSON 列表。", field="scores")
    rating = services.rate(
        request.user,
        round_id,
        payload.target,
        scores=scores,
        note=payload.note,
        latitude=payload.latitude,
        longitude=payload.longitude,
        accuracy=payload.accuracy,
        photos=photos or [],
    )
    x = selectors.ratings(request.user, r).get(pk=rating.pk)
    return rating_row(x, rules.can_see_details(request.user, r))


@router.get(
    "/appraisals/{int:round_id}/ratings",
    response=list[AppraisalRating],
    summary="评议记录（工作人员：全部，含位置；委员：本人的）",
)
@paginate(PageNumberPagination, page_size=50)
def list_appraisal_ratings(request, round_id: int, target: int | None = None):
    r = selectors.get(request.user, round_id)
    t = selectors.target(r, target) if target is not None else None
    details = rules.can_see_details(request.user, r)
    return Rows(selectors.ratings(request.user, r, target=t), lambda x: rating_row(x, details))


@router.post(
    "/appraisal-ratings/{int:rating_id}/photos",
    response=AppraisalRating,
    summary="为本人的评议上传现场照片（multipart；图片不保留位置信息）",
)
def add_appraisal_photos(request, rating_id: int, photos: File[list[UploadedFile]] = None):
    rt = services.add_photos(request.user, rating_id, photos or [])
    r = selectors.get(request.user, rt.round_id)
    x = selectors.ratings(request.user, r).get(pk=rt.pk)
    return rating_row(x, rules.can_see_details(request.user, r))


@router.get(
    "/appraisals/{int:round_id}/results",
    response=AppraisalResults,
    summary="评议结果：排名、满意与重点监督（工作人员随时；委员在公布后）",
)
def appraisal_results(request, round_id: int):
    r = selectors.get(request.user, round_id)
    if not rules.can_see_results(request.user, r):
        raise NotFound("评议结果尚未公布。")
    res = selectors.results(request.user, r)
    out = []
    for t in res["targets"]:
        f = t.figures or {}
        out.append(
            {
                "id": t.pk,
                "name": t.name,
                "address": t.address,
                "unit": t.unit_id,
                "rank": t.rank,
                "mark": t.mark,
                "valid": t.valid,
                "ratings": t.ratings,
                "score": t.score,
                "photos": t.photos,
                "satisfied": t.satisfied,
                "basically_satisfied": t.basically_satisfied,
                "unsatisfied": t.unsatisfied,
                "unknown": t.unknown,
                "satisfaction_rate": t.rate,
                "proposals_handled": f.get("assigned"),
                "replied_on_time": f.get("on_time"),
                "members_satisfaction": f.get("satisfaction"),
            }
        )
    return {
        "round": row(r),
        "targets": out,
        "top": [t.name for t in res["top"]],
        "bottom": [t.name for t in res["bottom"]],
    }
