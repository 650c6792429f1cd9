"""Issue 15, the office at the peak: the proposal lists (全部提案, 待审查) sort by column, filter by proposer
and choose their page size, all kept in the URL and across pages; after a review decision taken from the
queue, the next proposal of the same queue opens (back to the queue when none is left)."""

import datetime
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhengxie.proposals.models import Proposal

from .builders import build, new_session

pytestmark = pytest.mark.django_db
LIST = reverse("proposals:list")
QUEUE = reverse("proposals:review_queue")


def _titles(html: str, marker="测试排序") -> list[str]:
    return re.findall(rf">({marker}[^<]*)</a>", html)


@pytest.fixture
def three():
    """Three proposals of a new session: numbers 7001..7003, deadlines and proposers in other orders."""
    session = new_session()
    a = build(
        title="测试排序甲", number=7001, session=session, lead="member2", deadline=datetime.date(2030, 3, 1)
    )
    b = build(
        title="测试排序乙", number=7002, session=session, lead="member3", deadline=datetime.date(2030, 1, 1)
    )
    c = build(
        title="测试排序丙",
        number=7003,
        session=session,
        lead="member1",
        cosigners=["member3"],
        deadline=datetime.date(2030, 2, 1),
    )
    return session, a, b, c


def test_the_list_sorts_by_a_column_both_ways(client_for, three):
    session = three[0]
    c = client_for("staff")
    got = {}
    for sort in ("number", "-number", "deadline", "-deadline", "bogus"):
        r = c.get(LIST, {"session": session.pk, "sort": sort})
        assert r.status_code == 200
        got[sort] = _titles(r.content.decode())
    assert got["number"] == ["测试排序甲", "测试排序乙", "测试排序丙"]
    assert got["-number"] == ["测试排序丙", "测试排序乙", "测试排序甲"]
    assert got["deadline"] == ["测试排序乙", "测试排序丙", "测试排序甲"]
    assert got["-deadline"] == ["测试排序甲", "测试排序丙", "测试排序乙"]
    assert got["bogus"] == got["number"]  # an unknown key: the default order (session, number)

    page = c.get(LIST, {"session": session.pk, "sort": "deadline"}).content.decode()
    # The header sorted by shows its direction and links to the other one, keeping the filters.
    th = re.search(r'<th class="[^"]*" aria-sort="ascending"><a [^>]*href="\?([^"]+)"[^>]*>期限', page)
    assert th and "sort=-deadline" in th.group(1) and f"session={session.pk}" in th.group(1)
    assert re.search(r'aria-sort="none"><a [^>]*href="\?[^"]*sort=title[^"]*"[^>]*>案由', page)
    # Filtering again keeps the sort (the filter form's sort picker, the phones' way to sort a list of
    # cards), and so does the export button.
    assert '<option value="deadline" selected>期限 升序</option>' in page
    assert '<option value="-status">状态 降序</option>' in page
    assert re.search(r'action="/proposals/export/\?[^"]*sort=deadline', page)


def test_the_list_filters_by_proposer_and_the_export_follows(client_for, user, three, settings):
    from openpyxl import load_workbook

    session = three[0]
    c = client_for("staff")
    name = user("member3").member.name  # leads 乙, co-signs 丙
    r = c.get(LIST, {"session": session.pk, "proposer": name, "sort": "-number"})
    assert _titles(r.content.decode()) == ["测试排序丙", "测试排序乙"]
    assert f'value="{name}"' in r.content.decode()  # what was typed stays in the box
    assert _titles(c.get(LIST, {"session": session.pk, "proposer": "没有这个人"}).content.decode()) == []

    r = c.post(LIST.rstrip("/") + f"/export/?session={session.pk}&proposer={name}&sort=-number")
    assert r.status_code == 200  # small: the file itself
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(min_row=2, values_only=True))
    assert [row[2] for row in rows] == ["测试排序丙", "测试排序乙"]


