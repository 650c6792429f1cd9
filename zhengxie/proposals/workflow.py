"""The proposal's workflow, written once: its groups of states and, for every action, the states in
which it may happen. The services' guards (services.common._state), `selectors.allowed_actions`, the
to-do counts and the pages read this table; tests/proposals/test_allowed_actions_matrix.py checks, for
every state and role, that what allowed_actions offers is exactly what the services accept.

Who may act (the author, a signer, the office, a unit …) is rules.py; what else must hold (an invitation
still open, a unit that still owes a reply …) is in the services and mirrored by allowed_actions.
"""

from __future__ import annotations

from .models import Proposal

S = Proposal.Status

# Groups of states (every module of the app uses these, none defines its own).
NOT_SUBMITTED = (S.DRAFT, S.AWAITING_COSIGNERS)
JOINABLE = (S.AWAITING_COSIGNERS, S.SUBMITTED)  # 申请加入 is possible until the review
HANDLING_STATES = (S.ASSIGNED, S.HANDLING, S.REHANDLING)  # units owe replies
ACCEPTED_OR_LATER = (S.ACCEPTED, S.ASSIGNED, S.HANDLING, S.REPLIED, S.REHANDLING, S.CLOSED)
ENDED_UNACCEPTED = (S.REJECTED, S.CONVERTED, S.MERGED)

# Rating (评价) and the signed letter: once replied; with 分办 also while the other units still handle
# theirs (see rating_states).
RATING = "rating"

# action code -> (states in which it may happen, what the refusal says it cannot do)
TRANSITIONS: dict[str, tuple[tuple[str, ...] | str, str]] = {
    "edit": ((S.DRAFT,), "修改（只有草稿可以修改）"),
    "delete": ((S.DRAFT,), "删除（只有草稿可以删除）"),
    "submit": ((S.DRAFT,), "提交"),
    "withdraw": ((S.AWAITING_COSIGNERS, S.SUBMITTED), "撤回（立案审查前才能撤回）"),
    "cosign": ((S.AWAITING_COSIGNERS,), "附议"),
    "drop_decliners": ((S.AWAITING_COSIGNERS,), "移除未附议委员"),
    "request_join": (JOINABLE, "申请加入（提案立案审查后不能再加入）"),
    "decide_join": (JOINABLE, "处理加入申请（立案审查后未处理的申请已失效）"),
    "review": ((S.SUBMITTED,), "审查（只有待审查的提案可以审查）"),
    "assign": ((S.ACCEPTED,), "交办（只有已立案的提案可以交办）"),
    "acknowledge": (HANDLING_STATES, "签收"),
    "request_change": ((S.ASSIGNED, S.HANDLING), "申请调整"),
    "decide_change": (HANDLING_STATES, "审核调整申请"),
    "record_contact": (HANDLING_STATES, "记录沟通情况"),
    "co_opinion": (HANDLING_STATES, "提交会办意见"),
    "reply": (HANDLING_STATES, "答复"),
    "sign": (HANDLING_STATES, "签发答复"),
    "attach_letter": (RATING, "上传答复函（请先答复）"),
    "evaluate": (RATING, "评价（只能评价已答复的提案）"),
    "extend": (HANDLING_STATES, "延期"),
    "remind": (HANDLING_STATES, "督办提醒"),
    "mark_key": (ACCEPTED_OR_LATER, "设为重点提案（须已立案）"),
    "mark_excellent": (ACCEPTED_OR_LATER, "评为优秀提案（须已立案）"),
    "close": ((S.REPLIED,), "办结"),
}


# Every state in which some proposal may have a reply to rate (a to-do count cannot ask each proposal).
EVALUATION_STATES = (S.REPLIED, *HANDLING_STATES)


def states(action: str) -> tuple[str, ...]:
    """The states an action may happen in (for the rating actions: every state where it may, see
    rating_states for one proposal). To-do counts filter with these."""
    allowed, _verb = TRANSITIONS[action]
    return EVALUATION_STATES if allowed == RATING else allowed


def rating_states(proposal) -> tuple[str, ...]:
    """States in which replies can be rated: once replied; with 分办, as each unit's reply comes in."""
    from .selectors import is_parallel

    if proposal.status not in HANDLING_STATES:
        return (S.REPLIED,)
    return (S.REPLIED, *HANDLING_STATES) if is_parallel(proposal) else (S.REPLIED,)


def states_for(action: str, proposal) -> tuple[str, ...]:
    states, _verb = TRANSITIONS[action]
    return rating_states(proposal) if states == RATING else states


def may(action: str, proposal) -> bool:
    """Whether the proposal's state allows this action now."""
    return proposal.status in states_for(action, proposal)


def verb(action: str) -> str:
    return TRANSITIONS[action][1]
