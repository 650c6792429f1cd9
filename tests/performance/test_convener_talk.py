"""动态退出 (#15): a 界别召集人 or a 委员小组's 组长 records the 谈话提醒 they held with a warned member they look
after — as themself, whatever the form or payload names —, finds those members from a workbench to-do, and
decides nothing; the office's workbench counts the warnings waiting for it. Pages pinned to a constant number
of queries."""

import datetime

import pytest
from django.urls import reverse

from tests.todo_cards import check_cards
from zhengxie.core.errors import Forbidden
from zhengxie.core.models import AuditEntry, Notification
from zhengxie.core.navigation import todos_for
from zhengxie.members.selectors_groups import sector_body_name
from zhengxie.members.services_groups import group_create, sector_conveners_set
from zhengxie.performance import selectors
from zhengxie.performance import workflow as W
from zhengxie.performance.models import WarningCase
from zhengxie.performance.services_warnings import warning_decide, warning_talk

TODAY = datetime.date.today()


@pytest.fixture
def year():
    return selectors.this_year()


@pytest.fixture
def sector(sectors):
    return sectors[-1]


@pytest.fixture
def convener(user, make_member, sector):
    """A new member made the only 界别召集人 of `sector`."""
    m = make_member(name="召集人甲", sector=sector)
    sector_conveners_set(user=user("staff"), sector=sector, member_ids=[m.pk])
    return m


@pytest.fixture
def warned(make_member, sector, year):
    """A new member of the sector: nothing done this year, so the scheme's rules warn them."""
    m = make_member(name="预警委员乙", sector=sector)
    assert selectors.warnings(m.organisation_id, year, member_ids=[m.pk]).get(m.pk)
    return m


def _talk(user, member, year, **kw):
    args = {
        "talk_by": "staff",
        "talk_by_name": "别人",
        "talk_convener": None,
        "talk_on": TODAY,
        "talk_summary": "了解未提交提案的原因，督促履职",
        "member_response": "表示下半年提交提案",
    } | kw
    return warning_talk(user=user, member=member, year=year, **args)


def test_a_sector_convener_records_their_own_talk(user, convener, warned, year):
    case = _talk(convener.user, warned, year)
    # the talker is the convener themself, whatever was sent
    assert case.state == W.TALKED and case.talk_by == "convener"
    assert case.talk_convener_id == convener.pk and case.talk_by_name == "召集人甲"
    entry = AuditEntry.objects.get(action="performance.warning_talk", target_id=str(case.pk))
    assert entry.actor_id == convener.user_id
    assert Notification.objects.filter(user=warned.user, title__contains="谈话提醒").exists()
    # deciding stays with the office
    with pytest.raises(Forbidden):
        warning_decide(user=convener.user, member=warned, year=year, decision="continue", grounds="已改进")
    warning_decide(user=user("office"), member=warned, year=year, decision="continue", grounds="已改进")
    assert Notification.objects.filter(user=convener.user, title__contains="预警委员乙").exists()


def test_a_group_leader_too_and_nobody_else(user, county, make_member, convener, warned, sectors, year):
    leader = make_member(name="组长丙", sector=sectors[0])
    other = make_member(name="组员丁", sector=sectors[0])
    group_create(
        user=user("staff"), organisation=county, name="测试委员小组", leader=leader, member_ids=[other.pk]
    )
    case = _talk(leader.user, other, year)
    assert case.talk_convener_id == leader.pk and case.talk_by_name == "组长丙"
    # the leader does not look after the convener's sector, the convener not the group, a member not themself
    for who, whom in ((leader, warned), (convener, other), (warned, warned)):
        with pytest.raises(Forbidden):
            _talk(who.user, whom, year)
    assert not WarningCase.objects.filter(member=warned).exists()
    # an ordinary member (member3 convenes no sector and leads no group)
    with pytest.raises(Forbidden):
        _talk(user("member3"), warned, year)


def test_the_talk_names_the_role_of_who_held_it(
    user, client_for, api_for, county, make_member, convener, warned, sector, sectors, year
):
    """A 组长's talk read 界别召集人: the record, the member's notice, the history and the API name the group
    (or the sector) whose 组长 (召集人) held it; staff naming a group leader get the same."""
    leader = make_member(name="组长丙", sector=sectors[0])
    other = make_member(name="组员丁", sector=sectors[0])
    third = make_member(name="组员戊", sector=sectors[0])
    group_create(
        user=user("staff"),
        organisation=county,
        name="测试委员小组",
        leader=leader,
        member_ids=[other.pk, third.pk],
    )
    case = _talk(leader.user, other, year)
    assert case.talk_role == "测试委员小组组长"
    body = (
        client_for(leader.user.username)
        .get(reverse("performance:warning_case", args=[other.pk, year]))
        .content.decode()
    )
    assert "测试委员小组组长 组长丙" in body and "界别召集人 组长丙" not in body
    notice = Notification.objects.get(user=other.user, title__contains="谈话提醒")
    assert "测试委员小组组长组长丙已与您谈话提醒" in notice.body
    assert "测试委员小组组长组长丙谈话" in case.steps.get(step="谈话提醒").note
    api = api_for(leader.user.username)
    assert api.get(f"/api/v1/members/{other.pk}/warning-case?year={year}").json()["talk_role"] == (
        "测试委员小组组长"
    )
    # a sector convener's talk names the sector
    case = _talk(convener.user, warned, year)
    assert case.talk_role == f"{sector_body_name(sector)}召集人"
    # the office recording a group leader's talk: the same role
    case = _talk(user("staff"), third, year, talk_by="convener", talk_convener=leader, talk_by_name="")
    assert case.talk_role == "测试委员小组组长" and case.talk_by_name == "组长丙"
    # the office's own talk
    assert _talk(user("staff"), make_member(name="委员己", sector=sector), year).talk_role == "机关工作人员"


