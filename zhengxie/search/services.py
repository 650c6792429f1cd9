"""Chinese full-text search and similar-text detection: the interface other apps call.

    segment(text) -> tokens
    index_document(kind=, object_id=, organisation_id=, title=, body=, year=)   # upsert, in the caller's transaction
    remove_document(kind=, object_id=)
    search_ids(kind=, query=, organisation_ids=, limit=) -> object ids holding every query word, best first
    match_sql(kind=, query=, organisation_ids=) -> (sql, params) selecting all those ids, unranked, or None
    similar(kind=, text=, organisation_ids=, exclude_ids=, limit=, min_score=, is_title=) -> [(object_id, score)]

These are infrastructure called from inside other apps' services (which check permissions and
write the audit entry), so they take no user. Scoping is the caller's: pass the organisation ids
the user may see, and still filter the objects by the caller's own selector. For example:

    # proposals/services.py, inside the transaction that saves the proposal:
    index_document(kind="proposal", object_id=p.id, organisation_id=p.organisation_id,
                   title=p.title, body=f"{p.reasons}\n{p.suggestions}", year=p.session.year)
    # proposals/selectors.py:
    org_ids = list(visible_organisations(user).values_list("id", flat=True))
    ids = search_ids(kind="proposal", query=q, organisation_ids=org_ids)
    qs = qs.filter(id__in=ids)   # to keep the ranking: order_by(Case(*[When(id=i, then=n) ...]))
    # at submission and review: possible duplicates (并案)
    similar(kind="proposal", text=f"{p.title}\n{p.reasons}", organisation_ids=org_ids, exclude_ids=[p.id])

and register the source for `manage.py reindex_search` (see search.registry). After a change to
search/lexicon.txt, run reindex_search: stored tokens follow the old cut.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter
from collections.abc import Iterable

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q, Sum

from . import text as _text
from .backends import BODY_CHARS, backend
from .models import SearchDocument, SearchTerm

__all__ = [
    "segment",
    "index_document",
    "remove_document",
    "search_ids",
    "match_sql",
    "similar",
    "rebuild",
    "compact",
]

_KIND = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_DOCS = ""  # the SearchTerm row of a kind that counts its documents
# similar(): candidates come from an OR query over the text's heaviest tokens (PROBE_TERMS at most,
# while their document frequencies add up to no more than a share of the documents), first on
# titles (CANDIDATES at most), then on titles and bodies (BODY_CANDIDATES more, with a tighter
# budget). Every candidate's title and body start are then scored (see similar()).
CANDIDATES = 200
BODY_CANDIDATES = 60
PROBE_TERMS = 8
TITLE_BUDGET = (2000, 0.08)  # (at least, share of the documents)
BODY_BUDGET = (1000, 0.01)
_CHUNK = 400


def segment(text: str) -> list[str]:
    """rjieba search-mode tokens of `text`: lower-cased, no punctuation or stop words, repeats kept."""
    return _text.segment(text)


def _check_kind(kind: str) -> None:
    if not _KIND.match(kind or ""):
        raise ValueError(f"search: bad kind {kind!r}")


# --- document frequencies -------------------------------------------------------------------------


def _bump(kind: str, deltas: dict[str, int]) -> None:
    """Record changes of the document frequencies of a kind as new delta rows. Rows are only ever
    inserted here (no row is updated), so concurrent writers never wait on a shared counter row — the
    documents' count "" or a common word — which had serialised every proposal write (issue 16).
    A term's frequency is the sum of its rows; `compact` folds the rows back into one per term."""
    rows = [SearchTerm(kind=kind, term=term, df=delta) for term, delta in sorted(deltas.items()) if delta]
    SearchTerm.objects.bulk_create(rows, batch_size=_CHUNK)


def _doc_freqs(kind: str, terms: Iterable[str]) -> tuple[int, dict[str, int]]:
    """(number of documents of the kind, {term: documents holding it}) for the asked terms."""
    wanted = sorted(set(terms) | {_DOCS})
    found: dict[str, int] = {}
    for start in range(0, len(wanted), _CHUNK):
        found.update(
            SearchTerm.objects.filter(kind=kind, term__in=wanted[start : start + _CHUNK])
            .values("term")
            .annotate(n=Sum("df"))
            .filter(n__gt=0)
            .values_list("term", "n")
        )
    return found.pop(_DOCS, 0), found


