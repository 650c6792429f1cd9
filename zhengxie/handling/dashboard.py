"""督办 on the leaders' dashboard: what the units still owe, of every kind, by light (one aggregate query),
each figure a link to the 督办台 filtered the same way. For those who may supervise only."""

from django.urls import reverse

from zhengxie.core.dashboard import Card, Section, figure_provider
from zhengxie.core.models import Role

from . import rules as r
from . import selectors


@figure_provider(order=200, roles=[Role.STAFF, Role.LEADER, Role.SYSADMIN], home=(1, 2))
def supervision_figures(user, period):
    if not r.can_supervise(user):
        return None
    t = selectors.totals(user)
    board = reverse("handling:board")
    return Section(
        "督办",
        id="supervision",
        icon="stoplights",
        url=board,
        url_label="督办台",
        note="各承办单位尚未办结的交办事项（各类事项，不分会次）",
        card_cols="col-6 col-md-4 col-xl",
        cards=[
            Card("在办合计", t["total"], url=board, id="supervision-total"),
            Card("红灯（超期）", t["red"], url=f"{board}?light=red", level="danger", id="supervision-red"),
            Card(
                "黄灯（临近期限）",
                t["yellow"],
                url=f"{board}?light=yellow",
                level="warning",
                id="supervision-yellow",
            ),
            Card("绿灯", t["green"], url=f"{board}?light=green", level="success", id="supervision-green"),
            Card(
                "未签收",
                t["unacknowledged"],
                url=f"{board}?status=unacknowledged",
                id="supervision-unacknowledged",
            ),
        ],
    )
