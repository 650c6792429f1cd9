"""Who may see what. Every selector scopes by `visible_organisations(user)`; objects out of scope are 404.

Role predicates (django-rules) live here; apps add their own object rules in their rules.py.
"""

from __future__ import annotations

import rules
from django.db.models import Q, QuerySet
from django.http import Http404

from .models import Organisation, Role


def visible_organisations(user) -> QuerySet[Organisation]:
    """The user's organisation and, for a higher level, its whole subtree."""
    if not user.is_authenticated or user.organisation_id is None:
        return Organisation.objects.none()
    return Organisation.objects.filter(path__startswith=user.organisation.path)


def org_scope_q(user, field: str = "organisation") -> Q:
    """A Q for rows whose `field` organisation the user may see (no extra query)."""
    if not user.is_authenticated or user.organisation_id is None:
        return Q(pk__in=[])
    return Q(**{f"{field}__path__startswith": user.organisation.path})


def org_scope_in(user, field: str = "organisation") -> Q:
    """The rows of `org_scope_q`, written `<field>_id IN (SELECT id FROM core_organisation WHERE path LIKE
    'p%')` instead of a join on the organisation's path: the planner then reads an index that starts with
    the organisation (a county's rows), or filters a list's order index by it and stops at the page (a
    city's or the province's), on both engines (no extra query). Use it at the top level of a filter
    (AND-ed), where it becomes a semi-join."""
    if not user.is_authenticated or user.organisation_id is None:
        return Q(pk__in=[])
    subtree = Organisation.objects.filter(path__startswith=user.organisation.path).order_by().values("pk")
    return Q(**{f"{field}_id__in": subtree})


def in_scope(user, organisation) -> bool:
    if organisation is None or not user.is_authenticated or user.organisation_id is None:
        return False
    return organisation.path.startswith(user.organisation.path)


def acts_in(user, organisation) -> bool:
    """Whether the user may ACT on records of this organisation: their own committee (their organisation
    or one of its liaison groups), never the subtree of a lower level. Reading a subtree (`in_scope`) is not
    acting in it: a city's staff see the counties' figures but do not confirm a county member's self-report,
    warn or assess county members, or run a county's meetings. Platform administration (members, accounts,
    the organisation tree, scoring schemes: the system administrator of the subtree) is the decided
    exception; tests/performance/test_level_matrix.py pins the role x action x level matrix."""
    if organisation is None or not in_scope(user, organisation):
        return False
    mine = user.organisation
    if organisation.pk == mine.pk:
        return True
    return (
        organisation.kind == Organisation.Kind.LIAISON
        and mine.kind != Organisation.Kind.LIAISON
        and organisation.path[: -Organisation.steplen] == mine.path
    )


def acts_in_q(user, field: str = "organisation") -> Q:
    """`acts_in` as a filter: rows whose `field` organisation is the user's own committee or one of its
    liaison groups (a queue of work to do, a to-do count; no extra query)."""
    if not user.is_authenticated or user.organisation_id is None:
        return Q(pk__in=[])
    mine = user.organisation
    q = Q(**{f"{field}_id": mine.pk})
    if mine.kind != Organisation.Kind.LIAISON:
        q |= Q(
            **{
                f"{field}__kind": Organisation.Kind.LIAISON,
                f"{field}__path__startswith": mine.path,
                f"{field}__depth": mine.depth + 1,
            }
        )
    return q


def get_scoped_or_404(queryset: QuerySet, user, field: str = "organisation", **lookup):
    try:
        return queryset.filter(org_scope_q(user, field)).get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404("未找到")


def has_role(*roles):
    @rules.predicate
    def _pred(user):
        return user.is_authenticated and user.has_role(*roles)

    return _pred


is_staff = has_role(Role.STAFF)
is_leader = has_role(Role.LEADER)
is_unit_user = has_role(Role.UNIT_HANDLER, Role.UNIT_HEAD)
is_liaison = has_role(Role.LIAISON)
is_sysadmin = has_role(Role.SYSADMIN)
is_secadmin = has_role(Role.SECADMIN)
is_auditor = has_role(Role.AUDITOR)

rules.add_perm("core.view_audit", is_auditor)
