"""The services directly: the 票决 (quorum at the setting, the cut, a tie picked by the office), the
rectification item on the handling spine (the unit's inbox and case page, lights, the other unit sees
nothing, the item follows its case), the rating rule and the duty credit on close."""

import pytest

from zhengxie.core.errors import Conflict, Forbidden, Invalid, NotFound
from zhengxie.core.models import HandlingUnit
from zhengxie.handling.models import Case
from zhengxie.handling.services import flow
from zhengxie.supervision import services
from zhengxie.supervision.models import Ballot, Item

pytestmark = pytest.mark.django_db


def _units(county, n):
    return list(HandlingUnit.objects.filter(organisation=county).order_by("id")[:n])


def _vote_as(members, sel, units):
    for m in members:
        services.vote(m.user, sel, [u.pk for u in units])


def test_quorum_follows_the_setting(user, county, today):
    units = _units(county, 3)
    standing = list(services.standing_members(county).select_related("user").order_by("id"))
    sel = services.open_selection(
        user("office"),
        year=today.year,
        choose=1,
        candidates=[{"unit_id": u.pk, "reason": "理由"} for u in units],
    )
    # Exactly half is not more than half.
    half = len(standing) // 2
    _vote_as(standing[:half], sel, units[:1])
    t = services.tally(sel)
    assert t["voters"] == half and t["quorum_met"] is (half * 2 > len(standing))
    # A committee that asks for 20 % takes these as valid.
    county.settings = {**(county.settings or {}), "supervision.vote_quorum_percent": 20}
    county.save(update_fields=["settings"])
    sel.refresh_from_db()
    closed = services.close_selection(user("office"), sel)
    assert closed.valid is True and closed.quorum_percent == 20
    assert [c.unit_id for c in closed.candidates.filter(chosen=True)] == [units[0].pk]


def test_only_standing_members_vote_once(user, county, today):
    units = _units(county, 2)
    sel = services.open_selection(
        user("office"),
        year=today.year,
        choose=1,
        candidates=[{"unit_id": u.pk, "reason": "r"} for u in units],
    )
    with pytest.raises(Forbidden):
        services.vote(user("member1"), sel, [units[0].pk])
    with pytest.raises(NotFound):
        services.vote(user("other"), sel, [units[0].pk])
    with pytest.raises(Invalid):
        services.vote(user("member3"), sel, [])
    services.vote(user("member3"), sel, [units[0].pk])
    with pytest.raises(Conflict):
        services.vote(user("member3"), sel, [units[1].pk])
    assert Ballot.objects.filter(selection=sel).count() == 1
    with pytest.raises(Invalid):
        services.open_selection(
            user("office"),
            year=2026,
            choose=1,
            candidates=[{"unit_id": units[0].pk, "reason": "r"}, {"unit_id": units[0].pk, "reason": "r"}],
        )


def test_the_rectification_case_belongs_to_the_unit(user, make_group, unit, county):
    from zhengxie.core.models import Role, User
    from zhengxie.handling import rules as hr

    s = make_group()
    i = services.add_item(user("member1"), s, list="rectification", content="整改甲")
    case = Case.objects.get(pk=i.case_id)
    h = User.objects.filter(handling_unit=unit, groups__name=Role.UNIT_HANDLER).first()
    assert hr.can_view_case(h, case) and not hr.can_view_case(user("handler1"), case)
    assert hr.can_view_case(user("member1"), case) and not hr.can_view_case(user("member3"), case)
    assert case.light and Item.objects.get(pk=i.pk).light == case.light
    flow.acknowledge(user=h, case=case)
    assert Item.objects.get(pk=i.pk).status == "routed"
    flow.reply(user=h, case=case, content="已整改。")
    assert Item.objects.get(pk=i.pk).status == "replied"
    # The group rates on the case page too (the same thing as confirming): 满意 closes it.
    flow.rate(user=user("member2"), case=case, rating="satisfied")
    assert Item.objects.get(pk=i.pk).status == "rectified"
    # The case page names the item's source.
    from zhengxie.handling import kinds

    assert "整改清单第1项" in kinds.get(case.kind).source(case)


def test_the_unit_reads_what_to_rectify(user, make_group):
    """The unit cannot open the group's page: its inbox row names the matter, the timeline holds it all."""
    s = make_group()
    long = "课后服务收费不规范，" * 30
    i = services.add_item(user("member1"), s, list="rectification", content=long)
    case = Case.objects.get(pk=i.case_id)
    assert case.title == long[:79] + "…" and case.label == "整改第1项"
    assert case.events.get(action="assign").detail == long
    short = services.add_item(user("member1"), s, list="rectification", content="规范收费公示")
    assert Case.objects.get(pk=short.case_id).title == "规范收费公示"


def test_items_are_numbered_per_list(user, make_group):
    s = make_group()
    a = services.add_item(user("member1"), s, list="problem", content="一")
    b = services.add_item(user("member2"), s, list="problem", content="二")
    c = services.add_item(user("office"), s, list="suggestion", content="建议一")
    assert (a.number, b.number, c.number) == (1, 2, 1)
    with pytest.raises(Forbidden):
        services.add_item(user("staff"), s, list="problem", content="x")


def test_the_staff_contact_does_not_rate(user, make_group):
    s = make_group()
    with pytest.raises(Forbidden):
        services.rate(user("office"), s, {"工作作风": "satisfied"})
    summary = services.rate(user("member1"), s, {"工作作风": "unknown", "依法履职": "satisfied"})
    first = summary["aspects"][0]
    assert first["counts"]["unknown"] == 1 and first["result"] == "" and first["satisfaction_rate"] is None
    assert summary["group_size"] == 3
