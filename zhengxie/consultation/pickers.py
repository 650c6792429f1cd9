"""The 协商 picker (core.pickers, issue #13): 发言委员 of a consultation's segment — the active members of its
committee, for whoever may manage that consultation (rules.can_manage), as SegmentForm accepts."""

from django.db.models import QuerySet

from zhengxie.core.pickers import scoped_row
from zhengxie.members.models import Member
from zhengxie.members.pickers import active_members, register_members

from .models import Consultation


def _speakers(user, consultation=None) -> QuerySet:
    from . import rules

    c = scoped_row(Consultation, consultation, "organisation")
    if user is None or c is None or not rules.can_manage(user, c):
        return Member.objects.none()
    return active_members(c.organisation.committee)


register_members("consultation-speakers", _speakers, scope=("consultation",))
