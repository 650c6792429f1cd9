from django.urls import reverse

from zhengxie.core.models import Role
from zhengxie.core.navigation import home_provider, queue_columns, register, todo_provider, waiting_column

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
register(
    "履职",
    "换届提名参考名单",
    "performance:renomination",
    roles=[Role.STAFF, Role.LEADER],
    icon="list-check",
    order=306,
)


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
        n = selectors.open_warning_count(user)
        items.append(
            {
                "label": "待处理的履职预警",
                "count": n,
                "url": reverse("performance:warnings") + "?state=open",
                "level": "danger",
            }
        )
    if user.has_role(Role.MEMBER):
        n = selectors.convened_talk_count(user)
        items.append(
            {
                "label": "待谈话提醒的委员",
                "count": n,
                "url": reverse("performance:convened_warnings") + "?state=warned",
                "level": "warning",
            }
        )
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


@home_provider(order=40)
def liaison_scores(user) -> list:
    """A 乡镇联络组's workbench: its members' duty points this year (the yearly scores' copy of the group:
    members scored, average, reaching the pass line) and the five lowest, each opening the archive (two
    queries)."""
    from django.db.models import Avg, Count, Q

    from zhengxie.core.dashboard import Card, Item, ItemList, Section
    from zhengxie.members.selectors import liaison_group_of

    from .models import MemberYearScore

    group = liaison_group_of(user)
    if group is None:
        return []
    year = selectors.this_year()
    scores = MemberYearScore.objects.filter(liaison_group=group, year=year)
    c = scores.aggregate(n=Count("id"), avg=Avg("total"), passed=Count("id", filter=Q(passed=True)))
    low = list(scores.select_related("member").order_by("total", "member__name")[:5])
    return [
        Section(
            f"{year}年委员履职",
            id="liaison-scores",
            icon="person-vcard",
            note="按本会积分方案计算的本年履职积分；点姓名看一员一档。",
            card_cols="col-6 col-md-3",
            cards=[
                Card("计分委员", c["n"], unit=" 人", id="liaison-scored"),
                Card(
                    "平均积分",
                    round(float(c["avg"]), 1) if c["avg"] is not None else None,
                    unit=" 分",
                    id="liaison-average",
                ),
                Card(
                    "达到合格线",
                    c["passed"],
                    unit=" 人",
                    hint=f"未达到 {c['n'] - c['passed']} 人" if c["n"] else "",
                    level="success",
                    id="liaison-passed",
                ),
            ],
            lists=[
                ItemList(
                    "积分最低的委员",
                    [
                        Item(
                            s.member.name,
                            url=reverse("performance:member", args=[s.member_id]),
                            meta=f"{float(s.total):g} 分" + ("" if s.passed else " · 未达合格线"),
                        )
                        for s in low
                    ],
                    empty="本年还没有计分。",
                    id="liaison-low-scores",
                    cols="col-12",
                )
            ],
        )
    ]


@queue_columns(order=40)
def self_report_queues(user) -> list[dict]:
    """For the levels above: members' self-reports waiting for their committee's confirmation."""
    from .models import SelfReport

    waiting = SelfReport.objects.filter(status=SelfReport.Status.PENDING)
    return waiting_column(user, waiting, "待确认履职自报")
