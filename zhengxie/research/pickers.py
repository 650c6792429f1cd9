"""The 视察调研 picker (core.pickers, issue #13): 参加委员 and 执笔人 of a topic — the active members of the
organisation the topic is (or will be) created in, for whoever may create it (rules.may_create) or manage
that open topic (rules.can_manage), as TopicForm accepts."""

from django.db.models import QuerySet

from zhengxie.core.pickers import scoped_row
from zhengxie.members.models import Member
from zhengxie.members.pickers import active_members, register_members

from .models import ResearchTopic


def _participants(user, topic=None) -> QuerySet:
    from . import rules

    none = Member.objects.none()
    if user is None:
        return none
    if topic is None:  # a new topic, in the user's own organisation
        return active_members(user.organisation_id) if rules.may_create(user) else none
    t = scoped_row(ResearchTopic, topic, "organisation")
    if t is None or t.status == ResearchTopic.Status.CLOSED or not rules.can_manage(user, t):
        return none
    return active_members(t.organisation_id)


register_members("research-members", _participants, scope=("topic",))
