"""协商议事 on the leaders' dashboard: the year's figures of the user's committee (stats.year_stats)."""

from django.urls import reverse

from zhengxie.core.dashboard import Card, Section, figure_provider
from zhengxie.core.models import Role

from . import rules, stats


@figure_provider(order=240, roles=[Role.LEADER, Role.STAFF, Role.SYSADMIN])
def consultation_figures(user, period):
    org = user.organisation
    if org is None or not (rules.is_reader(user, org) or rules.is_consultation_staff(user, org)):
        return None
    s = stats.year_stats(user, period.year)
    if not (s["done"] or s["planned"]):
        return None
    return Section(
        f"协商议事（{s['year']}年）",
        id="consultation",
        icon="people",
        url=reverse("consultation:stats") + f"?year={s['year']}",
        url_label="协商议事统计",
        note=s["sentence"],
        card_cols="col-6 col-md-3",
        cards=[
            Card("已开展协商", s["done"], unit=" 次", hint=f"计划中 {s['planned']}", id="consultation-done"),
            Card("协商成果", s["outcomes"], unit=" 项", id="consultation-outcomes"),
            Card("建议", s["recommendations"], unit=" 条", id="consultation-recommendations"),
            Card(
                "被采纳", s["adopted"] + s["partly"], unit=" 条", level="success", id="consultation-adopted"
            ),
        ],
    )
