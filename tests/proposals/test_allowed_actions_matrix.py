"""What `selectors.allowed_actions` offers is exactly what the services accept, for every state × role
(issue #8).

For every proposal state, proposals are driven there through the real services (with the variants that
matter: invitations, 申请加入, co-units, pending change requests, 分办 with one unit replied, missing
ratings …). Then every demo user tries every action code of `selectors.ACTION_CODES` with valid input,
inside a savepoint that is rolled back: accepted means no exception, refused means Forbidden, Conflict,
NotFound or Http404. An Invalid is a wrong payload of this test (listed apart), except where no valid
input exists at all (e.g. 处理加入申请 when nobody asked to join). One test per state; a failure prints
every mismatch of that state in one table.
"""

from __future__ import annotations

import copy
import datetime
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import pytest
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from zhengxie.core.errors import Conflict, Forbidden, Invalid, NotFound
from zhengxie.members.models import Member
from zhengxie.proposals import rules, selectors, services
from zhengxie.proposals.models import Assignment, Proposal, Reply, Signer

from .conftest import TEXT

S = Proposal.Status
USERS = (
    "member1",
    "member2",
    "member3",
    "staff",
    "leader",
    "handler1",
    "handler2",
    "unithead1",
    "citystaff",
    "other",
    "auditor",
    "info",
    "office",
)
REFUSED = (Forbidden, Conflict, NotFound, Http404)


# --- building the proposals ---------------------------------------------------------------------------


@dataclass
class World:
    user: Callable
    units: dict
    proposal_in: Callable

    def staff(self):
        return self.user("staff")

    def joiner(self):
        """An active county member who is none of the role users (asks to join, 申请加入)."""
        m = (
            Member.objects.filter(
                organisation=self.staff().organisation, status=Member.Status.ACTIVE, user__is_active=True
            )
            .exclude(user__username__in=USERS)
            .select_related("user")
            .order_by("pk")
            .first()
        )
        return self.user(m.user.username)

    def awaiting(self, cosigners):
        a = self.user("member1")
        ids = [self.user(c).member.pk for c in cosigners]
        p = services.proposal_create(user=a, kind="joint", cosigner_ids=ids, **TEXT)
        services.proposal_submit(user=a, proposal=p, confirm_single_matter=True)
        return p

    def collective(self, submit=False):
        staff = self.staff()
        p = services.proposal_create(user=staff, kind="collective", collective_body="县政协教育界别", **TEXT)
        if submit:
            services.proposal_submit(user=staff, proposal=p, confirm_single_matter=True)
        return p

    def parallel(self):
        """Joint (member1 + member2), 分办 to 教育局 (handler1, unithead1) and 住建局 (handler2)."""
        p = self.proposal_in("accepted", cosigners=["member2"])
        services.proposal_assign(
            user=self.staff(),
            proposal=p,
            lead_unit=self.units["教育局"],
            parallel_units=[self.units["住建局"]],
        )
        return p

    def reply(self, p, handler, cls="A"):
        services.proposal_reply(
            user=self.user(handler), proposal=p, result_class=cls, content="已按职责办理。"
        )

    def rate(self, p, who, rating="satisfied", unit=None, comment=""):
        reply = None
        if unit is not None:
            reply = Reply.objects.filter(case_id=p.case_id, assignment__unit=self.units[unit]).latest("id").pk
        services.proposal_evaluate(
            user=self.user(who), proposal=p, rating=rating, comment=comment, reply=reply
        )

    def review(self, p, **kw):
        services.proposal_review(user=self.staff(), proposal=p, **kw)
        return p


def _draft_individual(w):
    return w.proposal_in("draft")


def _draft_joint(w):
    return w.proposal_in("draft", cosigners=["member2"])


def _draft_collective(w):
    return w.collective()


def _awaiting_mixed(w):
    """member2 invited, member3 declined, a 申请加入 pending."""
    p = w.awaiting(["member2", "member3"])
    services.proposal_cosign(user=w.user("member3"), proposal=p, agree=False)
    services.proposal_request_join(user=w.joiner(), proposal=p)
    return p


