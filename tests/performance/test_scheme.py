import datetime
from decimal import Decimal

from django.urls import reverse

from zhengxie.core.models import AuditEntry
from zhengxie.members.models import Session
from zhengxie.performance import acts as A
from zhengxie.performance import schemes, scoring
from zhengxie.performance.models import DutyRecord, MemberYearScore, Recomputation, ScoringScheme
from zhengxie.performance.services import record_act, scheme_save

from .conftest import YEAR


def api_body(template):
    t = schemes.TEMPLATES[template]
    return {
        "name": t["name"],
        "base_points": t["base_points"],
        "pass_mark": t["pass_mark"],
        "grades": t["grades"],
        "categories": t["categories"],
        "rules": t["rules"],
        "warning_rules": t["warning_rules"],
    }


def test_staff_reads_the_scheme_but_may_not_change_it(api_for):
    r = api_for("staff").get(f"/api/v1/scoring-scheme?year={YEAR}")
    assert r.status_code == 200
    data = r.json()
    assert data["saved"] is False and data["name"] == schemes.DEFAULT["name"]
    assert ["90.0", "优秀"] == [f"{data['grades'][0][0]}", data["grades"][0][1]]
    r = api_for("staff").put(
        f"/api/v1/scoring-scheme?year={YEAR}", api_body("jinan"), content_type="application/json"
    )
    assert r.status_code == 403
    assert "系统管理员" in r.json()["detail"]
    assert not ScoringScheme.objects.filter(year=YEAR).exists()
    assert api_for("member1").get(f"/api/v1/scoring-scheme?year={YEAR}").status_code == 404


