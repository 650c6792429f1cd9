"""The demo has a published park round with photos and a ranking, and an open units round where member1
is invited and has not rated yet (the to-do shows)."""

import pytest

from zhengxie.appraisal.models import Rater, Round, Target

pytestmark = pytest.mark.django_db


def test_demo_rounds(county, user):
    from zhengxie.core.navigation import todos_for

    parks = Round.objects.get(organisation=county, kind="places", status="published")
    assert parks.target_count == 30 and parks.rating_count > 60
    assert Target.objects.filter(round=parks, mark="top").count() == 3
    assert Target.objects.filter(round=parks, mark="bottom").count() == 3
    assert Target.objects.filter(round=parks, photos__gt=0).count() >= 20
    units = Round.objects.get(organisation=county, kind="units", status="open")
    assert units.rating_count > 0
    assert Rater.objects.get(round=units, user__username="member1").rated == 0
    assert any(t["label"] == "待完成的民主评议" for t in todos_for(user("member1")))
