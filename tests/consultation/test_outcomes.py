"""协商成果 through its services: writing, 报送 (the consultation becomes outcome_sent), recommendations on
the handling spine (handler1's inbox, 签收, 答复, the office's rating), adoption with duty credit, 批示,
the figures of the year and the .docx report."""

import datetime
import io

import pytest
from django.utils import timezone

from zhengxie.consultation.models import Consultation, Outcome, Recommendation
from zhengxie.consultation.services import outcomes as services
from zhengxie.core.errors import Conflict, Forbidden, Invalid, NotFound
from zhengxie.core.models import AuditEntry, Notification
from zhengxie.handling import selectors as handling_selectors
from zhengxie.handling.services import flow
from zhengxie.performance.models import DutyRecord

from .outcome_fixtures import RECOMMENDATIONS

pytestmark = pytest.mark.django_db


def _recs(o):
    return list(Recommendation.objects.filter(outcome=o).order_by("number"))


def test_write_and_rewrite_a_draft(written, user, county):
    o = written()
    assert o.status == Outcome.Status.DRAFT
    assert o.title == "关于城区中小学课后服务的协商成果"
    recs = _recs(o)
    assert [r.number for r in recs] == [1, 2, 3]
    assert all(r.organisation_id == county.pk and r.year == o.consultation.year for r in recs)
    assert recs[0].unit_id and recs[1].unit_id is None and recs[0].status == Recommendation.Status.PENDING
    o = services.save(
        user=user("office"),
        consultation=o.consultation,
        title="关于课后服务的协商成果",
        summary="修改后的综述",
        recommendations=[{"content": "唯一一条建议"}, {"content": ""}],
    )
    assert o.title == "关于课后服务的协商成果" and [r.content for r in _recs(o)] == ["唯一一条建议"]
    assert AuditEntry.objects.filter(action="consultation.outcome_update").exists()


def test_bad_input_and_who_may_write(held, user, education):
    c = held()
    office = user("office")
    with pytest.raises(Invalid) as e:
        services.save(user=office, consultation=c, summary="", recommendations=[{"content": "x"}])
    assert e.value.field == "summary"
    with pytest.raises(Invalid):
        services.save(user=office, consultation=c, summary="综述", recommendations=[{"content": " "}])
    with pytest.raises(Invalid) as e:
        services.save(
            user=office, consultation=c, summary="综述", recommendations=[{"content": "x", "unit_id": 999999}]
        )
    assert "承办单位" in e.value.message
    past = timezone.localdate() - datetime.timedelta(days=1)
    with pytest.raises(Invalid) as e:
        services.save(
            user=office,
            consultation=c,
            summary="综述",
            recommendations=[{"content": "x", "unit_id": education.pk, "deadline": past}],
        )
    assert "期限" in e.value.message
    with pytest.raises(Forbidden):
        services.save(
            user=user("member1"), consultation=c, summary="综述", recommendations=[{"content": "x"}]
        )
    with pytest.raises(Forbidden):  # 提案委 staff do not run consultations
        services.save(user=user("staff"), consultation=c, summary="综述", recommendations=[{"content": "x"}])
    with pytest.raises(NotFound):
        services.save(user=user("other"), consultation=c, summary="综述", recommendations=[{"content": "x"}])


def test_not_before_the_consultation_is_held(held, user):
    c = held(status=Consultation.Status.PLANNED)
    with pytest.raises(Conflict) as e:
        services.save(user=user("office"), consultation=c, summary="综述", recommendations=[{"content": "x"}])
    assert e.value.code == "illegal_transition"
    now = timezone.now()
    online = held(
        form=Consultation.Form.ONLINE,
        status=Consultation.Status.OPEN,
        opens_at=now - datetime.timedelta(days=3),
        closes_at=now + datetime.timedelta(days=1),
    )
    with pytest.raises(Conflict):
        services.save(
            user=user("office"), consultation=online, summary="综述", recommendations=[{"content": "x"}]
        )
    Consultation.objects.filter(pk=online.pk).update(closes_at=now - datetime.timedelta(hours=1))
    o = services.save(
        user=user("office"), consultation=online.pk, summary="综述", recommendations=["一条建议"]
    )
    assert o.pk


