"""The sections the apps register: proposals (as the dashboard always showed them), 督办, meetings, duty
scores; who sees which; a constant number of queries whatever the amount of data."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.proposals.builders import build, new_session
from zhengxie.activities.dashboard import attendance_figures
from zhengxie.core.dashboard import Period, sections_for
from zhengxie.handling.dashboard import supervision_figures
from zhengxie.members.models import Session
from zhengxie.proposals.dashboard import proposal_figures

URL = reverse("dashboard:index")


def _ids(user):
    session = Session.objects.get(organisation=user.organisation, is_current=True)
    return [s.id for s in sections_for(user, Period(session, session.year))]


def test_each_role_sees_its_sections(user):
    assert _ids(user("leader"))[:2] == ["proposals", "supervision"]
    assert {"activities", "performance"} <= set(_ids(user("leader")))
    assert _ids(user("staff"))[:2] == ["proposals", "supervision"]  # the proposals office supervises
    assert "supervision" in _ids(user("info"))  # the 信息科 runs the 批示落实 kind, so it supervises too
    assert "supervision" in _ids(user("office"))  # the 办公室 runs the public's 微建议 (public_suggestion)
    assert "proposals" in _ids(user("info"))
    assert _ids(user("member1")) == []  # providers are for the office, leaders and administrators


def test_the_proposals_section_shows_the_sessions_figures_charts_and_lists(client_for):
    session = new_session()
    build(
        session=session, status="replied", reply_class="A", ratings=["satisfied"], is_key=True, title="甲提案"
    )
    build(session=session, status="handling", light="red", co_units=["县财政局"], title="红灯提案")
    page = client_for("leader").get(URL + f"?session={session.pk}").content.decode()
    assert 'id="stat-submitted">2<' in page and 'id="stat-reply-rate">50.0%<' in page
    assert 'id="stat-satisfaction">100.0%<' in page
    for chart in ("status-bar", "light-pie", "class-pie", "unit-bar", "category-pie"):
        assert f'data-chart-source="{chart}"' in page and f'<script id="{chart}"' in page
    red = page[page.index('id="red-lights"') : page.index('id="key-progress"')]
    # the deadline leads the note on one line (#15: at some widths it broke as 2030-06-/30)
    assert "红灯提案" in red and "财政局" not in red
    assert '· <span class="text-nowrap">期限 2030-06-30</span> · 教育局' in red
    key = page[page.index('id="key-progress"') :]
    assert "甲提案" in key and "已答复" in key and "红灯提案" not in key
    assert f'href="{reverse("proposals:stats")}?session={session.pk}"' in page


def test_an_empty_session_shows_dashes_and_empty_lists(client_for):
    session = new_session()
    page = client_for("leader").get(URL + f"?session={session.pk}").content.decode()
    assert 'id="stat-submitted">0<' in page and 'id="stat-reply-rate">—<' in page
    assert "没有超期提案。" in page and "暂无重点提案。" in page


def test_the_supervision_section_links_each_light_to_the_board(client_for, user):
    page = client_for("leader").get(URL).content.decode()
    board = reverse("handling:board")
    for light in ("red", "yellow", "green"):
        assert f'href="{board}?light={light}"' in page
    assert supervision_figures(user("member1"), Period(None, 2030)) is None  # supervises nothing
    totals = supervision_figures(user("leader"), Period(None, 2030)).cards
    assert [c.label for c in totals][:4] == ["在办合计", "红灯（超期）", "黄灯（临近期限）", "绿灯"]


def test_the_meetings_section_counts_the_years_attendance(user):
    section = attendance_figures(user("leader"), Period(None, 1990))
    assert [c.value for c in section.cards] == [0, None, 0, 0]  # no meetings that year: no rate


def _queries(func, *args) -> int:
    func(*args)  # warm caches (content types, settings)
    with CaptureQueriesContext(connection) as ctx:
        func(*args)
    return len(ctx)


def test_providers_run_a_constant_number_of_queries(user, client_for):
    leader = user("leader")
    session = new_session()
    period = Period(session, session.year)
    # A few: one of each list (a red light, a key proposal), so the lists' prefetches run already.
    build(session=session, status="replied", reply_class="A", ratings=["satisfied"], light="")
    build(session=session, status="handling", light="red", is_key=True)
    before = {f: _queries(f, leader, period) for f in (proposal_figures, supervision_figures)}
    page_before = _queries(client_for("leader").get, URL + f"?session={session.pk}")
    for i in range(8):
        build(
            session=session,
            status=["submitted", "accepted", "assigned", "handling", "replied"][i % 5],
            reply_class="B" if i % 5 == 4 else None,
            ratings=["basically_satisfied"],
            cosigners=["member2"],
            light="red" if i % 2 else "yellow",
            is_key=True,
            title=f"关于教育事业发展的提案{i}",
            unit_name=["县教育局", "县财政局"][i % 2],
            co_units=["县财政局"] if i % 6 == 0 else (),
            category=["科教文卫", "经济建设"][i % 2],
        )
    after = {f: _queries(f, leader, period) for f in (proposal_figures, supervision_figures)}
    assert after == before
    assert _queries(client_for("leader").get, URL + f"?session={session.pk}") == page_before
