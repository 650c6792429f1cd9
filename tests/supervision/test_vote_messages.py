"""What a standing member or the office reads when a 票决 is no longer open: the status once, in plain
Chinese (it read "该票决已已结束，不能投票。")."""

import pytest

from zhengxie.core.errors import Conflict
from zhengxie.core.models import HandlingUnit
from zhengxie.supervision import services

pytestmark = pytest.mark.django_db


def test_a_closed_vote_says_so_once(user, county, today):
    units = list(HandlingUnit.objects.filter(organisation=county).order_by("id")[:2])
    sel = services.open_selection(
        user("office"),
        year=today.year,
        choose=1,
        candidates=[{"unit_id": u.pk, "reason": "r"} for u in units],
    )
    services.close_selection(user("office"), sel)
    standing = services.standing_members(county).select_related("user").first()
    with pytest.raises(Conflict) as vote:
        services.vote(standing.user, sel, [units[0].pk])
    with pytest.raises(Conflict) as close:
        services.close_selection(user("office"), sel)
    assert vote.value.message == "该票决已结束，不能投票。"
    assert close.value.message == "该票决已结束，不能结束。"


def test_a_member_who_does_not_vote_is_told_why_there_is_no_ballot(client_for, user, county, today):
    units = list(HandlingUnit.objects.filter(organisation=county).order_by("id")[:2])
    sel = services.open_selection(
        user("office"),
        year=today.year,
        choose=1,
        candidates=[{"unit_id": u.pk, "reason": "r"} for u in units],
    )
    page = client_for("member1").get(f"/supervision/votes/{sel.pk}/").content.decode()
    assert "本次票决由本级政协常委投票" in page and 'id="ballot-form"' not in page
    standing = client_for("member3").get(f"/supervision/votes/{sel.pk}/").content.decode()
    assert 'id="ballot-form"' in standing and "本次票决由本级政协常委投票" not in standing
    assert (
        "本次票决由本级政协常委投票"
        not in client_for("office").get(f"/supervision/votes/{sel.pk}/").content.decode()
    )
