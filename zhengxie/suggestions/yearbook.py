"""群众微建议 in the work report (stats.year_figures)."""

from django.urls import reverse

from zhengxie.yearbook.registry import Figure, Part, pct, provider

from .stats import year_figures


@provider("suggestions", "群众微建议", order=60)
def suggestion_figures(committee, ids, year):
    f = year_figures(committee, year)
    url = reverse("suggestions:stats") + f"?year={year}"
    figures = [
        Figure("received", "收到微建议", f["received"], "条", "群众扫码或在线提交的微建议。", url),
        Figure("routed", "转办", f["routed"], "条", "转交承办单位或委员工作室办理的微建议。", url),
        Figure("closed", "办结", f["closed"], "条", "已办结的微建议。", url),
        Figure(
            "answered_rate",
            "按期答复率",
            pct(f["answered_in_time"], f["replied"]),
            "%",
            "按期答复数 ÷ 已答复数。",
            url,
        ),
        Figure("satisfaction", "满意率", f["satisfaction"], "%", "（满意 + 基本满意）÷ 群众已评价数。", url),
    ]
    from .stats import work_report_sentence

    return Part("suggestions", "群众微建议", figures, work_report_sentence(f) + "。", url=url)