def compact(kind: str | None = None) -> int:
    """Fold each term's delta rows into one row (dropping terms no document holds any more); returns
    the rows removed. Each kind in its own short transaction; rows inserted meanwhile stay as deltas."""
    removed = 0
    kinds = [kind] if kind else list(SearchTerm.objects.values_list("kind", flat=True).distinct())
    for k in kinds:
        with transaction.atomic():
            split = list(
                SearchTerm.objects.filter(kind=k)
                .values("term")
                .annotate(rows=Count("id"), n=Sum("df"))
                .filter(Q(rows__gt=1) | Q(n__lte=0))
                .values_list("term", flat=True)
            )
            for start in range(0, len(split), _CHUNK):
                terms = split[start : start + _CHUNK]
                rows = list(SearchTerm.objects.filter(kind=k, term__in=terms).values_list("id", "term", "df"))
                sums: Counter[str] = Counter()
                for _, term, df in rows:
                    sums[term] += df
                SearchTerm.objects.filter(id__in=[r[0] for r in rows]).delete()
                kept = [SearchTerm(kind=k, term=term, df=n) for term, n in sums.items() if n > 0]
                SearchTerm.objects.bulk_create(kept)
                removed += len(rows) - len(kept)
    return removed


def _terms_of(title_tokens: str, body_tokens: str) -> set[str]:
    return set(title_tokens.split()) | set(body_tokens.split())


# --- writing --------------------------------------------------------------------------------------


def index_document(
    *, kind: str, object_id: int, organisation_id: int, title: str, body: str, year: int | None = None
) -> None:
    """Index (or re-index) one object. Call it inside the caller's transaction."""
    _check_kind(kind)
    title_tokens = " ".join(segment(title))
    body_tokens = " ".join(segment(body))
    new_terms = _terms_of(title_tokens, body_tokens)
    with transaction.atomic():
        doc = SearchDocument.objects.select_for_update().filter(kind=kind, object_id=object_id).first()
        if doc is None:
            try:
                with transaction.atomic():
                    SearchDocument.objects.create(
                        kind=kind,
                        object_id=object_id,
                        organisation_id=organisation_id,
                        year=year,
                        title=title or "",
                        title_tokens=title_tokens,
                        body_tokens=body_tokens,
                    )
                _bump(kind, {_DOCS: 1, **dict.fromkeys(new_terms, 1)})
                return
            except IntegrityError:  # indexed meanwhile by another transaction: update that row
                doc = SearchDocument.objects.select_for_update().get(kind=kind, object_id=object_id)
        old_terms = _terms_of(doc.title_tokens, doc.body_tokens)
        doc.organisation_id, doc.year, doc.title = organisation_id, year, title or ""
        doc.title_tokens, doc.body_tokens = title_tokens, body_tokens
        doc.save()
        _bump(kind, {**dict.fromkeys(new_terms - old_terms, 1), **dict.fromkeys(old_terms - new_terms, -1)})


def remove_document(*, kind: str, object_id: int) -> None:
    """Take one object out of the index (nothing happens if it was not indexed)."""
    _check_kind(kind)
    with transaction.atomic():
        doc = SearchDocument.objects.select_for_update().filter(kind=kind, object_id=object_id).first()
        if doc is None:
            return
        terms = _terms_of(doc.title_tokens, doc.body_tokens)
        doc.delete()
        _bump(kind, {_DOCS: -1, **dict.fromkeys(terms, -1)})