def test_send_routes_and_tells_the_leaders(written, user, education, housing):
    o = written()
    o = services.send(user=user("office"), outcome=o)
    c = Consultation.objects.get(pk=o.consultation_id)
    assert c.status == Consultation.Status.OUTCOME_SENT
    assert o.status == Outcome.Status.SENT and o.sent_by == user("office") and o.sent_at
    r1, r2, r3 = _recs(o)
    assert r1.case_id and r3.case_id and r2.case_id is None
    assert (r1.status, r2.status, r3.status) == ("routed", "pending", "routed")
    assert r1.case.kind == "consultation_recommendation" and r1.case.label == "协商成果第1条"
    assert r1.deadline == r1.case.deadline
    assert Notification.objects.filter(user=user("leader"), title__contains=o.title).exists()
    assert Notification.objects.filter(user=user("handler1"), title__contains="协商建议").exists()
    with pytest.raises(Conflict):
        services.send(user=user("office"), outcome=o)
    with pytest.raises(Conflict):  # a sent outcome is not rewritten
        services.save(user=user("office"), consultation=c, summary="x", recommendations=["y"])
    entry = AuditEntry.objects.filter(action="consultation.outcome_send").latest("id")
    assert entry.after["routed"] == 2


def test_recommendation_through_the_unit_inbox_to_closed(sent, user, education):
    o = sent()
    r1 = _recs(o)[0]
    handler = user("handler1")
    rows = list(handling_selectors.inbox(handler, kind="consultation_recommendation"))
    assert r1.case_id in [a.case_id for a in rows]
    assert r1.case_id not in [a.case_id for a in handling_selectors.inbox(user("handler2"))]
    flow.acknowledge(user=handler, case=r1.case_id)
    assert Recommendation.objects.get(pk=r1.pk).status == "routed"
    flow.reply(user=handler, case=r1.case_id, content="已将课后服务经费列入明年预算。")
    assert Recommendation.objects.get(pk=r1.pk).status == "replied"
    with pytest.raises(Forbidden):  # the unit never rates
        flow.rate(user=handler, case=r1.case_id, rating="satisfied")
    flow.rate(user=user("office"), case=r1.case_id, rating="satisfied")
    assert Recommendation.objects.get(pk=r1.pk).status == "closed"
    # The third recommendation is still with 住建局: the consultation stays open.
    assert Consultation.objects.get(pk=o.consultation_id).status == Consultation.Status.OUTCOME_SENT


def test_unsatisfied_sends_it_back_and_the_last_closure_closes_the_consultation(sent, user, housing):
    o = sent(rows=[{"content": RECOMMENDATIONS[0], "unit_id": housing.pk}, {"content": RECOMMENDATIONS[1]}])
    r1 = _recs(o)[0]
    handler = user("handler2")
    flow.acknowledge(user=handler, case=r1.case_id)
    flow.reply(user=handler, case=r1.case_id, content="正在研究。")
    flow.rate(user=user("office"), case=r1.case_id, rating="unsatisfied", comment="答复过于简单")
    r1.refresh_from_db()
    assert r1.status == "routed" and r1.case.status == flow.REHANDLING and r1.case.round == 2
    assert r1.case_id in [a.case_id for a in handling_selectors.inbox(handler)]
    flow.reply(user=handler, case=r1.case_id, content="已制定托管场所建设计划。")
    assert Recommendation.objects.get(pk=r1.pk).status == "replied"
    flow.rate(user=user("office"), case=r1.case_id, rating="basically_satisfied")
    assert Recommendation.objects.get(pk=r1.pk).status == "closed"
    assert Consultation.objects.get(pk=o.consultation_id).status == Consultation.Status.CLOSED
    # The second one, not routed at first, is routed after all: the consultation is tracked again
    # (成果已报送, not 已办结 with a recommendation still with a unit) until that case closes as well.
    r2 = _recs(o)[1]
    services.route(user=user("office"), recommendation=r2, unit=housing)
    assert Consultation.objects.get(pk=o.consultation_id).status == Consultation.Status.OUTCOME_SENT
    r2.refresh_from_db()
    flow.acknowledge(user=handler, case=r2.case_id)
    flow.reply(user=handler, case=r2.case_id, content="已纳入社区托育规划。")
    flow.rate(user=user("office"), case=r2.case_id, rating="satisfied")
    assert Consultation.objects.get(pk=o.consultation_id).status == Consultation.Status.CLOSED


def test_route_later(sent, user, education):
    o = sent()
    r2 = _recs(o)[1]
    with pytest.raises(Forbidden):
        services.route(user=user("member1"), recommendation=r2, unit=education)
    with pytest.raises(NotFound):
        services.route(user=user("other"), recommendation=r2, unit=education)
    r = services.route(user=user("office"), recommendation=r2.pk, unit=education.pk)
    assert r.case_id and r.status == "routed"
    with pytest.raises(Conflict):
        services.route(user=user("office"), recommendation=r2.pk, unit=education.pk)


def test_route_needs_a_sent_outcome(written, user, education):
    o = written()
    with pytest.raises(Conflict):
        services.route(user=user("office"), recommendation=_recs(o)[1], unit=education)