def _awaiting_expired(w):
    """member2's invitation ran out (proposals.cosign_days is 7)."""
    p = w.awaiting(["member2"])
    Signer.objects.filter(proposal=p, role=Signer.Role.COSIGNER).update(
        invited_at=timezone.now() - datetime.timedelta(days=8)
    )
    return p


def _submitted_join_request(w):
    """Individual (member1), member2 asked to join."""
    p = w.proposal_in("submitted")
    services.proposal_request_join(user=w.user("member2"), proposal=p)
    return p


def _submitted_collective(w):
    return w.collective(submit=True)


def _accepted_joint(w):
    return w.proposal_in("accepted", cosigners=["member2"])


def _accepted_released(w):
    """Assigned to 教育局, which asked for a change; granted without a new unit: back to accepted."""
    p = w.proposal_in("assigned", cosigners=["member2"])
    services.assignment_request_change(user=w.user("handler1"), proposal=p, reason="不属于本单位职责。")
    a = Assignment.objects.get(case_id=p.case_id, is_active=True)
    services.assignment_decide_change(user=w.staff(), assignment=a, grant=True, note="同意，重新交办。")
    return p


def _rejected(w):
    return w.review(
        w.proposal_in("submitted", cosigners=["member2"]), decision="reject", reason="属于学术讨论"
    )


def _converted(w):
    return w.review(w.proposal_in("submitted"), decision="to_suggestion", reason="转为意见建议办理。")


def _merged(w):
    target = w.proposal_in("accepted")
    return w.review(w.proposal_in("submitted", author="member2"), decision="merge", merge_into=target.pk)


def _assigned_with_co(w):
    """Lead 教育局, co-unit 住建局, nobody signed for it yet; a key proposal (重点提案) led by the leader."""
    p = w.proposal_in("assigned", cosigners=["member2"], co=["住建局"])
    services.proposal_mark_key(user=w.user("leader"), proposal=p, is_key=True)
    return p


def _assigned_change_pending(w):
    p = w.proposal_in("assigned", cosigners=["member2"])
    services.assignment_request_change(user=w.user("handler1"), proposal=p, reason="不属于本单位职责。")
    return p


def _assigned_parallel(w):
    return w.parallel()


def _handling_co_change_pending(w):
    """Lead 教育局 signed for it; the co-unit 住建局 asked for a change."""
    p = w.proposal_in("handling", cosigners=["member2"], co=["住建局"])
    services.assignment_request_change(user=w.user("handler2"), proposal=p, reason="本单位仅配合。")
    return p


def _handling_parallel_one_replied(w):
    """分办: 教育局 replied, 住建局 signed for its part and still owes its reply."""
    p = w.parallel()
    services.assignment_acknowledge(user=w.user("handler2"), proposal=p)
    w.reply(p, "handler1")
    return p


def _handling_parallel_one_rated(w):
    """分办: 教育局 replied and member1 rated it (member2 did not); 住建局 has not even signed for its part."""
    p = w.parallel()
    w.reply(p, "handler1")
    w.rate(p, "member1")
    return p


def _handling_draft_waiting(w):
    """签发 on ("proposals.head_signoff"): handler1's reply draft waits for unithead1 (the setting stays on
    for the attempts; the scenario is the last of its state)."""
    org = w.staff().organisation
    org.settings = {**(org.settings or {}), "proposals.head_signoff": True}
    org.save(update_fields=["settings"])
    p = w.proposal_in("handling", cosigners=["member2"])
    w.reply(p, "handler1")
    return p


def _replied_rating_missing(w):
    p = w.proposal_in("replied", cosigners=["member2"])
    w.rate(p, "member1")
    return p


def _replied_parallel_unrated(w):
    p = w.parallel()
    w.reply(p, "handler1")
    w.reply(p, "handler2", "B")
    return p


