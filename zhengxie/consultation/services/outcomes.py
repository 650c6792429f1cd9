"""协商成果 (outcomes): the report with numbered recommendations, written by the consultation's staff after
the meeting (or after an online consultation's window), sent to the Party committee and government
(报送: the consultation becomes `outcome_sent`; each recommendation with a unit goes to that unit's inbox on
the handling spine, kind `consultation_recommendation`); recommendations routed later, their adoption
(成果转化, crediting the members behind them), leaders' 批示, and the standing members' 票评.

Every service checks who may (rules.py), runs in one transaction, writes its audit entry last and tells
whoever must act next. `follow_case` keeps a recommendation's status in line with its case after each step
on the spine (the kind's on_step and on_close hooks)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from zhengxie.core import orgsettings, verdicts
from zhengxie.core.errors import Conflict, Forbidden, Invalid, NotFound, ServiceError
from zhengxie.core.models import Role, User
from zhengxie.core.notifications import notify
from zhengxie.core.permissions import org_scope_q
from zhengxie.handling.models import Case
from zhengxie.handling.services import flow
from zhengxie.handling.services.units import as_date, check_deadline, resolve_unit
from zhengxie.members.models import Member
from zhengxie.opinions.models import LEVEL_LABELS
from zhengxie.performance import acts as A
from zhengxie.performance.services import record_act, revoke_act

from .. import rules
from ..handling_kind import KIND
from ..models import (
    Comment,
    Consultation,
    Outcome,
    OutcomeInstruction,
    OutcomeVote,
    Recommendation,
    Segment,
)
from .common import lock, must_be, must_manage, record, touch

CS = Consultation.Status
RS = Recommendation.Status
AD = Recommendation.Adoption
RATING = OutcomeVote.Rating
# From the best to the worst: a tie between ratings goes to the worse one.
RATING_ORDER = [RATING.GOOD, RATING.FAIR, RATING.AVERAGE, RATING.POOR]
MAX_RECOMMENDATIONS = 100
MAX_CONTENT = 2000
MAX_SUMMARY = 20000


# --- loading and checks ----------------------------------------------------------------------------------


def _text(value, label: str, field: str, limit: int) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()
    if len(text) > limit:
        raise Invalid(f"{label}不能超过{limit}字。", field=field)
    return text


def _outcome(user, outcome, for_update: bool = True) -> Outcome:
    """The outcome (row-locked) if the user may see its consultation, else 404."""
    from ..selectors import get_consultation

    pk = getattr(outcome, "pk", outcome)
    c_id = None
    if pk not in (None, "") and str(pk).isdigit():
        c_id = Outcome.objects.filter(pk=int(pk)).values_list("consultation_id", flat=True).first()
    if c_id is None:
        raise NotFound("未找到该协商成果。")
    get_consultation(user, c_id)
    qs = Outcome.objects.select_related("consultation__organisation")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    return qs.get(pk=int(pk))


def _recommendation(user, recommendation) -> Recommendation:
    pk = getattr(recommendation, "pk", recommendation)
    o_id = None
    if pk not in (None, "") and str(pk).isdigit():
        o_id = Recommendation.objects.filter(pk=int(pk)).values_list("outcome_id", flat=True).first()
    if o_id is None:
        raise NotFound("未找到该协商建议。")
    o = _outcome(user, o_id, for_update=False)
    r = Recommendation.objects.select_for_update(of=("self",)).select_related("unit").get(pk=int(pk))
    r.outcome = o
    return r


def outcome_writable(c: Consultation, now=None) -> bool:
    """A consultation's outcome may be written once it has been held, or, online, once its window closed."""
    now = now or timezone.now()
    if c.status == CS.HELD:
        return True
    return (
        c.status == CS.OPEN
        and c.form == Consultation.Form.ONLINE
        and c.closes_at is not None
        and c.closes_at <= now
    )


def _must_write(c: Consultation, what: str) -> None:
    if not outcome_writable(c):
        if c.status == CS.OPEN and c.form == Consultation.Form.ONLINE:
            raise Conflict(f"网络议政尚未截止，不能{what}。", code="illegal_transition")
        must_be(c, (CS.HELD,), what)


