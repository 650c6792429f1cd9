"""Reads of 协商成果 (outcomes, recommendations, 批示, 票评), scoped through the consultation (404 when the
user may not see it), each with a constant number of queries whatever the number of recommendations."""

from __future__ import annotations

from django.db.models import Count, Q

from zhengxie.core.errors import NotFound
from zhengxie.members.selectors import member_of

from . import rules
from .models import Consultation, Outcome, OutcomeVote, Recommendation
from .selectors import committee_q, get_consultation, visible_q


def sees_draft(user, consultation) -> bool:
    """A draft outcome is the staff's work in progress: its staff and the readers (leaders) see it."""
    return rules.can_manage(user, consultation) or rules.is_reader(user, consultation.organisation)


def get_outcome(user, pk) -> Outcome:
    """The outcome if the user may see its consultation (and, while a draft, sees drafts), else 404."""
    o = None
    if pk not in (None, "") and str(pk).isdigit():
        o = Outcome.objects.filter(pk=int(pk)).only("pk", "consultation_id").first()
    if o is None:
        raise NotFound("未找到该协商成果。")
    c = get_consultation(user, o.consultation_id)
    o = Outcome.objects.select_related("sent_by", "created_by").get(pk=o.pk)
    if o.status == Outcome.Status.DRAFT and not sees_draft(user, c):
        raise NotFound("未找到该协商成果。")
    o.consultation = c
    return o


def outcome_of(consultation, user=None) -> Outcome | None:
    """The consultation's outcome (None when there is none, or it is a draft the user does not see)."""
    o = Outcome.objects.select_related("sent_by").filter(consultation_id=consultation.pk).first()
    if o is None or (
        user is not None and o.status == Outcome.Status.DRAFT and not sees_draft(user, consultation)
    ):
        return None
    o.consultation = consultation
    return o


def to_vote(member):
    """The open 票评 of the member's committee (and its liaison groups) this standing member has not given:
    the member's to-do and the list's ?todo=vote. None for members who do not vote."""
    if member is None or not member.is_standing:
        return Outcome.objects.none()
    return Outcome.objects.filter(
        committee_q(member.organisation, "consultation__organisation"), vote_open=True
    ).exclude(votes__member_id=member.pk)


def outcomes_for(user, year, *, todo=""):
    """The year's outcomes of the consultations the user may see (drafts only for staff and readers), each
    with its counts of recommendations, adopted (已采纳 + 部分采纳), routed and closed ones: one query a page.
    `todo="vote"`: instead of the year's, the open 票评 the member has still to give (the to-do)."""
    visible = Consultation.objects.filter(visible_q(user)).values("pk")
    qs = Outcome.objects.filter(consultation__in=visible)
    if todo == "vote":
        qs = qs.filter(pk__in=to_vote(member_of(user)).values("pk"))
    else:
        qs = qs.filter(consultation__year=year)
    if not (user.has_role(*rules.READERS) or rules.is_consultation_staff(user)):
        qs = qs.filter(status=Outcome.Status.SENT)
    adopted = [Recommendation.Adoption.ADOPTED, Recommendation.Adoption.PARTLY]
    return (
        qs.select_related("consultation")
        .annotate(
            n_recommendations=Count("recommendations"),
            n_adopted=Count("recommendations", filter=Q(recommendations__adoption__in=adopted)),
            n_routed=Count("recommendations", filter=Q(recommendations__case__isnull=False)),
            n_closed=Count("recommendations", filter=Q(recommendations__status=Recommendation.Status.CLOSED)),
        )
        .order_by("-sent_at", "-pk")
    )


def recommendations(outcome) -> list[Recommendation]:
    """The outcome's recommendations, each with `rating` (满意/基本满意/不满意: the staff's rating of its
    unit's latest reply on the handling spine, "" before it is rated): two queries."""
    from zhengxie.handling.models import Evaluation

    recs = list(
        Recommendation.objects.filter(outcome_id=outcome.pk).select_related("unit", "case").order_by("number")
    )
    rated = dict(
        Evaluation.objects.filter(case_id__in=[r.case_id for r in recs if r.case_id], is_current=True)
        .order_by("case_id", "created_at", "id")
        .values_list("case_id", "rating")
    )  # the latest of a case last, so it is the one kept
    labels = dict(Evaluation.Rating.choices)
    for r in recs:
        r.outcome = outcome
        r.rating = rated.get(r.case_id, "")
        r.rating_label = labels.get(r.rating, "")
    return recs


def instructions(outcome) -> list:
    return list(outcome.instructions.all().order_by("given_on", "id"))


def my_vote(user, outcome) -> OutcomeVote | None:
    member = rules.committee_member(user, outcome.consultation.organisation)
    if member is None:
        return None
    return OutcomeVote.objects.filter(outcome_id=outcome.pk, member_id=member.pk).first()


def vote_chart(tally: dict) -> dict:
    """The ECharts option of the 票评 counts (a bar per rating)."""
    labels = dict(OutcomeVote.Rating.choices)
    keys = list(tally["counts"])
    return {
        "tooltip": {},
        "grid": {"left": 40, "right": 10, "top": 20, "bottom": 30},
        "xAxis": {"type": "category", "data": [labels[k] for k in keys]},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [{"type": "bar", "data": [tally["counts"][k] for k in keys], "barMaxWidth": 48}],
    }


def page(user, outcome) -> dict:
    """What the outcome page (and the consultation page's panel) shows: the recommendations with their units
    and cases, the 批示, the 票评 tally and chart, the user's own vote and what the user may do."""
    from .services.outcomes import tally

    c = outcome.consultation
    manage = rules.can_manage(user, c)
    t = tally(outcome)
    voter = rules.can_vote(user, outcome)
    mine = my_vote(user, outcome) if voter else None
    return {
        "outcome": outcome,
        "consultation": c,
        "recommendations": recommendations(outcome),
        "instructions": instructions(outcome),
        "tally": t,
        "rating_labels": dict(OutcomeVote.Rating.choices),
        "vote_rows": [(k, dict(OutcomeVote.Rating.choices)[k], n) for k, n in t["counts"].items()],
        "chart": vote_chart(t),
        "manage": manage,
        "can_vote": voter and outcome.vote_open and mine is None,
        "is_voter": voter,
        "my_vote": mine,
        "sent": outcome.status == Outcome.Status.SENT,
        "vote_result_label": dict(OutcomeVote.Rating.choices).get(outcome.vote_result, ""),
    }
