"""The notice a unit receives when a recommendation of a 协商成果 is routed to it names which one (第N条)
once (issue #8 review): the case's title is the outcome's alone since the inbox rows stopped saying the
number twice (migration 0005), so 「新交办协商建议：<outcome>」 no longer said which of several it was."""

import pytest

from zhengxie.core.models import Notification

pytestmark = pytest.mark.django_db


def test_each_units_notice_names_its_recommendation_once(sent, user):
    o = sent()
    for name, number in (("handler1", 1), ("handler2", 3)):
        notes = Notification.objects.filter(user=user(name), title__startswith="新交办协商建议")
        # (the demo's own outcomes were routed to these units too)
        titles = [n.title for n in notes if o.title in n.title]
        assert len(titles) == 1
        title = titles[0]
        assert title.count(f"第{number}条") == 1
        assert title.count("第") == 1  # no other recommendation's number
