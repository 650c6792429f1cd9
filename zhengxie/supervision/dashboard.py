"""民主监督 on the leaders' dashboard: the year's figures of the user's organisation, the sentence
"票决委派民主监督小组a个，提出问题清单b条、整改c条（已整改d条）" and a chart per group (stats.year_stats)."""

from django.urls import reverse

from zhengxie.core.dashboard import Card, Chart, Section, figure_provider
from zhengxie.core.models import Role

from . import rules, stats


@figure_provider(order=255, roles=[Role.LEADER, Role.STAFF, Role.SYSADMIN])
def supervision_figures(user, period):
    org = user.organisation
    if org is None or not rules.is_reader(user):
        return None
    s = stats.year_stats(user, period.year, organisation=org)
    if not s["groups"]:
        return None
    url = reverse("supervision:index") + f"?year={s['year']}"
    return Section(
        f"民主监督（{s['year']}年）",
        id="supervision",
        icon="binoculars",
        url=url,
        url_label="民主监督",
        note=s["sentence"],
        card_cols="col-6 col-md-3",
        cards=[
            Card("监督小组", s["groups"], unit=" 个", id="supervision-groups"),
            Card("问题清单", s["problems"], unit=" 条", id="supervision-problems"),
            Card("整改事项", s["rectifications"], unit=" 条", id="supervision-rectifications"),
            Card("已整改", s["rectified"], unit=" 条", level="success", id="supervision-rectified"),
        ],
        charts=[Chart("各监督小组清单", s["chart"], id="supervision-chart", cols="col-12")],
    )
