"""委员为民服务超市: members list services; the public books them without an account (an unguessable booking
code to follow it); the member accepts or declines with a reason, then records what was done — a
ServiceRecord and a DutyRecord (act public_service). Members may also record people received without a
booking; withdrawing a record voids its credit.

    pending ─accept→ accepted ─record→ done
       │  └────decline──┴──→ declined        pending/accepted ─cancel (the citizen)→ cancelled
"""

from __future__ import annotations

import logging
import re
import secrets

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from zhengxie.core import ratelimit, sms
from zhengxie.core.errors import Conflict, Forbidden, Invalid, NotFound
from zhengxie.core.models import Organisation
from zhengxie.core.notifications import notify
from zhengxie.members.models import Member
from zhengxie.members.selectors import member_of
from zhengxie.performance import acts as A

from .. import rules as r
from ..models import Booking, ServiceOffer, ServiceRecord, Studio
from .common import as_day, credit, load, record, text, today, uncredit

logger = logging.getLogger(__name__)

B = Booking.Status
OPEN = (B.PENDING, B.ACCEPTED)
MOBILE = re.compile(r"^1[3-9]\d{9}$")
# No 0/O, 1/I/L: read aloud or copied from a phone without mistakes.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10
NOT_FOUND = "未找到该预约，请核对预约码。"


def new_booking_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(code) -> str:
    return re.sub(r"[\s-]", "", str(code or "")).upper()


def mask_phone(phone: str) -> str:
    p = phone or ""
    return p[:3] + "****" + p[-4:] if len(p) >= 11 else ("****" if p else "")


# --- offers ------------------------------------------------------------------------------------------


def check_offer(
    *, title, description="", category="other", mode="offline", available_times="", capacity=5
) -> dict:
    """An offer's fields, checked (the form calls this too)."""
    if category not in ServiceOffer.Category.values:
        raise Invalid("请选择服务类别。", field="category")
    if mode not in ServiceOffer.Mode.values:
        raise Invalid("请选择服务方式。", field="mode")
    try:
        capacity = int(capacity)
    except (TypeError, ValueError):
        raise Invalid("同时接受预约数须为整数。", field="capacity")
    if not 1 <= capacity <= 200:
        raise Invalid("同时接受预约数须在 1 到 200 之间。", field="capacity")
    return {
        "title": text(title, "服务名称", field="title", max_len=100),
        "description": text(description, "服务内容", field="description", max_len=2000, required=False),
        "category": category,
        "mode": mode,
        "available_times": text(
            available_times, "可预约时间", field="available_times", max_len=200, required=False
        ),
        "capacity": capacity,
    }


def _offer_member(user, member_id) -> Member:
    """Whose service: the member's own; the office names a member of its committee."""
    own = member_of(user)
    if member_id in (None, "") or (own is not None and str(member_id) == str(own.pk)):
        if own is None:
            raise Invalid("请选择提供服务的委员。", field="member_id")
        return own
    if not r.is_studio_office(user, user.organisation):
        raise Forbidden("只能发布本人的服务。")
    committee = user.organisation.committee
    m = (
        Member.objects.filter(pk=member_id if str(member_id).isdigit() else 0)
        .select_related("organisation")
        .first()
    )
    if m is None or m.organisation_id not in {user.organisation_id, committee.pk}:
        raise Invalid("请选择本级政协的委员。", field="member_id")
    return m


def _offer_studio(member: Member, studio_id) -> Studio | None:
    if studio_id in (None, ""):
        return None
    s = Studio.objects.filter(pk=studio_id if str(studio_id).isdigit() else 0, active=True).first()
    if s is None or not s.members.filter(pk=member.pk).exists():
        raise Invalid("所选工作室须为该委员入驻的工作室。", field="studio_id")
    return s


def offer_create(*, user, member_id=None, studio_id=None, active=True, **fields) -> ServiceOffer:
    if not r.may_offer(user):
        raise Forbidden("只有委员可以发布为民服务。")
    data = check_offer(**fields)
    with transaction.atomic():
        member = _offer_member(user, member_id)
        studio = _offer_studio(member, studio_id)
        o = ServiceOffer.objects.create(
            organisation_id=member.organisation_id,
            member=member,
            studio=studio,
            active=bool(active),
            created_by=user,
            **data,
        )
        record(user, "offer_create", o, after={**data, "member": member.pk, "active": o.active})
    return o


