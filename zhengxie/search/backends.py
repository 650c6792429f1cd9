"""The two full-text engines behind one small interface: SQLite FTS5 and PostgreSQL tsvector/GIN.

Both receive tokens already segmented by search.text (letters and digits only), so quoting them
is enough to make a safe query string.

    match_ids(kind, groups, organisation_ids, limit)        -> [object_id], best first
    match_sql(kind, groups, organisation_ids)               -> (sql, params) selecting every matching object_id
    title_candidates(kind, weights, organisation_ids, exclude_ids, limit, rank_terms)
    body_candidates(kind, weights, organisation_ids, exclude_ids, limit)
                                                            -> [(pk, object_id, title_tokens)], best first
    candidates(kind, title_weights, body_weights, organisation_ids, exclude_ids, title_limit, body_limit,
               rank_terms)                                  -> (title rows, body rows not among them)
    bodies(pks)                                             -> {pk: start of body_tokens}
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection

TITLE_WEIGHT = 3.0  # a match in the title counts this many times a match in the body
BODY_CHARS = 1500  # similar() compares the start of a candidate's body, not the whole of it
PREFETCH = 5  # SQLite: rank this many times `limit` matches of the whole index before scoping


def _placeholders(values) -> str:
    return ", ".join(["%s"] * len(values))


def _bodies(pks) -> dict[int, str]:
    if not pks:
        return {}
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT id, substr(body_tokens, 1, {BODY_CHARS}) FROM search_searchdocument"
            f" WHERE id IN ({_placeholders(pks)})",
            list(pks),
        )
        return dict(cur.fetchall())


def _title_rank(function: str, terms: dict[str, float] | None) -> tuple[str, list]:
    """SQL summing the weights of the terms a title holds (instr/strpos on the space-joined tokens)."""
    if not terms:
        return "0", []
    sql = " + ".join([f"CASE WHEN {function}(' ' || d.title_tokens || ' ', %s) > 0 THEN %s ELSE 0 END"] * len(terms))
    return f"({sql})", [v for t, w in terms.items() for v in (f" {t} ", float(w))]


class SQLiteBackend:
    @staticmethod
    def _group(group: Sequence[str]) -> str:
        if len(group) == 1:
            return f'"{group[0]}"'
        parts = " AND ".join(f'"{t}"' for t in group[:-1])
        return f'(({parts}) OR "{group[-1]}")'

    @staticmethod
    def _scope(organisation_ids, exclude_ids, params: list) -> str:
        sql = ""
        if organisation_ids is not None:
            sql += f" AND d.organisation_id IN ({_placeholders(organisation_ids)})"
            params.extend(organisation_ids)
        if exclude_ids:
            sql += f" AND d.object_id NOT IN ({_placeholders(exclude_ids)})"
            params.extend(exclude_ids)
        return sql

    def match_ids(self, kind, groups, organisation_ids, limit) -> list[int]:
        expr = " AND ".join(self._group(g) for g in groups)
        return [row[1] for row in self._ranked(expr, kind, organisation_ids, (), limit)]

    def match_sql(self, kind, groups, organisation_ids) -> tuple[str, list]:
        params: list = [" AND ".join(self._group(g) for g in groups), kind]
        scope = self._scope(organisation_ids, (), params)
        return ("SELECT d.object_id FROM search_searchdocument d"
                f" WHERE d.id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH %s) AND d.kind = %s{scope}",
                params)

    def _ranked(self, expr, kind, organisation_ids, exclude_ids, limit, rank_terms=None) -> list:
        """(pk, object_id, title_tokens) of the matches, best first: by the summed weights of
        `rank_terms` in the title if given, then by bm25 (FTS5's own IDF; title weighted), then
        newest. Ranks the best PREFETCH x limit matches of the whole index first (no join for every
        match); only if kind and scope leave too few of those and there were more, every match."""
        rank, rank_params = _title_rank("instr", rank_terms)
        inner_limit = PREFETCH * limit
        while True:
            params: list = [expr, inner_limit, *rank_params, kind]
            scope = self._scope(organisation_ids, exclude_ids, params)
            params.append(limit)
            # One statement whatever the data: the matches (m) and how many the first step kept (n), so
            # that a second pass is needed only when the prefetch was full and scoping left too few.
            sql = (
                f"WITH f AS MATERIALIZED (SELECT rowid AS id, bm25(search_fts, {TITLE_WEIGHT}, 1.0) AS r"
                " FROM search_fts WHERE search_fts MATCH %s ORDER BY r LIMIT %s),"
                f" m AS (SELECT d.id, d.object_id, d.title_tokens, {rank} AS t, f.r AS r"
                f" FROM f JOIN search_searchdocument d ON d.id = f.id WHERE d.kind = %s{scope}"
                " ORDER BY t DESC, f.r, d.object_id DESC LIMIT %s)"
                " SELECT m.id, m.object_id, m.title_tokens, (SELECT count(*) FROM f)"
                " FROM (SELECT 1) one LEFT JOIN m ON 1 ORDER BY m.t DESC, m.r, m.object_id DESC"
            )
            with connection.cursor() as cur:
                cur.execute(sql, params)
                fetched = cur.fetchall()
            rows = [row for row in fetched if row[0] is not None]
            if len(rows) >= limit or inner_limit < 0 or fetched[0][3] < inner_limit:
                break
            inner_limit = -1
        return [row[:3] for row in rows]

    def title_candidates(self, kind, weights, organisation_ids, exclude_ids, limit, rank_terms=None):
        expr = "{title_tokens}: (" + " OR ".join(f'"{t}"' for t in weights) + ")"
        return self._ranked(expr, kind, organisation_ids, exclude_ids, limit, rank_terms)

    def body_candidates(self, kind, weights, organisation_ids, exclude_ids, limit):
        expr = " OR ".join(f'"{t}"' for t in weights)
        return self._ranked(expr, kind, organisation_ids, exclude_ids, limit)

    def candidates(self, kind, title_weights, body_weights, organisation_ids, exclude_ids, title_limit, body_limit,
                   rank_terms=None):
        rows = (self.title_candidates(kind, title_weights, organisation_ids, exclude_ids, title_limit, rank_terms)
                if title_weights else [])
        if not body_weights:
            return rows, []
        seen = list(exclude_ids) + [object_id for _, object_id, _ in rows]
        return rows, self.body_candidates(kind, body_weights, organisation_ids, seen, body_limit)

    bodies = staticmethod(_bodies)


class PostgresBackend:
    @staticmethod
    def _group(group: Sequence[str]) -> str:
        if len(group) == 1:
            return f"'{group[0]}'"
        parts = " & ".join(f"'{t}'" for t in group[:-1])
        return f"(({parts}) | '{group[-1]}')"

    @staticmethod
    def _scope(organisation_ids, exclude_ids, params: list) -> str:
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

    def match_sql(self, kind, groups, organisation_ids) -> tuple[str, list]:
        params: list = [" & ".join(self._group(g) for g in groups), kind]
        scope = self._scope(organisation_ids, (), params)
        # OFFSET 0 keeps the matches a separate step: the planner hashes them once instead of sorting
        # every proposal and probing the index row by row (50 ms against 75 ms at 100,000 proposals).
        return ("SELECT d.object_id FROM search_searchdocument d"
                f" WHERE d.search_vector @@ to_tsquery('simple', %s) AND d.kind = %s{scope} OFFSET 0", params)

    def title_candidates(self, kind, weights, organisation_ids, exclude_ids, limit, rank_terms=None):
        """Titles holding any of `weights`, ranked by the summed weights of `rank_terms` they hold."""
        expr = " | ".join(f"'{t}'" for t in weights)
        rank, params = _title_rank("strpos", rank_terms or weights)
        params += [expr, kind]
        scope = self._scope(organisation_ids, exclude_ids, params)
        params.append(limit)
        sql = (
            f"SELECT d.id, d.object_id, d.title_tokens, {rank} AS r FROM search_searchdocument d"
            f" WHERE d.title_vector @@ to_tsquery('simple', %s) AND d.kind = %s{scope}"
            " ORDER BY r DESC, d.object_id DESC LIMIT %s"
        )
        with connection.cursor() as cur:
            cur.execute(sql, params)
            return [row[:3] for row in cur.fetchall()]

    def body_candidates(self, kind, weights, organisation_ids, exclude_ids, limit):
        expr = " | ".join(f"'{t}'" for t in weights)
        params: list = [expr, kind]
        scope = self._scope(organisation_ids, exclude_ids, params)
        params.append(limit)
        sql = (
            "SELECT d.id, d.object_id, d.title_tokens FROM search_searchdocument d, to_tsquery('simple', %s) q"
            f" WHERE d.search_vector @@ q AND d.kind = %s{scope}"
            f" ORDER BY ts_rank('{{0.1, 0.2, {1 / TITLE_WEIGHT:.3f}, 1.0}}', d.search_vector, q) DESC LIMIT %s"
        )
        with connection.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()

    def candidates(self, kind, title_weights, body_weights, organisation_ids, exclude_ids, title_limit, body_limit,
                   rank_terms=None):
        """Both searches in one statement (one round trip, whether or not the text has rare enough words
        for the bodies): titles first, then bodies among the documents the titles did not find."""
        if not title_weights:
            return [], (self.body_candidates(kind, body_weights, organisation_ids, exclude_ids, body_limit)
                        if body_weights else [])
        rank, params = _title_rank("strpos", rank_terms or title_weights)
        params += [" | ".join(f"'{t}'" for t in title_weights), kind]
        scope = self._scope(organisation_ids, exclude_ids, params)
        params.append(title_limit)
        sql = (
            f"WITH t AS (SELECT d.id, d.object_id, d.title_tokens, {rank} AS r FROM search_searchdocument d"
            f" WHERE d.title_vector @@ to_tsquery('simple', %s) AND d.kind = %s{scope}"
            " ORDER BY r DESC, d.object_id DESC LIMIT %s)"
            " SELECT 0 AS part, t.id, t.object_id, t.title_tokens, t.r AS r FROM t"
        )
        if body_weights:
            params += [" | ".join(f"'{t}'" for t in body_weights), kind]
            scope = self._scope(organisation_ids, exclude_ids, params)
            params.append(body_limit)
            sql += (
                " UNION ALL (SELECT 1, d.id, d.object_id, d.title_tokens,"
                f" ts_rank('{{0.1, 0.2, {1 / TITLE_WEIGHT:.3f}, 1.0}}', d.search_vector, q) AS r"
                " FROM search_searchdocument d, to_tsquery('simple', %s) q"
                f" WHERE d.search_vector @@ q AND d.kind = %s{scope} AND d.id NOT IN (SELECT id FROM t)"
                " ORDER BY r DESC LIMIT %s)"
            )
        with connection.cursor() as cur:
            cur.execute(f"SELECT part, id, object_id, title_tokens FROM ({sql}) u ORDER BY part, r DESC, object_id DESC",
                        params)
            found = cur.fetchall()
        return [row[1:] for row in found if row[0] == 0], [row[1:] for row in found if row[0] == 1]

    bodies = staticmethod(_bodies)


_BACKENDS = {"sqlite": SQLiteBackend(), "postgresql": PostgresBackend()}


def backend():
    try:
        return _BACKENDS[connection.vendor]
    except KeyError:
        raise NotImplementedError(f"search: no full-text backend for {connection.vendor}")
