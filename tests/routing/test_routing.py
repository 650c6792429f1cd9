"""智能分办: the suggested category and units for an incoming item, trained on the organisation's own history
(the demo trains it), with staff's final choice remembered for the next training."""

import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.proposals.builders import build
from zhengxie.core import scheduler
from zhengxie.proposals import services as proposal_services
from zhengxie.proposals.models import Proposal
from zhengxie.routing import (
    jobs,  # noqa: F401  (registers the nightly job)
    services,
)
from zhengxie.routing.models import RoutingChoice, RoutingModel

pytestmark = pytest.mark.django_db

S = Proposal.Status
SCHOOL = dict(
    title="关于加强乡村学校教师队伍建设和中小学课后服务的建议",
)


def _submitted(title, reasons="", suggestions=""):
    p = build(title=title, status=S.SUBMITTED, category="其他")
    if reasons or suggestions:
        Proposal.objects.filter(pk=p.pk).update(reasons=reasons, suggestions=suggestions)
        p.refresh_from_db()
    return p


def _suggestion(api_for, pk, who="staff"):
    r = api_for(who).get(f"/api/v1/proposals/{pk}/routing-suggestion")
    assert r.status_code == 200, r.content
    return r.json()


def test_the_demo_trained_a_model_for_the_county():
    row = RoutingModel.objects.get(organisation__code="demo-county")
    assert row.samples > 50
    assert row.meta["heads"]["category:proposal"] >= 5 and row.meta["heads"]["units"] >= 5


def test_an_obvious_school_proposal_is_suggested_科教文卫_and_the_education_bureau(api_for):
    p = _submitted(
        "关于加强乡村学校教师队伍建设的建议",
        "乡村学校教师流失严重，音体美等学科教师短缺，中小学生课后服务不足。",
        "一是提高乡村教师生活补助；二是建设教师周转宿舍；三是完善学校课后服务。",
    )
    s = _suggestion(api_for, p.pk)
    assert s["category"] == "科教文卫"
    assert 0 < s["category_confidence"] <= 1
    assert s["units"][0]["name"] == "县教育局"
    assert s["reasons"], "the past items most like it are named"
    assert all(set(r) >= {"id", "title", "category", "units"} for r in s["reasons"])
    assert any("县教育局" in r["units"] for r in s["reasons"])


def test_staff_overriding_the_category_is_stored_and_changes_the_next_training(user, api_for):
    staff = user("staff")
    text = dict(
        reasons="萤火虫栖息地被夜间灯光与农药破坏，观赏萤火虫的游客踩踏草地。",
        suggestions="划定萤火虫保护区，夜间限制灯光，观赏季节预约限流。",
    )
    p = _submitted("关于保护萤火虫栖息地的建议", **text)
    before = _suggestion(api_for, p.pk)["category"]
    chosen = "党派团体" if before != "党派团体" else "社会法制"
    proposal_services.proposal_review(user=staff, proposal=p, decision="accept", category=chosen)
    c = RoutingChoice.objects.get(kind="proposal", object_id=p.pk)
    assert (c.category, c.suggested_category, c.overridden) == (chosen, before, True)
    assert c.chosen_by == staff
    # The next training reads it: a new item on the same matter is now suggested staff's category.
    call_command("trainrouting", organisation="demo-county", stdout=open("/dev/null", "w"))
    q = _submitted("关于保护萤火虫栖息地的建议", **text)
    assert _suggestion(api_for, q.pk)["category"] == chosen


def test_assigning_records_the_units_staff_chose(user):
    staff = user("staff")
    p = build(title="关于保护萤火虫栖息地的建议", status=S.ACCEPTED, category="资源环境")
    from tests.proposals.builders import unit

    proposal_services.proposal_assign(
        user=staff, proposal=p, lead_unit=unit("县住房和城乡建设局"), co_units=[unit("县教育局")]
    )
    c = RoutingChoice.objects.get(kind="proposal", object_id=p.pk)
    assert c.unit_ids == [unit("县住房和城乡建设局").pk, unit("县教育局").pk]
    rows = {(r["kind"], r["id"]): r for r in services.training_rows(staff.organisation_id)}
    assert rows[("proposal", p.pk)]["units"] == c.unit_ids


def test_one_click_采用_fills_the_form_and_is_remembered(client_for):
    p = _submitted(
        "关于加强乡村学校教师队伍建设的建议", "乡村学校教师短缺。", "提高乡村教师待遇，建设教师周转宿舍。"
    )
    c = client_for("staff")
    page = c.get(f"/proposals/{p.pk}/do/review/")
    assert b'hx-get="/routing/proposal/%d/"' % p.pk in page.content
    card = c.get(f"/routing/proposal/{p.pk}/").content.decode()
    assert "建议类别：" in card and "科教文卫" in card and "建议承办单位：" in card and "县教育局" in card
    assert "依据：最相近的既往件" in card and "采用" in card
    r = c.post(f"/routing/proposal/{p.pk}/adopt/", headers={"HX-Request": "true"})
    assert r.status_code == 200
    fill = json.loads(r["HX-Trigger"])["routing-fill"]
    assert fill["category"] == "科教文卫"
    assert fill["units"][0] == RoutingChoice.objects.get(object_id=p.pk).suggested_unit_ids[0]
    assert RoutingChoice.objects.get(kind="proposal", object_id=p.pk).adopted


