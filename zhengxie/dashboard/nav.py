from zhengxie.core.models import Role
from zhengxie.core.navigation import register

register(
    "统计",
    "领导驾驶舱",
    "dashboard:index",
    roles=[Role.LEADER, Role.STAFF, Role.SYSADMIN],
    icon="speedometer2",
    order=800,
)
