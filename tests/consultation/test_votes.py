"""票评: the standing members of the committee rate how well an outcome was adopted, once each; the vote is
valid only when more than `consultation.vote_quorum_percent` percent of them voted; the result is the most
frequent rating, a tie going to the worse."""

import pytest

from zhengxie.consultation.models import Outcome, OutcomeVote
from zhengxie.consultation.services import outcomes as services
from zhengxie.core.errors import Conflict, Forbidden, Invalid, NotFound
from zhengxie.core.models import AuditEntry, Notification
from zhengxie.members.models import Member

pytestmark = pytest.mark.django_db


def _standing(county):
    return list(services.standing_members(county).select_related("user").order_by("pk"))


def _non_standing(county):
    return Member.objects.filter(organisation=county, is_standing=False, status="active").select_related(
        "user"
    )[0]


def test_open_tells_the_standing_members(sent, user, county):
    o = sent()
    with pytest.raises(Conflict):  # nobody votes before it opens
        services.vote(user=_standing(county)[0].user, outcome=o, rating="good")
    with pytest.raises(Forbidden):
        services.open_vote(user=user("member3"), outcome=o)
    services.open_vote(user=user("office"), outcome=o)
    standing = _standing(county)
    assert len(standing) >= 3
    told = set(
        Notification.objects.filter(
            title__contains="票评", url__contains=f"/outcomes/{o.pk}/vote/"
        ).values_list("user_id", flat=True)
    )
    assert told == {m.user_id for m in standing}
    with pytest.raises(Conflict):
        services.open_vote(user=user("office"), outcome=o)


def test_only_on_a_sent_outcome(written, user):
    o = written()
    with pytest.raises(Conflict):
        services.open_vote(user=user("office"), outcome=o)


def test_once_each_standing_only_and_never_another_county(sent, user, county):
    o = sent()
    services.open_vote(user=user("office"), outcome=o)
    voter = _standing(county)[0].user
    with pytest.raises(Invalid):
        services.vote(user=voter, outcome=o, rating="excellent")
    v = services.vote(user=voter, outcome=o.pk, rating="good")
    assert v.rating == "good" and v.member.user == voter
    with pytest.raises(Conflict) as e:
        services.vote(user=voter, outcome=o, rating="poor")
    assert e.value.code == "already_voted" and "已参加过" in e.value.message
    with pytest.raises(Forbidden) as e:
        services.vote(user=_non_standing(county).user, outcome=o, rating="good")
    assert "常委" in e.value.message
    with pytest.raises(Forbidden):
        services.vote(user=user("office"), outcome=o, rating="good")
    with pytest.raises(NotFound):
        services.vote(user=user("other"), outcome=o, rating="good")
    assert OutcomeVote.objects.filter(outcome=o).count() == 1
    entry = AuditEntry.objects.filter(action="consultation.vote").latest("id")
    assert "rating" not in entry.after  # the ballot stays out of the log


def test_close_valid_with_more_than_half(sent, user, county):
    o = sent()
    services.open_vote(user=user("office"), outcome=o)
    standing = _standing(county)
    n = len(standing) // 2 + 1  # more than half
    ratings = ["fair", "fair", "good", "good", "poor", "average", "good"]
    for m, rating in zip(standing[:n], ratings, strict=False):
        services.vote(user=m.user, outcome=o, rating=rating)
    o = services.close_vote(user=user("office"), outcome=o)
    o.refresh_from_db()
    assert o.vote_open is False and o.vote_valid is True and o.vote_closed_at
    counts = services.tally(o)["counts"]
    best = max(counts.values())
    assert o.vote_result == [k for k in ("good", "fair", "average", "poor") if counts[k] == best][-1]
    with pytest.raises(Conflict):  # closed: no more votes, no reopening
        services.vote(user=standing[-1].user, outcome=o, rating="good")
    with pytest.raises(Conflict):
        services.open_vote(user=user("office"), outcome=o)
    with pytest.raises(Conflict):
        services.close_vote(user=user("office"), outcome=o)


def test_close_invalid_at_half_or_less(sent, user, county):
    o = sent()
    services.open_vote(user=user("office"), outcome=o)
    standing = _standing(county)
    for m in standing[: len(standing) // 2]:  # exactly half (or less): not more than half
        services.vote(user=m.user, outcome=o, rating="good")
    o = services.close_vote(user=user("office"), outcome=o)
    assert o.vote_valid is False and o.vote_result in ("good", "")


def test_quorum_is_a_setting_and_ties_go_to_the_worse(sent, user, county):
    county.settings = {**(county.settings or {}), "consultation.vote_quorum_percent": 10}
    county.save(update_fields=["settings"])
    o = sent()
    services.open_vote(user=user("office"), outcome=o)
    standing = _standing(county)
    assert len(standing) < 20
    services.vote(user=standing[0].user, outcome=o, rating="good")
    services.vote(user=standing[1].user, outcome=o, rating="average")
    t = services.tally(Outcome.objects.select_related("consultation__organisation").get(pk=o.pk))
    assert t["votes"] == 2 and t["result"] == "average" and t["quorum_percent"] == 10
    o = services.close_vote(user=user("office"), outcome=o)
    assert o.vote_valid is True and o.vote_result == "average"
