"""A 视察调研建议 on the unit's case page (事项材料, issue #8): the unit reads the recommendation it must act
on and the title of the report it comes from, without clicking 查看; nothing of the report's other
recommendations. Another unit and another county: 404 as before. The materials cost the page no query (the
recommendation and its topic are those the 来源 line reads)."""

import pytest

from tests.handling.helpers import materials_block, materials_queries
from zhengxie.research import services

pytestmark = pytest.mark.django_db


def _routed(make_topic, user):
    t = make_topic("reported", title="农村饮水安全")
    first, second = t.recommendations.order_by("number")
    services.route(user("office"), first, unit=user("handler1").handling_unit_id)
    first.refresh_from_db()
    return first, second


def test_the_unit_reads_the_recommendation_and_its_report(make_topic, user, client_for, api_for):
    r, other = _routed(make_topic, user)
    title = "调研《农村饮水安全》报告第1条建议"
    block = materials_block(client_for("handler1").get(f"/handling/cases/{r.case_id}/").content.decode())
    assert title in block and r.content in block and other.content not in block
    body = api_for("handler1").get(f"/api/v1/handling/cases/{r.case_id}").json()
    assert body["materials"] == [{"title": title, "text": r.content, "files": []}]


def test_others_still_get_404_and_the_materials_cost_no_query(make_topic, user, client_for, api_for):
    r, _ = _routed(make_topic, user)
    for who in ("handler2", "other"):
        assert client_for(who).get(f"/handling/cases/{r.case_id}/").status_code == 404
        assert api_for(who).get(f"/api/v1/handling/cases/{r.case_id}").status_code == 404
    assert materials_queries(client_for("handler1"), r.case_id) == 0
