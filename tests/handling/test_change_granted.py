"""After a granted 申请调整 (issue #8): the item is the new unit's and no longer the old one's. A 微建议 says
the new unit (routed_label: the office's list and the item's page read it); the old unit gets 404 on the case
page, the case API and the item's page, like any other unit's object, and has nothing in its inbox; the new
unit finds it in its inbox and opens it."""

from __future__ import annotations

import pytest

from tests.suggestions.conftest import _clear_cache, county, education, submitted  # noqa: F401
from zhengxie.handling.models import Case
from zhengxie.suggestions import services as suggestions
from zhengxie.suggestions.models import Suggestion

from .helpers import text
from .test_flow import api, page, post, route

pytestmark = pytest.mark.django_db


@pytest.fixture
def river(submitted, user, education):  # noqa: F811
    s = submitted(title="河道有人倾倒建筑垃圾", content="河道边经常有车辆夜间倾倒建筑垃圾，建议加强巡查。")
    s = suggestions.route(user=user("office"), suggestion=s, unit=education)
    return Case.objects.get(pk=s.case_id)


def _grant(api_for, case, new_unit) -> None:
    r = post(api_for("handler1"), case, "change-request", {"reason": "河道保洁属县住建局职责。"})
    assert r.status_code == 200, r.content[:300]
    r = post(
        api_for("office"), case, "change-decision", {"grant": True, "new_unit": new_unit.pk, "note": "同意。"}
    )
    assert r.status_code == 200, r.content[:300]


def _inbox(api_for, username) -> set[int]:
    return {x["case_id"] for x in api_for(username).get("/api/v1/inbox").json()["items"]}


def test_a_suggestion_says_its_new_unit_and_only_the_new_unit_sees_it(river, units, client_for, api_for):
    case = river
    s = Suggestion.objects.get(case_id=case.pk)
    assert s.routed_label == "县教育局"
    _grant(api_for, case, units["住建局"])

    s.refresh_from_db()
    assert s.routed_label == "县住房和城乡建设局"
    office = client_for("office")
    assert "县住房和城乡建设局" in text(office.get(f"/suggestions/{s.pk}/"))

    # The old unit: 404 everywhere, nothing owed.
    old = client_for("handler1")
    assert old.get(page(case)).status_code == 404
    assert api_for("handler1").get(api(case)).status_code == 404
    assert old.get(f"/suggestions/{s.pk}/").status_code == 404
    assert case.pk not in _inbox(api_for, "handler1")
    r = post(
        api_for("handler1"),
        case,
        "contacts",
        {"contacted_on": "2026-01-01", "method": "phone", "summary": "x"},
    )
    assert r.status_code == 404

    # The new unit: in its inbox, the page opens with 签收.
    assert case.pk in _inbox(api_for, "handler2")
    r = client_for("handler2").get(page(case))
    assert r.status_code == 200 and "acknowledge" in r.context["actions"]


def test_a_refused_request_leaves_the_unit_its_case(user, units, client_for, api_for):
    case = route(user, units)
    assert post(api_for("handler1"), case, "change-request", {"reason": "职责不符。"}).status_code == 200
    r = post(api_for("info"), case, "change-decision", {"grant": False, "note": "请继续办理。"})
    assert r.status_code == 200
    assert client_for("handler1").get(page(case)).status_code == 200
    assert case.pk in _inbox(api_for, "handler1")
