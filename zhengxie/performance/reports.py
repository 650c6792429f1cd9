"""The annual duty report (年度履职报告) of a member: .docx (python-docx) and PDF (reportlab, built-in CID
font STSong-Light, so no font file is needed). Both take the dict `selectors.archive` returns and give bytes.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.utils import timezone

from zhengxie.core.documents import cjk_font

from . import acts as A


def _committee_title(member) -> str:
    org = member.organisation
    region = (getattr(org, "region", "") or "").strip()
    return f"政协{region}委员会" if region else str(org)


def _rank(rank) -> str:
    return f"第 {rank} 名" if rank else "暂未排名（本年度尚无积分）"


def _summary_lines(data) -> list[str]:
    member, score, ranks = data["member"], data["score"], data["ranks"]
    lines = [
        f"委员：{member.name}　　界别：{member.sector}　　"
        f"{'联络组：' + member.liaison_group.short_name if member.liaison_group_id else ''}",
        f"年度：{data['year']}　　积分方案：{data['scheme'].name}",
        f"年度总分：{score.total} 分　　等次：{score.grade}　　"
        f"界别排名：{_rank(ranks['sector'])}（共 {ranks['sector_size']} 人）",
    ]
    if ranks["committees"]:
        lines.append(
            "专委会排名："
            + "；".join(
                f"{c['committee'].name} {_rank(c['rank'])}（共 {c['size']} 人）" for c in ranks["committees"]
            )
        )
    if score.base_points:
        lines.append(f"基础分 {score.base_points} 分。")
    return lines


def _category_rows(data):
    rows = []
    for v in data["score"].by_category.values():
        cap = "" if v["cap"] is None else f"{v['cap']}"
        rows.append([v["label"], f"{v['raw']}", cap, f"{v['points']}"])
    return rows


def _record_rows(data):
    return [
        [r.occurred_on.strftime("%Y-%m-%d"), A.label(r.act), r.source_repr or r.note or "", f"{r.points}"]
        for r in sorted(data["records"], key=lambda r: (r.occurred_on, r.pk))
    ]


def _counts(data) -> str:
    counts = {}
    for r in data["records"]:
        counts[r.act] = counts.get(r.act, 0) + 1
    return "；".join(
        f"{A.label(a)} {n} {A.ACTS[a][2]}" for a, n in sorted(counts.items(), key=lambda x: -x[1])
    )


def report_docx(data) -> bytes:
    """The 履职报告 on the A4 公文 page: 方正小标宋 title, 黑体 headings, 仿宋 body, page numbers."""
    from zhengxie.core.documents import docx_document, docx_font, docx_paragraph

    doc = docx_document("仿宋_GB2312")
    member = data["member"]
    docx_paragraph(
        doc,
        f"{_committee_title(member)}委员{data['year']}年度履职报告",
        size=22,
        align="center",
        name="方正小标宋简体",
    )
    docx_paragraph(doc)
    for line in _summary_lines(data):
        docx_paragraph(doc, line, size=14)

    def heading(text):
        docx_paragraph(doc, text, size=16, name="黑体")

    def table(header, rows):
        t = doc.add_table(rows=1, cols=len(header))
        t.style = "Table Grid"
        for cell, text in zip(t.rows[0].cells, header, strict=True):
            docx_font(cell.paragraphs[0].add_run(text), size=10.5, bold=True, name="黑体")
        for row in rows:
            for cell, text in zip(t.add_row().cells, row, strict=True):
                docx_font(cell.paragraphs[0].add_run(str(text)), size=10.5, name="仿宋_GB2312")

    heading("一、履职概况")
    docx_paragraph(doc, _counts(data) or "本年度暂无履职记录。", indent=True)
    heading("二、分类得分")
    table(["类别", "累计分", "上限", "计入分"], _category_rows(data))
    heading("三、履职记录明细")
    table(["日期", "履职事项", "来源/说明", "积分"], _record_rows(data))
    if data["warnings"]:
        heading("四、履职提醒")
        for w in data["warnings"]:
            docx_paragraph(doc, f"{w['label']}（{w['step']}）", indent=True)
    docx_paragraph(doc)
    docx_paragraph(doc, f"生成日期：{timezone.localdate():%Y年%m月%d日}", size=14, align="right")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def report_pdf(data) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    body = ParagraphStyle("body", fontName=cjk_font(), fontSize=10.5, leading=16, wordWrap="CJK")
    h1 = ParagraphStyle("h1", parent=body, fontSize=17, leading=26, alignment=1, spaceAfter=8)
    h2 = ParagraphStyle("h2", parent=body, fontSize=12.5, leading=20, spaceBefore=8, spaceAfter=4)
    cell = ParagraphStyle("cell", parent=body, fontSize=9, leading=12)
    member = data["member"]
    story = [Paragraph(escape(f"{_committee_title(member)}委员{data['year']}年度履职报告"), h1)]
    story += [Paragraph(escape(line), body) for line in _summary_lines(data)]

    def table(header, rows, widths):
        t = Table(
            [[Paragraph(escape(str(c)), cell) for c in r] for r in [header] + rows],
            colWidths=widths,
            repeatRows=1,
        )
        t.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        return t

    story += [Paragraph("一、履职概况", h2), Paragraph(escape(_counts(data) or "本年度暂无履职记录。"), body)]
    story += [
        Paragraph("二、分类得分", h2),
        table(
            ["类别", "累计分", "上限", "计入分"], _category_rows(data), [50 * mm, 35 * mm, 35 * mm, 35 * mm]
        ),
    ]
    story += [
        Paragraph("三、履职记录明细", h2),
        table(
            ["日期", "履职事项", "来源/说明", "积分"],
            _record_rows(data) or [["", "暂无记录", "", ""]],
            [25 * mm, 45 * mm, 85 * mm, 20 * mm],
        ),
    ]
    if data["warnings"]:
        story.append(Paragraph("四、履职提醒", h2))
        story += [Paragraph(escape(f"· {w['label']}（{w['step']}）"), body) for w in data["warnings"]]
    story += [Spacer(1, 8 * mm), Paragraph(escape(f"生成日期：{timezone.localdate():%Y年%m月%d日}"), body)]
    buf = io.BytesIO()
    SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"{member.name} {data['year']}年度履职报告",
    ).build(story)
    return buf.getvalue()
