"""动态退出 (issue 15): warning cases. The steps recorded before (MemberWarning: 谈话提醒 / 劝辞建议 with a
note) are attached to one case per member and year, so they still show in its history: a case with a
recorded 谈话提醒 is 已谈话提醒 (the note as the talk's summary), any other 预警."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def attach_old_steps(apps, schema_editor):
    MemberWarning = apps.get_model("performance", "MemberWarning")
    WarningCase = apps.get_model("performance", "WarningCase")
    by_key = {}
    for w in MemberWarning.objects.filter(case__isnull=True).order_by("created_at", "id"):
        key = (w.member_id, w.year)
        case = by_key.get(key)
        if case is None:
            case = WarningCase.objects.create(
                member_id=w.member_id,
                organisation_id=w.organisation_id,
                year=w.year,
                state="warned",
                rules=[],
                created_at=w.created_at,
            )
            by_key[key] = case
        if not any(r["code"] == w.rule for r in case.rules):
            case.rules.append({"code": w.rule, "label": w.rule_label, "step": w.step})
        if w.step == "谈话提醒" and case.state == "warned":
            case.state = "talked"
            case.talk_by = "staff"
            case.talk_on = w.created_at.date()
            case.talk_summary = w.note
        case.save()
        MemberWarning.objects.filter(pk=w.pk).update(case=case)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0011_idempotency_fingerprint"),
        ("members", "0006_member_entry_term"),
        ("performance", "0010_reading_acts"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="memberwarning",
            options={
                "ordering": ["-created_at", "-id"],
                "verbose_name": "履职预警处理记录",
                "verbose_name_plural": "履职预警处理记录",
            },
        ),
        migrations.CreateModel(
            name="WarningCase",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("year", models.PositiveSmallIntegerField(verbose_name="年度")),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("warned", "预警"),
                            ("talked", "已谈话提醒"),
                            ("advised", "已劝辞"),
                            ("deemed", "视为辞去"),
                            ("continued", "继续履职"),
                            ("withdrawn", "已撤销预警"),
                        ],
                        default="warned",
                        max_length=10,
                        verbose_name="状态",
                    ),
                ),
                ("rules", models.JSONField(default=list, verbose_name="触发的预警规则")),
                (
                    "talk_by",
                    models.CharField(
                        blank=True,
                        choices=[("convener", "界别召集人"), ("staff", "机关工作人员")],
                        max_length=10,
                        verbose_name="谈话人身份",
                    ),
                ),
                ("talk_by_name", models.CharField(blank=True, max_length=40, verbose_name="谈话人")),
                ("talk_on", models.DateField(blank=True, null=True, verbose_name="谈话日期")),
                ("talk_summary", models.TextField(blank=True, max_length=1000, verbose_name="谈话内容")),
                ("member_response", models.TextField(blank=True, max_length=1000, verbose_name="委员表态")),
                ("decision_rule", models.CharField(blank=True, max_length=40, verbose_name="依据规则")),
                (
                    "decision_rule_label",
                    models.CharField(blank=True, max_length=200, verbose_name="依据规则内容"),
                ),
                ("grounds", models.TextField(blank=True, max_length=1000, verbose_name="决定理由")),
                ("decided_at", models.DateTimeField(blank=True, null=True, verbose_name="决定时间")),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="立案时间"),
                ),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="更新时间")),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="决定人",
                    ),
                ),
                (
                    "member",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="warning_cases",
                        to="members.member",
                        verbose_name="委员",
                    ),
                ),
                (
                    "organisation",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        to="core.organisation",
                        verbose_name="所属政协",
                    ),
                ),
                (
                    "talk_convener",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="members.member",
                        verbose_name="谈话的界别召集人",
                    ),
                ),
            ],
            options={
                "verbose_name": "履职预警处理",
                "verbose_name_plural": "履职预警处理",
                "ordering": ["-year", "-id"],
            },
        ),
        migrations.AddField(
            model_name="memberwarning",
            name="case",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="steps",
                to="performance.warningcase",
                verbose_name="预警处理",
            ),
        ),
        migrations.AddIndex(
            model_name="warningcase",
            index=models.Index(fields=["organisation", "year", "state"], name="warning_case_org_year"),
        ),
        migrations.AddConstraint(
            model_name="warningcase",
            constraint=models.UniqueConstraint(
                fields=("member", "year"), name="unique_warning_case_member_year"
            ),
        ),
        migrations.RunPython(attach_old_steps, migrations.RunPython.noop),
    ]
