"""Duty records of reading notes made before Log had a name read "Log object (2)" in the member's 履职档案:
name them as the model now does (《书名》读书笔记（日期）)."""

from django.db import migrations


def name_logs(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    DutyRecord = apps.get_model("performance", "DutyRecord")
    Log = apps.get_model("reading", "Log")
    ct = ContentType.objects.filter(app_label="reading", model="log").first()
    if ct is None:
        return
    rows = DutyRecord.objects.filter(source_ct=ct, source_repr__startswith="Log object")
    ids = {int(r.source_id) for r in rows.only("source_id") if r.source_id.isdigit()}
    logs = Log.objects.filter(pk__in=ids).select_related("book").in_bulk()
    for r in rows:
        x = logs.get(int(r.source_id)) if r.source_id.isdigit() else None
        if x is not None:
            name = f"《{x.book.title}》读书笔记（{x.read_on:%Y-%m-%d}）"
            DutyRecord.objects.filter(pk=r.pk).update(source_repr=name[:200])


class Migration(migrations.Migration):
    dependencies = [
        ("reading", "0001_initial"),
        ("performance", "0010_reading_acts"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(name_logs, migrations.RunPython.noop)]
