"""本会提案 (issue 15): a member browses the accepted proposals of their own committee — not drafts, not
submissions waiting for review, not another county's — with a search, in constant queries."""

import pytest

pytestmark = pytest.mark.django_db


def test_member_sees_accepted_proposals_of_the_committee_only(proposal_in, client_for):
    accepted = proposal_in("accepted", author="member2", title="关于加强校园周边交通安全的建议")
    waiting = proposal_in("submitted", author="member2", title="关于增设社区养老食堂的建议")
    c = client_for("member1")
    assert "/proposals/accepted/" in c.get("/").content.decode()  # in the member's menu
    body = c.get("/proposals/accepted/").content.decode()
    assert accepted.title in body  # the newest first
    assert waiting.title not in c.get("/proposals/accepted/", {"q": "养老食堂"}).content.decode()
    body = c.get("/proposals/accepted/", {"q": "交通安全"}).content.decode()
    assert accepted.title in body
    assert client_for("other").get("/proposals/accepted/").content.decode().count(accepted.title) == 0
    assert client_for("staff").get("/proposals/accepted/").status_code == 404  # staff have 全部提案


def test_queries_constant(proposal_in, client_for, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    proposal_in("accepted")
    c = client_for("member1")
    with CaptureQueriesContext(connection) as ctx:
        c.get("/proposals/accepted/")
    for i in range(5):
        proposal_in("assigned", title=f"关于改善第{i}小学食堂条件的建议")
    with django_assert_max_num_queries(len(ctx.captured_queries)):
        assert c.get("/proposals/accepted/").status_code == 200
