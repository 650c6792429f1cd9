"""The spine's services (every state change of a case's handling rows), for every kind of item.

A module's own service loads and locks its item, checks what only it knows (its states, who its
proposers are), then calls these for the handling part; they check the unit's side (is the user a handler
of an active assignment of this case), validate the input against the kind's settings and write the rows.
Messages name the kind ("签收提案", "签收社情民意信息" …). The caller writes the audit entry and the timeline
through `record` so that each change is one entry, whatever the kind.
"""

from . import followups
from .cases import CASE_FIELDS, case_sync, open_case, sync_copies
from .ratings import rate
from .supervision import (
    case_extend,
    cases_remind,
    cases_remind_each,
    check_extend,
    check_extension_date,
    extend,
    extension_limit,
    latest_deadline,
    may_extend,
)
from .units import (
    acknowledge,
    assign,
    attach_letter,
    check_contact_date,
    check_deadline,
    check_units,
    co_opinion,
    decide_change,
    my_assignment,
    record_contact,
    reply,
    request_change,
    resolve_unit,
)

__all__ = [
    "CASE_FIELDS",
    "acknowledge",
    "assign",
    "attach_letter",
    "case_extend",
    "case_sync",
    "check_contact_date",
    "check_deadline",
    "check_extend",
    "check_extension_date",
    "check_units",
    "cases_remind",
    "cases_remind_each",
    "co_opinion",
    "decide_change",
    "extend",
    "extension_limit",
    "followups",
    "latest_deadline",
    "may_extend",
    "my_assignment",
    "open_case",
    "rate",
    "record_contact",
    "reply",
    "request_change",
    "resolve_unit",
    "sync_copies",
]
