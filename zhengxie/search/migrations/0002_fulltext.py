"""The full-text index beside search_searchdocument, by database vendor.

SQLite: an FTS5 table with search_searchdocument as external content, kept in sync by triggers
(so any write to the documents table, ORM or raw, updates it). The tokens are already segmented
and space-separated; unicode61 splits on the spaces.
PostgreSQL: a stored generated tsvector column ('simple' configuration: tokens are kept as they
are) with the title weighted A and the body B, and a GIN index on it.
"""

from django.db import migrations

SQLITE = [
    """CREATE VIRTUAL TABLE search_fts USING fts5(
           title_tokens, body_tokens,
           content='search_searchdocument', content_rowid='id',
           tokenize='unicode61 remove_diacritics 0')""",
    """CREATE TRIGGER search_fts_ai AFTER INSERT ON search_searchdocument BEGIN
           INSERT INTO search_fts(rowid, title_tokens, body_tokens)
           VALUES (new.id, new.title_tokens, new.body_tokens);
       END""",
    """CREATE TRIGGER search_fts_ad AFTER DELETE ON search_searchdocument BEGIN
           INSERT INTO search_fts(search_fts, rowid, title_tokens, body_tokens)
           VALUES ('delete', old.id, old.title_tokens, old.body_tokens);
       END""",
    """CREATE TRIGGER search_fts_au AFTER UPDATE ON search_searchdocument BEGIN
           INSERT INTO search_fts(search_fts, rowid, title_tokens, body_tokens)
           VALUES ('delete', old.id, old.title_tokens, old.body_tokens);
           INSERT INTO search_fts(rowid, title_tokens, body_tokens)
           VALUES (new.id, new.title_tokens, new.body_tokens);
       END""",
    "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
]
SQLITE_BACK = [
    "DROP TRIGGER IF EXISTS search_fts_ai",
    "DROP TRIGGER IF EXISTS search_fts_ad",
    "DROP TRIGGER IF EXISTS search_fts_au",
    "DROP TABLE IF EXISTS search_fts",
]

POSTGRES = [
    """ALTER TABLE search_searchdocument ADD COLUMN search_vector tsvector
       GENERATED ALWAYS AS (
           setweight(to_tsvector('simple'::regconfig, title_tokens), 'A')
           || setweight(to_tsvector('simple'::regconfig, body_tokens), 'B')
       ) STORED""",
    "CREATE INDEX search_doc_vector_gin ON search_searchdocument USING gin (search_vector)",
]
POSTGRES_BACK = [
    "DROP INDEX IF EXISTS search_doc_vector_gin",
    "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS search_vector",
]


def _run(schema_editor, by_vendor):
    for sql in by_vendor.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


def forwards(apps, schema_editor):
    _run(schema_editor, {"sqlite": SQLITE, "postgresql": POSTGRES})


def backwards(apps, schema_editor):
    _run(schema_editor, {"sqlite": SQLITE_BACK, "postgresql": POSTGRES_BACK})


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