def test_adoption_credits_the_speakers_and_summarised_commenters(sent, user):
    o = sent()
    r1 = _recs(o)[0]
    with pytest.raises(Invalid):
        services.set_adoption(user=user("office"), recommendation=r1, adoption="maybe")
    with pytest.raises(Forbidden):
        services.set_adoption(user=user("member1"), recommendation=r1, adoption="adopted")
    services.set_adoption(
        user=user("office"), recommendation=r1, adoption="adopted", note="县政府常务会议采纳"
    )
    r1.refresh_from_db()
    assert r1.adoption == "adopted" and r1.adopted_at and r1.adoption_note == "县政府常务会议采纳"
    credited = DutyRecord.objects.filter(act="consultation_adopted", source_id=r1.pk, voided=False)
    names = {"member1", "member2", "member3"}
    assert {d.member.user.username for d in credited} == names
    # Marked again (partly): still one record per member.
    services.set_adoption(user=user("office"), recommendation=r1, adoption="partly")
    assert credited.all().count() == 3
    r2 = _recs(o)[1]
    services.set_adoption(user=user("office"), recommendation=r2, adoption="partly")
    assert DutyRecord.objects.filter(act="consultation_adopted", source_id=r2.pk, voided=False).count() == 3
    # Not adopted after all: the credit is withdrawn.
    services.set_adoption(user=user("office"), recommendation=r1, adoption="not_adopted")
    assert not credited.all().exists()


def test_instructions(sent, written, user):
    o = sent()
    office = user("office")
    with pytest.raises(Invalid):
        services.add_instruction(user=office, outcome=o, leader="", level="county", content="x")
    with pytest.raises(Invalid):
        services.add_instruction(user=office, outcome=o, leader="县委书记", level="mars", content="x")
    with pytest.raises(Invalid):
        services.add_instruction(
            user=office,
            outcome=o,
            leader="县委书记",
            level="county",
            content="x",
            given_on=timezone.localdate() + datetime.timedelta(days=2),
        )
    with pytest.raises(Forbidden):
        services.add_instruction(
            user=user("member1"), outcome=o, leader="县委书记", level="county", content="x"
        )
    i = services.add_instruction(
        user=office, outcome=o.pk, leader="县委书记 王强", level="county", content="请县教育局认真研究落实。"
    )
    assert i.recorded_by == office and i.given_on == timezone.localdate()
    draft = written(consultation=None)
    with pytest.raises(Conflict):
        services.add_instruction(user=office, outcome=draft, leader="县长", level="county", content="x")


def test_figures_of_the_year(sent, written, user):
    o = sent()
    written()  # a draft counts nowhere
    r1, r2, _ = _recs(o)
    services.set_adoption(user=user("office"), recommendation=r1, adoption="adopted")
    services.set_adoption(user=user("office"), recommendation=r2, adoption="partly")
    services.add_instruction(user=user("office"), outcome=o, leader="县长", level="county", content="落实")
    year = o.consultation.year
    base = services.outcome_figures(user("office"), year)
    assert set(base) >= {
        "outcomes",
        "recommendations",
        "adopted",
        "partly",
        "routed",
        "closed",
        "instructions",
    }
    assert base["outcomes"] >= 1 and base["recommendations"] >= 3
    assert base["adopted"] >= 1 and base["partly"] >= 1 and base["routed"] >= 2 and base["instructions"] >= 1
    other = services.outcome_figures(user("other"), year)
    mine = {k: v for k, v in base.items()}
    assert other["outcomes"] <= mine["outcomes"] - 1  # 石门区 sees none of ours
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        services.outcome_figures(user("leader"), year)
    assert len(ctx.captured_queries) <= 5
    own = services.outcome_figures(user("office"), year, organisation=o.consultation.organisation)
    assert own["outcomes"] == base["outcomes"] and own["recommendations"] == base["recommendations"]
    from zhengxie.core.models import Organisation

    none = services.outcome_figures(
        user("office"), year, organisation=Organisation.objects.get(code="demo-county-2")
    )
    assert none["outcomes"] == 0 and none["recommendations"] == 0


def test_the_report_docx(sent, user):
    from docx import Document

    from zhengxie.consultation.outcome_document import outcome_docx
    from zhengxie.consultation.selectors_outcomes import get_outcome

    o = sent()
    services.add_instruction(
        user=user("office"), outcome=o, leader="县委书记 王强", level="county", content="请认真研究落实。"
    )
    data = outcome_docx(get_outcome(user("member1"), o.pk))
    doc = Document(io.BytesIO(data))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert o.title in text and "委员们围绕城区中小学课后服务" in text
    assert f"一、{RECOMMENDATIONS[0]}" in text and f"三、{RECOMMENDATIONS[2]}" in text
    assert "县委书记 王强" in text and "报：中共县委、县人民政府" in text
    section = doc.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7
