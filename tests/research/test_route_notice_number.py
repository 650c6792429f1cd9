"""The notice a unit receives when a recommendation of a 视察/调研 report is routed to it names which one
(第N条) once (issue #8 review: the case's title is the report's alone, migration 0002), and never twice
when the title already says it."""

import pytest

from zhengxie.core.models import Notification
from zhengxie.handling.services import flow
from zhengxie.research import services

pytestmark = pytest.mark.django_db


def test_the_units_notice_names_the_recommendation_once(make_topic, user):
    t = make_topic("reported")
    second = t.recommendations.get(number=2)
    services.route(user("office"), second, unit=user("handler1").handling_unit_id)
    notes = Notification.objects.filter(user=user("handler1"), title__startswith="新交办视察调研建议")
    titles = [n.title for n in notes if t.title in n.title]  # (the demo's own reports were routed too)
    assert len(titles) == 1
    assert titles[0].count("第2条") == 1
    assert titles[0].count("第") == 1


def test_a_title_that_already_says_the_number_is_not_given_it_again():
    assert flow.named("关于课后服务的调研报告", "调研建议第2条") == "关于课后服务的调研报告 第2条"
    assert (
        flow.named("关于课后服务的调研报告（第2条建议）", "调研建议第2条")
        == "关于课后服务的调研报告（第2条建议）"
    )
    assert flow.named("村道路灯维修", "整改第3项") == "村道路灯维修 第3项"
    assert flow.named("关于落实县长批示：村道路灯维修", "批示12") == "关于落实县长批示：村道路灯维修"
    assert flow.named("村道路灯维修", "") == "村道路灯维修"
