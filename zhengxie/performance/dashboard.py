"""履职 on the leaders' dashboard: how the year's duty scores of the user's committee are spread (one
query over the year's scores, as the rankings page reads them), by grade and in 10-point bins."""

from django.http import Http404
from django.urls import reverse

from zhengxie.core.dashboard import Card, Chart, Section, figure_provider
from zhengxie.core.models import Role

from . import selectors


@figure_provider(order=400, roles=[Role.STAFF, Role.LEADER, Role.SYSADMIN], home=(2,))
def duty_figures(user, period):
    from .views import histogram_chart

    if not user.has_perm("performance.view_rankings"):
        return None
    try:
        organisation, _ = selectors.pick_organisation(user)
    except Http404:
        return None
    dist = selectors.distribution(organisation, period.year)
    if not dist["n"]:
        return None
    url = reverse("performance:rankings") + f"?org={organisation.pk}&year={period.year}"
    return Section(
        f"委员履职 · {period.year}年",
        id="performance",
        icon="person-vcard",
        url=url,
        url_label="履职排名",
        note=f"{organisation} 委员年度履职积分",
        card_cols="col-6 col-md-3",
        cards=[
            Card("参评委员", dist["n"], unit=" 人", url=url, id="duty-members"),
            *(Card(grade or "未定等次", n, unit=" 人") for grade, n in dist["grades"][:3]),
        ],
        charts=[Chart("积分分布", histogram_chart(dist), "duty-histogram", "col-12")],
    )
