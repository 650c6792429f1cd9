"""书香政协 in the work report (selectors.year_figures)."""

from django.urls import reverse

from zhengxie.yearbook.registry import Figure, Part, provider

from .selectors import year_figures


@provider("reading", "书香政协", order=45)
def reading_figures(committee, ids, year):
    f = year_figures(ids, committee, year)
    url = reverse("reading:index") + f"?year={year}"
    figures = [
        Figure("books", "推荐书目", f["books"], "本", "本级政协当年的推荐书目。", url),
        Figure("readers", "参与读书的委员", f["readers"], "人", "年内至少读书打卡一次的委员。", url),
        Figure("check_ins", "读书打卡", f["check_ins"], "人次", "委员读书打卡次数。", url),
        Figure("notes", "读书笔记", f["notes"], "篇", "计入履职的读书笔记（每人每本一篇）。", url),
        Figure("activities", "读书活动", f["activities"], "次", "已结束的读书会、读书分享等活动。", url),
    ]
    sentence = (
        f"推荐书目{f['books']}本，{f['readers']}名委员读书打卡{f['check_ins']}人次、撰写读书笔记{f['notes']}篇，"
        f"开展读书活动{f['activities']}次。"
    )
    return Part("reading", "书香政协", figures, sentence, url=url)
