"""协商议事 (consultation): topic sourcing (选题), the year's plan, each consultation in one of eight forms,
the online hall (网络议政: threaded comments in a window, moderated), the outcome (协商成果) with numbered
recommendations that go to units through the handling spine (kind `consultation_recommendation`), leaders'
批示 and the standing members' 票评. Rules: docs/domain.md, "Consultation".

The contract's strings (API): Topic.Source, Consultation.Form, Consultation.Status, OutcomeVote.Rating.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from zhengxie.core.fields import EncryptedTextField
from zhengxie.core.models import Attachment, HandlingUnit, Organisation
from zhengxie.members.models import Member, SpecialCommittee
from zhengxie.opinions.models import LEVELS

USER = settings.AUTH_USER_MODEL


class TopicCall(models.Model):
    """An open call for topics (征集协商议题): while it runs, the public page takes topics from citizens."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    title = models.CharField("征集主题", max_length=100)
    description = models.TextField("说明", blank=True)
    opens_on = models.DateField("开始日期")
    closes_on = models.DateField("截止日期")
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "议题征集"
        verbose_name_plural = "议题征集"
        ordering = ["-opens_on", "-id"]
        indexes = [models.Index(fields=["organisation", "closes_on"], name="consult_call_idx")]

    def __str__(self):
        return self.title

    def is_open(self, day=None) -> bool:
        day = day or timezone.localdate()
        return self.opens_on <= day <= self.closes_on


