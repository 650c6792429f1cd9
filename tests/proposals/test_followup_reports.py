"""跟踪落实 for those who read it: the leaders' read-only 落实台账, who sees the ledger (and who gets 404),
the ledger exported to .xlsx in the background, and the follow-up figures of the session statistics."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from zhengxie.core.demo import make_user
from zhengxie.core.errors import Forbidden
from zhengxie.core.models import AuditEntry, Export, Office, Organisation, Role
from zhengxie.proposals import services, stats
from zhengxie.proposals.exports.followup import COLUMNS, ledger_workbook
from zhengxie.proposals.models import Assignment, FollowUp, Proposal, Reply

from . import test_followup
from .builders import build, new_session

followup_in = (
    test_followup.followup_in
)  # the fixture: followup_in(**proposal_in kwargs) -> (proposal, follow-up)
notes = test_followup.notes

St = FollowUp.Status
LEDGER = "/proposals/followups/"
EXPORT = "/proposals/followups/export/"
API = "/api/v1"
J = "application/json"


@pytest.fixture(autouse=True)
def _empty_ledger(db):
    """Start from a ledger without the demo's follow-ups, so that rows and counts are this test's own."""
    FollowUp.objects.all().delete()


@pytest.fixture
def county2_users(db):
    """A proposal office staff member and a leader of another county (石门区政协)."""
    org = Organisation.objects.get(code="demo-county-2")
    return (
        make_user("staff2", "区提案委", org, [Role.STAFF], office=Office.PROPOSAL),
        make_user("leader2", "区政协主席", org, [Role.LEADER]),
    )


def _html(client, url, **params):
    r = client.get(url, params)
    assert r.status_code == 200, r.status_code
    return r.content.decode()


def _export(client, query="", capture=None):
    """The export, answered as the file at once when small, else through the progress page (either way
    an export row holds the file)."""
    with capture(execute=True):
        r = client.post(EXPORT + (f"?{query}" if query else ""))
    assert r.status_code in (200, 302), r.status_code
    return r


def _rows(client, export):
    from openpyxl import load_workbook

    d = client.get(reverse("proposals:export_download", args=[export.pk]))
    assert d.status_code == 200
    return list(load_workbook(io.BytesIO(b"".join(d.streaming_content))).active.iter_rows(values_only=True))


# --- leaders: read-only ----------------------------------------------------------------------------------------


def test_leader_reads_the_ledger_and_the_followup_but_acts_on_nothing(
    user, followup_in, client_for, api_for, units
):
    p, f = followup_in()
    p2, f2 = followup_in(author="member2", lead="住建局", title="关于加强城区学校周边住房安全的建议")
    FollowUp.objects.filter(pk=f.pk).update(planned_date=timezone.localdate() - datetime.timedelta(days=3))
    leader = client_for("leader")
    home = _html(leader, "/")
    assert f'href="{LEDGER}"' in home and "落实台账" in home
    ledger = _html(leader, LEDGER)
    assert p.title in ledger and p2.title in ledger
    assert "只读" in ledger and "nav-tabs" not in ledger and 'id="btn-followup-export"' in ledger
    # the same filters as the office's
    late = _html(leader, LEDGER, overdue="1")
    assert p.title in late and p2.title not in late
    by_unit = _html(leader, LEDGER, unit=units["住建局"].pk)
    assert p2.title in by_unit and p.title not in by_unit

    services.followup_report(user=user("handler1"), followup=f, content="已完工。", done=True)
    page = _html(leader, reverse("proposals:followup", args=[f.pk]))
    assert "已完工" in page
    for form in ('id="confirm-form"', 'id="report-form"', 'id="plan-form"', 'id="btn-remind"'):
        assert form not in page
    r = leader.post(reverse("proposals:followup_act", args=[f.pk, "confirm"]), {"decision": "accept"})
    assert r.status_code == 403 and "只有本级提案委员会" in r.content.decode()
    r = leader.post(reverse("proposals:followup_act", args=[f2.pk, "remind"]))
    assert not notes("handler2", "督促落实").exists()
    r = leader.post(reverse("proposals:followup_act", args=[f.pk, "report"]), {"content": "领导报告"})
    assert r.status_code == 403
    with pytest.raises(Forbidden):
        services.followup_confirm(user=user("leader"), followup=f, accept=True)
    with pytest.raises(Forbidden):
        services.followup_remind(user=user("leader"), followup=f2)
    f.refresh_from_db()
    assert f.status == St.REPORTED_DONE and f.reports.count() == 1

    # the API gives the leader the same ledger, and the same refusals
    api = api_for("leader")
    assert api.get(f"{API}/followups").json()["count"] == 2
    assert api.get(f"{API}/followups/{f.pk}").json()["allowed_actions"] == []
    assert api.post(f"{API}/followups/{f.pk}/confirm", {"accept": True}, content_type=J).status_code == 403


def test_who_sees_the_ledger(user, followup_in, client_for, county2_users):
    p, f = followup_in()
    p2, f2 = followup_in(author="member2", lead="住建局", title="关于加强城区学校周边住房安全的建议")
    detail = reverse("proposals:followup", args=[f.pk])
    # the county's proposal office and leader; the city's proposal office sees its subtree (read, not confirm)
    for name in ("staff", "leader", "citystaff"):
        page = _html(client_for(name), LEDGER)
        assert p.title in page and p2.title in page, name
    assert 'id="confirm-form"' not in _html(client_for("citystaff"), detail)
    assert "nav-tabs" in _html(client_for("staff"), LEDGER)
    # other staff offices, members, units: no ledger (a unit has its own list, with only its follow-ups)
    for name in ("office", "info", "member1", "handler1", "unithead1", "auditor"):
        c = client_for(name)
        assert c.get(LEDGER).status_code == 404, name
        assert c.post(EXPORT).status_code == 404, name
    mine = _html(client_for("handler2"), reverse("proposals:followups_mine"))
    assert p2.title in mine and p.title not in mine
    assert client_for("handler2").get(detail).status_code == 404
    # another county: an empty ledger of its own, and 404 for the objects
    for c in (client_for("staff2"), client_for("leader2"), client_for("other")):
        assert c.get(detail).status_code == 404
        assert c.post(reverse("proposals:followup_act", args=[f.pk, "remind"])).status_code == 404
    for c in (client_for("staff2"), client_for("leader2")):
        page = _html(c, LEDGER)
        assert p.title not in page and "没有符合条件的跟踪落实事项" in page
    assert client_for("other").get(LEDGER).status_code == 404
    # the menu entry follows the same rule
    assert f'href="{LEDGER}"' in _html(client_for("leader2"), "/")
    for name in ("office", "member1"):
        assert f'href="{LEDGER}"' not in _html(client_for(name), "/"), name


# --- export ------------------------------------------------------------------------------------------------------


def test_ledger_export_has_the_filtered_rows(
    user, followup_in, client_for, django_capture_on_commit_callbacks, units, settings
):
    settings.EXPORT_INLINE_MAX_ROWS = 0  # the background path (small ledgers are answered at once)
    p, f = followup_in()
    p2, f2 = followup_in(author="member2", lead="住建局", title="关于加强城区学校周边住房安全的建议")
    p3, f3 = followup_in(author="member3", title="关于改善乡村学校食堂条件的建议")
    h1, h2, staff = user("handler1"), user("handler2"), user("staff")
    plan = timezone.localdate() + datetime.timedelta(days=30)
    services.followup_report(user=h1, followup=f, content="第一次进展：已完成选址。", planned_date=plan)
    long = "第二次进展：" + "施工推进，" * 40
    services.followup_report(user=h1, followup=f, content=long)
    FollowUp.objects.filter(pk=f.pk).update(planned_date=timezone.localdate() - datetime.timedelta(days=2))
    services.followup_report(user=h2, followup=f2, content="工程已竣工。", done=True)
    services.followup_confirm(user=staff, followup=f2, accept=True)
    FollowUp.objects.filter(pk=f3.pk).update(status=St.SUPERSEDED)  # ended: not in the default ledger

    c = client_for("staff")
    r = _export(c, capture=django_capture_on_commit_callbacks)
    export = Export.objects.filter(user__username="staff").latest("created_at")
    assert r.url == reverse("core:export", args=[export.pk])
    assert export.status == Export.Status.DONE and export.progress == 100
    assert export.filename.startswith("B类提案跟踪落实台账-") and export.filename.endswith(".xlsx")
    assert "下载" in c.get(r.url).content.decode()
    rows = _rows(c, export)
    assert (
        list(rows[0])
        == COLUMNS
        == [
            "案号",
            "案由",
            "会次",
            "承办单位",
            "答复时间",
            "计划完成时间",
            "状态",
            "是否逾期",
            "最近进展",
            "报告次数",
            "确认时间",
        ]
    )
    by_title = {row[1]: row for row in rows[1:]}
    assert set(by_title) == {p.title, p2.title}
    today = timezone.localdate().isoformat()
    row = by_title[p.title]
    assert row[0] == p.number_label and row[2] == p.session.name and row[3] == "县教育局"
    assert row[4].startswith(today)
    assert row[5] == (timezone.localdate() - datetime.timedelta(days=2)).isoformat()
    assert (row[6], row[7], row[9], row[10]) == ("落实中", "是", 2, None)
    assert (
        row[8].startswith(f"{today} 第二次进展：施工推进") and row[8].endswith("…") and "选址" not in row[8]
    )
    assert len(row[8]) == len(today) + 1 + 100 + 1
    row = by_title[p2.title]
    assert (row[3], row[6], row[7], row[9]) == ("县住房和城乡建设局", "已落实", "否", 1)
    assert row[8] == f"{today} 工程已竣工。" and row[10].startswith(today)

    # the page's filters are repeated; the export is audited with them
    _export(c, f"unit={units['住建局'].pk}&status=done&page=3", capture=django_capture_on_commit_callbacks)
    export = Export.objects.filter(user__username="staff").latest("created_at")
    assert export.params == {"unit": str(units["住建局"].pk), "status": "done"}
    assert [row[1] for row in _rows(c, export)[1:]] == [p2.title]
    entry = AuditEntry.objects.filter(action="proposals.followup_xlsx.start", actor__username="staff").latest(
        "id"
    )
    assert entry.after["params"] == export.params and entry.after["export"] == str(export.pk)
    _export(c, "overdue=1", capture=django_capture_on_commit_callbacks)
    export = Export.objects.filter(user__username="staff").latest("created_at")
    assert [row[1] for row in _rows(c, export)[1:]] == [p.title]
    _export(c, "status=superseded", capture=django_capture_on_commit_callbacks)
    assert [
        row[1] for row in _rows(c, Export.objects.filter(user__username="staff").latest("created_at"))[1:]
    ] == [p3.title]

    # only its owner downloads it
    for name in ("leader", "member1", "handler1", "other"):
        assert client_for(name).get(reverse("proposals:export_download", args=[export.pk])).status_code == 404
        assert client_for(name).get(reverse("proposals:export", args=[export.pk])).status_code == 404


def test_leader_and_other_county_export_their_own_ledger(
    user, followup_in, client_for, county2_users, django_capture_on_commit_callbacks
):
    p, f = followup_in()
    leader = client_for("leader")
    _export(leader, capture=django_capture_on_commit_callbacks)
    assert [row[1] for row in _rows(leader, Export.objects.filter(user__username="leader").get())[1:]] == [
        p.title
    ]
    staff2 = client_for("staff2")
    _export(staff2, capture=django_capture_on_commit_callbacks)
    rows = _rows(staff2, Export.objects.filter(user__username="staff2").get())
    assert rows == [tuple(COLUMNS)]


def test_ledger_export_and_page_run_a_constant_number_of_queries(user, followup_in, client_for):
    staff = user("staff")
    p, f = followup_in()
    services.followup_report(user=user("handler1"), followup=f, content="进展")

    def count(fn):
        fn()
        with CaptureQueriesContext(connection) as ctx:
            fn()
        return len(ctx)

    c = client_for("leader")

    def page():
        assert c.get(LEDGER).status_code == 200

    def export():
        ledger_workbook(staff, {})

    one_page, one_export = count(page), count(export)
    for i in range(4):
        _, g = followup_in(author=["member2", "member3"][i % 2])
        for text in ("进展一", "进展二"):
            services.followup_report(user=user("handler1"), followup=g, content=text)
    assert count(page) == one_page
    assert count(export) == one_export <= 4


# --- statistics --------------------------------------------------------------------------------------------------


def _followup(p, status, planned=None):
    a = Assignment.objects.get(case_id=p.case_id, role=Assignment.Role.LEAD)
    return FollowUp.objects.create(
        case_id=p.case_id,
        assignment=a,
        reply=Reply.objects.get(assignment=a),
        status=status,
        planned_date=planned,
    )


def followup_session():
    """A session with B-class replies in every follow-up state, and one follow-up of another session."""
    session = new_session()
    today = timezone.localdate()
    day = datetime.timedelta(days=1)

    def b(unit_name="县教育局", **kw):
        return build(
            session=session, status=Proposal.Status.REPLIED, reply_class="B", unit_name=unit_name, **kw
        )

    _followup(b(title="逾期"), St.OPEN, today - day)
    _followup(b(title="落实中"), St.OPEN, today + day)
    _followup(b(title="待确认"), St.REPORTED_DONE, today - day)  # reported done: not overdue
    _followup(b(unit_name="县住房和城乡建设局", title="已落实"), St.DONE, today - day)
    _followup(b(unit_name="县住房和城乡建设局", title="终止"), St.SUPERSEDED)
    build(session=session, status=Proposal.Status.REPLIED, reply_class="A", title="A类")
    _followup(build(status=Proposal.Status.REPLIED, reply_class="B", title="另一会次"), St.OPEN, today - day)
    return session


def test_session_stats_count_the_followups(user):
    session = followup_session()
    s = stats.session_stats(user("staff"), session)
    assert s["totals"]["followups"] == {"total": 4, "open": 2, "reported_done": 1, "done": 1, "overdue": 1}
    units = {u["name"]: u for u in s["by_unit"]}
    assert (units["县教育局"]["followup_open"], units["县教育局"]["followup_done"]) == (3, 0)
    assert (units["县住房和城乡建设局"]["followup_open"], units["县住房和城乡建设局"]["followup_done"]) == (
        0,
        1,
    )
    assert stats.session_stats(user("leader"), session)["totals"]["followups"]["total"] == 4
    assert stats.session_stats(user("citystaff"), session)["totals"]["followups"]["total"] == 4
    assert stats.session_stats(user("other"), session)["totals"]["followups"] == {
        "total": 0,
        "open": 0,
        "reported_done": 0,
        "done": 0,
        "overdue": 0,
    }


def test_stats_page_and_xlsx_show_the_followups(user, client_for):
    from openpyxl import load_workbook

    session = followup_session()
    url = reverse("proposals:stats") + f"?session={session.pk}"
    for name in ("staff", "leader"):
        page = _html(client_for(name), url)
        assert 'id="stat-followup-total">4<' in page and 'id="stat-followup-overdue">1<' in page
        assert 'id="stat-followup-reported">1<' in page and 'id="stat-followup-done">1<' in page
        assert f'href="{LEDGER}?session={session.pk}"' in page
        assert '<th title="B类答复跟踪落实中（含待确认）">跟踪落实中</th>' in page
    assert "stats-followup-ledger" not in _html(client_for("info"), url)  # may see the figures, has no ledger

    wb = load_workbook(io.BytesIO(stats.stats_xlsx(stats.session_stats(user("staff"), session))))
    overall = {r[0]: r[1] for r in wb["总体情况"].iter_rows(values_only=True)}
    assert (
        overall["B类跟踪落实"],
        overall["跟踪落实：落实中"],
        overall["跟踪落实：已报落实待确认"],
        overall["跟踪落实：已确认落实"],
        overall["跟踪落实：逾期"],
    ) == (4, 2, 1, 1, 1)
    rows = list(wb["按承办单位"].iter_rows(values_only=True))
    assert rows[0][-2:] == ("跟踪落实中", "跟踪已落实")
    by_name = {r[0]: r for r in rows[1:]}
    assert by_name["县教育局"][-2:] == (3, 0) and by_name["县住房和城乡建设局"][-2:] == (0, 1)


def test_stats_queries_stay_constant_with_followups(user):
    session = new_session()
    build(session=session, status=Proposal.Status.REPLIED, reply_class="A", title="A类")
    staff = user("staff")
    with CaptureQueriesContext(connection) as before:
        stats.session_stats(staff, session)
    for i in range(6):
        p = build(
            session=session,
            status=Proposal.Status.REPLIED,
            reply_class="B",
            title=f"B{i}",
            unit_name=["县教育局", "县财政局", "县水利局"][i % 3],
        )
        _followup(p, [St.OPEN, St.REPORTED_DONE, St.DONE][i % 3])
    with CaptureQueriesContext(connection) as after:
        s = stats.session_stats(staff, session)
    assert s["totals"]["followups"]["total"] == 6
    assert len(after) == len(before) <= 10
    followup_sql = [q["sql"] for q in after.captured_queries if "handling_followup" in q["sql"]]
    assert len(followup_sql) == 1 and "GROUP BY" in followup_sql[0]
