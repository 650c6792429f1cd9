"""疑似重复 in the 立案审查 queue: groups of near-duplicate proposals and 一键并案 (issue 17)."""

import pytest
from django.core.cache import cache

from zhengxie.core.models import AuditEntry, Notification
from zhengxie.proposals import duplicates
from zhengxie.proposals.models import Proposal, Signer

SCHOOL = {
    "title": "关于加快老旧小区加装电梯的建议",
    "reasons": "老旧小区多为六层以下住宅，没有电梯，老年居民上下楼困难，加装电梯意愿强烈，但资金分摊难、审批手续繁琐。",
    "suggestions": "一是简化加装电梯审批流程；二是给予财政补贴；三是引导居民协商分摊费用。",
}
SCHOOL2 = {
    "title": "关于推进老旧小区加装电梯的建议",
    "reasons": "老旧小区没有电梯，老年人上下楼困难，群众加装电梯意愿强，但费用分摊协调难，审批流程繁琐。",
    "suggestions": "简化审批流程，加大财政补贴，引导居民协商分摊加装费用。",
}
ROADS = {
    "title": "关于加快农村公路养护的建议",
    "reasons": "部分乡村公路年久失修，坑洼不平，雨季积水，群众出行不便，安全隐患多。",
    "suggestions": "一是落实农村公路养护资金；二是建立县乡村三级路长制；三是加强超载治理。",
}


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _groups(user, name="staff"):
    return duplicates.duplicate_groups(user(name), budget=60)["groups"]


def _ids_of(g):
    return {i["id"] for i in g["items"]}


def test_near_duplicates_are_grouped_and_other_matters_not(proposal_in, user):
    a = proposal_in("submitted", author="member1", **SCHOOL)
    b = proposal_in("submitted", author="member2", **SCHOOL2)
    c = proposal_in("submitted", author="member3", **ROADS)
    groups = [g for g in _groups(user) if _ids_of(g) & {a.pk, b.pk, c.pk}]
    assert len(groups) == 1
    g = groups[0]
    assert _ids_of(g) >= {a.pk, b.pk} and c.pk not in _ids_of(g)
    assert g["main"] == a.pk and "最早" in g["main_reason"]
    assert {"电梯", "加装电梯", "老旧小区"} & set(g["phrases"])
    item = next(i for i in g["items"] if i["id"] == b.pk)
    assert item["author"] == user("member2").member.name and item["status"] == "submitted"


def test_only_the_proposal_office_sees_groups(proposal_in, user):
    proposal_in("submitted", author="member1", **SCHOOL)
    proposal_in("submitted", author="member2", **SCHOOL2)
    for name in ("member1", "handler1", "other", "leader"):
        assert _groups(user, name) == []


def test_merge_group_merges_every_other_into_the_main(proposal_in, user):
    a = proposal_in("submitted", author="member1", **SCHOOL)
    b = proposal_in("submitted", author="member2", cosigners=["member3"], **SCHOOL2)
    staff = user("staff")
    before = AuditEntry.objects.count()
    from zhengxie.proposals import services

    services.proposal_merge_group(user=staff, main=a.pk, others=[b.pk], reason="同一事项")
    b.refresh_from_db()
    assert b.status == "merged" and b.merged_into_id == a.pk
    carried = set(
        Signer.objects.filter(proposal=a, via_merge=b, status="agreed").values_list(
            "member__user__username", flat=True
        )
    )
    assert carried == {"member2", "member3"}
    assert Notification.objects.filter(user__username="member3", title__contains="已并案").exists()
    assert AuditEntry.objects.count() > before
    assert not any(b.pk in _ids_of(g) for g in _groups(user))


def test_merge_group_refuses_illegal_states_and_bad_input(proposal_in, user):
    from zhengxie.core.errors import Conflict, Invalid, NotFound
    from zhengxie.proposals import services

    a = proposal_in("submitted", author="member1", **SCHOOL)
    filed = proposal_in("accepted", author="member2", **SCHOOL2)
    staff = user("staff")
    with pytest.raises(Conflict):  # an accepted proposal is not merged away
        services.proposal_merge_group(user=staff, main=a.pk, others=[filed.pk])
    with pytest.raises(Invalid):
        services.proposal_merge_group(user=staff, main=a.pk, others=[a.pk])
    with pytest.raises(Invalid):
        services.proposal_merge_group(user=staff, main=a.pk, others=[])
    with pytest.raises(NotFound):
        services.proposal_merge_group(user=staff, main=a.pk, others=[999999])
    assert Proposal.objects.get(pk=filed.pk).status == "accepted"


