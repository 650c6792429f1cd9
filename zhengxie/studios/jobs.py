"""Daily: every 线上值班 day that has passed without a mark becomes done and a DutyRecord (idempotent)."""

from zhengxie.core.scheduler import register

from . import services


@register("studios.close_past_duties", every="daily", label="线上值班：已过值班日计入履职")
def close_past_duties():
    return f"{services.close_past_duties()} 个值班日"
