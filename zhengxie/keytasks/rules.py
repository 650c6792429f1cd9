"""Who may do what with 重点工作: one predicate per question (services, selectors, pages and the API ask
these). The 办公室 of the organisation keeps the list; the owner (and the 办公室) reports progress;
staff, leaders and administrators read their organisation and the levels below; members do not see the
internal list."""

from __future__ import annotations

import rules

from zhengxie.core.models import Office, Role
from zhengxie.core.permissions import acts_in, in_scope

READERS = (Role.STAFF, Role.LEADER, Role.SYSADMIN)


def _auth(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def is_reader(user) -> bool:
    return _auth(user) and user.has_role(*READERS)


def is_office(user, organisation=None) -> bool:
    """Staff of the 办公室 (of this organisation's own committee when one is given: core.permissions.acts_in)."""
    if not (_auth(user) and user.has_role(Role.STAFF) and user.works_in(Office.GENERAL)):
        return False
    return organisation is None or acts_in(user, organisation)


def is_owner(user, task) -> bool:
    return _auth(user) and task.owner_id == user.pk


def can_view(user, task) -> bool:
    if not _auth(user):
        return False
    if is_reader(user) and in_scope(user, task.organisation):
        return True
    return task.owner_id == user.pk or task.leader_id == user.pk


def can_edit(user, task) -> bool:
    return is_office(user, task.organisation)


def can_report(user, task) -> bool:
    return (is_owner(user, task) and in_scope(user, task.organisation)) or is_office(user, task.organisation)


def may_list(user) -> bool:
    return is_reader(user)


rules.add_perm("keytasks.view_keytask", rules.predicate(can_view))
