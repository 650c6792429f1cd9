"""提案 from draft to 办结: proposals, signers, assignments to handling units, replies, evaluations.

Rules follow shared/docs/domain.md, "Proposals". Every number is a per-organisation setting (below).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from zhengxie.core import orgsettings
from zhengxie.core.models import Attachment, HandlingUnit, Organisation
from zhengxie.members.models import Member, Session
from zhengxie.search import registry as search_registry

orgsettings.register("proposals.review_days", 15, "立案审查时限(工作日)")
orgsettings.register("proposals.reply_days", 90, "办理答复期限(自交办起，天)")
orgsettings.register("proposals.max_extension_days", 180, "延期后最长办理期限(自交办起，天)")
orgsettings.register("proposals.co_opinion_days", 30, "会办单位提交会办意见期限(天)")
orgsettings.register("proposals.change_request_days", 10, "承办单位申请调整期限(自签收起，工作日)")
orgsettings.register("proposals.contact_days", 15, "承办单位联系提案人期限(自交办起，工作日)")
orgsettings.register("proposals.evaluation_days", 15, "提案人评价期限(工作日)")
orgsettings.register("proposals.rehandle_days", 30, "不满意重新办理期限(天)")
orgsettings.register("proposals.yellow_days", 15, "到期前多少天亮黄灯")
orgsettings.register("proposals.max_chars", 2500, "提案正文字数上限")
orgsettings.register("proposals.cosign_days", 7, "联名附议确认期限(天)")
orgsettings.register("proposals.acknowledge_days", 5, "承办单位签收期限(自交办起，工作日)")
orgsettings.register("proposals.holidays", [], "法定节假日(不计工作日，YYYY-MM-DD)")
orgsettings.register("proposals.extra_workdays", [], "调休上班日(周末计为工作日，YYYY-MM-DD)")
orgsettings.register(
    "proposals.categories",
    ["经济建设", "农业农村", "城乡建设", "资源环境", "科教文卫", "社会法制", "党派团体", "其他"],
    "提案类别",
)
orgsettings.register("proposals.result_classes", ["A", "B", "C"], "答复类别")
orgsettings.register(
    "proposals.reject_reasons",
    [
        "涉及党和国家秘密",
        "属于国家明令禁止的事项",
        "中共党员对党内组织或人事问题",
        "民主党派成员对本党派内部事务",
        "涉及诉讼或仲裁中的案件",
        "属于学术讨论",
        "个人或家庭问题",
        "宣传推介作品或产品",
        "指明举报",
        "内容空泛、无具体建议",
        "属于信访事项",
        "超出本级政府职权范围",
        "其他",
    ],
    "不予立案理由",
)


class Proposal(models.Model):
    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", "个人提案"
        JOINT = "joint", "联名提案"
        COLLECTIVE = "collective", "集体提案"

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        AWAITING_COSIGNERS = "awaiting_cosigners", "待附议"
        SUBMITTED = "submitted", "待审查"
        ACCEPTED = "accepted", "已立案"
        REJECTED = "rejected", "不予立案"
        CONVERTED = "converted", "已转办"
        MERGED = "merged", "已并案"
        ASSIGNED = "assigned", "已交办"
        HANDLING = "handling", "办理中"
        REPLIED = "replied", "已答复"
        REHANDLING = "rehandling", "重新办理"
        CLOSED = "closed", "已办结"

    class Light(models.TextChoices):
        GREEN = "green", "绿灯"
        YELLOW = "yellow", "黄灯"
        RED = "red", "红灯"

    class ConvertedTo(models.TextChoices):
        SUGGESTION = "suggestion", "转为意见建议"
        OPINION = "opinion", "转社情民意信息"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, verbose_name="所属政协")
    session = models.ForeignKey(
        Session, on_delete=models.PROTECT, related_name="proposals", verbose_name="会次"
    )
    number = models.PositiveIntegerField("案号", null=True, blank=True)
    title = models.CharField("案由", max_length=200)
    reasons = models.TextField("理由(案据)")
    suggestions = models.TextField("办法(建议)")
    category = models.CharField("类别", max_length=20)
    kind = models.CharField("类型", max_length=12, choices=Kind.choices, default=Kind.INDIVIDUAL)
    collective_body = models.CharField("提案单位(集体提案)", max_length=100, blank=True)
    research_note = models.TextField("调研情况", blank=True)
    during_plenary = models.BooleanField("大会提案", default=False)
    status = models.CharField(
        "状态", max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="authored_proposals",
        verbose_name="起草人",
    )
    lead_member = models.ForeignKey(
        Member,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_proposals",
        verbose_name="第一提案人",
    )
    # Review outcome
    reject_reason = models.CharField("不予立案理由", max_length=60, blank=True)
    review_note = models.TextField("审查意见", blank=True)
    converted_to = models.CharField("转办方式", max_length=12, choices=ConvertedTo.choices, blank=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_proposals",
        verbose_name="并入",
    )
    # Key / excellent
    is_key = models.BooleanField("重点提案", default=False, db_index=True)
    key_leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_key_proposals",
        verbose_name="领衔督办领导",
    )
    is_excellent = models.BooleanField("优秀提案", default=False)
    # Dates of the main nodes
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    accepted_at = models.DateTimeField("立案时间", null=True, blank=True)
    assigned_at = models.DateTimeField("交办时间", null=True, blank=True)
    deadline = models.DateField("办理期限", null=True, blank=True)
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    light = models.CharField("督办灯", max_length=6, choices=Light.choices, blank=True, db_index=True)
    rehandle_round = models.PositiveSmallIntegerField("办理轮次", default=1)

    class Meta:
        verbose_name = "提案"
        verbose_name_plural = "提案"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "number"], condition=Q(number__isnull=False), name="unique_proposal_number"
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "session", "status"]),
            models.Index(fields=["session", "number"]),
            models.Index(fields=["organisation", "category"]),
            # Lists read the ids of a page, and count what a user sees, from this index alone
            # (selectors.PagedQuerySet) instead of the rows with their long texts; "title" serves 案由 search.
            models.Index(
                fields=[
                    "session",
                    "number",
                    "-created_at",
                    "-id",
                    "organisation",
                    "status",
                    "author",
                    "title",
                ],
                name="proposal_list_idx",
            ),
            # The statistics of a session (stats.session_stats) count from this index alone.
            models.Index(
                fields=[
                    "session",
                    "status",
                    "organisation",
                    "category",
                    "light",
                    "is_key",
                    "is_excellent",
                    "rehandle_round",
                    "replied_at",
                    "id",
                ],
                name="proposal_stats_idx",
            ),
        ]
        permissions = [("manage_proposals", "管理提案")]

    def __str__(self):
        return f"第{self.number:04d}号 {self.title}" if self.number else self.title

    @property
    def number_label(self) -> str:
        return f"第{self.number:04d}号" if self.number else "—"

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.ASSIGNED, self.Status.HANDLING, self.Status.REHANDLING)


class Signer(models.Model):
    """Who signs a proposal: the lead proposer and co-signers (联名), each confirming 附议."""

    class Role(models.TextChoices):
        LEAD = "lead", "第一提案人"
        COSIGNER = "cosigner", "附议人"

    class Status(models.TextChoices):
        INVITED = "invited", "待确认"
        AGREED = "agreed", "已附议"
        DECLINED = "declined", "已拒绝"
        DROPPED = "dropped", "已移除"
        # 申请加入: a member asked to join (services/joining.py); never a signature until the first proposer agrees.
        REQUESTED = "requested", "申请加入"

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="signers")
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="signatures", verbose_name="委员"
    )
    role = models.CharField("身份", max_length=10, choices=Role.choices)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.INVITED)
    order = models.PositiveSmallIntegerField("排序", default=0)
    invited_at = models.DateTimeField(default=timezone.now)
    responded_at = models.DateTimeField(null=True, blank=True)
    # Set when this signature was carried over from a proposal merged into this one (并案: everyone keeps credit).
    via_merge = models.ForeignKey(
        Proposal, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "提案人"
        verbose_name_plural = "提案人"
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["proposal", "member"], name="unique_signer")]


class Assignment(models.Model):
    """交办: one handling unit's part in a proposal (主办 lead, 会办 co, or 分办 parallel)."""

    class Role(models.TextChoices):
        LEAD = "lead", "主办"
        CO = "co", "会办"
        PARALLEL = "parallel", "分办"

    class ChangeStatus(models.TextChoices):
        NONE = "", "—"
        PENDING = "pending", "申请调整待审"
        GRANTED = "granted", "已同意调整"
        REFUSED = "refused", "不同意调整"

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="assignments")
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
    # Copied from the proposal for the statistics of a session (reporting.sync keeps it right).
    session = models.ForeignKey(Session, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = "交办"
        verbose_name_plural = "交办"
        ordering = ["role", "id"]
        indexes = [
            models.Index(fields=["unit", "is_active"]),
            # The statistics by unit (stats.session_stats) read this index, not the rows.
            models.Index(fields=["session", "is_active", "role", "unit"], name="assignment_stats_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "unit"], condition=Q(is_active=True), name="unique_active_assignment"
            ),
            models.UniqueConstraint(
                fields=["proposal"], condition=Q(is_active=True, role="lead"), name="one_active_lead_unit"
            ),
        ]

    def __str__(self):
        return f"{self.unit}（{self.get_role_display()}）"


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
    """答复: the lead (or parallel) unit's written reply, with its class and signed letter."""

    class ResultClass(models.TextChoices):
        A = "A", "A类：所提问题已经解决或基本解决，或所提建议已被采纳"
        B = "B", "B类：正在解决或已列入计划逐步解决"
        C = "C", "C类：因条件限制或其他原因需留作参考"
        D = "D", "D类：留作参考"

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="replies")
    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="replies")
    result_class = models.CharField("答复类别", max_length=1, choices=ResultClass.choices)
    content = models.TextField("答复内容")
    letter = models.ForeignKey(
        Attachment, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="答复函"
    )
    round = models.PositiveSmallIntegerField("办理轮次", default=1)
    replied_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    replied_at = models.DateTimeField("答复时间", default=timezone.now)
    on_time = models.BooleanField("按期答复", default=True)
    # For the statistics of a session, without a join per row (reporting.sync keeps them right): the
    # proposal's session, the replying unit, and whether this is the unit's latest reply (a re-handling
    # reply replaces the one rated 不满意).
    session = models.ForeignKey(Session, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    unit = models.ForeignKey(HandlingUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    is_latest = models.BooleanField("最新答复", default=True)

    class Meta:
        verbose_name = "答复"
        verbose_name_plural = "答复"
        ordering = ["replied_at", "id"]
        # The statistics (stats.session_stats) read these indexes, not the rows.
        indexes = [
            models.Index(
                fields=["session", "is_latest", "unit", "result_class", "on_time"], name="reply_stats_idx"
            ),
            models.Index(fields=["proposal", "on_time"], name="reply_on_time_idx"),
        ]


class Evaluation(models.Model):
    """评价: each signer rates the reply; 不满意 sends the proposal back for re-handling."""

    class Rating(models.TextChoices):
        SATISFIED = "satisfied", "满意"
        BASICALLY_SATISFIED = "basically_satisfied", "基本满意"
        UNSATISFIED = "unsatisfied", "不满意"

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="evaluations")
    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, related_name="evaluations")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+", verbose_name="评价人")
    rating = models.CharField("评价", max_length=20, choices=Rating.choices)
    comment = models.TextField("意见", blank=True)
    # Staff may record the rating of a member who is not online; a unit never may.
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # For the statistics (reporting.sync keeps them right): session, category and the rated unit, and
    # whether the rated reply is still the unit's latest.
    session = models.ForeignKey(Session, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    unit = models.ForeignKey(HandlingUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    category = models.CharField("类别", max_length=20, blank=True)
    is_current = models.BooleanField("评价最新答复", default=True)

    class Meta:
        verbose_name = "评价"
        verbose_name_plural = "评价"
        constraints = [models.UniqueConstraint(fields=["reply", "member"], name="one_evaluation_per_reply")]
        indexes = [
            models.Index(
                fields=["session", "is_current", "unit", "category", "rating"], name="evaluation_stats_idx"
            )
        ]


class Extension(models.Model):
    """延期: a deadline moved, with the reason and who approved it."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="extensions")
    old_deadline = models.DateField()
    new_deadline = models.DateField()
    reason = models.TextField("延期理由")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)


class Event(models.Model):
    """The case timeline shown to everybody entitled: every node, who, when."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="events")
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
        indexes = [models.Index(fields=["proposal", "at"])]


# --- 跟踪落实: a B-class reply stays open for follow-up until the promised work is done -------------------

orgsettings.register("proposals.followup_classes", ["B"], "需跟踪落实的答复类别")
orgsettings.register("proposals.followup_report_days", 90, "跟踪落实进展报告周期(天，逾期未报则提醒)")


class FollowUp(models.Model):
    """跟踪落实 of one replying unit's part (its assignment): opened by a B-class reply, reported on by the
    unit, declared done by the unit and confirmed by the proposal office."""

    class Status(models.TextChoices):
        OPEN = "open", "落实中"
        REPORTED_DONE = "reported_done", "已报落实待确认"
        DONE = "done", "已落实"
        SUPERSEDED = "superseded", "已终止（改为其他类别答复）"

    ACTIVE = (Status.OPEN, Status.REPORTED_DONE)

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="followups")
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
                name="one_active_followup_per_assignment",
            ),
        ]
        indexes = [models.Index(fields=["status", "planned_date"], name="followup_status_idx")]

    def __str__(self):
        return f"跟踪落实：{self.proposal}"

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
        return self.followup.proposal.organisation


def _search_documents():
    """Every proposal as a search document (for `manage.py reindex_search`)."""
    for p in Proposal.objects.select_related("session").iterator(chunk_size=1000):
        yield {
            "object_id": p.pk,
            "organisation_id": p.organisation_id,
            "title": p.title,
            "body": f"{p.reasons}\n{p.suggestions}",
            "year": p.session.year,
        }


search_registry.register("proposal", _search_documents)