def _replied_all_rated(w):
    p = w.proposal_in("replied", cosigners=["member2"])
    w.rate(p, "member1")
    w.rate(p, "member2", "basically_satisfied")
    return p


def _replied_merged_in(w):
    """member3's proposal was merged (并案) into member1's before 交办: member3 rates the reply too and
    has not yet; member1 has."""
    p = w.proposal_in("accepted")
    w.review(w.proposal_in("submitted", author="member3"), decision="merge", merge_into=p.pk)
    services.proposal_assign(user=w.staff(), proposal=p, lead_unit=w.units["教育局"])
    w.reply(p, "handler1")
    w.rate(p, "member1")
    return p


def _replied_evaluation_over(w):
    """member2 never rated and the evaluation time (15 working days) is over."""
    p = _replied_rating_missing(w)
    Reply.objects.filter(case_id=p.case_id).update(replied_at=timezone.now() - datetime.timedelta(days=60))
    return p


def _rehandling(w):
    """member1 rated 教育局's reply 不满意; the co-unit 住建局 never signed for it nor gave its opinion."""
    p = w.proposal_in("replied", cosigners=["member2"], co=["住建局"])
    w.rate(p, "member1", "unsatisfied", comment="未解决实际问题。")
    return p


def _rehandling_parallel(w):
    """分办: 教育局's reply sent back by member1; 住建局's reply not rated yet."""
    p = _replied_parallel_unrated(w)
    w.rate(p, "member1", "unsatisfied", unit="教育局", comment="未解决实际问题。")
    return p


def _closed(w):
    """Closed, and awarded 优秀提案."""
    p = w.proposal_in("closed", cosigners=["member2"])
    services.proposal_mark_excellent(user=w.staff(), proposal=p, value=True)
    return p


SCENARIOS = {
    S.DRAFT: [_draft_individual, _draft_joint, _draft_collective],
    S.AWAITING_COSIGNERS: [_awaiting_mixed, _awaiting_expired],
    S.SUBMITTED: [_submitted_join_request, _submitted_collective],
    S.ACCEPTED: [_accepted_joint, _accepted_released],
    S.REJECTED: [_rejected],
    S.CONVERTED: [_converted],
    S.MERGED: [_merged],
    S.ASSIGNED: [_assigned_with_co, _assigned_change_pending, _assigned_parallel],
    S.HANDLING: [
        _handling_co_change_pending,
        _handling_parallel_one_replied,
        _handling_parallel_one_rated,
        _handling_draft_waiting,
    ],
    S.REPLIED: [
        _replied_rating_missing,
        _replied_parallel_unrated,
        _replied_all_rated,
        _replied_evaluation_over,
        _replied_merged_in,
    ],
    S.REHANDLING: [_rehandling, _rehandling_parallel],
    S.CLOSED: [_closed],
}


# --- one valid attempt per action ---------------------------------------------------------------------


@dataclass
class Inputs:
    """What the actions that name something of the proposal are given (read once per proposal: the
    attempts are rolled back). Each input comes with whether no valid input exists at all, in which case
    an Invalid is the service's refusal rather than a mistake of this test."""

    p: Proposal
    units: dict
    today: datetime.date

    def decide_change(self) -> tuple[dict, bool]:
        """The pending change request; without one, any assignment of the proposal."""
        rows = Assignment.objects.filter(case_id=self.p.case_id).order_by("-is_active", "id")
        pending = rows.filter(is_active=True, change_status=Assignment.ChangeStatus.PENDING).first()
        a = pending or rows.first()
        return {"assignment": a.pk if a else None, "grant": False, "note": "请继续办理。"}, pending is None

    def decide_join(self) -> tuple[dict, bool]:
        """The member who asked to join; without one, any co-signer."""
        signers = list(
            Signer.objects.filter(proposal=self.p, role=Signer.Role.COSIGNER).order_by("order", "id")
        )
        asking = [s for s in signers if s.status == Signer.Status.REQUESTED]
        pick = (asking or signers or [None])[0]
        member = pick.member_id if pick else self.p.lead_member_id
        return {"member": member, "accept": False}, not asking

    @cached_property
    def answers(self) -> list:
        return selectors.unit_answers(self.p)

    @cached_property
    def raters(self) -> list:
        return selectors.raters(self.p)

    def evaluate(self, u) -> tuple[dict, bool]:
        """A proposer rates for themselves; anybody else names a proposer still to rate (代录 by the office).
        The reply is named when several wait for that proposer."""
        answers = self.answers
        member = rules.member_of(u)
        kw = {"rating": "satisfied"}
        if member is None:
            raters = self.raters
            waiting = [s for s in raters if selectors.ratable(answers, s.member_id)]
            pick = (waiting or raters or [None])[0]
            if pick is None:
                return kw, True
            member = pick.member
            kw["member"] = member.pk
        open_ = selectors.ratable(answers, member.pk)
        if len(open_) > 1:
            kw["reply"] = open_[0].reply.pk
        return kw, False


