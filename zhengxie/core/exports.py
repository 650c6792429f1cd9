"""One pipeline for files built in the background (exports, compilations, reports) of every module.

A module registers each kind of file once, next to the code that builds it:

    exports.register(
        "proposals.list_xlsx", build_list, title="提案列表导出", may_start=can_export_list,
        back=("全部提案", "proposals:list"),
    )

where `build_list(user, params, progress)` returns `(filename, content)` - `content` being bytes or a
binary file object (e.g. a temporary file the builder wrote) - and calls `progress(percent)` as it goes.

`start(user, kind, params, title)` checks `may_start(user)`, creates the `core.models.Export` row, records
it in the audit log (`<kind>.start`) and queues `core.tasks.run_export_task`, which calls `run`: the row
goes running (progress 1..99 while the builder works), then done (progress 100, the file stored) or
failed (with the message shown on the page). One progress page (`core:export`, polled through htmx)
offers the file (`core:export_download`) to the export's owner only, while the kind's `may_start` still
lets them; anybody else gets 404. `core.jobs.purge_exports` deletes every kind's exports (rows and files)
after `keep_days`.

The builders of an app are registered when its `tasks` module is imported (the app's background work);
a worker that meets an unknown kind imports every app's `tasks` module once before giving up.

Every export button's view answers through `respond(request, kind, params, title)`. A kind says how big
a request is (`size(user, params) -> rows`; a document counts `PAGE_ROWS` rows a proposal or a page of
its own): up to `settings.EXPORT_INLINE_MAX_ROWS` rows (environment variable of the same name, default
2000) the file is built in the request itself and answered as the download at once (a 7-row list should
not wait seconds for a worker); bigger ones, and kinds that do not say their size, go to the background
and the view sends the user to the progress page. Either way the export row, its audit entry and its
file are the same (the file can be downloaded again from the export page while it is kept).
"""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Callable
from dataclasses import dataclass

from django.core.files.base import ContentFile, File
from django.db import transaction
from django.utils import timezone

from . import audit
from .errors import Forbidden, NotFound
from .models import Export, User

logger = logging.getLogger(__name__)

# A proposal of the 提案汇编 or a target of the 评议汇编 (its own pages) costs about as much to build as
# this many rows of a list (~40 ms against ~2 ms, measured on the demo): what `size` counts for them.
PAGE_ROWS = 20
KEEP_DAYS = 7  # exports hold personal data (names, phone and ID numbers): kept a week, then deleted
UNEXPECTED = "生成文件时发生意外错误"
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "csv": "text/csv",
    "zip": "application/zip",
}

Progress = Callable[[float], None]
Builder = Callable[[User, dict, Progress], tuple]


@dataclass(frozen=True)
class Kind:
    kind: str
    builder: Builder
    title: str
    may_start: Callable[[User], bool]
    keep_days: int = KEEP_DAYS
    back: tuple[str, str] | None = None  # (label, URL name) of the page the progress page links back to
    size: Callable[[User, dict], int] | None = None  # rows the export would hold (None: always background)


REGISTRY: dict[str, Kind] = {}
_discovered = False


def register(
    kind: str,
    builder: Builder | None = None,
    *,
    title: str,
    may_start: Callable[[User], bool],
    keep_days: int = KEEP_DAYS,
    back: tuple[str, str] | None = None,
    size: Callable[[User, dict], int] | None = None,
):
    """Register how one kind of file is built and who may ask for it; usable as a decorator too."""

    def add(func: Builder) -> Builder:
        REGISTRY[kind] = Kind(kind, func, title, may_start, keep_days, back, size)
        return func

    return add(builder) if builder is not None else add


def _discover() -> None:
    """Import every app's `tasks` module (once), which registers the builders of the apps."""
    global _discovered
    if not _discovered:
        from django.utils.module_loading import autodiscover_modules

        _discovered = True
        autodiscover_modules("tasks")


def get(kind: str) -> Kind | None:
    """The registered kind (None for an unknown one, after looking in every app's `tasks` module)."""
    if kind not in REGISTRY:
        _discover()
    return REGISTRY.get(kind)


