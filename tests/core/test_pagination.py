"""Pages past the middle are read from the other end: the same rows as OFFSET would give, in the same
order, with a small offset in the SQL (the last page of a long list costs what the first does)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhengxie.core.models import Notification
from zhengxie.core.pagination import Paginator, Rows, page_slice


@pytest.fixture
def notes(db, user):
    u = user("member1")
    Notification.objects.bulk_create([Notification(user=u, title=f"通知{i % 7}", body="") for i in range(95)])
    return Notification.objects.filter(user=u)


@pytest.mark.parametrize("ordering", [("-id",), ("title", "id"), ("-title", "-id")])
def test_every_page_holds_the_rows_offset_would_give(notes, ordering):
    qs = notes.order_by(*ordering)
    forward = list(qs.values_list("pk", flat=True))
    paginator = Paginator(qs, 10)
    pages = [list(paginator.page(n).object_list) for n in paginator.page_range]
    assert [o.pk for page in pages for o in page] == forward
    rows = Rows(qs, lambda o: o.pk)
    n = len(forward)
    assert rows[n - 15 : n - 5] == forward[n - 15 : n - 5] and rows[n - 5 : n + 5] == forward[n - 5 :]
    assert rows[n : n + 10] == [] and rows[10_000:10_010] == []


def test_the_last_page_is_read_with_a_small_offset(notes):
    qs = notes.order_by("-id")
    count = qs.count()
    with CaptureQueriesContext(connection) as q:
        page_slice(qs, count - 5, count, count)
    sql = q.captured_queries[-1]["sql"]
    assert f"OFFSET {count - 5}" not in sql and "ASC LIMIT 5" in sql


def test_an_ordering_without_the_key_last_keeps_offset(notes):
    qs = notes.order_by("title")  # ties: reading from the end could give other rows
    count = qs.count()
    with CaptureQueriesContext(connection) as q:
        page_slice(qs, count - 5, count, count)
    assert f"OFFSET {count - 5}" in q.captured_queries[-1]["sql"]
