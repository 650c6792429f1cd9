"""The generated 调研报告 writes its dates the way the 公文 date under it does: 2026年3月5日, not
2026年03月05日 (the first paragraph and the date line disagreed)."""

import datetime
import io

import docx
import pytest

from zhengxie.research import documents

pytestmark = pytest.mark.django_db


def test_the_generated_report_writes_dates_without_leading_zeros(make_topic, member):
    t = make_topic(
        status="in_progress",
        starts_on=datetime.date(2026, 3, 5),
        ends_on=datetime.date(2026, 4, 9),
        year=2026,
    )
    data = documents.report_docx(t, writers=[member("member1")])
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
    assert "2026年3月5日至2026年4月9日" in text
    assert "03月" not in text and "05日" not in text
