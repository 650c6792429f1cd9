"""Daily checks of 微建议 answered by a 委员工作室 (a unit's are on the handling spine's jobs): an answer
the citizen has not rated within `public.evaluation_days` working days is closed unrated, and a studio
that has not answered by the deadline is reminded (once a day while it is late)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from zhengxie.core import audit, orgsettings
from zhengxie.core.calendar import Calendar
from zhengxie.core.notifications import notify
from zhengxie.core.scheduler import register

from .models import Suggestion
from .services import _event, _url, studio_users

S = Suggestion.Status


@register("suggestions.studios", every="daily", label="委员工作室微建议：逾期提醒与逾期未评价办结")
def studio_checks(today=None) -> dict:
    today = today or timezone.localdate()
    closed = reminded = 0
    studio_items = Suggestion.objects.filter(routed_to=Suggestion.RoutedTo.STUDIO).select_related(
        "organisation", "studio"
    )
    for s in studio_items.filter(status=S.REPLIED, replied_at__isnull=False):
        days = int(orgsettings.get(s.organisation, "public.evaluation_days"))
        if Calendar(s.organisation).add(timezone.localdate(s.replied_at), days) >= today:
            continue
        with transaction.atomic():
            if Suggestion.objects.filter(pk=s.pk, status=S.REPLIED).update(
                status=S.CLOSED, closed_at=timezone.now(), updated_at=timezone.now()
            ):
                s.status = S.CLOSED
                _event(s, None, "close", f"评价期限（{days}个工作日）已过，未评价，办结", actor_label="系统")
                audit.record(None, "suggestions.close_unrated", s, after={"status": s.status})
                closed += 1
    for s in studio_items.filter(status=S.ROUTED, deadline__lt=today):
        notify(
            studio_users(s.studio, today),
            f"微建议已超过答复期限：{s.title}",
            f"答复期限为 {s.deadline:%Y年%m月%d日}，请尽快答复。",
            url=_url(s),
            category="suggestions",
        )
        reminded += 1
    return {"closed": closed, "reminded": reminded}
