"""A recommendation's inbox row names its number once (issue #8): the row shows the case's label and
title, and a 视察调研 (or 协商成果) recommendation's title repeated the label's number — 「调研建议第2条
义务教育学校布局调研（第2条建议）」. The title is now the report's (or outcome's) alone."""

from __future__ import annotations

import re

import pytest

from zhengxie.handling.models import Case

from .helpers import rows, text

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", ["research_recommendation", "consultation_recommendation"])
def test_a_recommendations_row_says_its_number_once(client_for, kind):
    assert Case.objects.filter(kind=kind).exists(), "the demo routes some"
    for who in ("handler1", "handler2"):
        r = client_for(who).get("/handling/", {"kind": kind})
        for row in rows(r):
            shown = f"{row['label']} {row['title']}"
            assert len(re.findall(r"第\d+条", shown)) == 1, shown
            html = text(r)
            assert row["title"] in html
    for c in Case.objects.filter(kind=kind):
        assert len(re.findall(r"第\d+条", f"{c.label} {c.title}")) == 1, (c.label, c.title)