class Topic(models.Model):
    """A candidate topic (候选议题) from one source; staff group and rank the candidates, the chair's meeting
    chooses (chosen → it can be put in the plan as a consultation)."""

    class Source(models.TextChoices):
        PARTY_GOV = "party_gov", "党政点题"
        MEMBER = "member", "委员荐题"
        RESEARCH = "research", "调研访题"
        PUBLIC = "public", "群众建言"

    class Status(models.TextChoices):
        CANDIDATE = "candidate", "候选"
        CHOSEN = "chosen", "已选定"
        NOT_CHOSEN = "not_chosen", "未选定"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    title = models.CharField("议题", max_length=100)
    reason = models.TextField("理由/说明", blank=True)
    source = models.CharField("来源", max_length=10, choices=Source.choices)
    # Who proposed it: a member (委员荐题), staff (党政点题 entered for the Party committee/government, 调研访题),
    # or a citizen through an open call (no account: an optional name and an encrypted phone).
    member = models.ForeignKey(Member, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    call = models.ForeignKey(
        TopicCall, on_delete=models.PROTECT, null=True, blank=True, related_name="topics"
    )
    citizen_name = models.CharField("群众姓名", max_length=40, blank=True)
    citizen_phone = EncryptedTextField("群众手机号码", blank=True)
    suggested_form = models.CharField("建议协商形式", max_length=20, blank=True)
    # Grouping (归类) and ranking (排序) by staff; the chair's meeting's decision.
    group_label = models.CharField("归类", max_length=50, blank=True)
    rank = models.PositiveIntegerField("排序", null=True, blank=True)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.CANDIDATE)
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)
    decided_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decision_note = models.CharField("决定说明", max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "协商议题"
        verbose_name_plural = "协商议题"
        ordering = ["year", "rank", "id"]
        indexes = [models.Index(fields=["organisation", "year", "status"], name="consult_topic_idx")]

    def __str__(self):
        return self.title


class Plan(models.Model):
    """The year's consultation plan (年度协商计划): its rows are the year's consultations with a planned
    month; the plan is approved (主席会议/党委审定) and then issued as an official .docx."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草拟中"
        APPROVED = "approved", "已审定"
        ISSUED = "issued", "已印发"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    title = models.CharField("标题", max_length=100)
    document_number = models.CharField("文号", max_length=50, blank=True)
    note = models.TextField("说明", blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    approved_at = models.DateTimeField("审定时间", null=True, blank=True)
    approved_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    issued_at = models.DateTimeField("印发时间", null=True, blank=True)
    issued_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "年度协商计划"
        verbose_name_plural = "年度协商计划"
        constraints = [models.UniqueConstraint(fields=["organisation", "year"], name="consult_plan_year")]

    def __str__(self):
        return self.title


class Consultation(models.Model):
    class Form(models.TextChoices):
        PLENARY = "plenary", "全体会议协商"
        STANDING_TOPIC = "standing_topic", "常委会专题协商"
        BIMONTHLY = "bimonthly", "双月协商座谈会"
        COUNTERPART = "counterpart", "对口协商"
        SECTOR = "sector", "界别协商"
        PROPOSAL_HANDLING = "proposal_handling", "提案办理协商"
        ONLINE = "online", "网络议政/远程协商"
        GRASSROOTS = "grassroots", "有事好商量"

    class Status(models.TextChoices):
        PLANNED = "planned", "计划中"
        OPEN = "open", "进行中"
        HELD = "held", "已召开"
        OUTCOME_SENT = "outcome_sent", "成果已报送"
        CLOSED = "closed", "已办结"

    # The committee (or, for 有事好商量, the 乡镇 liaison group) that holds it.
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    title = models.CharField("协商题目", max_length=200)
    form = models.CharField("协商形式", max_length=20, choices=Form.choices)
    topic = models.ForeignKey(
        Topic, on_delete=models.PROTECT, null=True, blank=True, related_name="consultations"
    )
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.PLANNED)
    planned_month = models.PositiveSmallIntegerField("计划月份", null=True, blank=True)
    lead_committee = models.ForeignKey(
        SpecialCommittee,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="牵头专委会",
    )
    leader = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="牵头领导"
    )
    departments = models.ManyToManyField(HandlingUnit, blank=True, related_name="+", verbose_name="参加部门")
    # 会前调研: the 视察/调研 topics done for this consultation (the research app's records).
    research_topics = models.ManyToManyField(
        "research.ResearchTopic", blank=True, related_name="consultations", verbose_name="会前调研课题"
    )
    studio = models.ForeignKey(
        "studios.Studio",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="委员工作室",
    )
    # The meeting itself goes through the meetings module (notice, leave, check-in, attendance).
    meeting = models.OneToOneField(
        "activities.Meeting", on_delete=models.PROTECT, null=True, blank=True, related_name="consultation"
    )
    research_note = models.TextField("会前调研", blank=True)
    background = models.TextField("背景材料", blank=True)
    held_on = models.DateField("协商日期", null=True, blank=True)
    minutes = models.TextField("会议纪要", blank=True)
    # The online hall (网络议政): comments are taken between opens_at and closes_at; `public` lets citizens
    # comment through the public channel (rate-limited, held for moderation).
    opens_at = models.DateTimeField("议政开始", null=True, blank=True)
    closes_at = models.DateTimeField("议政截止", null=True, blank=True)
    public = models.BooleanField("向群众开放", default=False)
    # Live counts of visible comments and of distinct commenters (kept by the hall's services).
    comment_count = models.PositiveIntegerField("留言数", default=0)
    participant_count = models.PositiveIntegerField("参与人数", default=0)
    # The last comment number given in this hall (Comment.number: 第N条 counts within the hall).
    comment_seq = models.PositiveIntegerField(default=0)
    # Staff's summary of the discussion, drafted from comments (Comment.used_in_summary credits authors).
    hall_summary = models.TextField("议政综述", blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "协商活动"
        verbose_name_plural = "协商活动"
        ordering = ["-year", "planned_month", "id"]
        indexes = [
            models.Index(fields=["organisation", "year", "form"], name="consult_year_idx"),
            models.Index(fields=["organisation", "status", "id"], name="consult_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_month__isnull=True) | Q(planned_month__gte=1, planned_month__lte=12),
                name="consult_month_range",
            ),
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True)
                | Q(closes_at__isnull=True)
                | Q(closes_at__gt=models.F("opens_at")),
                name="consult_window_order",
            ),
        ]

    def __str__(self):
        return self.title

    def hall_open(self, now=None) -> bool:
        now = now or timezone.now()
        return bool(self.opens_at and self.closes_at and self.opens_at <= now < self.closes_at)


class Segment(models.Model):
    """An agenda segment of the meeting (通报 → 提问 → 解答 → 发言) with who spoke; a written speech (书面发言)
    is uploaded as an attachment."""

    class Kind(models.TextChoices):
        BRIEFING = "briefing", "通报"
        QUESTION = "question", "提问"
        ANSWER = "answer", "解答"
        SPEECH = "speech", "发言"

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="segments")
    order = models.PositiveSmallIntegerField("顺序", default=0)
    kind = models.CharField("环节", max_length=10, choices=Kind.choices)
    member = models.ForeignKey(Member, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    speaker_label = models.CharField("发言人", max_length=100, blank=True)  # e.g. 县教育局局长 (not a member)
    title = models.CharField("题目", max_length=200, blank=True)
    content = models.TextField("内容", blank=True)
    written = models.BooleanField("书面发言", default=False)
    attachment = models.ForeignKey(
        Attachment, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "协商环节"
        verbose_name_plural = "协商环节"
        ordering = ["order", "id"]

    def __str__(self):
        # How a member's 履职档案 names the act: the consultation, the segment (书面发言 when written), its title.
        kind = "书面发言" if self.written else self.get_kind_display()
        return f"{self.consultation.title} · {kind}" + (f"：{self.title}" if self.title else "")


class Comment(models.Model):
    """A comment in the online hall. `root` is the thread's first comment (itself for a thread), so a page
    of threads and their replies is two indexed reads. A citizen's comment waits for moderation (pending);
    a hidden comment leaves every list and count but stays in the audit log."""

    class Status(models.TextChoices):
        VISIBLE = "visible", "已显示"
        PENDING = "pending", "待审核"
        HIDDEN = "hidden", "已隐藏"

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    root = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    author = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # How the author is shown: a member's name, "工作人员", or a citizen's chosen name ("网友").
    author_label = models.CharField("署名", max_length=40)
    is_public = models.BooleanField("群众留言", default=False)
    content = models.TextField("内容")
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.VISIBLE)
    pinned = models.BooleanField("置顶", default=False)
    hidden_reason = models.CharField("隐藏原因", max_length=200, blank=True)
    hidden_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    hidden_at = models.DateTimeField(null=True, blank=True)
    merged_into = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reply_count = models.PositiveIntegerField("回复数", default=0)  # on a thread's root: visible replies
    used_in_summary = models.BooleanField("采入综述", default=False)
    # 第N条 within the hall, given in order of posting (pending public comments take one too).
    number = models.PositiveIntegerField("序号", null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "议政留言"
        verbose_name_plural = "议政留言"
        ordering = ["id"]
        indexes = [
            # A page of visible threads, newest first (pinned first is a second, tiny read).
            models.Index(
                fields=["consultation", "id"],
                condition=Q(status="visible", parent__isnull=True),
                name="consult_thread_idx",
            ),
            # The replies of the threads on a page.
            models.Index(fields=["root", "id"], name="consult_reply_idx"),
            # Moderation queue and per-author counts (duty-point cap per topic).
            models.Index(fields=["consultation", "status", "id"], name="consult_comment_status_idx"),
            models.Index(fields=["consultation", "number"], name="consult_comment_number_idx"),
            models.Index(fields=["consultation", "author"], name="consult_comment_author_idx"),
        ]

    def __str__(self):
        return self.content[:30]


class Outcome(models.Model):
    """协商成果: the report with numbered recommendations, sent to the Party committee and government; the
    standing members' 票评 of how well it was adopted is valid only when more than half of them vote."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草拟中"
        SENT = "sent", "已报送"

    consultation = models.OneToOneField(Consultation, on_delete=models.PROTECT, related_name="outcome")
    title = models.CharField("成果标题", max_length=200)
    summary = models.TextField("成果综述")
    sent_to = models.CharField("报送对象", max_length=100, default="中共县委、县人民政府")
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.DRAFT)
    sent_at = models.DateTimeField("报送时间", null=True, blank=True)
    sent_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # 票评: open to the standing members until closed; the result is kept when it is closed.
    vote_open = models.BooleanField("票评进行中", default=False)
    vote_result = models.CharField("票评结果", max_length=8, blank=True)
    vote_valid = models.BooleanField("票评有效", null=True, blank=True)
    vote_closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "协商成果"
        verbose_name_plural = "协商成果"

    def __str__(self):
        return self.title


