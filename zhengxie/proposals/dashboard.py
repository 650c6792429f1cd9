"""The proposals' section of the leaders' dashboard: the session's figures (as on the statistics page),
five charts, the red lights and the key proposals. A fixed number of queries whatever the session's size:
session_stats' aggregates, one for the states, two lists of ten with their prefetches."""

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html

from zhengxie.core.dashboard import Card, Chart, Item, ItemList, Section, figure_provider
from zhengxie.core.models import Role

from . import selectors, stats
from .lights import HANDLING_STATES
from .models import Assignment


def _rate(value) -> str:
    return "—" if value is None else f"{value}%"


def _cards(t: dict) -> list[Card]:
    return [
        Card("提交提案", t["submitted"], id="stat-submitted"),
        Card("立案 · 立案率", t["accepted"], hint=_rate(t["accept_rate"]), id="stat-accepted"),
        Card(
            "办复率",
            t["reply_rate"],
            unit="%",
            hint=f"按期答复 {t['on_time']} 件",
            level="success",
            id="stat-reply-rate",
        ),
        Card(
            "满意率",
            t["satisfaction_rate"],
            unit="%",
            hint=f"已评价 {t['evaluated']} 人次",
            level="primary",
            id="stat-satisfaction",
        ),
        Card(
            "采纳率（A类）",
            t["adoption_rate"],
            unit="%",
            hint=" ".join(f"{c}:{n}" for c, n in t["classes"].items()),
        ),
        Card(
            "办理中 · 红黄灯",
            t["handling"],
            hint=format_html(
                '<span class="light-dot light-red"></span> {} <span class="light-dot light-yellow ms-2">'
                '</span> {} <span class="light-dot light-green ms-2"></span> {}',
                t["red"],
                t["yellow"],
                t["green"],
            ),
        ),
    ]


def _red_item(p) -> Item:
    units = " ".join(
        a.unit.short_name or a.unit.name for a in p.active_assignments if a.role != Assignment.Role.CO
    )
    return Item(
        f"{p.number_label} {p.title}",
        url=reverse("proposals:detail", args=[p.pk]),
        date=f"期限 {p.deadline.isoformat()}" if p.deadline else "",
        meta=units,
    )


def _key_item(p) -> Item:
    return Item(
        f"{p.number_label} {p.title}",
        url=reverse("proposals:detail", args=[p.pk]),
        meta=p.key_leader.name if p.key_leader_id else "",
        light=p.light,
        light_label=p.get_light_display() if p.light else "",
        badge=render_to_string("proposals/_status.html", {"p": p}),
    )


@figure_provider(order=100, roles=[Role.LEADER, Role.STAFF, Role.SYSADMIN], home=(0, 1, 2, 3))
def proposal_figures(user, period):
    session = period.session
    if session is None:
        return None
    s = stats.session_stats(user, session)
    t = s["totals"]
    counts = stats.status_counts(user, session)
    visible = selectors.visible_proposals(user).filter(session=session)
    red = selectors.list_prefetch(visible.filter(status__in=HANDLING_STATES, light="red"))
    key = selectors.list_prefetch(visible.filter(is_key=True))
    return Section(
        "提案",
        id="proposals",
        icon="file-earmark-text",
        url=reverse("proposals:stats") + f"?session={session.pk}",
        url_label="提案统计",
        cards=_cards(t),
        # Three a row from 1200 px; below, the bars a row of their own and the two rings side by side (at
        # 1024 px the bars and 督办灯 shared a row and 答复类别 stood alone beside an empty half).
        charts=[
            Chart("提案状态", stats.status_bar_option(counts), "status-bar", "col-12 col-xl-4"),
            Chart("督办灯", stats.light_pie_option(t), "light-pie", "col-12 col-md-6 col-xl-4"),
            Chart("答复类别", stats.class_pie_option(s), "class-pie", "col-12 col-md-6 col-xl-4"),
            Chart(
                "承办单位办理情况（前 12 位）",
                stats.unit_bar_option(s, limit=12),
                "unit-bar",
                "col-12 col-xl-8",
                css="chart-rows" if len(s["by_unit"]) > 6 else "",
            ),
            Chart("类别分布", stats.category_pie_option(s), "category-pie", "col-12 col-xl-4"),
        ],
        lists=[
            ItemList(
                "超期未答复",
                [_red_item(p) for p in red.order_by("deadline", "id")[:10]],
                empty="没有超期提案。",
                id="red-lights",
                light="red",
            ),
            ItemList(
                "重点提案办理进度",
                [_key_item(p) for p in key.order_by("number", "id")[:10]],
                empty="暂无重点提案。",
                id="key-progress",
                icon="star-fill text-danger",
            ),
        ],
    )
