"""The 社情民意 picker (core.pickers, issue #13): 第一作者 of an item staff write on a member's behalf — the
active members of the committee the item belongs to, for staff who may write (rules.may_write) and are no
member themselves, as OpinionForm accepts. (联名作者 are searched in the page itself: views.member_search.)"""

from django.db.models import QuerySet

from zhengxie.members.models import Member
from zhengxie.members.pickers import active_members, register_members


def _authors(user) -> QuerySet:
    from zhengxie.members.selectors import committee_of, member_of

    from . import rules

    if user is None or not rules.may_write(user) or member_of(user) is not None:
        return Member.objects.none()
    return active_members(committee_of(user))


register_members("opinion-authors", _authors)
