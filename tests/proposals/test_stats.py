"""Statistics of a session checked against a hand-built set; constant query counts; stats page and export."""

import io

from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhengxie.proposals import stats
from zhengxie.proposals.models import Evaluation, Proposal

from .builders import build, new_session

S = Proposal.Status
SAT, BASIC, UNSAT = (
    Evaluation.Rating.SATISFIED,
    Evaluation.Rating.BASICALLY_SATISFIED,
    Evaluation.Rating.UNSATISFIED,
)


def hand_built_session():
    session = new_session()
    build(session=session, status=S.DRAFT, title="草稿")
    build(session=session, status=S.SUBMITTED, category="其他", title="待审查")
    build(session=session, status=S.REJECTED, category="其他", title="不予立案")
    build(session=session, status=S.ASSIGNED, light="red", title="办理中红灯")
    build(
        session=session,
        status=S.REPLIED,
        reply_class="A",
        ratings=[SAT, BASIC],
        cosigners=["member2"],
        title="A类按期",
    )
    build(
        session=session,
        status=S.REPLIED,
        reply_class="B",
        on_time=False,
        ratings=[UNSAT],
        unit_name="县住房和城乡建设局",
        category="城乡建设",
        title="B类逾期",
    )
    build(
        session=session,
        status=S.CLOSED,
        reply_class="C",
        ratings=[SAT],
        unit_name="县住房和城乡建设局",
        category="城乡建设",
        title="C类办结",
        co_units=["县教育局"],
    )
    return session


def test_session_totals_match_the_hand_built_set(user):
    session = hand_built_session()
    s = stats.session_stats(user("staff"), session)
    t = s["totals"]
    assert (t["submitted"], t["accepted"], t["rejected"], t["pending"]) == (6, 4, 1, 1)
    assert t["accept_rate"] == 66.7
    assert (t["replied"], t["on_time"], t["reply_rate"]) == (3, 2, 50.0)
    assert (t["evaluated"], t["satisfied"], t["basically"], t["unsatisfied"]) == (4, 2, 1, 1)
    assert t["satisfaction_rate"] == 75.0
    assert t["classes"] == {"A": 1, "B": 1, "C": 1}
    assert t["class_shares"]["A"] == 33.3
    assert t["red"] == 1 and t["closed"] == 1


def test_by_unit_and_by_category(user):
    s = stats.session_stats(user("staff"), hand_built_session())
    units = {u["name"]: u for u in s["by_unit"]}
    edu, housing = units["县教育局"], units["县住房和城乡建设局"]
    assert (edu["lead"], edu["co"], edu["replied"], edu["on_time"], edu["reply_rate"]) == (2, 1, 1, 1, 50.0)
    assert (edu["evaluated"], edu["good"], edu["satisfaction_rate"], edu["red"]) == (2, 2, 100.0, 1)
    assert edu["classes"] == {"A": 1, "B": 0, "C": 0}
    assert (housing["lead"], housing["replied"], housing["on_time"]) == (2, 2, 1)
    assert (housing["evaluated"], housing["good"], housing["satisfaction_rate"]) == (2, 1, 50.0)
    cats = {c["category"]: c for c in s["by_category"]}
    assert (cats["科教文卫"]["submitted"], cats["科教文卫"]["accepted"], cats["科教文卫"]["on_time"]) == (
        2,
        2,
        1,
    )
    assert (cats["其他"]["submitted"], cats["其他"]["accepted"], cats["其他"]["accept_rate"]) == (2, 0, 0.0)
    assert cats["城乡建设"]["satisfaction_rate"] == 50.0
    # The configured category order is kept (科教文卫 before 其他).
    order = [c["category"] for c in s["by_category"]]
    assert order.index("城乡建设") < order.index("科教文卫") < order.index("其他")


def test_other_county_sees_nothing_of_this_session(user):
    session = hand_built_session()
    s = stats.session_stats(user("other"), session)
    assert s["totals"]["submitted"] == 0 and s["by_unit"] == []


def test_stats_run_a_constant_number_of_queries(user):
    session = hand_built_session()
    staff = user("staff")
    with CaptureQueriesContext(connection) as before:
        stats.session_stats(staff, session)
    for i in range(6):
        build(
            session=session,
            status=S.REPLIED,
            reply_class="B",
            ratings=[SAT],
            title=f"加{i}",
            unit_name=["县教育局", "县财政局", "县水利局"][i % 3],
            category=["经济建设", "农业农村"][i % 2],
        )
    with CaptureQueriesContext(connection) as after:
        stats.session_stats(staff, session)
    assert len(after) == len(before) <= 10


def test_stats_xlsx_has_the_figures(user):
    from openpyxl import load_workbook

    s = stats.session_stats(user("staff"), hand_built_session())
    wb = load_workbook(io.BytesIO(stats.stats_xlsx(s)))
    assert wb.sheetnames == ["总体情况", "按承办单位", "按类别"]
    rows = {r[0]: r[1] for r in wb["总体情况"].iter_rows(values_only=True)}
    assert rows["办复率(%)"] == 50.0 and rows["满意率(%)"] == 75.0
    units = [r[0] for r in wb["按承办单位"].iter_rows(values_only=True)]
    assert "县教育局" in units
