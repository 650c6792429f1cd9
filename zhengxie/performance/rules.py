"""Who may do what with duty performance: one predicate per question."""

from __future__ import annotations

import rules

from zhengxie.core.models import Organisation
from zhengxie.core.permissions import acts_in, in_scope, is_leader, is_liaison, is_staff, is_sysadmin
from zhengxie.members.rules import convenes_member


@rules.predicate
def is_the_member(user, member):
    return member is not None and member.user_id == user.pk


@rules.predicate
def member_in_subtree(user, member):
    return member is not None and in_scope(user, member.organisation)


@rules.predicate
def member_in_my_liaison_group(user, member):
    return member is not None and member.liaison_group_id is not None and in_scope(user, member.liaison_group)


@rules.predicate
def report_is_mine(user, report):
    return report is not None and report.member.user_id == user.pk


@rules.predicate
def object_in_subtree(user, obj):
    if obj is None:
        return False
    return in_scope(user, obj if isinstance(obj, Organisation) else obj.organisation)


@rules.predicate
def object_in_my_committee(user, obj):
    """For acting (confirming self-reports, warning, assessing): the object's organisation is the
    user's own committee, not a lower level of their subtree (core.permissions.acts_in)."""
    if obj is None:
        return False
    return acts_in(user, obj if isinstance(obj, Organisation) else obj.organisation)


@rules.predicate
def no_object(user, obj=None):
    return obj is None


is_office = is_staff | is_leader | is_sysadmin

# The archive (一员一档) of a member: themself, staff/leaders/administrators of the subtree, their liaison group.
can_view_archive = is_the_member | (is_office & member_in_subtree) | (is_liaison & member_in_my_liaison_group)
rules.add_perm("performance.view_archive", can_view_archive)
# Evidence attachments of self-reports (checked by core's attachment download).
rules.add_perm("performance.view_selfreport", report_is_mine | (is_office & object_in_subtree))
# Acting: the staff (administrators) of the member's own committee only; the level above reads, it does
# not act (issue 14: a city's staff confirmed a county member's self-report).
rules.add_perm("performance.review_selfreport", is_staff & (object_in_my_committee | no_object))
rules.add_perm("performance.view_rankings", is_office)
rules.add_perm("performance.manage_warnings", is_staff & (object_in_my_committee | no_object))
rules.add_perm("performance.view_warnings", is_office)
# 动态退出: the 谈话提醒 is recorded by the office staff (manage_warnings, naming whoever talked) or by the
# 界别召集人 / 组长 who talked, for a member they look after (members.rules.convenes_member), as themself.
rules.add_perm("performance.talk_as_convener", convenes_member)
# A warning case's page and API: whoever reads the warnings of the subtree, and the convener of its member.
rules.add_perm("performance.view_warning_case", (is_office & member_in_subtree) | convenes_member)
# 动态退出: 劝辞 / 视为辞去 / 继续履职 / 撤销预警 are decided by the office staff of the member's own committee.
rules.add_perm("performance.decide_warning", is_staff & (object_in_my_committee | no_object))
# 换届提名参考名单: office staff and leaders of the subtree read it (and export it).
rules.add_perm("performance.view_renomination", (is_staff | is_leader) & (object_in_subtree | no_object))
rules.add_perm("performance.run_assessment", is_staff & (object_in_my_committee | no_object))
rules.add_perm("performance.view_assessment", is_office & (object_in_subtree | no_object))
rules.add_perm("performance.view_scheme", is_office)
# The scoring scheme is platform administration: the system administrator of the subtree (the demo's one
# system administrator works at the city and sets the counties' schemes).
rules.add_perm("performance.change_scheme", is_sysadmin & (object_in_subtree | no_object))