# action code -> the service call with valid input (user, Inputs, the input named by Inputs)
CALLS: dict[str, Callable] = {
    "edit": lambda u, x, kw: services.proposal_update(
        user=u, proposal=x.p.pk, title=TEXT["title"] + "（修改稿）"
    ),
    "submit": lambda u, x, kw: services.proposal_submit(user=u, proposal=x.p.pk, confirm_single_matter=True),
    "cosign": lambda u, x, kw: services.proposal_cosign(user=u, proposal=x.p.pk, agree=True),
    "drop_decliners": lambda u, x, kw: services.proposal_drop_decliners(user=u, proposal=x.p.pk),
    "review": lambda u, x, kw: services.proposal_review(
        user=u, proposal=x.p.pk, decision="accept", category="科教文卫"
    ),
    "assign": lambda u, x, kw: services.proposal_assign(user=u, proposal=x.p.pk, lead_unit=x.units["教育局"]),
    "acknowledge": lambda u, x, kw: services.assignment_acknowledge(user=u, proposal=x.p.pk),
    "request_change": lambda u, x, kw: services.assignment_request_change(
        user=u, proposal=x.p.pk, reason="不属于本单位职责。"
    ),
    "decide_change": lambda u, x, kw: services.assignment_decide_change(user=u, **kw),
    "record_contact": lambda u, x, kw: services.assignment_record_contact(
        user=u, proposal=x.p.pk, contacted_on=x.today, method="phone", summary="电话沟通办理思路。"
    ),
    "co_opinion": lambda u, x, kw: services.assignment_co_opinion(
        user=u, proposal=x.p.pk, opinion="同意主办单位意见。"
    ),
    "reply": lambda u, x, kw: services.proposal_reply(
        user=u, proposal=x.p.pk, result_class="A", content="已采纳，正在落实。"
    ),
    "sign": lambda u, x, kw: services.proposal_sign(user=u, proposal=x.p.pk, decision="sign"),
    "evaluate": lambda u, x, kw: services.proposal_evaluate(user=u, proposal=x.p.pk, **kw),
    "extend": lambda u, x, kw: services.proposal_extend(
        user=u,
        proposal=x.p.pk,
        new_deadline=(x.p.deadline or x.today) + datetime.timedelta(days=30),
        reason="需协调多个部门。",
    ),
    # Toggles: set what is not set yet (a key or excellent proposal is unmarked).
    "mark_key": lambda u, x, kw: services.proposal_mark_key(user=u, proposal=x.p.pk, is_key=not x.p.is_key),
    "mark_excellent": lambda u, x, kw: services.proposal_mark_excellent(
        user=u, proposal=x.p.pk, value=not x.p.is_excellent
    ),
    "remind": lambda u, x, kw: services.proposal_remind(user=u, proposal=x.p.pk),
    "close": lambda u, x, kw: services.proposal_close(user=u, proposal=x.p.pk),
    "decide_join": lambda u, x, kw: services.proposal_decide_join(user=u, proposal=x.p.pk, **kw),
    "withdraw": lambda u, x, kw: services.proposal_withdraw(
        user=u, proposal=x.p.pk, reason="需补充调研材料。"
    ),
    "delete": lambda u, x, kw: services.proposal_delete_draft(user=u, proposal=x.p.pk),
}


