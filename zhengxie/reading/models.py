"""书香政协: the committee's recommended books and what members read (打卡) and wrote about them (读书笔记).
Reading activities themselves are meetings of kind `reading` (activities)."""

from django.db import models

from zhengxie.core.models import Organisation, User
from zhengxie.members.models import Member


class Book(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, verbose_name="所属政协")
    year = models.PositiveSmallIntegerField("推荐年度", db_index=True)
    title = models.CharField("书名", max_length=120)
    author = models.CharField("作者", max_length=80, blank=True)
    category = models.CharField("类别", max_length=20, blank=True, help_text="如 理论学习、履职能力、文史")
    summary = models.TextField("推荐语", blank=True)
    is_active = models.BooleanField("在推荐书目中", default=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "推荐书目"
        verbose_name_plural = "推荐书目"
        ordering = ["-year", "category", "id"]
        indexes = [models.Index(fields=["organisation", "year"], name="reading_book_org_year")]

    def __str__(self):
        return f"《{self.title}》"


class Log(models.Model):
    """One reading check-in (打卡) of a member; with a note of `reading.note_min_chars` characters or more it
    is a 读书笔记 (credited once per member and book)."""

    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="reading_logs", verbose_name="委员"
    )
    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="logs", verbose_name="书目")
    # Copied from the book: the committee's figures read one index, no join.
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    read_on = models.DateField("阅读日期")
    minutes = models.PositiveSmallIntegerField("阅读时长（分钟）", default=0)
    note = models.TextField("读书笔记", blank=True)
    is_note = models.BooleanField("计为读书笔记", default=False)
    shared = models.BooleanField("在读书交流中公开", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "读书打卡"
        verbose_name_plural = "读书打卡"
        ordering = ["-read_on", "-id"]
        indexes = [
            models.Index(fields=["organisation", "read_on"], name="reading_log_org_day"),
            models.Index(fields=["member", "read_on"], name="reading_log_member_day"),
        ]

    def __str__(self):
        # Stored as the duty record's 来源 when credited (the book is at hand then).
        return f"{self.book}读书笔记（{self.read_on:%Y-%m-%d}）"
