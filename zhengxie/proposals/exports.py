"""Files built in the background: the filtered proposal list (.xlsx) and the session's 提案汇编 (.docx / PDF).

A view creates a `core.models.Export` row with `start(...)`; the task fills it in, updating `progress`
(0-100) as it goes, which the progress page polls. Only the export's owner may download the file.
"""

from __future__ import annotations

import io
import logging
import traceback

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from zhengxie.core import audit
from zhengxie.core.models import Export, User

logger = logging.getLogger(__name__)

LIST_XLSX = "proposals.list_xlsx"
COMPILATION = "proposals.compilation"
# Kinds built by other modules (kind -> task), which add themselves here: exports_followup.
RUNNERS: dict = {}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def start(user, *, kind: str, title: str, params: dict) -> Export:
    """Create the export row, record it, and queue the task that builds the file."""
    export = Export.objects.create(
        user=user, organisation=user.organisation, kind=kind, title=title, params=params
    )
    audit.record(
        user, f"{kind}.start", None, after={"export": str(export.pk), "title": title, "params": params}
    )
    runner = {LIST_XLSX: build_list_xlsx, COMPILATION: build_compilation, **RUNNERS}[kind]
    transaction.on_commit(lambda: runner.enqueue(str(export.pk)))
    return export


def _progress(export_id, value: int) -> None:
    Export.objects.filter(pk=export_id, status=Export.Status.RUNNING).update(
        progress=max(0, min(99, int(value)))
    )


def _run(export_id: str, build) -> None:
    export = Export.objects.select_related("user", "user__organisation").get(pk=export_id)
    if export.status == Export.Status.DONE:
        return
    Export.objects.filter(pk=export.pk).update(status=Export.Status.RUNNING, progress=0)
    try:
        data, filename = build(export)
    except Exception as exc:  # the page shows the failure instead of polling forever
        logger.exception("export %s failed", export_id)
        Export.objects.filter(pk=export.pk).update(
            status=Export.Status.FAILED,
            error=f"{exc}"[:500] or traceback.format_exc()[-500:],
            finished_at=timezone.now(),
        )
        return
    export.refresh_from_db()
    export.file.save(f"{export.pk}{filename[filename.rfind('.') :]}", ContentFile(data), save=False)
    export.filename = filename
    export.status = Export.Status.DONE
    export.progress = 100
    export.finished_at = timezone.now()
    export.save(update_fields=["file", "filename", "status", "progress", "finished_at"])


# --------------------------------------------------------------------------- the proposal list

LIST_COLUMNS = [
    "会次",
    "案号",
    "案由",
    "第一提案人",
    "提案人",
    "类别",
    "类型",
    "状态",
    "主办单位",
    "会办单位",
    "办理期限",
    "督办灯",
    "重点提案",
    "提交时间",
    "答复时间",
]


def list_rows(proposals):
    from .documents import units_label

    for p in proposals:
        signers = [s.member.name for s in p.signers.all() if s.status == "agreed" or s.role == "lead"]
        lead_units = [a.unit.name for a in getattr(p, "active_assignments", []) if a.role != "co"]
        co_units = [a.unit.name for a in getattr(p, "active_assignments", []) if a.role == "co"]
        if not hasattr(p, "active_assignments"):
            lead, co = units_label(p)
            lead_units, co_units = [lead] if lead else [], [co] if co else []
        yield [
            p.session.name,
            p.number_label if p.number else "",
            p.title,
            p.lead_member.name if p.lead_member_id else str(p.author),
            "、".join(signers) or p.collective_body,
            p.category,
            p.get_kind_display(),
            p.get_status_display(),
            "、".join(lead_units),
            "、".join(co_units),
            p.deadline.isoformat() if p.deadline else "",
            p.get_light_display() if p.light else "",
            "是" if p.is_key else "",
            _dt(p.submitted_at),
            _dt(p.replied_at),
        ]


def _dt(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


@task()
def build_list_xlsx(export_id: str) -> None:
    def build(export):
        from openpyxl import Workbook

        from .forms import ProposalFilterForm
        from .selectors import proposal_list

        user = User.objects.select_related("organisation", "handling_unit").get(pk=export.user_id)
        form = ProposalFilterForm(export.params, user=user)
        qs = proposal_list(user, **form.filters())
        total = qs.count() or 1
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("提案列表")
        ws.append(LIST_COLUMNS)
        for i, row in enumerate(list_rows(qs.iterator(chunk_size=500)), 1):
            ws.append(row)
            if i % 200 == 0:
                _progress(export.pk, 95 * i / total)
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue(), f"提案列表-{timezone.localdate():%Y%m%d}.xlsx"

    _run(export_id, build)


# --------------------------------------------------------------------------- 提案汇编


@task()
def build_compilation(export_id: str) -> None:
    _run(export_id, _compile)


def _compile(export):
    from zhengxie.core.permissions import org_scope_q
    from zhengxie.members.models import Session

    from . import documents

    user = User.objects.select_related("organisation").get(pk=export.user_id)
    session = (
        Session.objects.filter(org_scope_q(user))
        .select_related("organisation")
        .get(pk=export.params["session"])
    )
    fmt = export.params.get("format", "docx")
    proposals = documents.compilation_proposals(session)
    _progress(export.pk, 5)

    def progress(done, total):
        _progress(export.pk, 5 + 90 * done / max(total, 1))

    if fmt == "pdf":
        data = documents.compilation_pdf(session, proposals, progress=progress)
    else:
        data = documents.compilation_docx(session, proposals, progress=progress)
    return data, f"{session.name}提案汇编.{fmt}"
