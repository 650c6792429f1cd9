"""The 热点分析 menu entry: leaders and staff (the page is read-only for a level above)."""

from zhengxie.core.models import Role
from zhengxie.core.navigation import register

register("协商议事", "热点分析", "hottopics:board", roles=[Role.STAFF, Role.LEADER], icon="fire", order=504)
