"""The audit entry is the last slow-free write of a drafting transaction (issue 16, writers under load): on
PostgreSQL the audit chain's lock (core.auditchain, an advisory lock held until commit) makes every audited
write of the platform wait, so the search index — segmentation and one row per term — is written before
it, never while the lock is held."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhengxie.proposals import services

from .conftest import TEXT


def _after_audit(ctx) -> list[str]:
    """The statements run after the audit entry's insert (and the chain lock on PostgreSQL)."""
    sqls = [q["sql"] for q in ctx.captured_queries]
    first = next(
        i
        for i, sql in enumerate(sqls)
        if "pg_advisory_xact_lock" in sql or ('INSERT INTO "core_auditentry"' in sql)
    )
    return sqls[first:]


def _search_writes(sqls: list[str]) -> list[str]:
    return [s for s in sqls if '"search_' in s and not s.lstrip().upper().startswith("SELECT")]


@pytest.mark.parametrize("action", ["create", "update", "submit"])
def test_search_index_is_written_before_the_audit_entry(user, action):
    member = user("member1")
    p = None if action == "create" else services.proposal_create(user=member, **TEXT)
    with CaptureQueriesContext(connection) as ctx:
        if action == "create":
            services.proposal_create(user=member, **TEXT)
        elif action == "update":
            services.proposal_update(user=member, proposal=p, title="关于加强乡村学校教师队伍培训的建议")
        else:
            services.proposal_submit(user=member, proposal=p)
    after = _after_audit(ctx)
    assert any('INSERT INTO "core_auditentry"' in s for s in after)
    assert _search_writes([q["sql"] for q in ctx.captured_queries]), "the action indexes the proposal"
    assert not _search_writes(after), "search index written while the audit chain is locked"
