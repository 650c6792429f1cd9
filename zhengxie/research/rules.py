"""Who may do what with 视察/调研 topics: one predicate per question (services, selectors, pages and the API
ask these).

- Staff of the 办公室 or a 专委会办公室 of the topic's own committee (`acts_in`) manage topics: create,
  change the status, arrange visits, submit the report, send recommendations on.
- Staff, leaders and administrators read every topic of their organisation and the levels below.
- A topic's members (participants) and its leader read theirs; participants add findings and photos and
  may submit the report; a participant turns a recommendation into their own draft 社情民意 or proposal.
- A unit a recommendation was routed to reads the topic (its case stays its own).
- Another county's topic is not found (404).
"""

from __future__ import annotations

import rules

from zhengxie.core.models import Office, Role
from zhengxie.core.permissions import acts_in, in_scope
from zhengxie.members.selectors import member_of

READERS = (Role.STAFF, Role.LEADER, Role.SYSADMIN)


def _auth(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def is_manager(user, organisation=None) -> bool:
    """办公室 / 专委会办公室 staff (acting in this organisation when one is given)."""
    if not (_auth(user) and user.has_role(Role.STAFF) and user.works_in(Office.GENERAL, Office.COMMITTEE)):
        return False
    return organisation is None or acts_in(user, organisation)


def is_reader(user, organisation=None) -> bool:
    if not (_auth(user) and user.has_role(*READERS)):
        return False
    return organisation is None or in_scope(user, organisation)


def participant(user, topic):
    """The user's Member when they take part in the topic, else None."""
    member = member_of(user) if _auth(user) else None
    if member is None:
        return None
    cache = getattr(topic, "_prefetched_objects_cache", {})
    if "members" in cache:
        return member if any(m.pk == member.pk for m in cache["members"]) else None
    return member if topic.members.filter(pk=member.pk).exists() else None


def is_writer(user, topic) -> bool:
    member = member_of(user) if _auth(user) else None
    return member is not None and topic.writers.filter(pk=member.pk).exists()


def can_view(user, topic) -> bool:
    if not _auth(user) or topic is None:
        return False
    if is_reader(user, topic.organisation):
        return True
    if topic.leader_id == user.pk or participant(user, topic) is not None:
        return True
    return is_receiving_unit(user, topic)


def is_receiving_unit(user, topic) -> bool:
    """A unit a recommendation of the topic was routed to reads the topic (its report and findings)."""
    from zhengxie.handling.rules import is_unit_user

    if not is_unit_user(user):
        return False
    from .models import Recommendation

    return Recommendation.objects.filter(
        topic_id=topic.pk, unit_id=user.handling_unit_id, case__isnull=False
    ).exists()


def can_manage(user, topic) -> bool:
    return is_manager(user, topic.organisation)


def can_contribute(user, topic) -> bool:
    """Findings and photos: the participants and the managers."""
    return can_manage(user, topic) or participant(user, topic) is not None


def can_report(user, topic) -> bool:
    return can_contribute(user, topic)


def may_list(user) -> bool:
    """The whole list (of the organisation and below)."""
    return is_reader(user)


def may_create(user) -> bool:
    return is_manager(user, getattr(user, "organisation", None))


rules.add_perm("research.view_researchtopic", rules.predicate(can_view))
