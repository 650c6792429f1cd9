"""The 社情民意 menu per role, and the workbench to-dos (one aggregate query per role)."""

from django.db.models import Count, Q
from django.urls import reverse

from zhengxie.core.models import Office, Role
from zhengxie.core.navigation import queue_columns, register, todo_provider, waiting_column
from zhengxie.members.selectors import member_of

from .models import Opinion, OpinionAuthor
from .rules import is_info_office

INFORMATION = [Office.INFORMATION]
S = Opinion.Status
SECTION = "社情民意"

register(SECTION, "我的社情民意", "opinions:mine", roles=[Role.MEMBER], icon="chat-square-text", order=300)
register(SECTION, "撰写社情民意", "opinions:create", roles=[Role.MEMBER], icon="pencil-square", order=301)
register(
    SECTION,
    "信息工作台",
    "opinions:queue",
    roles=[Role.STAFF],
    offices=INFORMATION,
    icon="inboxes",
    order=302,
)
register(
    SECTION,
    "《社情民意》期刊",
    "opinions:issues",
    roles=[Role.STAFF, Role.LEADER],
    offices=INFORMATION,
    icon="journal-text",
    order=303,
)
register(
    SECTION, "全部社情民意", "opinions:list", roles=[Role.LEADER, Role.SYSADMIN], icon="list-ul", order=304
)
# Shown only once the statistics page exists (menu_for skips a name that does not resolve).
register(
    SECTION,
    "社情民意统计",
    "opinions:stats",
    roles=[Role.STAFF, Role.LEADER, Role.SYSADMIN],
    offices=INFORMATION,
    icon="bar-chart-line",
    order=305,
)


@todo_provider
def opinion_todos(user) -> list[dict]:
    items = []
    member = member_of(user) if user.has_role(Role.MEMBER) else None
    if member is not None:
        mine = Q(created_by=user) | Q(pk__in=OpinionAuthor.objects.filter(member=member).values("opinion_id"))
        c = Opinion.objects.filter(mine).aggregate(
            returned=Count("id", filter=Q(status=S.RETURNED)), drafts=Count("id", filter=Q(status=S.DRAFT))
        )
        url = reverse("opinions:mine")
        items += [
            {
                "label": "退回修改的社情民意",
                "count": c["returned"],
                "url": url + "?status=returned",
                "level": "warning",
            },
            {
                "label": "暂存的社情民意",
                "count": c["drafts"],
                "url": url + "?status=draft",
                "level": "secondary",
            },
        ]
    if is_info_office(user) and user.organisation_id:
        n = Opinion.objects.filter(organisation_id=user.organisation_id, status=S.SUBMITTED).count()
        items.append(
            {
                "label": "待处理的社情民意信息",
                "count": n,
                "url": reverse("opinions:queue") + "?status=submitted",
                "level": "danger",
            }
        )
    return items


@queue_columns(order=30)
def opinion_queues(user) -> list[dict]:
    """For the levels above: 社情民意 submitted and not yet handled by the 信息科, by committee."""
    return waiting_column(user, Opinion.objects.filter(status=S.SUBMITTED), "待处理社情民意", "danger")
