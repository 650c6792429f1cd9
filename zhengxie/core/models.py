"""Organisations, users and roles, audit log, notifications, attachments, numbering."""

from __future__ import annotations

import datetime
import hashlib
import secrets
import uuid
from functools import cached_property

from django.conf import settings
from django.contrib.auth.models import AbstractUser, Group
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from treebeard.mp_tree import MP_Node

from .fields import EncryptedTextField


class Role(models.TextChoices):
    """Role codes; each is a django Group of the same name."""

    MEMBER = "member", "委员"
    STAFF = "staff", "机关工作人员"
    LEADER = "leader", "领导"
    UNIT_HANDLER = "unit_handler", "承办单位经办人"
    UNIT_HEAD = "unit_head", "承办单位负责人"
    LIAISON = "liaison", "乡镇联络组"
    SYSADMIN = "sysadmin", "系统管理员"
    SECADMIN = "secadmin", "安全管理员"
    AUDITOR = "auditor", "审计管理员"


class Office(models.TextChoices):
    """Which office a staff member works in: decides their queues."""

    PROPOSAL = "proposal", "提案委员会/提案科"
    INFORMATION = "information", "信息科"
    GENERAL = "general", "办公室"
    COMMITTEE = "committee", "专委会办公室"


class Organisation(MP_Node):
    class Kind(models.TextChoices):
        PROVINCE = "province", "省政协"
        CITY = "city", "市政协"
        COUNTY = "county", "县(区)政协"
        LIAISON = "liaison", "乡镇(街道)联络组"

    name = models.CharField("名称", max_length=100)
    short_name = models.CharField("简称", max_length=40, blank=True)
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    code = models.CharField("编码", max_length=32, unique=True)
    region = models.CharField("行政区划", max_length=60, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    phone = models.CharField("电话", max_length=40, blank=True)
    # Per-organisation overrides of the domain defaults (deadlines, caps...); see core.orgsettings.
    settings = models.JSONField("设置", default=dict, blank=True)
    is_active = models.BooleanField("启用", default=True)

    node_order_by = ["code"]

    class Meta:
        verbose_name = "政协组织"
        verbose_name_plural = "政协组织"

    def __str__(self):
        return self.name

    @property
    def committee(self) -> Organisation:
        """The committee a liaison group belongs to (itself for a committee)."""
        return self.get_parent() if self.kind == self.Kind.LIAISON else self

    def subtree_q(self, field: str = "organisation") -> models.Q:
        """Q matching rows whose organisation lies in this organisation's subtree."""
        return models.Q(**{f"{field}__path__startswith": self.path})


class HandlingUnit(models.Model):
    """承办单位: a government department or body that handles assigned items."""

    class Kind(models.TextChoices):
        GOVERNMENT = "government", "政府部门"
        PARTY = "party", "党委部门"
        COURT = "court", "法院/检察院"
        ENTERPRISE = "enterprise", "企事业单位"
        PEOPLE = "people", "人民团体"
        TOWN = "town", "乡镇(街道)"
        OTHER = "other", "其他"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, verbose_name="所属政协")
    name = models.CharField("单位名称", max_length=100)
    short_name = models.CharField("简称", max_length=40, blank=True)
    kind = models.CharField("类型", max_length=16, choices=Kind.choices, default=Kind.GOVERNMENT)
    leader_name = models.CharField("负责人", max_length=40, blank=True)
    leader_phone = models.CharField("负责人电话", max_length=40, blank=True)
    phone = models.CharField("联系电话", max_length=40, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    order = models.PositiveIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "承办单位"
        verbose_name_plural = "承办单位"
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="unique_unit_name_per_org"),
        ]

    def __str__(self):
        return self.name


# A password set by an administrator (a new account, an import, a reset) must be changed at the first
# login: its change date is set to this day, and core.middleware.PasswordExpiryMiddleware sends the user
# to the change-password page whatever PASSWORD_EXPIRY_DAYS is.
MUST_CHANGE_PASSWORD_AT = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


