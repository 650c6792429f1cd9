"""视察调研 on the leaders' dashboard: the year's figures of the user's organisation, a chart of the topics
by state and the sentence "开展视察e次、调研课题f个，形成调研报告g篇" (three queries)."""

from django.urls import reverse

from zhengxie.core.dashboard import Card, Chart, Section, figure_provider
from zhengxie.core.models import Role

from . import rules, stats


@figure_provider(order=260, roles=[Role.LEADER, Role.STAFF, Role.SYSADMIN])
def research_figures(user, period):
    org = user.organisation
    if org is None or not rules.may_list(user):
        return None
    f = stats.year_stats(user, period.year, organisation=org)
    if not (f["inspection_topics"] or f["research"]):
        return None
    url = reverse("research:list") + f"?year={f['year']}"
    return Section(
        f"视察调研（{f['year']}年）",
        id="research",
        icon="binoculars",
        url=url,
        url_label="视察调研课题",
        note=f["sentence"],
        card_cols="col-6 col-md-4 col-xl-2",
        cards=[
            Card("视察", f["inspections"], unit=" 次", id="research-inspections"),
            Card("调研课题", f["research"], unit=" 个", id="research-topics"),
            Card("调研报告", f["reports"], unit=" 篇", level="success", id="research-reports"),
            Card("主席集体视察调研", f["chair_collective"], unit=" 次", id="research-chair"),
            Card("建议交办", f["recommendations_routed"], unit=" 条", id="research-routed"),
            Card("建议办结", f["recommendations_closed"], unit=" 条", level="success", id="research-closed"),
        ],
        charts=[Chart("课题进展", stats.chart(f), id="research-status-chart")],
    )
