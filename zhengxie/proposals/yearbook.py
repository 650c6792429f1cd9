"""提案工作 in the work report: the committee's sessions of the year (usually one 会次), from the same
aggregates as the statistics page (stats.session_figures)."""

from django.urls import reverse

from zhengxie.members.models import Session
from zhengxie.yearbook.registry import Figure, Part, pct, provider

from .stats import session_figures

SUMMED = (
    "submitted",
    "accepted",
    "on_time",
    "closed",
    "key",
    "excellent",
    "evaluated",
    "satisfied",
    "basically",
)


@provider("proposals", "提案工作", order=10)
def proposal_figures(committee, ids, year):
    sessions = list(Session.objects.filter(organisation=committee, year=year).select_related("organisation"))
    t = dict.fromkeys(SUMMED, 0)
    classes: dict[str, int] = {}
    followup_done = 0
    for s in sessions:
        f = session_figures(s, s.pk)["totals"]
        for k in SUMMED:
            t[k] += f[k] or 0
        for c, n in f["classes"].items():
            classes[c] = classes.get(c, 0) + n
        followup_done += f["followups"]["done"]
    replies = sum(classes.values())
    url = reverse("proposals:stats") + (f"?session={sessions[0].pk}" if sessions else "")
    figures = [
        Figure("submitted", "提交提案", t["submitted"], "件", "年度会次内提交（已过联名阶段）的提案。", url),
        Figure(
            "accepted", "立案", t["accepted"], "件", "经审查立案的提案（含已交办、办理中、已办结）。", url
        ),
        Figure("accept_rate", "立案率", pct(t["accepted"], t["submitted"]), "%", "立案数 ÷ 提交数。", url),
        Figure("on_time", "按期办复", t["on_time"], "件", "承办单位在办理期限内答复的立案提案。", url),
        Figure("reply_rate", "办复率", pct(t["on_time"], t["accepted"]), "%", "按期办复数 ÷ 立案数。", url),
        Figure("closed", "办结", t["closed"], "件", "已办结的提案。", url),
        Figure(
            "satisfaction",
            "满意率",
            pct(t["satisfied"] + t["basically"], t["evaluated"]),
            "%",
            "（满意 + 基本满意）÷ 已评价，按每位提案人对每个承办单位最新答复的评价计。",
            url,
        ),
        Figure("key", "重点提案", t["key"], "件", "列为重点督办的提案。", reverse("proposals:key")),
        Figure("excellent", "优秀提案", t["excellent"], "件", "评为优秀的提案。", url),
    ]
    for c in sorted(classes):
        figures.append(
            Figure(
                f"class_{c}",
                f"{c}类答复占比",
                pct(classes[c], replies),
                "%",
                f"承办单位最新答复中标为{c}类的比例。",
                url,
            )
        )
    figures.append(
        Figure(
            "followup_done", "跟踪落实完成", followup_done, "件", "B类答复的跟踪落实已确认完成的件数。", url
        )
    )
    rate = pct(t["on_time"], t["accepted"])
    sentence = f"共提交提案{t['submitted']}件，立案{t['accepted']}件，按期办复{t['on_time']}件" + (
        f"，办复率{rate}%" if rate is not None else ""
    )
    return Part("proposals", "提案工作", figures, sentence + "。", url=url)
