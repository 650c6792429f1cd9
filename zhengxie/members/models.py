"""委员, 界别, 专委会, 党派, 届次/会次, and the roster imports."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from zhengxie.core.fields import EncryptedTextField
from zhengxie.core.models import Organisation


class Term(models.Model):
    """届次, e.g. 第十四届."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, verbose_name="所属政协")
    number = models.PositiveSmallIntegerField("届数")
    name = models.CharField("名称", max_length=40)
    start_date = models.DateField("开始日期")
    end_date = models.DateField("结束日期", null=True, blank=True)
    is_current = models.BooleanField("本届", default=False)

    class Meta:
        verbose_name = "届次"
        verbose_name_plural = "届次"
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "number"], name="unique_term_number"),
            models.UniqueConstraint(
                fields=["organisation"], condition=Q(is_current=True), name="one_current_term_per_org"
            ),
        ]

    def __str__(self):
        return self.name


class Session(models.Model):
    """会次, e.g. 第十四届第三次会议. Proposals are numbered per session."""

    term = models.ForeignKey(Term, on_delete=models.PROTECT, related_name="sessions", verbose_name="届次")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, verbose_name="所属政协")
    number = models.PositiveSmallIntegerField("会次")
    name = models.CharField("名称", max_length=60)
    year = models.PositiveSmallIntegerField("年度")
    start_date = models.DateField("大会开始")
    end_date = models.DateField("大会结束")
    proposal_deadline = models.DateField("大会提案截止", null=True, blank=True)
    is_current = models.BooleanField("当前会次", default=False)

    class Meta:
        verbose_name = "会次"
        verbose_name_plural = "会次"
        ordering = ["-year", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["term", "number"], name="unique_session_number"),
            models.UniqueConstraint(
                fields=["organisation"], condition=Q(is_current=True), name="one_current_session_per_org"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def full_name(self) -> str:
        """The session with its committee ("青川县政协 第九届第三次会议"): pickers list several committees'."""
        return f"{self.organisation.name} {self.name}"


class Sector(models.Model):
    """界别."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, verbose_name="所属政协")
    name = models.CharField("界别名称", max_length=40)
    order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "界别"
        verbose_name_plural = "界别"
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="unique_sector_name")]

    def __str__(self):
        return self.name


class SpecialCommittee(models.Model):
    """专委会."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, verbose_name="所属政协")
    name = models.CharField("专委会名称", max_length=60)
    order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "专门委员会"
        verbose_name_plural = "专门委员会"
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="unique_committee_name")]

    def __str__(self):
        return self.name


class Party(models.Model):
    """党派 (中共、民革 ... 无党派人士): one national list."""

    name = models.CharField("党派", max_length=40, unique=True)
    short_name = models.CharField("简称", max_length=20, blank=True)
    order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "党派"
        verbose_name_plural = "党派"
        ordering = ["order", "id"]

    def __str__(self):
        return self.short_name or self.name


