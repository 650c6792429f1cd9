import datetime
import io

import pytest
from django.urls import reverse

from zhengxie.core.errors import Conflict, Forbidden, Invalid
from zhengxie.core.models import AuditEntry, Notification
from zhengxie.members.models import Session
from zhengxie.performance import acts as A
from zhengxie.performance.models import Assessment, AssessmentEntry
from zhengxie.performance.services import (
    assessment_adjust,
    assessment_confirm,
    assessment_create,
    record_act,
)

from .conftest import YEAR


def test_assessment_flow_propose_adjust_confirm_lock_export(client_for, user, make_member, county):
    s = list(Session.objects.filter(organisation=county))
    good = make_member(name="优秀委员")
    for i, x in enumerate(s):
        for act in (
            A.PLENARY_ATTEND,
            A.PROPOSAL_SUBMIT,
            A.OPINION_SUBMIT,
            A.OPINION_ADOPT,
            A.INSPECTION,
            A.RESEARCH,
            A.SPEECH_ORAL,
        ):
            record_act(member=good, act=act, source=x, occurred_on=datetime.date(YEAR, 1, 1 + i))
    weak = make_member(name="待改进委员")
    c = client_for("staff")
    r = c.post(reverse("performance:assessments"), {"year": YEAR})
    assessment = Assessment.objects.get(organisation=county, year=YEAR)
    assert r.status_code == 302 and r.url == reverse("performance:assessment", args=[assessment.pk])
    eg = AssessmentEntry.objects.get(assessment=assessment, member=good)
    ew = AssessmentEntry.objects.get(assessment=assessment, member=weak)
    assert eg.proposed_grade == "优秀" and ew.proposed_grade == "不合格"
    assert ew.final_grade == ew.proposed_grade
    # Creating the same year twice is refused.
    r = c.post(reverse("performance:assessments"), {"year": YEAR})
    assert "已经创建" in r.content.decode()
    # Adjusting needs a reason.
    url = reverse("performance:assessment", args=[assessment.pk])
    r = c.post(url, {"entry": ew.pk, "grade": "基本合格", "reason": ""}, follow=True)
    assert "调整等次须填写理由" in r.content.decode()
    r = c.post(
        url, {"entry": ew.pk, "grade": "基本合格", "reason": "下半年因公外派，经党组研究"}, follow=True
    )
    ew.refresh_from_db()
    assert ew.final_grade == "基本合格" and ew.adjusted_by.username == "staff"
    assert AuditEntry.objects.filter(action="performance.assessment_adjust", target_id=str(ew.pk)).exists()
    assert "已调整" in c.get(url + "?q=待改进").content.decode()
    # An unknown grade is refused.
    with pytest.raises(Invalid):
        assessment_adjust(user=user("staff"), entry=ew, grade="超级优秀", reason="x")
    # A member may not confirm; staff confirm, which locks and notifies.
    with pytest.raises(Forbidden):
        assessment_confirm(user=user("member1"), assessment=assessment)
    r = c.post(reverse("performance:assessment_confirm", args=[assessment.pk]), follow=True)
    assessment.refresh_from_db()
    assert assessment.is_locked and assessment.confirmed_by.username == "staff"
    assert Notification.objects.filter(user=weak.user, title__contains="基本合格").exists()
    with pytest.raises(Conflict):
        assessment_adjust(user=user("staff"), entry=ew, grade="合格", reason="再调")
    assert 'name="reason"' not in c.get(url).content.decode()  # no adjusting form once locked
    # Export.
    r = c.get(reverse("performance:assessment_export", args=[assessment.pk]))
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(r.content))
    rows = list(wb.active.iter_rows(values_only=True))
    assert rows[1][:3] == ("序号", "委员", "委员编号")
    named = {row[1]: row for row in rows[2:]}
    assert named["待改进委员"][6] == "基本合格" and named["待改进委员"][7] == "下半年因公外派，经党组研究"
    assert named["优秀委员"][5] == "优秀"


def test_assessment_is_for_staff_of_the_organisation(client_for, user, county):
    with pytest.raises(Forbidden):
        assessment_create(user=user("member1"), organisation=county, year=YEAR)
    a = assessment_create(user=user("staff"), organisation=county, year=YEAR)
    assert client_for("other").get(reverse("performance:assessment", args=[a.pk])).status_code == 404
    assert client_for("member1").get(reverse("performance:assessment", args=[a.pk])).status_code == 404
    assert client_for("leader").get(reverse("performance:assessment", args=[a.pk])).status_code == 200
    assert client_for("member1").get(reverse("performance:assessments")).status_code == 404


def test_assessment_list_and_detail_query_counts(client_for, user, county, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    a = assessment_create(user=user("staff"), organisation=county, year=YEAR)
    c = client_for("staff")
    url = reverse("performance:assessment", args=[a.pk])
    with CaptureQueriesContext(connection) as ctx:
        c.get(url)
    n = len(ctx.captured_queries)
    for e in a.entries.all()[:10]:
        assessment_adjust(user=user("staff"), entry=e, grade="优秀", reason="测试")
    with django_assert_max_num_queries(n):
        assert c.get(url).status_code == 200