def test_the_page_size_is_chosen_and_kept_across_pages(client_for):
    session = new_session()
    for i in range(23):
        build(title=f"测试排序{i:02d}", number=7100 + i, session=session)
    c = client_for("staff")
    page = c.get(LIST, {"session": session.pk, "sort": "-number"}).content.decode()
    assert len(_titles(page)) == 20 and 'option value="20" selected' in page
    nxt = re.search(r'href="\?([^"]*page=2)"', page).group(1)
    assert "sort=-number" in nxt and f"session={session.pk}" in nxt
    second = c.get(f"{LIST}?{nxt.replace('&amp;', '&')}").content.decode()
    assert _titles(second) == ["测试排序02", "测试排序01", "测试排序00"]

    page = c.get(LIST, {"session": session.pk, "per_page": 50}).content.decode()
    assert len(_titles(page)) == 23 and 'option value="50" selected' in page and "page=2" not in page
    assert len(_titles(c.get(LIST, {"session": session.pk, "per_page": 7}).content.decode())) == 20
    assert 'option value="100"' in page


def test_the_list_runs_a_constant_number_of_queries(client_for, user, django_assert_max_num_queries):
    session = new_session()
    params = {
        "session": session.pk,
        "sort": "proposer",
        "proposer": user("member1").member.name,
        "per_page": 100,
    }
    build(title="测试排序一", number=7201, session=session, cosigners=["member2"])
    c = client_for("staff")
    with CaptureQueriesContext(connection) as few:
        c.get(LIST, params)
    few = len(few.captured_queries)
    for i in range(12):
        build(title=f"测试排序多{i}", number=7210 + i, session=session, cosigners=["member2", "member3"])
    with django_assert_max_num_queries(few):
        r = c.get(LIST, params)
    assert len(_titles(r.content.decode())) == 13


def test_a_city_list_names_each_session_s_committee_and_filters_by_session_and_unit(client_for, user):
    """The filter's pickers are read as (id, label) rows (forms.ValuesChoiceField), not model instances: a
    city's picker names each session's committee, and a chosen session or unit still filters."""
    from zhengxie.core.models import HandlingUnit
    from zhengxie.members.models import Session

    session = new_session()
    build(title="测试会次筛选", number=7301, session=session)
    c = client_for("citystaff")
    page = c.get(LIST).content.decode()
    for s in Session.objects.filter(organisation__path__startswith=user("citystaff").organisation.path):
        assert f'<option value="{s.pk}">{s.organisation.name} {s.name}</option>' in page
    picked = c.get(LIST, {"session": session.pk}).content.decode()
    assert f'<option value="{session.pk}" selected>' in picked and "测试会次筛选" in picked
    unit = HandlingUnit.objects.filter(organisation=user("staff").organisation, is_active=True).first()
    assert f'<option value="{unit.pk}">{unit.name}</option>' in page
    assert c.get(LIST, {"unit": unit.pk}).status_code == 200
    assert c.get(LIST, {"session": 999999}).status_code == 200  # an unknown one is ignored, as before


# --- the review queue ------------------------------------------------------------------------------------


@pytest.fixture
def queue(proposal_in):
    """Three submitted proposals of one collective body (so the queue filtered by it holds just them),
    submitted in the order 甲, 乙, 丙."""
    ps = []
    for i, title in enumerate(
        ("关于加强乡村学校教师培训的建议", "关于改善乡村学校食堂条件的建议", "关于增加乡村学校校车的建议")
    ):
        p = proposal_in("submitted", title=title)
        Proposal.objects.filter(pk=p.pk).update(
            kind="collective",
            collective_body="测试排序界别组",
            submitted_at=datetime.datetime(2030, 1, 1 + i, 9, tzinfo=datetime.UTC),
        )
        ps.append(p)
    return ps


