"""The year's 民主评议 figures of a committee, by aggregate queries: rounds held (opened or later), targets
rated in them, ratings, and raters who took part (人次: one per member and round with a rating).

`sentence` is the yearly work report's "开展民主评议a次，评议对象b个，参与委员c人次"."""

from __future__ import annotations

from django.db.models import Count, Q, Sum

from zhengxie.opinions.stats import check_year

from .models import Rater, Round

HELD = (Round.Status.OPEN, Round.Status.CLOSED, Round.Status.PUBLISHED)


def year_stats(user, year=None, organisation=None) -> dict:
    """{year, organisation, rounds, published, targets, ratings, raters, invited, sentence} — two queries."""
    year = check_year(year)
    org = organisation or user.organisation
    agg = Round.objects.filter(organisation=org, year=year, status__in=HELD).aggregate(
        rounds=Count("id"),
        published=Count("id", filter=Q(status=Round.Status.PUBLISHED)),
        targets=Sum("target_count"),
        ratings=Sum("rating_count"),
        invited=Sum("rater_count"),
    )
    raters = Rater.objects.filter(
        round__organisation=org, round__year=year, round__status__in=HELD, rated__gt=0
    ).count()
    s = {
        "year": year,
        "organisation": org,
        "rounds": agg["rounds"] or 0,
        "published": agg["published"] or 0,
        "targets": agg["targets"] or 0,
        "ratings": agg["ratings"] or 0,
        "invited": agg["invited"] or 0,
        "raters": raters,
    }
    s["sentence"] = sentence(s)
    return s


def sentence(s: dict) -> str:
    return f"开展民主评议{s['rounds']}次，评议对象{s['targets']}个，参与委员{s['raters']}人次"
