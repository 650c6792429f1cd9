"""The hourly recount of this year's figures for every committee (services.refresh_all)."""

from zhengxie.core.scheduler import register

from . import services


@register("yearbook.refresh", every="hourly", label="年度工作数据：重新统计各级政协本年度数据")
def refresh_year() -> dict:
    return services.refresh_all()
