"""Periodic clean-up of the core: files built in the background (exports of every module)."""

from __future__ import annotations

from .scheduler import register


@register("core.purge_exports", every="daily", label="清理过期的导出文件（各模块的后台导出）")
def purge_exports(now=None) -> dict:
    """Exports older than their kind's keep_days (core.exports.KEEP_DAYS unless registered otherwise)
    lose their file and row: they hold personal data."""
    from .exports import purge

    return {"exports": purge(now)}


@register("core.fail_stale_exports", every="hourly", label="将中断的后台导出标为失败（可重新生成）")
def fail_stale_exports(now=None) -> dict:
    """Exports left running by a killed worker (no progress for EXPORT_STALE_MINUTES) become failed."""
    from .exports import fail_stale

    return {"exports": fail_stale(now)}


@register("core.retry_notifications", every="hourly", label="重发未送出的通知邮件和短信")
def retry_notifications(now=None) -> dict:
    """Messages whose email / SMS was never handed over or failed to send (pending for over five
    minutes) are handed over again, in batches."""
    import datetime

    from django.db.models import Q
    from django.utils import timezone

    from .models import Notification
    from .notifications import hand_over

    before = (now or timezone.now()) - datetime.timedelta(minutes=5)
    ids = list(
        Notification.objects.filter(Q(email_pending=True) | Q(sms_pending=True), created_at__lt=before)
        .order_by("created_at")
        .values_list("pk", flat=True)[:5000]
    )
    batches = [ids[i : i + 200] for i in range(0, len(ids), 200)]
    return {"pending": len(ids), "handed_over": sum(len(b) for b in batches if hand_over(b))}
