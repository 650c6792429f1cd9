"""Load the demo: a city committee with three counties. Safe to run again: it keeps existing data.

Each app contributes through `zhengxie/<app>/demo.py: load(ctx)`, called in DEMO_APPS order with a
shared context dict (organisations, users, units ...).
"""

import importlib
import random

from django.core.management.base import BaseCommand
from django.db import transaction

from zhengxie.core import ratelimit
from zhengxie.core.notifications import external_delivery_muted

DEMO_APPS = [
    "core",
    "members",
    "proposals",
    "opinions",
    "studios",
    "suggestions",
    "activities",
    "consultation",
    "keytasks",
    "supervision",
    "appraisal",
    "research",
    "reading",
    "performance",
    "yearbook",  # 石门区's year and 临江县 (after every app's own demo), then every committee's snapshots
    "routing",
    "hottopics",
]


class Command(BaseCommand):
    help = "加载演示数据（一个市政协、三个县（区）政协及其委员、承办单位、提案、会议等）"

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=250)

    def handle(self, *args, members=250, **opts):
        from zhengxie.core.models import Organisation

        if Organisation.objects.filter(code="demo-city").exists():
            self.stdout.write("演示数据已存在，保留现有数据。")
            return
        random.seed(2026)
        ctx = {"members": members, "stdout": self.stdout}
        # The demo's public submissions are ours, not an address's: exempt from the hourly limit.
        with transaction.atomic(), external_delivery_muted(), ratelimit.exempt():
            for app in DEMO_APPS:
                try:
                    module = importlib.import_module(f"zhengxie.{app}.demo")
                except ModuleNotFoundError:
                    continue
                module.load(ctx)
                self.stdout.write(f"  · {app} 演示数据已加载")
        self.stdout.write(self.style.SUCCESS("演示数据加载完成。"))