def rebuild(kind: str, documents: Iterable[dict], *, batch_size: int = 1000) -> int:
    """Replace every document of `kind` by `documents` (dicts of index_document's arguments), in
    one transaction; returns how many were indexed. Used by `manage.py reindex_search`."""
    _check_kind(kind)
    df: Counter[str] = Counter()
    count = 0
    with transaction.atomic():
        SearchDocument.objects.filter(kind=kind).delete()
        SearchTerm.objects.filter(kind=kind).delete()
        batch: list[SearchDocument] = []
        for item in documents:
            if item.get("kind", kind) != kind:
                raise ValueError(f"search: a {item['kind']} document in the {kind} source")
            title_tokens = " ".join(segment(item["title"]))
            body_tokens = " ".join(segment(item.get("body") or ""))
            df.update(_terms_of(title_tokens, body_tokens))
            batch.append(
                SearchDocument(
                    kind=kind,
                    object_id=item["object_id"],
                    organisation_id=item["organisation_id"],
                    year=item.get("year"),
                    title=item["title"] or "",
                    title_tokens=title_tokens,
                    body_tokens=body_tokens,
                )
            )
            count += 1
            if len(batch) >= batch_size:
                SearchDocument.objects.bulk_create(batch)
                batch = []
        SearchDocument.objects.bulk_create(batch)
        df[_DOCS] = count
        SearchTerm.objects.bulk_create(
            (SearchTerm(kind=kind, term=term, df=n) for term, n in df.items()), batch_size=5000
        )
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
        elif connection.vendor == "postgresql":
            cur.execute("ANALYZE search_searchdocument")
    return count


# --- reading --------------------------------------------------------------------------------------


def search_ids(
    *, kind: str, query: str, organisation_ids: list[int] | None = None, limit: int = 5000
) -> list[int]:
    """Ids of the objects whose title or body holds every word of `query`, best match first.

    A word is found whole or as its parts: 养老服务 finds "养老……服务", "养老 服务" finds 养老服务.
    `organisation_ids=None` means every organisation; an empty list finds nothing.
    """
    _check_kind(kind)
    groups = _text.query_groups(query)
    if not groups or (organisation_ids is not None and not organisation_ids) or limit <= 0:
        return []
    return backend().match_ids(kind, groups, organisation_ids, limit)


def match_sql(*, kind: str, query: str, organisation_ids: list[int] | None = None) -> tuple[str, list] | None:
    """SQL (with its params) selecting the ids of every object whose title or body holds every word of
    `query`, unranked, for a filter such as `pk__in=RawSQL(sql, params)`: a list sorted its own way
    then reads all the matches, not only the best few, and the database joins them itself instead of
    receiving thousands of ids. None when the query has no words or no organisation is given."""
    _check_kind(kind)
    groups = _text.query_groups(query)
    if not groups or (organisation_ids is not None and not organisation_ids):
        return None
    return backend().match_sql(kind, groups, organisation_ids)


def _probes(q: dict[str, float], df: dict[str, int], n: int, budget: tuple[int, float]) -> dict[str, float]:
    """{token: weight} to find candidates with: the heaviest tokens of the text that some document
    holds, no generic ones, while their document frequencies add up to no more than the budget
    (which bounds the work of the full-text query)."""
    limit = max(budget[0], budget[1] * n)
    probes: dict[str, float] = {}
    matched = 0
    for t in sorted((t for t in q if df.get(t)), key=lambda t: (-q[t], t)):
        if len(probes) >= PROBE_TERMS:
            break
        if not _text.is_generic(t) and matched + df[t] <= limit:
            probes[t] = q[t]
            matched += df[t]
    return probes


def _idf(n: int, df: int) -> float:
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


PART_WEIGHT = 0.5  # search mode emits a long word's parts before it: they count half
GENERIC_WEIGHT = 0.3  # words of almost every title, and numbers (text.is_generic)


