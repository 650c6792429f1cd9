"""The handling spine (交办): every item routed to a handling unit — a proposal today; a 社情民意 follow-up,
a 微建议, a 整改 item, a consultation recommendation or a key task tomorrow — links to one Case. The case
carries the units' assignments (主办 / 会办 / 分办), their contacts with the proposer, replies, ratings,
extensions, follow-ups (跟踪落实) and the timeline. What differs per kind is registered once in kinds.py.

A module keeps the case's copy of its item (title, label, status, stage, deadline) right through
`services.case_sync`; the inbox, the 督办 board and the unit figures read cases and assignments only.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from zhengxie.core.models import Attachment, HandlingUnit, Organisation
from zhengxie.members.models import Member, Session


class Case(models.Model):
    """One routed item's handling. `kind` + `object_id` name the item (kinds.get(kind) knows how to show it)."""

    class Stage(models.TextChoices):
        PENDING = "pending", "待交办"
        HANDLING = "handling", "办理中"
        REPLIED = "replied", "已答复"
        CLOSED = "closed", "已办结"
        ENDED = "ended", "未交办结束"

    class Light(models.TextChoices):
        GREEN = "green", "绿灯"
        YELLOW = "yellow", "黄灯"
        RED = "red", "红灯"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("类型", max_length=30)
    object_id = models.PositiveBigIntegerField("事项编号")
    title = models.CharField("标题", max_length=200)
    label = models.CharField("编号", max_length=40, blank=True)
    status = models.CharField("事项状态", max_length=30, blank=True)
    stage = models.CharField("办理阶段", max_length=10, choices=Stage.choices, default=Stage.PENDING)
    category = models.CharField("类别", max_length=20, blank=True)
    session = models.ForeignKey(Session, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    assigned_at = models.DateTimeField("交办时间", null=True, blank=True)
    deadline = models.DateField("办理期限", null=True, blank=True)
    light = models.CharField("督办灯", max_length=6, choices=Light.choices, blank=True)
    round = models.PositiveSmallIntegerField("办理轮次", default=1)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "办理事项"
        verbose_name_plural = "办理事项"
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="one_case_per_item")]
        indexes = [
            # The 督办 board: open cases of an organisation by light and deadline.
            models.Index(fields=["stage", "organisation", "light", "deadline", "id"], name="case_board_idx"),
            models.Index(fields=["kind", "stage"], name="case_kind_idx"),
        ]

    def __str__(self):
        return f"{self.label} {self.title}".strip()

    @property
    def is_handling(self) -> bool:
        return self.stage == self.Stage.HANDLING