class User(AbstractUser):
    name = models.CharField("姓名", max_length=40)
    phone = models.CharField("手机号", max_length=20, unique=True, null=True, blank=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, verbose_name="所属组织"
    )
    office = models.CharField("所在科室", max_length=16, choices=Office.choices, blank=True)
    # Offices this person also runs (in a small committee one person keeps 提案 and 信息 work).
    extra_offices = models.JSONField("兼管科室", default=list, blank=True)
    handling_unit = models.ForeignKey(
        HandlingUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="handlers",
        verbose_name="承办单位",
    )
    title = models.CharField("职务", max_length=60, blank=True)
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)

    REQUIRED_FIELDS = ["name"]

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self):
        return self.name or self.username

    @cached_property
    def role_codes(self) -> frozenset[str]:
        if not self.pk:
            return frozenset()
        if hasattr(self, "_prefetched_objects_cache") and "groups" in self._prefetched_objects_cache:
            return frozenset(g.name for g in self.groups.all())
        return frozenset(self.groups.values_list("name", flat=True))

    def has_role(self, *roles: str) -> bool:
        return self.is_authenticated and bool(self.role_codes.intersection(roles))

    @property
    def role_labels(self) -> list[str]:
        labels = dict(Role.choices)
        return [labels[c] for c in Role.values if c in self.role_codes]

    def set_roles(self, roles) -> None:
        groups = [Group.objects.get_or_create(name=r)[0] for r in roles]
        self.groups.set(groups)
        self.__dict__.pop("role_codes", None)

    def works_in(self, *offices: str) -> bool:
        """Whether the user's office, or one they also run, is one of these."""
        return self.office in offices or any(o in offices for o in (self.extra_offices or ()))

    @property
    def offices(self) -> set[str]:
        return ({self.office} if self.office else set()) | set(self.extra_offices or ())

    @property
    def masked_phone(self) -> str:
        p = self.phone or ""
        return p[:3] + "****" + p[-4:] if len(p) >= 11 else p


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("审计日志不可修改")

    def delete(self):
        raise PermissionError("审计日志不可删除")


class AuditEntry(models.Model):
    """Append-only. Database triggers refuse UPDATE and DELETE (migration 0002), REPLACE INTO over an
    existing entry (SQLite) and TRUNCATE (PostgreSQL) (migration 0006); a hash chain makes any change that
    gets past them visible to `manage.py audit_verify`."""

    created_at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    # No foreign-key constraint: the entry must outlive whatever it names.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name="操作人",
    )
    actor_name = models.CharField("操作人姓名", max_length=60, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name="所属组织",
    )
    action = models.CharField("操作", max_length=60, db_index=True)
    target_type = models.CharField("对象类型", max_length=60, blank=True)
    target_id = models.CharField("对象ID", max_length=40, blank=True)
    target_repr = models.CharField("对象", max_length=200, blank=True)
    before = models.JSONField("修改前", null=True, blank=True)
    after = models.JSONField("修改后", null=True, blank=True)
    ip = models.GenericIPAddressField("IP", null=True, blank=True)
    # sha256(previous entry's hash + this entry's canonical content): see core.auditchain, audit_verify.
    hash = models.CharField("链式校验值", max_length=64, null=True, blank=True, editable=False)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("审计日志不可修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("审计日志不可删除")


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    url = models.CharField("链接", max_length=300, blank=True)
    category = models.CharField("类别", max_length=40, blank=True)
    created_at = models.DateTimeField("时间", default=timezone.now)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)
    # The outbox: an email / SMS still owed for this message. Set in the action's own transaction, cleared
    # when the background task has sent it; core.jobs.retry_notifications enqueues what is left.
    email_pending = models.BooleanField(default=False)
    sms_pending = models.BooleanField(default=False)

    class Meta:
        verbose_name = "站内消息"
        verbose_name_plural = "站内消息"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "read_at"]),
            models.Index(
                fields=["created_at"],
                name="notification_pending_idx",
                condition=models.Q(email_pending=True) | models.Q(sms_pending=True),
            ),
        ]

    def __str__(self):
        return self.title


