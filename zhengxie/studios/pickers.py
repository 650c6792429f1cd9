"""The 委员工作室 picker (core.pickers, issue #13): 入驻委员 — the active members of the studio's organisation and
its committee, for the office that creates studios there (rules.is_studio_office) or manages that studio
(rules.can_manage_studio), as StudioForm accepts."""

from django.db.models import QuerySet

from zhengxie.core.pickers import scoped_row
from zhengxie.members.models import Member
from zhengxie.members.pickers import active_members, register_members

from .models import Studio


def _residents(user, studio=None) -> QuerySet:
    from . import rules as r

    none = Member.objects.none()
    if user is None or getattr(user, "organisation", None) is None:
        return none
    if studio is None:  # a new studio, in the user's own organisation
        org = user.organisation
        allowed = r.is_studio_office(user, org)
    else:
        s = scoped_row(Studio, studio, "organisation")
        org = s.organisation if s is not None else None
        allowed = s is not None and r.can_manage_studio(user, s)
    return active_members(org, org.committee) if allowed else none


register_members("studio-members", _residents, scope=("studio",))
