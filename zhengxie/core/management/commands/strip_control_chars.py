"""`manage.py strip_control_chars [--apply]`: finds the text stored before the edge refused control
characters (or restored from an old backup) in every CharField/TextField of every model of our apps and,
with `--apply`, removes them (core.textclean: in batches, each audited). Without `--apply` it only
reports what it would change. The audit log is reported, never changed."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from zhengxie.core import textclean


class Command(BaseCommand):
    help = (
        "查找（加 --apply 时清除）各数据表文本字段中不可见的控制字符（制表符、换行、回车除外）。"
        "默认只报告，不作改动；清除分批进行并记入审计日志。审计日志本身只报告、不修改。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--apply", action="store_true", help="实际清除（默认只报告）")
        parser.add_argument("--batch-size", type=int, default=500, help="每批处理的行数（默认 500）")

    def handle(self, *args, apply=False, batch_size=500, **opts):
        reports = textclean.strip_all(apply=apply, batch=max(1, batch_size))
        cleaned = 0
        for r in reports:
            fields = "、".join(f"{name} {n}" for name, n in sorted(r.fields.items()))
            if r.model._meta.label_lower in textclean.APPEND_ONLY:
                self.stdout.write(
                    f"{r.label}：{r.rows} 行含控制字符（{fields}）；审计记录不可更改，保持原样。"
                )
                continue
            cleaned += r.rows
            verb = "已清除" if apply else "含控制字符"
            if r.rows:
                self.stdout.write(f"{r.label}：{r.rows} 行{verb}（{fields}）")
            if r.skipped:
                self.stdout.write(
                    f"{r.label}：另有 {len(r.skipped)} 行清除后会与已有数据重复，未改动，请人工处理：ID "
                    + "、".join(str(pk) for pk in r.skipped[:50])
                )
        skipped = sum(len(r.skipped) for r in reports)
        if not cleaned and not skipped:
            self.stdout.write(self.style.SUCCESS("没有需要清除的控制字符。"))
        elif not cleaned:
            self.stdout.write(self.style.WARNING(f"{skipped} 行须人工处理（见上）。"))
        elif apply:
            self.stdout.write(self.style.SUCCESS(f"共清除 {cleaned} 行的控制字符，已记入审计日志。"))
        else:
            self.stdout.write(
                self.style.WARNING(f"共 {cleaned} 行含控制字符。这是演练，未作改动：加 --apply 执行清除。")
            )