def test_admin_changes_the_scheme_which_recomputes_everyone_and_is_audited(api_for, make_member, county):
    a, b = make_member(), make_member()
    s = Session.objects.filter(organisation=county).first()
    day = datetime.date(YEAR, 1, 10)
    record_act(member=a, act=A.PLENARY_ABSENT, source=s, occurred_on=day)
    record_act(member=b, act=A.PLENARY_ATTEND, source=s, occurred_on=day)
    record_act(member=b, act=A.PUBLIC_WELFARE, source=s, occurred_on=day)
    assert MemberYearScore.objects.get(member=b, year=YEAR).total == Decimal("22.00")
    r = api_for("admin").put(
        f"/api/v1/scoring-scheme?year={YEAR}&org={county.pk}",
        api_body("jinan"),
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    assert r.json()["saved"] is True and r.json()["base_points"] == 70
    # 济南: 70 base, unexcused plenary absence −30, public welfare +2.
    assert MemberYearScore.objects.get(member=a, year=YEAR).total == Decimal("40.00")
    sb = MemberYearScore.objects.get(member=b, year=YEAR)
    assert sb.total == Decimal("72.00") and sb.grade == "称职"
    # Each record's stored figure follows the new scheme too (re-valued after the totals).
    rec = DutyRecord.objects.get(member=a, act=A.PLENARY_ABSENT)
    assert rec.points == Decimal("-30.00") and rec.category == "deduction"
    # Members with no record at all got a score too (the base points).
    assert MemberYearScore.objects.filter(organisation=county, year=YEAR, total=Decimal("70.00")).count() > 10
    entry = AuditEntry.objects.filter(action="performance.scheme_save").latest("pk")
    assert entry.actor.username == "admin" and entry.before is None and entry.after["base_points"] == 70
    assert Recomputation.objects.filter(organisation=county, year=YEAR, status="done").exists()
    # A second change keeps the previous version in the audit entry.
    body = api_body("jinan") | {"base_points": 60}
    api_for("admin").put(
        f"/api/v1/scoring-scheme?year={YEAR}&org={county.pk}", body, content_type="application/json"
    )
    entry = AuditEntry.objects.filter(action="performance.scheme_save").latest("pk")
    assert entry.before["base_points"] == 70 and entry.after["base_points"] == 60
    assert MemberYearScore.objects.get(member=a, year=YEAR).total == Decimal("30.00")


def test_invalid_scheme_is_refused_in_chinese(user, county):
    import pytest

    from zhengxie.core.errors import Invalid

    bad = dict(schemes.DEFAULT, rules=[{"act": "plenary_attend", "category": "nope", "points": 1}])
    with pytest.raises(Invalid, match="所属类别不存在"):
        scheme_save(user=user("admin"), organisation=county, year=YEAR, data=bad)
    with pytest.raises(Invalid, match="等次"):
        scheme_save(user=user("admin"), organisation=county, year=YEAR, data=dict(schemes.DEFAULT, grades=[]))


def test_big_organisation_recomputes_in_the_background_with_progress(
    user, county, client_for, django_capture_on_commit_callbacks
):
    county.settings = {"performance.background_recompute_members": 1}
    county.save()
    c = client_for("admin")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _, run = scheme_save(user=user("admin"), organisation=county, year=YEAR, data=schemes.TONGCHENG)
    assert run.status == "pending"
    r = c.get(reverse("performance:recomputation", args=[run.pk]))
    assert "正在重算" in r.content.decode() and 'hx-trigger="every 1s"' in r.content.decode()
    for cb in callbacks:  # the task queue runs it (immediately in tests)
        cb()
    run.refresh_from_db()
    assert run.status == "done" and run.progress == 100
    assert "已按新方案重算" in c.get(reverse("performance:recomputation", args=[run.pk])).content.decode()
    assert client_for("staff").get(reverse("performance:recomputation", args=[run.pk])).status_code == 404


def test_scheme_page_from_template_and_save(client_for, county):
    c = client_for("admin")
    url = reverse("performance:scheme") + f"?org={county.pk}&year={YEAR}"
    r = c.get(url + "&template=tongcheng")
    body = r.content.decode()
    assert r.status_code == 200 and "桐城式" in body and "保存方案并重算" in body
    form = {
        "name": "青川县2031年履职量化办法",
        "base_points": "0",
        "pass_mark": "60",
        "template": "tongcheng",
        "cat_code": ["meetings", "proposals", ""],
        "cat_label": ["会议出勤", "提案工作", ""],
        "cat_cap": ["50", "25", ""],
        "grade_min": ["85", "60", "0"],
        "grade_label": ["优秀", "合格", "不合格"],
        "warn_code": ["below_pass"],
        "warn_kind": ["below_pass"],
        "warn_acts": [""],
        "warn_min": ["1"],
        "warn_step": ["谈话提醒"],
        "warn_on": ["1"],
        "warn_label": ["低于合格线"],
    }
    rows = {
        "rule_act": [],
        "rule_on": [],
        "rule_category": [],
        "rule_points": [],
        "rule_unit": [],
        "rule_cap": [],
    }
    for code in A.ACTS:
        on = code in (A.PLENARY_ATTEND, A.PROPOSAL_SUBMIT)
        rows["rule_act"].append(code)
        rows["rule_on"].append("1" if on else "0")
        rows["rule_category"].append("proposals" if code == A.PROPOSAL_SUBMIT else "meetings")
        rows["rule_points"].append("40" if code == A.PLENARY_ATTEND else ("12" if on else ""))
        rows["rule_unit"].append("次")
        rows["rule_cap"].append("")
    r = c.post(url, form | rows)
    assert r.status_code == 302
    scheme = ScoringScheme.objects.get(organisation=county, year=YEAR)
    assert scheme.name == "青川县2031年履职量化办法"
    assert {r.act: float(r.points) for r in scheme.rules.all()} == {
        "plenary_attend": 40.0,
        "proposal_submit": 12.0,
    }
    assert scoring.resolve(county.pk, YEAR).grade_for(Decimal("86")) == "优秀"
    # Staff see the page read-only and cannot post.
    s = client_for("staff")
    assert s.get(url).status_code == 200
    assert s.post(url, form | rows).status_code == 404
    assert client_for("member1").get(url).status_code == 404


def test_scheme_page_keeps_input_on_error(client_for, county):
    url = reverse("performance:scheme") + f"?org={county.pk}&year={YEAR}"
    r = client_for("admin").post(
        url,
        {
            "name": "我的方案",
            "cat_code": ["x"],
            "cat_label": ["X"],
            "cat_cap": [""],
            "grade_min": [""],
            "grade_label": [""],
        },
    )
    body = r.content.decode()
    assert "请至少设置一个考核等次" in body and 'value="我的方案"' in body
