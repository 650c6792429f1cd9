"""书香政协 rules: staff of a committee keep its recommended books; a member checks in what they read, once a
day per book, with an optional note; a note long enough (`reading.note_min_chars`) is a 读书笔记, credited
to the member's duty record once per book (act `reading_note`, capped by the scheme)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from zhengxie.core import audit, orgsettings
from zhengxie.core.errors import Conflict, Forbidden, Invalid, NotFound
from zhengxie.core.models import Role
from zhengxie.core.permissions import acts_in, in_scope
from zhengxie.core.textinput import limited_text
from zhengxie.members.models import Member
from zhengxie.performance import acts
from zhengxie.performance.services import record_act

from .models import Book, Log

orgsettings.register("reading.note_min_chars", 200, "书香政协：读书笔记的最少字数（达到才计入履职）")

TITLE_MAX, NOTE_MAX = 120, 5000


def may_manage(user, organisation) -> bool:
    return user.has_role(Role.STAFF) and acts_in(user, organisation)


def member_of(user) -> Member | None:
    return (
        Member.objects.filter(user=user, status=Member.Status.ACTIVE).select_related("organisation").first()
    )


def add_book(user, *, title, author="", category="", summary="", year=None) -> Book:
    org = user.organisation.committee if user.organisation_id else None
    if org is None or not may_manage(user, org):
        raise Forbidden("只有本级政协机关工作人员可以维护推荐书目。")
    year = year or timezone.localdate().year
    if not isinstance(year, int) or not 2000 <= year <= timezone.localdate().year + 1:
        raise Invalid("推荐年度不正确。", field="year")
    with transaction.atomic():
        book = Book.objects.create(
            organisation=org,
            year=year,
            title=limited_text(title, "书名", "title", limit=TITLE_MAX, required=True),
            author=limited_text(author, "作者", "author", limit=80),
            category=limited_text(category, "类别", "category", limit=20),
            summary=limited_text(summary, "推荐语", "summary", limit=1000),
            created_by=user,
        )
        audit.record(user, "reading.book_add", book, after={"title": book.title}, organisation=org)
    return book


def visible_book(user, pk) -> Book:
    book = Book.objects.filter(pk=pk).select_related("organisation").first() if str(pk).isdigit() else None
    if book is None or not in_scope(user, book.organisation) and not _books_committee(user, book):
        raise NotFound("未找到该书目。")
    return book


def _books_committee(user, book) -> bool:
    """A member of a 乡镇联络组 reads the books of the committee above their group."""
    return bool(user.organisation_id) and user.organisation.committee.pk == book.organisation_id


def check_in(user, *, book, read_on=None, minutes=0, note="", shared=True) -> Log:
    member = member_of(user)
    if member is None:
        raise Forbidden("只有委员可以读书打卡。")
    book = visible_book(user, getattr(book, "pk", book))
    if not book.is_active:
        raise Conflict("该书已不在推荐书目中。", code="book_inactive")
    today = timezone.localdate()
    read_on = read_on or today
    if isinstance(read_on, str):
        try:
            read_on = datetime.date.fromisoformat(read_on)
        except ValueError:
            raise Invalid("阅读日期格式应为 2026-05-01。", field="read_on") from None
    if read_on > today or read_on < today - datetime.timedelta(days=31):
        raise Invalid("阅读日期须在最近一个月内，且不晚于今天。", field="read_on")
    if not isinstance(minutes, int) or not 0 <= minutes <= 600:
        raise Invalid("阅读时长须在 0 到 600 分钟之间。", field="minutes")
    note = limited_text(note, "读书笔记", "note", limit=NOTE_MAX)
    min_chars = int(orgsettings.get(book.organisation, "reading.note_min_chars"))
    with transaction.atomic():
        Member.objects.select_for_update().filter(pk=member.pk).first()  # one check-in at a time per member
        if Log.objects.filter(member=member, book=book, read_on=read_on).exists():
            raise Conflict("这本书当天已经打过卡了。", code="already_checked_in")
        first_note = (
            len(note) >= min_chars and not Log.objects.filter(member=member, book=book, is_note=True).exists()
        )
        log = Log.objects.create(
            member=member,
            book=book,
            organisation=book.organisation,
            read_on=read_on,
            minutes=minutes,
            note=note,
            is_note=first_note,
            shared=bool(shared),
        )
        if first_note:
            record_act(
                member=member,
                act=acts.READING_NOTE,
                source=log,
                occurred_on=read_on,
                note=f"《{book.title}》读书笔记",
            )
        audit.record(
            user,
            "reading.check_in",
            log,
            after={"book": book.pk, "note": first_note},
            organisation=book.organisation,
        )
    return log


def note_min_chars(organisation) -> int:
    return int(orgsettings.get(organisation, "reading.note_min_chars"))