class Member(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "在任"
        SUSPENDED = "suspended", "暂停"
        EXITED = "exited", "退出"
        # Decided on a duty warning case (performance.warning_cases): not active, so off every invitee
        # list, like the two above.
        ADVISED = "advised", "已劝辞"
        DEEMED = "deemed", "视为辞去"

    class Gender(models.TextChoices):
        MALE = "M", "男"
        FEMALE = "F", "女"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="member", verbose_name="账号"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, verbose_name="所属政协")
    term = models.ForeignKey(Term, on_delete=models.PROTECT, null=True, blank=True, verbose_name="届次")
    code = models.CharField("委员编号", max_length=20, blank=True)
    name = models.CharField("姓名", max_length=40, db_index=True)
    gender = models.CharField("性别", max_length=1, choices=Gender.choices)
    ethnicity = models.CharField("民族", max_length=20, default="汉族")
    birth_date = models.DateField("出生日期", null=True, blank=True)
    party = models.ForeignKey(Party, on_delete=models.PROTECT, null=True, blank=True, verbose_name="党派")
    sector = models.ForeignKey(Sector, on_delete=models.PROTECT, verbose_name="界别")
    committees = models.ManyToManyField(
        SpecialCommittee, blank=True, related_name="members", verbose_name="专委会"
    )
    liaison_group = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="liaison_members",
        verbose_name="乡镇联络组",
    )
    position = models.CharField("政协职务", max_length=40, blank=True, help_text="主席、副主席、常委、委员")
    is_standing = models.BooleanField("常委", default=False)
    # The term a member first served in: a member whose entry term is the current one is 新任 (new), which
    # the yearly figures need ("95%的新任委员接受了培训").
    entry_term_number = models.PositiveSmallIntegerField(
        "首次任委员届次",
        null=True,
        blank=True,
        help_text="如第九届首次当选填 9；与本届届数相同即为新任委员。",
    )
    employer = models.CharField("工作单位", max_length=100, blank=True)
    job_title = models.CharField("职务职称", max_length=100, blank=True)
    education = models.CharField("学历", max_length=20, blank=True)
    phone = models.CharField("手机号", max_length=20, blank=True)
    id_number = EncryptedTextField("身份证号", blank=True)
    address = EncryptedTextField("通讯地址", blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "委员"
        verbose_name_plural = "委员"
        ordering = ["sector__order", "id"]
        indexes = [models.Index(fields=["organisation", "status"])]

    def __str__(self):
        return self.name

    @property
    def is_new(self) -> bool:
        """新任委员: first served in the current term (needs `term` loaded)."""
        return (
            self.entry_term_number is not None
            and self.term_id is not None
            and (self.entry_term_number == self.term.number)
        )

    @property
    def masked_phone(self) -> str:
        p = self.phone or ""
        return p[:3] + "****" + p[-4:] if len(p) >= 11 else p

    @property
    def masked_id_number(self) -> str:
        v = self.id_number or ""
        return v[:6] + "********" + v[-4:] if len(v) >= 15 else ""


class RosterImport(models.Model):
    """One roster upload, checked and imported in the background (roster.run_roster_import); the page polls it.

    All rows or nothing: `errors` holds the row-by-row report when a row is wrong (nothing imported).
    The uploaded file is kept encrypted in `content` only until the task has read it.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "排队中"
        RUNNING = "running", "处理中"
        DONE = "done", "已导入"
        REJECTED = "rejected", "有误，未导入"
        FAILED = "failed", "失败"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name="操作人"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name="导入到"
    )
    filename = models.CharField("文件名", max_length=200, blank=True)
    content = models.BinaryField("文件内容（加密）", blank=True, default=b"")
    ip = models.GenericIPAddressField("IP", null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField("进度", default=0)
    stage = models.CharField("当前步骤", max_length=40, blank=True)
    total = models.PositiveIntegerField("行数", default=0)
    imported = models.PositiveIntegerField("导入人数", default=0)
    errors = models.JSONField("逐行错误", default=list, blank=True)
    error = models.TextField("失败原因", blank=True)
    created_at = models.DateTimeField("上传时间", default=timezone.now)
    # The worker's last sign of life (taken, progress): members.fail_stale_imports fails a running import
    # whose worker fell silent (killed) for EXPORT_STALE_MINUTES; its owner can run it again.
    updated_at = models.DateTimeField("最近进展", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    # The new accounts' initial passwords (Fernet-encrypted JSON), only for the importer's one download
    # and at most until `passwords_until`; then erased (roster.roster_passwords_download, jobs.py).
    passwords = models.BinaryField("初始密码（加密）", blank=True, default=b"")
    passwords_until = models.DateTimeField("初始密码保留至", null=True, blank=True)
    passwords_downloaded_at = models.DateTimeField("初始密码表下载时间", null=True, blank=True)

    class Meta:
        verbose_name = "委员名册导入"
        verbose_name_plural = "委员名册导入"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "created_at"])]

    def __str__(self):
        return f"{self.filename}（{self.get_status_display()}）"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.RUNNING)

    @property
    def passwords_available(self) -> bool:
        """The initial-password file can still be downloaded (once)."""
        return self.passwords_until is not None and self.passwords_until > timezone.now()


class AdminPasswordReset(models.Model):
    """三员分立: an administrator's password is reset only when one administrator asks and another approves;
    the new password goes to the account's own phone or e-mail, never to either administrator."""

    class Status(models.TextChoices):
        PENDING = "pending", "待批准"
        DONE = "done", "已重置"

    target = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name="管理员账号"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="申请人"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="批准人",
    )
    reason = models.CharField("原因", max_length=200, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField("申请时间", default=timezone.now)
    decided_at = models.DateTimeField("批准时间", null=True, blank=True)

    class Meta:
        verbose_name = "管理员密码重置申请"
        verbose_name_plural = "管理员密码重置申请"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["target"], condition=Q(status="pending"), name="one_pending_admin_reset"
            )
        ]