def _must_be_sent(o: Outcome, what: str) -> None:
    if o.status != Outcome.Status.SENT:
        raise Conflict(f"协商成果尚未报送，不能{what}。", code="illegal_transition")


def default_title(c: Consultation) -> str:
    title = c.title.strip()
    if title.startswith("关于"):
        title = title[2:]
    return f"关于{title}的协商成果"[:200]


def _url(o: Outcome) -> str:
    return reverse("consultation:outcome", args=[o.pk])


def leaders(organisation) -> list[User]:
    """The leaders (主席、副主席) of the committee holding it."""
    org = organisation.committee
    return list(
        User.objects.filter(organisation_id=org.pk, groups__name=Role.LEADER, is_active=True).distinct()
    )


def standing_members(organisation):
    """The standing members (常委) of the committee, in office, with an active account."""
    org = organisation.committee
    return Member.objects.filter(
        organisation_id=org.pk, is_standing=True, status=Member.Status.ACTIVE, user__is_active=True
    )


# --- the outcome -----------------------------------------------------------------------------------------


def clean_rows(c: Consultation, rows) -> list[dict]:
    """The recommendations from a form or the API: [{content, unit(_id)?, deadline?}], empty rows dropped;
    each unit an active unit of the committee, each deadline later than today."""
    rows = list(rows or [])
    if len(rows) > MAX_RECOMMENDATIONS * 2:  # empty rows of a form included; checked before any unit is read
        raise Invalid(f"建议不能超过{MAX_RECOMMENDATIONS}条。", field="recommendations")
    out = []
    for i, row in enumerate(rows):
        row = row if isinstance(row, dict) else {"content": row}
        field = f"recommendations.{i}"
        content = _text(row.get("content"), "建议内容", f"{field}.content", MAX_CONTENT)
        unit = row.get("unit", row.get("unit_id"))
        deadline = row.get("deadline")
        if not content:
            if unit not in (None, "") or deadline not in (None, ""):
                raise Invalid(f"第{len(out) + 1}条建议：请填写建议内容。", field=f"{field}.content")
            continue
        handling_unit = None
        if unit not in (None, ""):
            handling_unit = resolve_unit(c.organisation.committee, unit, field=f"{field}.unit_id")
        elif deadline not in (None, ""):
            raise Invalid(
                f"第{len(out) + 1}条建议：填写办理期限时请同时选择承办单位。", field=f"{field}.unit_id"
            )
        try:
            day = check_deadline(deadline) if handling_unit is not None else None
        except Invalid as exc:
            raise Invalid(f"第{len(out) + 1}条建议：{exc.message}", field=f"{field}.deadline")
        out.append({"content": content, "unit": handling_unit, "deadline": day})
    if not out:
        raise Invalid("请至少填写一条建议。", field="recommendations")
    if len(out) > MAX_RECOMMENDATIONS:
        raise Invalid(f"建议不能超过{MAX_RECOMMENDATIONS}条。", field="recommendations")
    return out


def save(*, user, consultation, summary, recommendations, title="", sent_to=None) -> Outcome:
    """Write (or rewrite) the draft outcome of a held consultation: title (default 关于……的协商成果), summary
    and the numbered recommendations, each with an optional unit and deadline (used when it is sent)."""
    with transaction.atomic():
        c = lock(user, consultation)
        must_manage(user, c, "撰写协商成果")
        o = Outcome.objects.select_for_update().filter(consultation_id=c.pk).first()
        if o is not None and o.status != Outcome.Status.DRAFT:
            raise Conflict("协商成果已报送，不能再修改。", code="illegal_transition")
        if o is None:
            _must_write(c, "撰写协商成果")
        title = _text(title, "成果标题", "title", 200) or default_title(c)
        summary = _text(summary, "成果综述", "summary", MAX_SUMMARY)
        if not summary:
            raise Invalid("请填写成果综述。", field="summary")
        sent_to = _text(sent_to, "报送对象", "sent_to", 100) if sent_to is not None else None
        rows = clean_rows(c, recommendations)
        created = o is None
        if created:
            o = Outcome(consultation=c, created_by=user)
        o.title, o.summary = title, summary
        if sent_to:
            o.sent_to = sent_to
        o.save()
        if not created:
            Recommendation.objects.filter(outcome=o).delete()
        Recommendation.objects.bulk_create(
            [
                Recommendation(
                    outcome=o,
                    organisation_id=c.organisation_id,
                    year=c.year,
                    number=n,
                    content=row["content"],
                    unit=row["unit"],
                    deadline=row["deadline"],
                )
                for n, row in enumerate(rows, 1)
            ]
        )
        touch(c)
        record(
            user,
            "outcome_create" if created else "outcome_update",
            o,
            c.organisation,
            recommendations=len(rows),
        )
    return o


