"""One search box (issue 15): proposals, meetings, members, 社情民意 and meeting materials, each as its own
pages would show them to this user (another county finds nothing), in a constant number of queries."""

import pytest

from zhengxie.activities.models import Meeting

pytestmark = pytest.mark.django_db


def test_search_box_is_on_every_page(client_for):
    page = client_for("member1").get("/").content.decode()
    assert 'id="global-search"' in page and 'action="/search/"' in page


def test_member_finds_accepted_proposals_meetings_and_fellow_members(proposal_in, client_for, user):
    p = proposal_in("accepted", title="关于加强乡村学校校车安全管理的建议")
    mine_draft = proposal_in("draft", author="member2", title="关于校车安全的草稿建议")
    body = client_for("member1").get("/search/", {"q": "校车"}).content.decode()
    assert p.title in body and mine_draft.title not in body  # another member's draft stays hidden
    name = user("member2").member.name
    body = client_for("member1").get("/search/", {"q": name}).content.decode()
    assert 'id="results-members"' in body and name in body
    assert user("member2").phone not in body


def test_another_county_finds_nothing_of_ours(proposal_in, client_for):
    p = proposal_in("accepted", title="关于加强乡村学校校车安全管理的建议")
    body = client_for("other").get("/search/", {"q": "校车"}).content.decode()
    assert p.title not in body and 'id="search-empty"' in body
    m = Meeting.objects.filter(organisation__code="demo-county").exclude(status="draft").first()
    body = client_for("other").get("/search/", {"q": m.title}).content.decode()
    assert f"/activities/{m.pk}/" not in body


def test_staff_find_meetings_by_title(client_for):
    m = Meeting.objects.filter(organisation__code="demo-county").first()
    body = client_for("staff").get("/search/", {"q": m.title[:6]}).content.decode()
    assert f"/activities/{m.pk}/" in body


def test_queries_do_not_grow_with_hits(proposal_in, client_for, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    proposal_in("accepted", title="关于城区停车难问题的建议")
    c = client_for("member1")
    with CaptureQueriesContext(connection) as ctx:
        assert c.get("/search/", {"q": "停车"}).status_code == 200
    for i in range(12):
        proposal_in("accepted", title=f"关于第{i}片区停车难问题的建议")
    with django_assert_max_num_queries(len(ctx.captured_queries)):
        body = c.get("/search/", {"q": "停车"}).content.decode()
    assert "查看全部提案结果" in body
