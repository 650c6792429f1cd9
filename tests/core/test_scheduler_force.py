from zhengxie.core import scheduler
from zhengxie.core.models import ScheduledRun


def test_forced_run_runs_again_in_the_same_period(db, monkeypatch):
    calls = []
    monkeypatch.setattr(scheduler, "JOBS", {})
    scheduler.register("test.forced", every="hourly")(lambda: calls.append(1))
    assert scheduler.run_due() == ["test.forced"]
    assert scheduler.run_due() == []
    assert scheduler.run_due(force=True) == ["test.forced"]
    assert len(calls) == 2
    assert ScheduledRun.objects.filter(job="test.forced").count() == 2
