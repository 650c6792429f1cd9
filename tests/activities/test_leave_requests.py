"""请假审批: the office's to-do 「待审批的请假申请」 opens one page of every leave request waiting in the open
meetings it runs (as many rows as the card says, whatever the number of meetings), decided row by row;
the members' and the office's other meeting cards open the meeting list filtered to exactly what they count."""

import pytest
from django.urls import reverse

from tests.todo_cards import check_cards
from zhengxie.activities import services
from zhengxie.core.navigation import todos_for

from .conftest import shift

pytestmark = pytest.mark.django_db

CARD = "待审批的请假申请"


def _count(user, label=CARD) -> int:
    return next((t["count"] for t in todos_for(user) if t["label"] == label), 0)


def test_leave_requests_of_several_meetings_are_one_list_decided_row_by_row(
    client_for, user, make_meeting, django_assert_max_num_queries
):
    office = user("office")
    before = _count(office)
    a = make_meeting(title="常委会议", minutes=60 * 24)
    b = make_meeting(title="专题协商会", minutes=60 * 48)
    services.invitation_request_leave(user=user("member1"), meeting=a, reason="出差在外")
    services.invitation_request_leave(user=user("member2"), meeting=a, reason="身体不适")
    services.invitation_request_leave(user=user("member2"), meeting=b, reason="外出学习")
    assert _count(office) == before + 3
    c = client_for("office")
    cards = check_cards(c, office)  # every card of the office: count == rows
    assert any(t["label"] == CARD and t["url"] == reverse("activities:leave") for t in cards)

    page = c.get(reverse("activities:leave")).content.decode()
    assert "常委会议" in page and "专题协商会" in page and "出差在外" in page and "外出学习" in page
    assert page.count('<tr id="leave-') == before + 3

    # Refusing without a reason: said in the row, nothing changes.
    inv = a.invitations.get(member__user__username="member1")
    url = reverse("activities:decide", args=[a.pk, inv.pk])
    r = c.post(url, {"row": "leave", "approve": "0"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and f'id="leave-{inv.pk}"' in r.content.decode()
    assert "不同意" in r.content.decode() and _count(office) == before + 3
    assert "原因" in r.content.decode() or "意见" in r.content.decode()
    # Approving: the row says so and the card counts one less.
    r = c.post(url, {"row": "leave", "approve": "1"}, HTTP_HX_REQUEST="true")
    assert "已准假" in r.content.decode() and 'id="reply-counts"' not in r.content.decode()
    assert _count(office) == before + 2
    # Without htmx the decision comes back to the page.
    inv2 = b.invitations.get(member__user__username="member2")
    r = c.post(reverse("activities:decide", args=[b.pk, inv2.pk]), {"row": "leave", "approve": "1"})
    assert r.status_code == 302 and r["Location"] == reverse("activities:leave")
    assert _count(office) == before + 1

    # The page reads a constant number of queries, whatever the number of requests.
    n = len(c.get(reverse("activities:leave")).context["page_obj"].object_list)
    for who in ("member1", "member3"):
        services.invitation_request_leave(user=user(who), meeting=b, reason="另有公务")
    with django_assert_max_num_queries(12):
        r = c.get(reverse("activities:leave"))
    assert len(r.context["page_obj"].object_list) == n + 2


def test_only_staff_open_the_leave_page(client_for):
    for who in ("member1", "leader", "handler1"):
        assert client_for(who).get(reverse("activities:leave")).status_code == 404


def test_member_and_meeting_cards_open_exactly_what_they_count(client_for, user, make_meeting):
    make_meeting(title="明日会议", minutes=60 * 24)  # member1..3 invited, no reply yet
    later = make_meeting(title="月底会议", minutes=60 * 24 * 20, invite=("member1",))
    services.invitation_reply(user=user("member1"), meeting=later, reply="attend")
    ended = make_meeting(title="已开完的会", minutes=30)
    shift(ended, 60 * 5)
    for who in ("member1", "member2", "office"):
        cards = check_cards(client_for(who), user(who))
        assert cards
    assert _count(user("member1"), "待回复的会议通知") >= 1
    assert _count(user("office"), "已开完待归档的会议") >= 1
    page = client_for("office").get("/activities/?todo=to_close").content.decode()
    assert "已开完的会" in page and "只显示已开完、待结束归档的会议" in page and "明日会议" not in page
