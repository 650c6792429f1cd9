"""动态退出 (#15): a warning case moves 预警 → 谈话提醒 → 劝辞 / 视为辞去 / 继续履职 / 撤销预警; the decision
cites a rule, changes the member's status (off invitee lists), is audited and told to the member and the
convener who talked; illegal steps answer 409, missing grounds 422 in Chinese, others 403/404."""

import datetime

import pytest
from django.urls import reverse

from zhengxie.core.errors import Conflict, Forbidden, Invalid
from zhengxie.core.models import AuditEntry, Notification, User
from zhengxie.members.models import Member, Session
from zhengxie.performance import acts as A
from zhengxie.performance import selectors
from zhengxie.performance import workflow as W
from zhengxie.performance.models import MemberWarning, MemberYearScore, WarningCase
from zhengxie.performance.services import recompute_now, record_act
from zhengxie.performance.services_warnings import warning_decide, warning_talk

from .conftest import YEAR


def _absent_twice(member, county):
    s = list(Session.objects.filter(organisation=county).order_by("pk"))
    record_act(member=member, act=A.PLENARY_ABSENT, source=s[0], occurred_on=datetime.date(YEAR, 1, 10))
    record_act(member=member, act=A.PLENARY_ABSENT, source=s[1], occurred_on=datetime.date(YEAR, 3, 10))


def _talk(user, member, **kw):
    args = {
        "talk_by": "staff",
        "talk_by_name": "王干事",
        "talk_on": datetime.date.today(),
        "talk_summary": "通报缺席情况，督促参会",
        "member_response": "表示工作繁忙",
    } | kw
    return warning_talk(user=user, member=member, year=YEAR, **args)


@pytest.fixture
def absent(make_member, county):
    m = make_member(name="两次缺席委员")
    _absent_twice(m, county)
    return m


def test_talk_then_advise_changes_status_audits_and_notifies(user, absent, make_member):
    staff = user("staff")
    convener = make_member(name="界别召集人甲")
    case = _talk(staff, absent, talk_by="convener", talk_convener=convener, talk_by_name="")
    assert case.state == W.TALKED and case.talk_by_name == "界别召集人甲"
    assert AuditEntry.objects.filter(action="performance.warning_talk", target_id=str(case.pk)).exists()
    case = warning_decide(
        user=staff,
        member=absent,
        year=YEAR,
        decision="advise",
        rule="plenary_absent",
        grounds="谈话后仍表示难以履职，经主席会议研究予以劝辞",
    )
    absent.refresh_from_db()
    assert case.state == W.ADVISED and absent.status == Member.Status.ADVISED
    assert absent.get_status_display() == "已劝辞"
    entry = AuditEntry.objects.get(action="performance.warning_decide", target_id=str(case.pk))
    assert entry.before["member_status"] == "active" and entry.after["member_status"] == "advised"
    assert Notification.objects.filter(user=absent.user, title__contains="劝辞").exists()
    assert Notification.objects.filter(user=convener.user, title__contains="两次缺席委员").exists()
    # the history: the talk and the decision, in order
    assert [s.step for s in MemberWarning.objects.filter(case=case).order_by("id")] == ["谈话提醒", "劝辞"]
    # inactive now: off the year's computed warnings and the invitable members, still on the warning list
    assert absent.pk not in selectors.warnings(absent.organisation_id, YEAR)
    assert not Member.objects.filter(pk=absent.pk, status=Member.Status.ACTIVE).exists()
    rows = selectors.warning_list(absent.organisation, YEAR)
    assert next(r for r in rows if r["member_id"] == absent.pk)["state"] == W.ADVISED


def test_illegal_transitions_are_409(user, absent):
    staff = user("staff")
    with pytest.raises(Conflict) as exc:  # 劝辞 needs a talk first
        warning_decide(
            user=staff, member=absent, year=YEAR, decision="advise", rule="plenary_absent", grounds="x"
        )
    assert exc.value.code == "illegal_transition" and "预警" in exc.value.message
    _talk(staff, absent)
    with pytest.raises(Conflict):  # a second talk
        _talk(staff, absent)
    warning_decide(
        user=staff, member=absent, year=YEAR, decision="deem", rule="plenary_absent", grounds="多次联系未果"
    )
    for decision in W.DECISIONS:
        with pytest.raises(Conflict):
            warning_decide(
                user=staff, member=absent, year=YEAR, decision=decision, rule="plenary_absent", grounds="y"
            )


