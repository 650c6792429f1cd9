"""换班 (duty swaps): the member on a coming duty day asks another member of the same studio to take it
(`swap_ask`); the other accepts or declines (`swap_accept`, `swap_decline`); where the studio's rule says
so (`Studio.swap_needs_approval`) an agreed swap waits for the 办公室 (`swap_decide`); the asker may
withdraw an open request (`swap_cancel`). Done, the slot is the other member's: the rota, who answers the
studio's messages that day (`selectors.duty_members`) and the DutyRecord the day becomes once done all
follow the slot. Only a planned day from today on can change hands: a past or done day answers 409."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from zhengxie.core.errors import Conflict, Forbidden, Invalid
from zhengxie.core.notifications import notify
from zhengxie.members.models import Member

from .. import rules as r
from ..models import DutySlot, DutySwap
from .common import load, record, text, today
from .rota import office_users

D = DutySlot.Status
W = DutySwap.Status


def _swappable(slot: DutySlot) -> None:
    """409 unless the slot is a planned day from today on."""
    if slot.status == D.DONE:
        raise Conflict("该值班已完成，不能换班。", code="done")
    if slot.day < today():
        raise Conflict("值班日已过，不能换班。", code="past")
    if slot.status != D.PLANNED:
        raise Conflict(f"该值班当前为「{slot.get_status_display()}」，不能换班。", code="bad_state")


def _free(slot: DutySlot, member_id: int) -> None:
    taken = DutySlot.objects.filter(studio_id=slot.studio_id, member_id=member_id, day=slot.day)
    if taken.exists():
        raise Conflict("对方当天已排在本工作室值班，不能换班。", code="taken")


def _tell(users, title: str, body: str = "", url: str | None = None) -> None:
    """A studios notification; by default it opens 我的工作室, where members answer swaps."""
    notify(users, title, body, url=url or reverse("studios:mine"), category="studios")


def _swaps_url(swap) -> str:
    return reverse("studios:swaps", args=[swap.studio_id])


def swap_ask(*, user, slot, with_member, reason: str = "") -> DutySwap:
    """Ask another member of the studio to take this coming duty day (the slot's own member only)."""
    reason = text(reason, "换班原因", field="reason", max_len=200, required=False)
    try:
        to_id = int(getattr(with_member, "pk", with_member))
    except (TypeError, ValueError):
        raise Invalid("请选择换班的委员。", field="with_member")
    with transaction.atomic():
        x = load(DutySlot, user, slot, message="未找到该值班。")
        if not r.is_own(user, x):
            raise Forbidden("只能为本人的值班申请换班。")
        _swappable(x)
        if to_id == x.member_id:
            raise Invalid("不能与本人换班。", field="with_member")
        to = Member.objects.filter(pk=to_id, studios__pk=x.studio_id).select_related("user").first()
        if to is None:
            raise Invalid("换班委员须为该工作室的入驻委员。", field="with_member")
        if to.user is None or not to.user.is_active:
            raise Invalid("该委员没有可用的平台账号，无法确认换班。", field="with_member")
        if not x.studio.active:
            raise Conflict("该工作室已停用，不能换班。")
        _free(x, to.pk)
        if DutySwap.objects.filter(slot=x, status__in=DutySwap.OPEN).exists():
            raise Conflict("该值班已有待处理的换班申请。", code="open")
        swap = DutySwap.objects.create(
            organisation=x.organisation,
            studio_id=x.studio_id,
            slot=x,
            day=x.day,
            from_member_id=x.member_id,
            to_member=to,
            reason=reason,
            created_by=user,
        )
        record(user, "swap_ask", swap, after={"slot": x.pk, "day": str(x.day), "to_member": to.pk})
        _tell(
            [to.user],
            f"{x.member.name}请您代{x.day:%m月%d日}线上值班（{x.studio.name}）",
            reason or "请在“我的工作室”中接受或婉拒。",
        )
    return swap


def _load_swap(user, swap) -> DutySwap:
    return load(DutySwap, user, swap, may=r.can_view_swap, message="未找到该换班申请。")


def _state(swap: DutySwap, allowed, verb: str) -> None:
    if swap.status not in allowed:
        raise Conflict(f"该换班申请当前为「{swap.get_status_display()}」，不能{verb}。", code="bad_state")


def _locked_slot(swap: DutySwap) -> DutySlot:
    slot = DutySlot.objects.select_for_update(of=("self",)).select_related("studio").get(pk=swap.slot_id)
    if slot.member_id != swap.from_member_id:
        raise Conflict("该值班已另行调整，换班申请失效。", code="changed")
    _swappable(slot)
    return slot


def _apply(user, swap: DutySwap, slot: DutySlot) -> None:
    """The slot becomes the other member's: the rota, the day's answering member and its duty record."""
    _free(slot, swap.to_member_id)
    slot.member_id = swap.to_member_id
    slot.save(update_fields=["member"])
    swap.status = W.DONE
    record(
        user,
        "swap_done",
        slot,
        before={"member": swap.from_member_id},
        after={"member": swap.to_member_id, "swap": swap.pk, "day": str(slot.day)},
    )


def swap_accept(*, user, swap) -> DutySwap:
    """The member asked takes the day: done at once, or waiting for the 办公室 where the studio says so."""
    with transaction.atomic():
        w = _load_swap(user, swap)
        if r.own_member_id(user) != w.to_member_id:
            raise Forbidden("只有被邀请换班的委员可以接受。")
        _state(w, (W.ASKED,), "接受")
        slot = _locked_slot(w)
        w.answered_at = timezone.now()
        waits = slot.studio.swap_needs_approval
        if waits:
            w.status = W.AGREED
        else:
            _apply(user, w, slot)
        w.save(update_fields=["status", "answered_at"])
        record(user, "swap_accept", w, after={"status": w.status})
        if waits:
            _tell(
                office_users(w.organisation),
                f"{slot.studio.name}{w.day:%m月%d日}线上值班换班待批准",
                f"{w.from_member.name} → {w.to_member.name}",
                url=_swaps_url(w),
            )
        outcome = "待办公室批准" if waits else "换班完成"
        _tell([w.from_member.user], f"{w.to_member.name}已同意代{w.day:%m月%d日}值班，{outcome}")
    return w


def swap_decline(*, user, swap, reason: str = "") -> DutySwap:
    reason = text(reason, "婉拒理由", field="reason", max_len=200, required=False)
    with transaction.atomic():
        w = _load_swap(user, swap)
        if r.own_member_id(user) != w.to_member_id:
            raise Forbidden("只有被邀请换班的委员可以婉拒。")
        _state(w, (W.ASKED,), "婉拒")
        w.status, w.answer, w.answered_at = W.DECLINED, reason, timezone.now()
        w.save(update_fields=["status", "answer", "answered_at"])
        record(user, "swap_decline", w, after={"status": w.status, "answer": reason})
        _tell(
            [w.from_member.user],
            f"{w.to_member.name}婉拒了{w.day:%m月%d日}的换班",
            reason,
        )
    return w


def swap_decide(*, user, swap, approve: bool, reason: str = "") -> DutySwap:
    """The 办公室 approves (the rota changes) or refuses (a reason both members read) an agreed swap."""
    reason = text(reason, "意见", field="reason", max_len=200, required=not approve)
    with transaction.atomic():
        w = _load_swap(user, swap)
        if not r.is_studio_office(user, w.organisation):
            raise Forbidden("只有本级办公室工作人员可以审批换班。")
        _state(w, (W.AGREED,), "审批")
        w.decided_by, w.decided_at = user, timezone.now()
        if approve:
            _apply(user, w, _locked_slot(w))
        else:
            w.status = W.REFUSED
        if reason:
            w.answer = reason
        w.save(update_fields=["status", "answer", "decided_by", "decided_at"])
        record(
            user,
            "swap_" + ("approve" if approve else "refuse"),
            w,
            after={"status": w.status, "answer": reason},
        )
        verdict = "已批准，换班完成" if approve else "未获批准"
        _tell(
            [w.from_member.user, w.to_member.user],
            f"{w.day:%m月%d日}线上值班换班{verdict}",
            reason,
        )
    return w


def swap_cancel(*, user, swap) -> DutySwap:
    """The asker withdraws a request not yet done."""
    with transaction.atomic():
        w = _load_swap(user, swap)
        if r.own_member_id(user) != w.from_member_id:
            raise Forbidden("只有申请人可以撤回换班申请。")
        _state(w, DutySwap.OPEN, "撤回")
        w.status = W.CANCELLED
        w.save(update_fields=["status"])
        record(user, "swap_cancel", w, after={"status": w.status})
        _tell(
            [w.to_member.user],
            f"{w.from_member.name}撤回了{w.day:%m月%d日}的换班申请",
            "",
        )
    return w


EXPIRED = "值班日已过，换班申请自动失效。"


def expire_past_swaps(day=None) -> int:
    """The daily job: a request still open when its day has passed is withdrawn (the answer says why), so
    nobody is left with a to-do that can only answer 409. Idempotent."""
    day = day or today()
    done = 0
    for pk in list(
        DutySwap.objects.filter(status__in=DutySwap.OPEN, day__lt=day).values_list("pk", flat=True)[:2000]
    ):
        with transaction.atomic():
            w = DutySwap.objects.select_for_update().filter(pk=pk, status__in=DutySwap.OPEN).first()
            if w is None:
                continue
            w.status, w.answer = W.CANCELLED, EXPIRED
            w.save(update_fields=["status", "answer"])
            record(None, "swap_expire", w, after={"status": w.status})
            done += 1
    return done
