"""视察 and 调研 in the work report (stats.year_stats over the committee's own topics)."""

from django.urls import reverse

from zhengxie.yearbook.registry import Figure, Part, provider

from .stats import year_stats


@provider("research", "视察调研", order=55)
def research_figures(committee, ids, year):
    s = year_stats(None, year, organisation=committee)
    url = reverse("research:list") + f"?year={year}"
    figures = [
        Figure(
            "inspections",
            "开展视察",
            s["inspections"],
            "次",
            "年度视察课题中已开始或已有走访活动举行的。",
            url,
        ),
        Figure("research", "调研课题", s["research"], "个", "年度调研课题。", url),
        Figure("reports", "形成调研报告", s["reports"], "篇", "已提交报告的视察、调研课题。", url),
        Figure(
            "chair_collective",
            "主席集体视察调研",
            s["chair_collective"],
            "次",
            "标为主席集体视察或调研的课题。",
            url,
        ),
        Figure("recommendations", "报告建议", s["recommendations"], "条", "调研报告中的编号建议。", url),
        Figure(
            "recommendations_routed",
            "建议交办",
            s["recommendations_routed"],
            "条",
            "转交承办单位办理的建议。",
            url,
        ),
        Figure(
            "recommendations_closed",
            "交办建议办结",
            s["recommendations_closed"],
            "条",
            "交办后已办结的建议。",
            url,
        ),
    ]
    return Part("research", "视察调研", figures, s["sentence"] + "。", url=url)