def test_grounds_and_exit_rule_required_422(user, absent, make_member, county):
    staff = user("staff")
    with pytest.raises(Invalid) as exc:
        warning_decide(
            user=staff, member=absent, year=YEAR, decision="deem", rule="plenary_absent", grounds="  "
        )
    assert exc.value.field == "grounds" and "理由" in exc.value.message
    # 视为辞去 must cite a 劝辞建议 rule
    with pytest.raises(Invalid) as exc:
        warning_decide(
            user=staff, member=absent, year=YEAR, decision="deem", rule="below_pass", grounds="低分"
        )
    assert exc.value.field == "rule" and "一年内两次无故缺席全体会议" in exc.value.message
    # a member warned only for a low score cannot be dismissed, only kept or the warning withdrawn
    low = make_member(name="低分委员")
    recompute_now(organisation=county, year=YEAR)
    _talk(staff, low)
    with pytest.raises(Invalid) as exc:
        warning_decide(
            user=staff, member=low, year=YEAR, decision="advise", rule="below_pass", grounds="低分"
        )
    assert "未触发" in exc.value.message
    case = warning_decide(
        user=staff, member=low, year=YEAR, decision="continue", rule="below_pass", grounds="已改进"
    )
    low.refresh_from_db()
    assert case.state == W.CONTINUED and low.status == Member.Status.ACTIVE
    # a talk needs its date and summary
    with pytest.raises(Invalid) as exc:
        _talk(staff, absent, talk_summary="")
    assert exc.value.field == "talk_summary"


def test_permissions_forbidden_and_no_warning(user, absent, make_member, county):
    for who in ("leader", "member1", "citystaff"):
        with pytest.raises(Forbidden):
            _talk(user(who), absent)
        with pytest.raises(Forbidden):
            warning_decide(user=user(who), member=absent, year=YEAR, decision="withdraw", grounds="x")
    fine = make_member(name="积极委员")
    s = list(Session.objects.filter(organisation=county).order_by("pk"))
    for act in (A.PLENARY_ATTEND, A.PROPOSAL_SUBMIT, A.OPINION_SUBMIT, A.INSPECTION, A.SPEECH_WRITTEN):
        for i, x in enumerate(s):
            record_act(member=fine, act=act, source=x, occurred_on=datetime.date(YEAR, 2, 1 + i))
    recompute_now(organisation=county, year=YEAR)
    assert fine.pk not in selectors.warnings(county.pk, YEAR)
    with pytest.raises(Conflict) as exc:
        _talk(user("staff"), fine)
    assert exc.value.code == "no_warning"
    assert not WarningCase.objects.filter(member=fine).exists()


def test_multi_year_rules(make_member, county):
    """连续两年得分低于40分 → 劝辞建议; 连续两年未提交提案 → 不建议续提名 (a year before counts when scored)."""
    s = list(Session.objects.filter(organisation=county).order_by("pk"))
    both = make_member(name="两年低分")
    recent = make_member(name="今年才来")
    proposer = make_member(name="去年提案")
    record_act(member=proposer, act=A.PROPOSAL_SUBMIT, source=s[0], occurred_on=datetime.date(YEAR - 1, 5, 1))
    recompute_now(organisation=county, year=YEAR - 1)
    MemberYearScore.objects.filter(member=recent, year=YEAR - 1).delete()  # not serving last year
    recompute_now(organisation=county, year=YEAR)
    found = {m: {w["code"] for w in ws} for m, ws in selectors.warnings(county.pk, YEAR).items()}
    assert {"below_40_two_years", "no_proposal_two_years"} <= found[both.pk]
    assert "below_40_two_years" not in found[recent.pk] and "no_proposal_two_years" not in found[recent.pk]
    assert "no_proposal_two_years" not in found[proposer.pk]
    # the multi-year 劝辞建议 rule grounds a 劝辞 after a talk
    staff = User.objects.get(username="staff")
    _talk(staff, both)
    case = warning_decide(
        user=staff,
        member=both,
        year=YEAR,
        decision="advise",
        rule="below_40_two_years",
        grounds="连续两年低于40分",
    )
    assert case.decision_rule_label == "连续两年得分低于40分"


