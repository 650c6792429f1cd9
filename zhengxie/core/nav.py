from .models import Role
from .navigation import register

register("工作台", "我的工作台", "core:workbench", icon="house", order=0)
register("工作台", "消息中心", "core:inbox", icon="bell", order=1)
register("审计", "审计日志", "core:audit", roles=[Role.AUDITOR], icon="journal-text", order=900)
