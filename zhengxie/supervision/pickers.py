"""The 民主监督 picker (core.pickers, issue #13): 组长 and 成员 of a new supervision group — the active members
of the committee of the office that forms it (rules.is_office), as SupervisionForm accepts."""

from django.db.models import QuerySet

from zhengxie.members.models import Member
from zhengxie.members.pickers import active_members, register_members


def _group_members(user) -> QuerySet:
    from . import rules

    org = getattr(user, "organisation", None)
    if org is None or not rules.is_office(user, org):
        return Member.objects.none()
    return active_members(org.committee)


register_members("supervision-members", _group_members)
