"""Every role has a useful home (#15): a 乡镇联络组 sees its members, meetings, figures and 有事好商量; a leader
the key figures of the dashboard; a city's staff the queues of the counties below, summed. Each home reads a
constant number of queries whatever the data; the roles it is not for see none of it."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.proposals.conftest import *  # noqa: F401,F403  (the proposal_in fixture)
from zhengxie.core.models import Organisation
from zhengxie.members.models import Member
from zhengxie.performance.models import MemberYearScore
from zhengxie.proposals import workflow as wf
from zhengxie.proposals.models import Proposal

pytestmark = pytest.mark.django_db

SECTIONS = ("dash-liaison-members", "dash-key-figures", "dash-lower-queues")


def _queries(client, url="/") -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _value(html, dom_id) -> str:
    return re.search(rf'id="{dom_id}">([^<]*)<', html).group(1)


def test_a_liaison_group_sees_its_members_meetings_figures_and_consultations(client_for, user):
    liaison = user("liaison")
    group = liaison.organisation
    c = client_for("liaison")
    r = c.get("/")
    html = r.content.decode()
    for section in ("liaison-members", "liaison-meetings", "liaison-scores", "liaison-consultations"):
        assert f'id="dash-{section}"' in html
    members = Member.objects.filter(liaison_group=group, status=Member.Status.ACTIVE)
    assert _value(html, "liaison-members-count") == f"{members.count()} 人"
    scores = MemberYearScore.objects.filter(liaison_group=group, year=r.context["home"][2].title[:4])
    assert _value(html, "liaison-scored") == f"{scores.count()} 人"
    # The names open the members' archives, the group's own meetings and 有事好商量 their pages.
    links = re.findall(r'href="(/(?:performance/members|activities|consultation)/\d+/)"', html)
    assert links
    for link in set(links):
        assert c.get(link).status_code == 200, link
    # Nothing of another group's or of the county's members.
    other = Member.objects.exclude(liaison_group=group).filter(status=Member.Status.ACTIVE).first()
    assert f'href="/performance/members/{other.pk}/"' not in html


def test_the_liaison_home_reads_constant_queries(client_for, user, django_assert_max_num_queries):
    from zhengxie.activities import services as meetings

    c = client_for("liaison")
    n = _queries(c)
    group = user("liaison").organisation
    county = group.committee
    office = user("office")
    others = list(
        Member.objects.filter(organisation=county, status=Member.Status.ACTIVE)
        .exclude(liaison_group=group)
        .values_list("pk", flat=True)[:5]
    )
    Member.objects.filter(pk__in=others).update(liaison_group=group)
    import datetime

    from django.utils import timezone

    start = timezone.now() + datetime.timedelta(days=3)
    m = meetings.meeting_create(
        user=office,
        kind="committee",
        title="加开会议",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        place="会议室",
    )
    meetings.meeting_invite(user=office, meeting=m, members=others)
    meetings.meeting_notify(user=office, meeting=m)
    with django_assert_max_num_queries(n):
        html = c.get("/").content.decode()
    assert "加开会议" in html and "本组 5 人受邀" in html
    when = f"{timezone.localtime(start):%Y-%m-%d %H:%M}"
    assert f'<span class="text-nowrap">{when}</span> · 本组 5 人受邀' in html  # #15: a date never breaks


def test_a_leader_sees_the_key_figures_of_the_dashboard(client_for, django_assert_max_num_queries):
    c = client_for("leader")
    html = c.get("/").content.decode()
    assert 'id="dash-key-figures"' in html and "领导驾驶舱" in html
    for label in ("提案：办复率", "提案：满意率", "督办：红灯（超期）", "重点工作：滞后", "会议活动：出席率"):
        assert label in html, label
    # The same numbers as the dashboard's.
    dash = c.get(reverse("dashboard:index")).content.decode()
    for dom_id in ("supervision-red", "supervision-yellow"):
        assert _value(html, dom_id) == _value(dash, dom_id)
    # Measured after a first write, then after the rest: inside this test's transaction the kept figures
    # (core.datacache) are counted afresh after any write, so both counts take the same path.
    submitted = list(Proposal.objects.filter(status=Proposal.Status.SUBMITTED).values_list("pk", flat=True))
    assert len(submitted) >= 2
    Proposal.objects.filter(pk=submitted[0]).update(status=Proposal.Status.ACCEPTED)
    n = _queries(c)
    Proposal.objects.filter(pk__in=submitted[1:]).update(status=Proposal.Status.ACCEPTED)
    with django_assert_max_num_queries(n):
        c.get("/")


def test_a_city_sees_the_counties_queues_summed(client_for, user, proposal_in, django_assert_max_num_queries):
    c = client_for("citystaff")
    html = c.get("/").content.decode()
    assert 'id="dash-lower-queues"' in html and "各县（区）政协待办汇总" in html
    county = Organisation.objects.get(code="demo-county")
    review = Proposal.objects.filter(organisation=county, status__in=wf.states("review")).count()
    rows = {
        cells[0]: cells[1:]
        for cells in (
            [re.sub(r"<[^>]+>", "", x).strip() for x in re.findall(r"<td[^>]*>(.*?)</td>", tr, flags=re.S)]
            for tr in re.findall(r"<tr>(.*?)</tr>", html.split('id="lower-queue-table"')[1], flags=re.S)
        )
        if cells
    }
    assert rows[county.name][0] == str(review)
    assert set(rows) >= {"本级", county.name, "石门区政协", "合计"}
    assert rows["合计"][0] == str(sum(int(v[0]) for k, v in rows.items() if k != "合计"))
    n = _queries(c)
    proposal_in("submitted")  # one more waiting for review in the county
    with django_assert_max_num_queries(n):
        html = c.get("/").content.decode()
    assert f'<td class="text-end">{review + 1}</td>' in html.split(county.name)[1].split("</tr>")[0]


@pytest.mark.parametrize("username", ["member1", "staff", "handler1", "auditor", "other"])
def test_other_roles_see_none_of_these_homes(client_for, username):
    html = client_for(username).get("/").content.decode()
    assert not any(f'id="{s}"' in html for s in SECTIONS)
    assert 'id="dash-liaison-meetings"' not in html
