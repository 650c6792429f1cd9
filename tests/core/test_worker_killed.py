"""Issue 14, finding 9, the fault test: a real worker process is killed with SIGKILL while it builds an
export (the row at "running 32%"); the scheduler's check fails it with a Chinese message once it has been
silent for EXPORT_STALE_MINUTES, its owner sees that on the export's page and retries, and a worker
started again builds the file.

Both of the project's queues are exercised, each with its own worker process: the database queue
(`manage.py db_worker`, the default) and RQ on Redis (`manage.py rqworker default`; skipped only when no
Redis answers). The worker and this test share a copy of the test database that another process can
open (an SQLite file, or a PostgreSQL database cloned from the test database)."""

from __future__ import annotations

import contextlib
import datetime
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.db import connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from . import fault_worker

ROOT = Path(__file__).resolve().parents[2]
WAIT = 60  # seconds a worker may take to start and pick up the task on a loaded machine


def _redis_url() -> str | None:
    """A Redis database of its own for this run (the queue is named `default` in every database)."""
    base = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    url = f"{base.rsplit('/', 1)[0]}/{random.randint(1, 15)}"
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception:  # noqa: BLE001 - no Redis here: the RQ case is skipped
        return None
    return url


@pytest.fixture
def shared_db(django_db_setup, django_db_blocker, tmp_path):
    """A copy of the test database (the demo world) that other processes can open, made before the
    test's transaction opens: an SQLite file, or a PostgreSQL database cloned from the test database.
    Yields a function `use()`, a context manager pointing this thread's default connection at the copy
    (so services, views and the test client here use it too) and giving its DATABASE_URL."""
    original = connections["default"]
    sd = original.settings_dict
    with django_db_blocker.unblock():
        if original.vendor == "sqlite":
            path = tmp_path / "fault.sqlite3"
            original.ensure_connection()
            target = sqlite3.connect(path)
            original.connection.backup(target)
            target.close()
            name, url = str(path), f"sqlite:///{path}"
        elif original.vendor == "postgresql":
            name = f"{sd['NAME']}_fault_{os.getpid()}"[:63]
            original.close()  # CREATE DATABASE ... TEMPLATE wants no session on the template
            with original._nodb_cursor() as c:
                c.execute(f'DROP DATABASE IF EXISTS "{name}"')
                c.execute(f'CREATE DATABASE "{name}" TEMPLATE "{sd["NAME"]}"')
            auth = quote(sd.get("USER") or "", safe="")
            if sd.get("PASSWORD"):
                auth += ":" + quote(sd["PASSWORD"], safe="")
            url = f"postgres://{auth}@{sd.get('HOST') or '127.0.0.1'}:{sd.get('PORT') or 5432}/{name}"
        else:
            pytest.skip(f"no shared copy for {original.vendor}")

    @contextlib.contextmanager
    def use():
        copy = original.copy()
        copy.settings_dict["NAME"] = name
        connections["default"] = copy
        try:
            yield url
        finally:
            copy.close()
            connections["default"] = original

    yield use
    if original.vendor == "postgresql":
        with django_db_blocker.unblock(), original._nodb_cursor() as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Worker:
    """One worker process (`python -m tests.core.fault_worker`), killed with its whole process tree."""

    def __init__(self, backend: str, env: dict, log: Path):
        self.log = log
        with open(log, "ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "tests.core.fault_worker", backend],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def kill(self) -> None:
        """SIGKILL to the worker and every process under it, as systemd or the OOM killer would do (RQ's
        work horse, which builds the file, leaves the worker's process group)."""
        for pid in [self.proc.pid, *_descendants(self.proc.pid)]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def alive(self) -> bool:
        return self.proc.poll() is None


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        kids = children.get(todo.pop(), [])
        found += kids
        todo += kids
    return found


def _wait_for(check, worker: Worker, what: str):
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        assert worker.alive(), f"the worker died before {what}:\n{worker.log.read_text()[-3000:]}"
        time.sleep(0.1)
    raise AssertionError(f"no {what} within {WAIT} s:\n{worker.log.read_text()[-3000:]}")


@pytest.mark.parametrize("backend", ["database", "rq"])
def test_a_worker_killed_mid_export_is_recovered_by_the_scheduler_and_the_retry(
    backend, shared_db, db, settings, tmp_path
):
    from zhengxie.core import exports, jobs
    from zhengxie.core.models import Export, User

    env = {**os.environ, "TASKS_BACKEND": backend, "MEDIA_ROOT": str(settings.MEDIA_ROOT), "DEBUG": "false"}
    env["FAULT_HANG_FILE"] = hang = str(tmp_path / "hang")
    if backend == "rq":
        env["REDIS_URL"] = redis_url = _redis_url()
        if redis_url is None:
            pytest.skip("Redis does not answer on REDIS_URL / 127.0.0.1:6379")
        settings.RQ_QUEUES = {"default": {"URL": redis_url}}
        settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    else:
        settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    fault_worker.register()
    workers: list[Worker] = []
    try:
        with shared_db() as url:
            env["DATABASE_URL"] = url
            staff = User.objects.select_related("organisation").get(username="staff")
            Path(hang).touch()
            workers.append(Worker(backend, env, tmp_path / "worker1.log"))
            export = exports.start(staff, fault_worker.KIND, {"q": "一"})

            def at_32():
                row = Export.objects.get(pk=export.pk)
                return row if (row.status, row.progress) == (Export.Status.RUNNING, 32) else None

            _wait_for(at_32, workers[0], "progress 32 %")
            workers[0].kill()  # kill -9 mid-build: nothing will touch the row again
            time.sleep(0.5)
            export.refresh_from_db()
            assert (export.status, export.progress, export.finished_at) == (Export.Status.RUNNING, 32, None)

            # the scheduler's hourly check: a running export is left alone until it has been silent
            # for EXPORT_STALE_MINUTES, then failed with a message its owner reads
            assert jobs.fail_stale_exports() == {"exports": 0}
            later = timezone.now() + datetime.timedelta(minutes=django_settings.EXPORT_STALE_MINUTES + 1)
            assert jobs.fail_stale_exports(now=later) == {"exports": 1}
            export.refresh_from_db()
            assert export.status == Export.Status.FAILED and export.error.startswith("后台任务中断")

            c = Client()
            c.force_login(staff)
            page = c.get(reverse("core:export", args=[export.pk])).content.decode()
            assert "后台任务中断" in page and "hx-trigger" not in page  # no more polling
            assert reverse("core:export_retry", args=[export.pk]) in page

            # the worker is back (a restart, systemd): the owner's retry builds the file
            os.unlink(hang)
            workers.append(Worker(backend, env, tmp_path / "worker2.log"))
            r = c.post(reverse("core:export_retry", args=[export.pk]))
            new = Export.objects.exclude(pk=export.pk).get(user=staff, kind=fault_worker.KIND)
            assert r.status_code == 302 and r.url == reverse("core:export", args=[new.pk])
            assert new.params == {"q": "一"} and new.title == fault_worker.TITLE

            def done():
                row = Export.objects.get(pk=new.pk)
                return row if row.status in (Export.Status.DONE, Export.Status.FAILED) else None

            new = _wait_for(done, workers[1], "finished retry")
            assert (new.status, new.progress, new.error) == (Export.Status.DONE, 100, "")
            d = c.get(reverse("core:export_download", args=[new.pk]))
            assert d.status_code == 200 and b"".join(d.streaming_content) == "staff,一\n".encode()
            export.refresh_from_db()
            assert export.status == Export.Status.FAILED  # the killed one stays failed
    finally:
        for w in workers:
            w.kill()
        exports.REGISTRY.pop(fault_worker.KIND, None)
        if backend == "rq":
            import redis

            redis.Redis.from_url(settings.RQ_QUEUES["default"]["URL"]).flushdb()