def test_api_groups_and_merge_group(proposal_in, user, api_for):
    a = proposal_in("submitted", author="member1", **SCHOOL)
    b = proposal_in("submitted", author="member2", **SCHOOL2)
    duplicates.duplicate_groups(user("staff"), budget=60)  # the lists, as the hourly job leaves them
    r = api_for("staff").get("/api/v1/proposals/duplicate-groups")
    assert r.status_code == 200
    assert any({a.pk, b.pk} <= _ids_of(g) for g in r.json()["groups"])
    assert api_for("member1").get("/api/v1/proposals/duplicate-groups").status_code == 404
    # another county's staff: the proposals are invisible, 404 before the body is read
    r = api_for("other").post(
        "/api/v1/proposals/merge-group", {"main": a.pk, "others": [b.pk]}, content_type="application/json"
    )
    assert r.status_code == 404
    r = api_for("member1").post(
        "/api/v1/proposals/merge-group", {"main": a.pk, "others": [b.pk]}, content_type="application/json"
    )
    assert r.status_code in (403, 404)
    r = api_for("staff").post(
        "/api/v1/proposals/merge-group",
        {"main": a.pk, "others": [b.pk], "reason": "同一事项"},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    assert Proposal.objects.get(pk=b.pk).status == "merged"
    r = api_for("staff").post(
        "/api/v1/proposals/merge-group", {"main": a.pk, "others": [b.pk]}, content_type="application/json"
    )
    assert r.status_code == 409


def test_queue_page_shows_groups_and_merges_in_one_click(proposal_in, user, client_for):
    a = proposal_in("submitted", author="member1", **SCHOOL)
    b = proposal_in("submitted", author="member2", **SCHOOL2)
    c = client_for("staff")
    html = c.get("/proposals/review/").content.decode()
    assert "疑似重复" in html and "一键并案" in html and SCHOOL2["title"] in html
    r = c.post(
        "/proposals/review/merge/", {"main": a.pk, "group_ids": [a.pk, b.pk], "reason": ""}, follow=True
    )
    assert "已将 1 件提案并入" in r.content.decode()
    assert Proposal.objects.get(pk=b.pk).status == "merged"


def test_queue_page_queries_do_not_grow(
    proposal_in, user, client_for, django_assert_max_num_queries, settings
):
    # Whether the neighbour lists are cached or not (issue 16: the page compared the missing ones itself,
    # several queries an item): it asks the worker, one INSERT on the database queue as in production.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    for i in range(2):
        proposal_in("submitted", author="member1", **{**SCHOOL, "title": SCHOOL["title"] + "一" * i})
    duplicates.duplicate_groups(user("staff"), budget=60)  # lists computed and cached
    c = client_for("staff")
    c.get("/proposals/review/")
    with django_assert_max_num_queries(100) as small:
        c.get("/proposals/review/")
    small = len(small)  # now: the next request clears the connection's query log
    for i in range(6):
        proposal_in("submitted", author="member2", **{**SCHOOL2, "title": SCHOOL2["title"] + "二" * i})
        proposal_in("submitted", author="member3", **{**ROADS, "title": ROADS["title"] + "三" * i})
    with django_assert_max_num_queries(small + 1):  # none of the 12 compared yet
        r = c.get("/proposals/review/")
    assert "另有 12 件尚未比对" in r.content.decode()
    duplicates.duplicate_groups(user("staff"), budget=60)  # the worker's part
    with django_assert_max_num_queries(small):
        r = c.get("/proposals/review/")
    assert r.status_code == 200 and "尚未比对" not in r.content.decode()


def test_a_chain_of_proposals_does_not_end_in_one_group(proposal_in, user):
    # B's title holds A's matter and C's; A (lifts) and C (rural roads) have nothing in common. Single link
    # made {A, B, C} through B; a proposal now joins a group only when close to the group as a whole.
    a = proposal_in(
        "submitted",
        author="member1",
        title="关于老旧小区加装电梯的建议",
        reasons="老旧小区没有电梯，老人上下楼难。",
        suggestions="简化审批，给予补贴。",
    )
    b = proposal_in(
        "submitted",
        author="member2",
        title="关于老旧小区加装电梯和农村公路养护管理的建议",
        reasons="老旧小区没有电梯，老人上下楼难；农村公路养护管理跟不上。",
        suggestions="简化审批，给予补贴；落实养护资金。",
    )
    c = proposal_in(
        "submitted",
        author="member3",
        title="关于农村公路养护管理的建议",
        reasons="农村公路养护管理跟不上。",
        suggestions="落实养护资金。",
    )
    from zhengxie.search.duplicates import pair_score

    texts = {p.pk: (p.title, f"{p.reasons}\n{p.suggestions}") for p in (a, b, c)}
    assert pair_score(texts[a.pk], texts[b.pk]) >= 0.65 and pair_score(texts[b.pk], texts[c.pk]) >= 0.65
    assert pair_score(texts[a.pk], texts[c.pk]) < 0.3
    groups = [_ids_of(g) & {a.pk, b.pk, c.pk} for g in _groups(user)]
    groups = [g for g in groups if g]
    assert not any({a.pk, c.pk} <= g for g in groups)
    assert len(groups) == 1 and b.pk in groups[0] and len(groups[0]) == 2  # B with the closer of the two
