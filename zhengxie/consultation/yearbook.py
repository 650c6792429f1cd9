"""协商议事 in the work report: consultations held per form, outcomes and their adoption (stats.year_stats)."""

from django.urls import reverse

from zhengxie.yearbook.registry import Figure, Part, provider

from .stats import year_stats


@provider("consultation", "协商议事", order=30)
def consultation_figures(committee, ids, year):
    s = year_stats(None, year, organisation=committee)
    url = reverse("consultation:stats") + f"?year={year}"
    figures = [
        Figure(
            "held",
            "开展协商",
            s["done"],
            "次",
            "年度内已召开（已举行、成果已报送或已结束）的各类协商活动。",
            url,
        ),
        *(
            Figure(
                f"form_{f['form']}",
                f["label"],
                f["done"],
                f["unit"],
                f"已开展的{f['label']}（含本级乡镇联络组）。",
                reverse("consultation:list") + f"?year={year}&form={f['form']}",
            )
            for f in s["by_form"]
        ),
        Figure("outcomes", "形成协商成果", s["outcomes"], "项", "已报送党委政府的协商成果。", url),
        Figure("recommendations", "协商建议", s["recommendations"], "条", "已报送成果中的编号建议。", url),
        Figure(
            "adopted",
            "建议被采纳",
            s["adopted"] + s["partly"],
            "条",
            "已采纳与部分采纳的建议（成果转化）。",
            reverse("consultation:outcomes") + f"?year={year}",
        ),
        Figure("instructions", "获领导批示", s["instructions"], "次", "领导对协商成果的批示。", url),
    ]
    return Part("consultation", "协商议事", figures, s["sentence"], months={"协商次数": s["months"]}, url=url)
