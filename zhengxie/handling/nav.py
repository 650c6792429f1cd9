"""Menu entries of the spine and the unit's to-dos across kinds (one aggregate query)."""

from django.db.models import Count, Q
from django.urls import reverse

from zhengxie.core.models import Role
from zhengxie.core.navigation import queue_columns, register, todo_provider

from . import rules as r
from . import selectors

register(
    "交办", "承办工作台", "handling:inbox", roles=[Role.UNIT_HANDLER, Role.UNIT_HEAD], icon="inbox", order=150
)
register(
    "交办",
    "督办台",
    "handling:board",
    roles=[Role.STAFF, Role.LEADER, Role.SYSADMIN],
    offices=r.handling_offices,
    icon="stoplights",
    order=151,
)
register(
    "交办",
    "承办单位办理情况",
    "handling:units",
    roles=[Role.STAFF, Role.LEADER, Role.SYSADMIN],
    offices=r.handling_offices,
    icon="building-check",
    order=152,
)


@todo_provider
def handling_todos(user) -> list[dict]:
    """What the user's unit owes, of every kind: unacknowledged, sent back for 重新办理 (a reply rated
    不满意), red and yellow; for the unit head also the reply drafts waiting for 签发, for the handlers those
    the head returned (the same aggregate query). Each card opens the inbox filtered to exactly its rows."""
    if not r.is_unit_user(user):
        return []
    c = selectors.owed(user).aggregate(
        unack=Count("unit_id", filter=Q(acknowledged_at__isnull=True)),
        red=Count("unit_id", filter=Q(light="red")),
        yellow=Count("unit_id", filter=Q(light="yellow")),
        to_sign=Count("unit_id", filter=Q(signoff="pending")),
        sent_back=Count("unit_id", filter=Q(signoff="returned")),
        rehandling=Count("unit_id", filter=selectors.sent_back()),
    )
    inbox = reverse("handling:inbox")
    # The unit head signs the unit's reply letters off (签发) and watches what is overdue.
    head = [
        {
            "label": "待签发的答复",
            "count": c["to_sign"],
            "url": inbox + "?status=signoff",
            "level": "danger",
        }
    ]
    returned = [
        {
            "label": "退回修改的答复稿",
            "count": c["sent_back"],
            "url": inbox + "?status=returned",
            "level": "warning",
        }
    ]
    return (head if r.is_unit_head(user) else returned) + [
        {
            "label": "待签收的交办事项",
            "count": c["unack"],
            "url": inbox + "?status=unacknowledged",
            "level": "danger",
        },
        {
            "label": "退回重新办理的事项",
            "count": c["rehandling"],
            "url": inbox + "?status=rehandling",
            "level": "danger",
        },
        {"label": "已超期（红灯）", "count": c["red"], "url": inbox + "?light=red", "level": "danger"},
        {
            "label": "临近期限（黄灯）",
            "count": c["yellow"],
            "url": inbox + "?light=yellow",
            "level": "warning",
        },
    ]


@queue_columns(order=20)
def owed_queues(user) -> list[dict]:
    """For the levels above: what the units still owe on each committee's items, and of it the red and
    yellow, by the case's committee (one query on the owed rows)."""
    from zhengxie.handling.models import Assignment

    if not user.has_role(Role.STAFF, Role.LEADER) or user.organisation_id is None:
        return []
    owed, red, yellow = {}, {}, {}
    rows = (
        Assignment.objects.filter(owes=True, organisation__path__startswith=user.organisation.path)
        .values_list("organisation_id", "light")
        .annotate(n=Count("unit_id"))
        .order_by()
    )
    for org_id, light, n in rows:
        owed[org_id] = owed.get(org_id, 0) + n
        if light == "red":
            red[org_id] = red.get(org_id, 0) + n
        elif light == "yellow":
            yellow[org_id] = yellow.get(org_id, 0) + n
    return [
        {"label": "承办在办", "counts": owed},
        {"label": "红灯（超期）", "counts": red, "level": "danger"},
        {"label": "黄灯", "counts": yellow, "level": "warning"},
    ]
