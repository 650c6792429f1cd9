"""疑似重复 in the 信息工作台: groups of near-duplicate 社情民意 and 一键合并 (issue 17)."""

import pytest
from django.core.cache import cache

from zhengxie.core.models import AuditEntry, Notification
from zhengxie.opinions import duplicates, services
from zhengxie.opinions.models import Opinion, OpinionAuthor

A = {
    "title": "城区学校大班额问题亟待解决",
    "content": "城区小学班级人数普遍超过55人，教室拥挤，教师难以照顾每个学生，学位供给不足。建议新建扩建城区学校，合理划分学区，控制班额。",
}
B = {
    "title": "关于缓解城区学校大班额的建议",
    "content": "城区学校大班额问题突出，小学一个班超过55人，学位紧张。建议加快新建扩建城区学校，合理划分学区，严格控制班额。",
}
C = {
    "title": "农村公路养护亟需加强",
    "content": "部分乡村公路年久失修，坑洼不平，雨季积水，群众出行不便。建议落实农村公路养护资金，建立路长制。",
}


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _ids_of(g):
    return {i["id"] for i in g["items"]}


def _groups(user, name="info"):
    return duplicates.duplicate_groups(user(name), budget=60)["groups"]


def test_groups_near_duplicates_only(opinion_in, user):
    a = opinion_in("submitted", author="member1", **A)
    b = opinion_in("submitted", author="member2", **B)
    c = opinion_in("submitted", author="member3", **C)
    mine = [g for g in _groups(user) if _ids_of(g) & {a.pk, b.pk, c.pk}]
    assert len(mine) == 1 and {a.pk, b.pk} <= _ids_of(mine[0]) and c.pk not in _ids_of(mine[0])
    assert mine[0]["main"] == a.pk
    for name in ("member1", "staff", "other", "handler1"):
        assert _groups(user, name) == []


def test_merge_group_keeps_every_author_and_tells_them(opinion_in, user):
    a = opinion_in("submitted", author="member1", **A)
    b = opinion_in("submitted", author="member2", **B)
    before = AuditEntry.objects.count()
    services.opinion_merge_group(user=user("info"), main=a.pk, others=[b.pk], reason="同一问题")
    b.refresh_from_db()
    assert b.status == "merged" and b.merged_into_id == a.pk
    assert OpinionAuthor.objects.filter(opinion=a, member__user__username="member2", via_merge=b).exists()
    assert Notification.objects.filter(user__username="member2", title__contains="合并").exists()
    assert AuditEntry.objects.count() > before


def test_merge_group_errors(opinion_in, user):
    from zhengxie.core.errors import Conflict, Invalid, NotFound

    a = opinion_in("submitted", author="member1", **A)
    done = opinion_in("accepted", author="member2", **B)
    info = user("info")
    with pytest.raises(Conflict):
        services.opinion_merge_group(user=info, main=a.pk, others=[done.pk])
    with pytest.raises(Invalid):
        services.opinion_merge_group(user=info, main=a.pk, others=[a.pk])
    with pytest.raises(NotFound):
        services.opinion_merge_group(user=user("other"), main=a.pk, others=[done.pk])
    assert Opinion.objects.get(pk=done.pk).status == "accepted"


def test_api_and_page(opinion_in, user, api_for, client_for):
    a = opinion_in("submitted", author="member1", **A)
    b = opinion_in("submitted", author="member2", **B)
    duplicates.duplicate_groups(user("info"), budget=60)
    r = api_for("info").get("/api/v1/opinions/duplicate-groups")
    assert r.status_code == 200 and any({a.pk, b.pk} <= _ids_of(g) for g in r.json()["groups"])
    assert api_for("member1").get("/api/v1/opinions/duplicate-groups").status_code == 404
    body = {"main": a.pk, "others": [b.pk]}
    assert (
        api_for("other")
        .post("/api/v1/opinions/merge-group", body, content_type="application/json")
        .status_code
        == 404
    )
    assert (
        api_for("staff")
        .post("/api/v1/opinions/merge-group", body, content_type="application/json")
        .status_code
        == 403
    )
    html = client_for("info").get("/opinions/queue/").content.decode()
    assert "疑似重复" in html and "一键合并" in html
    r = client_for("info").post(
        "/opinions/queue/merge/", {"main": a.pk, "group_ids": [a.pk, b.pk]}, follow=True
    )
    assert "已将 1 篇信息合并" in r.content.decode()
    r = api_for("info").post("/api/v1/opinions/merge-group", body, content_type="application/json")
    assert r.status_code == 409


def test_queue_queries_do_not_grow(opinion_in, client_for, django_assert_max_num_queries):
    opinion_in("submitted", author="member1", **A)
    opinion_in("submitted", author="member2", **B)
    c = client_for("info")
    c.get("/opinions/queue/")
    with django_assert_max_num_queries(100) as small:
        c.get("/opinions/queue/")
    small = len(small)
    for i in range(5):
        opinion_in("submitted", author="member3", **{**A, "title": A["title"] + "一" * (i + 1)})
        opinion_in("submitted", author="member1", **{**C, "title": C["title"] + "二" * (i + 1)})
    c.get("/opinions/queue/")
    with django_assert_max_num_queries(small):
        assert c.get("/opinions/queue/").status_code == 200