def _route(user, r: Recommendation, o: Outcome, unit, deadline, note: str = "") -> Case:
    c = o.consultation
    case = flow.route(
        user=user,
        kind=KIND,
        item=r,
        organisation=c.organisation.committee,  # the committee's 办公室 runs it (a town's 有事好商量 too)
        # The label names the recommendation (第N条): the title is the outcome's, not said twice.
        title=o.title,
        label=f"协商成果第{r.number}条",
        unit=unit,
        deadline=deadline,
        note=note or r.content[:200],
    )
    r.case, r.unit, r.deadline, r.status = case, unit, case.deadline, RS.ROUTED
    r.save(update_fields=["case", "unit", "deadline", "status"])
    return case


def send(*, user, outcome) -> Outcome:
    """报送: the outcome goes to the Party committee and government; the consultation is `outcome_sent`;
    each recommendation with a unit is routed to it (its inbox); the committee's leaders are told."""
    with transaction.atomic():
        found = _outcome(user, outcome, for_update=False)
        c = lock(user, found.consultation_id)  # the consultation first, as `save` does
        o = Outcome.objects.select_for_update().get(pk=found.pk)
        o.consultation = c
        must_manage(user, c, "报送协商成果")
        if o.status != Outcome.Status.DRAFT:
            raise Conflict("协商成果已报送。", code="illegal_transition")
        _must_write(c, "报送协商成果")
        recs = list(
            Recommendation.objects.select_for_update(of=("self",)).filter(outcome=o).select_related("unit")
        )
        if not recs:
            raise Invalid("请至少填写一条建议。", field="recommendations")
        now = timezone.now()
        o.status, o.sent_at, o.sent_by = Outcome.Status.SENT, now, user
        o.save(update_fields=["status", "sent_at", "sent_by"])
        c.status = CS.OUTCOME_SENT
        touch(c, "status")
        notify(
            leaders(c.organisation),
            f"协商成果已报送：{o.title}",
            f"{c.get_form_display()}《{c.title}》形成建议{len(recs)}条，已报送{o.sent_to}。",
            url=_url(o),
            category="consultation",
        )
        # Routing writes the spine's audit entries: after every other write of the outcome (audit last).
        routed = 0
        for r in recs:
            if r.unit_id and r.case_id is None:
                deadline = r.deadline if r.deadline and r.deadline > timezone.localdate() else None
                _route(user, r, o, r.unit, deadline)
                routed += 1
        record(user, "outcome_send", o, c.organisation, recommendations=len(recs), routed=routed)
    return o


def route(*, user, recommendation, unit, deadline=None, note="") -> Recommendation:
    """交办 one recommendation of a sent outcome to a unit later (from the outcome page)."""
    with transaction.atomic():
        r = _recommendation(user, recommendation)
        o = r.outcome
        c = o.consultation
        must_manage(user, c, "交办协商建议")
        _must_be_sent(o, "交办建议")
        if r.case_id is not None:
            raise Conflict("该建议已交办。", code="already_routed")
        handling_unit = resolve_unit(c.organisation.committee, unit, field="unit_id")
        day = check_deadline(deadline)
        note = _text(note, "交办说明", "note", 500)
        case = _route(user, r, o, handling_unit, day, note)
        reopened = False
        if c.status == CS.CLOSED:
            # 办结 came when the routed ones were done; a recommendation routed now is tracked again, so the
            # consultation is back to 成果已报送 until its case closes too (follow_case closes it then).
            c = lock(user, c)
            c.status = CS.OUTCOME_SENT
            touch(c, "status")
            reopened = True
        record(
            user,
            "recommendation_route",
            r,
            c.organisation,
            unit=handling_unit.pk,
            case=case.pk,
            consultation_reopened=reopened,
        )
    return r