class _Weigher:
    """Token vectors: sublinear tf x idf, generic words x GENERIC_WEIGHT, boilerplate dropped.

    Search mode emits a long word's 2- and 3-character dictionary parts beside it (养老, 服务 with
    养老服务); those occurrences count PART_WEIGHT, so a shared compound is not counted three times."""

    def __init__(self, idf: dict[str, float], default_idf: float):
        self.idf, self.default_idf = idf, default_idf
        self._factors: dict[str, float] = {}

    def _factor(self, t: str) -> float:
        f = self._factors.get(t)
        if f is None:
            if t in _text.BOILERPLATE:
                f = 0.0
            else:
                f = self.idf.get(t, self.default_idf) * (GENERIC_WEIGHT if _text.is_generic(t) else 1.0)
            self._factors[t] = f
        return f

    def vector(self, tokens: list[str]) -> dict[str, float]:
        counts: dict[str, float] = Counter(tokens)
        for word in [w for w in counts if len(w) > 2]:
            n = len(word)
            for size in (2, 3) if n > 3 else (2,):
                for start in range(n - size + 1):
                    part = word[start : start + size]
                    if part in counts:
                        counts[part] -= (1 - PART_WEIGHT) * min(counts[word], counts[part])
        vector, factors = {}, self._factors
        for t, c in counts.items():
            f = factors.get(t)
            if f is None:
                f = self._factor(t)
            if f:
                vector[t] = f if c == 1 else (1 + math.log(c) if c > 1 else c) * f
        return vector


def _cosine(q: dict[str, float], q_norm: float, d: dict[str, float]) -> float:
    if not d:
        return 0.0
    small, large = (q, d) if len(q) < len(d) else (d, q)
    dot = sum(w * large[t] for t, w in small.items() if t in large)
    if not dot:
        return 0.0
    return dot / (q_norm * math.sqrt(sum(w * w for w in d.values())))


# BM25F (Robertson and Zaragoza): a query word's count in the title (times TITLE_FIELD_WEIGHT) and in the
# body, each divided by the field's length against the candidates' average, saturates at K1.
K1 = 0.8
B = 0.75
TITLE_FIELD_WEIGHT = 3.0
COVERAGE_WEIGHT = 4.0  # the coverage counts this many times the title's cosine in the rank
ORDER_WEIGHT = 1.0  # the share of the text's neighbouring word pairs a candidate holds in the same order
CHAR_WEIGHT = 2.0  # a short text (a title, a sentence) against the title as written: character-pair cosine
TITLE_CHAR_WEIGHT = 14.0  # the same when the caller says the text is a title (is_title=True): a title box
CHAR_MAX = 100  # longer texts skip it (a body's character pairs say little of a title)
TEXT_WEIGHT = 1.0  # a longer text (a body, a proposal's text): cosine of its start against a candidate's
TEXT_RERANK = 20  # ... title and body start, for this many best candidates (2 x limit if more)
RERANK = 50


def _pairs(tokens: list[str]) -> set[tuple[str, str]]:
    return set(zip(tokens, tokens[1:], strict=False))


def _order_weights(tokens: list[str], q: dict[str, float]) -> dict[tuple[str, str], float]:
    """{(a, b): weight} of the text's neighbouring words, a pair weighing the lighter of its two words:
    what word order adds to the bag of words (请加快A市 is not 请A市加快; a sentence copied from a
    body holds its words in the same order)."""
    out: dict[tuple[str, str], float] = {}
    for a, b in zip(tokens, tokens[1:], strict=False):
        w = min(q.get(a, 0.0), q.get(b, 0.0))
        if w > 0:
            out[(a, b)] = w
    return out


def _plain_vector(counts: Counter, weigher: _Weigher) -> dict[str, float]:
    out = {}
    for t, c in counts.items():
        f = weigher._factor(t)
        if f:
            out[t] = f * (1 + math.log(c)) if c > 1 else f
    return out