# --- 界别召集人, 委员小组, 履职承诺 (issue 15) --------------------------------------------------------------


class SectorConvener(models.Model):
    """界别召集人: a member of the sector who convenes it (one sector may have several)."""

    sector = models.ForeignKey(
        Sector, on_delete=models.CASCADE, related_name="conveners", verbose_name="界别"
    )
    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="convened_sectors", verbose_name="召集人"
    )
    created_at = models.DateTimeField("设立时间", default=timezone.now)

    class Meta:
        verbose_name = "界别召集人"
        verbose_name_plural = "界别召集人"
        ordering = ["sector__order", "sector_id", "id"]
        constraints = [models.UniqueConstraint(fields=["sector", "member"], name="unique_sector_convener")]

    def __str__(self):
        return f"{self.sector}召集人 {self.member}"


class MemberGroup(models.Model):
    """委员小组: a group inside a 专委会 (or, with no committee, a committee-wide group of the 政协) with a
    leader (组长) and members. Used as an invitee list, a ranking scope and a sender of collective proposals."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, verbose_name="所属政协")
    committee = models.ForeignKey(
        SpecialCommittee,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="groups",
        verbose_name="所属专委会",
    )
    name = models.CharField("小组名称", max_length=60)
    leader = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="led_groups", verbose_name="组长"
    )
    members = models.ManyToManyField(
        Member, through="GroupMembership", related_name="work_groups", verbose_name="成员"
    )
    order = models.PositiveIntegerField("排序", default=0)
    created_at = models.DateTimeField("设立时间", default=timezone.now)

    class Meta:
        verbose_name = "委员小组"
        verbose_name_plural = "委员小组"
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="unique_member_group_name")
        ]

    def __str__(self):
        return self.name

    @property
    def scope_label(self) -> str:
        return self.committee.name if self.committee_id else "全会"


class GroupMembership(models.Model):
    group = models.ForeignKey(MemberGroup, on_delete=models.CASCADE, related_name="memberships")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="group_memberships")

    class Meta:
        verbose_name = "小组成员"
        verbose_name_plural = "小组成员"
        constraints = [models.UniqueConstraint(fields=["group", "member"], name="unique_group_member")]
        indexes = [models.Index(fields=["member", "group"])]


class Pledge(models.Model):
    """履职承诺: a member's pledge for one year — free text and optional targets, set against the duty
    records of that year on the 一员一档 (performance.selectors.pledge_progress)."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="pledges", verbose_name="委员")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name="所属政协"
    )
    year = models.PositiveSmallIntegerField("年度")
    text = models.TextField("承诺内容", max_length=1000)
    target_proposals = models.PositiveSmallIntegerField("提交提案（件）", null=True, blank=True)
    target_activities = models.PositiveSmallIntegerField("参加会议活动（次）", null=True, blank=True)
    target_opinions = models.PositiveSmallIntegerField("报送社情民意（条）", null=True, blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="填写人"
    )
    created_at = models.DateTimeField("填写时间", default=timezone.now)
    updated_at = models.DateTimeField("修改时间", default=timezone.now)

    TARGETS = ("target_proposals", "target_activities", "target_opinions")

    class Meta:
        verbose_name = "履职承诺"
        verbose_name_plural = "履职承诺"
        ordering = ["-year", "member_id"]
        constraints = [models.UniqueConstraint(fields=["member", "year"], name="unique_pledge_year")]
        indexes = [models.Index(fields=["organisation", "year"])]

    def __str__(self):
        return f"{self.member} {self.year}年履职承诺"
