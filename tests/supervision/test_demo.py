"""The demo: a closed valid 票决 and two groups with their lists, 整改 in every state and ratings."""

import pytest

from zhengxie.supervision import selectors, stats
from zhengxie.supervision.models import Item, Rating, Selection, Supervision

pytestmark = pytest.mark.django_db


def test_demo_year(county, today, user):
    sel = Selection.objects.get(organisation=county, year=today.year)
    assert sel.status == "closed" and sel.valid is True
    assert sorted(c.unit.short_name for c in sel.candidates.filter(chosen=True)) == ["住建局", "教育局"]
    groups = Supervision.objects.filter(organisation=county, year=today.year)
    assert groups.count() == 2 and all(g.selection_id == sel.pk for g in groups)
    edu = groups.get(unit__short_name="教育局")
    assert edu.leader.user.username == "member3" and edu.members.filter(user__username="member1").exists()
    assert groups.get(unit__short_name="住建局").leader.user.username == "member2"
    statuses = set(
        Item.objects.filter(supervision__in=groups, list="rectification").values_list("status", flat=True)
    )
    assert {"rectified", "rehandling", "routed", "replied"} <= statuses
    assert Rating.objects.filter(supervision__unit__short_name="住建局").exists()
    s = stats.year_stats(user("leader"), today.year)
    assert s["groups"] == 2 and s["rectified"] == 2
    assert s["sentence"] == (
        f"票决委派民主监督小组2个，提出问题清单{s['problems']}条、整改{s['rectifications']}条（已整改2条）"
    )
    assert selectors.visible(user("member1")).count() == 1
