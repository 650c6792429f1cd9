"""动态退出: the states of a warning case and the transitions between them, written once.

A case (``models.WarningCase``) is one member's warnings of one year. It starts as 预警 (the warning
rules of the scheme found something), a 谈话提醒 is recorded (who talked, when, what was said, what the
member answered), then the office decides: 劝辞 or 视为辞去 (the member leaves: ``Member.status``
becomes 已劝辞 / 视为辞去), or 继续履职 (the talk sufficed) or 撤销预警 (the warning was wrong). Every
decision cites a rule of the scheme and gives its grounds.

The services' guard (``services.warning_act``), ``allowed_actions`` (pages and API) and the templates all
read ``TRANSITIONS``.
"""

from __future__ import annotations

from dataclasses import dataclass

WARNED = "warned"
TALKED = "talked"
ADVISED = "advised"
DEEMED = "deemed"
CONTINUED = "continued"
WITHDRAWN = "withdrawn"

STATE_CHOICES = [
    (WARNED, "预警"),
    (TALKED, "已谈话提醒"),
    (ADVISED, "已劝辞"),
    (DEEMED, "视为辞去"),
    (CONTINUED, "继续履职"),
    (WITHDRAWN, "已撤销预警"),
]
STATE_LABELS = dict(STATE_CHOICES)
OPEN = frozenset({WARNED, TALKED})
FINAL = frozenset({ADVISED, DEEMED, CONTINUED, WITHDRAWN})

# The scheme's warning step that a rule must carry for a case to end in 劝辞 / 视为辞去.
EXIT_STEP = "劝辞建议"


@dataclass(frozen=True)
class Transition:
    action: str
    label: str  # the button and the step's name in the history
    sources: frozenset
    target: str
    exit: bool = False  # the member leaves: cites a 劝辞建议 rule, sets Member.status
    member_status: str = ""  # Member.Status value the decision sets


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition("talk", "谈话提醒", frozenset({WARNED}), TALKED),
        # 劝辞 follows a talk; 视为辞去 (e.g. two unexcused plenary absences) may be decided without one.
        Transition("advise", "劝辞", frozenset({TALKED}), ADVISED, exit=True, member_status="advised"),
        Transition(
            "deem", "视为辞去", frozenset({WARNED, TALKED}), DEEMED, exit=True, member_status="deemed"
        ),
        Transition("continue", "继续履职", frozenset({TALKED}), CONTINUED),
        Transition("withdraw", "撤销预警", frozenset({WARNED, TALKED}), WITHDRAWN),
    )
}
DECISIONS = ("advise", "deem", "continue", "withdraw")


def allowed(state: str) -> list[Transition]:
    """The transitions a case in `state` offers (permission is checked separately)."""
    return [t for t in TRANSITIONS.values() if state in t.sources]


def state_label(state: str) -> str:
    return STATE_LABELS.get(state, state)
