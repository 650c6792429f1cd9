"""A walk through the unit inbox (承办工作台) and the 督办台 with the test Client (issue #8): a 视察调研
recommendation of the demo acknowledged from its row, a contact recorded, replied, rated 不满意 by the
office and handled again — at each step the inbox's figures, filters and the board say what happened."""

from __future__ import annotations

import pytest
from django.utils import timezone

from zhengxie.handling.models import Case

pytestmark = pytest.mark.django_db


def _rows(response) -> list[dict]:
    return list(response.context["page_obj"].object_list)


def test_a_recommendation_from_receipt_to_rehandling(client_for):
    h, office = client_for("handler1"), client_for("office")
    start = h.get("/handling/").context["summary"]
    [row, *_] = _rows(h.get("/handling/", {"kind": "research_recommendation", "status": "unacknowledged"}))
    cid, page = row["case_id"], f"/handling/cases/{row['case_id']}/"

    # 签收 from the row, back to the filtered inbox, one unacknowledged fewer.
    r = h.post(row["acknowledge_url"], {"next": "/handling/?status=unacknowledged"})
    assert r.status_code == 302 and r.url == "/handling/?status=unacknowledged"
    after = h.get("/handling/").context["summary"]
    assert after["unacknowledged"] == start["unacknowledged"] - 1 and after["total"] == start["total"]

    today = str(timezone.localdate())
    assert (
        h.post(
            page + "record_contact/", {"contacted_on": today, "method": "phone", "summary": "电话沟通"}
        ).status_code
        == 302
    )
    assert h.post(page + "reply/", {"content": "已研究落实，具体措施如下：一是……二是……"}).status_code == 302
    assert Case.objects.get(pk=cid).status == "replied"
    assert cid not in {x["case_id"] for x in _rows(h.get("/handling/", {"kind": "research_recommendation"}))}
    assert h.get("/handling/").context["summary"]["total"] == start["total"] - 1

    # The office rates 不满意: the unit owes it again, shown and filtered as 退回重新办理, on the board too.
    assert "rate" in office.get(page).context["actions"]
    assert (
        office.post(
            page + "rate/", {"rating": "unsatisfied", "comment": "措施不具体，请重新办理。"}
        ).status_code
        == 302
    )
    again = [x for x in _rows(h.get("/handling/", {"status": "rehandling"})) if x["case_id"] == cid]
    assert again and again[0]["rehandling"]
    assert "退回重新办理" in h.get("/handling/", {"status": "rehandling"}).content.decode()
    assert cid in {x["case_id"] for x in _rows(office.get("/handling/board/", {"status": "rehandling"}))}
    assert h.get(page).context["actions"] == ["reply", "record_contact"]
    assert h.get("/handling/").context["summary"]["total"] == start["total"]