class Assignment(models.Model):
    """交办: one handling unit's part in a case (主办 lead, 会办 co, or 分办 parallel)."""

    class Role(models.TextChoices):
        LEAD = "lead", "主办"
        CO = "co", "会办"
        PARALLEL = "parallel", "分办"

    class ChangeStatus(models.TextChoices):
        NONE = "", "—"
        PENDING = "pending", "申请调整待审"
        GRANTED = "granted", "已同意调整"
        REFUSED = "refused", "不同意调整"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey(
        HandlingUnit, on_delete=models.PROTECT, related_name="assignments", verbose_name="承办单位"
    )
    role = models.CharField("办理方式", max_length=10, choices=Role.choices)
    assigned_at = models.DateTimeField("交办时间", default=timezone.now)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    deadline = models.DateField("办理期限")
    acknowledged_at = models.DateTimeField("签收时间", null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    change_status = models.CharField("调整申请", max_length=10, choices=ChangeStatus.choices, blank=True)
    change_reason = models.TextField("申请调整理由", blank=True)
    change_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    change_decision_note = models.TextField("调整审核意见", blank=True)
    co_opinion = models.TextField("会办意见", blank=True)
    co_opinion_at = models.DateTimeField("会办意见时间", null=True, blank=True)
    is_active = models.BooleanField("有效", default=True)
    batch = models.CharField("打包交办批次", max_length=40, blank=True)
    # The unit's reply draft waiting for its head's 签发 ("pending") or returned to the handler
    # ("returned"); "" when none (ReplyDraft holds it; the inbox and the to-dos read this copy).
    signoff = models.CharField("签发", max_length=10, blank=True, default="")
    # The unit still owes something on this case (the inbox reads this; services.case_sync keeps it right):
    # active, the case in handling, and for a replying unit no standing reply (none, or rated 不满意).
    owes = models.BooleanField("待办", default=False)
    # Copied from the case for the statistics of a session (services.case_sync keeps it right).
    session = models.ForeignKey(Session, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # Copied from the case so the 督办 board and the inbox read the owed rows alone (services.sync_copies
    # keeps them right, the lights' refresh the light): the kind, the light ("" when none) and the
    # organisation (empty until the first sync; such a row owes nothing yet).
    kind = models.CharField("类型", max_length=30, blank=True)
    light = models.CharField("督办灯", max_length=6, blank=True)
    # (No index of its own: the board's index holds it; one on the organisation alone would tempt SQLite's
    # planner into reading every assignment of the organisation.)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )

    class Meta:
        verbose_name = "交办"
        verbose_name_plural = "交办"
        ordering = ["role", "id"]
        indexes = [
            # A unit's assignments; and the per-unit figures (selectors.unit_figures) read it alone.
            models.Index(
                fields=["unit", "is_active", "role", "owes", "organisation"], name="h_assignment_unit_idx"
            ),
            # Only the owed rows (a small part of all, read by every screen of the spine). Each ends with
            # `owes` (true throughout) so that SQLite reads a query that names it from the index alone.
            # The unit inbox by deadline,
            models.Index(fields=["unit", "deadline", "id"], condition=Q(owes=True), name="h_owed_unit_idx"),
            # the inbox across units (staff) by deadline, and its count,
            models.Index(
                fields=["deadline", "id", "organisation", "owes"],
                condition=Q(owes=True),
                name="h_owed_deadline_idx",
            ),
            # and the 督办 board's counts (by unit, kind and light, in that order).
            models.Index(
                fields=["unit", "kind", "light", "organisation", "acknowledged_at", "owes"],
                condition=Q(owes=True),
                name="h_owed_board_idx",
            ),
            # The statistics by unit (proposals.stats.session_stats) read this index, not the rows.
            models.Index(fields=["session", "is_active", "role", "unit"], name="h_assignment_stats_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "unit"], condition=Q(is_active=True), name="h_unique_active_assignment"
            ),
            models.UniqueConstraint(
                fields=["case"], condition=Q(is_active=True, role="lead"), name="h_one_active_lead_unit"
            ),
        ]

    def __str__(self):
        return f"{self.unit}（{self.get_role_display()}）"


# How a case's units are listed: the lead (主办) first, then 分办, then 会办.
ROLE_ORDER = {Assignment.Role.LEAD: 0, Assignment.Role.PARALLEL: 1, Assignment.Role.CO: 2}


class Contact(models.Model):
    """沟通协商: the unit's recorded contact with the proposer before replying."""

    class Method(models.TextChoices):
        VISIT = "visit", "走访面商"
        MEETING = "meeting", "座谈会"
        PHONE = "phone", "电话沟通"
        ONLINE = "online", "网络沟通"

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="contacts")
    contacted_on = models.DateField("联系日期")
    method = models.CharField("方式", max_length=10, choices=Method.choices)
    summary = models.TextField("沟通情况")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["contacted_on", "id"]


class Reply(models.Model):
    """答复: a replying unit's written reply, with its class (where the kind uses classes) and signed letter."""

    class ResultClass(models.TextChoices):
        A = "A", "A类：所提问题已经解决或基本解决，或所提建议已被采纳"
        B = "B", "B类：正在解决或已列入计划逐步解决"
        C = "C", "C类：因条件限制或其他原因需留作参考"
        D = "D", "D类：留作参考"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="replies")
    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="replies")
    result_class = models.CharField("答复类别", max_length=1, choices=ResultClass.choices, blank=True)
    content = models.TextField("答复内容")
    letter = models.ForeignKey(
        Attachment, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="答复函"
    )
    # Several files with one reply where the kind says so (Kind.reply_file_many: 整改佐证 photos and papers).
    files = models.ManyToManyField(Attachment, blank=True, related_name="+", verbose_name="答复附件")
    round = models.PositiveSmallIntegerField("办理轮次", default=1)
    replied_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    replied_at = models.DateTimeField("答复时间", default=timezone.now)
    on_time = models.BooleanField("按期答复", default=True)
    # 签发: the unit head who signed the letter off and when (set when `<prefix>.head_signoff` made the
    # reply wait for the head, or the head replied directly; empty otherwise).
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_at = models.DateTimeField("签发时间", null=True, blank=True)
    # For statistics without a join per row (services.case_sync keeps them right): the case's session, the
    # replying unit, and whether this is the unit's latest reply (a re-handling reply replaces the one
    # rated 不满意).
    session = models.ForeignKey(Session, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    unit = models.ForeignKey(HandlingUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    is_latest = models.BooleanField("最新答复", default=True)
    # The case's organisation, for the per-unit figures of a subtree (no index of its own: h_reply_unit_idx).
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )

    class Meta:
        verbose_name = "答复"
        verbose_name_plural = "答复"
        ordering = ["replied_at", "id"]
        indexes = [
            models.Index(
                fields=["session", "is_latest", "unit", "result_class", "on_time"], name="h_reply_stats_idx"
            ),
            models.Index(fields=["case", "on_time"], name="h_reply_on_time_idx"),
            # Per-unit figures across kinds (selectors.unit_figures), read from the index alone.
            models.Index(
                fields=["unit", "is_latest", "on_time", "round", "organisation"], name="h_reply_unit_idx"
            ),
        ]


class ReplyDraft(models.Model):
    """答复稿: with the kind's setting `<prefix>.head_signoff` on, a handler's reply waits here for the
    unit head (负责人), who signs it off (签发: it becomes the Reply, sent as a direct reply is) or returns it
    with a reason (the handler edits and submits it again: the same row). One open draft per assignment."""

    class Status(models.TextChoices):
        PENDING = "pending", "待签发"
        RETURNED = "returned", "已退回修改"
        SIGNED = "signed", "已签发"

    OPEN = (Status.PENDING, Status.RETURNED)

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="drafts")
    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="drafts")
    round = models.PositiveSmallIntegerField("办理轮次", default=1)
    result_class = models.CharField("答复类别", max_length=1, blank=True)
    content = models.TextField("答复内容")
    letter = models.ForeignKey(
        Attachment, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="答复函"
    )
    files = models.ManyToManyField(Attachment, blank=True, related_name="+", verbose_name="答复附件")
    status = models.CharField("签发状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    drafted_at = models.DateTimeField("提交签发时间", default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField("签发/退回时间", null=True, blank=True)
    return_reason = models.TextField("退回理由", blank=True)
    reply = models.ForeignKey(Reply, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = "答复稿"
        verbose_name_plural = "答复稿"
        ordering = ["drafted_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment"],
                condition=Q(status__in=["pending", "returned"]),
                name="h_one_open_draft",
            ),
        ]

    @property
    def organisation(self):
        return self.case.organisation


