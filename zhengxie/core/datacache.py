"""Kept counts and figures (issue 16): computed once per *data version*, not on every request.

A module registers a kind of data with the tables its figures read::

    datacache.watch("proposals", "proposals_", "handling_", "core_handlingunit")   # in AppConfig.ready

and reads through the cache::

    n = datacache.count("proposals", qs)                       # a list's exact count
    figs = datacache.cached("proposals", ("stats", sid), lambda: compute(sid))

- **The version** of a kind is a random token in one `core.DataVersion` row, shared by every process and
  never dropped (a cache may drop an entry at any time: a lost version would serve old figures as new).
- **Invalidation is automatic**: every SQL statement of the process passes an execute wrapper (installed on
  each connection); an INSERT, UPDATE or DELETE of a watched table marks its kinds, and once the write's
  transaction commits (`on_commit`, so no reader can see the new token with the old rows) each marked kind
  gets a new token. ORM saves, deletes, `QuerySet.update`, `bulk_create`/`bulk_update` and raw cursors are
  all statements, so no write path can forget it; only what bypasses Django's connection (PostgreSQL COPY,
  another program writing the database) must call `bump(kind)` itself.
- **Within a transaction that wrote a watched table** the kind's figures are computed afresh, never read
  from the cache (the new rows are not committed yet: they are not the kept version's).
- **The key** is (kind, token, the caller's key parts); a count's parts are its rows' SQL (`SELECT pk`
  for a plain list: no columns, no order) and parameters, so
  what the user may see (their organisation's subtree, their own drafts, their unit's cases ...) is part
  of it: two users share a kept count only when the database would be asked the very same question.
  Figures keyed by something else (a session's id, a committee) must put the user's scope into the key or
  check it before (proposals' statistics: the session's id, 0 when out of scope).
- Entries also expire after `DATACACHE_TIMEOUT` seconds (600), so a write that escaped all of the above
  heals by itself; a missing version row (a new database) is created by the first reader.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets

from asgiref.local import Local
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.core.signals import request_finished, request_started
from django.db import DatabaseError, connection, connections, transaction
from django.db.backends.signals import connection_created

log = logging.getLogger(__name__)

_WATCHED: dict[str, tuple[str, ...]] = {}  # kind -> table names or prefixes ("proposals_")
_BY_TABLE: dict[str, frozenset] = {}  # table -> kinds (memo, reset by watch())
_WRITE = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+["`]?(\w+)', re.IGNORECASE)
_STATE = "_datacache_state"  # on a connection: {"block": outermost atomic, "pending": set of kinds,
#                                                 "memo": (scope, {kind: token})}
_REQUEST = Local()  # .scope: a new object for each request of this thread, None between requests


def watch(kind: str, *tables: str) -> None:
    """Register `kind`: its figures change when one of `tables` (names, or prefixes ending in "_") is
    written. Call once per kind, from the app's AppConfig.ready()."""
    _WATCHED[kind] = tuple(_WATCHED.get(kind, ())) + tables
    _BY_TABLE.clear()


def kinds_of(table: str) -> frozenset:
    found = _BY_TABLE.get(table)
    if found is None:
        found = _BY_TABLE[table] = frozenset(
            kind
            for kind, names in _WATCHED.items()
            if any(table == n or (n.endswith("_") and table.startswith(n)) for n in names)
        )
    return found


# --------------------------------------------------------------------------- invalidation


def _state(conn) -> dict:
    st = getattr(conn, _STATE, None)
    if st is None:
        st = {"block": None, "pending": set(), "memo": None}
        setattr(conn, _STATE, st)
    return st


def _flush(conn) -> None:
    st = _state(conn)
    kinds, st["pending"], st["block"] = st["pending"], set(), None
    if kinds:
        bump(*kinds)


def _written(conn, kinds) -> None:
    st = _state(conn)
    st["pending"].update(kinds)
    if conn.in_atomic_block and conn.atomic_blocks:
        st["block"] = conn.atomic_blocks[0]
    try:
        # One callback per write: after a rolled-back savepoint the later writes still register one. The
        # first to run bumps every pending kind, the others find nothing left.
        transaction.on_commit(lambda: _flush(conn), using=conn.alias, robust=True)
    except transaction.TransactionManagementError:  # manual transaction management: the next commit's
        pass


