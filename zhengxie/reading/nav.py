"""书香政协 in the menu: members read and check in; staff keep the books and see who read."""

from zhengxie.core.models import Role
from zhengxie.core.navigation import register

register(
    "会议活动",
    "书香政协",
    "reading:index",
    roles=[Role.MEMBER, Role.STAFF, Role.LEADER],
    icon="book",
    order=460,
)
register("会议活动", "委员读书情况", "reading:members", roles=[Role.STAFF], icon="journal-check", order=461)
