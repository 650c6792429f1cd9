"""微建议 on the leaders' dashboard: the year's figures of the user's organisation (one aggregate query)."""

from django.urls import reverse

from zhengxie.core.dashboard import Card, Section, figure_provider
from zhengxie.core.models import Role

from . import stats


@figure_provider(order=260, roles=[Role.LEADER, Role.STAFF, Role.SYSADMIN])
def suggestion_figures(user, period):
    if not stats.may_view(user) or user.organisation_id is None:
        return None
    f = stats.year_figures(user.organisation, period.year)
    if not f["received"]:
        return None
    return Section(
        f"群众微建议（{f['year']}年）",
        id="suggestions",
        icon="chat-dots",
        url=reverse("suggestions:stats") + f"?year={f['year']}",
        url_label="微建议统计",
        note=stats.work_report_sentence(f),
        card_cols="col-6 col-md-3",
        cards=[
            Card("收到", f["received"], unit=" 条", id="suggestion-received"),
            Card(
                "已答复",
                f["replied"],
                unit=" 条",
                hint=f"按期 {f['answered_in_time']}",
                id="suggestion-replied",
            ),
            Card("办结", f["closed"], unit=" 条", level="success", id="suggestion-closed"),
            Card(
                "满意率",
                stats.percent(f["satisfaction"]) if f["satisfaction"] is not None else None,
                unit="%",
                id="suggestion-satisfaction",
            ),
        ],
    )
