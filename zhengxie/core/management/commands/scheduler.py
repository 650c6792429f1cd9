import time

from django.core.management.base import BaseCommand
from django.utils.module_loading import autodiscover_modules

from zhengxie.core import scheduler


class Command(BaseCommand):
    help = "运行周期性检查（红黄绿灯、提醒等）。默认每分钟检查一次到期任务；--once 只运行一次。"

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true")
        parser.add_argument("--force", action="store_true", help="忽略本周期已运行的记录，立即再运行")
        parser.add_argument("--interval", type=int, default=60)

    def handle(self, *args, once=False, force=False, interval=60, **opts):
        autodiscover_modules("jobs")
        while True:
            ran = scheduler.run_due(force=force)
            if ran:
                self.stdout.write("已运行：" + "、".join(ran))
            if once:
                return
            time.sleep(interval)
