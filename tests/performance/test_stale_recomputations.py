"""Issue 14, finding 9: a recompute of the year's scores whose worker was killed mid-run (left "running
40%") is failed by the hourly scheduler job after EXPORT_STALE_MINUTES without progress, with a Chinese
message, and the scheme's administrator runs it again from the scheme page."""

import datetime

from django.urls import reverse
from django.utils import timezone

from zhengxie.core.models import AuditEntry
from zhengxie.performance import jobs
from zhengxie.performance.models import Recomputation

YEAR = timezone.localdate().year


def _killed(county, user, minutes_ago):
    then = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    return Recomputation.objects.create(
        organisation=county,
        year=YEAR,
        members=30,
        requested_by=user("admin"),
        status=Recomputation.Status.RUNNING,
        progress=40,
        created_at=then,
        updated_at=then,
    )


def test_the_scheduler_fails_a_stale_recompute_and_the_administrator_retries_it(
    county, user, client_for, settings
):
    settings.EXPORT_STALE_MINUTES = 15
    stale, live = _killed(county, user, 40), _killed(county, user, 3)
    assert jobs.fail_stale_recomputations() == {"recomputations": 1}
    stale.refresh_from_db()
    live.refresh_from_db()
    assert stale.status == Recomputation.Status.FAILED and "后台任务中断" in stale.error and stale.finished_at
    assert live.status == Recomputation.Status.RUNNING

    c = client_for("admin")
    part = c.get(reverse("performance:recomputation", args=[stale.pk])).content.decode()
    retry = reverse("performance:recomputation_retry", args=[stale.pk])
    assert "后台任务中断" in part and retry in part
    assert client_for("staff").post(retry).status_code == 404  # not the scheme's administrator
    assert client_for("other").post(retry).status_code in (403, 404)
    r = c.post(retry)
    new = Recomputation.objects.exclude(pk__in=[stale.pk, live.pk]).get(organisation=county, year=YEAR)
    assert r.status_code == 302 and f"run={new.pk}" in r.url
    assert new.status == Recomputation.Status.DONE and new.progress == 100  # small county: at once
    assert AuditEntry.objects.filter(action="performance.recompute_retry", target_id=str(new.pk)).exists()
    # a run that did not fail is not retried
    r = c.post(reverse("performance:recomputation_retry", args=[new.pk]))
    assert r.status_code == 302 and Recomputation.objects.filter(organisation=county, year=YEAR).count() == 3


def test_late_progress_does_not_revive_a_failed_recompute(county, user, monkeypatch, settings):
    from zhengxie.performance import scoring, services

    settings.EXPORT_STALE_MINUTES = 15
    run = Recomputation.objects.create(organisation=county, year=YEAR, members=30, requested_by=user("admin"))

    def slow(org_id, year, progress):
        # the worker was silent so long that the scheduler failed the run in the meantime ...
        Recomputation.objects.filter(pk=run.pk).update(
            updated_at=timezone.now() - datetime.timedelta(hours=1)
        )
        assert jobs.fail_stale_recomputations() == {"recomputations": 1}
        progress(50)  # ... and its late progress does not revive it
        assert Recomputation.objects.filter(pk=run.pk).values_list("status", "progress").get() == (
            "failed",
            5,
        )
        return 0

    monkeypatch.setattr(scoring, "recompute_year", slow)
    monkeypatch.setattr(scoring, "revalue_records", lambda *a, **k: 0)
    services.run_recomputation(run)


def test_the_job_is_registered_hourly():
    from zhengxie.core.scheduler import JOBS

    assert "performance.fail_stale_recomputations" in JOBS