# --- adoption (成果转化) -----------------------------------------------------------------------------------


def credited_members(c: Consultation) -> list[Member]:
    """The members behind a consultation's recommendations: those who spoke at it (its segments) and the
    authors of hall comments taken into the summary (visible ones)."""
    seg = Segment.objects.filter(consultation_id=c.pk, member__isnull=False).values_list(
        "member_id", flat=True
    )
    com = Comment.objects.filter(
        consultation_id=c.pk, used_in_summary=True, status=Comment.Status.VISIBLE, member__isnull=False
    ).values_list("member_id", flat=True)
    return list(Member.objects.filter(Q(pk__in=seg) | Q(pk__in=com)).order_by("pk"))


def set_adoption(*, user, recommendation, adoption, note="") -> Recommendation:
    """成果转化: whether the Party committee/government took the recommendation up (adopted, partly,
    not_adopted) with a note. Adopted or partly credits each member behind it once (协商建议被采纳); a
    change to not adopted voids those credits."""
    with transaction.atomic():
        r = _recommendation(user, recommendation)
        o = r.outcome
        c = o.consultation
        must_manage(user, c, "登记建议采纳情况")
        _must_be_sent(o, "登记采纳情况")
        if adoption not in (AD.ADOPTED, AD.PARTLY, AD.NOT_ADOPTED):
            raise Invalid("采纳情况应为已采纳、部分采纳或未采纳。", field="adoption")
        note = _text(note, "采纳说明", "note", 200)
        r.adoption, r.adoption_note, r.adopted_at = adoption, note, timezone.now()
        r.save(update_fields=["adoption", "adoption_note", "adopted_at"])
        members = credited_members(c)
        today = timezone.localdate()
        for m in members:
            if adoption in (AD.ADOPTED, AD.PARTLY):
                record_act(
                    member=m,
                    act=A.CONSULTATION_ADOPTED,
                    source=r,
                    occurred_on=today,
                    confirmed_by=user,
                    note=f"《{c.title}》协商成果第{r.number}条建议{r.get_adoption_display()}",
                )
            else:
                revoke_act(member=m, act=A.CONSULTATION_ADOPTED, source=r)
        record(user, "recommendation_adoption", r, c.organisation, adoption=adoption, members=len(members))
    return r


# --- 批示 ------------------------------------------------------------------------------------------------


def add_instruction(*, user, outcome, leader, level, content, given_on=None) -> OutcomeInstruction:
    """登记批示: a leader's written instruction on a sent outcome (who, level, what, when); the
    consultation's lead staff and leader are told."""
    with transaction.atomic():
        o = _outcome(user, outcome)
        c = o.consultation
        must_manage(user, c, "登记领导批示")
        _must_be_sent(o, "登记批示")
        leader = _text(leader, "批示领导", "leader", 60)
        if not leader:
            raise Invalid("请填写批示领导（如：县委书记 张三）。", field="leader")
        level = level or "county"
        if level not in LEVEL_LABELS:
            raise Invalid("批示层级不正确。", field="level")
        content = _text(content, "批示内容", "content", 5000)
        if not content:
            raise Invalid("请填写批示内容。", field="content")
        day = as_date(given_on, "批示日期", "given_on") or timezone.localdate()
        if day > timezone.localdate():
            raise Invalid("批示日期不能晚于今天。", field="given_on")
        i = OutcomeInstruction.objects.create(
            outcome=o, leader=leader, level=level, content=content, given_on=day, recorded_by=user
        )
        people = [u for u in (c.created_by, c.leader) if u is not None and u.pk != user.pk]
        notify(
            people,
            f"协商成果获领导批示：{o.title}",
            f"{leader}（{LEVEL_LABELS[level]}）{day:%Y年%m月%d日}批示：{content}",
            url=_url(o),
            category="consultation",
        )
        record(user, "outcome_instruction", i, c.organisation, outcome=o.pk, level=level)
    return i


# --- 票评 ------------------------------------------------------------------------------------------------


