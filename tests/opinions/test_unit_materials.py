"""批示落实 on the unit's case page (事项材料, issue #8): the unit that must implement a leader's 批示 reads the
批示 (leader, date, text) and the 社情民意 information as issued (its edited title and text), though it may
not open the information's own page; never the authors' names or phone numbers. Another county and a unit
not holding the case: 404 as before. The materials cost the page no query (the 批示 and its item are those
the 来源 line reads)."""

import datetime

import pytest

from tests.handling.helpers import materials_block, materials_queries
from zhengxie.opinions import services

pytestmark = pytest.mark.django_db

EDITED_TITLE = "关于加强偏远乡镇巡回医疗的建议"
EDITED_CONTENT = "编辑后正文：建议县卫健局组织巡回医疗队，每月进村一次，并推广远程问诊。"
BATCH = "请县教育局会同卫健部门研究，提出送医进村的具体办法。"


@pytest.fixture
def instructed(opinion_in, user):
    def make():
        o = opinion_in("submitted", co_authors=["member2"])
        services.opinion_review(
            user=user("info"),
            opinion=o,
            decision="accept",
            edited_title=EDITED_TITLE,
            edited_content=EDITED_CONTENT,
        )
        return services.instruction_add(
            user=user("info"),
            opinion=o,
            leader="县长 李明",
            level="county",
            content=BATCH,
            instructed_on=datetime.date(2026, 11, 20),
            unit=user("handler1").handling_unit_id,
        )

    return make


def test_the_unit_reads_the_instruction_and_the_information_it_implements(
    instructed, client_for, api_for, user
):
    i = instructed()
    o = i.opinion
    html = client_for("handler1").get(f"/handling/cases/{i.case_id}/").content.decode()
    block = materials_block(html)
    assert "领导批示（县长 李明，2026-11-20）" in block and BATCH in block
    assert f"社情民意信息《{EDITED_TITLE}》" in block and EDITED_CONTENT in block
    # The text as issued, not the author's original; nothing of the authors.
    assert o.content not in block
    for name in ("member1", "member2"):
        author = user(name)
        assert author.name not in block and author.member.phone not in block
    # Still no link to the committee's page of the item.
    assert 'id="item-link"' not in html
    assert client_for("handler1").get(f"/opinions/{o.pk}/").status_code == 404

    body = api_for("handler1").get(f"/api/v1/handling/cases/{i.case_id}").json()
    assert body["materials"] == [
        {"title": "领导批示（县长 李明，2026-11-20）", "text": BATCH, "files": []},
        {"title": f"社情民意信息《{EDITED_TITLE}》", "text": EDITED_CONTENT, "files": []},
    ]


def test_others_still_get_404_and_the_materials_cost_no_query(instructed, client_for, api_for):
    i = instructed()
    for who in ("handler2", "other"):
        assert client_for(who).get(f"/handling/cases/{i.case_id}/").status_code == 404
        assert api_for(who).get(f"/api/v1/handling/cases/{i.case_id}").status_code == 404
    assert materials_queries(client_for("handler1"), i.case_id) == 0
