"""社情民意信息 (opinions): a member's short report, the 信息科's edit and decision, the numbered issues
of 《社情民意》 that carry accepted items, forwarding to the organisation above, and what became of each
item: 采用 (adoption, by level) and 批示 (a leader's instruction, which may route a follow-up to a unit
through the handling spine).

A forwarded item is a copy in the receiving organisation (`root` names the first item, `forwarded_from`
the one it came from), so that every organisation works its own queue, edits and issues; the county reads
its copies' fate on its own item.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from zhengxie.core.models import HandlingUnit, Organisation
from zhengxie.members.models import Member
from zhengxie.search import registry as search_registry

LEVELS = [
    ("county", "县级"),
    ("city", "市级"),
    ("province", "省级"),
    ("national", "全国"),
]
LEVEL_RANK = {code: i for i, (code, _) in enumerate(LEVELS)}
LEVEL_LABELS = dict(LEVELS)


class Opinion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "暂存"
        SUBMITTED = "submitted", "已提交"
        RETURNED = "returned", "退回修改"
        ACCEPTED = "accepted", "已录用"
        FILED = "filed", "留存未录用"
        MERGED = "merged", "已合并"

    class Source(models.TextChoices):
        MEMBER = "member", "委员"
        PARTY = "party", "民主党派"
        SECTOR = "sector", "界别"
        COMMITTEE = "committee", "专委会"
        ORGANISATION = "organisation", "工商联/人民团体"
        OFFICER = "officer", "特邀信息员"
        STAFF = "staff", "机关"
        FORWARDED = "forwarded", "下级政协报送"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度", db_index=True)
    title = models.CharField("标题", max_length=200)
    content = models.TextField("正文")
    category = models.CharField("类别", max_length=20, blank=True)
    source = models.CharField("来源", max_length=16, choices=Source.choices, default=Source.MEMBER)
    # The body that reports when it is not a member alone (民盟县委会, 经济界 …).
    source_body = models.CharField("报送单位", max_length=100, blank=True)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.DRAFT)
    # Who wrote it on the platform (the member, or staff/信息员 on their behalf).
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    # The 信息科's edit (编辑): the published title (关于……的建议) and text; the original stays as written.
    edited_title = models.CharField("编辑后标题", max_length=200, blank=True)
    edited_content = models.TextField("编辑后正文", blank=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField("处理时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Why it was filed without use or returned (the author sees it).
    review_note = models.TextField("处理意见", blank=True)
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_items"
    )
    issue = models.ForeignKey(
        "OpinionIssue", on_delete=models.PROTECT, null=True, blank=True, related_name="items"
    )
    issue_order = models.PositiveSmallIntegerField("期内顺序", default=0)
    forwarded_from = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="forwarded_copies"
    )
    # The first item of its forwarding chain (itself for an item written here; set right after insert). An
    # adoption or 批示 recorded on any item of a chain counts for every organisation the chain passed.
    root = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    forwarded_at = models.DateTimeField("报送上级时间", null=True, blank=True)
    # A proposal turned 社情民意 at review (转社情民意信息).
    source_proposal = models.OneToOneField(
        "proposals.Proposal", on_delete=models.PROTECT, null=True, blank=True, related_name="opinion"
    )

    class Meta:
        verbose_name = "社情民意信息"
        verbose_name_plural = "社情民意信息"
        indexes = [
            # The 信息科 queue and the lists: an organisation's items by status, newest first.
            models.Index(fields=["organisation", "status", "year", "id"], name="opinion_queue_idx"),
            # A page of the staff's list (selectors._newest_per_committee): each committee's newest items,
            # read backwards by committee, the status checked in the index (PostgreSQL's INCLUDE).
            models.Index(fields=["organisation", "id"], include=["status"], name="opinion_org_recent_idx"),
            # The yearly figures (stats): counts by status, category and month of submission read this
            # index alone (no row is fetched).
            models.Index(
                fields=["organisation", "year", "status", "category", "submitted_at"],
                name="opinion_stats_idx",
            ),
            models.Index(fields=["root", "organisation"], name="opinion_root_idx"),
        ]

    def __str__(self):
        return self.display_title

    @property
    def display_title(self) -> str:
        return self.edited_title or self.title

    @property
    def display_content(self) -> str:
        return self.edited_content or self.content


class OpinionAuthor(models.Model):
    """A member credited with an item (the first one leads; a merge adds the merged items' authors)."""

    opinion = models.ForeignKey(Opinion, on_delete=models.CASCADE, related_name="authors")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="opinion_authorships")
    order = models.PositiveSmallIntegerField(default=0)
    # The item this credit came from (a merge keeps every author's credit on their own item).
    via_merge = models.ForeignKey(Opinion, on_delete=models.CASCADE, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = "信息作者"
        verbose_name_plural = "信息作者"
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["opinion", "member"], name="one_authorship_per_member"),
        ]
        indexes = [
            models.Index(fields=["member", "opinion"], name="opinion_author_member_idx"),
            # The yearly statistics count authorships per item without reading the rows (covering).
            models.Index(fields=["opinion", "member", "order", "via_merge"], name="opinion_author_cover_idx"),
        ]


