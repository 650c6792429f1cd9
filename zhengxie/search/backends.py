"""The two full-text engines behind one small interface: SQLite FTS5 and PostgreSQL tsvector/GIN.

Both receive tokens already segmented by search.text (letters and digits only), so quoting them
is enough to make a safe query string.

    match_ids(kind, groups, organisation_ids, limit)        -> [object_id], best first
    match_sql(kind, groups, organisation_ids)               -> (sql, params) selecting every matching object_id
    body_candidates(kind, weights, organisation_ids, exclude_ids, limit)
                                                            -> [(pk, object_id, title_tokens)], best first
    candidates(kind, title_weights, body_weights, organisation_ids, exclude_ids, title_limit, body_limit,
               rank_terms)                                  -> (title rows, body rows not among them)
    bodies(pks)                                             -> {pk: (title, start of body_tokens)}
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection

TITLE_WEIGHT = 3.0  # a match in the title counts this many times a match in the body
BODY_CHARS = 1500  # similar() compares the start of a candidate's body, not the whole of it
PREFETCH = 5  # SQLite: rank this many times `limit` matches of the whole index before scoping


def _placeholders(values) -> str:
    return ", ".join(["%s"] * len(values))


def _bodies(pks) -> dict[int, tuple[str, str]]:
    """{pk: (title as written, start of body_tokens)}."""
    if not pks:
        return {}
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT id, title, substr(body_tokens, 1, {BODY_CHARS}) FROM search_searchdocument"
            f" WHERE id IN ({_placeholders(pks)})",
            list(pks),
        )
        return {pk: (title, body) for pk, title, body in cur.fetchall()}


def _title_rank(function: str, terms: dict[str, float] | None) -> tuple[str, list]:
    """SQL summing the weights of the terms a title holds (instr/strpos on the space-joined tokens)."""
    if not terms:
        return "0", []
    sql = " + ".join(
        [f"CASE WHEN {function}(' ' || d.title_tokens || ' ', %s) > 0 THEN %s ELSE 0 END"] * len(terms)
    )
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
        return (
            "SELECT d.object_id FROM search_searchdocument d"
            f" WHERE d.id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH %s) AND d.kind = %s{scope}",
            params,
        )

    def _part(
        self, tag, expr, kind, organisation_ids, exclude_ids, limit, rank_terms, inner_limit, not_in=""
    ):
        """CTEs f<tag> (the best inner_limit matches of the whole index by bm25, title weighted) and m<tag>
        (those of the kind and scope, ranked by the summed weights of `rank_terms` in the title, then bm25,
        then newest), and the SELECT of m<tag>'s rows tagged with how many f<tag> kept (to know whether a
        second pass without the prefetch limit could find more). Ranking the best few of the whole index
        first avoids a join for every match."""
        rank, rank_params = _title_rank("instr", rank_terms)
        params: list = [expr, inner_limit, *rank_params, kind]
        scope = self._scope(organisation_ids, exclude_ids, params)
        params.append(limit)
        ctes = (
            f"f{tag} AS MATERIALIZED (SELECT rowid AS id, bm25(search_fts, {TITLE_WEIGHT}, 1.0) AS r"
            " FROM search_fts WHERE search_fts MATCH %s ORDER BY r LIMIT %s),"
            f" m{tag} AS (SELECT d.id, d.object_id, d.title_tokens, {rank} AS t, f.r AS r"
            f" FROM f{tag} f JOIN search_searchdocument d ON d.id = f.id WHERE d.kind = %s{scope}{not_in}"
            " ORDER BY t DESC, f.r, d.object_id DESC LIMIT %s)"
        )
        select = (
            f"SELECT {tag} AS part, m.id, m.object_id, m.title_tokens, (SELECT count(*) FROM f{tag}) AS kept,"
            f" m.t AS t, m.r AS r FROM (SELECT 1) one LEFT JOIN m{tag} m ON 1"
        )
        return ctes, params, select

    @staticmethod
    def _run(parts) -> list:
        """Run parts [(ctes, params, select)] as one statement: [(part, pk, object_id, title_tokens, kept)]."""
        sql = (
            "WITH "
            + ", ".join(c for c, _, _ in parts)
            + " SELECT * FROM ("
            + " UNION ALL ".join(sel for _, _, sel in parts)
            + ") ORDER BY part, t DESC, r, object_id DESC"
        )
        with connection.cursor() as cur:
            cur.execute(sql, [v for _, params, _ in parts for v in params])
            return cur.fetchall()

    @staticmethod
    def _split(found, tag) -> tuple[list, int]:
        rows = [row[1:4] for row in found if row[0] == tag and row[1] is not None]
        kept = next((row[4] for row in found if row[0] == tag), 0)
        return rows, kept

    def _ranked(self, expr, kind, organisation_ids, exclude_ids, limit, rank_terms=None) -> list:
        """(pk, object_id, title_tokens) of the matches, best first (see _part); only if kind and scope
        leave fewer than `limit` of a full prefetch, a second pass over every match."""
        inner = PREFETCH * limit
        rows, kept = self._split(
            self._run([self._part(0, expr, kind, organisation_ids, exclude_ids, limit, rank_terms, inner)]), 0
        )
        if len(rows) < limit and kept >= inner:
            rows, _ = self._split(
                self._run([self._part(0, expr, kind, organisation_ids, exclude_ids, limit, rank_terms, -1)]),
                0,
            )
        return rows

    def body_candidates(self, kind, weights, organisation_ids, exclude_ids, limit):
        expr = " OR ".join(f'"{t}"' for t in weights)
        return self._ranked(expr, kind, organisation_ids, exclude_ids, limit)

    def candidates(
        self,
        kind,
        title_weights,
        body_weights,
        organisation_ids,
        exclude_ids,
        title_limit,
        body_limit,
        rank_terms=None,
    ):
        """Titles, then bodies among the documents the titles did not find: one statement whatever the
        words (a second only when scoping leaves too few of a full prefetch)."""
        if not title_weights:
            return [], (
                self.body_candidates(kind, body_weights, organisation_ids, exclude_ids, body_limit)
                if body_weights
                else []
            )
        title_expr = "{title_tokens}: (" + " OR ".join(f'"{t}"' for t in title_weights) + ")"
        body_expr = " OR ".join(f'"{t}"' for t in body_weights)
        t_inner, b_inner = PREFETCH * title_limit, PREFETCH * body_limit
        parts = [
            self._part(0, title_expr, kind, organisation_ids, exclude_ids, title_limit, rank_terms, t_inner)
        ]
        if body_weights:
            parts.append(
                self._part(
                    1,
                    body_expr,
                    kind,
                    organisation_ids,
                    exclude_ids,
                    body_limit,
                    None,
                    b_inner,
                    not_in=" AND d.id NOT IN (SELECT id FROM m0)",
                )
            )
        found = self._run(parts)
        rows, kept = self._split(found, 0)
        if len(rows) < title_limit and kept >= t_inner:
            rows = self._ranked(title_expr, kind, organisation_ids, exclude_ids, title_limit, rank_terms)
        if not body_weights:
            return rows, []
        bodies, kept = self._split(found, 1)
        seen = list(exclude_ids) + [object_id for _, object_id, _ in rows]
        if len(bodies) < body_limit and kept >= b_inner or len(rows) != len(self._split(found, 0)[0]):
            bodies = self.body_candidates(kind, body_weights, organisation_ids, seen, body_limit)
        return rows, bodies

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
        return (
            "SELECT d.object_id FROM search_searchdocument d"
            f" WHERE d.search_vector @@ to_tsquery('simple', %s) AND d.kind = %s{scope} OFFSET 0",
            params,
        )

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

    def candidates(
        self,
        kind,
        title_weights,
        body_weights,
        organisation_ids,
        exclude_ids,
        title_limit,
        body_limit,
        rank_terms=None,
    ):
        """Both searches in one statement (one round trip, whether or not the text has rare enough words
        for the bodies): titles first, then bodies among the documents the titles did not find."""
        if not title_weights:
            return [], (
                self.body_candidates(kind, body_weights, organisation_ids, exclude_ids, body_limit)
                if body_weights
                else []
            )
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
            cur.execute(
                f"SELECT part, id, object_id, title_tokens FROM ({sql}) u ORDER BY part, r DESC, object_id DESC",
                params,
            )
            found = cur.fetchall()
        return [row[1:] for row in found if row[0] == 0], [row[1:] for row in found if row[0] == 1]

    bodies = staticmethod(_bodies)


_BACKENDS = {"sqlite": SQLiteBackend(), "postgresql": PostgresBackend()}


def backend():
    try:
        return _BACKENDS[connection.vendor]
    except KeyError:
        raise NotImplementedError(f"search: no full-text backend for {connection.vendor}")
