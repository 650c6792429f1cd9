"""`make eval`: how well zhengxie.search's similar() finds near-duplicates on real Chinese government
messages, beside classic baselines computed in the same run on the same queries.

    .venv/bin/python bench/eval_similar.py                   # SQLite, and PostgreSQL when reachable
    .venv/bin/python bench/eval_similar.py --engine sqlite --queries 100
    .venv/bin/python bench/eval_similar.py --before /tmp/wt-old   # also the code of another checkout

Data: ../shared/data/taidi2020 (TAIDI2020_DIR overrides): the 2020 TipDM Cup problem C messages
(licence: internal evaluation only, never copied into the project). The corpus is attachment 3,
attachment 4 and the labelled messages, deduplicated on (title, body): 8,327 distinct messages. The
labelled test split is only a source of texts here: nothing is trained or tuned on any file.

Design (fixed seed, the same queries for every method):
- The messages are indexed THROUGH the project's search app, as an organisation's items would be:
  `rebuild` for all but the last 200, then `index_document` one by one, into a throw-away database
  (a temp SQLite file; on PostgreSQL a database zx_eval_<pid>, dropped after).
- (a) title: a message's title against the others (itself excluded). Relevant: the other messages with
  the same title (whitespace ignored) and the other members of its hot-issue group
  (taidi2020_hot_issue_groups_model_output.csv, a contest team's clustering: noisy). P@5 = relevant in
  the top 5 / min(5, relevant); MRR of the first relevant in the top 10.
- (a1)/(a2): (a)'s queries split in two halves by connected group (title_halves: no answer of one half
  is a query of the other), scored from (a)'s own ranked lists. A weight may be chosen on (a1) only;
  (a2) is the out-of-sample figure. `--tune-char 0,1,2,3,4` tries similar()'s CHAR_WEIGHT on one index
  and reports (a1), (a2), (a) and (b) at each (`--tune-big` the same for (d)); the pick is (a1)'s best MRR.
  `--tune-title 2,3,4` the same for TITLE_CHAR_WEIGHT, the weight of a text the caller calls a title
  (is_title=True, as (a) is asked): (b) must not move with it.
- (b) sentence: the first sentence of a message's body (cut at 。！？!?；; or a line break), kept when it
  has 10-40 characters, as a member would type it, and when it occurs in no other message (so the
  answer is unambiguous). The message must be found: R@5 and MRR@10.
- (c) body: a whole body (title left out) whose text no other message has; R@5 and MRR@10.
- (d) sentence at ~100,000: the (b) queries after padding the index to 100,000 texts with variations
  of the real ones: a real title with its place code changed and its second half from another title,
  and a body of 2-6 sentences (never a first sentence) of random real messages, shuffled.
- similar() is called as the callers call it: organisation_ids=[the organisation], limit 10,
  min_score 0.1 (proposals.selectors.similar_proposals); (a) with is_title=True, as the title boxes and
  the queues' grouping of titles call it (when the code has it: --before may be older). Latency p50/p95 is the wall time of those
  calls; the SQL statements of one call are counted at both sizes (they must not grow).
- Baselines, over the same documents (titles only for (a), title + body otherwise), scored exhaustively
  (every document, no candidate step): TF-IDF cosine on jieba words (rjieba precise mode), TF-IDF
  cosine on character 2-grams (both with sublinear tf, smoothed idf, l2 norm, as scikit-learn's
  TfidfVectorizer(sublinear_tf=True)), and Okapi BM25 on jieba words (k1 1.2, b 0.75). They are
  written here in numpy (installed with scikit-learn, a project dependency): an inverted index of (term, document,
  weight) arrays and one np.bincount per query, a few dozen lines each, exact and fast at 100,000
  documents, where a library would add a dependency for no more than that.
"""

from __future__ import annotations

import argparse
import csv
import inspect
import json
import math
import os
import random
import re
import statistics
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

