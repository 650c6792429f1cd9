"""The 民主评议 picker (core.pickers, issue #13): 指定委员 of a round's invitation — the active members of the
round's committee, for whoever may manage that round (rules.can_manage), as InviteForm accepts."""

from django.db.models import QuerySet

from zhengxie.core.pickers import scoped_row
from zhengxie.members.models import Member
from zhengxie.members.pickers import active_members, register_members

from .models import Round


def _invitees(user, round=None) -> QuerySet:
    from . import rules

    r = scoped_row(Round, round, "organisation")
    if user is None or r is None or not rules.can_manage(user, r):
        return Member.objects.none()
    return active_members(r.organisation)


register_members("appraisal-invitees", _invitees, scope=("round",))
