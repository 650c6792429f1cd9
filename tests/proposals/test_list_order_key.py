"""The lists' order key is the session's year and number copied on the proposal (Proposal.session_year,
session_number): set on creation, kept when a session's year or number changes, so the newest session
still comes first without joining the sessions."""

from zhengxie.members import services as members
from zhengxie.proposals import selectors
from zhengxie.proposals.models import Proposal

from .builders import build, county_staff, new_session


def test_a_new_proposal_copies_its_session_and_follows_a_changed_year(user, django_assert_num_queries):
    old, new = new_session("旧会议", number=8, year=2029), new_session("新会议", number=9, year=2030)
    a, b = build(session=old, number=2), build(session=new, number=1)
    b.refresh_from_db()
    assert (b.session_year, b.session_number) == (2030, 9)
    staff = county_staff()
    first = [p.pk for p in selectors.proposal_list(staff)[:2]]
    assert first == [b.pk, a.pk]
    # the older session is moved to a later year: its proposal now comes first
    members.session_update(user=user("admin"), session=old, data={"year": 2031})
    a.refresh_from_db()
    assert (a.session_year, a.session_number) == (2031, 8)
    assert [p.pk for p in selectors.proposal_list(staff)[:2]] == [a.pk, b.pk]
    # a proposal moved to another session takes that session's year and number
    a.session = new
    a.save(update_fields=["session"])
    assert Proposal.objects.filter(pk=a.pk, session_year=2030, session_number=9).exists()
    # a save that does not touch the session reads nothing more
    a = Proposal.objects.get(pk=a.pk)
    a.title = "关于改标题的提案"
    with django_assert_num_queries(1):
        a.save(update_fields=["title"])


def test_bulk_created_proposals_carry_the_order_key(user):
    s = new_session("批量会议", number=7, year=2033)
    staff = county_staff()
    made = Proposal.objects.bulk_create(
        [
            Proposal(
                organisation=staff.organisation,
                session_id=s.pk,
                title="关于批量写入的提案",
                reasons="理由",
                suggestions="建议",
                category="其他",
                status="accepted",
                author=staff,
            )
        ]
    )
    assert Proposal.objects.filter(pk=made[0].pk, session_year=2033, session_number=7).exists()