ROOT = common.ROOT
DATA = Path(os.environ.get("TAIDI2020_DIR", ROOT.parent / "shared" / "data" / "taidi2020"))
FILES = (
    "taidi2020_attachment3_messages_with_votes.csv",
    "taidi2020_attachment4_messages_with_replies.csv",
    "taidi2020_labeled_messages_merged.csv",
)
HOT = "taidi2020_hot_issue_groups_model_output.csv"
KIND = "message"
SEED = 2020
TOP = 10
LIMIT_TARGET = 100.0  # ms, p95 of similar()
KINDS = {
    "title": "(a) a title against titles (same-title and hot-issue groups)",
    "title_tune": "(a1) the same, tuning half (weights may be chosen on it)",
    "title_test": "(a2) the same, held-out half (never tuned on)",
    "sentence": "(b) the first sentence of a message (10-40 characters)",
    "body": "(c) a whole message body",
    "sentence_big": "(d) the first sentence, at ~100,000 texts",
}
HALVES = ("title_tune", "title_test")  # (a) split by connected group: scored from (a)'s ranked lists
METRICS = {
    "title": ("P@5", "MRR"),
    "title_tune": ("P@5", "MRR"),
    "title_test": ("P@5", "MRR"),
    "sentence": ("R@5", "MRR"),
    "body": ("R@5", "MRR"),
    "sentence_big": ("R@5", "MRR"),
}
BASELINES = {
    "tfidf_words": "TF-IDF jieba words",
    "tfidf_char2": "TF-IDF char 2-grams",
    "bm25": "BM25 jieba words",
}
_SENTENCE_END = re.compile(r"[。！？!?；;\n\r]")
_WORD = re.compile(r"[^\W_]+")
_GREETING = re.compile(r"您好|你好|尊敬的|^[^，,]{1,12}[:：]$")
_PLACE = re.compile(r"[A-Z]\d*[市区县]")


# --- the corpus and the queries ---------------------------------------------------------------------