def _watch_writes(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    head = sql[:6].upper() if isinstance(sql, str) else ""
    if head in ("INSERT", "UPDATE", "DELETE"):
        m = _WRITE.match(sql)
        kinds = kinds_of(m.group(1)) if m else ()
        if kinds:
            _written(context["connection"], kinds)
    return result


def install(conn=None, **kwargs) -> None:
    """Put the write watcher on a connection (every new one: connection_created)."""
    conn = conn or kwargs.get("connection")
    if conn is not None and _watch_writes not in conn.execute_wrappers:
        conn.execute_wrappers.append(_watch_writes)


connection_created.connect(lambda sender, connection, **kw: install(connection), weak=False)


def bump(*kinds: str) -> None:
    """Give each kind a new version token now (after a write that bypassed Django's connection). Never
    raises: a failure is logged, the kept figures then live until DATACACHE_TIMEOUT."""
    from .models import DataVersion

    _forget(kinds)
    for kind in kinds:
        try:
            # One autocommit statement (no atomic block: on SQLite that would queue behind the writer
            # lock of core/sqlite, which a commit hook may run under).
            _upsert(DataVersion, kind, secrets.token_hex(8))
        except DatabaseError as exc:
            log.warning("datacache: the version of %s was not renewed: %s", kind, exc)


def _upsert(model, kind: str, token: str) -> None:
    model.objects.bulk_create(
        [model(kind=kind, token=token)],
        update_conflicts=True,
        unique_fields=["kind"],
        update_fields=["token"],
    )


# --------------------------------------------------------------------------- reading


def dirty(kind: str, conn=None) -> bool:
    """True while the current transaction has written one of the kind's tables (not committed yet)."""
    conn = conn or connection
    st = getattr(conn, _STATE, None)
    return bool(
        st
        and kind in st["pending"]
        and conn.in_atomic_block
        and conn.atomic_blocks
        and conn.atomic_blocks[0] is st["block"]
    )


# --------------------------------------------------------------------------- the version, read once


def _request_started(**kwargs) -> None:
    _REQUEST.scope = object()


def _request_finished(**kwargs) -> None:
    _REQUEST.scope = None


request_started.connect(_request_started, weak=False, dispatch_uid="datacache_request_started")
request_finished.connect(_request_finished, weak=False, dispatch_uid="datacache_request_finished")


def _scope():
    """What a read version holds for: the current request (outside one — a task, a command — nothing: read
    every time; an atomic block is no safe scope, a decorator's Atomic is one object for all its calls)."""
    return getattr(_REQUEST, "scope", None)


def _forget(kinds) -> None:
    """Drop the memoised versions of `kinds` (renewed by this process: the next read sees the new one)."""
    for conn in connections.all(initialized_only=True):
        memo = getattr(conn, _STATE, {}).get("memo")
        if memo:
            for kind in kinds:
                memo[1].pop(kind, None)


def version(kind: str, conn=None) -> str | None:
    """The kind's current token, read once per request: the first read is one query, the others reuse it
    until the request ends or this process renews the kind (a write committed by the request itself is seen
    at once). Created when the database has none yet."""
    scope = _scope()
    if scope is None:
        return _read_version(kind)
    st = _state(conn or connection)
    memo = st["memo"]
    if memo is None or memo[0] is not scope:
        memo = st["memo"] = (scope, {})
    token = memo[1].get(kind)
    if token is None:
        token = _read_version(kind)
        if token is not None:
            memo[1][kind] = token
    return token


def _read_version(kind: str) -> str | None:
    from .models import DataVersion

    token = DataVersion.objects.filter(kind=kind).values_list("token", flat=True).first()
    if token is None:
        try:
            DataVersion.objects.bulk_create(
                [DataVersion(kind=kind, token=secrets.token_hex(8))], ignore_conflicts=True
            )
            token = DataVersion.objects.filter(kind=kind).values_list("token", flat=True).first()
        except DatabaseError as exc:
            log.warning("datacache: no version for %s: %s", kind, exc)
            return None
    return token


def _key(kind: str, token: str, parts) -> str:
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()
    return f"datacache:{kind}:{token}:{digest}"


def cached(kind: str, key_parts, compute, timeout: int | None = None):
    """compute(), kept under (kind, its current version, key_parts): computed again after any committed
    write to the kind's tables. `key_parts` must say everything the result depends on besides the data —
    the user's scope first. The value must pickle (no model instances: keep ids and attach them after)."""
    if kind not in _WATCHED:
        raise KeyError(f"datacache: unknown kind {kind!r} (datacache.watch it in AppConfig.ready)")
    if dirty(kind):
        return compute()
    token = version(kind)
    if token is None:
        return compute()
    key = _key(kind, token, key_parts)
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout if timeout is not None else getattr(settings, "DATACACHE_TIMEOUT", 600))
    return value


def count(kind: str, qs) -> int:
    """qs.count(), kept: the key is the rows' SQL and parameters (which hold the user's scope). A queryset
    that can hold no row (`.none()`, `pk__in=[]` alone: no SQL to key on) counts 0, as Django's own count."""
    try:
        key = _count_key(qs)
    except EmptyResultSet:
        return 0
    return cached(kind, ("count", *key), qs.count)


def _count_key(qs) -> tuple:
    """What identifies a count: its FROM and WHERE with their parameters. A plain list's key is compiled
    as `SELECT pk ... WHERE ...` — its select_related columns and order name no row of the count, and
    compiling them cost 7x more on every request (0.9 ms of the proposals' list, issue 16). A queryset
    whose rows are not one per primary key (distinct, grouped, values(), a union) keeps its whole SQL.
    (No cache of keys by queryset "shape": a Query's equality does not look into its filters' values.)"""
    q = qs.query
    plain = getattr(qs, "_fields", None) is None and not (q.distinct or q.group_by or q.combinator)
    narrow = qs.order_by().values_list("pk") if plain else qs.order_by()
    sql, params = narrow.query.sql_with_params()
    return sql, tuple(params)
