"""The generated 视察/调研 report (.docx on the A4 公文 page, core.documents): the title (关于……的视察报告 /
调研报告), the issuing committee, then 一、基本情况 (background, leader, members, visits with their places,
dates and attendance), 二、发现的主要问题 (the findings, then their photos across the page with captions:
core.documents.docx_photo, as the 民主评议 汇编 sets its photos), 三、意见建议 (the numbered recommendations), the
summary when given, and the writers (执笔人)."""

from __future__ import annotations

import io

from django.db.models import Count, Q
from django.utils import timezone

from zhengxie.core.documents import attachment_photo, docx_document, docx_paragraph, docx_photo, paragraphs

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
NUMBERS = "一二三四五六七八九十"
PHOTOS_IN_REPORT = 30  # photos set in the report; any more are counted
MAX_PHOTO_HEIGHT_CM = 12  # a portrait photo is narrowed to this height


def _cn_date(d) -> str:
    """2026年12月4日, as the date under the report (公文 dates carry no leading zeros)."""
    return f"{d.year}年{d.month}月{d.day}日"


def _para(doc, text="", *, center=False, indent=True, **kw):
    """A 公文 paragraph (core.documents.docx_paragraph), indented unless centred."""
    return docx_paragraph(doc, text, align="center" if center else None, indent=indent and not center, **kw)


def visit_rows(topic) -> list:
    """The topic's visits with their meetings and attendance counts (one query)."""
    from zhengxie.activities.models import Invitation

    from .models import Visit

    A = Invitation.Attendance
    return list(
        Visit.objects.filter(topic=topic)
        .select_related("meeting")
        .annotate(
            invited=Count("meeting__invitations"),
            present=Count("meeting__invitations", filter=Q(meeting__invitations__attendance=A.PRESENT)),
            on_leave=Count("meeting__invitations", filter=Q(meeting__invitations__attendance=A.ON_LEAVE)),
            absent=Count("meeting__invitations", filter=Q(meeting__invitations__attendance=A.ABSENT)),
        )
        .order_by("meeting__starts_at", "id")
    )


def _caption(n: int, f, texts: list) -> str:
    """图n　the finding's text (or 现场照片) — 问题k when it is listed above —, who took it and when."""
    text = f.content.strip()
    if len(text) > 40:
        text = text[:39] + "…"
    listed = f"（问题{texts.index(f) + 1}）" if f in texts else ""
    when = _cn_date(timezone.localtime(f.at))
    who = getattr(f.author, "name", "") or f.author.username
    return f"图{n}　{text or '现场照片'}{listed}（{who}摄于{when}）"


def _photos(doc, with_photo: list, texts: list) -> None:
    """The findings' photos under the problems, each the text width wide (a portrait one no taller than
    MAX_PHOTO_HEIGHT_CM) with its caption; past PHOTOS_IN_REPORT the rest are counted, not set. A photo
    whose file cannot be read is left out (the report is still made)."""
    from docx.shared import Cm

    shown = [(f, img) for f in with_photo[:PHOTOS_IN_REPORT] if (img := attachment_photo(f.photo))]
    if shown:
        _para(doc, "现场照片：")
    for n, (f, img) in enumerate(shown, 1):
        docx_photo(doc, img, caption=_caption(n, f, texts), max_height=Cm(MAX_PHOTO_HEIGHT_CM))
    rest = len(with_photo) - PHOTOS_IN_REPORT
    if rest > 0:
        _para(doc, f"另有现场照片{rest}张，存于平台课题页面。")


def report_docx(topic, *, writers, summary="") -> bytes:
    label = topic.get_kind_display()
    members = list(topic.members.order_by("name"))
    findings = list(topic.findings.select_related("author", "photo").order_by("at", "id"))
    recs = list(topic.recommendations.order_by("number"))
    visits = visit_rows(topic)
    doc = docx_document("仿宋_GB2312")
    _para(doc, f"关于{topic.title}的{label}报告", size=22, bold=True, center=True, name="方正小标宋简体")
    org = topic.organisation
    _para(doc, f"{org.name}{'（主席集体' + label + '）' if topic.chair_collective else ''}", center=True)
    _para(doc)
    n = 0

    def heading(text):
        nonlocal n
        _para(doc, f"{NUMBERS[n]}、{text}", bold=True, name="黑体")
        n += 1

    heading("基本情况")
    when = ""
    if topic.starts_on:
        when = _cn_date(topic.starts_on)
        if topic.ends_on:
            when += f"至{_cn_date(topic.ends_on)}"
    _para(
        doc,
        f"根据{topic.year}年度工作安排，{when and when + '，'}由{topic.leader.name}带队，"
        f"{topic.unit_label}牵头，组织{len(members)}位委员（{'、'.join(m.name for m in members) or '—'}）"
        f"围绕“{topic.title}”开展{label}。",
    )
    for text in paragraphs(topic.background):
        _para(doc, text)
    if visits:
        for i, v in enumerate(visits, 1):
            m = v.meeting
            _para(
                doc,
                f"{i}. {_cn_date(timezone.localtime(m.starts_at))}，{v.site or m.place or '现场'}："
                f"应到{v.invited}人，出席{v.present}人，请假{v.on_leave}人。",
            )
    elif topic.sites:
        _para(doc, "视察调研地点：" + "、".join(topic.sites) + "。")
    heading("发现的主要问题")
    texts = [f for f in findings if f.content]
    if texts:
        for i, f in enumerate(texts, 1):
            _para(doc, f"{i}. {f.content}")
    else:
        _para(doc, "（未记录）")
    _photos(doc, [f for f in findings if f.photo_id], texts)
    heading("意见建议")
    if recs:
        for r in recs:
            _para(doc, f"（{NUMBERS[r.number - 1] if r.number <= 10 else r.number}）{r.content}")
    else:
        _para(doc, "（无）")
    if summary:
        heading("结语")
        for text in paragraphs(summary):
            _para(doc, text)
    _para(doc)
    _para(doc, "执笔人：" + ("、".join(w.name for w in writers) or "—"), indent=False)
    today = timezone.localdate()
    docx_paragraph(doc, f"{today.year}年{today.month}月{today.day}日", align="right")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