def load_corpus() -> tuple[list[dict], dict[str, list[int]]]:
    """([{object_id, title, body}], {留言编号: [object ids]}) deduplicated on (title, body)."""
    docs: list[dict] = []
    by_text: dict[tuple[str, str], int] = {}
    by_number: dict[str, list[int]] = {}
    for name in FILES:
        with open(DATA / name, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                title, body = row["留言主题"].strip(), row["留言详情"].strip()
                key = (title, body)
                if key not in by_text:
                    by_text[key] = len(docs) + 1
                    docs.append({"object_id": len(docs) + 1, "title": title, "body": body})
                ids = by_number.setdefault(row["留言编号"].strip(), [])
                if by_text[key] not in ids:
                    ids.append(by_text[key])
    return docs, by_number


def first_sentence(body: str) -> str:
    """The first sentence that is not a greeting (尊敬的…领导：您好), whitespace runs made one space."""
    for piece in _SENTENCE_END.split(body):
        piece = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", piece)).strip(" ，,：:、")
        if piece and not _GREETING.search(piece):
            return piece
    return ""


def make_queries(docs: list[dict], by_number: dict[str, list[int]], n: int) -> dict[str, list[dict]]:
    """{kind: [{text, exclude, relevant}]} — the same for every method and engine (seeded)."""
    rng = random.Random(SEED)
    related: dict[int, set[int]] = {}
    by_title: dict[str, list[int]] = {}
    for d in docs:
        by_title.setdefault(re.sub(r"\s+", "", d["title"]), []).append(d["object_id"])
    for ids in by_title.values():
        if len(ids) > 1:
            for i in ids:
                related.setdefault(i, set()).update(ids)
    with open(DATA / HOT, encoding="utf-8", newline="") as fh:
        groups: dict[str, set[int]] = {}
        for row in csv.DictReader(fh):
            groups.setdefault(row["问题ID"], set()).update(by_number.get(row["留言编号"].strip(), []))
    for ids in groups.values():
        for i in ids:
            related.setdefault(i, set()).update(ids)
    title_q = [
        {"text": docs[i - 1]["title"], "exclude": [i], "relevant": sorted(rel - {i})}
        for i, rel in sorted(related.items())
        if rel - {i}
    ]
    haystack = "\x00".join(f"{d['title']}\x01{d['body']}" for d in docs)
    order = list(range(len(docs)))
    rng.shuffle(order)
    sentence_q = []
    for i in order:
        s = first_sentence(docs[i]["body"])
        if 10 <= len(s) <= 40 and haystack.count(s) == 1:  # whitespace as in the message: found once
            sentence_q.append({"text": s, "exclude": [], "relevant": [docs[i]["object_id"]]})
            if len(sentence_q) >= n:
                break
    bodies = Counter(d["body"] for d in docs)
    rng.shuffle(order)
    body_q = [
        {"text": docs[i]["body"], "exclude": [], "relevant": [docs[i]["object_id"]]}
        for i in order
        if bodies[docs[i]["body"]] == 1 and len(docs[i]["body"]) >= 20
    ][: max(1, n * 3 // 4)]
    tune, test = title_halves(title_q)
    return {
        "title": title_q,
        "title_tune": tune,
        "title_test": test,
        "sentence": sentence_q,
        "body": body_q,
        "sentence_big": sentence_q,
    }


def title_halves(title_q: list[dict]) -> tuple[list[int], list[int]]:
    """The (a) queries split in two halves by connected group (a query, its relevant messages and theirs
    all fall in one half, so no answer of one half is a query of the other): the groups shuffled (seed
    SEED + 17), each put in the half with fewer queries so far. Indexes into title_q."""
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for q in title_q:
        for r in q["relevant"]:
            parent[find(r)] = find(q["exclude"][0])
    comps: dict[int, list[int]] = {}
    for n, q in enumerate(title_q):
        comps.setdefault(find(q["exclude"][0]), []).append(n)
    groups = sorted(comps.values())
    random.Random(SEED + 17).shuffle(groups)
    halves: tuple[list[int], list[int]] = ([], [])
    for g in groups:
        min(halves, key=len).extend(g)
    return sorted(halves[0]), sorted(halves[1])


def padding(docs: list[dict], total: int) -> list[dict]:
    """Variations of the real messages up to `total` documents (see the module's docstring)."""
    rng = random.Random(SEED + 1)
    sentences = []
    for d in docs:
        pieces = [p.strip() for p in _SENTENCE_END.split(d["body"]) if p.strip()]
        sentences += [p for p in pieces[1:] if len(p) >= 6]
    places = sorted({m for d in docs for m in _PLACE.findall(d["title"])}) or ["A市"]
    out = []
    for object_id in range(len(docs) + 1, total + 1):
        a, b = rng.choice(docs)["title"], rng.choice(docs)["title"]
        title = _PLACE.sub(lambda _m: rng.choice(places), a[: len(a) // 2]) + b[len(b) // 2 :]
        body = "。".join(rng.choice(sentences) for _ in range(rng.randint(2, 6))) + "。"
        out.append({"object_id": object_id, "title": title, "body": body})
    return out


# --- the baselines ----------------------------------------------------------------------------------


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


def words(text: str) -> list[str]:
    import rjieba

    return [w for raw in rjieba.cut(_normalise(text), False) for w in _WORD.findall(raw)]


def char2(text: str) -> list[str]:
    out = []
    for run in _WORD.findall(_normalise(text)):
        out += [run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)]
    return out


class Exhaustive:
    """An inverted index of numpy arrays; `scheme` "tfidf" (cosine) or "bm25"."""

    def __init__(self, texts: list[str], tokenize, scheme: str, k1: float = 1.2, b: float = 0.75):
        import numpy as np

        self.np, self.tokenize, self.scheme, self.k1 = np, tokenize, scheme, k1
        self.vocab: dict[str, int] = {}
        terms, docs, tfs, lengths = [], [], [], []
        for d, text in enumerate(texts):
            counts = Counter(tokenize(text))
            lengths.append(sum(counts.values()))
            for t, c in counts.items():
                terms.append(self.vocab.setdefault(t, len(self.vocab)))
                docs.append(d)
                tfs.append(c)
        t, d, tf = np.array(terms, np.int32), np.array(docs, np.int32), np.array(tfs, np.float64)
        self.n, v = len(texts), len(self.vocab)
        df = np.bincount(t, minlength=v).astype(np.float64)
        if scheme == "bm25":
            self.idf = np.log(1 + (self.n - df + 0.5) / (df + 0.5))
            length = np.array(lengths, np.float64)
            norm = k1 * (1 - b + b * length / max(length.mean(), 1e-9))
            w = self.idf[t] * tf * (k1 + 1) / (tf + norm[d])
        else:
            self.idf = np.log((1 + self.n) / (1 + df)) + 1
            w = (1 + np.log(tf)) * self.idf[t]
            w /= np.sqrt(np.bincount(d, weights=w * w, minlength=self.n))[d]
        order = np.argsort(t, kind="stable")
        self.docs, self.weights = d[order], w[order]
        self.ptr = np.concatenate([[0], np.cumsum(np.bincount(t, minlength=v))])

    def top(self, text: str, exclude: list[int], k: int = TOP) -> list[int]:
        """Document indexes (0-based), best first."""
        np = self.np
        counts = Counter(t for t in self.tokenize(text) if t in self.vocab)
        if not counts:
            return []
        ids, ws = [], []
        for t, c in counts.items():
            i = self.vocab[t]
            lo, hi = self.ptr[i], self.ptr[i + 1]
            q = c if self.scheme == "bm25" else (1 + math.log(c)) * self.idf[i]
            ids.append(self.docs[lo:hi])
            ws.append(self.weights[lo:hi] * q)
        scores = np.bincount(np.concatenate(ids), weights=np.concatenate(ws), minlength=self.n)
        scores[exclude] = -1.0
        best = np.argpartition(-scores, min(k, self.n - 1))[:k]
        best = best[np.argsort(-scores[best], kind="stable")]
        return [int(i) for i in best if scores[i] > 0]


def score_halves(out: dict, queries: dict, ranked: list[list[int]], extra: dict | None = None) -> None:
    """out["title_tune"/"title_test"] from (a)'s ranked lists (queries[half] holds indexes into (a))."""
    for half in HALVES:
        picked = queries[half]
        got = score("title", [queries["title"][i] for i in picked], [ranked[i] for i in picked])
        out[half] = {**got, **(extra or {})}


def score(kind: str, queries: list[dict], ranked: list[list[int]]) -> dict:
    first, at5 = [], []
    for q, found in zip(queries, ranked, strict=True):
        rel = set(q["relevant"])
        rank = next((r for r, i in enumerate(found[:TOP], 1) if i in rel), None)
        first.append(1 / rank if rank else 0.0)
        hits = sum(1 for i in found[:5] if i in rel)
        at5.append(hits / min(5, len(rel)) if kind == "title" else float(hits > 0))
    n = max(1, len(queries))
    return {"at5": round(sum(at5) / n, 3), "mrr": round(sum(first) / n, 3), "queries": len(queries)}


def baselines(docs: list[dict], queries: dict[str, list[dict]], big: int) -> dict:
    """{method: {kind: figures}} for the exhaustive baselines; object ids are index + 1."""
    out: dict[str, dict] = {name: {} for name in BASELINES}
    tokenizers = {"tfidf_words": (words, "tfidf"), "tfidf_char2": (char2, "tfidf"), "bm25": (words, "bm25")}
    corpora = {
        "title": [d["title"] for d in docs],
        "full": [f"{d['title']}\n{d['body']}" for d in docs],
    }
    padded = corpora["full"] + [f"{d['title']}\n{d['body']}" for d in padding(docs, big)]
    for name, (tok, scheme) in tokenizers.items():
        t0 = time.perf_counter()
        indexes = {c: Exhaustive(texts, tok, scheme) for c, texts in corpora.items()}
        for kind, corpus in (("title", "title"), ("sentence", "full"), ("body", "full")):
            index = indexes[corpus]
            ranked = [
                [i + 1 for i in index.top(q["text"], [e - 1 for e in q["exclude"]])] for q in queries[kind]
            ]
            out[name][kind] = score(kind, queries[kind], ranked)
            if kind == "title":
                score_halves(out[name], queries, ranked)
        index = Exhaustive(padded, tok, scheme)
        ranked = [[i + 1 for i in index.top(q["text"], [])] for q in queries["sentence_big"]]
        out[name]["sentence_big"] = score("sentence_big", queries["sentence_big"], ranked)
        common.log(f"[baseline] {BASELINES[name]}: {out[name]} ({time.perf_counter() - t0:.0f} s)")
    return out


# --- the project's similar(), in a child process on a throw-away database ---------------------------


def child(args) -> dict:
    if args.root:  # another checkout's code (--before): first on sys.path
        common.ROOT = Path(args.root)
    common.setup_django()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", verbosity=0)
    from zhengxie.core.models import Organisation
    from zhengxie.search import services

    org = Organisation.add_root(name="评测政协", kind="city", code="eval-city")
    docs, by_number = load_corpus()
    queries = make_queries(docs, by_number, args.queries)
    out: dict = {"engine": connection.vendor, "code": services.__file__, "sizes": {}}
    out["char_weight"] = getattr(services, "CHAR_WEIGHT", None)
    out["title_char_weight"] = getattr(services, "TITLE_CHAR_WEIGHT", None)
    titled = "is_title" in inspect.signature(services.similar).parameters

    def index(items: list[dict]) -> float:
        t0 = time.perf_counter()
        rows = [{**d, "organisation_id": org.id, "year": 2019} for d in items]
        services.rebuild(KIND, rows[:-200])
        for row in rows[-200:]:
            services.index_document(kind=KIND, **row)
        common.analyze(connection)
        return time.perf_counter() - t0

    def measure(kind: str, ranked_out: list | None = None) -> dict:
        ranked, took = ranked_out if ranked_out is not None else [], []
        for q in queries[kind]:
            t0 = time.perf_counter()
            found = services.similar(
                kind=KIND,
                text=q["text"],
                organisation_ids=[org.id],
                exclude_ids=q["exclude"],
                limit=TOP,
                min_score=0.1,
                **({"is_title": True} if titled and kind == "title" else {}),
            )
            took.append(time.perf_counter() - t0)
            ranked.append([i for i, _ in found])
        with CaptureQueriesContext(connection) as ctx:
            services.similar(kind=KIND, text=queries[kind][0]["text"], organisation_ids=[org.id], limit=TOP)
        ms = [t * 1000 for t in took]
        return {
            **score(kind, queries[kind], ranked),
            "p50": round(statistics.median(ms), 1),
            "p95": round(common.percentile(ms, 95), 1),
            "sql": len(ctx.captured_queries),
        }

    seconds = index(docs)
    common.log(f"[{out['engine']}] indexed {len(docs):,} messages in {seconds:.0f} s")
    out["sizes"]["small"] = len(docs)
    for kind in ("title", "sentence", "body"):
        ranked: list = []
        out[kind] = measure(kind, ranked)
        if kind == "title":
            score_halves(out, queries, ranked, {k: out[kind][k] for k in ("p50", "p95", "sql")})
        common.log(f"[{out['engine']}] {kind}: {out[kind]}")
    if args.tune_char:
        out["tune"] = tune_char(services, measure, queries, args.tune_char)
    if args.tune_title:
        out["tune_title"] = tune_char(services, measure, queries, args.tune_title, "TITLE_CHAR_WEIGHT")
    if not args.big:
        connection.close()
        return out
    big = docs + padding(docs, args.big)
    seconds = index(big)
    common.log(f"[{out['engine']}] indexed {len(big):,} texts in {seconds:.0f} s")
    out["sizes"]["big"] = len(big)
    out["sentence_big"] = measure("sentence_big")
    common.log(f"[{out['engine']}] sentence_big: {out['sentence_big']}")
    if args.tune_big:
        kept, out["tune_big"] = services.CHAR_WEIGHT, []
        try:
            for w in (float(x) for x in args.tune_big.split(",")):
                services.CHAR_WEIGHT = w
                out["tune_big"].append({"weight": w, "sentence_big": measure("sentence_big")})
                common.log(f"[tune] CHAR_WEIGHT {w} at {len(big):,}: {out['tune_big'][-1]}")
        finally:
            services.CHAR_WEIGHT = kept
    connection.close()
    return out


def tune_char(services, measure, queries: dict, weights: str, name: str = "CHAR_WEIGHT") -> list[dict]:
    """similar()'s CHAR_WEIGHT (or `name`) tried at each of `weights` on the same index: (a)'s two halves
    and (b) at each. The weight is to be chosen on the tuning half (a1) alone; (a2) says what it is worth
    outside."""
    kept, rows = getattr(services, name), []
    try:
        for w in (float(x) for x in weights.split(",")):
            setattr(services, name, w)
            ranked: list = []
            row = {"weight": w, "title": measure("title", ranked)}
            score_halves(row, queries, ranked)
            row["sentence"] = measure("sentence")
            rows.append(row)
            common.log(f"[tune] {name} {w}: {row}")
    finally:
        setattr(services, name, kept)
    return rows


def run_project(engine: str, args, tmp: Path, root: str | None, tag: str) -> dict:
    extra = ["--queries", str(args.queries), "--big", str(args.big)] + (["--root", root] if root else [])
    extra += ["--tune-char", args.tune_char] if args.tune_char else []
    extra += ["--tune-big", args.tune_big] if args.tune_big else []
    extra += ["--tune-title", args.tune_title] if args.tune_title else []
    out = tmp / f"{engine}-{tag}.json"
    if engine == "sqlite":
        return common.child_json(__file__, None, f"sqlite:///{tmp}/eval-{tag}.sqlite3", extra, out)
    name = f"zx_eval_{os.getpid()}"
    url = common.pg_create(args.pg_url, name)
    try:
        return common.child_json(__file__, None, url, extra, out)
    finally:
        common.pg_drop(args.pg_url, name)


# --- the report -------------------------------------------------------------------------------------


def report(runs: list[dict], before: list[dict], base: dict, args) -> tuple[str, list[dict]]:
    verdicts = []
    rows = []
    kinds = [k for k in KINDS if all(k in run for run in runs)]  # (d) only when --big
    for kind in kinds:
        label = KINDS[kind]
        m5, mrr = METRICS[kind]
        best = max(BASELINES, key=lambda b: (base[b][kind]["at5"], base[b][kind]["mrr"]))
        b5, bmrr = base[best][kind]["at5"], base[best][kind]["mrr"]
        for run in runs:
            r = run[kind]
            beats = r["at5"] >= b5 and r["mrr"] >= bmrr  # a perfect baseline can only be matched
            verdicts.append(
                {
                    "kind": kind,
                    "engine": run["engine"],
                    "at5": r["at5"],
                    "mrr": r["mrr"],
                    "best": BASELINES[best],
                    "best_at5": b5,
                    "best_mrr": bmrr,
                    "beats": beats,
                    "p95": r["p95"],
                }
            )
        cells = [f"{label} ({runs[0][kind]['queries']} queries)", f"{m5} / {mrr}"]
        cells += [f"{run[kind]['at5']:.3f} / {run[kind]['mrr']:.3f}" for run in runs]
        cells += [
            f"{run[kind]['at5']:.3f} / {run[kind]['mrr']:.3f}" if kind in run else "–" for run in before
        ]
        cells += [f"{base[b][kind]['at5']:.3f} / {base[b][kind]['mrr']:.3f}" for b in BASELINES]
        cells.append(
            "≥ " + BASELINES[best]
            if all(v["beats"] for v in verdicts if v["kind"] == kind)
            else f"**below** {BASELINES[best]}"
        )
        rows.append(cells)
    headers = ["query", "metric"] + [f"similar() {r['engine']}" for r in runs]
    headers += [f"before, {r['engine']}" for r in before] + list(BASELINES.values()) + ["verdict"]
    lat_rows = [
        [
            run["engine"],
            KINDS[kind].split(" ", 1)[0],
            run["sizes"]["big" if kind == "sentence_big" else "small"],
        ]
        + [run[kind]["p50"], run[kind]["p95"], run[kind]["sql"]]
        + (
            [b[kind]["p50"], b[kind]["p95"]]
            if (b := next((x for x in before if x["engine"] == run["engine"]), None))
            else []
        )
        + ["pass" if run[kind]["p95"] <= LIMIT_TARGET else "**MISS**"]
        for run in runs
        for kind in kinds
        if kind not in HALVES  # (a)'s calls, scored by half
    ]
    lat_headers = ["engine", "query", "texts", "p50 ms", "p95 ms", "SQL statements"]
    lat_headers += ["before p50", "before p95"] if before else []
    lat_headers.append(f"p95 ≤ {LIMIT_TARGET:g}")
    sizes = runs[0]["sizes"]
    text = (
        f"`bench/eval_similar.py`: near-duplicate retrieval on the taidi2020 messages ({sizes['small']:,} "
        f"distinct messages; {sizes.get('big', 0):,} texts for (d)), indexed through zhengxie.search, against "
        "exhaustive baselines on the same queries in the same run. Design in the script's docstring and "
        "docs/search.md. Cells: the two figures of the metric column. Verdict: similar() on every engine at least as good as the best baseline on both figures.\n\n"
        + common.md_table(headers, rows)
        + "\n\nsimilar() latency (wall time of every evaluated call) and SQL statements of one call:\n\n"
        + common.md_table(lat_headers, lat_rows)
        + "\n\n"
        + tune_table(runs, base)
        + f"- load average {common.load_avg()}; {args.queries} sentence queries asked."
        + (f"\n- before: the code of `{args.before}`." if before else "")
    )
    return text, verdicts


def tune_table(runs: list[dict], base: dict) -> str:
    """The --tune-char table: each weight's (a1) tuning half, (a2) held-out half and (b); the weight the
    tuning half picks (best MRR, then P@5, then the smaller weight) and what it gives on the held-out half."""
    out = ""
    tuned = (
        ("tune", "--tune-char", "CHAR_WEIGHT", "char_weight"),
        ("tune_title", "--tune-title", "TITLE_CHAR_WEIGHT", "title_char_weight"),
    )
    for run, (key, flag, name, code) in ((run, t) for run in runs for t in tuned):
        if not run.get(key):
            continue
        rows = run[key]
        pick = max(rows, key=lambda r: (r["title_tune"]["mrr"], r["title_tune"]["at5"], -r["weight"]))
        fig = lambda f: f"{f['at5']:.3f} / {f['mrr']:.3f}"  # noqa: E731
        table = [
            [
                f"**{r['weight']:g}** (picked on a1)" if r is pick else f"{r['weight']:g}",
                fig(r["title_tune"]),
                fig(r["title_test"]),
                fig(r["title"]),
                fig(r["sentence"]),
            ]
            for r in rows
        ]
        table.append(
            ["char 2-gram TF-IDF"]
            + [fig(base["tfidf_char2"][k]) for k in ("title_tune", "title_test", "title", "sentence")]
        )
        table.append(
            ["BM25 words"] + [fig(base["bm25"][k]) for k in ("title_tune", "title_test", "title", "sentence")]
        )
        out += (
            f"similar()'s {name} tried on one {run['engine']} index ({flag}; the code's "
            f"is {run.get(code, '?')}): (a) split by connected group into a tuning half (a1, "
            f"{run['title_tune']['queries']} queries) and a held-out half (a2, {run['title_test']['queries']}). "
            "The weight is picked on a1 alone; a2 is its out-of-sample figure.\n\n"
            + common.md_table(
                [name, "(a1) tuning P@5 / MRR", "(a2) held-out", "(a) all", "(b) R@5 / MRR"], table
            )
            + "\n\n"
        )
    for run in runs:
        if run.get("tune_big"):
            out += (
                f"The same on (d), {run['sizes']['big']:,} texts ({run['engine']}): "
                + ", ".join(
                    f"{r['weight']:g}: {r['sentence_big']['at5']:.3f} / {r['sentence_big']['mrr']:.3f}"
                    for r in run["tune_big"]
                )
                + f" (BM25 words {base['bm25']['sentence_big']['at5']:.3f} / {base['bm25']['sentence_big']['mrr']:.3f}).\n\n"
            )
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    common.add_common_args(p)
    p.add_argument("--queries", type=int, default=400, help="first-sentence queries (bodies: 3/4 of it)")
    p.add_argument("--big", type=int, default=100_000, help="texts for (d)")
    p.add_argument(
        "--tune-char",
        help="similar()'s CHAR_WEIGHT values to try (e.g. 0,1,2,3): (a) by half and (b) at each, on the same index",
    )
    p.add_argument("--tune-big", help="CHAR_WEIGHT values to try on (d), at the --big size")
    p.add_argument(
        "--tune-title",
        help="similar()'s TITLE_CHAR_WEIGHT values to try (the (a) titles are asked with is_title=True), as --tune-char",
    )
    p.add_argument("--before", help="a checkout (e.g. a git worktree) whose zhengxie.search to compare with")
    p.add_argument("--child", action="store_true")
    p.add_argument("--root")
    args = p.parse_args()
    if args.child:
        Path(args.out).write_text(json.dumps(child(args), ensure_ascii=False))
        return
    if not (DATA / FILES[0]).exists():
        sys.exit(f"eval_similar: no data at {DATA} (set TAIDI2020_DIR)")
    engines = common.engines(args)
    if "postgresql" in engines and not common.pg_reachable(args.pg_url):
        engines = ["sqlite"]
    docs, by_number = load_corpus()
    queries = make_queries(docs, by_number, args.queries)
    common.log(f"{len(docs):,} messages; queries: " + ", ".join(f"{k} {len(v)}" for k, v in queries.items()))
    base = baselines(docs, queries, args.big)
    runs, before = [], []
    with tempfile.TemporaryDirectory(prefix="zx-eval-", dir=args.tmpdir) as tmp:
        for engine in engines:
            runs.append(run_project(engine, args, Path(tmp), None, "now"))
            if args.before:
                before.append(
                    run_project(engine, args, Path(tmp), str(Path(args.before).resolve()), "before")
                )
    text, verdicts = report(runs, before, base, args)
    common.write_outputs(
        args, {"runs": runs, "before": before, "baselines": base, "verdicts": verdicts}, text
    )


if __name__ == "__main__":
    main()
