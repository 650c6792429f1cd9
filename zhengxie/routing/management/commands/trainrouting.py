from django.core.management.base import BaseCommand

from zhengxie.core.models import Organisation
from zhengxie.routing import services


class Command(BaseCommand):
    help = "训练智能分办模型（建议类别与承办单位）：按各政协自己的历史件与工作人员的选择"

    def add_arguments(self, parser):
        parser.add_argument("--organisation", help="只训练这个政协（编码 code）")

    def handle(self, *args, organisation=None, **opts):
        orgs = Organisation.objects.all()
        if organisation:
            orgs = orgs.filter(code=organisation)
        for org in orgs.order_by("pk"):
            row = services.train(org)
            if row is None:
                self.stdout.write(f"{org.name}：暂无已立案/已交办的历史件，跳过")
            else:
                m = row.meta
                self.stdout.write(
                    f"{org.name}：{row.samples} 件，类别 {m['heads']}，第 {row.version} 版，{m['seconds']} 秒"
                )
