from django.conf import settings
from django.core.management.base import BaseCommand

from zhengxie.core.demo import DEMO_LOGINS


class Command(BaseCommand):
    help = "打印演示账号"

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000/")

    def handle(self, *args, url="http://127.0.0.1:8000/", **opts):
        self.stdout.write(f"\n智慧政协履职平台 {url}")
        self.stdout.write(f"演示账号（密码均为 {settings.DEMO_PASSWORD}）：")
        for username, label in DEMO_LOGINS:
            self.stdout.write(f"  {username:<12} {label}")
        self.stdout.write("")
