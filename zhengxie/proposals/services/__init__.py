"""Every state change of a proposal, from draft to 办结 (domain.md, "Proposals").

Each service: keyword-only arguments; the proposal is re-read (and row-locked) inside one transaction;
who may act is checked (Forbidden, 403), then the state (Conflict, 409), then the input (Invalid, 422);
the change is written with an audit entry, a timeline Event, notifications, duty records and the search
index. Proposals the user may not see raise core.errors.NotFound (a 404). The caller's instance is refreshed afterwards.
"""

from ..rules import second_matter
from .common import _credit_groups, _shares, proposal_url  # noqa: F401  (demo and tests use them)
from .drafting import (
    proposal_cosign,
    proposal_create,
    proposal_drop_decliners,
    proposal_submit,
    proposal_update,
)
from .handling import (
    assignment_acknowledge,
    assignment_co_opinion,
    assignment_decide_change,
    assignment_record_contact,
    assignment_request_change,
    proposal_assign,
    proposal_attach_letter,
    proposal_evaluate,
    proposal_reply,
    proposal_sign,
    proposals_assign_batch,
)
from .review import proposal_merge_group, proposal_review, proposal_review_and_assign, proposals_accept_batch
from .supervision import (
    proposal_close,
    proposal_extend,
    proposal_mark_excellent,
    proposal_mark_key,
    proposal_remind,
)

__all__ = [
    "assignment_acknowledge",
    "assignment_co_opinion",
    "assignment_decide_change",
    "assignment_record_contact",
    "assignment_request_change",
    "proposal_assign",
    "proposal_attach_letter",
    "proposal_close",
    "proposal_cosign",
    "proposal_create",
    "proposal_drop_decliners",
    "proposal_evaluate",
    "proposal_extend",
    "proposal_mark_excellent",
    "proposal_mark_key",
    "proposal_remind",
    "proposal_reply",
    "proposal_merge_group",
    "proposal_review",
    "proposal_review_and_assign",
    "proposal_sign",
    "proposal_submit",
    "proposal_update",
    "proposal_url",
    "proposals_accept_batch",
    "proposals_assign_batch",
    "proposal_url",
    "second_matter",
]

# 跟踪落实 (follow-up of B-class replies)
from .followup import (  # noqa: E402
    followup_confirm,
    followup_remind,
    followup_report,
    followup_set_plan,
)

__all__ += ["followup_confirm", "followup_remind", "followup_report", "followup_set_plan"]

# 申请加入 (join a similar proposal instead), and deleting one's own draft
from .drafting import proposal_delete_draft, proposal_withdraw  # noqa: E402
from .joining import proposal_decide_join, proposal_request_join  # noqa: E402

__all__ += ["proposal_decide_join", "proposal_delete_draft", "proposal_request_join", "proposal_withdraw"]
