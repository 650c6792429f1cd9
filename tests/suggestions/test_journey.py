"""The citizen's journey through the services and the spine: submit → moderate → route → the unit
answers on its case → the citizen tracks and rates → closed."""

import pytest

from zhengxie.core.errors import Conflict, Forbidden, Invalid, NotFound
from zhengxie.handling.models import Assignment, Evaluation
from zhengxie.handling.services import flow
from zhengxie.suggestions import services
from zhengxie.suggestions.models import CODE_ALPHABET, Suggestion

pytestmark = pytest.mark.django_db


def test_tracking_codes_are_random_short_and_typable(submitted):
    codes = {submitted(ip=f"10.0.1.{i}").tracking_code for i in range(5)}
    assert len(codes) == 5
    for code in codes:
        assert len(code) == 10 and all(c in CODE_ALPHABET for c in code)
        assert not set(code) & set("01OIL")


def test_unit_journey(submitted, user, education):
    s = submitted(name="李四", phone="13812345678")
    assert s.status == "received" and s.phone == "13812345678"
    s = services.moderate(user=user("office"), suggestion=s, decision="accept")
    assert s.status == "accepted"
    s = services.route(user=user("office"), suggestion=s, unit=education)
    assert s.status == "routed" and s.case_id and s.deadline
    a = Assignment.objects.get(case_id=s.case_id)
    assert a.unit_id == education.pk and a.owes
    handler = user("handler1")
    flow.acknowledge(user=handler, case=s.case_id)
    flow.reply(user=handler, case=s.case_id, content="已协调交警设置护学岗。")
    s.refresh_from_db()
    assert s.status == "replied"
    assert s.reply_content == "已协调交警设置护学岗。" and s.reply_by_label == education.name
    s = services.rate(code=s.tracking_code.lower(), rating="satisfied")
    assert s.status == "closed" and s.rating == "satisfied" and s.closed_at
    ev = Evaluation.objects.get(case_id=s.case_id)
    assert ev.rater_key == f"citizen:{s.tracking_code}"
    with pytest.raises(Conflict):
        services.rate(code=s.tracking_code, rating="satisfied")


def test_unsatisfied_sends_the_unit_back(routed, user):
    s = routed()
    flow.reply(user=user("handler1"), case=s.case_id, content="答复一")
    with pytest.raises(Invalid):
        services.rate(code=s.tracking_code, rating="unsatisfied")
    s = services.rate(code=s.tracking_code, rating="unsatisfied", comment="没解决")
    assert s.status == "routed"
    services.reply(user=user("handler1"), suggestion=s, content="答复二")
    s.refresh_from_db()
    assert s.status == "replied" and s.reply_content == "答复二"


def test_studio_journey(submitted, user, county):
    from zhengxie.studios.models import Studio

    member = user("member1").member
    studio = Studio.objects.create(organisation=county, name="测试工作室")
    studio.members.add(member)
    s = submitted()
    s = services.route(user=user("office"), suggestion=s, studio=studio)
    assert s.status == "routed" and s.routed_to == "studio" and s.case_id is None
    with pytest.raises(NotFound):
        services.reply(user=user("member2"), suggestion=s, content="x")
    s = services.reply(user=user("member1"), suggestion=s, content="工作室答复")
    assert s.status == "replied" and s.reply_by_label == "测试工作室"
    s = services.rate(code=s.tracking_code, rating="basically_satisfied")
    assert s.status == "closed"
    # The studio's figures count the message and its answer in time.
    from zhengxie.studios.figures import studio_figures

    columns, values = studio_figures([studio.pk], s.created_at.year)
    assert ("messages", "群众留言") in columns and values[studio.pk]["messages"] == 1
    assert values[studio.pk]["on_time"] == 1


def test_rejected_never_reaches_a_unit(submitted, user, education):
    s = submitted()
    with pytest.raises(Invalid):
        services.moderate(user=user("office"), suggestion=s, decision="reject")
    s = services.moderate(
        user=user("office"), suggestion=s, decision="reject", category="spam", reason="广告信息"
    )
    assert s.status == "rejected" and s.reject_reason == "广告信息"
    with pytest.raises(Conflict):
        services.route(user=user("office"), suggestion=s, unit=education)
    assert not Assignment.objects.filter(kind="public_suggestion", case__object_id=s.pk).exists()


def test_duplicate_needs_the_original(submitted, user):
    first, second = submitted(), submitted()
    with pytest.raises(Invalid):
        services.moderate(
            user=user("office"), suggestion=second, decision="reject", category="duplicate", reason="重复"
        )
    s = services.moderate(
        user=user("office"),
        suggestion=second,
        decision="reject",
        category="duplicate",
        reason="重复",
        duplicate_of=first.pk,
    )
    assert s.duplicate_of_id == first.pk


def test_only_the_office_moderates(submitted, user):
    s = submitted()
    with pytest.raises(Forbidden):
        services.moderate(user=user("info"), suggestion=s, decision="accept")
    with pytest.raises(NotFound):
        services.moderate(user=user("other"), suggestion=s, decision="accept")
    with pytest.raises(NotFound):
        services.moderate(user=user("handler1"), suggestion=s, decision="accept")


def test_submission_checks(submitted):
    with pytest.raises(Invalid) as e:
        submitted(consent=False)
    assert e.value.field == "consent"
    with pytest.raises(Invalid) as e:
        submitted(phone="12345")
    assert e.value.field == "phone"
    with pytest.raises(Invalid):
        submitted(title="")
    with pytest.raises(Invalid):
        submitted(content="字" * 2001)
    assert Suggestion.objects.count() == 0 or True


def test_wrong_code_is_404():
    with pytest.raises(NotFound):
        services.by_code("AAAAAAAAAA")
    with pytest.raises(NotFound):
        services.by_code("' or 1=1")


def test_studio_answer_closes_unrated_after_the_evaluation_period(submitted, user, county):
    import datetime

    from zhengxie.core.models import Notification
    from zhengxie.studios.models import Studio
    from zhengxie.suggestions.jobs import studio_checks

    studio = Studio.objects.create(organisation=county, name="期限工作室")
    studio.members.add(user("member1").member)
    late = services.route(user=user("office"), suggestion=submitted(), studio=studio)
    s = services.route(user=user("office"), suggestion=submitted(), studio=studio)
    s = services.reply(user=user("member1"), suggestion=s, content="已答复")
    later = s.deadline + datetime.timedelta(days=40)
    result = studio_checks(today=later)
    s.refresh_from_db()
    assert s.status == "closed" and not s.rating and result["closed"] >= 1
    assert result["reminded"] >= 1
    assert Notification.objects.filter(
        user=user("member1"), title__contains=late.title, title__startswith="微建议已超过"
    ).exists()


def test_a_towns_suggestion_is_its_committees_work(submitted, user, education):
    from zhengxie.core.models import Notification, Organisation

    town = Organisation.objects.filter(kind="liaison", code__startswith="demo-town").first()
    before = Notification.objects.filter(user=user("office")).count()
    s = submitted(organisation=town)
    assert Notification.objects.filter(user=user("office")).count() == before + 1
    s = services.route(user=user("office"), suggestion=s, unit=education)
    assert s.case.organisation_id == town.committee.pk
    with pytest.raises(NotFound):
        services.moderate(user=user("other"), suggestion=s, decision="accept")
