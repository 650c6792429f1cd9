from django.db import migrations

RENAMED = {"proposals.holidays": "calendar.holidays", "proposals.extra_workdays": "calendar.extra_workdays"}


def rename_keys(apps, schema_editor):
    """The working-day calendar is one setting for every module now (core/calendar.py)."""
    Organisation = apps.get_model("core", "Organisation")
    for org in Organisation.objects.exclude(settings={}):
        data = dict(org.settings or {})
        if not any(k in data for k in RENAMED):
            continue
        for old, new in RENAMED.items():
            if old in data:
                data.setdefault(new, data.pop(old))
        Organisation.objects.filter(pk=org.pk).update(settings=data)


class Migration(migrations.Migration):
    dependencies = [("core", "0003_scheduledrun_period_length")]
    operations = [migrations.RunPython(rename_keys, migrations.RunPython.noop)]
