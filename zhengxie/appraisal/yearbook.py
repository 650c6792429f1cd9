"""民主评议 in the work report (stats.year_stats)."""

from django.urls import reverse

from zhengxie.yearbook.registry import Figure, Part, provider

from .stats import year_stats


@provider("appraisal", "民主评议", order=52)
def appraisal_figures(committee, ids, year):
    s = year_stats(None, year, organisation=committee)
    url = reverse("appraisal:list") + f"?year={year}"
    figures = [
        Figure(
            "rounds", "开展民主评议", s["rounds"], "次", "年度已开始（进行中、已结束或已公布）的评议。", url
        ),
        Figure("targets", "评议对象", s["targets"], "个", "各次评议的场所或单位数之和。", url),
        Figure("ratings", "评议打分", s["ratings"], "份", "委员提交的评议（每人每个对象一份）。", url),
        Figure("raters", "参与委员", s["raters"], "人次", "至少评议了一个对象的受邀委员（按次计）。", url),
    ]
    return Part("appraisal", "民主评议", figures, s["sentence"] + "。", url=url)
