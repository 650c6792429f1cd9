"""Issue #8: the reads every request makes (its Bearer token, its session's user) are compiled once per
process (core.keyedread.KeyedRead) and load exactly what the plain queryset loads, in one query."""

import datetime

import pytest
from django.db import connection
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from zhengxie.core.apiauth import TOKEN_READ, _tokens
from zhengxie.core.auth import ROLE_NAMES, SESSION_USER_READ, _session_users
from zhengxie.core.keyedread import KeyedRead
from zhengxie.core.models import ApiToken, User
from zhengxie.core.selectors import the_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def compiled(monkeypatch):
    """How many queries Django compiles (SQLCompiler.as_sql calls, subqueries included)."""
    calls = []
    original = SQLCompiler.as_sql

    def counting(self, *args, **kwargs):
        calls.append(self.query.model)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", counting)
    return calls


def _loaded(obj):
    """What a read put on a model instance: its columns, its deferred fields, its cached relations."""
    return {
        "class": type(obj),
        "values": {
            f.attname: getattr(obj, f.attname)
            for f in obj._meta.concrete_fields
            if f.attname not in obj.get_deferred_fields()
        },
        "deferred": obj.get_deferred_fields(),
        "cached": sorted(obj._state.fields_cache),
        "db": obj._state.db,
        "adding": obj._state.adding,
    }


def _same(a, b, seen=None):
    """Equal instances, and so their cached related rows (a reverse one-to-one caches its way back)."""
    seen = set() if seen is None else seen
    if id(a) in seen:
        return
    seen.add(id(a))
    assert _loaded(a) == _loaded(b)
    for name in sorted(a._state.fields_cache):
        x, y = a._state.fields_cache[name], b._state.fields_cache[name]
        assert (x is None) == (y is None), name
        if x is not None:
            _same(x, y, seen)


def test_a_token_is_read_in_one_query_compiled_once_with_what_the_queryset_loads(user, compiled):
    member = user("member1")
    key = ApiToken.issue(member)
    now = timezone.now()
    expected = the_row(_tokens(ApiToken.hash(key), now))
    TOKEN_READ(key_hash="another", now=now)  # compiled here (if not before) ...
    compiled.clear()
    with CaptureQueriesContext(connection) as queries:
        t = TOKEN_READ(key_hash=ApiToken.hash(key), now=now)
    assert compiled == [] and len(queries) == 1  # ... and only run here
    _same(t, expected)
    _same(t.user, expected.user)
    assert getattr(t, ROLE_NAMES) == getattr(expected, ROLE_NAMES) and getattr(t, ROLE_NAMES)
    assert t.user.member.pk == expected.user.member.pk and t.user.organisation.name
    assert isinstance(t.expires_at, datetime.datetime) and timezone.is_aware(t.expires_at)
    # the deferred encrypted fields stay unread, and read decrypted when asked for
    assert {"id_number", "address"} <= t.user.member.get_deferred_fields()
    assert t.user.member.address == expected.user.member.address
    # an ended, unknown or expired token: nothing
    assert TOKEN_READ(key_hash=ApiToken.hash("unknown"), now=now) is None
    assert TOKEN_READ(key_hash=ApiToken.hash(key), now=now + datetime.timedelta(days=8)) is None


def test_a_session_user_is_read_compiled_once_with_what_the_queryset_loads(user, compiled):
    for username in ("member1", "staff", "admin", "handler1"):  # with and without a 委员 row
        pk = user(username).pk
        expected = the_row(_session_users(pk))
        SESSION_USER_READ(pk=pk)
        compiled.clear()
        with CaptureQueriesContext(connection) as queries:
            u = SESSION_USER_READ(pk=pk)
        assert compiled == [] and len(queries) == 1, username
        _same(u, expected)
        assert getattr(u, ROLE_NAMES) == getattr(expected, ROLE_NAMES), username
    assert SESSION_USER_READ(pk=10**12) is None
    with CaptureQueriesContext(connection) as queries:
        assert SESSION_USER_READ(pk=2**70) is None  # out of range, as Django's own lookup: no row
    assert len(queries) == 0


def test_a_request_authenticates_by_token_and_session_through_the_compiled_reads(
    api_for, client_for, compiled
):
    api, page = api_for("member1"), client_for("member1")
    for c in (api, page):
        assert c.get("/api/v1/me").status_code == 200
    compiled.clear()
    assert api.get("/api/v1/me").json()["username"] == "member1"
    assert page.get("/api/v1/me").json()["username"] == "member1"
    assert User not in compiled  # neither request compiled the user's (or token's) read
    assert ApiToken not in compiled


def test_a_read_whose_value_cannot_be_found_in_the_sql_runs_as_the_plain_queryset(user):
    # the value is not in the query at all: nothing to substitute, so the queryset itself runs each time
    read = KeyedRead(lambda pk: User.objects.filter(username="member1"), pk=("core.User", "id"))
    assert read(pk=1).username == "member1"
    assert read._prepared[("default", connection.vendor, (None,))] is None


def test_a_read_of_many_rows_by_a_list_of_keys_is_compiled_once_per_length(user, compiled):
    """The lists' pages (issue 16): rows by `pk__in=ids`, compiled once for each number of ids, the same
    instances as the plain queryset's, an empty list answering nothing without a query."""
    from zhengxie.members.models import Member

    read = KeyedRead(
        lambda ids: (
            Member.objects.filter(user_id__in=ids).select_related("user").defer("id_number", "address")
        ),
        many=True,
        ids=("members.Member", "user"),
    )
    ids = [user(n).pk for n in ("member1", "member2", "member3")]
    read(ids=[10**9, 10**9 + 1, 10**9 + 2])  # three ids: compiled here ...
    compiled.clear()
    with CaptureQueriesContext(connection) as queries:
        rows = read(ids=ids)
    assert compiled == [] and len(queries) == 1  # ... and only run here
    expected = {
        m.pk: m
        for m in Member.objects.filter(user_id__in=ids).select_related("user").defer("id_number", "address")
    }
    assert sorted(m.pk for m in rows) == sorted(expected) and len(rows) == 3
    for m in rows:
        _same(m, expected[m.pk])
    assert sorted(m.user.username for m in read(ids=ids[:2])) == ["member1", "member2"]  # another length
    with CaptureQueriesContext(connection) as queries:
        assert read(ids=[]) == []
    assert len(queries) == 0


def test_attached_rows_answer_the_relation_without_a_query(user):
    """keyedread.attach puts rows where prefetch_related would: `.all()` answers them, each row's foreign
    key back is set, and a filter on the relation still asks the database (it is the relation's queryset)."""
    from zhengxie.core.keyedread import attach
    from zhengxie.core.models import Organisation

    org = user("member1").organisation
    users = list(User.objects.filter(organisation=org).order_by("pk"))
    fresh = Organisation.objects.get(pk=org.pk)
    attach(fresh, "user_set", users)
    with CaptureQueriesContext(connection) as queries:
        assert list(fresh.user_set.all()) == users
        assert all(u.organisation is fresh for u in users)
    assert len(queries) == 0
    assert list(fresh.user_set.filter(username="member1")) == [User.objects.get(username="member1")]
