"""提案 from draft to 办结: proposals, signers, assignments to handling units, replies, evaluations.

Rules follow shared/docs/domain.md, "Proposals". Every number is a per-organisation setting (below).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from zhengxie.core import orgsettings
from zhengxie.core.models import Organisation
from zhengxie.handling.models import (  # noqa: F401  (the handling spine; re-exported for this app)
    Assignment,
    Case,
    Contact,
    Evaluation,
    Event,
    Extension,
    FollowUp,
    FollowUpReport,
    Reply,
)
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


def fill_session_copies(proposals) -> None:
    """Copy each proposal's session year and number onto it (`session_year`, `session_number`: the lists'
    order key, read from one index without joining the sessions), one query for the sessions not loaded."""
    missing = {p.session_id for p in proposals if p.session_id and not Proposal.session.is_cached(p)}
    loaded = {s.pk: s for s in Session.objects.filter(pk__in=missing)} if missing else {}
    for p in proposals:
        s = p.session if Proposal.session.is_cached(p) else loaded.get(p.session_id)
        if s is not None:
            p.session_year, p.session_number = s.year, s.number
            p._session_copied = s.pk


class ProposalQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        fill_session_copies(objs)
        return super().bulk_create(objs, *args, **kwargs)


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
    # Copies of the session's year and number, the lists' order key (newest session first), so a list of a
    # city's or the province's proposals pages from one index without joining the sessions
    # (proposal_order_idx). Kept by save() and bulk_create (fill_session_copies) and, when a session's year
    # or number changes, by receivers.session_saved.
    session_year = models.PositiveSmallIntegerField("会次年度", default=0, editable=False)
    session_number = models.PositiveSmallIntegerField("会次序号", default=0, editable=False)
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
    # The proposal's handling (交办 ... 办结) on the spine; made with the proposal (services.drafting).
    case = models.OneToOneField(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="proposal", editable=False
    )

    objects = ProposalQuerySet.as_manager()

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
            # "author": the staff's count (their subtree, not drafts unless their own) reads this index alone.
            models.Index(fields=["organisation", "session", "status", "author"], name="proposal_org_idx"),
            models.Index(fields=["session", "number"]),
            # The lists' default order (selectors.proposal_list): the page's ids are the first entries of this
            # index that pass the visibility filter (organisation, status, author read from the index), so a
            # city's or the province's first page reads a few hundred entries whatever the table's size.
            models.Index(
                fields=[
                    "-session_year",
                    "-session_number",
                    "number",
                    "-created_at",
                    "-id",
                    "organisation",
                    "status",
                    "author",
                ],
                name="proposal_order_idx",
            ),
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
                    # A unit user's lists filter on the case (selectors.visible_proposals: case_id IN
                    # the unit's assignments): PostgreSQL counts them from this index, not the rows.
                    "case",
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
                    # The on-time figure by category looks up each proposal's replies by case.
                    "case",
                ],
                name="proposal_stats_idx",
            ),
        ]

    def __str__(self):
        return f"第{self.number:04d}号 {self.title}" if self.number else self.title

    def save(self, *args, **kwargs):
        # The session copies follow the session: on creation and when the session changes (no query when the
        # session did not change, or is loaded).
        fields = kwargs.get("update_fields")
        if (
            "session_id" in self.__dict__
            and self.session_id
            and self.session_id != getattr(self, "_session_copied", None)
            and (fields is None or {"session", "session_id"} & set(fields))
        ):
            fill_session_copies([self])
            if fields is not None:
                kwargs["update_fields"] = {*fields, "session_year", "session_number"}
        super().save(*args, **kwargs)

    @classmethod
    def from_db(cls, db, field_names, values):
        obj = super().from_db(db, field_names, values)
        obj._session_copied = obj.__dict__.get("session_id")
        return obj

    @property
    def number_label(self) -> str:
        return f"第{self.number:04d}号" if self.number else "—"

    @property
    def reply_letter_title(self) -> str:
        """关于政协第十四届第三次会议第0012号提案的答复: the title the unit's reply letter (答复函) carries."""
        return f"关于政协{self.session.name}{self.number_label}提案的答复"

    # The case's rows, read through the proposal (prefetch them as "case__assignments" etc. with
    # select_related("case")); empty while the proposal has no case yet.
    def _case_rows(self, name):
        return getattr(self.case, name) if self.case_id else _EMPTY[name]()

    def case_cache(self) -> dict:
        """The case's prefetched rows ("case__assignments" …), {} when none were prefetched."""
        if not self.case_id or not Proposal.case.is_cached(self):
            return {}
        return getattr(self.case, "_prefetched_objects_cache", {})

    @property
    def active_assignments(self) -> list:
        """The active assignments, as lists prefetch them (selectors.list_prefetch), else read now."""
        if self.case_id and Proposal.case.is_cached(self) and hasattr(self.case, "active_assignments"):
            return self.case.active_assignments
        return [a for a in self.assignments.all() if a.is_active]

    assignments = property(lambda self: self._case_rows("assignments"))
    replies = property(lambda self: self._case_rows("replies"))
    evaluations = property(lambda self: self._case_rows("evaluations"))
    extensions = property(lambda self: self._case_rows("extensions"))
    events = property(lambda self: self._case_rows("events"))
    followups = property(lambda self: self._case_rows("followups"))

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.ASSIGNED, self.Status.HANDLING, self.Status.REHANDLING)


_EMPTY = {
    "assignments": Assignment.objects.none,
    "replies": Reply.objects.none,
    "evaluations": Evaluation.objects.none,
    "extensions": Extension.objects.none,
    "events": Event.objects.none,
    "followups": FollowUp.objects.none,
}


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


orgsettings.register("proposals.followup_classes", ["B"], "需跟踪落实的答复类别")
orgsettings.register("proposals.followup_report_days", 90, "跟踪落实进展报告周期(天，逾期未报则提醒)")


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
