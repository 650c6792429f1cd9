"""民主监督 JSON API under /api/v1 (stable contract of issue 12):

    GET|POST /supervisions   {year, unit_id, title, leader_member_id, member_ids} (POST → 201)
    GET  /supervisions/{id}   the group with its three lists and the rating summary
    POST /supervisions/{id}/items   {list: problem|suggestion|rectification, content, deadline?} → 201
    POST /supervision-items/{id}/confirm   {accepted: bool, note}
    POST /supervisions/{id}/ratings   {aspect, rating: satisfied|basically_satisfied|unsatisfied|unknown}

Extensions: staff_contact_id, starts_on, ends_on on POST /supervisions; POST /supervisions/{id}/finish
(active → rated) and /close (rated → closed); GET /supervisions/{id}/report (.docx); GET
/supervisions/stats?year=; POST /supervision-items/{id}/evidence (multipart, field file); problem_id on
POST /supervisions/{id}/items (the 问题清单 item a 整改 item rectifies); the 票决:
GET|POST /supervision-votes, GET /supervision-votes/{id}, POST /supervision-votes/{id}/ballots {unit_ids},
/paper {voters, votes: [{unit_id, votes}]}, /close, /pick {unit_ids} (a tie at the cut).
Invisible → 404, forbidden → 403, bad input → 422, an illegal step → 409.
"""

from __future__ import annotations

import datetime
from typing import Literal

from django.urls import reverse
from ninja import File, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import PageNumberPagination, paginate

from zhengxie.core.documents import file_response
from zhengxie.core.pagination import Rows

from . import documents, rules, selectors, services, stats
from .models import Item, Selection, Supervision

router = Router(tags=["民主监督"])

ListName = Literal["problem", "suggestion", "rectification"]
VerdictName = Literal["satisfied", "basically_satisfied", "unsatisfied", "unknown"]


class SupervisionIn(Schema):
    year: int
    unit_id: int
    title: str | None = None
    leader_member_id: int
    member_ids: list[int] = []
    # Extensions.
    staff_contact_id: int | None = None
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None


class SupervisionItemIn(Schema):
    list: ListName
    content: str
    deadline: datetime.date | None = None
    # Extension: the 问题清单 item a 整改 item rectifies (its unit reads it on its case page).
    problem_id: int | None = None


class SupervisionConfirmIn(Schema):
    accepted: bool
    note: str = ""


class SupervisionRatingIn(Schema):
    aspect: str
    rating: VerdictName


class SupervisionPerson(Schema):
    id: int
    name: str


class SupervisionFile(Schema):
    id: int
    name: str
    url: str


class SupervisionItemOut(Schema):
    id: int
    supervision_id: int
    list: ListName
    number: int
    content: str
    deadline: datetime.date | None = None
    status: Literal["recorded", "routed", "replied", "rehandling", "rectified"]
    status_label: str
    light: str
    case_id: int | None = None
    problem_id: int | None = None
    evidence: list[SupervisionFile]
    actions: list[str]


class SupervisionLists(Schema):
    problem: list[SupervisionItemOut]
    suggestion: list[SupervisionItemOut]
    rectification: list[SupervisionItemOut]


class SupervisionAspect(Schema):
    aspect: str
    counts: dict[str, int]
    raters: int
    result: str
    result_label: str
    satisfaction_rate: float | None = None
    valid: bool


class SupervisionRatingSummary(Schema):
    group_size: int
    valid: bool
    aspects: list[SupervisionAspect]


class SupervisionRow(Schema):
    id: int
    organisation_id: int
    year: int
    unit_id: int
    unit_name: str
    title: str
    leader_member_id: int
    leader_name: str
    status: Literal["active", "rated", "closed"]
    starts_on: datetime.date
    ends_on: datetime.date


class SupervisionListRow(SupervisionRow):
    problems: int
    suggestions: int
    rectifications: int
    rectified: int


class SupervisionDetail(SupervisionRow):
    members: list[SupervisionPerson]
    staff_contact: SupervisionPerson | None = None
    selection_id: int | None = None
    lists: SupervisionLists
    rating: SupervisionRatingSummary
    my_ratings: dict[str, str]
    aspects: list[str]
    actions: list[str]


class SupervisionCandidateIn(Schema):
    unit_id: int
    reason: str


class SupervisionVoteIn(Schema):
    year: int
    title: str | None = None
    choose: int
    candidates: list[SupervisionCandidateIn]