class _Fields:
    """The candidates' titles and bodies as token counts, for BM25F coverage."""

    def __init__(self, docs: list[tuple[list[str], list[str]]]):
        self.titles = [Counter(t) for t, _ in docs]
        self.bodies = [Counter(b) for _, b in docs]
        t_len = [len(t) for t, _ in docs]
        b_len = [len(b) for _, b in docs]
        avg_t = max(1.0, sum(t_len) / max(1, len(docs)))
        avg_b = max(1.0, sum(b_len) / max(1, len(docs)))
        self.t_norm = [1 - B + B * n / avg_t for n in t_len]
        self.b_norm = [1 - B + B * n / avg_b for n in b_len]

    def vector(self, i: int, weigher: _Weigher) -> dict[str, float]:
        """Candidate i's title and body start as one vector (sublinear tf x the weigher's factor)."""
        return _plain_vector(self.titles[i] + self.bodies[i], weigher)

    def coverage(self, q: dict[str, float]) -> list[float]:
        """How much of the query's weight each candidate holds, 0..1: sum over the query's words of
        weight x f / (f + K1), f the BM25F count of the word in title and body, over the weights' sum.

        Only the words a candidate holds are visited (a set intersection, in C), in the query's own order
        so that the sums are the very same floats: a body's text has a few hundred words, its candidates
        hold a few dozen of them (this loop was most of similar()'s Python time)."""
        total = sum(q.values())
        if not total:
            return [0.0] * len(self.titles)
        position = {t: n for n, t in enumerate(q)}
        words = q.keys()
        out = []
        for title, body, tn, bn in zip(self.titles, self.bodies, self.t_norm, self.b_norm, strict=True):
            got = 0.0
            for term in sorted((words & title.keys()) | (words & body.keys()), key=position.__getitem__):
                f = TITLE_FIELD_WEIGHT * title.get(term, 0) / tn + body.get(term, 0) / bn
                got += q[term] * f / (f + K1)
            out.append(got / total)
        return out


