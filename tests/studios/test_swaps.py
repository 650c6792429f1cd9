"""换班 (issue 10): the member on a coming duty day asks another member of the studio to take it; the other
accepts (the slot is theirs: the rota, who answers the studio that day, the duty record of the done day) or
declines; where the studio's rule says so the 办公室 approves or refuses; past or done days answer 409;
outsiders get 404 and the wrong member 403."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from zhengxie.core.models import AuditEntry, Notification
from zhengxie.core.navigation import todos_for
from zhengxie.performance import acts as A
from zhengxie.performance.models import DutyRecord
from zhengxie.studios import services
from zhengxie.studios.models import DutySlot, DutySwap
from zhengxie.studios.selectors import duty_members

TODAY = timezone.localdate()
W = DutySwap.Status


def _mate(studio, *not_ids):
    """Another member of the studio with an account, free at this studio on `day` when given."""
    return studio.members.exclude(pk__in=not_ids).filter(user__isnull=False).order_by("pk").first()


def _today_slot(user, studio):
    """member1 is on duty today at their first studio (the demo)."""
    return DutySlot.objects.get(studio=studio, member=user("member1").member, day=TODAY)


def _records(slot):
    return DutyRecord.objects.filter(act=A.STUDIO_DUTY, source_id=str(slot.pk), voided=False)


def test_a_member_asks_on_the_page_the_other_accepts_by_api_and_the_day_and_its_record_follow(
    client_for, api_for, user, studio
):
    m1 = user("member1").member
    slot = _today_slot(user, studio)
    mate = _mate(studio, m1.pk)
    DutySwap.objects.filter(slot=slot).delete()
    page = client_for("member1").get(reverse("studios:mine")).content.decode()
    assert reverse("studios:swap_ask", args=[slot.pk]) in page and mate.name in page

    r = client_for("member1").post(
        reverse("studios:swap_ask", args=[slot.pk]), {"with_member": mate.pk, "reason": "临时出差"}
    )
    assert r.status_code == 302
    swap = DutySwap.objects.get(slot=slot, status=W.ASKED)
    assert (swap.from_member, swap.to_member, swap.reason, swap.day) == (m1, mate, "临时出差", TODAY)
    assert Notification.objects.filter(user=mate.user, title__contains="请您代").exists()
    assert any(t["label"] == "待确认的换班" and t["count"] >= 1 for t in todos_for(mate.user))
    assert AuditEntry.objects.filter(action="studios.swap_ask", target_id=str(swap.pk)).exists()

    r = api_for(mate.user.username).post(f"/api/v1/duty-swaps/{swap.pk}/accept")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["status"] == "done" and body["to_member"]["id"] == mate.pk and body["duty_id"] == slot.pk
    slot.refresh_from_db()
    assert slot.member == mate and slot.status == DutySlot.Status.PLANNED
    assert mate in duty_members(studio, TODAY) and m1 not in duty_members(studio, TODAY)
    assert Notification.objects.filter(user=m1.user, title__contains="换班完成").exists()
    assert AuditEntry.objects.filter(action="studios.swap_done", target_id=str(slot.pk)).exists()

    # the day done is the new member's duty record, not the asker's
    services.duty_done(user=mate.user, slot=slot)
    assert list(_records(slot).values_list("member_id", flat=True)) == [mate.pk]
    # and a done day cannot change hands again
    r = api_for(mate.user.username).post(
        f"/api/v1/studio-duties/{slot.pk}/swap", {"with_member": m1.pk}, content_type="application/json"
    )
    assert r.status_code == 409 and "已完成" in r.json()["detail"]


def test_where_the_studio_requires_it_the_office_approves_or_refuses(api_for, user, studio):
    studio.swap_needs_approval = True
    studio.save(update_fields=["swap_needs_approval"])
    m1 = user("member1").member
    slot = _today_slot(user, studio)
    DutySwap.objects.filter(slot=slot).delete()
    mate = _mate(studio, m1.pk)
    r = api_for("member1").post(
        f"/api/v1/studio-duties/{slot.pk}/swap", {"with_member": mate.pk}, content_type="application/json"
    )
    assert r.status_code == 201 and r.json()["status"] == "asked" and r.json()["needs_approval"]
    sid = r.json()["id"]
    assert api_for(mate.user.username).post(f"/api/v1/duty-swaps/{sid}/accept").json()["status"] == "agreed"
    slot.refresh_from_db()
    assert slot.member == m1  # not yet
    office = user("office")
    assert Notification.objects.filter(user=office, title__contains="换班待批准").exists()
    assert any(t["label"] == "待批准的换班" and t["count"] >= 1 for t in todos_for(office))

    # refusing needs a reason; the member asked cannot approve
    r = api_for("office").post(
        f"/api/v1/duty-swaps/{sid}/decide", {"decision": "refuse"}, content_type="application/json"
    )
    assert r.status_code == 422 and r.json()["field"] == "reason"
    r = api_for(mate.user.username).post(
        f"/api/v1/duty-swaps/{sid}/decide", {"decision": "approve"}, content_type="application/json"
    )
    assert r.status_code == 403
    r = api_for("office").post(
        f"/api/v1/duty-swaps/{sid}/decide", {"decision": "approve"}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["status"] == "done"
    slot.refresh_from_db()
    assert slot.member == mate
    assert Notification.objects.filter(user=m1.user, title__contains="已批准").exists()
    assert Notification.objects.filter(user=mate.user, title__contains="已批准").exists()
    # deciding again is an illegal step
    r = api_for("office").post(
        f"/api/v1/duty-swaps/{sid}/decide",
        {"decision": "refuse", "reason": "x"},
        content_type="application/json",
    )
    assert r.status_code == 409


def test_the_office_refuses_on_the_studio_page_and_the_rota_stays(client_for, user, studio):
    studio.swap_needs_approval = True
    studio.save(update_fields=["swap_needs_approval"])
    m1 = user("member1").member
    slot = _today_slot(user, studio)
    DutySwap.objects.filter(slot=slot).delete()
    mate = _mate(studio, m1.pk)
    w = services.swap_ask(user=m1.user, slot=slot, with_member=mate.pk)
    services.swap_accept(user=mate.user, swap=w)
    c = client_for("office")
    page = c.get(reverse("studios:swaps", args=[studio.pk])).content.decode()
    assert reverse("studios:swap_action", args=[w.pk, "approve"]) in page and "待办公室批准" in page
    listing = c.get(reverse("studios:list")).content.decode()
    assert (
        'id="swap-requests"' in listing and reverse("studios:swap_action", args=[w.pk, "approve"]) in listing
    )
    r = c.post(
        reverse("studios:swap_action", args=[w.pk, "refuse"]), {"reason": "当天另有安排", "back": "studio"}
    )
    assert r.status_code == 302 and r.url == reverse("studios:swaps", args=[studio.pk])
    w.refresh_from_db()
    slot.refresh_from_db()
    assert w.status == W.REFUSED and w.answer == "当天另有安排" and slot.member == m1


def test_the_member_asked_declines_and_the_asker_may_withdraw(api_for, user, studio):
    m1 = user("member1").member
    slot = _today_slot(user, studio)
    DutySwap.objects.filter(slot=slot).delete()
    mate = _mate(studio, m1.pk)
    w = services.swap_ask(user=m1.user, slot=slot, with_member=mate.pk)
    r = api_for(mate.user.username).post(
        f"/api/v1/duty-swaps/{w.pk}/decline", {"reason": "当天也有事"}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["status"] == "declined" and r.json()["answer"] == "当天也有事"
    assert Notification.objects.filter(user=m1.user, title__contains="婉拒").exists()
    slot.refresh_from_db()
    assert slot.member == m1
    # a new request may follow a declined one; the asker withdraws it
    w2 = services.swap_ask(user=m1.user, slot=slot, with_member=mate.pk)
    assert api_for("member1").post(f"/api/v1/duty-swaps/{w2.pk}/cancel").json()["status"] == "cancelled"
    assert api_for(mate.user.username).post(f"/api/v1/duty-swaps/{w2.pk}/accept").status_code == 409


def test_bad_requests_and_illegal_steps(api_for, user, studio):
    m1 = user("member1").member
    slot = _today_slot(user, studio)
    DutySwap.objects.filter(slot=slot).delete()
    mate = _mate(studio, m1.pk)
    url = f"/api/v1/studio-duties/{slot.pk}/swap"

    def ask(username, pk, url=url):
        return api_for(username).post(url, {"with_member": pk}, content_type="application/json")

    stranger = user("other").member  # 石门区: not of this studio
    r = ask("member1", stranger.pk)
    assert r.status_code == 422 and r.json()["field"] == "with_member"
    assert ask("member1", m1.pk).status_code == 422  # with oneself
    # someone on duty there the same day already
    DutySlot.objects.create(organisation=slot.organisation, studio=studio, member=mate, day=TODAY)
    r = ask("member1", mate.pk)
    assert r.status_code == 409 and "对方当天" in r.json()["detail"]
    DutySlot.objects.filter(studio=studio, member=mate, day=TODAY).delete()
    # one open request per day
    assert ask("member1", mate.pk).status_code == 201
    assert ask("member1", mate.pk).status_code == 409
    # a past day
    past = DutySlot.objects.create(
        organisation=slot.organisation, studio=studio, member=m1, day=TODAY - datetime.timedelta(days=1)
    )
    r = ask("member1", mate.pk, f"/api/v1/studio-duties/{past.pk}/swap")
    assert r.status_code == 409 and "已过" in r.json()["detail"]
    # someone else's day: not theirs to see (404), a colleague of the studio may see but not ask (403)
    assert ask("member2", m1.pk).status_code == 404
    assert ask(mate.user.username, m1.pk).status_code in (403, 404)


def test_the_day_passing_or_done_before_the_answer_is_409(api_for, user, studio):
    m1 = user("member1").member
    slot = _today_slot(user, studio)
    DutySwap.objects.filter(slot=slot).delete()
    mate = _mate(studio, m1.pk)
    w = services.swap_ask(user=m1.user, slot=slot, with_member=mate.pk)
    services.duty_done(user=m1.user, slot=slot)
    r = api_for(mate.user.username).post(f"/api/v1/duty-swaps/{w.pk}/accept")
    assert r.status_code == 409 and "已完成" in r.json()["detail"]
    slot.refresh_from_db()
    assert slot.member == m1 and list(_records(slot).values_list("member_id", flat=True)) == [m1.pk]


def test_who_sees_which_swaps(api_for, user, studio, other_county_office):
    m1 = user("member1").member
    slot = _today_slot(user, studio)
    DutySwap.objects.filter(slot=slot).delete()
    mate = _mate(studio, m1.pk)
    third = _mate(studio, m1.pk, mate.pk)
    w = services.swap_ask(user=m1.user, slot=slot, with_member=mate.pk)
    url = f"/api/v1/studios/{studio.pk}/swaps"
    ids = lambda r: [x["id"] for x in r.json()["items"]]  # noqa: E731
    assert w.pk in ids(api_for("office").get(url)) and w.pk in ids(api_for("leader").get(url))
    assert w.pk in ids(api_for("member1").get(url)) and w.pk in ids(api_for(mate.user.username).get(url))
    if third is not None and third.user is not None:
        assert w.pk not in ids(api_for(third.user.username).get(url))
        assert api_for(third.user.username).post(f"/api/v1/duty-swaps/{w.pk}/accept").status_code == 404
    assert api_for("other").get(url).status_code == 404
    assert api_for("member2").get(url).status_code == 404  # not of this studio
    assert api_for("member1").get(url + "?status=bogus").status_code == 422
    assert (
        ids(api_for("office").get(url + "?status=asked"))
        == [x.pk for x in DutySwap.objects.filter(studio=studio, status=W.ASKED).order_by("-day", "-pk")][:20]
    )
    # 石门区's office sees nothing of it
    from django.test import Client

    from zhengxie.core.models import ApiToken

    c = Client(headers={"Authorization": f"Bearer {ApiToken.issue(other_county_office)}"})
    assert c.get(url).status_code == 404
    assert (
        c.post(
            f"/api/v1/duty-swaps/{w.pk}/decide", {"decision": "approve"}, content_type="application/json"
        ).status_code
        == 404
    )


@pytest.mark.parametrize("who", ["office", "member1"])
def test_the_swap_list_keeps_a_constant_number_of_queries(
    who, api_for, client_for, user, studio, django_assert_max_num_queries
):
    api, page = api_for(who), client_for(who)
    url = f"/api/v1/studios/{studio.pk}/swaps"
    m1 = user("member1").member
    mates = list(studio.members.exclude(pk=m1.pk))

    def grow(n, start):
        for i in range(n):
            day = TODAY + datetime.timedelta(days=start + i)
            s = DutySlot.objects.create(organisation=studio.organisation, studio=studio, member=m1, day=day)
            DutySwap.objects.create(
                organisation=studio.organisation,
                studio=studio,
                slot=s,
                day=day,
                from_member=m1,
                to_member=mates[i % len(mates)],
            )

    grow(2, 200)
    with django_assert_max_num_queries(12) as before:
        assert api.get(url).status_code == 200
    with django_assert_max_num_queries(20) as before_page:
        assert page.get(reverse("studios:swaps", args=[studio.pk])).status_code == 200
    grow(15, 300)
    with django_assert_max_num_queries(len(before.captured_queries)):
        assert len(api.get(url).json()["items"]) >= 17
    with django_assert_max_num_queries(len(before_page.captured_queries)):
        assert page.get(reverse("studios:swaps", args=[studio.pk])).status_code == 200


def test_a_request_left_open_past_its_day_expires_with_the_daily_job(user, studio):
    from zhengxie.studios import jobs
    from zhengxie.studios.services.swaps import expire_past_swaps

    m1 = user("member1").member
    slot = _today_slot(user, studio)
    DutySwap.objects.filter(slot=slot).delete()
    w = services.swap_ask(user=m1.user, slot=slot, with_member=_mate(studio, m1.pk).pk)
    assert jobs.expire_swaps() == "0 个换班申请" or DutySwap.objects.get(pk=w.pk).status == W.ASKED
    assert expire_past_swaps(TODAY + datetime.timedelta(days=1)) >= 1
    w.refresh_from_db()
    assert w.status == W.CANCELLED and "自动失效" in w.answer
    assert AuditEntry.objects.filter(action="studios.swap_expire", target_id=str(w.pk)).exists()
    assert expire_past_swaps(TODAY + datetime.timedelta(days=1)) == 0
    assert not any(t["label"] == "待确认的换班" and t["count"] for t in todos_for(w.to_member.user))
