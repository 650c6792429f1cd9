"""A 协商建议 on the unit's case page (事项材料, issue #8): the unit reads the recommendation it must act on
and the title of the 协商成果 it belongs to, without clicking 查看; nothing of the outcome's other
recommendations. Another unit and another county: 404 as before. The materials cost the page no query (the
recommendation and its outcome are those the 来源 line reads)."""

import pytest

from tests.handling.helpers import materials_block, materials_queries
from zhengxie.consultation.models import Recommendation

from .outcome_fixtures import RECOMMENDATIONS

pytestmark = pytest.mark.django_db


def test_the_unit_reads_the_recommendation_and_its_outcome(sent, client_for, api_for):
    o = sent()
    r1 = Recommendation.objects.get(outcome=o, number=1)
    title = f"《{o.title}》第1条建议"
    block = materials_block(client_for("handler1").get(f"/handling/cases/{r1.case_id}/").content.decode())
    assert title in block and RECOMMENDATIONS[0] in block
    assert RECOMMENDATIONS[1] not in block and RECOMMENDATIONS[2] not in block
    body = api_for("handler1").get(f"/api/v1/handling/cases/{r1.case_id}").json()
    assert body["materials"] == [{"title": title, "text": RECOMMENDATIONS[0], "files": []}]


def test_others_still_get_404_and_the_materials_cost_no_query(sent, client_for, api_for):
    r1 = Recommendation.objects.get(outcome=sent(), number=1)
    for who in ("handler2", "other"):
        assert client_for(who).get(f"/handling/cases/{r1.case_id}/").status_code == 404
        assert api_for(who).get(f"/api/v1/handling/cases/{r1.case_id}").status_code == 404
    assert materials_queries(client_for("handler1"), r1.case_id) == 0