def open_vote(*, user, outcome) -> Outcome:
    """Open the 票评 of a sent outcome and tell the standing members."""
    with transaction.atomic():
        o = _outcome(user, outcome)
        c = o.consultation
        must_manage(user, c, "组织成果票评")
        _must_be_sent(o, "开始票评")
        if o.vote_open:
            raise Conflict("票评已在进行中。", code="vote_open")
        if o.vote_closed_at is not None:
            raise Conflict("票评已结束。", code="vote_closed")
        o.vote_open = True
        o.save(update_fields=["vote_open"])
        users = User.objects.filter(pk__in=standing_members(c.organisation).values("user_id"))
        notify(
            users,
            f"请对协商成果的采纳落实情况进行票评：{o.title}",
            "评价分为好、较好、一般、差，每位常委限投一次。",
            url=reverse("consultation:outcome_vote", args=[o.pk]),
            category="consultation",
        )
        record(user, "vote_open", o, c.organisation)
    return o


def vote(*, user, outcome, rating) -> OutcomeVote:
    """A standing member's 票评 (once): 好 good, 较好 fair, 一般 average, 差 poor."""
    with transaction.atomic():
        o = _outcome(user, outcome)
        c = o.consultation
        if not rules.can_vote(user, o):
            raise Forbidden("只有本级政协常委可以参加成果票评。")
        if not o.vote_open:
            raise Conflict("该协商成果的票评未在进行中。", code="vote_not_open")
        if rating not in RATING.values:
            raise Invalid("评价应为好、较好、一般或差。", field="rating")
        member = rules.committee_member(user, c.organisation)
        if OutcomeVote.objects.filter(outcome=o, member=member).exists():
            raise Conflict("您已参加过该成果的票评。", code="already_voted")
        try:
            with transaction.atomic():
                v = OutcomeVote.objects.create(outcome=o, member=member, rating=rating)
        except IntegrityError:
            raise Conflict("您已参加过该成果的票评。", code="already_voted")
        # The ballot's content stays out of the audit log: only that the member voted.
        record(user, "vote", o, c.organisation, member=member.pk)
    return v


def tally(outcome, standing: int | None = None) -> dict:
    """The counts per rating (two queries at most): {counts: {rating: n}, votes, standing, quorum_percent,
    quorum_met, result}; `result` is the most frequent rating, a tie going to the worse one."""
    o = outcome
    rows = OutcomeVote.objects.filter(outcome_id=o.pk).values("rating").annotate(n=Count("id"))
    counts, result = verdicts.tally(((row["rating"], row["n"]) for row in rows), RATING_ORDER)
    votes = sum(counts.values())
    if standing is None:
        standing = standing_members(o.consultation.organisation).count()
    quorum = int(orgsettings.get(o.consultation.organisation.committee, "consultation.vote_quorum_percent"))
    return {
        "counts": counts,
        "votes": votes,
        "standing": standing,
        "quorum_percent": quorum,
        "quorum_met": verdicts.quorum_met(votes, standing, quorum),
        "result": result,
    }


def close_vote(*, user, outcome) -> Outcome:
    """End the 票评: valid only when more than `consultation.vote_quorum_percent` percent of the standing
    members voted; the result is the most frequent rating (a tie goes to the worse)."""
    with transaction.atomic():
        o = _outcome(user, outcome)
        c = o.consultation
        must_manage(user, c, "组织成果票评")
        if not o.vote_open:
            raise Conflict("票评未在进行中。", code="vote_not_open")
        t = tally(o)
        o.vote_open = False
        o.vote_result = t["result"]
        o.vote_valid = t["quorum_met"]
        o.vote_closed_at = timezone.now()
        o.save(update_fields=["vote_open", "vote_result", "vote_valid", "vote_closed_at"])
        record(
            user,
            "vote_close",
            o,
            c.organisation,
            votes=t["votes"],
            standing=t["standing"],
            valid=o.vote_valid,
            result=o.vote_result,
        )
    return o


# --- following the case ----------------------------------------------------------------------------------


def _rater_of(case_id):
    from zhengxie.handling.models import Event

    return (
        Event.objects.filter(case_id=case_id, action="rate", actor__isnull=False)
        .select_related("actor")
        .order_by("-id")
        .first()
    )


