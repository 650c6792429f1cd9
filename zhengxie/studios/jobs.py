"""Daily: every 线上值班 day that has passed without a mark becomes done and a DutyRecord (idempotent)."""

from zhengxie.core.scheduler import register

from . import services


@register("studios.close_past_duties", every="daily", label="线上值班：已过值班日计入履职")
def close_past_duties():
    return f"{services.close_past_duties()} 个值班日"


@register("studios.retry_booking_sms", every="hourly", label="为民服务预约：补发未发出的受理结果短信")
def retry_booking_sms():
    from .services.market import retry_booking_sms as retry

    return f"{retry()} 条短信"


@register("studios.expire_swaps", every="daily", label="线上值班：值班日已过的换班申请自动失效")
def expire_swaps():
    from .services.swaps import expire_past_swaps

    return f"{expire_past_swaps()} 个换班申请"
