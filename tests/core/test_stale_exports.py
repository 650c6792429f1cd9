"""Issue 14, finding 9: an export whose worker was killed mid-build (left "running 32%") is failed by the
scheduler after EXPORT_STALE_MINUTES without progress, with a Chinese message, and retried by its owner."""

import datetime

from django.urls import reverse
from django.utils import timezone

from zhengxie.core import exports, jobs
from zhengxie.core.models import Export

from .test_exports import KIND, demo  # noqa: F401 - the registered test kind


def _stuck(user, minutes_ago, **extra):
    """What kill -9 of the worker leaves: the row running at 32%, nothing touching it any more."""
    then = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    return Export.objects.create(
        user=user,
        organisation=user.organisation,
        kind=KIND,
        title="演示导出",
        params={"q": "再来"},
        status=Export.Status.RUNNING,
        progress=32,
        created_at=then,
        updated_at=then,
        **extra,
    )


def test_the_scheduler_fails_a_stale_running_export_and_leaves_live_ones(demo, user, settings):  # noqa: F811
    settings.EXPORT_STALE_MINUTES = 15
    staff = user("staff")
    stale, live = _stuck(staff, 40), _stuck(staff, 3)
    assert jobs.fail_stale_exports() == {"exports": 1}
    stale.refresh_from_db()
    live.refresh_from_db()
    assert stale.status == Export.Status.FAILED and "中断" in stale.error and stale.finished_at
    assert live.status == Export.Status.RUNNING
    # progress from a worker that was only slow no longer revives it
    exports.progress_setter(stale.pk)(60)
    stale.refresh_from_db()
    assert stale.status == Export.Status.FAILED and stale.progress == 32


def test_the_job_is_registered_with_the_scheduler():
    from zhengxie.core.scheduler import JOBS

    assert "core.fail_stale_exports" in JOBS


def test_the_owner_retries_from_the_progress_page(
    demo,  # noqa: F811
    user,
    client_for,
    settings,
    django_capture_on_commit_callbacks,
):
    staff = user("staff")
    stale = _stuck(staff, 60)
    jobs.fail_stale_exports()
    c = client_for("staff")
    page = c.get(reverse("core:export", args=[stale.pk])).content.decode()
    assert "后台任务中断" in page and reverse("core:export_retry", args=[stale.pk]) in page
    # nobody else may retry it
    assert client_for("leader").post(reverse("core:export_retry", args=[stale.pk])).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(reverse("core:export_retry", args=[stale.pk]))
    new = Export.objects.exclude(pk=stale.pk).get(user=staff, kind=KIND)
    assert r.status_code == 302 and r.url == reverse("core:export", args=[new.pk])
    assert new.status == Export.Status.DONE and new.params == {"q": "再来"}
    assert c.get(reverse("core:export_download", args=[new.pk])).status_code == 200


def test_a_slow_worker_finishing_after_the_stale_check_does_not_revive_the_export(db, user, settings):
    """The scheduler failed it while the worker was only slow; its owner was told to retry, so the late
    file is dropped and the export stays failed (one file per retry, never two)."""
    staff = user("staff")

    def build(user, params, progress):
        progress(32)
        later = timezone.now() + datetime.timedelta(minutes=settings.EXPORT_STALE_MINUTES + 1)
        assert jobs.fail_stale_exports(now=later) == {"exports": 1}  # the scheduler meanwhile
        return "迟到.csv", b"late"

    exports.register("tests.slow", build, title="慢导出", may_start=lambda u: True)
    try:
        export = Export.objects.create(
            user=staff, organisation=staff.organisation, kind="tests.slow", title="慢导出"
        )
        assert exports.run(str(export.pk)) == Export.Status.FAILED
    finally:
        exports.REGISTRY.pop("tests.slow", None)
    export.refresh_from_db()
    assert export.status == Export.Status.FAILED and export.error.startswith("后台任务中断")
    assert not export.file and export.progress == 32
    assert not [
        f for f in (settings.MEDIA_ROOT / "exports").rglob("*") if f.is_file()
    ]  # the late file dropped