def offer_update(*, user, offer, studio_id=None, active=None, **fields) -> ServiceOffer:
    with transaction.atomic():
        o = load(ServiceOffer, user, offer, message="未找到该服务。")
        if not r.can_act_for(user, o):
            raise Forbidden("只能修改本人的服务。")
        current = {
            f: getattr(o, f)
            for f in ("title", "description", "category", "mode", "available_times", "capacity")
        }
        data = check_offer(**{**current, **{k: v for k, v in fields.items() if k in current}})
        before = {**current, "active": o.active, "studio": o.studio_id}
        for k, v in data.items():
            setattr(o, k, v)
        o.studio = _offer_studio(o.member, studio_id)
        if active is not None:
            o.active = bool(active)
        o.save()
        record(
            user, "offer_update", o, before=before, after={**data, "active": o.active, "studio": o.studio_id}
        )
    return o


# --- bookings (the public) ---------------------------------------------------------------------------


def public_offer(offer_id, organisation_id=None) -> ServiceOffer:
    """An active offer anyone may book (404 otherwise)."""
    qs = ServiceOffer.objects.select_related("organisation", "member", "studio").filter(
        active=True, organisation__is_active=True
    )
    if organisation_id is not None:
        qs = qs.filter(organisation_id=organisation_id)
    o = qs.filter(pk=offer_id if str(offer_id).isdigit() else 0).first()
    if o is None:
        raise NotFound("未找到该服务。")
    return o


def check_booking(*, name, phone, preferred_time="", note="", consent=False, sms=False) -> dict:
    """What a citizen typed, checked (the public form calls this too). `sms`: they agree to be told the
    member's answer by SMS on this number."""
    phone = re.sub(r"[\s-]", "", str(phone or ""))
    if not phone:
        raise Invalid("请填写手机号，委员将通过它与您联系。", field="phone")
    if not MOBILE.match(phone):
        raise Invalid("请填写正确的11位手机号。", field="phone")
    if consent is not True:
        raise Invalid("请阅读并同意个人信息使用说明。", field="consent")
    return {
        "name": text(name, "称呼", field="name", max_len=40),
        "phone": phone,
        "preferred_time": text(
            preferred_time, "希望时间", field="preferred_time", max_len=100, required=False
        ),
        "note": text(note, "需求说明", field="note", max_len=500, required=False),
        "consent": True,
        "sms_ok": bool(sms),
    }


def booking_create(*, offer, ip=None, honeypot: str = "", organisation_id=None, **fields) -> Booking | None:
    """A citizen books a service. Rate-limited per address (`public.rate_per_hour`); a filled honeypot is
    dropped silently (None). The member is told; the citizen keeps the code."""
    o = public_offer(getattr(offer, "pk", offer), organisation_id)
    data = check_booking(**fields)
    ratelimit.throttle(
        ip,
        o.organisation,
        scope="studios.booking",
        message="提交过于频繁：每小时最多提交{limit}次预约，请稍后再试。",
    )
    if honeypot:
        return None
    with transaction.atomic():
        o = (
            ServiceOffer.objects.select_for_update()
            .select_related("organisation", "member__user")
            .get(pk=o.pk)
        )
        if not o.active:
            raise NotFound("未找到该服务。")
        if Booking.objects.filter(offer=o, status__in=OPEN).count() >= o.capacity:
            raise Conflict("该服务的预约已满，请稍后再试或选择其他服务。", code="full")
        for _ in range(5):
            try:
                with transaction.atomic():
                    b = Booking.objects.create(
                        organisation=o.organisation, offer=o, member=o.member, code=new_booking_code(), **data
                    )
                break
            except IntegrityError:  # a code already taken (one in 10^14): draw again
                continue
        else:
            raise Conflict("系统繁忙，请重试。")
        record(None, "booking_create", b, after={"status": b.status, "offer": o.pk})
        notify(
            [o.member.user],
            f"新的为民服务预约：{o.title}",
            f"{b.name}预约了您的服务，请及时受理。",
            url=reverse("studios:booking", args=[b.pk]),
            category="studios",
            sms=True,
        )
    return b


def booking_by_code(code) -> Booking:
    """The citizen's booking by its code (404 for a wrong one)."""
    code = normalise_code(code)
    if not code or len(code) > 16:
        raise NotFound(NOT_FOUND)
    b = Booking.objects.select_related("offer", "member", "organisation").filter(code=code).first()
    if b is None:
        raise NotFound(NOT_FOUND)
    return b


