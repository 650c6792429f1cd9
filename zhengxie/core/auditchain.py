"""The audit log's hash chain: each entry stores sha256(previous entry's hash + its own canonical content),
so changing, removing or inserting an entry anywhere but at the end breaks every later link.
`manage.py audit_verify` walks the chain; migration 0006 computed it for the entries that already existed.

Kept apart from the models (and stable): the migration uses the same functions.
"""

from __future__ import annotations

import datetime
import hashlib
import ipaddress
import json

GENESIS = ""
# PostgreSQL: one audit insert at a time until its transaction ends, so each entry links to the one
# committed before it (an advisory lock; SQLite's IMMEDIATE transactions already serialise writers).
LOCK_KEY = 0x7A784175  # "zxAu"

FIELDS = (
    "created_at",
    "actor_id",
    "actor_name",
    "organisation_id",
    "action",
    "target_type",
    "target_id",
    "target_repr",
    "before",
    "after",
    "ip",
)


def _value(name, v):
    if name == "created_at" and isinstance(v, datetime.datetime):
        return v.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if name == "ip" and v:
        return ipaddress.ip_address(v).compressed
    if name in ("actor_name", "target_type", "target_id", "target_repr", "action"):
        return v or ""
    return v


def canonical(entry) -> str:
    """The entry's content (everything but its id and hash) as canonical JSON."""
    data = {name: _value(name, getattr(entry, name)) for name in FIELDS}
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def link(prev_hash: str | None, entry) -> str:
    return hashlib.sha256(((prev_hash or GENESIS) + canonical(entry)).encode()).hexdigest()


def lock(connection) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


# A NUL in an entry restored into PostgreSQL (which cannot hold one) is written as this (core.textclean).
NUL_MARK = "\u2400"  # ␀


def _unmark(value):
    if isinstance(value, str):
        return value.replace(NUL_MARK, "\x00")
    if isinstance(value, dict):
        return {_unmark(k): _unmark(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unmark(v) for v in value]
    return value


def _as_stored_before(entry):
    """The entry's content with each ␀ a NUL again, as it was hashed."""
    from types import SimpleNamespace

    return SimpleNamespace(**{name: _unmark(getattr(entry, name)) for name in FIELDS})


def verify(entries, nul_marked=frozenset()) -> tuple[int, object | None]:
    """Walks entries in id order; returns (how many were checked, the first entry whose link is broken).
    An entry whose id is in `nul_marked` (named by the restore that wrote its NULs as ␀) also holds when
    its content with those marks made NULs again does: nothing else in it may differ."""
    prev, n = GENESIS, 0
    for e in entries:
        n += 1
        if e.hash != link(prev, e) and not (
            e.pk in nul_marked and e.hash == link(prev, _as_stored_before(e))
        ):
            return n, e
        prev = e.hash
    return n, None
