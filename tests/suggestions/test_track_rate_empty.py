"""The citizen's rating on the tracking page (/p/track/) when nothing is picked: a browser posts the code
and the empty 意见 box but no `rating` at all (an unticked radio is not sent). The page must say what is
missing and keep what was typed, not silently show the form again as if only the code had been looked up
(issue #8: a citizen with a tracking code rates through the spine)."""

import pytest
from django.test import Client

from zhengxie.handling.services import flow
from zhengxie.suggestions.models import Suggestion

pytestmark = pytest.mark.django_db


def test_rate_with_nothing_picked_says_so_and_keeps_the_comment(routed, user):
    s = routed()
    flow.reply(user=user("handler1"), case=s.case_id, content="已协调交警增设护学岗。")
    c = Client()

    # Nothing picked, nothing written: what the browser sends when 提交评价 is pressed at once.
    r = c.post("/p/track/", {"code": s.tracking_code, "comment": ""})
    html = r.content.decode()
    assert r.status_code == 422
    assert "评价须为满意、基本满意或不满意。" in html
    assert 'id="rate-form"' in html

    # A comment written but no rating picked: the comment stays in the box.
    r = c.post("/p/track/", {"code": s.tracking_code, "comment": "护学岗只有早上有"})
    html = r.content.decode()
    assert r.status_code == 422
    assert "评价须为满意、基本满意或不满意。" in html and "护学岗只有早上有" in html

    s.refresh_from_db()
    assert s.status == Suggestion.Status.REPLIED

    # Looking the code up (no rating form posted) still shows no error.
    r = c.post("/p/track/", {"code": s.tracking_code})
    assert r.status_code == 200 and "评价须为" not in r.content.decode()

    # Then a real rating goes through.
    r = c.post("/p/track/", {"code": s.tracking_code, "rating": "satisfied", "comment": ""})
    assert r.status_code == 200
    s.refresh_from_db()
    assert s.status == Suggestion.Status.CLOSED
