"""委派民主监督 in the work report (stats.year_stats over the committee's own groups)."""

from django.urls import reverse

from zhengxie.yearbook.registry import Figure, Part, provider

from .stats import year_stats


@provider("supervision", "民主监督", order=50)
def supervision_figures(committee, ids, year):
    s = year_stats(None, year, organisation=committee)
    url = reverse("supervision:index") + f"?year={year}"
    figures = [
        Figure(
            "groups", "民主监督小组", s["groups"], "个", "年度委派的民主监督小组（一个被监督单位一组）。", url
        ),
        Figure("problems", "问题清单", s["problems"], "条", "各小组问题清单的事项数。", url),
        Figure("suggestions", "建议清单", s["suggestions"], "条", "各小组建议清单的事项数。", url),
        Figure("rectifications", "整改清单", s["rectifications"], "条", "交被监督单位整改的事项数。", url),
        Figure("rectified", "已整改", s["rectified"], "条", "单位答复并经监督小组确认整改到位的事项。", url),
        Figure("rectified_rate", "整改完成率", s["rectified_rate"], "%", "已整改 ÷ 整改清单事项。", url),
    ]
    return Part("supervision", "民主监督", figures, s["sentence"] + "。", url=url)