class Recommendation(models.Model):
    """A numbered recommendation of an outcome. Assigned to a unit it becomes a case of kind
    `consultation_recommendation` on the handling spine (inbox, lights, reply, rating by the office) and
    follows it (`status`); `adoption` is whether the Party committee/government took it up (成果转化)."""

    class Status(models.TextChoices):
        PENDING = "pending", "未交办"
        ROUTED = "routed", "办理中"
        REPLIED = "replied", "已答复"
        CLOSED = "closed", "已办结"

    class Adoption(models.TextChoices):
        NONE = "", "待确定"
        ADOPTED = "adopted", "已采纳"
        PARTLY = "partly", "部分采纳"
        NOT_ADOPTED = "not_adopted", "未采纳"

    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="recommendations")
    # Copied from the outcome's consultation for the yearly figures (one index, no join).
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    number = models.PositiveSmallIntegerField("序号")
    content = models.TextField("建议内容")
    unit = models.ForeignKey(HandlingUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    deadline = models.DateField("办理期限", null=True, blank=True)
    case = models.OneToOneField(
        "handling.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.PENDING)
    adoption = models.CharField("采纳情况", max_length=12, choices=Adoption.choices, blank=True)
    adoption_note = models.CharField("采纳说明", max_length=200, blank=True)
    adopted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "协商建议"
        verbose_name_plural = "协商建议"
        ordering = ["outcome", "number"]
        constraints = [
            models.UniqueConstraint(fields=["outcome", "number"], name="consult_rec_number"),
        ]
        indexes = [models.Index(fields=["organisation", "year", "adoption"], name="consult_rec_year_idx")]

    def __str__(self):
        return f"{self.number}. {self.content[:30]}"


class OutcomeVote(models.Model):
    """One standing member's 票评 of an outcome's adoption (once each)."""

    class Rating(models.TextChoices):
        GOOD = "good", "好"
        FAIR = "fair", "较好"
        AVERAGE = "average", "一般"
        POOR = "poor", "差"

    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="votes")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    rating = models.CharField("评价", max_length=8, choices=Rating.choices)
    voted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "成果票评"
        verbose_name_plural = "成果票评"
        constraints = [models.UniqueConstraint(fields=["outcome", "member"], name="consult_vote_once")]


class OutcomeInstruction(models.Model):
    """A leader's 批示 on an outcome (who, at which level, what, when), recorded by staff."""

    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="instructions")
    leader = models.CharField("批示领导", max_length=60)
    level = models.CharField("批示层级", max_length=10, choices=LEVELS, default="county")
    content = models.TextField("批示内容")
    given_on = models.DateField("批示日期")
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "成果批示"
        verbose_name_plural = "成果批示"
        ordering = ["given_on", "id"]