def similar(
    *,
    kind: str,
    text: str,
    organisation_ids: list[int] | None = None,
    exclude_ids: Iterable[int] = (),
    limit: int = 10,
    min_score: float = 0.2,
    is_title: bool = False,
) -> list[tuple[int, float]]:
    """Documents that look like they are on the same matter as `text` (a title, a sentence a member
    types, or title and body), as (object_id, score in 0..1), best first. `is_title`: the caller knows the
    text is a title (a form's title box, the queues' grouping of titles): its character pairs then count
    TITLE_CHAR_WEIGHT instead of CHAR_WEIGHT (a typed sentence or a body keeps CHAR_WEIGHT).

    Candidates: OR queries over the text's most informative tokens (see CANDIDATES above), first
    in titles, then in titles and bodies. Rank: the IDF-weighted cosine of the text against the
    candidate's title, plus COVERAGE_WEIGHT x its BM25F coverage (how much of the text's weight the
    title and the start of the body hold, `_Fields`), plus 1 for a title identical word for word; a text over
    CHAR_MAX characters also by the cosine of its start against the best candidates' title and body start
    (TEXT_WEIGHT), plus 1 for a body whose indexed start is the text's, word for word, whatever the text's
    length, or, for a text of CHAR_MAX characters or fewer, a body holding the text word for word (a pasted
    passage); a short text also by CHAR_WEIGHT x the character-pair cosine against the title (docs/search.md).
    Score: that rank over 1 + COVERAGE_WEIGHT, capped at 1; 1 for an identical title. Measured on real
    messages against TF-IDF and BM25 by `make eval` (docs/search.md).
    """
    _check_kind(kind)
    exclude_ids = list(exclude_ids)
    if (organisation_ids is not None and not organisation_ids) or limit <= 0:
        return []
    segmented = segment(text)
    tokens = [t for t in segmented if t not in _text.BOILERPLATE]
    if not tokens:
        return []
    n, df = _doc_freqs(kind, tokens)
    if not n:
        return []
    idf = {t: _idf(n, df.get(t, 0)) for t in set(tokens)}
    q = _Weigher(idf, 0.0).vector(tokens)
    backend_ = backend()
    probes = _probes(q, df, n, TITLE_BUDGET)
    if not probes:  # only common words: the least common one, in titles
        least = min((t for t in q if df.get(t)), key=lambda t: (df[t], t), default=None)
        probes = {least: q[least]} if least else {}
    rank_terms = dict(
        sorted(((t, w) for t, w in q.items() if not _text.is_generic(t)), key=lambda p: -p[1])[:12]
    )
    body_probes = _probes(q, df, n, BODY_BUDGET)
    rows, from_bodies = backend_.candidates(
        kind, probes, body_probes, organisation_ids, exclude_ids, CANDIDATES, BODY_CANDIDATES, rank_terms
    )
    if not rows and not from_bodies:
        return []
    # Every candidate's coverage of the text (title and body, BM25F); the title's cosine only for the
    # RERANK best by coverage and the RERANK best titles, whose words get their real weights.
    found = rows + from_bodies
    bodies = backend_.bodies([pk for pk, _, _ in found])
    words = [(title_tokens.split(), bodies.get(pk, ("", ""))[1].split()) for pk, _, title_tokens in found]
    fields = _Fields(words)
    coverage = fields.coverage(q)
    best = sorted(range(len(found)), key=lambda i: -coverage[i])[:RERANK]
    reranked = set(best) | set(range(min(RERANK, len(rows))))
    title_terms = {t for i in reranked for t in found[i][2].split()} - idf.keys()
    if title_terms:
        _, more = _doc_freqs(kind, title_terms)
        idf.update({t: _idf(n, more.get(t, 0)) for t in title_terms})
    weigher = _Weigher(idf, _idf(n, max(1, int(n * 0.01))))
    q_norm = math.sqrt(sum(w * w for w in q.values()))
    same = " ".join(segmented)  # the text is this title, words in the same order: before a reworded one
    order = _order_weights(tokens, q)
    char_weight = TITLE_CHAR_WEIGHT if is_title else CHAR_WEIGHT
    q_chars = _text.char_pairs(text) if char_weight and len(text) <= CHAR_MAX else None
    order_total = sum(order.values())
    long_text = TEXT_WEIGHT if not q_chars and len(text) > CHAR_MAX else 0.0
    scale = 1 + COVERAGE_WEIGHT + ORDER_WEIGHT + (char_weight if q_chars else long_text)
    same_start = same[:BODY_CHARS]  # a body that is the text word for word (a copy), whatever its length
    ranked = []
    for i, (pk, _object_id, title_tokens) in enumerate(found):
        t, o, c = 0.0, 0.0, 0.0
        if i in reranked:
            title_words, body_words = words[i]
            t = _cosine(q, q_norm, weigher.vector(title_words))
            if order_total:
                held = _pairs(title_words) | _pairs(body_words)
                o = sum(w for p, w in order.items() if p in held) / order_total
            if q_chars:
                c = char_weight * _text.char_cosine(q_chars, _text.char_pairs(bodies.get(pk, ("", ""))[0]))
        body_start = bodies.get(pk, ("", ""))[1]
        rank = t + COVERAGE_WEIGHT * coverage[i] + ORDER_WEIGHT * o + c
        # a copy: the text is this title or this body (as far as the index keeps it) word for word, or a
        # short text (a sentence) is a passage of this body word for word
        copy = title_tokens == same or body_start == same_start
        if not copy and q_chars and i in reranked:
            copy = f" {same} " in f" {body_start} "
        rank += 1.0 if copy else 0.0
        ranked.append([rank, t, i])
    if long_text and ranked:
        # A longer text (a body, a proposal's text): the best TEXT_RERANK also by the cosine of the text's
        # start against the candidate's title and body start (the same BODY_CHARS of tokens the index
        # returns): coverage asks how much of the text a candidate holds, so a longer body holding all of
        # it tied with the text itself; the cosine also counts what the candidate says besides.
        start = _plain_vector(Counter(same[:BODY_CHARS].split()), weigher)
        start_norm = math.sqrt(sum(w * w for w in start.values()))
        for entry in heapq.nlargest(max(TEXT_RERANK, 2 * limit), ranked) if start_norm else ():
            entry[0] += long_text * _cosine(start, start_norm, fields.vector(entry[2], weigher))
    scored = []
    for rank, t, i in ranked:
        score = 1.0 if t >= 0.9999 else min(rank / scale, 1.0)
        if score >= min_score:
            scored.append((found[i][1], round(score, 4), rank))
    scored.sort(key=lambda c: (-c[1], -c[2], -c[0]))
    return [(object_id, score) for object_id, score, _ in scored[:limit]]
