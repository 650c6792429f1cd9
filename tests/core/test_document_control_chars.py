"""Issue 14, finding 1 (stored data): rows stored before the edge refused control characters (or restored
from an old backup) no longer break a Word or PDF document. Every .docx is made by
core.documents.docx_document, whose text (runs, paragraphs, table cells, headings, the document's
properties) goes through one sanitizer (core.textguard.printable); every PDF draws with the CJK font of
core.documents, which prints `pdf_text` (the same sanitizer). The .xlsx side: tests/core/test_xlsx_text.py."""

import io
import re
from pathlib import Path

from django.db import connection
from django.urls import reverse
from docx import Document

from tests.proposals.builders import build
from tests.proposals.test_documents import pdf_text
from zhengxie.core import documents
from zhengxie.core.textguard import printable
from zhengxie.proposals.models import Proposal

ROOT = Path(__file__).resolve().parents[2] / "zhengxie"
# Stored before the edge refused them: SQLite keeps a NUL too, PostgreSQL every other control character.
NUL = "\x00" if connection.vendor == "sqlite" else ""
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def test_the_sanitizer_keeps_tab_newline_and_carriage_return():
    assert printable("甲\x00乙\x01丙\x0b丁\x1f\ud800戊\ufffe") == "甲乙丙丁戊"
    assert printable("一\t二\r\n三\n") == "一\t二\r\n三\n"
    assert printable(None) == ""


def test_a_stored_control_character_no_longer_breaks_the_proposal_docx_and_pdf(client_for):
    p = build(title="旧数据")
    Proposal.objects.filter(pk=p.pk).update(title=f"关于\x01旧{NUL}数据的提案", reasons="理由\x02一\n理由二")
    c = client_for("staff")
    r = c.get(reverse("proposals:document", args=[p.pk, "docx"]))
    assert r.status_code == 200 and r["Content-Type"] == DOCX
    doc = Document(io.BytesIO(r.content))
    text = "\n".join(x.text for x in doc.paragraphs)
    cells = [cell.text for t in doc.tables for row in t.rows for cell in row.cells]
    assert "关于旧数据的提案" in cells and "理由一" in text
    assert doc.core_properties.title == "关于旧数据的提案"
    r = c.get(reverse("proposals:document", args=[p.pk, "pdf"]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert "关于旧数据的提案" in pdf_text(r.content)


def test_every_docx_table_cell_and_heading_is_sanitized_too():
    doc = documents.docx_document("仿宋_GB2312")
    doc.add_heading("标\x01题", level=1)
    doc.add_table(rows=1, cols=1).cell(0, 0).text = "单元\x07格"
    documents.docx_paragraph(doc, "正\x00文\t一")
    doc.core_properties.author = "作\x1b者"
    out = io.BytesIO()
    doc.save(out)
    back = Document(io.BytesIO(out.getvalue()))
    assert [p.text for p in back.paragraphs] == ["标题", "正文\t一"]
    assert back.tables[0].cell(0, 0).text == "单元格"
    assert back.core_properties.author == "作者"


def test_a_lone_surrogate_is_dropped_from_a_pdf():
    assert documents.pdf_text("甲\ud800乙\x01𠮷") == "甲乙〓"


def test_every_word_file_of_every_module_is_made_by_the_shared_helper():
    """A module that made its own `docx.Document()` would bypass the sanitizer."""
    own = re.compile(r"\bDocument\(\s*\)|from docx import Document\b|docx\.Document\(\s*\)")
    found = [
        str(path.relative_to(ROOT))
        for path in ROOT.rglob("*.py")
        if path.name != "documents.py" or path.parent.name != "core"
        if own.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []
