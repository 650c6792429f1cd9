"""疑似重复 in the 办公室's moderation queue and 合并办理 of 微建议 (issue 17)."""

import pytest
from django_tasks_db.models import DBTaskResult

from zhengxie.core.errors import Conflict, Invalid, NotFound
from zhengxie.core.models import AuditEntry
from zhengxie.handling.services import flow
from zhengxie.search import duplicates as dup
from zhengxie.suggestions import duplicates, services
from zhengxie.suggestions.models import Suggestion
from zhengxie.suggestions.stats import year_figures

A = {
    "title": "幸福小区门前人行道被占用",
    "content": "幸福小区门前人行道长期被商户占道经营，摆满桌椅和货物，行人只能走机动车道，很不安全，建议城管部门加强整治。",
}
B = {
    "title": "幸福小区门口人行道被商户占用",
    "content": "幸福小区门口的人行道被商户占道经营，桌椅货物摆满，行人被迫走机动车道，存在安全隐患，请城管加强整治。",
}
C = {
    "title": "菜市场周边污水横流",
    "content": "农贸市场东侧排水沟堵塞，污水漫到路面，气味难闻，建议尽快清理排水沟并加盖板。",
}


def _ids_of(g):
    return {i["id"] for i in g["items"]}


def _groups(user, name="office"):
    return duplicates.duplicate_groups(user(name), budget=60)["groups"]


def test_groups_near_duplicates_only(submitted, user):
    a, b, c = submitted(**A), submitted(**B), submitted(**C)
    mine = [g for g in _groups(user) if _ids_of(g) & {a.pk, b.pk, c.pk}]
    assert len(mine) == 1 and {a.pk, b.pk} <= _ids_of(mine[0]) and c.pk not in _ids_of(mine[0])
    for name in ("member1", "handler1", "info", "other"):
        assert _groups(user, name) == []


def test_merged_suggestion_follows_the_main_one(submitted, user, education, county, client):
    a, b = submitted(**A), submitted(**B)
    office = user("office")
    before = AuditEntry.objects.count()
    services.merge_group(user=office, main=a.pk, others=[b.pk], reason="同一问题")
    b.refresh_from_db()
    assert b.status == "merged" and b.merged_into_id == a.pk
    assert (
        AuditEntry.objects.filter(action="suggestions.merge").count() == 1
        and AuditEntry.objects.count() > before
    )
    # never reaches a unit on its own
    with pytest.raises(Conflict):
        services.route(user=office, suggestion=b, unit=education)
    services.route(user=office, suggestion=a, unit=education)
    s = Suggestion.objects.get(pk=a.pk)
    flow.acknowledge(user=user("handler1"), case=s.case_id)
    flow.reply(user=user("handler1"), case=s.case_id, content="已设置护学岗。")
    # the citizen of the duplicate: the main one's progress and reply, and merged_into
    body = client.get(f"/api/v1/public/suggestions/{b.tracking_code}").json()
    assert body["status"] == "replied" and body["reply"]["content"] == "已设置护学岗。"
    assert body["merged_into"] == a.pk and body["title"] == B["title"]
    assert client.get(f"/api/v1/public/suggestions/{a.tracking_code}").json()["merged_into"] is None
    html = client.post("/p/track/", {"code": b.tracking_code}).content.decode()
    assert "合并办理" in html and "已设置护学岗。" in html
    with pytest.raises(Conflict):  # the main citizen rates, not the duplicate's
        services.rate(code=b.tracking_code, rating="satisfied")
    # the figures count the matter once
    figures = year_figures(county, s.created_at.year)
    assert (
        figures["received"] == Suggestion.objects.filter(organisation=county).exclude(status="merged").count()
    )


def test_merge_refusals(submitted, user, education):
    a, b, c = submitted(**A), submitted(**B), submitted(**C)
    office = user("office")
    services.route(user=office, suggestion=c, unit=education)
    with pytest.raises(Conflict):  # already routed
        services.merge(user=office, suggestion=c, into=a.pk)
    with pytest.raises(Invalid):
        services.merge(user=office, suggestion=a, into=a.pk)
    with pytest.raises(Invalid):
        services.merge(user=office, suggestion=a, into="x")
    with pytest.raises(NotFound):
        services.merge(user=user("other"), suggestion=a, into=b.pk)
    services.merge(user=office, suggestion=b, into=a.pk)
    with pytest.raises(Conflict):  # into a merged one
        services.merge(user=office, suggestion=c, into=b.pk)


def test_api_and_queue_page(submitted, user, api_for, client_for, django_assert_max_num_queries):
    a, b = submitted(**A), submitted(**B)
    duplicates.duplicate_groups(user("office"), budget=60)
    r = api_for("office").get("/api/v1/suggestions/duplicate-groups")
    assert r.status_code == 200 and any({a.pk, b.pk} <= _ids_of(g) for g in r.json()["groups"])
    assert api_for("handler1").get("/api/v1/suggestions/duplicate-groups").status_code == 404
    url = f"/api/v1/suggestions/{b.pk}/merge"
    assert api_for("other").post(url, {"into": a.pk}, content_type="application/json").status_code == 404
    assert api_for("info").post(url, {"into": a.pk}, content_type="application/json").status_code == 403
    c = client_for("office")
    html = c.get("/suggestions/").content.decode()
    assert "疑似重复" in html and "一键合并" in html
    with django_assert_max_num_queries(100) as small:
        c.get("/suggestions/")
    small = len(small)
    for i in range(4):
        submitted(**{**A, "title": A["title"] + "！" * (i + 1)})
        submitted(**{**C, "title": C["title"] + "！" * (i + 1)})
    c.get("/suggestions/")
    with django_assert_max_num_queries(small):
        c.get("/suggestions/")
    r = api_for("office").post(url, {"into": a.pk, "reason": "同一问题"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "merged" and r.json()["merged_into"] == a.pk
    assert api_for("office").post(url, {"into": a.pk}, content_type="application/json").status_code == 409


@pytest.mark.parametrize("compared", [30, 10, 0], ids=["cached", "part", "cold"])
def test_queue_page_queries_do_not_depend_on_the_cache(
    compared, submitted, client_for, settings, django_assert_max_num_queries
):
    # Issue 16: the bench's queue page once ran 79 queries instead of 8 — on a cold cache the page compared
    # the items it had no neighbour list for (similar() twice an item, several queries each) for as long
    # as its time limit allowed. It now asks the worker (the database queue, as in production) and says
    # how many are still to compare: one INSERT of the task at most, whatever the cache holds.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    c = client_for("office")
    submitted(**A), submitted(**B, ip="10.3.0.1")
    dup.warm(duplicates.KIND)  # every list cached
    c.get("/suggestions/")
    with django_assert_max_num_queries(100) as warm:
        html = c.get("/suggestions/").content.decode()
    assert "一键合并" in html and "尚未比对" not in html
    for i in range(30):  # 30 more, `compared` of them compared before the page is shown
        if i == compared:
            dup.warm(duplicates.KIND)
        text = (A, B, C)[i % 3]
        submitted(title=f"{text['title']}（{i}）", content=text["content"], ip=f"10.4.0.{i}")
    if compared == 30:
        dup.warm(duplicates.KIND)
    asked = len(warm) + (compared < 30)
    for _ in range(2):  # the refresh asks no more
        with django_assert_max_num_queries(asked):
            html = c.get("/suggestions/").content.decode()
        asked = len(warm)
        assert (f"另有 {30 - compared} 件尚未比对" in html) == (compared < 30)
    tasks = list(DBTaskResult.objects.all())
    assert len(tasks) == (compared < 30)
    for t in tasks:  # the worker runs it: the next page shows every group
        t.task.call(*t.args_kwargs["args"], **t.args_kwargs["kwargs"])
    html = c.get("/suggestions/").content.decode()
    assert "尚未比对" not in html and html.count("一键合并") >= 3
