"""会议/活动: notice, invitees, replies, leave requests with approval, check-in, attendance.

Rules follow shared/docs/domain.md, "Meetings and activities". Attendance becomes duty records only
through `zhengxie.performance.services.record_act` when a meeting is closed (see services.py).
"""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q

from zhengxie.core import orgsettings
from zhengxie.core.models import Organisation
from zhengxie.members.models import Member, SpecialCommittee

orgsettings.register("activities.checkin_before_minutes", 60, "会议签到：开始前多少分钟开放签到")
orgsettings.register("activities.checkin_after_minutes", 60, "会议签到：开始后多少分钟截止签到")
orgsettings.register("activities.checkin_code_minutes", 5, "签到二维码有效期(分钟)")
orgsettings.register("activities.remind_days", 2, "会前多少天提醒未回复的委员")


def new_secret() -> str:
    return secrets.token_urlsafe(16)


class Meeting(models.Model):
    class Kind(models.TextChoices):
        PLENARY = "plenary", "全体会议"
        STANDING = "standing", "常委会议"
        CHAIR = "chair", "主席会议"
        COMMITTEE = "committee", "专委会会议"
        SECTOR_ACTIVITY = "sector_activity", "界别活动"
        INSPECTION = "inspection", "视察"
        RESEARCH = "research", "调研"
        TRAINING = "training", "培训"
        LECTURE = "lecture", "委员讲堂"
        ONLINE_DUTY = "online_duty", "线上值班"
        FORUM = "forum", "政协论坛"
        BRIEFING = "briefing", "知情明政"
        CONSULTATION = "consultation", "协商会议"
        READING = "reading", "读书活动"

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        NOTIFIED = "notified", "已通知"
        CLOSED = "closed", "已结束"
        CANCELLED = "cancelled", "已取消"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, verbose_name="所属政协")
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    title = models.CharField("名称", max_length=200)
    starts_at = models.DateTimeField("开始时间", db_index=True)
    ends_at = models.DateTimeField("结束时间")
    place = models.CharField("地点", max_length=200, blank=True)
    agenda = models.TextField("议程/内容", blank=True)
    committee = models.ForeignKey(
        SpecialCommittee,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name="专委会",
    )
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="organised_meetings",
        verbose_name="组织人",
    )
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    # The check-in window, in minutes around the start (defaults: per-organisation settings).
    checkin_before_minutes = models.PositiveIntegerField("开始前开放签到(分钟)", default=60)
    checkin_after_minutes = models.PositiveIntegerField("开始后截止签到(分钟)", default=60)
    # Signs the on-site QR tokens; replacing it invalidates every code already shown.
    checkin_secret = models.CharField(max_length=40, default=new_secret, editable=False)
    notified_at = models.DateTimeField("通知时间", null=True, blank=True)
    closed_at = models.DateTimeField("结束时间(归档)", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="归档人",
    )
    cancel_reason = models.CharField("取消原因", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "会议活动"
        verbose_name_plural = "会议活动"
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["organisation", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gte=models.F("starts_at")), name="meeting_ends_after_start"
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def checkin_opens_at(self) -> datetime.datetime:
        return self.starts_at - datetime.timedelta(minutes=self.checkin_before_minutes)

    @property
    def checkin_closes_at(self) -> datetime.datetime:
        return self.starts_at + datetime.timedelta(minutes=self.checkin_after_minutes)

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.NOTIFIED)


class Invitation(models.Model):
    class Reply(models.TextChoices):
        PENDING = "pending", "待回复"
        ATTEND = "attend", "参加"
        LEAVE_REQUESTED = "leave_requested", "请假"

    class LeaveStatus(models.TextChoices):
        NONE = "", "—"
        PENDING = "pending", "待审批"
        APPROVED = "approved", "已准假"
        REFUSED = "refused", "未准假"

    class Attendance(models.TextChoices):
        UNKNOWN = "", "未签到"
        PRESENT = "present", "出席"
        ABSENT = "absent", "缺席"
        ON_LEAVE = "on_leave", "请假"

    class Method(models.TextChoices):
        NONE = "", "—"
        QR = "qr", "扫码签到"
        STAFF = "staff", "工作人员登记"

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="invitations", verbose_name="会议"
    )
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="invitations", verbose_name="委员"
    )
    reply = models.CharField("回复", max_length=16, choices=Reply.choices, default=Reply.PENDING)
    replied_at = models.DateTimeField("回复时间", null=True, blank=True)
    leave_reason = models.CharField("请假事由", max_length=300, blank=True)
    leave_status = models.CharField(
        "请假审批", max_length=10, choices=LeaveStatus.choices, blank=True, default=""
    )
    leave_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="审批人",
    )
    leave_decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    leave_decision_reason = models.CharField("审批意见", max_length=300, blank=True)
    attendance = models.CharField("出勤", max_length=10, choices=Attendance.choices, blank=True, default="")
    checked_in_at = models.DateTimeField("签到时间", null=True, blank=True)
    checkin_method = models.CharField(
        "签到方式", max_length=8, choices=Method.choices, blank=True, default=""
    )
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="登记人",
    )
    notified_at = models.DateTimeField("通知时间", null=True, blank=True)
    reminded_at = models.DateTimeField("提醒时间", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "参会邀请"
        verbose_name_plural = "参会邀请"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="unique_invitation_per_member"),
        ]
        indexes = [models.Index(fields=["meeting", "reply"]), models.Index(fields=["member", "meeting"])]

    def __str__(self):
        return f"{self.meeting} · {self.member}"
