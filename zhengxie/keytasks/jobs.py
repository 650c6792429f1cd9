"""The daily check of 重点工作: every open task's light against today's 序时进度 and its milestones; the
owner and the leader are told when a task turns yellow or red (once per change, not every day)."""

from __future__ import annotations

from zhengxie.core.scheduler import register

from . import services


@register("keytasks.lights", every="daily", label="重点工作：对照序时进度亮灯并提醒责任人和分管领导")
def refresh_lights(today=None) -> dict:
    return services.refresh(today)