def test_pages_and_api(client_for, api_for, absent, county):
    c = client_for("staff")
    url = reverse("performance:warning_case", args=[absent.pk, YEAR])
    body = c.get(url).content.decode()
    assert "登记谈话提醒" in body and "一年内两次无故缺席全体会议" in body
    # the date field holds today in the form a browser's date input reads
    assert f'name="talk_on" value="{datetime.date.today().isoformat()}"' in body
    # a talk without its summary: 422, the Chinese message next to the field, what was typed kept
    r = c.post(
        url,
        {
            "action": "talk",
            "talk_by": "staff",
            "talk_by_name": "李干事",
            "talk_on": datetime.date.today(),
            "member_response": "同意",
        },
    )
    assert r.status_code == 422 and "请填写谈话内容" in r.content.decode() and "李干事" in r.content.decode()
    r = c.post(
        url,
        {
            "action": "talk",
            "talk_by": "staff",
            "talk_by_name": "李干事",
            "talk_on": datetime.date.today(),
            "talk_summary": "督促参会",
            "member_response": "同意",
        },
    )
    assert r.status_code == 302
    body = c.get(url).content.decode()
    assert "已谈话提醒" in body and "作出处理决定" in body and "李干事" in body
    r = c.post(url, {"action": "decide", "decision": "advise", "rule": "plenary_absent", "grounds": ""})
    assert r.status_code == 422 and "请填写决定的理由" in r.content.decode()
    # the API: 409 for an illegal step, 422 for missing grounds, the decision, then 403/404 for others
    api = api_for("staff")
    path = f"/api/v1/members/{absent.pk}/warning-case"
    r = api.post(
        path + f"/talk?year={YEAR}",
        {
            "talk_by": "staff",
            "talk_by_name": "王",
            "talk_on": "2026-01-05",
            "talk_summary": "再谈",
            "member_response": "好",
        },
        content_type="application/json",
    )
    assert r.status_code == 409 and "不能谈话提醒" in r.json()["detail"]
    r = api.post(
        path + f"/decide?year={YEAR}",
        {"decision": "deem", "rule": "plenary_absent", "grounds": ""},
        content_type="application/json",
    )
    assert r.status_code == 422 and "理由" in r.json()["detail"]
    r = api.post(
        path + f"/decide?year={YEAR}",
        {"decision": "deem", "rule": "plenary_absent", "grounds": "多次联系未果"},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["state"] == "deemed" and data["member_status"] == "视为辞去" and data["allowed_actions"] == []
    assert api_for("leader").get(path + f"?year={YEAR}").json()["state_label"] == "视为辞去"
    assert (
        api_for("leader")
        .post(
            path + f"/decide?year={YEAR}",
            {"decision": "withdraw", "grounds": "x"},
            content_type="application/json",
        )
        .status_code
        == 403
    )
    assert api_for("member1").get(path + f"?year={YEAR}").status_code == 404
    assert client_for("member1").get(url).status_code == 404
    # the roster shows the new status
    roster = client_for("staff").get(reverse("members:roster") + "?q=两次缺席委员").content.decode()
    assert "视为辞去" in roster


def test_old_steps_still_show(user, make_member, county, client_for):
    """A MemberWarning recorded before the cases (no case) still shows on the list and the archive."""
    m = make_member(name="老记录委员")
    _absent_twice(m, county)
    MemberWarning.objects.create(
        member=m,
        organisation=county,
        year=YEAR,
        rule="plenary_absent",
        rule_label="一年内两次无故缺席全体会议",
        step="劝辞建议",
        note="旧的处理记录",
        by=user("staff"),
    )
    body = client_for("staff").get(reverse("performance:warnings") + f"?year={YEAR}").content.decode()
    assert "旧的处理记录" in body
    body = (
        client_for(m.user.username)
        .get(reverse("performance:member", args=[m.pk]) + f"?year={YEAR}")
        .content.decode()
    )
    assert "劝辞建议" in body
