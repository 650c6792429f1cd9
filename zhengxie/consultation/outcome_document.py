"""The outcome report (协商成果报告) as an official .docx on the A4 公文 page.

Layout, top to bottom: the red masthead (协商成果专报) and the issuing committee and date over a red rule;
the title (关于……的协商成果) in 小标宋; the form and date of the consultation; the summary in paragraphs;
the recommendations numbered 一、二、… (with the unit each was assigned to); the leaders' 批示 if any; last
the 版记: 报：<sent_to> and who issued it when, between black rules. The wording helpers come from the
社情民意 issue (opinions/documents.py), so both read alike.
"""

from __future__ import annotations

import io

from django.utils import timezone

from zhengxie.core.documents import docx_document, paragraphs
from zhengxie.opinions.documents import RED, _para, _rule, _two_ends, cn_number
from zhengxie.opinions.models import LEVEL_LABELS
from zhengxie.proposals.documents import committee_title

from .models import Outcome


def _date(value) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def issuing_body(outcome: Outcome) -> str:
    return f"{committee_title(outcome.consultation.organisation)}办公室"


def issue_date(outcome: Outcome) -> str:
    return _date(timezone.localtime(outcome.sent_at or outcome.created_at or timezone.now()))


def filename(outcome: Outcome) -> str:
    return f"{outcome.title}.docx".replace("/", "／")


def outcome_docx(outcome: Outcome, recommendations=None, instructions=None) -> bytes:
    """The report; `recommendations` and `instructions` as loaded by selectors_outcomes (else loaded here)."""
    from . import selectors_outcomes as sel

    c = outcome.consultation
    recs = sel.recommendations(outcome) if recommendations is None else list(recommendations)
    notes = sel.instructions(outcome) if instructions is None else list(instructions)
    doc = docx_document("仿宋_GB2312")

    # 版头
    _para(doc, "协商成果专报", size=36, bold=True, align="center", color=RED, name="方正小标宋简体")
    _para(doc)
    head = _two_ends(doc, issuing_body(outcome), issue_date(outcome))
    _rule(head, RED, size=24)
    _para(doc)

    # 正文
    _para(doc, outcome.title, size=22, align="center", name="方正小标宋简体")
    held = f"（{c.get_form_display()}" + (f"，{_date(c.held_on)}" if c.held_on else "") + "）"
    _para(doc, held, size=14, align="center", name="楷体_GB2312")
    _para(doc)
    for text in paragraphs(outcome.summary):
        _para(doc, text, size=16, indent=True, align="justify")
    if recs:
        _para(doc, "主要建议", size=16, bold=True, name="黑体")
        for n, r in enumerate(recs, 1):
            lines = paragraphs(r.content) or [""]
            _para(doc, f"{cn_number(n)}、{lines[0]}", size=16, indent=True, align="justify")
            for text in lines[1:]:
                _para(doc, text, size=16, indent=True, align="justify")
            if r.unit_id:
                _para(doc, f"（建议承办单位：{r.unit.name}）", size=14, align="right", name="楷体_GB2312")
    if notes:
        _para(doc)
        _para(doc, "领导批示", size=16, bold=True, name="黑体")
        for i in notes:
            _para(
                doc,
                f"{i.leader}（{LEVEL_LABELS.get(i.level, i.level)}，{_date(i.given_on)}）：{i.content}",
                size=16,
                indent=True,
                align="justify",
            )
    _para(doc)

    # 版记
    sent = _para(doc, f"报：{outcome.sent_to or '—'}", size=14)
    _rule(sent, "000000", size=8, where="top")
    _rule(sent, "000000", size=4)
    printed = _two_ends(doc, issuing_body(outcome), f"{issue_date(outcome)}印发")
    _rule(printed, "000000", size=8)

    doc.core_properties.title = outcome.title
    doc.core_properties.author = issuing_body(outcome)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
