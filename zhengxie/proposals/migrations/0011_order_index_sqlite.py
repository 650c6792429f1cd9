from django.db import migrations

# The lists' default order on SQLite (issue #13). SQLite cannot read `number ASC NULLS LAST` from
# proposal_order_idx, so there zhengxie.core.sqlite writes it `number IS NULL, number ASC` and this index
# holds exactly that order (with the visibility filter's columns, as proposal_order_idx): a city's or the
# province's first page reads the first entries that pass the filter instead of sorting its subtree.
# PostgreSQL reads NULLS LAST from proposal_order_idx itself and gets nothing here. Not in Meta.indexes
# (no index there can be for one engine only): a later migration that makes SQLite rebuild the table drops
# it, and tests/core/test_list_plans_sqlite.py then fails — create it again there.
SQLITE_INDEX = (
    'CREATE INDEX IF NOT EXISTS "proposal_order_sqlite_idx" ON "proposals_proposal" ('
    '"session_year" DESC, "session_number" DESC, ("number" IS NULL), "number", "created_at" DESC, "id" DESC, '
    '"organisation_id", "status", "author_id")'
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_INDEX)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute('DROP INDEX IF EXISTS "proposal_order_sqlite_idx"')


class Migration(migrations.Migration):
    dependencies = [("proposals", "0010_session_order_key")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