class SupervisionBallotIn(Schema):
    unit_ids: list[int]


class SupervisionPaperVotes(Schema):
    unit_id: int
    votes: int


class SupervisionPaperIn(Schema):
    voters: int
    votes: list[SupervisionPaperVotes]


class SupervisionCandidateOut(Schema):
    unit_id: int
    unit_name: str
    reason: str
    # Hidden (null) from members while the vote is open.
    votes: int | None = None
    chosen: bool
    tied: bool


class SupervisionVoteRow(Schema):
    id: int
    organisation_id: int
    year: int
    title: str
    choose: int
    status: Literal["open", "tie", "closed"]
    valid: bool | None = None


class SupervisionVoteOut(SupervisionVoteRow):
    voters: int
    standing: int
    quorum_percent: int
    quorum_met: bool
    paper_voters: int
    candidates: list[SupervisionCandidateOut]
    my_ballot: list[int] | None = None
    actions: list[str]


class SupervisionGroupFigures(Schema):
    id: int
    title: str
    unit_name: str
    problems: int
    suggestions: int
    rectifications: int
    rectified: int


class SupervisionStats(Schema):
    year: int
    groups: int
    problems: int
    suggestions: int
    rectifications: int
    rectified: int
    replied: int
    rehandling: int
    open: int
    rectified_rate: float | None = None
    by_group: list[SupervisionGroupFigures]
    sentence: str


# --- shapes ----------------------------------------------------------------------------------------------


def _row(s: Supervision) -> dict:
    return {
        "id": s.pk,
        "organisation_id": s.organisation_id,
        "year": s.year,
        "unit_id": s.unit_id,
        "unit_name": s.unit.name,
        "title": s.title,
        "leader_member_id": s.leader_id,
        "leader_name": s.leader.name,
        "status": s.status,
        "starts_on": s.starts_on,
        "ends_on": s.ends_on,
    }


def list_row(s: Supervision) -> dict:
    return {
        **_row(s),
        **{k: getattr(s, k) for k in ("problems", "suggestions", "rectifications", "rectified")},
    }


def item_actions(user, s: Supervision, i: Item) -> list[str]:
    out = []
    if rules.is_group(user, s):
        if i.status == Item.Status.REPLIED:
            out.append("confirm")
        if s.status != Supervision.Status.CLOSED:
            out.append("evidence")
    return out


def item_out(user, s: Supervision, i: Item, files) -> dict:
    return {
        "id": i.pk,
        "supervision_id": i.supervision_id,
        "list": i.list,
        "number": i.number,
        "content": i.content,
        "deadline": i.deadline,
        "status": i.status,
        "status_label": i.get_status_display(),
        "light": i.light,
        "case_id": i.case_id,
        "problem_id": i.problem_id,
        "evidence": [
            {"id": a.pk, "name": a.original_name, "url": reverse("core:attachment", args=[a.pk])}
            for a in files
        ],
        "actions": item_actions(user, s, i),
    }


def actions(user, s: Supervision) -> list[str]:
    out = ["report"]
    active = s.status == Supervision.Status.ACTIVE
    if active and rules.can_add_items(user, s):
        out.append("add_item")
    if active and rules.can_rate(user, s):
        out.append("rate")
    if rules.can_manage(user, s):
        if active:
            out.append("finish")
        elif s.status == Supervision.Status.RATED:
            out.append("close")
    return out


def detail(user, s: Supervision) -> dict:
    lists = selectors.lists(s)
    files = selectors.evidence(s.items.all())
    return {
        **_row(s),
        "members": [{"id": m.pk, "name": m.name} for m in s.members.all()],
        "staff_contact": {"id": s.staff_contact_id, "name": s.staff_contact.name}
        if s.staff_contact_id
        else None,
        "selection_id": s.selection_id,
        "lists": {k: [item_out(user, s, i, files.get(i.pk, [])) for i in v] for k, v in lists.items()},
        "rating": services.rating_summary(s),
        "my_ratings": services.my_ratings(user, s),
        "aspects": services.aspects(s.organisation),
        "actions": actions(user, s),
    }


def _full(request, pk) -> dict:
    return detail(request.user, selectors.get(request.user, pk))


def _item(request, item) -> dict:
    s = selectors.get(request.user, item.supervision_id)
    i = next(x for x in s.items.all() if x.pk == item.pk)
    return item_out(request.user, s, i, selectors.evidence([i]).get(i.pk, []))


