"""协商成果 in /api/v1 (issue 11): the outcome with its numbered recommendations, 报送, routing a
recommendation to a unit, adoption (成果转化), 批示 and the standing members' 票评.

    POST /consultations/{id}/outcome              {summary, recommendations: [{content, unit_id?, deadline?}],
                                                   title?, sent_to?} → 201 outcome (writes or rewrites the draft)
    GET  /consultations/{id}/outcome              the consultation's outcome (404 when none)
    GET  /consultation-outcomes/{id}
    POST /consultation-outcomes/{id}/send         报送 (the consultation becomes outcome_sent)
    POST /consultation-outcomes/{id}/votes        {rating: good|fair|average|poor} → 201 (standing members, once)
    POST /consultation-outcomes/{id}/vote-open | vote-close
    POST /consultation-outcomes/{id}/instructions {leader, level, content, given_on} → 201
    POST /consultation-recommendations/{id}/route {unit_id, deadline?}
    POST /consultation-recommendations/{id}/adoption {adoption: adopted|partly|not_adopted, note}

Invisible → 404, forbidden → 403, wrong state (or a second vote) → 409, bad input → 422.
"""

from __future__ import annotations

import datetime
from typing import Literal

from ninja import Schema

from .. import rules
from .. import selectors_outcomes as sel
from ..models import Outcome, OutcomeInstruction, Recommendation
from ..selectors import get_consultation
from ..services import outcomes as services
from . import router

Rating = Literal["good", "fair", "average", "poor"]
AdoptionValue = Literal["adopted", "partly", "not_adopted"]


# --- schemas ------------------------------------------------------------------------------------------------


class OutcomeRecommendationIn(Schema):
    content: str
    unit_id: int | None = None
    deadline: datetime.date | None = None


class OutcomeIn(Schema):
    summary: str
    recommendations: list[OutcomeRecommendationIn]
    title: str | None = None
    # Extension: whom it is sent to (default 中共县委、县人民政府).
    sent_to: str | None = None


class OutcomeRecommendationOut(Schema):
    id: int
    number: int
    content: str
    unit_id: int | None = None
    unit: str = ""
    deadline: datetime.date | None = None
    status: Literal["pending", "routed", "replied", "closed"]
    adoption: Literal["", "adopted", "partly", "not_adopted"]
    adoption_note: str = ""
    adopted_at: datetime.datetime | None = None
    case_id: int | None = None


class OutcomeInstructionOut(Schema):
    id: int
    leader: str
    level: str
    content: str
    given_on: datetime.date


class OutcomeVoteCounts(Schema):
    good: int
    fair: int
    average: int
    poor: int


class OutcomeVotes(Schema):
    counts: OutcomeVoteCounts
    votes: int
    standing: int
    quorum_percent: int


class OutcomeOut(Schema):
    id: int
    consultation_id: int
    title: str
    summary: str
    sent_to: str
    status: Literal["draft", "sent"]
    sent_at: datetime.datetime | None = None
    recommendations: list[OutcomeRecommendationOut]
    vote_open: bool
    vote_result: str
    vote_valid: bool | None = None
    vote_closed_at: datetime.datetime | None = None
    # Extensions: the 批示, the 票评 counts (while open and after), the caller's own vote.
    instructions: list[OutcomeInstructionOut]
    votes: OutcomeVotes
    my_vote: str | None = None


class OutcomeVoteIn(Schema):
    rating: Rating


class OutcomeVoteOut(Schema):
    outcome_id: int
    rating: Rating
    voted_at: datetime.datetime


class OutcomeRouteIn(Schema):
    unit_id: int
    deadline: datetime.date | None = None
    note: str | None = None


class OutcomeAdoptionIn(Schema):
    adoption: AdoptionValue
    note: str = ""


class OutcomeInstructionIn(Schema):
    leader: str
    level: Literal["county", "city", "province", "national"] = "county"
    content: str
    given_on: datetime.date | None = None


# --- rows -----------------------------------------------------------------------------------------------------


def recommendation_row(r: Recommendation) -> dict:
    return {
        "id": r.pk,
        "number": r.number,
        "content": r.content,
        "unit_id": r.unit_id,
        "unit": r.unit.name if r.unit_id else "",
        "deadline": r.deadline,
        "status": r.status,
        "adoption": r.adoption,
        "adoption_note": r.adoption_note,
        "adopted_at": r.adopted_at,
        "case_id": r.case_id,
    }


def instruction_row(i: OutcomeInstruction) -> dict:
    return {"id": i.pk, "leader": i.leader, "level": i.level, "content": i.content, "given_on": i.given_on}


