"""The 微建议 menu entries and the workbench to-dos (one aggregate query for the 办公室)."""

from django.urls import reverse

from zhengxie.core.models import Office, Role
from zhengxie.core.navigation import queue_columns, register, todo_provider, waiting_column

from . import rules, selectors

SECTION = "微建议"
GENERAL = [Office.GENERAL]

register(
    SECTION,
    "微建议审核",
    "suggestions:queue",
    roles=[Role.STAFF],
    offices=GENERAL,
    icon="chat-dots",
    order=400,
)
register(
    SECTION,
    "全部微建议",
    "suggestions:queue",
    roles=[Role.LEADER, Role.SYSADMIN],
    icon="chat-dots",
    order=401,
)
register(SECTION, "工作室微建议", "suggestions:studio_queue", roles=[Role.MEMBER], icon="shop", order=402)
register(
    SECTION,
    "微建议统计",
    "suggestions:stats",
    roles=[Role.STAFF, Role.LEADER, Role.SYSADMIN],
    offices=GENERAL,
    icon="bar-chart-line",
    order=403,
)


@todo_provider
def suggestion_todos(user) -> list[dict]:
    if not rules.is_public_office(user):
        return []
    c = selectors.waiting_counts(user)
    url = reverse("suggestions:queue")
    return [
        {
            "label": "待审核的群众微建议",
            "count": c["received"],
            "url": url + "?status=received",
            "level": "danger",
        },
        {
            "label": "已受理待交办的微建议",
            "count": c["accepted"],
            "url": url + "?status=accepted",
            "level": "warning",
        },
    ]


@queue_columns(order=35)
def suggestion_queues(user) -> list[dict]:
    """For the levels above: citizens' 微建议 waiting for moderation, by committee."""
    from .models import Suggestion

    waiting = Suggestion.objects.filter(status=Suggestion.Status.RECEIVED)
    return waiting_column(user, waiting, "待审核微建议", "danger")
