"""Pages of 社情民意信息: thin views that parse, call a service or selector, and render.

Actions shown on a page come from `selectors.allowed_actions`; every POST still goes through the service,
which checks the permission and the state again (hiding a button is never the protection). What the user
may not see answers 404; a refused change shows the page again with what was typed and the service's
Chinese message by its field.
"""

from .item import adopt, detail, forward, instruct, review, revoke_adoption
from .office import (
    issue_create,
    issue_detail,
    issue_document,
    issue_edit,
    issue_publish,
    issues,
    opinion_list,
    queue,
)
from .writing import create, edit, member_search, mine, similar, submit

__all__ = [
    "adopt",
    "create",
    "detail",
    "edit",
    "forward",
    "instruct",
    "issue_create",
    "issue_detail",
    "issue_document",
    "issue_edit",
    "issue_publish",
    "issues",
    "member_search",
    "mine",
    "opinion_list",
    "queue",
    "review",
    "revoke_adoption",
    "similar",
    "submit",
]
