from django.urls import reverse

from zhengxie.core.models import Role
from zhengxie.core.navigation import register, todo_provider

from . import selectors

OFFICE = [Role.STAFF, Role.LEADER, Role.SYSADMIN]

register("履职", "我的履职档案", "performance:me", roles=[Role.MEMBER], icon="person-vcard", order=300)
register("履职", "履职自报审核", "performance:reviews", roles=[Role.STAFF], icon="check2-square", order=301)
register("履职", "履职排名", "performance:rankings", roles=OFFICE, icon="bar-chart", order=302)
register("履职", "履职预警", "performance:warnings", roles=OFFICE, icon="exclamation-triangle", order=303)
register(
    "履职", "年度考核", "performance:assessments", roles=[Role.STAFF, Role.LEADER], icon="award", order=304
)
register("履职", "积分方案", "performance:scheme", roles=OFFICE, icon="sliders", order=305)


@todo_provider
def performance_todos(user):
    items = []
    if user.has_role(Role.STAFF):
        n = selectors.pending_self_report_count(user)
        items.append(
            {
                "label": "待确认的履职自报",
                "count": n,
                "url": reverse("performance:reviews"),
                "level": "primary",
            }
        )
    if user.has_role(Role.MEMBER):
        n = selectors.member_warning_count(user)
        items.append(
            {
                "label": "履职预警提醒",
                "count": n,
                "url": reverse("performance:me") + "#warnings",
                "level": "danger",
            }
        )
    return items
