"""The routing model itself: character 1–2-gram TF-IDF and linear heads, trained with scikit-learn and
kept as plain arrays (no pickle), so a suggestion needs numpy alone and loads from the database safely.

Design (docs/routing.md; figures in bench/RESULTS.md): a message's characters and character pairs,
sublinear term frequency times idf, L2-normalised; one linear SVM per head (the category of each kind;
the handling units across kinds). Chosen by 5-fold cross-validation on the TipDM sample (never on the
test split) against words, pairs alone, unigrams alone, naive Bayes and logistic regression.
"""

from __future__ import annotations

import io
import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

_SPACE = re.compile(r"\s+")
BODY_CHARS = 1500  # a long body adds little after its first paragraphs, and costs time
TEMPERATURE = 0.3  # softmax over SVM scores: an approximate confidence, shown rounded


def normalise(text: str) -> str:
    return _SPACE.sub(" ", (text or "").lower()).strip()


def item_text(title: str, body: str = "") -> str:
    return f"{title or ''}。{(body or '')[:BODY_CHARS]}"


def grams(text: str) -> list[str]:
    """Characters and character pairs (no gram made of spaces alone)."""
    t = normalise(text)
    out = [c for c in t if c != " "]
    out += [t[i : i + 2] for i in range(len(t) - 1) if " " not in t[i : i + 2]]
    return out


@dataclass
class Head:
    classes: list
    coef: np.ndarray  # (k, V) float32; k == 1 and zeros when the head knows one class only
    intercept: np.ndarray  # (k,)

    def scores(self, idx: np.ndarray, vals: np.ndarray) -> np.ndarray:
        if len(self.classes) == 1:
            return np.zeros(1, dtype=np.float32)
        return self.coef[:, idx] @ vals + self.intercept


