"""A citizen's submission writes its audit entry last (bench/public_bench.py: 200 citizens at once on
PostgreSQL): the audit chain's lock (core.auditchain, an advisory lock held until commit) makes every
audited write wait, so the notifications to the office and the event are written before it, not while the
lock is held."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def test_submit_writes_the_audit_entry_last(submitted):
    with CaptureQueriesContext(connection) as ctx:
        s = submitted()
    assert s is not None
    sqls = [q["sql"] for q in ctx.captured_queries]
    first = next(
        i
        for i, sql in enumerate(sqls)
        if "pg_advisory_xact_lock" in sql or 'INSERT INTO "core_auditentry"' in sql
    )
    writes_after = [
        s
        for s in sqls[first:]
        if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
        and 'INSERT INTO "core_auditentry"' not in s
    ]
    assert any('"core_notification"' in s for s in sqls[:first]), "the office is notified before"
    assert not writes_after, f"written while the audit chain is locked: {writes_after}"
