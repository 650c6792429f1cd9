"""Who may do what with members and the administrators' objects: one predicate per question."""

import rules

from zhengxie.core.models import Organisation
from zhengxie.core.permissions import (
    acts_in,
    in_scope,
    is_leader,
    is_liaison,
    is_secadmin,
    is_staff,
    is_sysadmin,
)


@rules.predicate
def member_in_subtree(user, member):
    return member is not None and in_scope(user, member.organisation)


@rules.predicate
def member_in_liaison_group(user, member):
    return member is not None and member.liaison_group is not None and in_scope(user, member.liaison_group)


@rules.predicate
def is_the_member(user, member):
    return member is not None and member.user_id == user.pk


@rules.predicate
def object_in_subtree(user, obj):
    if obj is None:
        return False
    org = obj if isinstance(obj, Organisation) else getattr(obj, "organisation", None)
    return in_scope(user, org)


@rules.predicate
def no_object(user, obj):
    return obj is None


@rules.predicate
def acts_in_object(user, obj):
    """The object's organisation (a member's, a group's, a sector's) is the user's own committee."""
    if obj is None:
        return False
    org = obj if isinstance(obj, Organisation) else getattr(obj, "organisation", None)
    return acts_in(user, org)


@rules.predicate
def is_active_member_self(user, member):
    return getattr(member, "user_id", None) == user.pk and getattr(member, "status", "") == "active"


@rules.predicate
def convenes_member(user, member):
    """The user is an active member who looks after this member as 界别召集人 of the member's sector or 组长 of
    a 委员小组 the member belongs to (one query)."""
    if member is None or not getattr(user, "is_authenticated", False):
        return False
    from .selectors import member_of
    from .selectors_groups import convened_member_ids

    return member.pk in convened_member_ids(member_of(user))


can_view_roster = is_sysadmin | is_staff | is_leader | is_liaison

rules.add_perm("members.view_roster", can_view_roster)
rules.add_perm(
    "members.view_member",
    ((is_sysadmin | is_staff | is_leader) & member_in_subtree)
    | (is_liaison & member_in_liaison_group)
    | is_the_member,
)
rules.add_perm("members.view_member_sensitive", (is_sysadmin | is_staff) & member_in_subtree)
rules.add_perm("members.change_member", is_sysadmin & member_in_subtree)
# Adding one member: the system administrator, for a committee of their subtree (or any, with no object).
rules.add_perm("members.add_member", is_sysadmin & (object_in_subtree | no_object))
rules.add_perm("members.import_roster", is_sysadmin)
rules.add_perm("members.export_roster", is_sysadmin | is_staff)
# Terms, sessions, sectors, committees, handling units, organisations, users: the system administrator
# of the organisation's subtree (the object check) or of any level (no object).
rules.add_perm("members.manage", is_sysadmin & (object_in_subtree | no_object))
rules.add_perm("members.manage_parties", is_sysadmin)
# Resetting passwords and unlocking accounts: the security administrator (and the system administrator).
rules.add_perm("members.manage_security", is_secadmin | is_sysadmin)
rules.add_perm("members.view_users", is_secadmin | is_sysadmin)
# 界别召集人 and 委员小组: the office staff of the committee itself (not a higher level), and the system
# administrator of the subtree (issue 15).
rules.add_perm(
    "members.manage_groups",
    (is_staff & (acts_in_object | no_object)) | (is_sysadmin & (object_in_subtree | no_object)),
)
# 履职承诺: the member (while in office) writes their own; the committee's staff write one on a member's behalf.
rules.add_perm("members.edit_pledge", is_active_member_self | (is_staff & acts_in_object))
rules.add_perm("members.view_pledges", is_staff | is_leader | is_sysadmin)
# A 界别召集人 or 组长 looks after the members of the sector or group (谈话提醒 of a warned member: performance).
rules.add_perm("members.look_after", convenes_member)