def vote_actions(user, sel: Selection, ballot) -> list[str]:
    out = []
    office = rules.is_office(user, sel.organisation)
    if sel.status == Selection.Status.OPEN:
        if rules.is_standing(user, sel.organisation) and ballot is None:
            out.append("ballot")
        if office:
            out += ["paper", "close"]
    elif sel.status == Selection.Status.TIE and office:
        out.append("pick")
    return out


def vote_out(user, sel: Selection) -> dict:
    cands = selectors.candidates(sel)
    t = services.tally(sel, cands)
    votes = {r["candidate"].pk: r["votes"] for r in t["rows"]}
    show = sel.status != Selection.Status.OPEN or rules.is_reader(user)
    ballot = selectors.my_ballot(user, sel)
    return {
        "id": sel.pk,
        "organisation_id": sel.organisation_id,
        "year": sel.year,
        "title": sel.title,
        "choose": sel.choose,
        "status": sel.status,
        "valid": sel.valid,
        "voters": t["voters"],
        "standing": t["standing"],
        "quorum_percent": t["quorum_percent"],
        "quorum_met": t["quorum_met"],
        "paper_voters": sel.paper_voters,
        "candidates": [
            {
                "unit_id": c.unit_id,
                "unit_name": c.unit.name,
                "reason": c.reason,
                "votes": votes[c.pk] if show else None,
                "chosen": c.chosen,
                "tied": c.tied,
            }
            for c in cands
        ],
        "my_ballot": [c.unit_id for c in ballot.candidates.all()] if ballot else None,
        "actions": vote_actions(user, sel, ballot),
    }


def _vote(request, pk) -> dict:
    return vote_out(request.user, selectors.get_selection(request.user, pk))


# --- supervision groups ----------------------------------------------------------------------------------


@router.get(
    "/supervisions",
    response=list[SupervisionListRow],
    summary="民主监督小组列表（工作人员、领导：本级及下级；委员：本人参加的小组；分页）",
)
@paginate(PageNumberPagination, page_size=30)
def list_supervisions(request, year: int | None = None, status: str = "", q: str = ""):
    if year is not None:
        year = services.check_year(year)
    return Rows(selectors.supervision_list(request.user, year=year, status=status, q=q), list_row)


@router.post("/supervisions", response={201: SupervisionDetail}, summary="组建民主监督小组（本级政协办公室）")
def create_supervision(request, payload: SupervisionIn):
    s = services.create(
        request.user,
        year=payload.year,
        unit=payload.unit_id,
        title=payload.title or "",
        leader=payload.leader_member_id,
        members=payload.member_ids,
        staff_contact=payload.staff_contact_id,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
    )
    return 201, _full(request, s.pk)


@router.get(
    "/supervisions/stats", response=SupervisionStats, summary="民主监督年度统计（小组数、三张清单、整改情况）"
)
def supervision_stats(request, year: int | None = None):
    s = stats.year_stats(request.user, year)
    s["by_group"] = [
        {
            "id": r["id"],
            "title": r["title"],
            "unit_name": r["unit__name"],
            **{k: r[k] for k in ("problems", "suggestions", "rectifications", "rectified")},
        }
        for r in s["by_group"]
    ]
    return s


@router.get(
    "/supervisions/{int:supervision_id}",
    response=SupervisionDetail,
    summary="民主监督小组详情（问题清单、建议清单、整改清单及评议结果）",
)
def get_supervision(request, supervision_id: int):
    return _full(request, supervision_id)


@router.post(
    "/supervisions/{int:supervision_id}/items",
    response={201: SupervisionItemOut},
    summary="填写清单事项（监督小组）：问题、建议或整改；整改事项交承办单位办理",
)
def add_supervision_item(request, supervision_id: int, payload: SupervisionItemIn):
    i = services.add_item(
        request.user,
        supervision_id,
        list=payload.list,
        content=payload.content,
        deadline=payload.deadline,
        problem=payload.problem_id,
    )
    return 201, _item(request, i)


@router.post(
    "/supervision-items/{int:item_id}/evidence",
    response={201: SupervisionItemOut},
    summary="上传清单事项的佐证材料（multipart 字段 file；照片去除 EXIF 位置信息）",
)
def add_supervision_evidence(request, item_id: int, file: File[UploadedFile] = None):
    att = services.add_evidence(request.user, item_id, file)
    return 201, _item(request, att.target)


