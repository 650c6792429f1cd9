"""The two full-text engines behind one small interface: SQLite FTS5 and PostgreSQL tsvector/GIN.

Both receive tokens already segmented by search.text (letters and digits only), so quoting them
is enough to make a safe query string.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection

TITLE_WEIGHT = 3.0  # a match in the title counts this many times a match in the body
BODY_CHARS = 3000  # similar() scores the start of a candidate's body, not the whole of it


class SQLiteBackend:
    @staticmethod
    def _group(group: Sequence[str]) -> str:
        if len(group) == 1:
            return f'"{group[0]}"'
        parts = " AND ".join(f'"{t}"' for t in group[:-1])
        return f'(({parts}) OR "{group[-1]}")'

    def _scope(self, organisation_ids, exclude_ids, params: list) -> str:
        sql = ""
        if organisation_ids is not None:
            sql += f" AND d.organisation_id IN ({', '.join(['%s'] * len(organisation_ids))})"
            params.extend(organisation_ids)
        if exclude_ids:
            sql += f" AND d.object_id NOT IN ({', '.join(['%s'] * len(exclude_ids))})"
            params.extend(exclude_ids)
        return sql

    def match_ids(self, kind, groups, organisation_ids, limit) -> list[int]:
        expr = " AND ".join(self._group(g) for g in groups)
        params: list = [expr, kind]
        scope = self._scope(organisation_ids, (), params)
        params.append(limit)
        sql = (
            "SELECT d.object_id FROM search_fts JOIN search_searchdocument d ON d.id = search_fts.rowid"
            f" WHERE search_fts MATCH %s AND d.kind = %s{scope}"
            f" ORDER BY bm25(search_fts, {TITLE_WEIGHT}, 1.0), d.object_id DESC LIMIT %s"
        )
        with connection.cursor() as cur:
            cur.execute(sql, params)
            return [row[0] for row in cur.fetchall()]

    def candidates(self, kind, terms, organisation_ids, exclude_ids, limit):
        """(object_id, title_tokens, start of body_tokens) of the documents holding any of `terms`,
        best bm25 first (FTS5's own IDF, title weighted)."""
        expr = " OR ".join(f'"{t}"' for t in terms)
        params: list = [expr, kind]
        scope = self._scope(organisation_ids, exclude_ids, params)
        params.append(limit)
        sql = (
            f"SELECT d.object_id, d.title_tokens, substr(d.body_tokens, 1, {BODY_CHARS})"
            " FROM search_fts JOIN search_searchdocument d ON d.id = search_fts.rowid"
            f" WHERE search_fts MATCH %s AND d.kind = %s{scope}"
            f" ORDER BY bm25(search_fts, {TITLE_WEIGHT}, 1.0) LIMIT %s"
        )
        with connection.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()


class PostgresBackend:
    @staticmethod
    def _group(group: Sequence[str]) -> str:
        if len(group) == 1:
            return f"'{group[0]}'"
        parts = " & ".join(f"'{t}'" for t in group[:-1])
        return f"(({parts}) | '{group[-1]}')"

    def _scope(self, organisation_ids, exclude_ids, params: list) -> str:
        sql = ""
        if organisation_ids is not None:
            sql += " AND d.organisation_id = ANY(%s)"
            params.append(list(organisation_ids))
        if exclude_ids:
            sql += " AND NOT (d.object_id = ANY(%s))"
            params.append(list(exclude_ids))
        return sql

    def match_ids(self, kind, groups, organisation_ids, limit) -> list[int]:
        # Filter with the AND query; rank with the same tokens OR'd, since ts_rank on an AND query
        # rewards words standing close together more than a match in the title.
        expr = " & ".join(self._group(g) for g in groups)
        ranked = " | ".join(f"'{t}'" for t in dict.fromkeys(t for g in groups for t in g))
        params: list = [expr, ranked, kind]
        scope = self._scope(organisation_ids, (), params)
        params.append(limit)
        sql = (
            "SELECT d.object_id FROM search_searchdocument d,"
            " to_tsquery('simple', %s) q, to_tsquery('simple', %s) r"
            f" WHERE d.kind = %s AND d.search_vector @@ q{scope}"
            f" ORDER BY ts_rank('{{0.1, 0.2, {1 / TITLE_WEIGHT:.3f}, 1.0}}', d.search_vector, r) DESC,"
            " d.object_id DESC LIMIT %s"
        )
        with connection.cursor() as cur:
            cur.execute(sql, params)
            return [row[0] for row in cur.fetchall()]

    def candidates(self, kind, terms, organisation_ids, exclude_ids, limit):
        expr = " | ".join(f"'{t}'" for t in terms)
        params: list = [expr, kind]
        scope = self._scope(organisation_ids, exclude_ids, params)
        params.append(limit)
        sql = (
            f"SELECT d.object_id, d.title_tokens, left(d.body_tokens, {BODY_CHARS})"
            " FROM search_searchdocument d, to_tsquery('simple', %s) q"
            f" WHERE d.kind = %s AND d.search_vector @@ q{scope}"
            f" ORDER BY ts_rank('{{0.1, 0.2, {1 / TITLE_WEIGHT:.3f}, 1.0}}', d.search_vector, q) DESC"
            " LIMIT %s"
        )
        with connection.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()


_BACKENDS = {"sqlite": SQLiteBackend(), "postgresql": PostgresBackend()}


def backend():
    try:
        return _BACKENDS[connection.vendor]
    except KeyError:
        raise NotImplementedError(f"search: no full-text backend for {connection.vendor}")
