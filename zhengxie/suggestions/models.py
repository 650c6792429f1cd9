"""微建议 from the public (群众): a citizen without an account leaves a short suggestion on a page reached by
QR code and gets an unguessable tracking code; the 办公室 of the organisation moderates it (accept, or
reject as spam / out of scope / duplicate with a reason the citizen sees), routes it to a handling unit
(a case of kind `public_suggestion` on the handling spine: the unit's one inbox, lights, reply, rating)
or to a 委员工作室 (its members answer on their own page), and may publish the answer.

`status` is the public contract's: received → accepted → routed → replied → closed, or rejected; staff also see merged (合并办理, merged_into). When
routed to a unit the case carries the handling and the item follows it (the kind's on_step): the unit's reply
is copied here (`reply_*`), so the public pages read one row.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from zhengxie.core.fields import EncryptedTextField
from zhengxie.core.models import Organisation
from zhengxie.search import registry as search_registry

# Base32-like, without the letters and digits people confuse when typing (0/O, 1/I/L).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10  # 31**10 ≈ 8e14: not guessable at the rate limit


def new_tracking_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


class Suggestion(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received", "待审核"
        REJECTED = "rejected", "不予受理"
        ACCEPTED = "accepted", "已受理"
        ROUTED = "routed", "办理中"
        REPLIED = "replied", "已答复"
        CLOSED = "closed", "已办结"
        # 合并办理 (issue 17): a near-duplicate that follows another suggestion (merged_into). Staff see this
        # status; the citizen's tracking code shows the main suggestion's status and answer instead.
        MERGED = "merged", "已合并办理"

    class RejectCategory(models.TextChoices):
        SPAM = "spam", "无效信息"
        OUT_OF_SCOPE = "out_of_scope", "不属于受理范围"
        DUPLICATE = "duplicate", "重复提交"

    class RoutedTo(models.TextChoices):
        NONE = "", "—"
        UNIT = "unit", "承办单位"
        STUDIO = "studio", "委员工作室"

    class Rating(models.TextChoices):
        # The same strings as handling.Evaluation.Rating (the API's contract).
        SATISFIED = "satisfied", "满意"
        BASICALLY_SATISFIED = "basically_satisfied", "基本满意"
        UNSATISFIED = "unsatisfied", "不满意"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    # The studio the citizen addressed (its QR page), or the one the office routed it to.
    studio = models.ForeignKey(
        "studios.Studio", on_delete=models.PROTECT, null=True, blank=True, related_name="suggestions"
    )
    tracking_code = models.CharField("查询码", max_length=16, unique=True, default=new_tracking_code)
    title = models.CharField("标题", max_length=100)
    content = models.TextField("内容")
    name = models.CharField("姓名", max_length=40, blank=True)
    phone = EncryptedTextField("手机号码", blank=True)
    consent = models.BooleanField("同意个人信息处理", default=False)
    consent_to_call = models.BooleanField("同意电话联系", default=False)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.RECEIVED)
    created_at = models.DateTimeField("提交时间", default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # Moderation (审核).
    moderated_at = models.DateTimeField("审核时间", null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reject_category = models.CharField(
        "不予受理类别", max_length=16, choices=RejectCategory.choices, blank=True
    )
    reject_reason = models.TextField("不予受理理由", blank=True)  # the citizen reads it
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="重复于"
    )
    # 合并办理: the suggestion this one follows (its progress and answer are the citizen's too).
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_items",
        verbose_name="合并到",
    )
    # Routing (交办).
    routed_to = models.CharField("交办对象", max_length=6, choices=RoutedTo.choices, blank=True)
    routed_at = models.DateTimeField("交办时间", null=True, blank=True)
    routed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    deadline = models.DateField("答复期限", null=True, blank=True)
    # Who it went to (the unit or studio name), for lists that should not join the case's assignments.
    routed_label = models.CharField("交办给", max_length=100, blank=True)
    case = models.OneToOneField(
        "handling.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The answer (the unit's latest reply, copied from the case; or the studio member's).
    reply_content = models.TextField("答复内容", blank=True)
    reply_by_label = models.CharField("答复单位", max_length=100, blank=True)
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reply_on_time = models.BooleanField("按期答复", null=True, blank=True)
    # The citizen's rating (a copy of the case's evaluation when a unit answered).
    rating = models.CharField("评价", max_length=20, choices=Rating.choices, blank=True)
    rating_comment = models.TextField("评价意见", blank=True)
    rated_at = models.DateTimeField("评价时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    # Publication on the public page (never any personal data).
    published = models.BooleanField("已公开", default=False)
    published_answer = models.TextField("公开的答复", blank=True)
    published_at = models.DateTimeField("公开时间", null=True, blank=True)

    class Meta:
        verbose_name = "微建议"
        verbose_name_plural = "微建议"
        indexes = [
            # The moderation queue: an organisation's items (by status), newest first.
            models.Index(fields=["organisation", "status", "id"], name="sugg_queue_idx"),
            models.Index(fields=["organisation", "id"], name="sugg_org_idx"),
            # The queue filtered by one status across the organisation's subtree (the scope is a join on
            # the organisation's path): newest first without sorting all the status's rows (SQLite
            # otherwise reads sugg_queue_idx per organisation and sorts: 85 ms at 100,000, bench/public_bench.py).
            models.Index(fields=["status", "id"], name="sugg_status_idx"),
            # The yearly figures: an organisation's items by submission time and status.
            models.Index(fields=["organisation", "created_at", "status"], name="sugg_stats_idx"),
            # A studio's items (its members' page).
            models.Index(fields=["studio", "status", "id"], name="sugg_studio_idx"),
            # The public list of published answers.
            models.Index(
                fields=["organisation", "published_at", "id"],
                condition=Q(published=True),
                name="sugg_published_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_late(self) -> bool:
        """Still waiting for its answer after the deadline (the lists and the item page say 已逾期)."""
        return (
            self.status == self.Status.ROUTED and bool(self.deadline) and self.deadline < timezone.localdate()
        )

    @property
    def masked_phone(self) -> str:
        p = self.phone or ""
        return p[:3] + "****" + p[-4:] if len(p) >= 11 else ("****" if p else "")


class Photo(models.Model):
    """A photo the citizen attached (PNG/JPEG, checked by its content), served only to those who may see
    the suggestion."""

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to="suggestions/%Y/%m/")
    mime_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "微建议照片"
        verbose_name_plural = "微建议照片"
        ordering = ["id"]


class Event(models.Model):
    """The suggestion's timeline (提交, 审核, 交办, 答复, 评价, 公开 …); the unit's steps are on its case."""

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=100, blank=True)
    action = models.CharField(max_length=20)
    label = models.CharField(max_length=200)
    detail = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["suggestion", "at"], name="sugg_event_idx")]


def _published_documents():
    """The published suggestions, for `manage.py reindex_search` (kind `public_answer`)."""
    from .services import published_document

    for s in Suggestion.objects.filter(published=True).iterator(chunk_size=1000):
        yield published_document(s)


search_registry.register("public_answer", _published_documents)


def _search_documents():
    """What `manage.py reindex_search` indexes for 微建议 (kind "suggestion"): every suggestion."""
    for s in Suggestion.objects.only("pk", "organisation_id", "title", "content", "created_at").iterator(
        chunk_size=1000
    ):
        yield {
            "object_id": s.pk,
            "organisation_id": s.organisation_id,
            "title": s.title,
            "body": s.content,
            "year": s.created_at.year,
        }


search_registry.register("suggestion", _search_documents)
