"""Periodic checks. Apps register jobs; `manage.py scheduler` runs each once per period.

A unique (job, period) row decides which of several scheduler processes runs a job, so running the
scheduler on several machines is safe. Jobs should be quick or enqueue tasks.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

logger = logging.getLogger("zhengxie.scheduler")


@dataclass
class Job:
    name: str
    func: Callable[[], object]
    every: str  # "daily" or "hourly"
    label: str


JOBS: dict[str, Job] = {}


def register(name: str, every: str = "daily", label: str = ""):
    def deco(func):
        JOBS[name] = Job(name, func, every, label or name)
        return func

    return deco


def period_key(every: str, now=None) -> str:
    now = timezone.localtime(now)
    return now.strftime("%Y-%m-%d") if every == "daily" else now.strftime("%Y-%m-%dT%H")


def run_due(now=None, force: bool = False) -> list[str]:
    from .models import ScheduledRun

    ran = []
    for job in JOBS.values():
        period = period_key(job.every, now) + (timezone.now().strftime("!%H%M%S%f") if force else "")
        try:
            with transaction.atomic():
                run = ScheduledRun.objects.create(job=job.name, period=period)
        except IntegrityError:
            continue  # another scheduler took it
        try:
            result = job.func()
            run.result = str(result)[:1000]
        except Exception as exc:  # a failing job must not stop the others
            logger.exception("scheduled job %s failed", job.name)
            run.result = f"error: {exc}"[:1000]
        run.finished_at = timezone.now()
        run.save(update_fields=["result", "finished_at"])
        ran.append(job.name)
    return ran