def outcome(code: str, u, x: Inputs, named: dict) -> tuple[str, str]:
    """("accepted" | "refused" | "invalid" | "error", detail) of one attempt; the database is left as it was."""
    kw, no_valid_input = named.get(code, ({}, False))
    if code == "evaluate":
        kw, no_valid_input = x.evaluate(u)
    with transaction.atomic():
        sid = transaction.savepoint()
        try:
            CALLS[code](u, x, kw)
            return "accepted", ""
        except REFUSED as e:
            return "refused", f"{type(e).__name__}: {getattr(e, 'message', e)}"
        except Invalid as e:
            if no_valid_input:
                return "refused", f"Invalid, and no valid input exists: {e.message}"
            return "invalid", f"Invalid: {e.message}"
        except Exception as e:  # noqa: BLE001  (listed with the mismatches)
            return "error", f"{type(e).__name__}: {e}"
        finally:
            transaction.savepoint_rollback(sid)


def _fresh(pk) -> Proposal:
    return Proposal.objects.select_related("session", "organisation", "case").get(pk=pk)


def _prefetched(pk) -> Proposal:
    return selectors.detail_prefetch(Proposal.objects.filter(pk=pk)).get()


def _table(rows) -> list[str]:
    head = f"  {'scenario':32} {'user':10} {'action':15} {'offered':8} outcome"
    return [head] + [f"  {s:32} {n:10} {c:15} {o!s:8} {r}" for s, n, c, o, r in rows]


def test_every_action_code_has_an_attempt():
    assert set(CALLS) == set(selectors.ACTION_CODES)


@pytest.mark.parametrize("state", list(SCENARIOS))
def test_allowed_actions_are_what_the_services_accept(state, user, units, proposal_in):
    w = World(user=user, units=units, proposal_in=proposal_in)
    people = {name: user(name) for name in USERS}
    mismatches, wrong_input = [], []
    for scenario in SCENARIOS[state]:
        p = scenario(w)
        p.refresh_from_db()
        assert p.status == state, (scenario.__name__, p.status)
        x = Inputs(p=_fresh(p.pk), units=units, today=timezone.localdate())
        named = {"decide_change": x.decide_change(), "decide_join": x.decide_join()}
        # Read once (the attempts are rolled back); each user gets an untouched copy of each read, so no
        # user's offer is computed on an instance another user's call has been given.
        plain, prefetched = _fresh(p.pk), _prefetched(p.pk)
        for name, u in people.items():
            offered = selectors.allowed_actions(u, copy.deepcopy(plain))
            # Pages read the proposal with its rows prefetched: the offer must not depend on that.
            via_page = selectors.allowed_actions(u, copy.deepcopy(prefetched))
            if via_page != offered:
                row = (scenario.__name__, name, "(prefetched)", sorted(offered), f"offers {sorted(via_page)}")
                mismatches.append(row)
            for code in selectors.ACTION_CODES:
                result, detail = outcome(code, u, x, named)
                row = (scenario.__name__, name, code, code in offered, f"{result} {detail}".strip())
                if result in ("invalid", "error"):
                    wrong_input.append(row)
                elif (code in offered) != (result == "accepted"):
                    mismatches.append(row)
    lines = []
    if mismatches:
        lines += [f"{len(mismatches)} mismatch(es) of allowed_actions and the services in «{state}»:"]
        lines += _table(mismatches)
    if wrong_input:
        lines += [f"{len(wrong_input)} attempt(s) whose input this test got wrong, or that crashed:"]
        lines += _table(wrong_input)
    if lines:
        pytest.fail("\n".join(lines), pytrace=False)
