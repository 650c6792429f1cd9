"""热点 on the leaders' dashboard: the five hottest matters of the last 90 days (two queries)."""

from django.urls import reverse
from django.utils.html import format_html

from zhengxie.core.dashboard import Item, ItemList, Section, figure_provider
from zhengxie.core.models import Role

from . import selectors


@figure_provider(order=245, roles=[Role.LEADER, Role.STAFF])
def hot_topics(user, period):
    run, topics = selectors.top_for_dashboard(user, 5)
    if run is None or not topics:
        return None
    items = [
        Item(
            t.label,
            url=reverse("hottopics:detail", args=[t.pk]),
            meta="、".join(t.keywords[:3]),
            badge=format_html('<span class="badge text-bg-danger">{} 件</span>', t.size),
        )
        for t in topics
    ]
    return Section(
        "热点（近90天）",
        id="hottopics",
        icon="fire",
        url=reverse("hottopics:board"),
        url_label="热点分析",
        note=f"更新于 {run.finished_at:%Y-%m-%d %H:%M}，{run.items} 件文本中的同一事项",
        lists=[
            ItemList("热度最高的五个事项", items, id="hot-dashboard", icon="fire text-danger", cols="col-12")
        ],
    )
