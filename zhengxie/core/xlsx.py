"""The one way the platform writes .xlsx files: every text is written as text.

A title such as `=HYPERLINK("http://…","点击查看详情")` must reach the reader as those characters, never as
a live formula (formula injection): strings are stored as string cells (never formulas or error codes),
and a string starting with = + - @ or a tab/CR also gets Excel's quote prefix (the "'" it shows in the
formula bar), so that editing the cell does not turn it into a formula either. Characters that a
worksheet cannot hold (C0 controls, lone surrogates: data stored before they were refused at the edge,
see core.textguard) are dropped instead of failing the whole export.

    book = xlsx.Book()
    sheet = book.sheet("提案列表")
    sheet.append(["标题", "提交时间"])
    sheet.append([p.title, p.submitted_at])
    data = book.save()  # bytes

`text_only=True` writes every value (numbers and dates too) as text: e.g. initial passwords.

Every sheet reads like a prepared one: the header (the first row with two or more cells, after any title
line) stays frozen at the top, columns are as wide as their first rows need (a Chinese character counts
double), and a sheet holding one table gets filters on its header (a sheet of several tables separated by
blank rows does not: a filter would hide the other tables' rows).
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable

from .textguard import printable

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_CELL = 32767  # Excel's limit on a cell's text
SAMPLE_ROWS = 50  # rows held back to size the columns (a write-only sheet takes widths before its rows)
MIN_WIDTH, MAX_WIDTH = 8, 60

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def clean(value: str) -> str:
    """What a worksheet's XML can carry (openpyxl's illegal characters, lone surrogates and U+FFFE/F
    dropped: core.textguard.printable), cut to what a cell holds."""
    return printable(value)[:MAX_CELL]


def _width(value) -> int:
    """Display width of a value: East Asian characters count two columns."""
    if value is None:
        return 0
    text = value if isinstance(value, str) else str(value)
    line = max(text.split("\n"), key=len) if "\n" in text else text
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in line)


def _filled(row) -> int:
    return sum(1 for v in row if v not in (None, ""))


class Sheet:
    def __init__(self, worksheet, text_only: bool = False):
        self.ws = worksheet
        self.text_only = text_only
        self._held: list[list] | None = []  # the first rows, until the columns are sized
        self.rows = 0
        self.cols = 0
        self.header = 0  # 1-based row number of the header, 0 when none
        self.gap_after_header = False

    def _cell(self, value):
        from openpyxl.cell import WriteOnlyCell

        if value is None:
            return None
        if not isinstance(value, str):
            if not self.text_only:
                if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
                    # openpyxl would show a date as "2026-03-01 00:00:00"
                    cell = WriteOnlyCell(self.ws, value=value)
                    cell.number_format = "yyyy-mm-dd"
                    return cell
                return value
            value = str(value)
        value = clean(value)
        cell = WriteOnlyCell(self.ws, value=value)
        cell.data_type = "s"  # never "f" (formula) or "e" (error code)
        if value.startswith(FORMULA_START):
            cell.quotePrefix = True
        return cell

    def append(self, row: Iterable) -> None:
        row = list(row)
        self.rows += 1
        self.cols = max(self.cols, len(row))
        if not self.header and _filled(row) >= 2:
            self.header = self.rows
        elif self.header and not _filled(row):
            self.gap_after_header = True
        if self._held is None:
            self.ws.append([self._cell(v) for v in row])
            return
        self._held.append(row)
        if len(self._held) >= SAMPLE_ROWS:
            self.flush()

    def flush(self) -> None:
        """Size the columns from the rows held, freeze the header, then write them."""
        if self._held is None:
            return
        from openpyxl.utils import get_column_letter

        held, self._held = self._held, None
        widths: dict[int, int] = {}
        for row in held:
            if len(row) == 1 and self.header:  # a title line spans the table: it sizes nothing
                continue
            for i, v in enumerate(row):
                widths[i] = max(widths.get(i, 0), _width(v))
        for i, w in widths.items():
            self.ws.column_dimensions[get_column_letter(i + 1)].width = min(max(w + 2, MIN_WIDTH), MAX_WIDTH)
        if self.header:
            self.ws.freeze_panes = f"A{self.header + 1}"
        for row in held:
            self.ws.append([self._cell(v) for v in row])

    def finish(self) -> None:
        from openpyxl.utils import get_column_letter

        self.flush()
        if self.header and self.rows > self.header and not self.gap_after_header and self.cols:
            self.ws.auto_filter.ref = f"A{self.header}:{get_column_letter(self.cols)}{self.rows}"


class Book:
    """A write-only workbook (rows streamed, constant memory) whose sheets write text as text."""

    def __init__(self):
        from openpyxl import Workbook

        self.wb = Workbook(write_only=True)
        self.sheets: list[Sheet] = []

    def sheet(self, title: str, *, text_only: bool = False) -> Sheet:
        sheet = Sheet(self.wb.create_sheet(clean(title)[:31] or "Sheet"), text_only=text_only)
        self.sheets.append(sheet)
        return sheet

    def save(self) -> bytes:
        for sheet in self.sheets:
            sheet.finish()
        buf = io.BytesIO()
        self.wb.save(buf)
        return buf.getvalue()
