"""委员工作室 (members' studios): a place where members meet the public, with its own QR code. Public
微建议 may be addressed to a studio; the studio's members answer them (the member on 线上值班 that day
first). The rota, the 为民服务超市 services and their bookings build on this model."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from zhengxie.core.fields import EncryptedTextField
from zhengxie.core.models import Organisation
from zhengxie.members.models import Member


class Studio(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    name = models.CharField("名称", max_length=100)
    place = models.CharField("地点", max_length=200, blank=True)
    opening_hours = models.CharField("开放时间", max_length=200, blank=True)
    contact_rules = models.TextField("联系方式与接待规则", blank=True)
    members = models.ManyToManyField(Member, related_name="studios", blank=True, verbose_name="入驻委员")
    active = models.BooleanField("启用", default=True)
    # 换班: when set, a swap both members agreed on waits for the 办公室's approval before the rota changes.
    swap_needs_approval = models.BooleanField("换班须经办公室批准", default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "委员工作室"
        verbose_name_plural = "委员工作室"
        ordering = ["organisation_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="studio_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class DutySlot(models.Model):
    """One day of 线上值班 (online duty) at a studio for one member: staff plan the rota a month at a
    time; the member on duty that day answers the studio's messages. A day that has passed (or that the
    member or staff mark done) becomes a DutyRecord (act ``studio_duty``); 缺岗 or a granted leave voids it."""

    class Status(models.TextChoices):
        PLANNED = "planned", "待值班"
        DONE = "done", "已值班"
        LEAVE_ASKED = "leave_asked", "请假待批"
        LEAVE = "leave", "已请假"
        ABSENT = "absent", "缺岗"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="duty_slots")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="duty_slots")
    day = models.DateField("值班日期")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.PLANNED)
    note = models.CharField("说明", max_length=200, blank=True)
    done_at = models.DateTimeField("确认时间", null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "线上值班"
        verbose_name_plural = "线上值班"
        ordering = ["day", "studio_id", "member_id"]
        constraints = [
            models.UniqueConstraint(fields=["studio", "member", "day"], name="dutyslot_unique_day"),
        ]
        indexes = [
            models.Index(fields=["studio", "day"], name="dutyslot_studio_day_idx"),
            models.Index(fields=["member", "day"], name="dutyslot_member_day_idx"),
            models.Index(fields=["organisation", "status", "day"], name="dutyslot_org_status_idx"),
        ]

    def __str__(self):
        return f"{self.studio_id} {self.day} {self.member_id}"


class DutySwap(models.Model):
    """换班: the member on a coming duty day asks another member of the same studio to take it; the other
    accepts or declines; where the studio's rule says so (`Studio.swap_needs_approval`) the 办公室 then
    approves or refuses. Once done, the slot is the other member's: the rota, who answers the studio's
    messages that day and the duty record of the done day follow it."""

    class Status(models.TextChoices):
        ASKED = "asked", "待对方确认"
        AGREED = "agreed", "待办公室批准"
        DONE = "done", "已换班"
        DECLINED = "declined", "对方已婉拒"
        REFUSED = "refused", "办公室未批准"
        CANCELLED = "cancelled", "已撤回"

    OPEN = ("asked", "agreed")

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    studio = models.ForeignKey(Studio, on_delete=models.CASCADE, related_name="swaps")
    slot = models.ForeignKey(DutySlot, on_delete=models.CASCADE, related_name="swaps")
    day = models.DateField("值班日期")  # a copy of slot.day: the lists sort and filter on it
    from_member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="swaps_asked")
    to_member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="swaps_offered")
    reason = models.CharField("换班原因", max_length=200, blank=True)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.ASKED)
    answer = models.CharField("答复", max_length=200, blank=True)  # a decline's or a refusal's reason
    answered_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "换班申请"
        verbose_name_plural = "换班申请"
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["slot"], condition=models.Q(status__in=("asked", "agreed")), name="dutyswap_one_open"
            ),
        ]
        indexes = [
            models.Index(fields=["studio", "status", "day"], name="dutyswap_studio_idx"),
            models.Index(fields=["to_member", "status"], name="dutyswap_to_idx"),
            models.Index(fields=["from_member", "status"], name="dutyswap_from_idx"),
            models.Index(fields=["organisation", "status"], name="dutyswap_org_idx"),
        ]

    def __str__(self):
        return f"{self.slot_id} {self.from_member_id}->{self.to_member_id}"


class ServiceOffer(models.Model):
    """A service a member offers in the 委员为民服务超市 (legal advice, a medical consultation ...)."""

    class Category(models.TextChoices):
        LEGAL = "legal", "法律咨询"
        HEALTH = "health", "医疗健康"
        EDUCATION = "education", "教育"
        EMPLOYMENT = "employment", "就业"
        OTHER = "other", "其他"

    class Mode(models.TextChoices):
        ONLINE = "online", "线上"
        OFFLINE = "offline", "线下"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="service_offers")
    studio = models.ForeignKey(
        Studio,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="offers",
        verbose_name="所在工作室",
    )
    category = models.CharField("类别", max_length=12, choices=Category.choices, default=Category.OTHER)
    title = models.CharField("服务名称", max_length=100)
    description = models.TextField("服务内容", blank=True)
    mode = models.CharField("方式", max_length=8, choices=Mode.choices, default=Mode.OFFLINE)
    available_times = models.CharField("可预约时间", max_length=200, blank=True)
    capacity = models.PositiveSmallIntegerField("同时接受预约数", default=5)
    active = models.BooleanField("上架", default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "为民服务项目"
        verbose_name_plural = "为民服务项目"
        ordering = ["organisation_id", "-id"]
        indexes = [
            models.Index(fields=["organisation", "active", "category"], name="offer_public_idx"),
        ]

    def __str__(self):
        return self.title


class Booking(models.Model):
    """A booking of a service by someone of the public, without an account. The unguessable `code` is how
    they follow it; the phone is encrypted and shown only to the member booked and to staff."""

    class Status(models.TextChoices):
        PENDING = "pending", "待受理"
        ACCEPTED = "accepted", "已接受"
        DECLINED = "declined", "已婉拒"
        DONE = "done", "已服务"
        CANCELLED = "cancelled", "已取消"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    offer = models.ForeignKey(ServiceOffer, on_delete=models.PROTECT, related_name="bookings")
    # A copy of offer.member: the member's to-do and lists read one index.
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="bookings")
    code = models.CharField("预约码", max_length=16, unique=True)
    name = models.CharField("称呼", max_length=40)
    phone = EncryptedTextField("手机号")
    preferred_time = models.CharField("希望时间", max_length=100, blank=True)
    note = models.TextField("需求说明", blank=True)
    consent = models.BooleanField("同意个人信息使用", default=False)
    # The citizen agreed to be told the member's answer by SMS on this phone number.
    sms_ok = models.BooleanField("同意短信告知受理结果", default=False)
    # The SMS still owed (the outbox): "accepted" or "declined", set with the answer in its transaction and
    # cleared once sent (studios.tasks.send_booking_sms_task; studios.retry_booking_sms sends what is left).
    sms_pending = models.CharField(max_length=12, blank=True, default="")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.PENDING)
    # The member's answer (the reason of a decline, or a note on an acceptance); the citizen sees it.
    answer = models.TextField("答复", blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "服务预约"
        verbose_name_plural = "服务预约"
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["member", "status"], name="booking_member_status_idx"),
            models.Index(fields=["organisation", "status", "created_at"], name="booking_org_idx"),
            models.Index(fields=["offer", "status"], name="booking_offer_status_idx"),
        ]

    def __str__(self):
        return self.code


class ServiceRecord(models.Model):
    """What a member did (为民服务): after a booking, or for people received at the studio without one.
    Each live record is a DutyRecord (act ``public_service``); withdrawing it voids that."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="service_records")
    offer = models.ForeignKey(
        ServiceOffer, on_delete=models.SET_NULL, null=True, blank=True, related_name="records"
    )
    studio = models.ForeignKey(
        Studio, on_delete=models.SET_NULL, null=True, blank=True, related_name="records"
    )
    booking = models.OneToOneField(
        Booking, on_delete=models.PROTECT, null=True, blank=True, related_name="record"
    )
    served_on = models.DateField("服务日期")
    summary = models.TextField("服务情况")
    people_served = models.PositiveIntegerField("服务人数", default=1)
    withdrawn = models.BooleanField("已撤回", default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "为民服务记录"
        verbose_name_plural = "为民服务记录"
        ordering = ["-served_on", "-id"]
        indexes = [
            models.Index(fields=["organisation", "served_on"], name="servicerecord_org_day_idx"),
            models.Index(fields=["member", "served_on"], name="servicerecord_member_idx"),
            models.Index(fields=["studio", "served_on"], name="servicerecord_studio_idx"),
        ]

    def __str__(self):
        return f"{self.member_id} {self.served_on}"
