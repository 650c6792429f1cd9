"""热点 end to end below the browser: who sees and recomputes what, the background task and the nightly
job, 作为协商选题, the API contract, and constant query counts as the data grows."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from zhengxie.core.errors import Conflict, Forbidden, Invalid, NotFound
from zhengxie.core.models import AuditEntry, Organisation
from zhengxie.hottopics import jobs, selectors, services
from zhengxie.hottopics.models import HotTopic, HotTopicItem, Run

pytestmark = pytest.mark.django_db


@pytest.fixture
def shimen_staff(db):
    from zhengxie.core.demo import make_user
    from zhengxie.core.models import Office, Role

    return make_user(
        "shimen_staff2",
        "石门区工作人员",
        Organisation.objects.get(code="demo-county-2"),
        [Role.STAFF],
        office=Office.GENERAL,
    )


def _county():
    return Organisation.objects.get(code="demo-county")


def _latest(org=None, period="90d"):
    return (
        Run.objects.filter(organisation=org or _county(), period=period, status="done")
        .order_by("-finished_at", "-id")
        .first()
    )


def _recompute(user, django_capture_on_commit_callbacks, **kw):
    with django_capture_on_commit_callbacks(execute=True):
        run = services.request_recompute(user=user, organisation=user.organisation, **kw)
    run.refresh_from_db()
    return run


# --- the demo and the computation --------------------------------------------------------------------------


def test_demo_county_has_hot_topics_across_kinds():
    run = _latest()
    assert run is not None and run.clusters > 0 and run.items > 0
    topics = list(run.topics.all())
    kinds = {k for t in topics for k in t.counts}
    assert {"proposal", "opinion", "public_suggestion"} <= kinds
    for t in topics:
        assert t.label and t.size >= 2 and sum(t.counts.values()) == t.size
        assert sum(p["n"] for p in t.trend) == t.size
        assert t.items.count() == t.size
    heats = [t.heat for t in topics]
    assert heats == sorted(heats, reverse=True)


def test_staff_recompute_runs_as_a_task_with_progress_and_audit(user, django_capture_on_commit_callbacks):
    staff = user("staff")
    run = _recompute(staff, django_capture_on_commit_callbacks, period="year")
    assert run.status == "done" and run.progress == 100 and run.requested_by == staff
    assert run.date_from == datetime.date(timezone.localdate().year, 1, 1)
    assert AuditEntry.objects.filter(action="hottopics.recompute", target_id=str(run.pk)).exists()
    # The older run of the same period beyond the two kept is gone.
    assert Run.objects.filter(organisation=staff.organisation, period="year", status="done").count() <= 2


def test_drafts_and_rejected_suggestions_are_not_read(user):
    from zhengxie.hottopics import sources
    from zhengxie.proposals.models import Proposal
    from zhengxie.suggestions.models import Suggestion

    county = _county()
    start = timezone.now() - datetime.timedelta(days=3650)
    texts = sources.gather(county, start, timezone.now() + datetime.timedelta(days=1))
    ids = {(t.kind, t.id) for t in texts}
    drafts = Proposal.objects.filter(organisation=county, status="draft").values_list("pk", flat=True)
    rejected = Suggestion.objects.filter(organisation=county, status="rejected").values_list("pk", flat=True)
    assert not {("proposal", pk) for pk in drafts} & ids
    assert not {("public_suggestion", pk) for pk in rejected} & ids
    assert any(k == "hall_comment" for k, _ in ids)


def test_custom_period_and_bad_dates(user, django_capture_on_commit_callbacks):
    staff = user("staff")
    today = timezone.localdate()
    run = _recompute(
        staff, django_capture_on_commit_callbacks, date_from=(today - datetime.timedelta(days=30)).isoformat()
    )
    assert run.period == "custom" and run.date_to == today and run.status == "done"
    with pytest.raises(Invalid) as e:
        services.period_range("custom", "2026-13-01", None)
    assert e.value.field == "from" and "格式" in e.value.message
    with pytest.raises(Invalid):
        services.period_range("custom", today.isoformat(), (today - datetime.timedelta(days=1)).isoformat())
    with pytest.raises(Invalid):
        services.period_range("custom", "2020-01-01", None)  # longer than three years


def test_a_failing_run_says_so_and_a_stale_one_is_failed(user, monkeypatch):
    county = _county()
    run = Run.objects.create(
        organisation=county, date_from=timezone.localdate(), date_to=timezone.localdate()
    )
    monkeypatch.setattr(services, "_compute", lambda run, progress: 1 / 0)
    assert services.compute(run.pk).status == "failed"
    stale = Run.objects.create(
        organisation=county, date_from=timezone.localdate(), date_to=timezone.localdate(), status="running"
    )
    Run.objects.filter(pk=stale.pk).update(updated_at=timezone.now() - datetime.timedelta(hours=2))
    assert jobs.fail_stale_runs()["runs"] == 1
    stale.refresh_from_db()
    assert stale.status == "failed" and "中断" in stale.error


def test_nightly_job_refreshes_both_periods_of_every_committee():
    before = Run.objects.count()
    result = jobs.refresh()
    committees = Organisation.objects.exclude(kind="liaison").count()
    assert result == {"enqueued": 2 * committees}
    new = Run.objects.order_by("-id")[: 2 * committees]
    assert all(r.status == "done" for r in new)  # the test's task backend runs them at once
    assert Run.objects.count() <= before + 2 * committees


# --- who sees what ------------------------------------------------------------------------------------------


def test_who_may_recompute(user, shimen_staff):
    county = _county()
    with pytest.raises(Forbidden):
        services.request_recompute(user=user("leader"), organisation=county)
    with pytest.raises(Forbidden):  # the city reads a county's hot topics, it does not run them
        services.request_recompute(user=user("citystaff"), organisation=county)
    with pytest.raises(NotFound):
        services.request_recompute(user=shimen_staff, organisation=county)
    with pytest.raises(NotFound):
        services.request_recompute(user=user("member1"), organisation=county)


def test_a_county_never_sees_another_countys_hot_topics(user, shimen_staff):
    ht = _latest().topics.first()
    with pytest.raises(NotFound):
        services.get_hot_topic(shimen_staff, ht.pk)
    with pytest.raises(NotFound):
        selectors.board(shimen_staff, organisation=_county().pk)
    own = selectors.board(shimen_staff)
    assert own.organisation.code == "demo-county-2"
    assert all(t.organisation_id == own.organisation.pk for t in own.topics)
    for name in ("member1", "handler1", "auditor"):
        with pytest.raises(NotFound):
            services.get_hot_topic(user(name), ht.pk)


def test_the_city_reads_a_county_below_it():
    from zhengxie.core.models import User

    city = User.objects.get(username="citystaff")
    orgs = services.organisations_for(city)
    assert orgs[0] == city.organisation and _county() in orgs
    b = selectors.board(city, organisation=_county().pk)
    assert b.topics and not b.may_recompute


def test_items_a_viewer_may_not_see_are_not_listed(user):
    from zhengxie.consultation.models import Comment

    ht = (
        HotTopic.objects.filter(run=_latest(), items__kind="hall_comment").order_by("rank").first()
        or HotTopic.objects.filter(items__kind="hall_comment", organisation=_county()).first()
    )
    leader = user("leader")
    before = services.item_rows(leader, ht)
    hidden = next(i for i in before if i["kind"] == "hall_comment")
    Comment.objects.filter(pk=hidden["id"]).update(status="hidden")
    after = services.item_rows(leader, ht)
    assert len(after) == len(before) - 1
    assert ("hall_comment", hidden["id"]) not in {(i["kind"], i["id"]) for i in after}


# --- 作为协商选题 -----------------------------------------------------------------------------------------------


def test_office_turns_a_hot_topic_into_a_consultation_topic(user):
    from zhengxie.consultation.models import Topic

    ht = _latest().topics.filter(topic__isnull=True).order_by("rank").first()
    with pytest.raises(Forbidden):  # 提案委 staff do not source consultation topics
        services.to_topic(user=user("staff"), hot_topic=ht.pk)
    with pytest.raises(Forbidden):
        services.to_topic(user=user("leader"), hot_topic=ht.pk)
    office = user("office")
    t = services.to_topic(user=office, hot_topic=ht.pk)
    assert isinstance(t, Topic) and t.source == "research" and t.status == "candidate"
    assert t.title == ht.label and t.organisation_id == ht.organisation_id
    assert "热点分析" in t.reason and f"共{ht.size}件" in t.reason
    first_item = services.item_rows(office, ht)[0]
    assert first_item["title"] in t.reason
    ht.refresh_from_db()
    assert ht.topic_id == t.pk
    assert AuditEntry.objects.filter(action="hottopics.to_topic", target_id=str(ht.pk)).exists()
    with pytest.raises(Conflict):
        services.to_topic(user=office, hot_topic=ht.pk)


def test_the_link_to_the_topic_survives_a_recompute(user, django_capture_on_commit_callbacks):
    ht = _latest().topics.order_by("rank").first()
    t = services.to_topic(user=user("office"), hot_topic=ht.pk)
    run = _recompute(user("staff"), django_capture_on_commit_callbacks)
    assert run.topics.filter(topic_id=t.pk).exists()


# --- pages ---------------------------------------------------------------------------------------------------


def test_board_page(client_for):
    r = client_for("leader").get(reverse("hottopics:board"))
    assert r.status_code == 200
    html = r.content.decode()
    assert 'id="hot-rows"' in html and "hot-chart" in html and "数据更新于" in html
    assert 'id="hot-recompute"' not in html  # leaders read, staff recompute
    assert 'id="hot-recompute"' in client_for("staff").get(reverse("hottopics:board")).content.decode()
    assert client_for("member1").get(reverse("hottopics:board")).status_code == 404


def test_board_keeps_the_filters_and_says_what_is_wrong(client_for):
    c = client_for("staff")
    r = c.get(reverse("hottopics:board"), {"period": "custom", "from": "2026-02-30"})
    assert r.status_code == 200 and "开始日期格式不正确" in r.content.decode()
    assert 'value="2026-02-30"' in r.content.decode()
    r = c.get(reverse("hottopics:board"), {"kinds": ["proposal"]})
    html = r.content.decode()
    assert 'id="hot-kind-proposal" checked' in html and 'id="hot-kind-opinion" checked' not in html


def test_recompute_page_shows_progress(client_for, django_capture_on_commit_callbacks):
    c = client_for("staff")
    with django_capture_on_commit_callbacks(execute=False):
        r = c.post(reverse("hottopics:recompute"), {"period": "90d"})
    assert r.status_code == 302
    run = Run.objects.order_by("-id").first()
    assert run.status == "pending"
    page = c.get(reverse("hottopics:board")).content.decode()
    assert 'id="hot-progress"' in page and "every 1s" in page
    services.compute(run.pk)
    r = c.get(reverse("hottopics:run", args=[run.pk]), headers={"HX-Request": "true"})
    assert r["HX-Refresh"] == "true" and "计算完成" in r.content.decode()


def test_detail_page_and_to_topic(client_for):
    ht = _latest().topics.filter(topic__isnull=True).order_by("rank").first()
    r = client_for("leader").get(reverse("hottopics:detail", args=[ht.pk]))
    html = r.content.decode()
    assert r.status_code == 200 and ht.label in html and 'id="hot-items"' in html
    assert 'id="hot-to-topic"' not in html
    c = client_for("office")
    assert 'id="hot-to-topic"' in c.get(reverse("hottopics:detail", args=[ht.pk])).content.decode()
    r = c.post(reverse("hottopics:to_topic", args=[ht.pk]), {"title": "城区停车难的对策"})
    ht.refresh_from_db()
    assert r.status_code == 302 and r["Location"] == reverse("consultation:topic", args=[ht.topic_id])
    assert ht.topic.title == "城区停车难的对策"


def _grow(run, n):
    """n more hot topics of n items each on the run (copies of its first one)."""
    first = run.topics.order_by("rank").first()
    items = list(first.items.all())
    for i in range(n):
        ht = HotTopic.objects.create(
            run=run,
            organisation_id=run.organisation_id,
            rank=100 + i,
            label=f"{first.label}{i}",
            title=first.title,
            keywords=first.keywords,
            size=first.size,
            counts=first.counts,
            trend=first.trend,
            heat=0.1,
        )
        _copy_items(ht, items)


def _copy_items(ht, items, centrality=0.5):
    HotTopicItem.objects.bulk_create(
        [
            HotTopicItem(
                hot_topic=ht,
                kind=it.kind,
                object_id=it.object_id,
                title=it.title,
                date=it.date,
                centrality=centrality,
            )
            for it in items
        ]
    )


def test_page_and_api_queries_do_not_grow(client_for, api_for, django_assert_max_num_queries):
    run = _latest()
    ht = run.topics.order_by("rank").first()
    pages = client_for("leader")
    api = api_for("leader")
    urls = [
        reverse("hottopics:board"),
        reverse("hottopics:detail", args=[ht.pk]),
        "/api/v1/hot-topics",
        f"/api/v1/hot-topics/{ht.pk}",
    ]

    def counts():
        out = []
        for url in urls:
            client = api if url.startswith("/api/") else pages
            from django.db import connection
            from django.test.utils import CaptureQueriesContext

            with CaptureQueriesContext(connection) as q:
                assert client.get(url).status_code == 200
            out.append(len(q))
        return out

    small = counts()
    _grow(run, 20)
    _copy_items(ht, list(ht.items.all()) * 5, centrality=0.1)
    assert counts() == small
    with django_assert_max_num_queries(20):
        pages.get(reverse("hottopics:board"))
    with django_assert_max_num_queries(20):
        pages.get(reverse("hottopics:detail", args=[ht.pk]))


# --- API -----------------------------------------------------------------------------------------------------


def test_api_list_and_detail(api_for):
    api = api_for("leader")
    r = api.get("/api/v1/hot-topics")
    assert r.status_code == 200
    body = r.json()
    assert body["period"] == "90d" and body["run"]["status"] == "done" and body["topics"]
    t = body["topics"][0]
    assert {"id", "label", "keywords", "size", "counts", "trend", "previous", "change", "heat"} <= set(t)
    d = api.get(f"/api/v1/hot-topics/{t['id']}").json()
    assert d["label"] == t["label"] and d["items"] and d["run"]["id"] == body["run"]["id"]
    assert {"kind", "id", "title", "url", "date"} <= set(d["items"][0])
    only = api.get("/api/v1/hot-topics", {"kinds": "public_suggestion"}).json()
    assert only["kinds"] == ["public_suggestion"]
    assert all(x["counts"].get("public_suggestion") for x in only["topics"])
    year = api.get("/api/v1/hot-topics", {"period": "year"}).json()
    assert year["date_from"].endswith("-01-01")


def test_api_errors(api_for, user):
    api = api_for("leader")
    r = api.get("/api/v1/hot-topics", {"kinds": "tweets"})
    assert r.status_code == 422 and r.json()["field"] == "kinds"
    r = api.get("/api/v1/hot-topics", {"from": "yesterday"})
    assert r.status_code == 422 and r.json()["field"] == "from"
    assert api_for("other").get("/api/v1/hot-topics").status_code == 404  # a member
    county2 = Organisation.objects.get(code="demo-county-2")
    assert api.get("/api/v1/hot-topics", {"organisation": county2.pk}).status_code == 404
    assert api.post("/api/v1/hot-topics/recompute", {}, content_type="application/json").status_code == 403


def test_api_recompute_and_run(api_for, django_capture_on_commit_callbacks):
    api = api_for("staff")
    with django_capture_on_commit_callbacks(execute=True):
        r = api.post("/api/v1/hot-topics/recompute", {"period": "year"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "pending"
    run = api.get(f"/api/v1/hot-topics/runs/{r.json()['id']}").json()
    assert run["status"] == "done" and run["progress"] == 100 and run["clusters"] > 0
    r = api.post(
        "/api/v1/hot-topics/recompute",
        {"period": "custom", "from": "2026-05-01", "to": "2026-04-01"},
        content_type="application/json",
    )
    assert r.status_code == 422 and r.json()["field"] == "from"


def test_api_to_topic(api_for):
    ht = _latest().topics.filter(topic__isnull=True).order_by("rank").first()
    assert (
        api_for("staff")
        .post(f"/api/v1/hot-topics/{ht.pk}/topic", {}, content_type="application/json")
        .status_code
        == 403
    )
    r = api_for("office").post(f"/api/v1/hot-topics/{ht.pk}/topic", {}, content_type="application/json")
    assert r.status_code == 200 and r.json()["url"].startswith("/consultation/topics/")
    again = api_for("office").post(f"/api/v1/hot-topics/{ht.pk}/topic", {}, content_type="application/json")
    assert again.status_code == 409


def test_dashboard_shows_the_top_five(client_for):
    r = client_for("leader").get(reverse("dashboard:index"))
    html = r.content.decode()
    assert 'id="hot-dashboard"' in html and "热点（近90天）" in html


def test_a_committee_may_set_a_narrower_threshold(user, django_capture_on_commit_callbacks):
    staff = user("staff")
    wide = _recompute(staff, django_capture_on_commit_callbacks, period="year")
    org = staff.organisation
    org.settings = {**(org.settings or {}), "hottopics.threshold": 0.5}
    org.save(update_fields=["settings"])
    assert services.threshold_of(org) == 0.5
    narrow = _recompute(staff, django_capture_on_commit_callbacks, period="year")
    assert sum(t.size for t in narrow.topics.all()) < sum(t.size for t in wide.topics.all())
    org.settings["hottopics.threshold"] = "abc"
    assert services.threshold_of(org) == 0.2