def outcome_row(request, o: Outcome) -> dict:
    t = services.tally(o)
    mine = sel.my_vote(request.user, o) if rules.can_vote(request.user, o) else None
    return {
        "id": o.pk,
        "consultation_id": o.consultation_id,
        "title": o.title,
        "summary": o.summary,
        "sent_to": o.sent_to,
        "status": o.status,
        "sent_at": o.sent_at,
        "recommendations": [recommendation_row(r) for r in sel.recommendations(o)],
        "vote_open": o.vote_open,
        "vote_result": o.vote_result,
        "vote_valid": o.vote_valid,
        "vote_closed_at": o.vote_closed_at,
        "instructions": [instruction_row(i) for i in sel.instructions(o)],
        "votes": {k: t[k] for k in ("counts", "votes", "standing", "quorum_percent")},
        "my_vote": mine.rating if mine else None,
    }


def _full(request, pk) -> dict:
    return outcome_row(request, sel.get_outcome(request.user, pk))


def _recommendation(request, pk) -> dict:
    r = Recommendation.objects.filter(pk=pk).only("outcome_id").first()
    sel.get_outcome(request.user, r.outcome_id if r else None)
    return recommendation_row(Recommendation.objects.select_related("unit").get(pk=pk))


# --- operations ---------------------------------------------------------------------------------------------


@router.post(
    "/consultations/{consultation_id}/outcome",
    response={201: OutcomeOut},
    summary="撰写（或修改草稿）协商成果：综述与编号建议（可指定承办单位与期限，报送时交办）",
)
def save_outcome(request, consultation_id: int, payload: OutcomeIn):
    o = services.save(
        user=request.user,
        consultation=consultation_id,
        title=payload.title or "",
        summary=payload.summary,
        sent_to=payload.sent_to,
        recommendations=[r.model_dump() for r in payload.recommendations],
    )
    return 201, _full(request, o.pk)


@router.get("/consultations/{consultation_id}/outcome", response=OutcomeOut, summary="协商活动的协商成果")
def consultation_outcome(request, consultation_id: int):
    c = get_consultation(request.user, consultation_id)
    o = sel.outcome_of(c, request.user)
    if o is None:
        from zhengxie.core.errors import NotFound

        raise NotFound("该协商活动尚无协商成果。")
    return outcome_row(request, o)


@router.get("/consultation-outcomes/{outcome_id}", response=OutcomeOut, summary="协商成果详情")
def get_outcome(request, outcome_id: int):
    return _full(request, outcome_id)


@router.post(
    "/consultation-outcomes/{outcome_id}/send",
    response=OutcomeOut,
    summary="报送协商成果（协商活动状态变为成果已报送；指定了承办单位的建议交办到单位）",
)
def send_outcome(request, outcome_id: int):
    services.send(user=request.user, outcome=outcome_id)
    return _full(request, outcome_id)


@router.post(
    "/consultation-outcomes/{outcome_id}/votes",
    response={201: OutcomeVoteOut},
    summary="常委票评（好 good、较好 fair、一般 average、差 poor；每人一次）",
)
def vote(request, outcome_id: int, payload: OutcomeVoteIn):
    v = services.vote(user=request.user, outcome=outcome_id, rating=payload.rating)
    return 201, {"outcome_id": v.outcome_id, "rating": v.rating, "voted_at": v.voted_at}


@router.post("/consultation-outcomes/{outcome_id}/vote-open", response=OutcomeOut, summary="开始成果票评")
def vote_open(request, outcome_id: int):
    services.open_vote(user=request.user, outcome=outcome_id)
    return _full(request, outcome_id)


@router.post(
    "/consultation-outcomes/{outcome_id}/vote-close",
    response=OutcomeOut,
    summary="结束成果票评（参加的常委超过规定比例方为有效；结果为票数最多的评价，票数相同取较差者）",
)
def vote_close(request, outcome_id: int):
    services.close_vote(user=request.user, outcome=outcome_id)
    return _full(request, outcome_id)


@router.post(
    "/consultation-outcomes/{outcome_id}/instructions",
    response={201: OutcomeInstructionOut},
    summary="登记领导批示",
)
def add_instruction(request, outcome_id: int, payload: OutcomeInstructionIn):
    i = services.add_instruction(
        user=request.user,
        outcome=outcome_id,
        leader=payload.leader,
        level=payload.level,
        content=payload.content,
        given_on=payload.given_on,
    )
    return 201, instruction_row(i)


@router.post(
    "/consultation-recommendations/{recommendation_id}/route",
    response=OutcomeRecommendationOut,
    summary="交办协商建议（进入承办单位的承办工作台）",
)
def route_recommendation(request, recommendation_id: int, payload: OutcomeRouteIn):
    services.route(
        user=request.user,
        recommendation=recommendation_id,
        unit=payload.unit_id,
        deadline=payload.deadline,
        note=payload.note or "",
    )
    return _recommendation(request, recommendation_id)


@router.post(
    "/consultation-recommendations/{recommendation_id}/adoption",
    response=OutcomeRecommendationOut,
    summary="登记建议采纳情况（已采纳、部分采纳计入相关委员履职）",
)
def recommendation_adoption(request, recommendation_id: int, payload: OutcomeAdoptionIn):
    services.set_adoption(
        user=request.user, recommendation=recommendation_id, adoption=payload.adoption, note=payload.note
    )
    return _recommendation(request, recommendation_id)
