"""Issue 14, finding 9: a roster import whose worker was killed mid-import (left "running 35%") is failed
by the hourly scheduler job after EXPORT_STALE_MINUTES without progress, with a Chinese message, and the
importer runs it again from its page (the file is still stored: the import is one transaction, so
nothing of the killed run was kept)."""

import datetime

from django.utils import timezone

from zhengxie.core.models import AuditEntry
from zhengxie.members import jobs, services
from zhengxie.members.models import Member, RosterImport

from .conftest import row, upload, xlsx


def _killed(world, user, django_capture_on_commit_callbacks, minutes_ago):
    """What kill -9 of the worker leaves: the import taken (running 35%), its file still stored."""
    content = xlsx([row(name="中断一", phone="13500000071"), row(name="中断二", phone="13500000072")])
    with django_capture_on_commit_callbacks(execute=False):
        job = services.roster_import_start(
            user=user("admin"), organisation=world.county, upload=upload(content)
        )
    then = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    RosterImport.objects.filter(pk=job.pk).update(
        status=RosterImport.Status.RUNNING, progress=35, stage="正在逐行检查", updated_at=then
    )
    return job


def test_the_scheduler_fails_a_stale_import_and_the_importer_retries_it(
    world, user, client_for, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_STALE_MINUTES = 15
    stale = _killed(world, user, django_capture_on_commit_callbacks, 40)
    live = _killed(world, user, django_capture_on_commit_callbacks, 3)
    assert jobs.fail_stale_roster_imports() == {"imports": 1}
    stale.refresh_from_db()
    live.refresh_from_db()
    assert stale.status == RosterImport.Status.FAILED and "后台任务中断" in stale.error and stale.finished_at
    assert live.status == RosterImport.Status.RUNNING
    assert bytes(stale.content)  # kept for the retry

    c = client_for("admin")
    page = c.get(f"/manage/members/import/{stale.pk}/").content.decode()
    assert "后台任务中断" in page and f"/manage/members/import/{stale.pk}/retry/" in page
    # nobody else retries it (another administrator of the county: 404), and a running one is not retried
    assert client_for("secadmin").post(f"/manage/members/import/{stale.pk}/retry/").status_code == 404
    r = c.post(f"/manage/members/import/{live.pk}/retry/")
    assert r.status_code == 302 and RosterImport.objects.get(pk=live.pk).status == RosterImport.Status.RUNNING

    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(f"/manage/members/import/{stale.pk}/retry/")
    assert r.status_code == 302 and r.url == f"/manage/members/import/{stale.pk}/"
    stale.refresh_from_db()
    assert stale.status == RosterImport.Status.DONE and stale.imported == 2 and stale.error == ""
    assert Member.objects.filter(name__in=["中断一", "中断二"]).count() == 2
    assert AuditEntry.objects.filter(action="members.roster_import_retry", target_id=str(stale.pk)).exists()


def test_late_progress_does_not_revive_a_failed_import(world, user, django_capture_on_commit_callbacks):
    job = _killed(world, user, django_capture_on_commit_callbacks, 60)
    jobs.fail_stale_roster_imports()
    # the slow worker's progress callback writes only while the import is running
    assert not RosterImport.objects.filter(pk=job.pk, status=RosterImport.Status.RUNNING).update(progress=60)
    job.refresh_from_db()
    assert job.status == RosterImport.Status.FAILED and job.progress == 35


def test_a_failed_import_keeps_its_file_only_for_the_purge_days(
    world, user, django_capture_on_commit_callbacks
):
    job = _killed(world, user, django_capture_on_commit_callbacks, 60)
    jobs.fail_stale_roster_imports()
    jobs.purge_roster_files(now=timezone.now() + datetime.timedelta(days=jobs.KEEP_DAYS + 1))
    job.refresh_from_db()
    assert bytes(job.content) == b""


def test_the_job_is_registered_hourly():
    from zhengxie.core.scheduler import JOBS

    assert "members.fail_stale_imports" in JOBS
