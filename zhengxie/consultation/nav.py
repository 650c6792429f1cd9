"""The 协商议事 menu entries and workbench to-dos; each part registers its own entries."""

from django.urls import reverse  # noqa: F401

from zhengxie.core.models import Office, Role
from zhengxie.core.navigation import home_provider, register, todo_provider  # noqa: F401

SECTION = "协商议事"
STAFF_OFFICES = [Office.GENERAL, Office.COMMITTEE]

# Consultations (views/consultations.py).
register(
    SECTION,
    "协商活动",
    "consultation:list",
    roles=[Role.STAFF, Role.LEADER, Role.SYSADMIN, Role.MEMBER, Role.LIAISON],
    icon="people",
    order=500,
)
register(
    SECTION,
    "协商议事统计",
    "consultation:stats",
    roles=[Role.STAFF],
    offices=STAFF_OFFICES,
    icon="bar-chart-line",
    order=509,
)
register(
    SECTION,
    "协商议事统计",
    "consultation:stats",
    roles=[Role.LEADER, Role.SYSADMIN],
    icon="bar-chart-line",
    order=509,
)


@todo_provider
def open_hall_todos(user) -> list[dict]:
    """A member's open online halls (网络议政 in its window) of their committee: one query, none for others.
    One hall opens itself, several the list of exactly these."""
    from zhengxie.members.selectors import member_of

    from .selectors import open_halls

    member = member_of(user) if user.has_role(Role.MEMBER) else None
    if member is None:
        return []
    pks = list(open_halls(member).order_by("closes_at").values_list("pk", flat=True)[:20])
    if not pks:
        return []
    return [
        {
            "label": "正在进行的网络议政",
            "count": len(pks),
            "url": reverse("consultation:hall", args=[pks[0]])
            if len(pks) == 1
            else reverse("consultation:list") + "?todo=hall",
            "level": "info",
        }
    ]


# Topics and the plan (views/topics.py).
register(
    SECTION,
    "协商选题",
    "consultation:topics",
    roles=[Role.STAFF, Role.LEADER, Role.SYSADMIN, Role.LIAISON],
    offices=STAFF_OFFICES,
    icon="lightbulb",
    order=501,
)
register(SECTION, "我的荐题", "consultation:topics", roles=[Role.MEMBER], icon="lightbulb", order=502)
register(
    SECTION,
    "年度协商计划",
    "consultation:plan_current",
    roles=[Role.STAFF, Role.LEADER, Role.SYSADMIN, Role.MEMBER, Role.LIAISON],
    offices=STAFF_OFFICES,
    icon="calendar3",
    order=503,
)

# The online hall (views/hall.py).


@todo_provider
def hall_todos(user) -> list[dict]:
    """Citizens' comments waiting for moderation in the halls the staff user runs (one grouped query): a card
    per hall, opening that hall's queue."""
    from django.db.models import Count

    from zhengxie.core.permissions import org_scope_q

    from . import rules as consultation_rules
    from .models import Comment

    if not consultation_rules.is_consultation_staff(user):
        return []
    rows = list(
        Comment.objects.filter(org_scope_q(user, "consultation__organisation"), status=Comment.Status.PENDING)
        .values("consultation_id", "consultation__title")
        .annotate(n=Count("id"))
        .order_by("-consultation_id")
    )
    return [
        {
            "label": f"待审核的网络议政群众留言：{r['consultation__title']}",
            "count": r["n"],
            "url": reverse("consultation:hall", args=[r["consultation_id"]]) + "#hall-queue",
            "level": "danger",
        }
        for r in rows
    ]


# Outcomes and votes (views/outcomes.py).
register(
    SECTION,
    "协商成果",
    "consultation:outcomes",
    roles=[Role.STAFF, Role.LEADER, Role.SYSADMIN, Role.MEMBER, Role.LIAISON],
    icon="file-earmark-check",
    order=530,
)


@todo_provider
def outcome_vote_todos(user) -> list[dict]:
    """A standing member's open 票评 not yet given (one query, none for other users): one opens its vote
    page, several the outcomes list of exactly these."""
    from zhengxie.members.selectors import member_of

    from .selectors_outcomes import to_vote

    if not user.has_role(Role.MEMBER):
        return []
    pks = list(to_vote(member_of(user)).order_by("-pk").values_list("pk", flat=True)[:50])
    if not pks:
        return []
    return [
        {
            "label": "待参加的协商成果票评",
            "count": len(pks),
            "url": reverse("consultation:outcome_vote", args=[pks[0]])
            if len(pks) == 1
            else reverse("consultation:outcomes") + "?todo=vote",
            "level": "warning",
        }
    ]


@home_provider(order=50)
def liaison_consultations(user) -> list:
    """A 乡镇联络组's workbench: its 有事好商量 this year (planned, held, outcomes sent) and the latest ones
    (two queries)."""
    from django.db.models import Count, Q
    from django.utils import timezone

    from zhengxie.core.dashboard import Card, Item, ItemList, Section
    from zhengxie.members.selectors import liaison_group_of

    from .models import Consultation

    group = liaison_group_of(user)
    if group is None:
        return []
    year = timezone.localdate().year
    S = Consultation.Status
    mine = Consultation.objects.filter(organisation=group)
    c = mine.filter(year=year).aggregate(
        n=Count("id"),
        held=Count("id", filter=Q(status__in=(S.HELD, S.OUTCOME_SENT, S.CLOSED))),
        sent=Count("id", filter=Q(status__in=(S.OUTCOME_SENT, S.CLOSED))),
    )
    latest = list(mine.order_by("-year", "-planned_month", "-id")[:4])
    url = reverse("consultation:list") + f"?year={year}"
    return [
        Section(
            f"{year}年有事好商量",
            id="liaison-consultations",
            icon="people",
            url=url,
            url_label="协商活动",
            card_cols="col-6 col-md-3",
            cards=[
                Card("列入计划", c["n"], unit=" 次", url=url, id="liaison-consultations-count"),
                Card("已召开", c["held"], unit=" 次", id="liaison-consultations-held"),
                Card("已报送成果", c["sent"], unit=" 次", id="liaison-consultations-sent"),
            ],
            lists=[
                ItemList(
                    "最近的有事好商量",
                    [
                        Item(
                            x.title,
                            url=reverse("consultation:detail", args=[x.pk]),
                            date=f"{x.year}年{f'{x.planned_month}月' if x.planned_month else ''}",
                            meta=x.get_status_display(),
                        )
                        for x in latest
                    ],
                    empty="本组还没有协商活动。",
                    id="liaison-consultation-list",
                    cols="col-12",
                )
            ],
        )
    ]
