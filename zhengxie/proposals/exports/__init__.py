"""Files built in the background: the filtered proposal list (.xlsx) and the session's 提案汇编 (.docx / PDF).

Both are kinds of the one export pipeline (`zhengxie.core.exports`): a view calls `core.exports.start`,
the core task calls the builder here with a `progress(percent)` callback, and the core's progress page
offers the file to its owner. The 落实台账 export registers itself the same way (exports/followup.py).
"""

from __future__ import annotations

from django.utils import timezone

from zhengxie.core import exports as core_exports
from zhengxie.core.models import Role
from zhengxie.core.xlsx import Book

LIST_XLSX = "proposals.list_xlsx"
COMPILATION = "proposals.compilation"
XLSX = core_exports.CONTENT_TYPES["xlsx"]
DOCX = core_exports.CONTENT_TYPES["docx"]
# Who may export the proposal list: the statistics roles and the handling units.
LIST_ROLES = (Role.STAFF, Role.LEADER, Role.SYSADMIN, Role.UNIT_HANDLER, Role.UNIT_HEAD)


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
    from ..documents import units_label

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


def may_export_list(user) -> bool:
    return user.has_role(*LIST_ROLES)


def _list(user, params: dict):
    from ..forms import ProposalFilterForm
    from ..selectors import proposal_list

    return proposal_list(user, **ProposalFilterForm(params, user=user).filters())


def list_size(user, params: dict) -> int:
    return _list(user, params).count()


def build_list_xlsx(user, params: dict, progress) -> tuple[str, bytes]:
    """The proposal list with the list page's filters (`params`), as the user sees it."""
    qs = _list(user, params)
    total = qs.count() or 1
    book = Book()
    ws = book.sheet("提案列表")
    ws.append(LIST_COLUMNS)
    for i, row in enumerate(list_rows(qs.iterator(chunk_size=500)), 1):
        ws.append(row)
        if i % 200 == 0:
            progress(95 * i / total)
    return f"提案列表-{timezone.localdate():%Y%m%d}.xlsx", book.save()


# --------------------------------------------------------------------------- 提案汇编


def may_compile(user) -> bool:
    from ..rules import is_proposal_office

    return is_proposal_office(user)


def _session(user, params: dict):
    from zhengxie.core.permissions import org_scope_q
    from zhengxie.members.models import Session

    return Session.objects.filter(org_scope_q(user)).select_related("organisation").get(pk=params["session"])


def compilation_size(user, params: dict) -> int:
    """Each proposal of the compilation counts core.exports.PAGE_ROWS rows (it prints on its own pages)."""
    from .. import documents

    return documents.compilation_count(_session(user, params)) * core_exports.PAGE_ROWS


def build_compilation(user, params: dict, progress) -> tuple:
    """The session's registered proposals by number, with a cover and contents (params: session, format).
    Both formats are streamed to a temporary file (flat memory, linear time: documents.compilation_docx,
    documents.compilation_pdf);
    progress is stored when its percent changes (at most ~90 updates of the export row)."""
    import tempfile

    from .. import documents

    session = _session(user, params)
    fmt = params.get("format", "docx")
    progress(5)
    shown = [5]

    def step(done, total):
        percent = int(5 + 90 * done / max(total, 1))
        if percent > shown[0]:
            shown[0] = percent
            progress(percent)

    build = documents.compilation_pdf if fmt == "pdf" else documents.compilation_docx
    out = tempfile.TemporaryFile()
    try:
        build(session, progress=step, out=out)
    except BaseException:
        out.close()
        raise
    return f"{session.name}提案汇编.{'pdf' if fmt == 'pdf' else 'docx'}", out


core_exports.register(
    LIST_XLSX,
    build_list_xlsx,
    title="提案列表导出",
    may_start=may_export_list,
    back=("全部提案", "proposals:list"),
    size=list_size,
)
core_exports.register(
    COMPILATION,
    build_compilation,
    title="提案汇编",
    may_start=may_compile,
    back=("提案汇编", "proposals:compilation"),
    size=compilation_size,
)
