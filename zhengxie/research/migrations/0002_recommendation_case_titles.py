"""A routed recommendation's case title no longer repeats its label's number (「…（第2条建议）」 beside
the label 「…第2条」, issue #8): the title of the cases routed before is the report's (outcome's) alone."""

import re

from django.db import migrations

KIND = "research_recommendation"
SUFFIX = re.compile(r"（第\d+条建议）$")


def strip_numbers(apps, schema_editor):
    Case = apps.get_model("handling", "Case")
    for case in Case.objects.filter(kind=KIND, title__endswith="条建议）").only("title"):
        title = SUFFIX.sub("", case.title)
        if title != case.title:
            Case.objects.filter(pk=case.pk).update(title=title)


class Migration(migrations.Migration):
    dependencies = [
        ("research", "0001_initial"),
        ("handling", "0006_followup_end_reason"),
    ]

    operations = [migrations.RunPython(strip_numbers, migrations.RunPython.noop)]
