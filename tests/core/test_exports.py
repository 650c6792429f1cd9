"""The one background-export pipeline (core.exports): a registered builder runs in the core's task with
progress, a failure is shown on the page, only the owner (while still allowed) sees the page and the file,
and old exports are purged."""

import datetime
import os
import tempfile

import pytest
from django.urls import reverse
from django.utils import timezone

from zhengxie.core import exports
from zhengxie.core.errors import Forbidden, Invalid, NotFound
from zhengxie.core.models import AuditEntry, Export

KIND = "tests.demo"


@pytest.fixture
def demo(db):
    """A registered test kind; `demo.allowed` is who may ask for it, `demo.seen` what the builder saw."""

    class Demo:
        allowed = {"staff", "leader"}
        seen: list = []
        fail: Exception | None = None
        as_file = False

    def may_start(user):
        return user.username in Demo.allowed

    def build(user, params, progress):
        row = Export.objects.get(user=user, kind=KIND, status=Export.Status.RUNNING)
        Demo.seen.append(("start", row.progress, user.username, params))
        progress(50)
        Demo.seen.append(("half", Export.objects.get(pk=row.pk).progress))
        progress(250)  # never past 99 while running
        Demo.seen.append(("over", Export.objects.get(pk=row.pk).progress))
        if Demo.fail is not None:
            raise Demo.fail
        if Demo.as_file:
            fh = tempfile.TemporaryFile()
            fh.write(b"written to a file")
            return "演示.csv", fh
        return "演示文件.xlsx", f"hello {params.get('q', '')}".encode()

    Demo.seen = []
    exports.register(KIND, build, title="演示导出", may_start=may_start, back=("工作台", "core:workbench"))
    yield Demo
    exports.REGISTRY.pop(KIND, None)


def _start(user, capture, **params):
    with capture(execute=True):
        return exports.start(user, KIND, params)