def follow_case(case_id) -> None:
    """After a step on the spine (签收, 答复, 评价, 办结): the recommendation's status follows its case. When
    the last routed recommendation of a sent outcome closes, the consultation is closed through the core's
    service (as the staff member who rated)."""
    r = Recommendation.objects.filter(case_id=case_id).select_related("outcome").first()
    if r is None:
        return
    status = flow.ITEM_STATUS.get(Case.objects.values_list("status", flat=True).get(pk=case_id))
    if status is None or status == r.status:
        return
    Recommendation.objects.filter(pk=r.pk).update(status=status)
    if status != RS.CLOSED:
        return
    open_left = (
        Recommendation.objects.filter(outcome_id=r.outcome_id, case__isnull=False)
        .exclude(status=RS.CLOSED)
        .exists()
    )
    if open_left:
        return
    from .consultations import close

    c = Consultation.objects.filter(pk=r.outcome.consultation_id).first()
    ev = _rater_of(case_id)
    if c is None or c.status != CS.OUTCOME_SENT or ev is None:
        return
    try:
        with transaction.atomic():
            close(user=ev.actor, consultation=c)
    except (ServiceError, NotFound):
        pass  # the core keeps its own rules for closing; staff may close it on its page


# --- figures --------------------------------------------------------------------------------------------


def outcome_figures(user, year, organisation=None) -> dict:
    """成果转化 figures of a year, over the consultations the user may see (three queries):

    {"outcomes": sent outcomes, "recommendations": their recommendations, "adopted": adopted ones,
     "partly": partly adopted ones, "routed": recommendations routed to units, "closed": those closed
     (办结), "instructions": leaders' 批示 on them, "votes_valid": outcomes whose 票评 was valid,
     "votes_closed": outcomes whose 票评 ended}
    `adopted` counts only 已采纳; 采纳 in the broad sense (成果转化) is adopted + partly.
    With `organisation`, only that committee's own (and its 乡镇联络组') consultations, within what the user
    may see.
    """
    from ..selectors import committee_q, visible_q

    year = int(year)
    if user is None:
        # The committee's own count (the yearbook): no viewer, so no visibility filter.
        rec_q = out_q = ins_q = Q()
    elif getattr(user, "is_authenticated", False) and (
        user.has_role(*rules.READERS) or rules.is_consultation_staff(user)
    ):
        # Readers and staff: the subtree, read on the copied organisation (one index, no join).
        rec_q = org_scope_q(user)
        out_q = org_scope_q(user, "consultation__organisation")
        ins_q = org_scope_q(user, "outcome__consultation__organisation")
    else:
        visible = Consultation.objects.filter(visible_q(user)).values("pk")
        rec_q = Q(outcome__consultation__in=visible)
        out_q = Q(consultation__in=visible)
        ins_q = Q(outcome__consultation__in=visible)
    if organisation is not None:
        rec_q &= committee_q(organisation)
        out_q &= committee_q(organisation, "consultation__organisation")
        ins_q &= committee_q(organisation, "outcome__consultation__organisation")
    recs = Recommendation.objects.filter(rec_q, year=year, outcome__status=Outcome.Status.SENT).aggregate(
        recommendations=Count("id"),
        adopted=Count("id", filter=Q(adoption=AD.ADOPTED)),
        partly=Count("id", filter=Q(adoption=AD.PARTLY)),
        routed=Count("id", filter=Q(case__isnull=False)),
        closed=Count("id", filter=Q(status=RS.CLOSED)),
    )
    outs = Outcome.objects.filter(out_q, consultation__year=year, status=Outcome.Status.SENT).aggregate(
        outcomes=Count("id"),
        votes_valid=Count("id", filter=Q(vote_valid=True)),
        votes_closed=Count("id", filter=Q(vote_closed_at__isnull=False)),
    )
    instructions = OutcomeInstruction.objects.filter(
        ins_q, outcome__consultation__year=year, outcome__status=Outcome.Status.SENT
    ).count()
    return {
        "outcomes": outs["outcomes"],
        "recommendations": recs["recommendations"],
        "adopted": recs["adopted"],
        "partly": recs["partly"],
        "routed": recs["routed"],
        "closed": recs["closed"],
        "instructions": instructions,
        "votes_valid": outs["votes_valid"],
        "votes_closed": outs["votes_closed"],
    }


__all__ = [
    "add_instruction",
    "close_vote",
    "follow_case",
    "open_vote",
    "outcome_figures",
    "route",
    "save",
    "send",
    "set_adoption",
    "tally",
    "vote",
]
