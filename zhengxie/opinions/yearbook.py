"""社情民意 in the work report (stats.committee_figures: the same counts as the statistics page)."""

from django.urls import reverse

from zhengxie.yearbook.registry import Figure, Part, provider

from .stats import committee_figures, work_report_sentence

LEVELS = [
    ("county", "本级采用"),
    ("city", "市级采用"),
    ("province", "省级采用"),
    ("national", "全国政协采用"),
]


@provider("opinions", "社情民意", order=20)
def opinion_figures(committee, ids, year):
    f = committee_figures(committee, year)
    url = reverse("opinions:stats") + f"?year={year}"
    figures = [
        Figure(
            "received", "收到信息", f["received"], "篇", "委员和各方报送（草稿除外）的社情民意信息。", url
        ),
        Figure("accepted", "录用", f["accepted"], "篇", "经信息科审核录用的信息。", url),
        Figure("issues", "编发专报", f["issues"], "期", "已印发的《社情民意》专报期数。", url),
        *(
            Figure(
                f"adopted_{code}",
                label,
                f["adopted"][code],
                "篇",
                f"年度内被{label[:-2]}采用的信息（一条计一次）。",
                url,
            )
            for code, label in LEVELS
        ),
        Figure("instructions", "获领导批示", f["instructions"], "次", "领导对本级信息的批示。", url),
    ]
    return Part("opinions", "社情民意", figures, work_report_sentence(f), url=url)