def may_start(user, kind: str) -> bool:
    spec = get(kind)
    return bool(spec is not None and user.is_authenticated and spec.may_start(user))


def start(user, kind: str, params: dict | None = None, title: str | None = None) -> Export:
    """Create the export row (if the user may), record it, and queue the task that builds the file."""
    from .tasks import run_export_task

    spec = get(kind)
    if spec is None:
        raise NotFound(f"未知的导出类型：{kind}")
    if not spec.may_start(user):
        raise Forbidden(f"无权生成“{spec.title}”。")
    params = dict(params or {})
    title = title or spec.title
    with transaction.atomic():
        export = Export.objects.create(
            user=user, organisation=user.organisation, kind=kind, title=title, params=params
        )
        audit.record(
            user, f"{kind}.start", None, after={"export": str(export.pk), "title": title, "params": params}
        )
        small = inline(spec, user, params)
        if not small:
            transaction.on_commit(lambda: run_export_task.enqueue(str(export.pk)))
    if small:
        run(str(export.pk))
        export.refresh_from_db()
    return export


def inline(spec: Kind, user, params: dict) -> bool:
    """Whether this export is small enough (at most EXPORT_INLINE_MAX_ROWS rows) to build in the request."""
    from django.conf import settings

    if spec.size is None:
        return False
    try:
        rows = spec.size(user, params)
    except Exception:  # noqa: BLE001 - the background builder meets the same problem and shows it
        logger.exception("export %s: its size could not be counted", spec.kind)
        return False
    return rows is not None and rows <= settings.EXPORT_INLINE_MAX_ROWS


def respond(request, kind: str, params: dict | None = None, title: str | None = None):
    """The answer of an export button: a small export's file at once (built in this request), else the
    progress page of the background export. Who may not start the kind gets 404 (like a page they have no
    business with); a small export that failed shows its error on the export page."""
    from django.http import Http404
    from django.shortcuts import redirect

    try:
        export = start(request.user, kind, params, title)  # NotFound is a 404 already
    except Forbidden as exc:
        raise Http404(exc.message) from exc
    if export.status == Export.Status.DONE:
        resp = file_response(export, stream=False)
        if resp is not None:
            return resp
    return redirect("core:export", export.pk)


def file_response(export: Export, *, stream: bool = True):
    """The export's file as a download (None when it is gone); `stream=False` reads it into the response
    (a small file answered in the request that built it)."""
    from django.http import FileResponse

    from .documents import file_response as bytes_response

    if export.status != Export.Status.DONE or not export.file:
        return None
    try:
        fh = export.file.open("rb")
    except FileNotFoundError:
        return None
    if stream:
        resp = FileResponse(
            fh, as_attachment=True, filename=export.filename, content_type=content_type(export.filename)
        )
    else:
        with fh:
            resp = bytes_response(fh.read(), export.filename, content_type(export.filename))
    resp["Cache-Control"] = "private, no-store"
    return resp


def progress_setter(export_id) -> Progress:
    """`progress(percent)` for a builder: stored as 1..99 while the export runs (100 means done)."""

    def progress(value: float) -> None:
        Export.objects.filter(pk=export_id, status=Export.Status.RUNNING).update(
            progress=max(1, min(99, int(value))), updated_at=timezone.now()
        )

    return progress


def run(export_id: str) -> str:
    """Build the file of a queued export; returns the export's status. A row already taken (running,
    done or failed) is left alone, so a task delivered twice builds the file once."""
    S = Export.Status
    if not Export.objects.filter(pk=export_id, status=S.PENDING).update(
        status=S.RUNNING, progress=1, updated_at=timezone.now()
    ):
        return Export.objects.filter(pk=export_id).values_list("status", flat=True).first() or ""
    export = Export.objects.get(pk=export_id)
    try:
        spec = get(export.kind)
        if spec is None:
            raise NotFound(f"未知的导出类型：{export.kind}")
        user = User.objects.select_related("organisation", "handling_unit").get(pk=export.user_id)
        if not spec.may_start(user):  # the right may have gone while the task waited
            raise Forbidden(f"无权生成“{spec.title}”。")
        filename, content = spec.builder(user, dict(export.params), progress_setter(export.pk))
    except Exception as exc:  # noqa: BLE001 - the page shows the failure instead of polling forever
        logger.exception("export %s (%s) failed", export_id, export.kind)
        message = (getattr(exc, "message", "") or UNEXPECTED)[:500]
        running = Export.objects.filter(pk=export.pk, status=S.RUNNING)
        running.update(status=S.FAILED, error=message, finished_at=timezone.now())
        return S.FAILED
    return S.DONE if _store(export, filename, content) else S.FAILED


