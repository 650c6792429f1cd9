"""退回重新办理: when a proposer rates a unit's reply 不满意, the unit is told and gets a workbench to-do that
opens its inbox filtered to exactly the items handled again (marked 退回重新办理); replying anew clears it."""

import pytest

from tests.todo_cards import check_cards
from zhengxie.core.models import Notification
from zhengxie.core.navigation import todos_for
from zhengxie.proposals import services

from .helpers import rows, text

pytestmark = pytest.mark.django_db

CARD = "退回重新办理的事项"


def _count(user) -> int:
    return next((t["count"] for t in todos_for(user) if t["label"] == CARD), 0)


def _rehandled(client) -> set[int]:
    return {x["case_id"] for x in rows(client.get("/handling/", {"status": "rehandling"}))}


def test_a_reply_rated_unsatisfied_is_a_to_do_of_the_unit_until_it_replies_again(
    client_for, user, proposal_in
):
    p = proposal_in("replied", lead="教育局")
    handler, head = user("handler1"), user("unithead1")
    before = _count(handler)  # the demo has items handled again already
    assert p.case_id not in _rehandled(client_for("handler1"))

    services.proposal_evaluate(
        user=user("member1"), proposal=p, rating="unsatisfied", comment="未提及教师周转宿舍。"
    )
    assert Notification.objects.filter(user=handler, title__contains="需重新办理", url__contains=str(p.pk))
    for u in (handler, head):
        assert _count(u) == before + 1
        cards = check_cards(client_for(u.username), u)  # every card of the unit: count == rows
        assert any(c["label"] == CARD and c["url"] == "/handling/?status=rehandling" for c in cards)

    r = client_for("handler1").get("/handling/", {"status": "rehandling"})
    [row] = [x for x in rows(r) if x["case_id"] == p.case_id]
    assert row["rehandling"] and row["status"] == "rehandling"
    assert all(x["rehandling"] for x in rows(r))
    assert "退回重新办理" in text(r)
    # In the whole inbox, exactly those rows are marked.
    everything = rows(client_for("handler1").get("/handling/", {"page": 1}))
    marked = {x["case_id"] for x in everything if x["rehandling"]}
    assert marked == _rehandled(client_for("handler1")) & {x["case_id"] for x in everything}

    services.proposal_reply(user=handler, proposal=p, result_class="A", content="已重新办理，落实周转宿舍。")
    assert _count(handler) == before
    assert p.case_id not in _rehandled(client_for("handler1"))