@router.post(
    "/supervision-items/{int:item_id}/confirm",
    response=SupervisionItemOut,
    summary="确认整改情况（监督小组）：accepted=true 确认已整改，false 退回重新整改（须写明意见）",
)
def confirm_supervision_item(request, item_id: int, payload: SupervisionConfirmIn):
    i = services.confirm(request.user, item_id, accepted=payload.accepted, note=payload.note)
    return _item(request, i)


@router.post(
    "/supervisions/{int:supervision_id}/ratings",
    response=SupervisionDetail,
    summary="评议被监督单位（小组组长和成员，每方面一次，重评覆盖）",
)
def rate_supervision(request, supervision_id: int, payload: SupervisionRatingIn):
    services.rate(request.user, supervision_id, {payload.aspect: payload.rating})
    return _full(request, supervision_id)


@router.post(
    "/supervisions/{int:supervision_id}/finish",
    response=SupervisionDetail,
    summary="结束评议（办公室或联络员；评议人数须过小组半数）",
)
def finish_supervision(request, supervision_id: int):
    services.finish_rating(request.user, supervision_id)
    return _full(request, supervision_id)


@router.post(
    "/supervisions/{int:supervision_id}/close",
    response=SupervisionDetail,
    summary="结束民主监督（办公室或联络员；小组成员记履职）",
)
def close_supervision(request, supervision_id: int):
    services.close(request.user, supervision_id)
    return _full(request, supervision_id)


@router.get("/supervisions/{int:supervision_id}/report", summary="下载民主监督报告（.docx）")
def supervision_report(request, supervision_id: int):
    s = selectors.get(request.user, supervision_id)
    data = documents.report_docx(s, selectors.lists(s), services.rating_summary(s))
    return file_response(data, documents.filename(s), documents.DOCX)


# --- 票决 ------------------------------------------------------------------------------------------------


@router.get(
    "/supervision-votes",
    response=list[SupervisionVoteRow],
    summary="民主监督单位票决列表（本级及下级；分页）",
)
@paginate(PageNumberPagination, page_size=30)
def list_supervision_votes(request, year: int | None = None):
    if year is not None:
        year = services.check_year(year)
    return Rows(selectors.selections(request.user, year), lambda sel: sel)


@router.post(
    "/supervision-votes",
    response={201: SupervisionVoteOut},
    summary="发起民主监督单位票决（本级政协办公室）：候选单位及理由、拟选单位数；通知常委",
)
def create_supervision_vote(request, payload: SupervisionVoteIn):
    sel = services.open_selection(
        request.user,
        year=payload.year,
        title=payload.title or "",
        choose=payload.choose,
        candidates=[c.dict() for c in payload.candidates],
    )
    return 201, _vote(request, sel.pk)


@router.get("/supervision-votes/{int:vote_id}", response=SupervisionVoteOut, summary="民主监督单位票决详情")
def get_supervision_vote(request, vote_id: int):
    return _vote(request, vote_id)


@router.post(
    "/supervision-votes/{int:vote_id}/ballots",
    response={201: SupervisionVoteOut},
    summary="常委投票（每人一次，最多选拟选单位数个）",
)
def cast_supervision_ballot(request, vote_id: int, payload: SupervisionBallotIn):
    services.vote(request.user, vote_id, payload.unit_ids)
    return 201, _vote(request, vote_id)


@router.post(
    "/supervision-votes/{int:vote_id}/paper",
    response=SupervisionVoteOut,
    summary="录入纸质票决结果（办公室）：参加人数及各单位得票",
)
def enter_supervision_paper(request, vote_id: int, payload: SupervisionPaperIn):
    services.enter_paper(
        request.user, vote_id, voters=payload.voters, votes=[v.dict() for v in payload.votes]
    )
    return _vote(request, vote_id)


@router.post(
    "/supervision-votes/{int:vote_id}/close",
    response=SupervisionVoteOut,
    summary="结束票决（办公室）：参加常委过半方为有效，得票前几名当选",
)
def close_supervision_vote(request, vote_id: int):
    services.close_selection(request.user, vote_id)
    return _vote(request, vote_id)


@router.post(
    "/supervision-votes/{int:vote_id}/pick",
    response=SupervisionVoteOut,
    summary="确定平票单位（办公室）：在末位平票的单位中选定",
)
def pick_supervision_vote(request, vote_id: int, payload: SupervisionBallotIn):
    services.pick(request.user, vote_id, payload.unit_ids)
    return _vote(request, vote_id)