class OpinionIssue(models.Model):
    """One numbered issue of 《社情民意》: a 专报 of one item or a 摘报 of several; number gap-free per
    organisation and year."""

    class Kind(models.TextChoices):
        SPECIAL = "special", "专报"
        DIGEST = "digest", "摘报"

    class Status(models.TextChoices):
        DRAFT = "draft", "编辑中"
        PUBLISHED = "published", "已印发"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    number = models.PositiveIntegerField("期号")
    kind = models.CharField("类型", max_length=10, choices=Kind.choices, default=Kind.SPECIAL)
    title = models.CharField("标题", max_length=200, blank=True)
    signer = models.CharField("签发人", max_length=40, blank=True)
    # To whom it goes (报：县委、县政府 …).
    recipients = models.CharField("报送", max_length=200, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField("印发时间", null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "《社情民意》期刊"
        verbose_name_plural = "《社情民意》期刊"
        ordering = ["-year", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year", "number"], name="one_issue_number"),
        ]

    def __str__(self):
        return f"《社情民意》{self.year}年第{self.number}期"

    @property
    def label(self) -> str:
        return f"{self.year}年第{self.number}期"


class Adoption(models.Model):
    """采用: which level adopted an item, how (alone or in a summary), by which body, when."""

    class UsedAs(models.TextChoices):
        SINGLE = "single", "单篇采用"
        SUMMARY = "summary", "综合采用"

    # The item it was recorded on, and its chain's first item (what the figures and duty points count).
    opinion = models.ForeignKey(Opinion, on_delete=models.CASCADE, related_name="adoptions")
    root = models.ForeignKey(Opinion, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    level = models.CharField("采用层级", max_length=10, choices=LEVELS)
    body = models.CharField("采用单位", max_length=100)
    used_as = models.CharField("采用方式", max_length=10, choices=UsedAs.choices, default=UsedAs.SINGLE)
    adopted_on = models.DateField("采用日期")
    year = models.PositiveSmallIntegerField("年度")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoke_reason = models.CharField("撤销理由", max_length=200, blank=True)

    class Meta:
        verbose_name = "采用情况"
        verbose_name_plural = "采用情况"
        ordering = ["adopted_on", "id"]
        indexes = [
            models.Index(
                fields=["year", "level", "root"],
                name="adoption_stats_idx",
                condition=Q(revoked_at__isnull=True),
            ),
            models.Index(fields=["root", "level"], name="adoption_root_idx"),
        ]

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None


class Instruction(models.Model):
    """批示: a leader's written instruction on an item; with a unit it routes a follow-up (批示落实) to that
    unit through the handling spine (`case`)."""

    opinion = models.ForeignKey(Opinion, on_delete=models.CASCADE, related_name="instructions")
    root = models.ForeignKey(Opinion, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    leader = models.CharField("批示领导", max_length=60)
    level = models.CharField("批示层级", max_length=10, choices=LEVELS)
    content = models.TextField("批示内容")
    instructed_on = models.DateField("批示日期")
    year = models.PositiveSmallIntegerField("年度")
    unit = models.ForeignKey(
        HandlingUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="落实单位",
    )
    deadline = models.DateField("落实期限", null=True, blank=True)
    case = models.OneToOneField(
        "handling.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="instruction"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "领导批示"
        verbose_name_plural = "领导批示"
        ordering = ["instructed_on", "id"]
        indexes = [models.Index(fields=["year", "root"], name="instruction_stats_idx")]

    def __str__(self):
        return f"{self.leader}批示（{self.instructed_on:%Y-%m-%d}）"


class OpinionEvent(models.Model):
    """The item's timeline (what the author and the office see, in order)."""

    opinion = models.ForeignKey(Opinion, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=30)
    label = models.CharField(max_length=200)
    detail = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]


def _search_documents():
    for o in Opinion.objects.exclude(status=Opinion.Status.DRAFT).iterator(chunk_size=1000):
        yield {
            "object_id": o.pk,
            "organisation_id": o.organisation_id,
            "title": o.display_title,
            "body": o.display_content,
            "year": o.year,
        }


search_registry.register("opinion", _search_documents)
