"""The audit log's hash chain (core.auditchain) and two more ways of changing it refused by the database:
SQLite's REPLACE INTO over an existing entry (REPLACE deletes without firing DELETE triggers unless
recursive_triggers is on: a BEFORE INSERT trigger refuses an id that exists) and PostgreSQL's TRUNCATE
(a BEFORE TRUNCATE trigger). The hash of the entries that already exist is computed here, in id order,
with the UPDATE trigger set aside for that moment only.

The field is nullable on purpose: SQLite then adds the column in place instead of rebuilding the table
(a rebuild would drop the triggers of migration 0002).
"""

from django.db import migrations, models

SQLITE_UP = [
    """CREATE TRIGGER core_auditentry_no_replace BEFORE INSERT ON core_auditentry
       WHEN NEW.id IS NOT NULL AND EXISTS (SELECT 1 FROM core_auditentry WHERE id = NEW.id)
       BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;""",
]
POSTGRES_UP = [
    """CREATE OR REPLACE FUNCTION core_auditentry_no_truncate() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit log is append-only'; END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER core_auditentry_no_truncate BEFORE TRUNCATE ON core_auditentry
       FOR EACH STATEMENT EXECUTE FUNCTION core_auditentry_no_truncate();""",
]
SQLITE_NO_UPDATE = """CREATE TRIGGER core_auditentry_no_update BEFORE UPDATE ON core_auditentry
       BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;"""


def fill_chain(apps, schema_editor):
    from zhengxie.core import auditchain

    AuditEntry = apps.get_model("core", "AuditEntry")
    pg = schema_editor.connection.vendor == "postgresql"
    if pg:
        schema_editor.execute("ALTER TABLE core_auditentry DISABLE TRIGGER core_auditentry_no_change")
    else:
        schema_editor.execute("DROP TRIGGER IF EXISTS core_auditentry_no_update")
    prev = auditchain.GENESIS
    for e in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        prev = auditchain.link(prev, e)
        AuditEntry.objects.filter(pk=e.pk).update(hash=prev)
    if pg:
        schema_editor.execute("ALTER TABLE core_auditentry ENABLE TRIGGER core_auditentry_no_change")
    else:
        schema_editor.execute(SQLITE_NO_UPDATE)


def add_triggers(apps, schema_editor):
    statements = POSTGRES_UP if schema_editor.connection.vendor == "postgresql" else SQLITE_UP
    for sql in statements:
        schema_editor.execute(sql)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS core_auditentry_no_truncate ON core_auditentry")
    else:
        schema_editor.execute("DROP TRIGGER IF EXISTS core_auditentry_no_replace")


class Migration(migrations.Migration):
    dependencies = [("core", "0006_idempotency_key")]
    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="hash",
            field=models.CharField(
                blank=True, editable=False, max_length=64, null=True, verbose_name="链式校验值"
            ),
        ),
        migrations.RunPython(fill_chain, migrations.RunPython.noop),
        migrations.RunPython(add_triggers, drop_triggers),
    ]
