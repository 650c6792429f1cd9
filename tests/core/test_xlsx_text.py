"""Issue 14, finding 2: every .xlsx is written through core.xlsx, which writes text as text: a title such
as =HYPERLINK(...) reaches the reader as those characters, never as a live formula; and characters a
worksheet cannot hold (left by data stored before the edge refused them) no longer fail an export."""

import datetime
import io

from django.urls import reverse
from openpyxl import load_workbook

from tests.proposals.builders import build
from zhengxie.core import audit, xlsx
from zhengxie.core.models import Export
from zhengxie.proposals.models import Proposal

FORMULA = '=HYPERLINK("http://x","点击")'


def _cells(content: bytes, sheet=None):
    wb = load_workbook(io.BytesIO(content))
    ws = wb[sheet] if sheet else wb.active
    return [cell for row in ws.iter_rows() for cell in row]


def _export_list(client, capture) -> bytes:
    with capture(execute=True):
        r = client.post(reverse("proposals:export_list"))
    export = Export.objects.filter(user__username="staff").latest("created_at")
    assert export.status == Export.Status.DONE, export.error
    assert r.status_code == 200  # a small list is answered as the file at once
    return r.content


def test_a_formula_title_is_text_in_the_proposal_export(client_for, django_capture_on_commit_callbacks):
    build(title=FORMULA)
    build(title="+1 开头的标题")
    cells = _cells(_export_list(client_for("staff"), django_capture_on_commit_callbacks))
    (cell,) = [c for c in cells if c.value == FORMULA]
    assert cell.data_type == "s" and cell.quotePrefix
    (plus,) = [c for c in cells if c.value == "+1 开头的标题"]
    assert plus.data_type == "s" and plus.quotePrefix
    assert not any(c.data_type == "f" for c in cells)


def test_a_formula_is_text_in_the_audit_export(client_for, user):
    p = build(title=FORMULA, status="submitted")  # no number yet: the entry's object reads as the title
    audit.record(user("staff"), "test.formula", p, after={"title": FORMULA})
    r = client_for("auditor").get(reverse("core:audit_export"))
    assert r.status_code == 200
    cells = _cells(r.content, "审计日志")
    (cell,) = [c for c in cells if c.value == FORMULA]
    assert cell.data_type == "s" and cell.quotePrefix
    assert not any(c.data_type == "f" for c in cells)


def test_stored_control_characters_do_not_break_the_export(client_for, django_capture_on_commit_callbacks):
    p = build(title="旧数据")
    # A row stored before the edge refused control characters (both engines keep all but NUL).
    Proposal.objects.filter(pk=p.pk).update(title="旧\x01数据\x0b")
    cells = _cells(_export_list(client_for("staff"), django_capture_on_commit_callbacks))
    assert any(c.value == "旧数据" for c in cells)


def test_the_helper_writes_numbers_as_numbers_and_text_only_as_text():
    book = xlsx.Book()
    s = book.sheet("a")
    s.append(["-5", 7, None, "#N/A", "@SUM(A1)"])
    t = book.sheet("b", text_only=True)
    t.append([7, "=1+1"])
    wb = load_workbook(io.BytesIO(book.save()))
    row = [c for c in wb["a"][1]]
    assert [c.value for c in row] == ["-5", 7, None, "#N/A", "@SUM(A1)"]
    assert [c.data_type for c in row] == ["s", "n", "n", "s", "s"]
    assert [c.value for c in wb["b"][1]] == ["7", "=1+1"] and wb["b"]["B1"].data_type == "s"


def _sheet_of(data: bytes):
    import io

    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(data)).active


def test_a_table_gets_a_frozen_header_filters_and_column_widths():
    from zhengxie.core import xlsx

    book = xlsx.Book()
    sheet = book.sheet("提案列表")
    sheet.append(["青川县政协提案列表"])  # a title line above the table
    sheet.append(["编号", "标题", "提案人"])
    for i in range(120):
        sheet.append([i, "关于加快推进城乡义务教育一体化发展的建议" if i == 3 else "短标题", "张三"])
    ws = _sheet_of(book.save())
    assert ws.freeze_panes == "A3"
    assert ws.auto_filter.ref == "A2:C122"
    # The long Chinese title widens its column; a short column keeps the minimum width.
    assert ws.column_dimensions["B"].width >= 40
    assert ws.column_dimensions["A"].width == 8
    assert ws.cell(row=122, column=1).value == 119


def test_several_tables_in_one_sheet_get_no_filter():
    from zhengxie.core import xlsx

    book = xlsx.Book()
    sheet = book.sheet("统计")
    sheet.append(["类别", "件数"])
    sheet.append(["教育", 3])
    sheet.append([])
    sheet.append(["单位", "件数"])
    sheet.append(["县教育局", 2])
    ws = _sheet_of(book.save())
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref is None


def test_a_date_is_a_date_cell_shown_without_a_time():
    # A 完成时限 of 2026-03-01 reads "2026-03-01" in Excel and still sorts and filters as a date.
    book = xlsx.Book()
    sheet = book.sheet("日期")
    sheet.append(["任务", "完成时限"])
    sheet.append(["修路", datetime.date(2026, 3, 1)])
    cells = _cells(book.save())
    (cell,) = [c for c in cells if c.is_date]
    assert cell.value.date() == datetime.date(2026, 3, 1)
    assert cell.number_format == "yyyy-mm-dd"


def test_no_module_writes_a_workbook_but_the_helper():
    """A new .xlsx writer that builds its own openpyxl Workbook would write '=...' titles as formulas."""
    import pathlib
    import re

    import zhengxie

    root = pathlib.Path(zhengxie.__file__).parent
    own = re.compile(r"\bWorkbook\s*\(")
    writers = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if path != root / "core" / "xlsx.py" and own.search(path.read_text(encoding="utf-8"))
    ]
    assert writers == [], f"write .xlsx through zhengxie.core.xlsx.Book: {writers}"
