"""换届提名参考名单 (#15): per member of a term, each year's score, grade, yearly minimum and 三个一, the warnings
and their cases, and the suggestion with its reasons — checked against a recount from the duty records;
the page, the .xlsx (core.exports) and GET /api/v1/performance/renomination; constant queries."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from zhengxie.core.models import User
from zhengxie.members.models import Member, Session, Term
from zhengxie.performance import acts as A
from zhengxie.performance import renomination
from zhengxie.performance.models import DutyRecord, MemberYearScore
from zhengxie.performance.services import recompute_now, record_act
from zhengxie.performance.services_warnings import warning_decide, warning_talk

# Years the demo does not touch, before today (a term's years after today are not listed).
Y1, Y2 = 2018, 2019


@pytest.fixture
def term(county):
    t = Term.objects.create(
        organisation=county,
        number=12,
        name="第十二届",
        start_date=datetime.date(Y1, 1, 1),
        end_date=datetime.date(Y2, 12, 31),
    )
    for n, y in ((1, Y1), (2, Y2)):
        Session.objects.create(
            term=t,
            organisation=county,
            number=n,
            name=f"第十二届第{n}次会议",
            year=y,
            start_date=datetime.date(y, 1, 10),
            end_date=datetime.date(y, 1, 12),
        )
    return t


def _acts(member, sessions, year, acts):
    for act in acts:
        for i, s in enumerate(sessions):
            record_act(member=member, act=act, source=s, occurred_on=datetime.date(year, 2, 1 + i))


@pytest.fixture
def world(make_member, county, term):
    # record_act is idempotent per (member, act, source): each year's acts have sources of their own
    pool = list(Session.objects.filter(organisation=county).order_by("pk")[:6])
    by_year = {Y1: pool[:3], Y2: pool[3:6]}
    good_acts = [
        A.PLENARY_ATTEND,
        A.PROPOSAL_SUBMIT,
        A.OPINION_SUBMIT,
        A.INSPECTION,
        A.SPEECH_WRITTEN,
        A.RESEARCH,
    ]
    good, silent, absent = (make_member(name=n) for n in ("优秀委员", "沉默委员", "缺席委员"))
    for y in (Y1, Y2):
        _acts(good, by_year[y], y, good_acts)
        # 沉默委员: attends and reports 社情民意 but never a proposal
        _acts(silent, by_year[y], y, [A.PLENARY_ATTEND, A.OPINION_SUBMIT, A.INSPECTION, A.SPEECH_WRITTEN])
    _acts(absent, by_year[Y1], Y1, good_acts)
    _acts(absent, by_year[Y2][:2], Y2, [A.PLENARY_ABSENT])
    Member.objects.filter(pk__in=[good.pk, silent.pk, absent.pk]).update(term=term)
    for y in (Y1, Y2):
        recompute_now(organisation=county, year=y)
    staff = User.objects.get(username="staff")
    warning_talk(
        user=staff,
        member=absent,
        year=Y2,
        talk_by="staff",
        talk_by_name="王干事",
        talk_on=datetime.date(Y2, 6, 1),
        talk_summary="督促参会",
        member_response="表示难以保证",
    )
    warning_decide(
        user=staff, member=absent, year=Y2, decision="advise", rule="plenary_absent", grounds="两次缺席"
    )
    return {"good": good, "silent": silent, "absent": absent}


def test_list_against_a_recount(world, term, county):
    data = renomination.renomination(term)
    assert data["years"] == [Y1, Y2]
    rows = {r["member_id"]: r for r in data["rows"]}
    assert set(rows) == set(Member.objects.filter(term=term).values_list("pk", flat=True))
    for mid, row in rows.items():
        for cell in row["years"]:
            score = MemberYearScore.objects.filter(member_id=mid, year=cell["year"]).first()
            assert cell["total"] == (float(score.total) if score else None)
            assert cell["passed"] == bool(score and score.passed)
            acts = set(
                DutyRecord.objects.filter(member_id=mid, year=cell["year"], voided=False).values_list(
                    "act", flat=True
                )
            )
            three = (
                A.PLENARY_ATTEND in acts
                and bool(acts & {A.PROPOSAL_SUBMIT, A.OPINION_SUBMIT})
                and bool(acts & {A.INSPECTION, A.RESEARCH})
            )
            assert cell["three_ones"] == three
    good, silent, absent = (rows[world[k].pk] for k in ("good", "silent", "absent"))
    assert good["suggest"] and good["suggestion"] == "建议续提名" and good["reasons"] == []
    assert all(c["met"] for c in good["years"])
    assert not silent["suggest"] and f"{Y2}年：连续两年未提交提案" in silent["reasons"]
    assert not absent["suggest"]
    assert "当前状态为“已劝辞”" in absent["reasons"]
    assert any(r.startswith(f"{Y2}年已劝辞") for r in absent["reasons"])
    assert absent["cases"][0]["state"] == "已劝辞" and absent["cases"][0]["grounds"] == "两次缺席"
    assert data["counts"] == {"members": 3, "suggest": 1, "not_suggest": 2}
    assert [r["suggest"] for r in data["rows"]] == [False, False, True]  # 不建议 first


def test_a_year_without_a_score_lists_no_warning(world, term, county, make_member):
    """A member who joined in the second year: the first year reads 未计分 with no computed warning (it read
    全年无提案且无社情民意信息；年度得分低于合格线 for every year before the member served)."""
    pool = list(Session.objects.filter(organisation=county).order_by("pk")[:6])
    late = make_member(name="次年增补委员")
    _acts(late, pool[3:6], Y2, [A.PLENARY_ATTEND, A.PROPOSAL_SUBMIT, A.INSPECTION, A.SPEECH_WRITTEN])
    Member.objects.filter(pk=late.pk).update(term=term)
    recompute_now(organisation=county, year=Y2)
    MemberYearScore.objects.filter(member=late, year=Y1).delete()  # not serving in Y1
    row = next(r for r in renomination.renomination(term)["rows"] if r["member_id"] == late.pk)
    first, second = row["years"]
    assert not first["scored"] and first["warnings"] == [] and first["case_state"] == ""
    assert second["scored"]
    # the other members' scored years keep their warnings
    silent = next(r for r in renomination.renomination(term)["rows"] if r["member_id"] == world["silent"].pk)
    assert any("连续两年未提交提案" in w for w in silent["years"][1]["warnings"])


def test_page_export_api_and_access(world, term, client_for, api_for):
    c = client_for("staff")
    url = reverse("performance:renomination") + f"?term={term.pk}"
    body = c.get(url).content.decode()
    assert "换届提名参考名单" in body and "连续两年未提交提案" in body and "不建议续提名" in body
    assert "优秀委员" in body
    assert "优秀委员" not in c.get(url + "&suggest=no").content.decode()
    r = c.get(reverse("performance:renomination_export") + f"?term={term.pk}")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(b"".join(r.streaming_content) if r.streaming else r.content)).active
    rows = list(ws.iter_rows(values_only=True))
    names = {row[1]: row for row in rows[2:]}
    assert names["优秀委员"][-2] == "建议续提名" and names["缺席委员"][-2] == "不建议续提名"
    data = api_for("leader").get(f"/api/v1/performance/renomination?term={term.pk}").json()
    assert data["years"] == [Y1, Y2] and data["suggested"] == 1 and len(data["rows"]) == 3
    assert api_for("member1").get(f"/api/v1/performance/renomination?term={term.pk}").status_code == 404
    assert client_for("member1").get(url).status_code == 404
    other = Term.objects.exclude(organisation=term.organisation).first()
    if other is not None:  # another county's term: invisible
        assert api_for("staff").get(f"/api/v1/performance/renomination?term={other.pk}").status_code == 404


def test_constant_queries(world, term, make_member, county, api_for):
    api = api_for("staff")
    path = f"/api/v1/performance/renomination?term={term.pk}"
    with CaptureQueriesContext(connection) as ctx:
        assert api.get(path).status_code == 200
    n = len(ctx.captured_queries)
    sessions = list(Session.objects.filter(organisation=county).order_by("pk")[:2])
    more = [make_member() for _ in range(6)]
    for m in more:
        _acts(m, sessions, Y1, [A.PLENARY_ATTEND, A.PROPOSAL_SUBMIT])
    Member.objects.filter(pk__in=[m.pk for m in more]).update(term=term)
    recompute_now(organisation=county, year=Y1)
    with CaptureQueriesContext(connection) as ctx:
        r = api.get(path)
    assert r.status_code == 200 and len(r.json()["rows"]) == 9
    assert len(ctx.captured_queries) == n, [q["sql"][:120] for q in ctx.captured_queries]
