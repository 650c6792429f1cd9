"""延期理由 is at most 500 characters wherever an extension is granted (issue #8): the 督办台's 延期 page and
the case page say "0 / 500 字", so the spine's validator refuses more with a Chinese message — over the API
(422, field reason) as on the pages (the message by the field, what was typed kept) — and nothing moves."""

from __future__ import annotations

import pytest

from zhengxie.handling.models import Extension

from .helpers import days, text
from .test_flow import case_of, post, route

pytestmark = pytest.mark.django_db

LONG = "需" * 501


def test_an_oversized_extension_reason_is_refused_everywhere(user, units, client_for, api_for):
    case = route(user, units)
    deadline = case_of(case).deadline

    r = post(api_for("info"), case, "extend", {"new_deadline": str(days(120)), "reason": LONG})
    assert r.status_code == 422
    assert r.json() == {
        "detail": "延期理由不能超过500字（现为501字）。",
        "code": "invalid",
        "field": "reason",
    }

    info = client_for("info")
    for url in (f"/handling/cases/{case.pk}/extend/", f"/handling/board/{case.pk}/extend/"):
        r = info.post(url, {"new_deadline": str(days(120)), "reason": LONG})
        assert r.status_code in (200, 422), url
        html = text(r)
        assert "延期理由不能超过500字（现为501字）。" in html, url
        assert LONG in html, url  # kept

    assert case_of(case).deadline == deadline
    assert not Extension.objects.filter(case_id=case.pk).exists()

    # 500 is still fine.
    r = post(api_for("info"), case, "extend", {"new_deadline": str(days(120)), "reason": "需" * 500})
    assert r.status_code == 200
    assert case_of(case).deadline == days(120)