def test_convener_workbench_list_and_case_page(client_for, convener, warned, year):
    c = client_for(convener.user.username)
    cards = {card["label"]: card for card in check_cards(c, convener.user)}
    card = cards["待谈话提醒的委员"]
    before = card["count"]
    assert before >= 1
    listing = c.get(card["url"]).content.decode()
    assert "预警委员乙" in listing and "登记谈话" in listing

    url = reverse("performance:warning_case", args=[warned.pk, year])
    body = c.get(url).content.decode()
    assert 'id="talk-as-convener"' in body and "召集人甲" in body
    assert 'name="talk_by"' not in body and 'id="decision-form"' not in body
    # no archive link for a convener (the archive is not theirs to read)
    assert reverse("performance:member", args=[warned.pk]) not in body
    # bad input: a Chinese message, what was typed kept
    r = c.post(url, {"action": "talk", "talk_on": TODAY.isoformat(), "member_response": "表示会改进"})
    assert r.status_code == 422
    assert "请填写谈话内容" in r.content.decode() and "表示会改进" in r.content.decode()
    r = c.post(
        url,
        {
            "action": "talk",
            "talk_on": TODAY.isoformat(),
            "talk_summary": "谈心谈话",
            "member_response": "接受",
        },
    )
    assert r.status_code == 302
    case = WarningCase.objects.get(member=warned, year=year)
    assert case.state == W.TALKED and case.talk_convener_id == convener.pk
    # one fewer waiting on the card; the list's 已谈话 tab shows the member
    assert selectors.convened_talk_count(convener.user) == before - 1
    assert "预警委员乙" in c.get(reverse("performance:convened_warnings") + "?state=talked").content.decode()
    # a decision posted by the convener is refused and changes nothing
    r = c.post(url, {"action": "decide", "decision": "withdraw", "grounds": "x"})
    assert r.status_code == 422 and "只有本级政协机关工作人员可以作出预警处理决定" in r.content.decode()
    assert WarningCase.objects.get(member=warned, year=year).state == W.TALKED


def test_convener_pages_read_constant_queries(
    client_for, make_member, sector, convener, warned, year, django_assert_max_num_queries
):
    c = client_for(convener.user.username)
    list_url = reverse("performance:convened_warnings")
    case_url = reverse("performance:warning_case", args=[warned.pk, year])

    def count(url):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert c.get(url).status_code == 200
        return len(ctx.captured_queries)

    n_list, n_case, n_home = count(list_url), count(case_url), count("/")
    for i in range(8):
        make_member(name=f"又一预警委员{i}", sector=sector)
    with django_assert_max_num_queries(n_list):
        body = c.get(list_url).content.decode()
    assert "又一预警委员7" in body
    with django_assert_max_num_queries(n_case):
        c.get(case_url)
    with django_assert_max_num_queries(n_home):
        c.get("/")


def test_others_get_404(client_for, make_member, sectors, convener, warned, year):
    stranger = make_member(name="别界委员", sector=sectors[0])
    url = reverse("performance:warning_case", args=[warned.pk, year])
    assert client_for(stranger.user.username).get(url).status_code == 404
    assert client_for(warned.user.username).get(url).status_code == 404
    assert client_for("handler1").get(reverse("performance:convened_warnings")).status_code == 404


def test_convener_api(api_for, convener, warned, make_member, sectors, year):
    api = api_for(convener.user.username)
    path = f"/api/v1/members/{warned.pk}/warning-case"
    r = api.get(path + f"?year={year}")
    assert r.status_code == 200 and r.json()["allowed_actions"] == ["talk"]
    r = api.post(
        path + f"/talk?year={year}",
        {
            "talk_by": "staff",
            "talk_by_name": "冒名",
            "talk_on": TODAY.isoformat(),
            "talk_summary": "谈话",
            "member_response": "好",
        },
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    assert r.json()["talk_by"] == "convener" and r.json()["talk_by_name"] == "召集人甲"
    r = api.post(
        path + f"/decide?year={year}",
        {"decision": "withdraw", "grounds": "x"},
        content_type="application/json",
    )
    assert r.status_code == 403
    stranger = make_member(name="别界委员", sector=sectors[0])
    assert api_for(stranger.user.username).get(path).status_code == 404


def test_the_office_workbench_counts_open_warnings(
    client_for, user, warned, year, django_assert_max_num_queries
):
    office = user("office")
    cards = {card["label"]: card for card in check_cards(client_for("office"), office)}
    card = cards["待处理的履职预警"]
    assert card["url"].endswith("?state=open") and card["level"] == "danger"
    assert card["count"] == len(selectors.warning_list(office.organisation, year, state="open"))
    body = client_for("office").get("/").content.decode()
    assert "待处理的履职预警" in body
    # the 提案委 and 信息科 staff act on proposals and 社情民意, not on warnings
    for username in ("staff", "info", "leader", "member1"):
        assert "待处理的履职预警" not in {c["label"] for c in todos_for(user(username))}
    # a decided case leaves the count
    _talk(office, warned, year)
    warning_decide(user=office, member=warned, year=year, decision="withdraw", grounds="情况属实，已撤销")
    after = next(i for i in todos_for(office) if i["label"] == "待处理的履职预警")
    assert after["count"] == card["count"] - 1
