"""Duty records of consultation speeches made before Segment had a name read "Segment object (7)" in the
member's 履职档案: name them as the model now does (consultation · 发言：题目)."""

from django.db import migrations


def name_segments(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    DutyRecord = apps.get_model("performance", "DutyRecord")
    Segment = apps.get_model("consultation", "Segment")
    ct = ContentType.objects.filter(app_label="consultation", model="segment").first()
    if ct is None:
        return
    kinds = {"briefing": "通报", "question": "提问", "answer": "解答", "speech": "发言"}
    rows = DutyRecord.objects.filter(source_ct=ct, source_repr__startswith="Segment object")
    ids = {int(r.source_id) for r in rows.only("source_id") if r.source_id.isdigit()}
    segments = Segment.objects.filter(pk__in=ids).select_related("consultation").in_bulk()
    for r in rows:
        s = segments.get(int(r.source_id)) if r.source_id.isdigit() else None
        if s is None:
            continue
        kind = "书面发言" if s.written else kinds.get(s.kind, s.kind)
        name = f"{s.consultation.title} · {kind}" + (f"：{s.title}" if s.title else "")
        DutyRecord.objects.filter(pk=r.pk).update(source_repr=name[:200])


class Migration(migrations.Migration):
    dependencies = [
        ("consultation", "0002_research_topics"),
        ("performance", "0010_reading_acts"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(name_segments, migrations.RunPython.noop)]