class Evaluation(models.Model):
    """评价: whoever the kind lets rate a reply — each proposer, a citizen with a tracking code, a
    supervision group — rates it here: `member` when the rater is a member (one rating per member and
    reply), else `rater_key` names the rater ("citizen:AB12CD", "group:3"; one rating per key and reply). 不满意 sends the unit back (kinds: on_unsatisfied)."""

    class Rating(models.TextChoices):
        SATISFIED = "satisfied", "满意"
        BASICALLY_SATISFIED = "basically_satisfied", "基本满意"
        UNSATISFIED = "unsatisfied", "不满意"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="evaluations")
    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, related_name="evaluations")
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="评价人"
    )
    rater_key = models.CharField("评价人标识", max_length=60, blank=True)
    rater_label = models.CharField("评价人", max_length=100, blank=True)
    rating = models.CharField("评价", max_length=20, choices=Rating.choices)
    comment = models.TextField("意见", blank=True)
    # Staff may record the rating of a member who is not online; a unit never may.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # For the statistics (services.case_sync keeps them right): session, category and the rated unit, and
    # whether the rated reply is still the unit's latest.
    session = models.ForeignKey(Session, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    unit = models.ForeignKey(HandlingUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    category = models.CharField("类别", max_length=20, blank=True)
    is_current = models.BooleanField("评价最新答复", default=True)
    # The case's organisation, for the per-unit figures of a subtree (in h_evaluation_unit_idx).
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )

    class Meta:
        verbose_name = "评价"
        verbose_name_plural = "评价"
        constraints = [
            models.UniqueConstraint(
                fields=["reply", "member"], condition=Q(member__isnull=False), name="h_one_rating_per_member"
            ),
            models.UniqueConstraint(
                fields=["reply", "rater_key"], condition=~Q(rater_key=""), name="h_one_rating_per_rater"
            ),
        ]
        indexes = [
            models.Index(
                fields=["session", "is_current", "unit", "category", "rating"], name="h_evaluation_stats_idx"
            ),
            models.Index(
                fields=["unit", "is_current", "rating", "organisation"], name="h_evaluation_unit_idx"
            ),
        ]


class Extension(models.Model):
    """延期: a deadline moved, with the reason and who approved it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="extensions")
    old_deadline = models.DateField()
    new_deadline = models.DateField()
    reason = models.TextField("延期理由")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)


class Event(models.Model):
    """The case timeline shown to everybody entitled: every node, who, when."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=100, blank=True)
    action = models.CharField(max_length=40)
    label = models.CharField(max_length=200)
    detail = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"])]


class FollowUp(models.Model):
    """跟踪落实 of one replying unit's part (its assignment): opened by a reply of a follow-up class (B by
    default), reported on by the unit, declared done by the unit and confirmed by the office."""

    class Status(models.TextChoices):
        OPEN = "open", "落实中"
        REPORTED_DONE = "reported_done", "已报落实待确认"
        DONE = "done", "已落实"
        SUPERSEDED = "superseded", "已终止"

    ACTIVE = (Status.OPEN, Status.REPORTED_DONE)

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="followups")
    assignment = models.ForeignKey(
        Assignment, on_delete=models.PROTECT, related_name="followups", verbose_name="承办单位"
    )
    reply = models.ForeignKey(Reply, on_delete=models.PROTECT, related_name="+", verbose_name="答复")
    status = models.CharField("落实状态", max_length=16, choices=Status.choices, default=Status.OPEN)
    planned_date = models.DateField("计划完成时间", null=True, blank=True)
    opened_at = models.DateTimeField("开始跟踪时间", default=timezone.now)
    last_report_at = models.DateTimeField("最近报告时间", null=True, blank=True)
    done_at = models.DateTimeField("报告落实时间", null=True, blank=True)
    confirmed_at = models.DateTimeField("确认办结落实时间", null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="确认人",
    )
    returned_reason = models.TextField("退回理由", blank=True)
    # Why it ended (已终止): the unit's next reply was of another class, or its reply was rated 不满意 and
    # sent back to re-handle (domain.md, "Follow-up").
    end_reason = models.CharField("终止原因", max_length=100, blank=True)
    # The scheduler reminds at most once per report period; a report clears it.
    reminded_on = models.DateField("最近提醒日期", null=True, blank=True)

    class Meta:
        verbose_name = "跟踪落实"
        verbose_name_plural = "跟踪落实"
        ordering = ["opened_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment"],
                condition=Q(status__in=["open", "reported_done"]),
                name="h_one_active_followup",
            ),
        ]
        indexes = [models.Index(fields=["status", "planned_date"], name="h_followup_status_idx")]

    def __str__(self):
        return f"跟踪落实：{self.case}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def overdue(self) -> bool:
        """The planned date has passed and the unit has not reported the work done."""
        return (
            self.status == self.Status.OPEN
            and self.planned_date is not None
            and self.planned_date < timezone.localdate()
        )


class FollowUpReport(models.Model):
    """进展情况: one progress report of the unit; is_final when it declares the work done (已落实)."""

    followup = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="reports")
    content = models.TextField("进展情况")
    attachment = models.ForeignKey(
        Attachment, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="附件"
    )
    is_final = models.BooleanField("报告已落实", default=False)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("报告时间", default=timezone.now)

    class Meta:
        verbose_name = "落实进展"
        verbose_name_plural = "落实进展"
        ordering = ["at", "id"]

    @property
    def organisation(self):
        return self.followup.case.organisation
