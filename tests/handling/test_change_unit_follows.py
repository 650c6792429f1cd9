"""A granted 申请调整 moves the item's own unit link too (Kind.item_unit, issue #8): a 社情民意批示's 落实单位, a
协商成果 recommendation's and a 视察调研 recommendation's 承办单位 name the new unit on the item's pages and
lists, not the unit that gave the item back; a refused one changes nothing."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from tests.consultation.outcome_fixtures import (  # noqa: F401  (fixtures)
    RECOMMENDATIONS,
    county,
    education,
    held,
    housing,
    sent,
    written,
)
from tests.opinions.conftest import opinion_in  # noqa: F401  (fixture)
from tests.research.conftest import make_topic, member, today  # noqa: F401  (fixtures)
from zhengxie.consultation.models import Recommendation as ConsultationRecommendation
from zhengxie.handling import kinds
from zhengxie.handling.services import flow
from zhengxie.opinions import services as opinions
from zhengxie.opinions.models import Instruction
from zhengxie.research import services as research
from zhengxie.research.models import Recommendation as ResearchRecommendation

pytestmark = pytest.mark.django_db


def _move(user, case_id, office: str, to_unit, *, grant=True):
    flow.request_change(user=user("handler1"), case=case_id, reason="该事项不属于本单位职责。")
    flow.decide_change(
        user=user(office),
        case=case_id,
        grant=grant,
        note="同意，改由住建局办理。" if grant else "属于你单位职责，请继续办理。",
        new_unit=to_unit.pk if grant else None,
    )


def test_every_kind_with_a_unit_of_its_own_registers_it():
    assert kinds.get("opinion_instruction").item_unit == "opinions.Instruction.unit"
    assert kinds.get("consultation_recommendation").item_unit == "consultation.Recommendation.unit"
    assert kinds.get("research_recommendation").item_unit == "research.Recommendation.unit"


def test_an_instruction_follows_its_new_unit_on_the_item_page(user, opinion_in, client_for):  # noqa: F811
    o = opinion_in("accepted")
    i = opinions.instruction_add(
        user=user("info"),
        opinion=o,
        leader="县长 李明",
        level="county",
        content="请有关部门研究落实。",
        unit=user("handler1").handling_unit.pk,
        deadline=timezone.localdate() + datetime.timedelta(days=20),
    )
    moved_to = user("handler2").handling_unit
    _move(user, i.case_id, "info", moved_to)
    assert Instruction.objects.get(pk=i.pk).unit_id == moved_to.pk
    html = client_for("info").get(f"/opinions/{o.pk}/").content.decode()
    # The 批示's own line names the unit now owing the follow-up (the timeline keeps what was done then).
    followup = re.findall(r'class="small border-top mt-2 pt-2 followup">([^<]*)', html)
    assert [x.split("，")[0] for x in followup] == [f"交{moved_to.name}落实"]


def test_a_refused_change_keeps_the_unit(user, opinion_in):  # noqa: F811
    o = opinion_in("accepted")
    first = user("handler1").handling_unit
    i = opinions.instruction_add(
        user=user("info"),
        opinion=o,
        leader="县长 李明",
        level="county",
        content="请有关部门研究落实。",
        unit=first.pk,
        deadline=timezone.localdate() + datetime.timedelta(days=20),
    )
    _move(user, i.case_id, "info", None, grant=False)
    assert Instruction.objects.get(pk=i.pk).unit_id == first.pk


def test_a_consultation_recommendation_follows_its_new_unit(user, sent, education, housing):  # noqa: F811
    o = sent(rows=[{"content": RECOMMENDATIONS[0], "unit_id": education.pk}])
    r = ConsultationRecommendation.objects.get(outcome=o)
    _move(user, r.case_id, "office", housing)
    assert ConsultationRecommendation.objects.get(pk=r.pk).unit_id == housing.pk


def test_a_research_recommendation_follows_its_new_unit(user, make_topic, api_for):  # noqa: F811
    t = make_topic("reported")
    r = t.recommendations.order_by("number").first()
    research.route(user("office"), r, unit=user("handler1").handling_unit_id)
    r.refresh_from_db()
    moved_to = user("handler2").handling_unit
    _move(user, r.case_id, "office", moved_to)
    assert ResearchRecommendation.objects.get(pk=r.pk).unit_id == moved_to.pk
    recs = api_for("office").get(f"/api/v1/research-topics/{t.pk}").json()["recommendations"]
    assert [x["unit_name"] for x in recs if x["id"] == r.pk] == [moved_to.name]


def test_an_instructions_inbox_row_names_the_leader_and_the_item(user, opinion_in, api_for):  # noqa: F811
    o = opinion_in("accepted")
    i = opinions.instruction_add(
        user=user("info"),
        opinion=o,
        leader="县长 李明",
        level="county",
        content="请有关部门研究落实。",
        unit=user("handler1").handling_unit.pk,
        deadline=timezone.localdate() + datetime.timedelta(days=20),
    )
    rows = api_for("handler1").get("/api/v1/inbox", {"kind": "opinion_instruction"}).json()["items"]
    assert [x["source"] for x in rows if x["case_id"] == i.case_id] == [
        f"县长 李明批示（社情民意信息《{o.display_title}》）"
    ]
