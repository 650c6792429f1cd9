"""The demo has a realistic key-task list of 青川县 with mixed progress."""

import pytest

from zhengxie.keytasks.models import KeyTask, ProgressReport

pytestmark = pytest.mark.django_db


def test_demo_list_has_categories_and_mixed_progress(county, today):
    tasks = KeyTask.objects.filter(organisation=county, year=today.year)
    assert tasks.count() >= 10
    assert tasks.values("category").distinct().count() >= 5
    assert tasks.filter(status="done").exists()
    lights = set(tasks.filter(status="in_progress").values_list("light", flat=True))
    assert {"green", "yellow", "red"} <= lights | {"green"} and len(lights) >= 2
    assert ProgressReport.objects.filter(task__organisation=county).exists()
