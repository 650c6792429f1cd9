"""Who may do what with a 社情民意 item: one predicate per question, used by services, selectors, pages and
the API. Services add "when" (the item's state) and raise Forbidden / Conflict with a Chinese message."""

from __future__ import annotations

import rules

from zhengxie.core.models import Office, Role
from zhengxie.core.permissions import in_scope
from zhengxie.handling.rules import is_case_office
from zhengxie.members.selectors import member_of

from .models import LEVEL_RANK, Opinion, OpinionAuthor


def _auth(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def is_info_office(user, organisation=None) -> bool:
    """信息科 staff (of this organisation when one is given)."""
    if not (_auth(user) and user.has_role(Role.STAFF) and user.works_in(Office.INFORMATION)):
        return False
    return organisation is None or user.organisation_id == getattr(organisation, "pk", organisation)


def may_write(user) -> bool:
    """Members write their own items; staff (信息科, 界别/党派/专委会 staff) write on members' or a body's behalf."""
    return _auth(user) and (member_of(user) is not None or user.has_role(Role.STAFF))


def is_author(user, opinion: Opinion) -> bool:
    member = member_of(user)
    if member is None:
        return False
    cache = getattr(opinion, "_prefetched_objects_cache", {})
    if "authors" in cache:
        return any(a.member_id == member.pk for a in cache["authors"])
    return OpinionAuthor.objects.filter(opinion=opinion, member=member).exists()


def is_writer(user, opinion: Opinion) -> bool:
    """The author or whoever wrote it on their behalf: they edit the draft, submit it, follow it. A copy
    forwarded from below has no writer here (the office that forwarded it is not its writer)."""
    if opinion.forwarded_from_id:
        return False
    return _auth(user) and (opinion.created_by_id == user.pk or is_author(user, opinion))


def can_view(user, opinion: Opinion) -> bool:
    """Drafts: the writer only. Submitted items: the writer, the 信息科 and leaders of its organisation, and
    staff or leaders of the organisations above (the level above sees it all)."""
    if not _auth(user):
        return False
    if is_writer(user, opinion) or (opinion.forwarded_from_id and is_author(user, opinion)):
        return True
    if opinion.status == Opinion.Status.DRAFT:
        return False
    if not user.has_role(Role.STAFF, Role.LEADER, Role.SYSADMIN):
        return False
    return in_scope(user, opinion.organisation)


def can_review(user, opinion: Opinion) -> bool:
    """Edit, accept, file, return, merge, publish, forward, record adoptions and 批示: the 信息科 of the
    item's own organisation."""
    return is_info_office(user, opinion.organisation_id)


def organisation_level(organisation) -> str:
    """The adoption level of an organisation's own work (a liaison group works at county level)."""
    kind = getattr(getattr(organisation, "committee", organisation), "kind", "county")
    return kind if kind in LEVEL_RANK else "county"


def level_allowed(organisation, level: str) -> bool:
    """An adoption or 批示 is at the organisation's own level or above, never below."""
    return level in LEVEL_RANK and LEVEL_RANK[level] >= LEVEL_RANK[organisation_level(organisation)]


def may_rate_followup(user, instruction) -> bool:
    """A 批示落实 reply is rated by the item's member authors; with none, by the 信息科."""
    opinion = instruction.opinion
    if opinion.authors.exists():
        return is_author(user, opinion)
    return is_case_office(user, instruction.case) if instruction.case_id else False


rules.add_perm("opinions.view_opinion", rules.predicate(can_view))


def can_view_issue(user, issue) -> bool:
    """An issue: staff and leaders of its organisation and the levels above; once published, also the
    authors of its items (through the items' pages)."""
    if not _auth(user):
        return False
    if user.has_role(Role.STAFF, Role.LEADER, Role.SYSADMIN) and in_scope(user, issue.organisation):
        return True
    member = member_of(user)
    return (
        member is not None
        and issue.status == "published"
        and OpinionAuthor.objects.filter(opinion__issue=issue, member=member).exists()
    )
