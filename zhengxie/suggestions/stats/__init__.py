"""Yearly figures of the public's 微建议 per organisation, by aggregate queries only:

- 收到 received: suggestions submitted in the year (every status; one merged into another — 合并办理 — counts once, as that one);
- 不予受理 rejected, 已交办 routed (to a unit or a studio, whatever came after), 已答复 replied (an answer
  stands), 办结 closed;
- 按期答复 answered_in_time: answered by the deadline;
- 满意率 satisfaction: (满意 + 基本满意) / rated, in percent (None when nothing is rated yet).

`year_figures(organisation, year)` is one query; `work_report_sentence` the yearly report's
"收到微建议X条，办结Y条，满意率Z%"; `year_report` adds the months and the statuses (one query more).
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Q
from django.db.models.functions import ExtractMonth
from django.utils import timezone

from zhengxie.core.errors import NotFound
from zhengxie.core.models import Organisation, Role
from zhengxie.core.permissions import in_scope
from zhengxie.opinions.stats import check_year  # one year check for every statistics page

from ..models import Suggestion
from ..rules import is_public_office

S = Suggestion.Status
R = Suggestion.Rating


def may_view(user) -> bool:
    """The statistics page, its export: the 办公室, leaders and administrators."""
    if not getattr(user, "is_authenticated", False):
        return False
    return is_public_office(user) or user.has_role(Role.LEADER, Role.SYSADMIN)


def organisation_for(user, organisation=None) -> Organisation:
    if not may_view(user) or user.organisation_id is None:
        raise NotFound("未找到该统计。")
    if organisation in (None, ""):
        return user.organisation
    org = Organisation.objects.filter(pk=int(organisation)).first() if str(organisation).isdigit() else None
    if org is None or not in_scope(user, org):
        raise NotFound("未找到该政协组织。")
    return org


def _year_items(organisation, year):
    tz = timezone.get_current_timezone()
    start = datetime.datetime(year, 1, 1, tzinfo=tz)
    end = datetime.datetime(year + 1, 1, 1, tzinfo=tz)
    org_id = getattr(organisation, "pk", organisation)
    # A suggestion merged into another (合并办理) is the same matter: counted once, as the one it follows.
    return Suggestion.objects.filter(
        organisation_id=org_id, created_at__gte=start, created_at__lt=end
    ).exclude(status=S.MERGED)


def year_figures(organisation, year=None) -> dict:
    """{year, received, rejected, routed, replied, closed, answered_in_time, rated, satisfied,
    satisfaction} of the organisation's year, in one aggregate query."""
    year = check_year(year)
    answered = Q(status__in=[S.REPLIED, S.CLOSED])
    f = _year_items(organisation, year).aggregate(
        received=Count("id"),
        rejected=Count("id", filter=Q(status=S.REJECTED)),
        routed=Count("id", filter=Q(status__in=[S.ROUTED, S.REPLIED, S.CLOSED])),
        replied=Count("id", filter=answered),
        closed=Count("id", filter=Q(status=S.CLOSED)),
        answered_in_time=Count("id", filter=answered & Q(reply_on_time=True)),
        rated=Count("id", filter=~Q(rating="")),
        satisfied=Count("id", filter=Q(rating__in=[R.SATISFIED, R.BASICALLY_SATISFIED])),
    )
    f["year"] = year
    f["satisfaction"] = round(100 * f["satisfied"] / f["rated"], 1) if f["rated"] else None
    return f


def percent(value) -> str:
    if value is None:
        return "—"
    return f"{value:.1f}".rstrip("0").rstrip(".")


def work_report_sentence(f: dict) -> str:
    """收到微建议X条，办结Y条，满意率Z% (the yearly report's words)."""
    rate = f"满意率{percent(f['satisfaction'])}%" if f["satisfaction"] is not None else "尚无评价"
    return f"收到微建议{f['received']}条，办结{f['closed']}条，{rate}"


def year_report(organisation, year=None) -> dict:
    """The figures, the sentences (微建议 alone, and the whole public channel with the studios), the months
    and the statuses (six queries)."""
    f = year_figures(organisation, year)
    by_month = {m: {"month": m, "received": 0, "replied": 0, "closed": 0} for m in range(1, 13)}
    rows = (
        _year_items(organisation, f["year"])
        .annotate(m=ExtractMonth("created_at"))
        .values("m")
        .annotate(
            received=Count("id"),
            replied=Count("id", filter=Q(status__in=[S.REPLIED, S.CLOSED])),
            closed=Count("id", filter=Q(status=S.CLOSED)),
        )
        .order_by()
    )
    for r in rows:
        by_month[r["m"]].update(received=r["received"], replied=r["replied"], closed=r["closed"])
    statuses = [{"code": code, "label": label, "count": 0} for code, label in Suggestion.Status.choices]
    counts = dict(
        _year_items(organisation, f["year"]).values_list("status").annotate(n=Count("id")).order_by()
    )
    for st in statuses:
        st["count"] = counts.get(st["code"], 0)
    # The whole public channel in the yearly report's words: 微建议, then the studios (4 queries).
    from zhengxie.studios import figures as studio_figures

    studios = studio_figures.year_figures(studio_figures.organisation_ids(organisation), f["year"])
    return {
        "organisation": organisation,
        "year": f["year"],
        "figures": f,
        "sentence": work_report_sentence(f),
        "studios": studios,
        "channel_sentence": f"{work_report_sentence(f)}；{studios['sentence']}。",
        "by_month": list(by_month.values()),
        "statuses": statuses,
    }


def month_option(report: dict) -> dict:
    """ECharts bars: received, replied and closed by month of submission."""
    months = report["by_month"]
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0},
        "grid": {"left": 40, "right": 16, "top": 16, "bottom": 48},
        "xAxis": {"type": "category", "data": [f"{m['month']}月" for m in months]},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [
            {"name": "收到", "type": "bar", "data": [m["received"] for m in months]},
            {"name": "已答复", "type": "bar", "data": [m["replied"] for m in months]},
            {"name": "办结", "type": "bar", "data": [m["closed"] for m in months]},
        ],
    }


def status_option(report: dict) -> dict:
    from zhengxie.core.charts import pie_option

    data = [{"name": s["label"], "value": s["count"]} for s in report["statuses"] if s["count"]]
    return pie_option("状态", data, unit="条", wrap=True)  # seven short names: every one shown