def booking_cancel(*, code) -> Booking:
    with transaction.atomic():
        b = booking_by_code(code)
        b = (
            Booking.objects.select_for_update()
            .select_related("offer", "member__user", "organisation")
            .get(pk=b.pk)
        )
        if b.status not in OPEN:
            raise Conflict(f"该预约当前为「{b.get_status_display()}」，不能取消。", code="bad_state")
        b.status = B.CANCELLED
        b.save(update_fields=["status"])
        record(None, "booking_cancel", b, after={"status": b.status})
        notify(
            [b.member.user],
            f"预约已由群众取消：{b.offer.title}",
            f"{b.name}取消了预约。",
            url=reverse("studios:booking", args=[b.pk]),
            category="studios",
        )
    return b


# --- bookings (the member) ---------------------------------------------------------------------------


def _load_booking(user, booking) -> Booking:
    b = load(Booking, user, booking, message="未找到该预约。")
    if not r.can_act_for(user, b):
        raise Forbidden("只能受理本人服务的预约。")
    return b


def _bad(b: Booking, verb: str):
    return Conflict(f"该预约当前为「{b.get_status_display()}」，不能{verb}。", code="bad_state")


def booking_accept(*, user, booking, answer: str = "") -> Booking:
    answer = text(answer, "答复", field="answer", max_len=500, required=False)
    with transaction.atomic():
        b = _load_booking(user, booking)
        if b.status != B.PENDING:
            raise _bad(b, "接受")
        b.status, b.answer, b.decided_at, b.decided_by = B.ACCEPTED, answer, timezone.now(), user
        b.save(update_fields=["status", "answer", "decided_at", "decided_by"])
        _owe_sms(b)
        record(user, "booking_accept", b, after={"status": b.status, "answer": answer})
        _tell_member_if_office(user, b, "已代为接受预约")
    return b


def booking_decline(*, user, booking, reason: str) -> Booking:
    reason = text(reason, "婉拒理由", field="reason", max_len=500)
    with transaction.atomic():
        b = _load_booking(user, booking)
        if b.status not in OPEN:
            raise _bad(b, "婉拒")
        before = {"status": b.status}
        b.status, b.answer, b.decided_at, b.decided_by = B.DECLINED, reason, timezone.now(), user
        b.save(update_fields=["status", "answer", "decided_at", "decided_by"])
        _owe_sms(b)
        record(user, "booking_decline", b, before=before, after={"status": b.status, "answer": reason})
        _tell_member_if_office(user, b, "已代为婉拒预约")
    return b


# --- the citizen's SMS (the booking's outbox) ---------------------------------------------------------

SMS_TEXT = {
    B.ACCEPTED: "【智慧政协】您预约的“{title}”已受理，{member}委员将与您联系{answer}。预约码{code}",
    B.DECLINED: "【智慧政协】很抱歉，您预约的“{title}”未能受理{answer}。预约码{code}",
}


def _owe_sms(b: Booking) -> None:
    """In the answer's transaction: the citizen who agreed to SMS is owed one; it goes after commit."""
    if not (b.sms_ok and b.consent and b.phone):
        return
    b.sms_pending = b.status
    b.save(update_fields=["sms_pending"])
    transaction.on_commit(lambda: _hand_over(b.pk), robust=True)


def _hand_over(booking_id: int) -> None:
    from ..tasks import send_booking_sms_task

    try:
        send_booking_sms_task.enqueue(booking_id)
    except Exception:  # the hourly studios.retry_booking_sms sends it
        logger.warning("预约短信入队失败，预约 %s 待重试", booking_id, exc_info=True)


def booking_sms_text(b: Booking, status: str) -> str:
    answer = (b.answer or "").strip().replace("\n", " ")
    if len(answer) > 40:
        answer = answer[:39] + "…"
    return SMS_TEXT[status].format(
        title=b.offer.title[:20],
        member=b.member.name,
        answer=f"：{answer}" if answer else "",
        code=b.code,
    )


def send_booking_sms(booking_id) -> bool:
    """Send the SMS a booking owes, once: claimed by clearing the flag first (two workers never both send
    it), flagged again when the gateway fails. The number is decrypted only here and never logged."""
    b = Booking.objects.select_related("offer", "member").filter(pk=booking_id).first()
    if b is None or not b.sms_pending or b.sms_pending not in SMS_TEXT:
        return False
    status = b.sms_pending
    if not Booking.objects.filter(pk=b.pk, sms_pending=status).update(sms_pending=""):
        return False
    try:
        sms.get_backend().send(b.phone, booking_sms_text(b, status))
    except Exception:
        Booking.objects.filter(pk=b.pk, sms_pending="").update(sms_pending=status)
        logger.warning("预约短信发送失败，预约 %s 待重试", b.pk, exc_info=True)
        return False
    return True