def test_the_review_queue_sorts_filters_and_links_in_queue_mode(client_for, queue):
    c = client_for("staff")
    page = c.get(QUEUE, {"proposer": "测试排序界别组", "sort": "-title"}).content.decode()
    table = page[page.index('id="review-queue"') :]  # the 疑似重复 groups above list titles too
    found = re.findall(r'<a href="/proposals/\d+/">([^<]+)</a>', table)
    assert found == sorted((p.title for p in queue), reverse=True)
    assert 'value="测试排序界别组"' in page and '<option value="-title" selected>案由 降序</option>' in page
    review = reverse("proposals:action", args=[queue[0].pk, "review"])
    assert re.search(rf'href="{review}\?queue=1&amp;sort=-title&amp;proposer=[^"]+&amp;overdue=0"', page)
    assert c.get(QUEUE, {"sort": "bogus"}).status_code == 200


def test_after_a_decision_the_next_of_the_queue_opens(client_for, queue):
    c = client_for("staff")
    q = "?queue=1&sort=submitted&proposer=测试排序界别组&overdue=0"
    first, second, third = (reverse("proposals:action", args=[p.pk, "review"]) for p in queue)

    page = c.get(second + q).content.decode()
    assert "第 2 / 3 件" in page and f'href="{third}?queue=1' in page  # 跳过 goes to the next one

    r = c.post(second + q, {"decision": "accept", "category": "科教文卫"})
    assert r.status_code == 302 and r.url.startswith(third + "?queue=1") and "sort=submitted" in r.url
    assert Proposal.objects.get(pk=queue[1].pk).status == "accepted"
    page = c.get(r.url).content.decode()
    assert "审查结论已保存" in page and "队列中还有 2 件" in page and "第 2 / 2 件" in page

    r = c.post(r.url, {"decision": "reject", "reason": "个人或家庭问题"})  # the last one: round to the first
    assert r.url.startswith(first + "?queue=1")
    r = c.post(r.url, {"decision": "accept", "category": "科教文卫"})
    assert (
        r.status_code == 302
        and r.url == f"{QUEUE}?proposer=%E6%B5%8B%E8%AF%95%E6%8E%92%E5%BA%8F%E7%95%8C%E5%88%AB%E7%BB%84"
    )
    assert "全部审查完毕" in c.get(r.url).content.decode()
    assert set(Proposal.objects.filter(pk__in=[p.pk for p in queue]).values_list("status", flat=True)) == {
        "accepted",
        "rejected",
    }


def test_a_review_opened_from_the_proposal_page_returns_to_it(client_for, queue):
    p = queue[0]
    r = client_for("staff").post(
        reverse("proposals:action", args=[p.pk, "review"]), {"decision": "accept", "category": "科教文卫"}
    )
    assert r.url == reverse("proposals:detail", args=[p.pk])


def test_an_error_keeps_the_queue(client_for, queue):
    url = reverse("proposals:action", args=[queue[0].pk, "review"]) + "?queue=1&proposer=测试排序界别组"
    r = client_for("staff").post(url, {"decision": "reject"})
    assert r.status_code == 422 and 'id="queue-bar"' in r.content.decode()
    assert Proposal.objects.get(pk=queue[0].pk).status == "submitted"


def test_the_queue_runs_a_constant_number_of_queries(client_for, proposal_in, django_assert_max_num_queries):
    def add(i):
        p = proposal_in("submitted", title=f"关于加强乡村学校第{i}批教师培训的建议")
        Proposal.objects.filter(pk=p.pk).update(kind="collective", collective_body="测试界别")

    add(0)
    c = client_for("staff")
    params = {"sort": "proposer", "proposer": "测试", "per_page": 50}
    c.get(QUEUE, params)  # the 疑似重复 lists computed and cached
    with CaptureQueriesContext(connection) as few:
        c.get(QUEUE, params)
    few = len(few.captured_queries)  # now: the next request clears the connection's query log
    for i in range(1, 7):
        add(i)
    c.get(QUEUE, params)
    with django_assert_max_num_queries(few):
        r = c.get(QUEUE, params)
    assert r.content.decode().count("测试界别") >= 7
