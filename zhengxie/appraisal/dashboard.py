"""民主评议 on the leaders' dashboard: the year's figures and the sentence
"开展民主评议a次，评议对象b个，参与委员c人次" (two queries)."""

from django.urls import reverse

from zhengxie.core.dashboard import Card, Section, figure_provider
from zhengxie.core.models import Role

from . import rules
from .stats import year_stats


@figure_provider(order=260, roles=[Role.LEADER, Role.STAFF, Role.SYSADMIN])
def appraisal_figures(user, period):
    org = user.organisation
    if org is None or not rules.is_reader(user):
        return None
    s = year_stats(user, period.year, organisation=org)
    if not s["rounds"]:
        return None
    url = reverse("appraisal:list") + f"?year={s['year']}"
    return Section(
        f"民主评议（{s['year']}年）",
        id="appraisal",
        icon="clipboard-check",
        url=url,
        url_label="民主评议",
        note=s["sentence"],
        card_cols="col-6 col-md-3",
        cards=[
            Card("评议", s["rounds"], unit=" 次", id="appraisal-rounds"),
            Card("评议对象", s["targets"], unit=" 个", id="appraisal-targets"),
            Card("评议记录", s["ratings"], unit=" 条", id="appraisal-ratings"),
            Card("参与委员", s["raters"], unit=" 人次", id="appraisal-raters"),
        ],
    )