STALE = "后台任务中断：生成过程超过 {minutes} 分钟没有进展（服务可能已重启），请点击“重新生成”。"


def fail_stale(now=None, minutes: int | None = None) -> int:
    """Running exports whose worker has given no sign of life (start, progress) for `minutes`
    (EXPORT_STALE_MINUTES) are marked failed with a message the page shows next to a retry button: a
    worker killed mid-build (kill -9, out of memory, a restart) would otherwise leave them running for
    ever. Progress from a worker that was only slow finds the row failed and is ignored (progress
    updates touch running rows only)."""
    import datetime

    from django.conf import settings
    from django.db.models import Q

    now = now or timezone.now()
    minutes = minutes or settings.EXPORT_STALE_MINUTES
    cutoff = now - datetime.timedelta(minutes=minutes)
    silent = Q(updated_at__lt=cutoff) | Q(updated_at__isnull=True, created_at__lt=cutoff)
    stale = Export.objects.filter(silent, status=Export.Status.RUNNING)
    return stale.update(status=Export.Status.FAILED, error=STALE.format(minutes=minutes), finished_at=now)


def retry(user, export: Export) -> Export:
    """A failed export started again with the same kind, parameters and title (a new row, audited)."""
    from .errors import Conflict

    if export.user_id != user.pk:
        raise NotFound("未找到")
    if export.status != Export.Status.FAILED:
        raise Conflict("只有失败的导出可以重新生成。")
    return start(user, export.kind, dict(export.params), export.title)


def _store(export: Export, filename: str, content) -> bool:
    """Store the built file on a running export and mark it done. An export failed meanwhile (taken for
    dead by `fail_stale`: its owner was told to retry) stays failed and the late file is dropped."""
    suffix = filename[filename.rfind(".") :] if "." in filename else ""
    if isinstance(content, (bytes, bytearray, memoryview)):
        export.file.save(f"{export.pk}{suffix}", ContentFile(bytes(content)), save=False)
    else:  # a binary file object the builder wrote
        try:
            content.seek(0)
            export.file.save(f"{export.pk}{suffix}", File(content), save=False)
        finally:
            content.close()
    done = Export.objects.filter(pk=export.pk, status=Export.Status.RUNNING).update(
        file=export.file.name,
        filename=filename,
        status=Export.Status.DONE,
        progress=100,
        finished_at=timezone.now(),
        error="",
    )
    if not done:
        logger.warning("export %s finished after it was failed as stale: its file is dropped", export.pk)
        export.file.delete(save=False)
    return bool(done)


def content_type(filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return CONTENT_TYPES.get(ext) or mimetypes.guess_type(filename)[0] or "application/octet-stream"


def purge(now=None) -> int:
    """Delete the exports (rows and files) older than their kind's `keep_days`; unknown kinds are kept
    KEEP_DAYS. Returns how many were deleted."""
    import datetime

    from django.db.models import Q

    _discover()
    now = now or timezone.now()
    special = {k: spec.keep_days for k, spec in REGISTRY.items() if spec.keep_days != KEEP_DAYS}
    old = Q(created_at__lt=now - datetime.timedelta(days=KEEP_DAYS)) & ~Q(kind__in=list(special))
    for kind, days in special.items():
        old |= Q(kind=kind, created_at__lt=now - datetime.timedelta(days=days))
    exports = list(Export.objects.filter(old).only("pk", "file"))
    for export in exports:
        if export.file:
            export.file.delete(save=False)
    Export.objects.filter(pk__in=[e.pk for e in exports]).delete()
    return len(exports)
