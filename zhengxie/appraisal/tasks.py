"""Background work of 民主评议: the illustrated 汇编 (.docx or PDF) is built by the core's one export task;
its builder is registered here (core.exports)."""

from __future__ import annotations

from zhengxie.core import exports as core_exports
from zhengxie.core.errors import Forbidden

from . import documents, rules, selectors

BOOKLET = "appraisal.booklet"


def may_compile(user) -> bool:
    return rules.is_reader(user)


def build_booklet(user, params: dict, progress) -> tuple:
    """The booklet; a .docx is written to a temporary file (documents.booklet streams it)."""
    import tempfile

    r = selectors.get(user, params.get("round"))
    if not rules.can_see_details(user, r):
        raise Forbidden("无权生成该评议汇编。")
    res = selectors.results(user, r)
    ids = [t.pk for t in res["targets"]]
    fmt = "pdf" if params.get("format") == "pdf" else "docx"
    progress(5)
    out = None if fmt == "pdf" else tempfile.TemporaryFile()
    try:
        data = documents.booklet(
            r,
            res["targets"],
            selectors.notes_by_target(r, ids),
            selectors.photos_by_target(r, ids, limit=4),
            progress,
            fmt=fmt,
            out=out,
        )
    except BaseException:
        if out is not None:
            out.close()
        raise
    return f"{r.title}评议汇编.{fmt}", data if out is None else out


def booklet_size(user, params: dict) -> int:
    """Each target of the booklet counts core.exports.PAGE_ROWS rows (its figures, notes and photos)."""
    return selectors.get(user, params.get("round")).targets.count() * core_exports.PAGE_ROWS


core_exports.register(
    BOOKLET,
    build_booklet,
    title="民主评议汇编",
    may_start=may_compile,
    back=("民主评议", "appraisal:list"),
    size=booklet_size,
)
