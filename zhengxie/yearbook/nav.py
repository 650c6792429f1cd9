"""年度工作数据 in the menu (leaders, staff, administrators, auditors)."""

from zhengxie.core.models import Role
from zhengxie.core.navigation import register

register(
    "统计",
    "年度工作数据",
    "yearbook:year",
    roles=[Role.LEADER, Role.STAFF, Role.SYSADMIN, Role.AUDITOR],
    icon="bar-chart-line",
    order=801,
)