def retry_booking_sms(limit: int = 500) -> int:
    """The hourly job: send the SMS still owed (a queue that was down, a gateway that failed)."""
    ids = list(Booking.objects.exclude(sms_pending="").values_list("pk", flat=True)[:limit])
    return sum(1 for pk in ids if send_booking_sms(pk))


def check_service(*, served_on, summary, people_served=1) -> dict:
    """What a member did (the record form calls this too)."""
    day = as_day(served_on, "服务日期", "served_on")
    if day > today():
        raise Invalid("服务日期不能晚于今天。", field="served_on")
    try:
        people = int(people_served)
    except (TypeError, ValueError):
        raise Invalid("服务人数须为整数。", field="people_served")
    if not 1 <= people <= 10000:
        raise Invalid("服务人数须在 1 到 10000 之间。", field="people_served")
    return {
        "served_on": day,
        "summary": text(summary, "服务情况", field="summary", max_len=2000),
        "people_served": people,
    }


def booking_record(*, user, booking, served_on, summary, people_served=1) -> ServiceRecord:
    """The member records what was done for an accepted booking: done, a ServiceRecord and its DutyRecord."""
    data = check_service(served_on=served_on, summary=summary, people_served=people_served)
    with transaction.atomic():
        b = _load_booking(user, booking)
        if b.status != B.ACCEPTED:
            raise _bad(b, "登记服务")
        b.status = B.DONE
        b.save(update_fields=["status"])
        rec = _new_record(user, member=b.member, offer=b.offer, booking=b, **data)
        record(user, "booking_done", b, after={"status": b.status, "record": rec.pk, **_plain(data)})
        _tell_member_if_office(user, b, "已代为登记服务情况")
    return rec


def service_record_create(*, user, offer=None, studio_id=None, member_id=None, **fields) -> ServiceRecord:
    """People received without a booking (到工作室来访、电话咨询 ...)."""
    data = check_service(**fields)
    with transaction.atomic():
        o = None
        if offer not in (None, ""):
            o = load(ServiceOffer, user, offer, lock=False, message="未找到该服务。")
            if not r.can_act_for(user, o):
                raise Forbidden("只能为本人的服务登记。")
            member = o.member
        else:
            member = _offer_member(user, member_id)
        studio = _offer_studio(member, studio_id) if studio_id not in (None, "") else None
        rec = _new_record(user, member=member, offer=o, booking=None, studio=studio, **data)
        record(user, "service_record", rec, after={"member": member.pk, **_plain(data)})
    return rec


def service_record_withdraw(*, user, record_id) -> ServiceRecord:
    """Withdraw a record made in error: its DutyRecord is voided; a booking it closed is accepted again."""
    with transaction.atomic():
        rec = load(ServiceRecord, user, record_id, message="未找到该服务记录。")
        if not r.can_act_for(user, rec):
            raise Forbidden("只能撤回本人的服务记录。")
        if rec.withdrawn:
            return rec
        rec.withdrawn = True
        rec.save(update_fields=["withdrawn"])
        uncredit(rec.member, A.PUBLIC_SERVICE, rec)
        if rec.booking_id:
            Booking.objects.filter(pk=rec.booking_id, status=B.DONE).update(status=B.ACCEPTED)
            # The booking is open again: a new record may be made for it.
            ServiceRecord.objects.filter(pk=rec.pk).update(booking=None)
        record(user, "service_record_withdraw", rec, after={"withdrawn": True})
    return rec


def _new_record(
    user, *, member, offer, booking, studio=None, served_on, summary, people_served
) -> ServiceRecord:
    rec = ServiceRecord.objects.create(
        organisation_id=member.organisation_id,
        member=member,
        offer=offer,
        studio=studio or (offer.studio if offer is not None else None),
        booking=booking,
        served_on=served_on,
        summary=summary,
        people_served=people_served,
        created_by=user,
    )
    credit(member, A.PUBLIC_SERVICE, rec, served_on)
    return rec


def _plain(data: dict) -> dict:
    return {k: str(v) if k == "served_on" else v for k, v in data.items()}


def _tell_member_if_office(user, b: Booking, what: str) -> None:
    if r.is_own(user, b):
        return
    member_user = Member.objects.select_related("user").get(pk=b.member_id).user
    notify(
        [member_user],
        f"办公室{what}：{b.offer.title}",
        b.answer,
        url=reverse("studios:booking", args=[b.pk]),
        category="studios",
    )


def public_organisation(code) -> Organisation:
    org = Organisation.objects.filter(code=str(code or ""), is_active=True).first()
    if org is None:
        raise NotFound("未找到该政协组织。")
    return org