class Attachment(models.Model):
    """An uploaded file, attached to any object; served only through a permission check."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, null=True, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    target = GenericForeignKey("content_type", "object_id")
    purpose = models.CharField("用途", max_length=40, blank=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True)
    file = models.FileField(upload_to="uploads/%Y/%m/")
    original_name = models.CharField("文件名", max_length=200)
    mime_type = models.CharField("类型", max_length=100)
    size = models.PositiveIntegerField("大小")
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return self.original_name


class Counter(models.Model):
    """Gap-free numbering (e.g. proposal numbers per session); see core.numbering."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE)
    key = models.CharField(max_length=80)
    value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "key"], name="unique_counter")]


class DataVersion(models.Model):
    """The version of a kind of kept figures (core.datacache): a new random token after every committed
    write to the kind's tables; kept counts and statistics are stored under it."""

    kind = models.CharField(max_length=40, primary_key=True)
    token = models.CharField(max_length=32)


class ApiToken(models.Model):
    """Bearer token for the JSON API; only its hash is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)

    @staticmethod
    def hash(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, user, days: int = 7) -> str:
        key = secrets.token_urlsafe(32)
        cls.objects.create(
            user=user, key_hash=cls.hash(key), expires_at=timezone.now() + timezone.timedelta(days=days)
        )
        return key

    @classmethod
    def revoke_all(cls, user, reason: str, actor=None) -> int:
        """End every token of the user (password changed or reset, logout); audited when any existed."""
        n, _ = cls.objects.filter(user_id=user.pk).delete()
        if n:
            from . import audit

            audit.record(actor or user, "auth.token_revoke", user, after={"tokens": n, "reason": reason})
        return n


class ScheduledRun(models.Model):
    """One row per periodic job and period: the unique key lets only one scheduler run it."""

    job = models.CharField(max_length=80)
    period = models.CharField(max_length=60)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    result = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "period"], name="unique_job_period")]


class Export(models.Model):
    """A file built in the background (export, compilation, report); the page polls its progress."""

    class Status(models.TextChoices):
        PENDING = "pending", "排队中"
        RUNNING = "running", "生成中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, null=True)
    kind = models.CharField(max_length=60)
    title = models.CharField(max_length=200)
    params = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)
    file = models.FileField(upload_to="exports/%Y/%m/", blank=True)
    filename = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # The last sign of life of the worker building it (started, progress); core.jobs.fail_stale_exports
    # fails a running export whose worker fell silent (killed) for EXPORT_STALE_MINUTES.
    updated_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]


class IdempotencyKey(models.Model):
    """A POST answered under an `Idempotency-Key` header (core.idempotency): a retry with the same key
    gets the stored answer instead of creating a second object, a request with the same key but another
    `fingerprint` (method, path, query, canonical body) a 422. Kept 24 hours; status 0 while running."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    fingerprint = models.CharField(max_length=64, blank=True)
    status = models.PositiveSmallIntegerField(default=0)
    body = models.BinaryField(blank=True, default=b"")
    content_type = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="core_idempotency_user_key")]


class PasswordResetCode(models.Model):
    """忘记密码: one request for an SMS code (core.pwreset). A row is written for every request, whether
    or not the phone belongs to an account (`user` null), so the per-phone and per-address limits count
    the same either way; the phone, the address and the code are kept only as keyed hashes."""

    phone_hash = models.CharField(max_length=64, db_index=True)
    ip_hash = models.CharField(max_length=64, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    code_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)


__all__ = [
    "ApiToken",
    "Attachment",
    "AuditEntry",
    "ContentType",
    "Counter",
    "EncryptedTextField",
    "Export",
    "HandlingUnit",
    "IdempotencyKey",
    "Notification",
    "Office",
    "Organisation",
    "PasswordResetCode",
    "Role",
    "ScheduledRun",
    "User",
]
