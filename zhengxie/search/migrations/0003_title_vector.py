"""PostgreSQL: a small title-only tsvector with its own GIN index, so that similar() can find and
rank candidates by their titles without reading the (often TOASTed) full-text vector of every
match. SQLite needs nothing: FTS5 filters by column ({title_tokens}: ...)."""

from django.db import migrations

POSTGRES = [
    """ALTER TABLE search_searchdocument ADD COLUMN title_vector tsvector
       GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, title_tokens)) STORED""",
    "CREATE INDEX search_doc_title_gin ON search_searchdocument USING gin (title_vector)",
]
POSTGRES_BACK = [
    "DROP INDEX IF EXISTS search_doc_title_gin",
    "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS title_vector",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in POSTGRES:
            schema_editor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in POSTGRES_BACK:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("search", "0002_fulltext")]
    operations = [migrations.RunPython(forwards, backwards)]
