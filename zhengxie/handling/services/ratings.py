"""评价 of replies, for every kind: whoever the kind lets rate (each proposer, a citizen with a tracking
code, a supervision group) rates each replying unit's latest reply once; 不满意 sends that unit back to
handle it again within "<prefix>.rehandle_days" days, never earlier than its deadline before (when the kind's
on_unsatisfied is "rehandle"), and ends the follow-up (跟踪落实) of the reply it rated."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from zhengxie.core.errors import Conflict, Invalid

from .. import kinds
from ..models import Assignment, Case, Evaluation, FollowUp
from ..selectors import ratable, unit_answers
from .followups import end_on_unsatisfied
from .units import COMMENT_MAX, bounded


@dataclass
class Rater:
    """Who rates: a member (member set), or anybody else named by a key ("citizen:AB12", "group:3")."""

    label: str
    member: object = None
    key: str = ""

    @property
    def ident(self):
        return self.member.pk if self.member is not None else self.key


@dataclass
class Rated:
    evaluation: Evaluation
    answers: list  # every replying unit's answer, the new rating included
    assignment: Assignment
    rehandle_until: datetime.date | None  # set when 不满意 sent the unit back
    followup_ended: FollowUp | None = (
        None  # the unit's follow-up that 不满意 ended (followups.end_on_unsatisfied)
    )


def check_rating(rating, comment) -> str:
    """满意 / 基本满意 / 不满意, the last with a comment the unit can act on. Returns the comment, stripped."""
    if rating not in Evaluation.Rating.values:
        raise Invalid("评价须为满意、基本满意或不满意。", field="rating")
    return bounded(
        comment,
        "评价意见",
        "comment",
        COMMENT_MAX,
        required="选择“不满意”时请写明意见，以便承办单位重新办理。"
        if rating == Evaluation.Rating.UNSATISFIED
        else "",
    )


def rehandle_due(kind, organisation, day: datetime.date, *deadlines) -> datetime.date:
    """ "<prefix>.rehandle_days" days from `day` (the 不满意 rating), but never earlier than any of the
    `deadlines` the unit had (a reply sent back early must not shorten the time it was given)."""
    until = day + datetime.timedelta(days=kind.days(organisation, "rehandle_days"))
    return max(d for d in (until, *deadlines) if d is not None)


def rehandle_deadline(case: Case, assignment: Assignment, today=None) -> datetime.date:
    """The deadline of a unit sent back to re-handle today (rehandle_due)."""
    return rehandle_due(
        kinds.get(case.kind),
        case.organisation,
        today or timezone.localdate(),
        assignment.deadline,
        case.deadline,
    )


def rate(*, user, case: Case, rater: Rater, rating, comment="", reply=None) -> Rated:
    """Rate one unit's latest reply (`reply` picks it when several wait). The caller has checked that this
    rater may rate this case (the kind's rule) and that the case is in a rating state."""
    kind = kinds.get(case.kind)
    comment = check_rating(rating, comment)
    answers = unit_answers(case)
    open_ = ratable(answers, rater.ident)
    if reply not in (None, ""):
        rpk = getattr(reply, "pk", reply)
        target = next((x for x in answers if x.reply is not None and str(x.reply.pk) == str(rpk)), None)
        if target is None:
            raise Invalid(f"请选择本{kind.label}承办单位的最新答复进行评价。", field="reply")
        if target not in open_:
            if target.rated_by(rater.ident):
                raise Conflict("已评价过本次答复，不能重复评价。", code="already_evaluated")
            raise Conflict("该答复已退回重新办理，请等待新的答复。", code="sent_back")
    elif len(open_) == 1:
        target = open_[0]
    elif open_:
        raise Invalid(f"本{kind.label}由多个单位分别答复，请选择要评价的答复。", field="reply")
    elif any(x.reply is not None and x.rated_by(rater.ident) for x in answers):
        raise Conflict("已评价过本次答复，不能重复评价。", code="already_evaluated")
    else:
        raise Conflict("尚无答复可评价。")
    try:
        with transaction.atomic():
            ev = Evaluation.objects.create(
                case_id=case.pk,
                reply=target.reply,
                member=rater.member,
                rater_key="" if rater.member is not None else rater.key,
                rater_label=rater.label[:100],
                rating=rating,
                comment=comment,
                recorded_by=user if getattr(user, "pk", None) else None,
            )
    except IntegrityError:
        raise Conflict("已评价过本次答复，不能重复评价。", code="already_evaluated")
    target.evaluations.append(ev)
    until = ended = None
    if rating == Evaluation.Rating.UNSATISFIED and kind.on_unsatisfied == "rehandle":
        until = rehandle_deadline(case, target.assignment)
        Assignment.objects.filter(pk=target.assignment.pk).update(deadline=until)
        ended = end_on_unsatisfied(assignment=target.assignment)
    return Rated(ev, answers, target.assignment, until, ended)
