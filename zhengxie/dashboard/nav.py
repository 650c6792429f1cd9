from django.urls import reverse
from django.utils import timezone

from zhengxie.core.dashboard import Period, Section, key_figures
from zhengxie.core.models import Role
from zhengxie.core.navigation import home_provider, register

register(
    "统计",
    "领导驾驶舱",
    "dashboard:index",
    roles=[Role.LEADER, Role.STAFF, Role.SYSADMIN],
    icon="speedometer2",
    order=800,
)


@home_provider(order=10)
def leader_figures(user) -> list[Section]:
    """Leaders: the key figures of the dashboard (the cards its providers name for the workbench), for the
    current 会次 of their committee, with the way to the full 领导驾驶舱."""
    if not user.has_role(Role.LEADER):
        return []
    from .views import current_session

    session = current_session(user)
    period = Period(session=session, year=session.year if session else timezone.localdate().year)
    cards = key_figures(user, period)
    if not cards:
        return []
    return [
        Section(
            f"关键数字{' · ' + session.full_name if session else ''}",
            cards=cards,
            id="key-figures",
            icon="speedometer2",
            url=reverse("dashboard:index"),
            url_label="领导驾驶舱",
            card_cols="col-6 col-md-4 col-xl-2",
        )
    ]


@home_provider(order=15)
def lower_queues(user) -> list[Section]:
    """A city's (a province's) staff and leaders: what waits in each committee below — one row a committee
    (its liaison groups included), one column a queue the apps register (core.navigation.queue_columns),
    the committee's own work first (本级) and the sum last. One query for the committees, one to place the
    counted organisations, and the columns' own."""
    from zhengxie.core.dashboard import Table
    from zhengxie.core.models import Organisation
    from zhengxie.core.navigation import queues_for

    org = user.organisation if user.is_authenticated else None
    if org is None or org.kind not in (Organisation.Kind.CITY, Organisation.Kind.PROVINCE):
        return []
    if not user.has_role(Role.STAFF, Role.LEADER):
        return []
    columns = [c for c in queues_for(user) if c["counts"] is not None]
    if not columns:
        return []
    below = list(
        Organisation.objects.filter(path__startswith=org.path, depth=org.depth + 1)
        .exclude(kind=Organisation.Kind.LIAISON)
        .order_by("path")
        .values_list("path", "short_name", "name")
    )
    counted = {pk for c in columns for pk in c["counts"]}
    paths = dict(Organisation.objects.filter(pk__in=counted).values_list("pk", "path")) if counted else {}
    width = len(org.path) + Organisation.steplen
    rows = {path: [0] * len(columns) for path, _s, _n in below}
    own = [0] * len(columns)
    for i, c in enumerate(columns):
        for pk, n in c["counts"].items():
            path = paths.get(pk, "")
            if not path.startswith(org.path):
                continue
            (rows.get(path[:width]) or own)[i] += n
    total = [sum(x) for x in zip(own, *rows.values(), strict=True)]
    body = [[("本级", ""), *((n, "") for n in own)]]
    body += [[(name, ""), *((n, "") for n in rows[path])] for path, _short, name in below]
    body.append([("合计", ""), *((n, "") for n in total)])
    level = "下级政协" if org.kind == Organisation.Kind.PROVINCE else "各县（区）政协"
    return [
        Section(
            f"{level}待办汇总",
            id="lower-queues",
            icon="diagram-3",
            note="各级政协尚待处理的事项（本级含所属乡镇联络组）；具体办理由各级政协在本级完成。",
            tables=[
                Table(
                    "待办事项",
                    [("政协", ""), *((c["label"], c.get("url", "")) for c in columns)],
                    body,
                    id="lower-queue-table",
                )
            ],
        )
    ]
