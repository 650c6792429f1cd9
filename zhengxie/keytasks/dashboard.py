"""重点工作 on the leaders' dashboard: the year's figures of the user's organisation and the sentence
"重点工作h类i项，完成j项" (one query)."""

from django.urls import reverse

from zhengxie.core.dashboard import Card, Section, figure_provider
from zhengxie.core.models import Role

from . import rules, selectors


@figure_provider(order=250, roles=[Role.LEADER, Role.STAFF, Role.SYSADMIN], home=(3,))
def keytask_figures(user, period):
    org = user.organisation
    if org is None or not rules.may_list(user):
        return None
    f = selectors.year_figures(org, period.year)
    if not f["total"]:
        return None
    url = reverse("keytasks:board") + f"?year={f['year']}"
    return Section(
        f"重点工作（{f['year']}年）",
        id="keytasks",
        icon="flag",
        url=url,
        url_label="重点工作看板",
        note=f["sentence"],
        card_cols="col-6 col-md-3",
        cards=[
            Card("类别", f["categories"], unit=" 类", id="keytask-categories"),
            Card("任务", f["total"], unit=" 项", id="keytask-total"),
            Card("已完成", f["done"], unit=" 项", level="success", id="keytask-done"),
            Card(
                "滞后",
                f["behind"],
                unit=" 项",
                level="danger" if f["behind"] else "",
                url=url,
                id="keytask-behind",
            ),
        ],
    )
