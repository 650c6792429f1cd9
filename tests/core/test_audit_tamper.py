"""Issue 14, finding 8: the audit log refuses REPLACE INTO (SQLite) and TRUNCATE (PostgreSQL), and a hash
chain over its entries shows any change that got past the database to `manage.py audit_verify`."""

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from zhengxie.core import audit, auditchain
from zhengxie.core.models import AuditEntry

sqlite_only = pytest.mark.skipif("connection.vendor != 'sqlite'")
postgres_only = pytest.mark.skipif("connection.vendor != 'postgresql'")


def _entries(user, n=3):
    u = user("staff")
    return [audit.record(u, f"test.tamper_{i}", u, after={"n": i, "名": "值"}) for i in range(n)]


@sqlite_only
def test_sqlite_replace_into_an_existing_entry_is_refused(user, db):
    e = _entries(user, 1)[0]
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as c:
        c.execute(
            "REPLACE INTO core_auditentry (id, created_at, actor_name, action, target_type, target_id,"
            " target_repr) VALUES (%s, %s, '', 'forged', '', '', '')",
            [e.pk, e.created_at.isoformat()],
        )
    assert AuditEntry.objects.get(pk=e.pk).action == e.action
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as c:
        c.execute(
            "INSERT OR REPLACE INTO core_auditentry (id, created_at, actor_name, action, target_type,"
            " target_id, target_repr) VALUES (%s, %s, '', 'forged', '', '', '')",
            [e.pk, e.created_at.isoformat()],
        )
    assert AuditEntry.objects.get(pk=e.pk).action == e.action


@postgres_only
def test_postgres_truncate_is_refused(user, db):
    _entries(user, 1)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as c:
        c.execute("TRUNCATE core_auditentry")
    assert AuditEntry.objects.exists()


def test_update_and_delete_stay_refused_by_the_database(user, db):
    e = _entries(user, 1)[0]
    for sql in (
        "UPDATE core_auditentry SET action = 'x' WHERE id = %s",
        "DELETE FROM core_auditentry WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as c:
            c.execute(sql, [e.pk])


def test_every_entry_links_to_the_one_before(user, db):
    entries = _entries(user)
    rows = list(AuditEntry.objects.order_by("id"))
    n, broken = auditchain.verify(rows)
    assert broken is None and n == len(rows) >= 3
    assert all(len(e.hash or "") == 64 for e in entries)
    call_command("audit_verify")  # exit code 0


def _unguarded():
    """Sets the UPDATE trigger aside inside the test's transaction (rolled back with it): what an attacker
    with the table owner's rights could do."""
    with connection.cursor() as c:
        if connection.vendor == "postgresql":
            c.execute("ALTER TABLE core_auditentry DISABLE TRIGGER core_auditentry_no_change")
        else:
            c.execute("DROP TRIGGER core_auditentry_no_update")


def test_audit_verify_reports_the_first_changed_entry(user, db, capsys):
    entries = _entries(user)
    _unguarded()
    with connection.cursor() as c:
        c.execute("UPDATE core_auditentry SET target_repr = 'forged' WHERE id = %s", [entries[1].pk])
    with pytest.raises(SystemExit) as exc:
        call_command("audit_verify")
    assert exc.value.code == 1
    err = capsys.readouterr().err
    assert f"ID {entries[1].pk}" in err and "断开" in err


def test_audit_verify_notices_a_removed_entry(user, db, capsys):
    entries = _entries(user)
    with connection.cursor() as c:
        if connection.vendor == "postgresql":
            c.execute("ALTER TABLE core_auditentry DISABLE TRIGGER core_auditentry_no_change")
        else:
            c.execute("DROP TRIGGER core_auditentry_no_delete")
        c.execute("DELETE FROM core_auditentry WHERE id = %s", [entries[1].pk])
    with pytest.raises(SystemExit):
        call_command("audit_verify")
    assert f"ID {entries[2].pk}" in capsys.readouterr().err