@dataclass
class Model:
    vocab: dict[str, int]
    idf: np.ndarray
    heads: dict[str, Head] = field(default_factory=dict)
    # The past items it learnt from, for the reasons ("the past items most like it and where they went"):
    # their vectors (CSR: indptr, indices, data) and what is shown of them ({kind, id, title, category,
    # units}), in the same order.
    item_rows: tuple | None = None
    items: list[dict] = field(default_factory=list)

    def features(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        counts = Counter(g for g in grams(text) if g in self.vocab)
        if not counts:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        idx = np.fromiter((self.vocab[g] for g in counts), dtype=np.int64, count=len(counts))
        tf = np.fromiter((1.0 + math.log(c) for c in counts.values()), dtype=np.float32, count=len(counts))
        vals = tf * self.idf[idx]
        norm = float(np.sqrt((vals * vals).sum())) or 1.0
        return idx, vals / norm

    def rank(self, head: str, text: str, k: int = 3, feats=None) -> list[tuple[object, float]]:
        """The head's k best classes with a softmax confidence, best first; [] without that head."""
        h = self.heads.get(head)
        if h is None or not h.classes:
            return []
        idx, vals = feats if feats is not None else self.features(text)
        s = h.scores(idx, vals).astype(np.float64)
        p = np.exp((s - s.max()) / TEMPERATURE)
        p /= p.sum()
        order = np.argsort(-s)[:k]
        return [(h.classes[i], float(p[i])) for i in order]

    def nearest(self, feats, *, kind: str, exclude_id=None, k: int = 3, min_score: float = 0.15) -> list:
        """The k past items of `kind` most like the text (cosine of their TF-IDF vectors), best first:
        [(item dict, score)]."""
        if self.item_rows is None or not self.items:
            return []
        from scipy.sparse import csr_matrix

        idx, vals = feats
        if not len(idx):
            return []
        indptr, indices, data = self.item_rows
        X = csr_matrix((data, indices, indptr), shape=(len(self.items), len(self.vocab)))
        q = np.zeros(len(self.vocab), dtype=np.float32)
        q[idx] = vals
        sims = X @ q
        order = np.argsort(-sims)
        out = []
        for i in order:
            if sims[i] < min_score or len(out) == k:
                break
            it = self.items[i]
            if it["kind"] == kind and it["id"] != exclude_id:
                out.append((it, float(sims[i])))
        return out

    # --- storage: one compressed .npz, the vocabulary and classes as JSON inside it -----------------------

    def to_bytes(self) -> bytes:
        arrays = {"idf": self.idf.astype(np.float32)}
        meta = {"vocab": self.vocab, "heads": {}, "items": self.items}
        if self.item_rows is not None:
            arrays["item_indptr"], arrays["item_indices"], arrays["item_data"] = (
                self.item_rows[0].astype(np.int64),
                self.item_rows[1].astype(np.int32),
                self.item_rows[2].astype(np.float16),
            )
        for name, h in self.heads.items():
            meta["heads"][name] = h.classes
            arrays[f"coef__{name}"] = h.coef.astype(np.float16)  # half the size; ranking unchanged
            arrays[f"icpt__{name}"] = h.intercept.astype(np.float32)
        arrays["meta"] = np.frombuffer(json.dumps(meta, ensure_ascii=False).encode(), dtype=np.uint8)
        buf = io.BytesIO()
        np.savez_compressed(buf, **arrays)
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> Model:
        z = np.load(io.BytesIO(bytes(data)), allow_pickle=False)
        meta = json.loads(z["meta"].tobytes().decode())
        heads = {
            name: Head(classes, z[f"coef__{name}"].astype(np.float32), z[f"icpt__{name}"])
            for name, classes in meta["heads"].items()
        }
        rows = None
        if "item_indptr" in z.files:
            rows = (z["item_indptr"], z["item_indices"], z["item_data"].astype(np.float32))
        return cls(
            vocab=meta["vocab"], idf=z["idf"], heads=heads, item_rows=rows, items=meta.get("items", [])
        )


def train(
    texts: list[str],
    heads: dict[str, list[tuple[int, object, float]]],
    *,
    c: float = 1.0,
    items: dict[int, dict] | None = None,
) -> Model:
    """Fit the vectoriser on every text, then each head on its (text index, label, weight) rows. A text may
    appear several times in a head with different labels (an item sent to several units). `items` ({text
    index: what to show}) are kept with their vectors for the reasons."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    texts = [t or "" for t in texts]
    vec = TfidfVectorizer(
        analyzer=grams,
        sublinear_tf=True,
        min_df=2 if len(texts) >= 200 else 1,
        max_features=60000,
        dtype=np.float32,
    )
    if texts:
        X = vec.fit_transform(texts)
        vocab = {g: int(i) for g, i in vec.vocabulary_.items()}
        idf = vec.idf_.astype(np.float32)
    else:
        X, vocab, idf = None, {}, np.zeros(0, dtype=np.float32)
    model = Model(vocab=vocab, idf=idf)
    if items and X is not None:
        keep = sorted(items)
        rows = X[keep].tocsr()
        model.item_rows = (rows.indptr, rows.indices, rows.data)
        model.items = [items[i] for i in keep]
    V = len(vocab)
    for name, rows in heads.items():
        labels = sorted({lab for _, lab, _ in rows}, key=str)
        if not labels:
            continue
        if len(labels) == 1:
            model.heads[name] = Head(labels, np.zeros((1, V), np.float32), np.zeros(1, np.float32))
            continue
        clf = LinearSVC(C=c)
        clf.fit(
            X[[i for i, _, _ in rows]],
            [labels.index(lab) for _, lab, _ in rows],
            sample_weight=[w for _, _, w in rows],
        )
        coef, icpt = clf.coef_, clf.intercept_
        if len(labels) == 2:  # binary: one row for class 1; class 0 is its negation
            coef, icpt = np.vstack([-coef, coef]), np.concatenate([-icpt, icpt])
        model.heads[name] = Head(labels, coef.astype(np.float32), icpt.astype(np.float32))
    return model
