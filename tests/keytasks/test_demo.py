"""The demo has a realistic key-task list of 青川县 with mixed progress."""

import pytest

from zhengxie.keytasks.models import KeyTask, ProgressReport

pytestmark = pytest.mark.django_db


def test_demo_list_has_categories_and_mixed_progress(county, today):
    tasks = KeyTask.objects.filter(organisation=county, year=today.year)
    assert tasks.count() >= 10
    assert tasks.values("category").distinct().count() >= 5
    assert tasks.filter(status="done").exists()
    if today.timetuple().tm_yday > 90:  # early in the year every task is still on schedule
        lights = set(tasks.filter(status="in_progress").values_list("light", flat=True))
        assert len(lights) >= 2, lights
    assert ProgressReport.objects.filter(task__organisation=county).exists()
