"""社情民意 on the leaders' dashboard: the year's received, accepted, issues, adoptions by level and 批示
of the user's committee (the figures of GET /opinions/stats, four aggregate queries), a small chart of the
adoptions by level, and a link to the statistics page. For those who may see the statistics only."""

from django.urls import reverse

from zhengxie.core.dashboard import Card, Chart, Section, figure_provider
from zhengxie.core.models import Role

from . import stats
from .stats.charts import level_option


@figure_provider(order=250, roles=[Role.LEADER, Role.STAFF, Role.SYSADMIN], home=(0, 4))
def opinion_figures(user, period):
    if not stats.may_view(user) or user.organisation_id is None:
        return None
    year = period.year
    f = stats.year_figures(user, year)
    a = f["adopted"]
    url = reverse("opinions:stats") + f"?year={year}"
    return Section(
        f"社情民意信息（{year}年）",
        id="opinions",
        icon="chat-square-text",
        url=url,
        url_label="社情民意统计",
        note=stats.work_report_sentence(f),
        card_cols="col-6 col-md-4 col-xl",
        cards=[
            Card("收到信息", f["received"], unit=" 篇", id="opinion-received"),
            Card(
                "录用",
                f["accepted"],
                unit=" 篇",
                hint=f"编发《社情民意》{f['issues']}期",
                id="opinion-accepted",
            ),
            Card(
                "全国 · 省级采用",
                a["national"] + a["province"],
                unit=" 篇",
                hint=f"全国 {a['national']} · 省级 {a['province']}",
                level="danger",
                id="opinion-adopted-high",
            ),
            Card(
                "市级 · 县级采用",
                a["city"] + a["county"],
                unit=" 篇",
                hint=f"市级 {a['city']} · 县级 {a['county']}",
                level="success",
                id="opinion-adopted-local",
            ),
            Card("领导批示", f["instructions"], unit=" 次", level="warning", id="opinion-instructions"),
        ],
        charts=[
            Chart(
                "各级采用", level_option({"figures": f}), "opinion-dash-levels", "col-12 col-lg-6 col-xl-4"
            ),
        ],
    )
