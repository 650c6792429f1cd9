"""Nightly: rebuild this year's scores of every committee from the records (keeps ranks complete for
members who have no record yet, and heals anything a failed write may have left)."""

from django.utils import timezone

from zhengxie.core.models import Organisation
from zhengxie.core.scheduler import register
from zhengxie.members.models import Member

from . import scoring


@register("performance.recompute_scores", every="daily", label="重算本年度履职积分")
def recompute_scores():
    year = timezone.localdate().year
    orgs = Member.objects.order_by().values_list("organisation_id", flat=True).distinct()
    done = 0
    for org_id in Organisation.objects.filter(pk__in=orgs).values_list("pk", flat=True):
        done += scoring.recompute_year(org_id, year)
    return f"{done} 名委员"


@register(
    "performance.fail_stale_recomputations",
    every="hourly",
    label="将中断的履职积分重算标为失败（可重新计算）",
)
def fail_stale_recomputations(now=None) -> dict:
    """A recompute left running by a killed worker: failed with a Chinese message, retryable from the
    scheme page."""
    from .services import fail_stale_recomputations as fail

    return {"recomputations": fail(now)}
