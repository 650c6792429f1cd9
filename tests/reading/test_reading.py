"""书香政协: staff recommend books, members check in and write notes (credited once per book), staff see
each member's reading, the year's figures count it; nothing crosses committees."""

import datetime
import re

import pytest
from django.utils import timezone

from zhengxie.performance.models import DutyRecord
from zhengxie.reading.models import Book, Log

pytestmark = pytest.mark.django_db
LONG = "读书心得。" * 50  # 250 characters: over reading.note_min_chars (200)


def _book(title="大国大城"):
    return Book.objects.get(organisation__code="demo-county", year=timezone.localdate().year, title=title)


def test_member_checks_in_on_the_page_and_a_long_note_counts_once(client_for, user):
    c = client_for("member2")
    book = _book()
    before = DutyRecord.objects.filter(member__user__username="member2", act="reading_note").count()
    r = c.post(
        "/reading/",
        {
            "book": book.pk,
            "read_on": timezone.localdate().isoformat(),
            "minutes": 40,
            "note": LONG,
            "shared": "on",
        },
    )
    assert r.status_code == 302
    page = client_for("member2").get("/reading/").content.decode()
    assert "读书笔记" in page and "大国大城" in page
    assert (
        DutyRecord.objects.filter(member__user__username="member2", act="reading_note").count() == before + 1
    )
    # The member's 履职档案 names the note by its book, not "Log object (2)".
    rec = DutyRecord.objects.filter(member__user__username="member2", act="reading_note").latest("pk")
    assert rec.source_repr.startswith(f"《{book.title}》读书笔记")
    # A second note on the same book, another day: a check-in, no second credit.
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    c.post("/reading/", {"book": book.pk, "read_on": yesterday, "note": LONG})
    assert (
        DutyRecord.objects.filter(member__user__username="member2", act="reading_note").count() == before + 1
    )
    assert Log.objects.filter(member__user__username="member2", book=book).count() == 2


def test_bad_check_ins_are_refused_and_the_note_is_kept(client_for):
    c = client_for("member2")
    book = _book("乡土中国")
    future = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()
    r = c.post("/reading/", {"book": book.pk, "read_on": future, "note": "我的体会"})
    assert r.status_code == 422
    page = r.content.decode()
    assert "阅读日期须在最近一个月内" in page and "我的体会" in page
    today = timezone.localdate().isoformat()
    assert c.post("/reading/", {"book": book.pk, "read_on": today}).status_code == 302
    again = c.post("/reading/", {"book": book.pk, "read_on": today})
    assert again.status_code == 409 and "当天已经打过卡" in again.content.decode()


def test_api_contract_and_scope(api_for):
    office, member, other = api_for("office"), api_for("member2"), api_for("other")
    r = office.post(
        "/api/v1/reading/books",
        {"title": "论政协委员的修养", "author": "某某"},
        content_type="application/json",
    )
    assert r.status_code == 201
    book_id = r.json()["id"]
    assert (
        member.post("/api/v1/reading/books", {"title": "x"}, content_type="application/json").status_code
        == 403
    )
    assert (
        office.post("/api/v1/reading/books", {"title": " "}, content_type="application/json").status_code
        == 422
    )
    r = member.post(
        "/api/v1/reading/check-ins", {"book_id": book_id, "note": LONG}, content_type="application/json"
    )
    assert r.status_code == 201 and r.json()["is_note"] is True
    assert any(x["book_id"] == book_id for x in member.get("/api/v1/reading/check-ins").json())
    # Another county's member sees no such book; staff cannot check in.
    assert (
        other.post(
            "/api/v1/reading/check-ins", {"book_id": book_id}, content_type="application/json"
        ).status_code
        == 404
    )
    assert all(b["id"] != book_id for b in other.get("/api/v1/reading/books").json())
    assert (
        office.post(
            "/api/v1/reading/check-ins", {"book_id": book_id}, content_type="application/json"
        ).status_code
        == 403
    )


def test_staff_see_each_members_reading_in_few_queries(client_for, django_assert_max_num_queries):
    c = client_for("office")
    with django_assert_max_num_queries(12):
        r = c.get("/reading/members/")
    assert r.status_code == 200
    assert "读书打卡" in r.content.decode()
    assert client_for("member1").get("/reading/members/").status_code == 404


def test_the_year_counts_reading(api_for):
    from zhengxie.yearbook import services as yb

    year = timezone.localdate().year
    data = api_for("office").get(f"/api/v1/yearbook?year={year}").json()
    part = next(p for p in data["parts"] if p["key"] == "reading")
    f = {x["key"]: x["value"] for x in part["figures"]}
    ids = yb.own_ids(_book().organisation)
    assert f["check_ins"] == Log.objects.filter(organisation_id__in=ids, read_on__year=year).count() > 0
    assert (
        f["notes"]
        == Log.objects.filter(organisation_id__in=ids, read_on__year=year, is_note=True).count()
        > 0
    )
    assert f["activities"] == 2
    assert "读书活动2次" in part["sentence"]


def test_the_office_sees_what_each_field_of_a_new_book_is(client_for):
    """#15: the 加入书目 row was four empty boxes (书名, 作者, 类别, 推荐语 had no label and no hint)."""
    page = client_for("office").get("/reading/").content.decode()
    form = page[page.index('id="book-form"') : page.index("</form>", page.index('id="book-form"'))]
    for name, hint in (("title", "书名"), ("author", "作者"), ("category", "类别"), ("summary", "推荐语")):
        field = re.search(rf'<(?:input|textarea)[^>]*name="{name}"[^>]*>', form).group(0)
        assert f'placeholder="{hint}' in field and f'aria-label="{hint}"' in field, field