@pytest.mark.parametrize(
    "who, status", [("member1", 403), ("handler1", 404), ("other", 404), ("info", 403), ("citystaff", 403)]
)
def test_only_the_proposal_office_of_the_item_gets_a_suggestion(api_for, who, status):
    """A member (even the author), the information office and the city's staff (who see the county's
    proposals) are refused; a unit and another county do not learn the item exists."""
    p = _submitted("关于加强乡村学校教师队伍建设的建议")  # member1's own proposal
    r = api_for(who).get(f"/api/v1/proposals/{p.pk}/routing-suggestion")
    assert r.status_code == status, (who, r.content)
    r = api_for(who).post(f"/api/v1/proposals/{p.pk}/routing-suggestion/adopt")
    assert r.status_code == status
    assert not RoutingChoice.objects.filter(object_id=p.pk).exists()


def test_the_card_page_refuses_who_may_not_route(client_for):
    p = _submitted("关于加强乡村学校教师队伍建设的建议")
    assert client_for("member1").get(f"/routing/proposal/{p.pk}/").status_code == 403
    assert client_for("other").get(f"/routing/proposal/{p.pk}/").status_code == 404
    assert client_for("staff").get(f"/routing/nothing/{p.pk}/").status_code == 404


def test_opinions_and_micro_suggestions_are_offered_to_their_own_offices(api_for):
    from zhengxie.opinions.models import Opinion
    from zhengxie.suggestions.models import Suggestion

    o = Opinion.objects.filter(organisation__code="demo-county", status="submitted").first()
    s = Suggestion.objects.filter(
        organisation__code="demo-county", status__in=["received", "accepted"]
    ).first()
    assert api_for("info").get(f"/api/v1/opinions/{o.pk}/routing-suggestion").status_code == 200
    assert api_for("staff").get(f"/api/v1/opinions/{o.pk}/routing-suggestion").status_code == 403
    r = api_for("office").get(f"/api/v1/suggestions/{s.pk}/routing-suggestion")
    assert r.status_code == 200 and r.json()["category"] == ""
    assert r.json()["units"], "a 微建议 gets the units its county's items went to"
    assert api_for("member1").get(f"/api/v1/suggestions/{s.pk}/routing-suggestion").status_code in (403, 404)


def test_the_suggestion_costs_the_same_few_queries_whatever_the_item(api_for):
    a = _submitted("关于加强乡村学校教师队伍建设的建议", "乡村学校教师短缺。", "提高乡村教师待遇。")
    b = _submitted("关于推进城镇燃气管道更新改造的建议", "老旧燃气管道腐蚀。", "加快燃气管道更新改造。")
    client = api_for("staff")
    client.get(f"/api/v1/proposals/{a.pk}/routing-suggestion")  # the model loads once per process
    counts = []
    for p in (a, b):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/api/v1/proposals/{p.pk}/routing-suggestion").status_code == 200
        counts.append(len(ctx))
    assert counts[0] == counts[1] and counts[0] <= 8, counts  # 3 of them are the API token's


def test_a_retrain_on_another_server_is_seen_by_the_version_check(user):
    org_id = user("staff").organisation_id
    first = services.model_for(org_id)
    assert services.model_for(org_id) is first  # cached
    services.train(org_id)
    assert services.model_for(org_id) is not first


def test_the_nightly_job_retrains_every_organisation_with_history():
    assert "routing.retrain" in scheduler.JOBS
    version = RoutingModel.objects.get(organisation__code="demo-county").version
    result = scheduler.JOBS["routing.retrain"].func()  # one task per organisation (run at once here)
    assert result["enqueued"] >= 2
    assert RoutingModel.objects.get(organisation__code="demo-county").version == version + 1


def test_the_社情民意_and_微建议_pages_carry_the_card_for_their_offices(client_for):
    from zhengxie.opinions.models import Opinion
    from zhengxie.suggestions.models import Suggestion

    o = Opinion.objects.filter(organisation__code="demo-county", status="submitted").first()
    page = client_for("info").get(f"/opinions/{o.pk}/").content.decode()
    assert f'hx-get="/routing/opinion/{o.pk}/"' in page
    card = client_for("info").get(f"/routing/opinion/{o.pk}/").content.decode()
    assert "建议类别：" in card
    s = Suggestion.objects.filter(organisation__code="demo-county", status="accepted").first()
    page = client_for("office").get(f"/suggestions/{s.pk}/").content.decode()
    assert f'hx-get="/routing/public_suggestion/{s.pk}/"' in page
    card = client_for("office").get(f"/routing/public_suggestion/{s.pk}/").content.decode()
    assert "建议承办单位：" in card and "建议类别" not in card


def test_without_a_trained_model_the_card_says_so_and_offers_nothing(client_for, api_for):
    RoutingModel.objects.filter(organisation__code="demo-county").delete()
    p = _submitted("关于加强乡村学校教师队伍建设的建议")
    card = client_for("staff").get(f"/routing/proposal/{p.pk}/").content.decode()
    assert "暂不能给出建议" in card and "btn-routing-adopt" not in card
    s = _suggestion(api_for, p.pk)
    assert (s["trained"], s["category"], s["units"], s["reasons"]) == (False, "", [], [])


def test_采用_is_audited(client_for):
    from zhengxie.core.models import AuditEntry

    p = _submitted("关于加强乡村学校教师队伍建设的建议", "乡村学校教师短缺。", "提高乡村教师待遇。")
    client_for("staff").post(f"/routing/proposal/{p.pk}/adopt/")
    entry = AuditEntry.objects.filter(action="routing.adopt", target_id=str(p.pk)).get()
    assert entry.actor.username == "staff" and entry.after["category"] == "科教文卫"
