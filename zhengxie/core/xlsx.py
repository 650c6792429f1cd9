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
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# What a worksheet's XML cannot carry: openpyxl's illegal characters plus lone surrogates and U+FFFE/F.
UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
MAX_CELL = 32767  # Excel's limit on a cell's text

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def clean(value: str) -> str:
    return UNWRITABLE.sub("", value)[:MAX_CELL]


class Sheet:
    def __init__(self, worksheet, text_only: bool = False):
        self.ws = worksheet
        self.text_only = text_only

    def _cell(self, value):
        from openpyxl.cell import WriteOnlyCell

        if value is None:
            return None
        if not isinstance(value, str):
            if not self.text_only:
                return value
            value = str(value)
        value = clean(value)
        cell = WriteOnlyCell(self.ws, value=value)
        cell.data_type = "s"  # never "f" (formula) or "e" (error code)
        if value.startswith(FORMULA_START):
            cell.quotePrefix = True
        return cell

    def append(self, row: Iterable) -> None:
        self.ws.append([self._cell(v) for v in row])


class Book:
    """A write-only workbook (rows streamed, constant memory) whose sheets write text as text."""

    def __init__(self):
        from openpyxl import Workbook

        self.wb = Workbook(write_only=True)

    def sheet(self, title: str, *, text_only: bool = False) -> Sheet:
        return Sheet(self.wb.create_sheet(clean(title)[:31] or "Sheet"), text_only=text_only)

    def save(self) -> bytes:
        buf = io.BytesIO()
        self.wb.save(buf)
        return buf.getvalue()