def test_a_registered_builder_runs_with_progress_and_its_owner_downloads_the_file(
    demo, user, client_for, django_capture_on_commit_callbacks
):
    export = _start(user("staff"), django_capture_on_commit_callbacks, q="x")
    assert demo.seen == [("start", 1, "staff", {"q": "x"}), ("half", 50), ("over", 99)]
    export.refresh_from_db()
    assert (export.status, export.progress, export.filename) == ("done", 100, "演示文件.xlsx")
    assert export.title == "演示导出" and export.error == "" and export.finished_at is not None
    assert export.file.name.endswith(f"{export.pk}.xlsx")
    entry = AuditEntry.objects.get(action=f"{KIND}.start")
    assert entry.actor.username == "staff" and entry.after == {
        "export": str(export.pk),
        "title": "演示导出",
        "params": {"q": "x"},
    }

    c = client_for("staff")
    page = c.get(reverse("core:export", args=[export.pk])).content.decode()
    assert "hx-trigger" not in page and "100%" in page and 'id="btn-download"' in page
    assert "下载 演示文件.xlsx" in page and reverse("core:workbench") in page and "工作台" in page
    d = c.get(reverse("core:export_download", args=[export.pk]))
    assert d.status_code == 200 and b"".join(d.streaming_content) == b"hello x"
    assert d["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert "attachment" in d["Content-Disposition"] and "no-store" in d["Cache-Control"]

    # a task delivered twice builds the file once
    assert exports.run(str(export.pk)) == "done" and len(demo.seen) == 3


def test_a_builder_may_write_a_file(demo, user, client_for, django_capture_on_commit_callbacks):
    demo.as_file = True
    export = _start(user("staff"), django_capture_on_commit_callbacks)
    export.refresh_from_db()
    assert export.status == "done" and export.filename == "演示.csv"
    d = client_for("staff").get(reverse("core:export_download", args=[export.pk]))
    assert b"".join(d.streaming_content) == b"written to a file" and d["Content-Type"].startswith("text/csv")


def test_a_waiting_or_running_export_page_polls(demo, user, client_for):
    export = Export.objects.create(
        user=user("staff"), kind=KIND, title="演示导出", status="running", progress=40
    )
    c = client_for("staff")
    page = c.get(reverse("core:export", args=[export.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in page and "40%" in page and "生成中" in page
    assert reverse("core:export_progress", args=[export.pk]) in page
    part = c.get(reverse("core:export_progress", args=[export.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in part and "40%" in part and "hx-trigger" in part
    assert c.get(reverse("core:export_download", args=[export.pk])).status_code == 404
    Export.objects.filter(pk=export.pk).update(status="pending", progress=0)
    assert "排队中" in c.get(reverse("core:export_progress", args=[export.pk])).content.decode()


@pytest.mark.parametrize(
    "error, shown",
    [
        (Invalid("所选会次不存在"), "所选会次不存在"),
        (RuntimeError("connection string postgres://secret"), exports.UNEXPECTED),
    ],
)
def test_a_failure_is_shown_on_the_page(
    demo, user, client_for, django_capture_on_commit_callbacks, error, shown
):
    demo.fail = error
    export = _start(user("staff"), django_capture_on_commit_callbacks)
    export.refresh_from_db()
    assert export.status == "failed" and export.error == shown and export.finished_at is not None
    assert not export.file
    c = client_for("staff")
    page = c.get(reverse("core:export", args=[export.pk])).content.decode()
    assert "hx-trigger" not in page and f"生成失败：{shown}" in page and "secret" not in page
    assert c.get(reverse("core:export_download", args=[export.pk])).status_code == 404


def test_only_the_owner_sees_an_export(demo, user, client_for, django_capture_on_commit_callbacks):
    export = _start(user("staff"), django_capture_on_commit_callbacks)
    for other in ("leader", "admin", "member1", "other"):
        c = client_for(other)
        for name in ("core:export", "core:export_progress", "core:export_download"):
            assert c.get(reverse(name, args=[export.pk])).status_code == 404, (other, name)
    # an unknown id and another module's earlier address of a kind it does not serve are 404 too
    c = client_for("staff")
    assert c.get(reverse("core:export", args=["00000000-0000-0000-0000-000000000000"])).status_code == 404
    assert c.get(reverse("members:roster_export_job", args=[export.pk])).status_code == 404
    # the proposals' earlier address serves the same page
    assert c.get(reverse("proposals:export", args=[export.pk])).status_code == 200


def test_who_may_not_ask_cannot_start_nor_fetch_one(
    demo, user, client_for, django_capture_on_commit_callbacks
):
    with pytest.raises(Forbidden):
        exports.start(user("member1"), KIND, {})
    with pytest.raises(NotFound):
        exports.start(user("staff"), "tests.unknown", {})
    assert not Export.objects.filter(kind__startswith="tests.").exists()
    export = _start(user("staff"), django_capture_on_commit_callbacks)
    demo.allowed = {"leader"}  # the right went away: the file is no longer served
    assert client_for("staff").get(reverse("core:export_download", args=[export.pk])).status_code == 404
    # nor built, when it goes while the task waits
    with django_capture_on_commit_callbacks(execute=False) as queued:
        demo.allowed = {"staff"}
        waiting = exports.start(user("staff"), KIND, {})
    demo.allowed, built = set(), len(demo.seen)
    for run in queued:
        run()
    waiting.refresh_from_db()
    assert waiting.status == "failed" and waiting.error == "无权生成“演示导出”。" and len(demo.seen) == built


def test_old_exports_are_purged_daily(demo, user, django_capture_on_commit_callbacks):
    import zhengxie.core.jobs  # noqa: F401
    from zhengxie.core.scheduler import JOBS

    staff = user("staff")
    old, new = (_start(staff, django_capture_on_commit_callbacks) for _ in range(2))
    old.refresh_from_db()
    path = old.file.path
    long_ago = timezone.now() - datetime.timedelta(days=exports.KEEP_DAYS + 1)
    Export.objects.filter(pk=old.pk).update(created_at=long_ago)
    other = Export.objects.create(user=staff, kind="tests.unregistered", title="x", created_at=long_ago)
    assert JOBS["core.purge_exports"].func() == {"exports": 2}
    assert not Export.objects.filter(pk__in=[old.pk, other.pk]).exists()
    assert Export.objects.filter(pk=new.pk).exists() and not os.path.exists(path)

    # a kind registered with a longer keep_days stays that long
    exports.register(
        KIND, exports.REGISTRY[KIND].builder, title="演示导出", may_start=lambda u: True, keep_days=30
    )
    Export.objects.filter(pk=new.pk).update(created_at=long_ago)
    assert exports.purge() == 0
    assert exports.purge(now=timezone.now() + datetime.timedelta(days=30)) == 1
