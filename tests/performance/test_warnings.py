import datetime

from django.urls import reverse

from zhengxie.core.models import AuditEntry, Notification
from zhengxie.members.models import Session
from zhengxie.performance import acts as A
from zhengxie.performance import selectors
from zhengxie.performance.models import MemberWarning
from zhengxie.performance.services import recompute_now, record_act

from .conftest import YEAR


def test_warning_rules(make_member, county):
    s = list(Session.objects.filter(organisation=county))
    absent = make_member(name="两次缺席")
    record_act(member=absent, act=A.PLENARY_ABSENT, source=s[0], occurred_on=datetime.date(YEAR, 1, 10))
    record_act(member=absent, act=A.PLENARY_ABSENT, source=s[1], occurred_on=datetime.date(YEAR, 6, 10))
    active = make_member(name="积极履职")
    for i, x in enumerate(s):
        for act in (
            A.PLENARY_ATTEND,
            A.PROPOSAL_SUBMIT,
            A.OPINION_SUBMIT,
            A.OPINION_ADOPT,
            A.INSPECTION,
            A.SPEECH_WRITTEN,
            A.RESEARCH,
        ):
            record_act(member=active, act=act, source=x, occurred_on=datetime.date(YEAR, 2, 1 + i))
    quiet = make_member(name="只提案")
    record_act(member=quiet, act=A.PROPOSAL_SUBMIT, source=s[0], occurred_on=datetime.date(YEAR, 2, 1))
    found = selectors.warnings(county.pk, YEAR)
    codes = {m: {w["code"] for w in ws} for m, ws in found.items()}
    assert codes[absent.pk] == {"plenary_absent", "no_proposal_opinion", "below_pass"}
    assert active.pk not in codes
    assert codes[quiet.pk] == {"below_pass"}


def test_warning_page_and_recording_a_talk(client_for, make_member, county):
    s = list(Session.objects.filter(organisation=county))
    m = make_member(name="需提醒委员")
    record_act(member=m, act=A.PLENARY_ABSENT, source=s[0], occurred_on=datetime.date(YEAR, 1, 10))
    record_act(member=m, act=A.PLENARY_ABSENT, source=s[1], occurred_on=datetime.date(YEAR, 1, 10))
    recompute_now(organisation=county, year=YEAR)
    c = client_for("staff")
    url = reverse("performance:warnings") + f"?year={YEAR}&rule=plenary_absent"
    body = c.get(url).content.decode()
    assert "需提醒委员" in body and "一年内两次无故缺席全体会议" in body and "预警" in body
    case_url = reverse("performance:warning_case", args=[m.pk, YEAR])
    assert case_url in body
    r = c.post(
        case_url,
        {
            "action": "talk",
            "talk_by": "staff",
            "talk_by_name": "赵干事",
            "talk_on": datetime.date.today().isoformat(),
            "talk_summary": "主席会议研究后谈话",
            "member_response": "接受提醒",
        },
    )
    assert r.status_code == 302
    w = MemberWarning.objects.get(member=m)
    assert w.step == "谈话提醒" and w.by.username == "staff" and w.year == YEAR and w.case.state == "talked"
    assert AuditEntry.objects.filter(action="performance.warning_talk", target_id=str(w.case_id)).exists()
    assert Notification.objects.filter(user=m.user, title__contains="谈话提醒").exists()
    body = c.get(url).content.decode()
    assert "主席会议研究后谈话" in body and "已谈话提醒" in body
    # The member sees the warning and the step on their archive.
    mc = client_for(m.user.username)
    body = mc.get(reverse("performance:member", args=[m.pk]) + f"?year={YEAR}").content.decode()
    assert "履职预警" in body and "谈话提醒" in body


def test_warning_page_access_and_query_count(client_for, make_member, county, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    assert client_for("member1").get(reverse("performance:warnings")).status_code == 404
    c = client_for("staff")
    url = reverse("performance:warnings") + f"?year={YEAR}"
    with CaptureQueriesContext(connection) as ctx:
        assert c.get(url).status_code == 200
    n = len(ctx.captured_queries)
    for _ in range(8):
        make_member()
    with django_assert_max_num_queries(n):
        assert c.get(url).status_code == 200


def test_member_workbench_shows_own_warnings(client_for, make_member):
    m = make_member()
    body = client_for(m.user.username).get(reverse("core:workbench")).content.decode()
    assert "履职预警提醒" in body


def test_the_warning_list_keeps_a_name_on_one_line(client_for, make_member, county):
    """At 1280 px the 委员 column broke three-character names (余婷/婷): the name cell does not wrap, and the
    process note names the 组长 among those who may hold the talk."""
    s = list(Session.objects.filter(organisation=county))
    m = make_member(name="欧阳婷婷")
    for session in s[:2]:
        record_act(member=m, act=A.PLENARY_ABSENT, source=session, occurred_on=datetime.date(YEAR, 1, 10))
    recompute_now(organisation=county, year=YEAR)
    body = client_for("staff").get(reverse("performance:warnings") + f"?year={YEAR}").content.decode()
    assert '<td class="text-nowrap warning-member"><a href="' in body and ">欧阳婷婷</a>" in body
    assert "界别召集人、委员小组组长或机关工作人员谈话并登记" in body
