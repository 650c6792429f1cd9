"""The clustering behind 热点 (hot topics): texts -> groups on the same matter, on the CPU, no k given.

1. Features: each text (title + the start of its body) as the words of zhengxie.search.text.segment
   (rjieba search mode, stop words dropped; words of almost every title - 建议, 加快, 我县 ... - dropped)
   and its character pairs, each block sublinear TF-IDF and L2-normalised, words weighted WORD_WEIGHT
   against pairs, the whole row L2-normalised again. So the cosine of two rows mixes "the same words"
   with "the same place names and phrases that jieba cuts differently".
2. Clustering: average linkage with a cosine threshold (`threshold`: two groups join while the mean
   cosine between their members is at least this). No k: the number of groups is what the texts hold.
   Up to BLOCK texts this is exact (scipy's linkage on the condensed distance matrix). A larger set is
   first cut into parts of about BLOCK/2 texts by mini-batch k-means on the same vectors (texts on one
   matter are close, so they land in one part), each part is clustered exactly, and the groups of
   different parts are joined once more by the same criterion - the mean cosine between two groups'
   members is the dot product of their mean vectors, so this last step is exact for the pairs it sees.
3. Each group: its members, its medoid (the member nearest its mean: the most central item), key
   phrases (the words most frequent in the group and rare elsewhere, c-TF-IDF), and its mean vector, so
   that items of an earlier period can be matched to it (`assign`) for the trend.

Everything here is pure computation (numpy, scipy, scikit-learn); the app's services read and store.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from zhengxie.search.text import BOILERPLATE, GENERIC, STOP_WORDS, segment

BODY_CHARS = 300  # the start of a body says what it is about; the rest adds noise and time
THRESHOLD = 0.20  # mean cosine for two groups to join (docs/hottopics.md: chosen on the figures there)
WORD_WEIGHT = 0.8  # share of the row's weight on words (the rest on character pairs)
BLOCK = 3000  # exact linkage up to this many texts at once (memory ~ BLOCK² × 8 bytes)
MAX_DF = 0.2  # a feature in more than this share of the texts says nothing about a matter
KEYWORDS = 4

# Words that say what kind of text it is, not what it is about (added to search's BOILERPLATE/GENERIC).
NOISE = frozenset(
    "反映 请求 希望 恳请 要求 咨询 请问 投诉 举报 市民 群众 居民 我们 领导 相关 部门 政府 情况 现象 "
    "存在 目前 现在 已经 一直 严重 及时 尽快 立即 何时 什么 怎么 如何 为何 为什么 是否 能否 可否 不能 "
    "谢谢 您好 你好 尊敬 附件 留言 回复 答复 办理 县委 县政府 政协 委员 提出 单位 社会 方面 工作 问题 "
    "有关 建议 意见 提案 我县 全县 我市 全市 我区 全区 本县 本市 一是 二是 三是 四是 同时 以及 进行 "
    "方式 措施 机制 体系 能力 水平 作用 部分 主要 重要 一定 不断 有效 合理 没有 一些 很多 非常 认真 研究 "
    "严格 只能 普遍 增加 减少 引导 确实 希望 觉得 感觉 可能 还是 比较 特别 一下 这样 那样 大家".split()
)
_SKIP = STOP_WORDS | BOILERPLATE | GENERIC | NOISE
_SPACE = re.compile(r"\s+")
_NON_HAN = re.compile(r"[^\u4e00-\u9fffA-Za-z0-9]+")


def text_of(title: str, body: str = "") -> str:
    return f"{title or ''}。{_SPACE.sub(' ', (body or '')[:BODY_CHARS])}"


def words(text: str) -> list[str]:
    """The matter words of a text: segment()'s tokens without stop, boilerplate and generic words,
    single letters or numbers."""
    return [
        t
        for t in segment(text)
        if t not in _SKIP and not t.isdigit() and (len(t) > 1 or "\u4e00" <= t <= "\u9fff")
    ]


def phrases(text: str) -> list[str]:
    """Whole words for key phrases (rjieba's precise cut: 人才新政, not its parts or made-up pairs)."""
    import rjieba

    from zhengxie.search.text import _load_lexicon, _normalise

    _load_lexicon()
    return [
        w
        for w in rjieba.cut(_normalise(text), False)
        if len(w) > 1 and w not in _SKIP and not any(c.isdigit() for c in w) and not _NON_HAN.search(w)
    ]


def pairs(text: str) -> list[str]:
    t = _NON_HAN.sub(" ", (text or "").lower())
    return [t[i : i + 2] for i in range(len(t) - 1) if " " not in t[i : i + 2]]


@dataclass
class Features:
    """A fitted vectoriser: vocabularies and idf of both blocks (to transform an earlier period's texts)."""

    word_vec: object
    pair_vec: object
    word_weight: float = WORD_WEIGHT

    def transform(self, texts: list[str], tokens: list[list[str]] | None = None):
        from scipy.sparse import hstack
        from sklearn.preprocessing import normalize

        tokens = tokens if tokens is not None else [words(t) for t in texts]
        a = self.word_vec.transform(tokens)
        b = self.pair_vec.transform(texts)
        X = hstack([a * math.sqrt(self.word_weight), b * math.sqrt(1 - self.word_weight)]).tocsr()
        return normalize(X).astype(np.float32)


def fit_features(texts: list[str], tokens: list[list[str]] | None = None, word_weight: float = WORD_WEIGHT):
    """Fit both TF-IDF blocks on these texts; returns (Features, X, tokens)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    tokens = tokens if tokens is not None else [words(t) for t in texts]
    n = len(texts)
    min_df = 2 if n >= 50 else 1
    max_df = MAX_DF if n >= 50 else 1.0

    def vec(analyzer):
        return TfidfVectorizer(
            analyzer=analyzer, sublinear_tf=True, min_df=min_df, max_df=max_df, dtype=np.float32
        )

    word_vec, pair_vec = vec(lambda toks: toks), vec(pairs)
    try:
        word_vec.fit(tokens)
    except ValueError:  # no word left (tiny or empty input): an empty vocabulary
        word_vec = vec(lambda toks: toks).fit([["\u3007"]])
    try:
        pair_vec.fit(texts)
    except ValueError:
        pair_vec = vec(pairs).fit(["\u3007\u3007"])
    f = Features(word_vec, pair_vec, word_weight)
    return f, f.transform(texts, tokens), tokens


# --- clustering -----------------------------------------------------------------------------------------


def _linkage_labels(X, threshold: float) -> np.ndarray:
    """Exact average linkage on the rows of X (L2-normalised), cut at cosine `threshold`."""
    from scipy.cluster.hierarchy import fcluster, linkage

    n = X.shape[0]
    if n == 1:
        return np.zeros(1, dtype=np.int64)
    from scipy.spatial.distance import squareform

    S = (X @ X.T).toarray() if hasattr(X, "toarray") else X @ X.T
    np.subtract(1.0, S, out=S)
    np.clip(S, 0.0, 2.0, out=S)
    np.fill_diagonal(S, 0.0)
    condensed = squareform(S, checks=False).astype(np.float64)
    del S
    Z = linkage(condensed, method="average")
    return fcluster(Z, t=1.0 - threshold, criterion="distance").astype(np.int64) - 1


def _parts(X, size: int, seed: int = 0) -> list[np.ndarray]:
    """Row indices cut into parts of at most `size` by mini-batch k-means (recursively)."""
    from sklearn.cluster import MiniBatchKMeans

    out: list[np.ndarray] = []
    todo = [np.arange(X.shape[0])]
    while todo:
        idx = todo.pop()
        if len(idx) <= size:
            out.append(idx)
            continue
        k = max(2, math.ceil(len(idx) / (size / 2)))
        km = MiniBatchKMeans(n_clusters=k, random_state=seed, n_init=1, batch_size=2048, max_iter=50)
        lab = km.fit_predict(X[idx])
        groups = [idx[lab == j] for j in range(k) if (lab == j).any()]
        if len(groups) == 1:  # k-means could not cut it: cut it in order
            groups = [idx[i : i + size] for i in range(0, len(idx), size)]
        todo.extend(groups)
    return out


def _union(parent: list[int], a: int, b: int) -> None:
    while parent[a] != a:
        parent[a] = parent[parent[a]]
        a = parent[a]
    while parent[b] != b:
        parent[b] = parent[parent[b]]
        b = parent[b]
    if a != b:
        parent[max(a, b)] = min(a, b)


def _find(parent: list[int], a: int) -> int:
    while parent[a] != a:
        a = parent[a]
    return a


def cluster_labels(X, threshold: float = THRESHOLD, block: int = BLOCK, seed: int = 0, progress=None):
    """A group number per row of X (rows L2-normalised; sparse or dense)."""
    from scipy.sparse import csr_matrix, issparse

    n = X.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    if n <= block:
        return _linkage_labels(X, threshold)
    parts = _parts(X, block, seed)
    labels = np.empty(n, dtype=np.int64)
    offset = 0
    for i, idx in enumerate(parts):
        lab = _linkage_labels(X[idx], threshold)
        labels[idx] = lab + offset
        offset += int(lab.max()) + 1
        if progress:
            progress((i + 1) / len(parts))
    # Join groups of different parts whose mean cosine reaches the threshold (exact for each pair seen).
    sizes = np.bincount(labels, minlength=offset)
    multi = np.flatnonzero(sizes >= 2)
    if len(multi) < 2:
        return labels
    rows = np.isin(labels, multi)
    remap = -np.ones(offset, dtype=np.int64)
    remap[multi] = np.arange(len(multi))
    r = np.flatnonzero(rows)
    M = csr_matrix(
        (np.full(len(r), 1.0, dtype=np.float32) / sizes[labels[r]], (remap[labels[r]], r)),
        shape=(len(multi), n),
    )
    means = M @ (X if issparse(X) else csr_matrix(X))
    means = csr_matrix(means)
    parent = list(range(len(multi)))
    part_of = np.empty(offset, dtype=np.int64)
    start = 0
    for idx in parts:
        groups = np.unique(labels[idx])
        part_of[groups] = start
        start += 1
    step = 2000
    for lo in range(0, len(multi), step):
        S = (means[lo : lo + step] @ means.T).toarray()
        ii, jj = np.nonzero(S >= threshold)
        for a, b in zip(ii + lo, jj, strict=True):
            if a < b and part_of[multi[a]] != part_of[multi[b]]:
                _union(parent, int(a), int(b))
    root = np.array([_find(parent, i) for i in range(len(multi))])
    joined = labels.copy()
    joined[rows] = multi[root[remap[labels[rows]]]]
    return joined


# --- what is kept of each group ---------------------------------------------------------------------------


@dataclass
class Group:
    members: list[int]  # row indices, the most central first
    centrality: list[float]  # cosine of each member to the group's mean (same order)
    keywords: list[str]
    mean: object = field(repr=False, default=None)  # the group's mean vector (1 × V sparse)


def keywords_of(groups: list[list[int]], tokens: list[list[str]], k: int = KEYWORDS) -> list[list[str]]:
    """c-TF-IDF: per group, words by (share of its members holding the word) x log(N / texts holding it);
    a word inside a better one (养老 inside 养老服务) is left out, as is a word of one character."""
    n = len(tokens)
    df = Counter()
    sets = [set(t) for t in tokens]
    for s in sets:
        df.update(s)
    out = []
    for members in groups:
        inside = Counter()
        for i in members:
            inside.update(sets[i])
        size = len(members)
        scored = sorted(
            ((c / size) * math.log((n + 1) / (df[w] + 0.5)), w)
            for w, c in inside.items()
            if len(w) > 1 and (c >= 2 or size == 1)
        )
        chosen: list[str] = []
        for _score, w in reversed(scored):
            if any(w in c or c in w for c in chosen):
                continue
            chosen.append(w)
            if len(chosen) == k:
                break
        out.append(chosen)
    return out


def groups_of(X, labels: np.ndarray, tokens: list[list[str]], min_size: int = 2) -> list[Group]:
    """The groups of at least `min_size` members, largest first, each with its medoid first; `tokens`
    (phrases() of each text) give the key phrases."""
    from scipy.sparse import csr_matrix

    by: dict[int, list[int]] = {}
    for i, lab in enumerate(labels.tolist()):
        by.setdefault(lab, []).append(i)
    chosen = sorted((m for m in by.values() if len(m) >= min_size), key=lambda m: (-len(m), m[0]))
    kws = keywords_of(chosen, tokens)
    out = []
    for members, kw in zip(chosen, kws, strict=True):
        sub = X[members]
        mean = csr_matrix(sub.mean(axis=0))
        norm = math.sqrt(float(mean.multiply(mean).sum())) or 1.0
        cent = np.asarray((sub @ mean.T).todense()).ravel() / norm
        order = np.argsort(-cent, kind="stable")
        out.append(
            Group(
                members=[members[i] for i in order],
                centrality=[round(float(cent[i]), 3) for i in order],
                keywords=kw,
                mean=mean,
            )
        )
    return out


def assign(X_other, groups: list[Group], threshold: float = THRESHOLD) -> np.ndarray:
    """For each row of another period's texts (transformed with the same Features): the group whose
    members it is on average as close to as the threshold asks (the best such group), else -1."""
    from scipy.sparse import vstack

    if not groups or X_other.shape[0] == 0:
        return -np.ones(X_other.shape[0], dtype=np.int64)
    means = vstack([g.mean for g in groups]).tocsr()
    S = (X_other @ means.T).toarray()
    best = S.argmax(axis=1)
    ok = S[np.arange(S.shape[0]), best] >= threshold
    return np.where(ok, best, -1)


# --- labels people read -----------------------------------------------------------------------------------

_PREFIX = re.compile(
    r"^(关于|对于|建议|请求|恳请|希望|强烈要求|要求|我觉得|我认为|据我了解|经过实地走访|据了解)[，,：:]?"
)
_SUFFIX = re.compile(r"(的)?(建议|提案|意见|议案|问题|情况|请求|诉求)$")
_TRAIL = re.compile(r"[，。！？、；：,.!?;:\s]+$")
LABEL_CHARS = 22


def short_title(title: str, limit: int = LABEL_CHARS) -> str:
    """A title made short enough for a chart axis: 关于加快推进城区停车场建设的建议 -> 加快推进城区停车场建设."""
    t = _SPACE.sub("", title or "")
    for _ in range(2):
        t = _TRAIL.sub("", t)
        t = _PREFIX.sub("", t)
        t = _SUFFIX.sub("", t)
    t = t or _SPACE.sub("", title or "")
    return t if len(t) <= limit else t[: limit - 1] + "…"


def cluster(
    texts: list[str], threshold: float = THRESHOLD, min_size: int = 2, seed: int = 0, progress=None
) -> tuple[Features, object, list[Group]]:
    """texts -> (the fitted features, X, the groups of at least `min_size`, largest first)."""
    if not texts:
        return None, None, []
    features, X, _tokens = fit_features(texts)
    labels = cluster_labels(X, threshold, seed=seed, progress=progress)
    return features, X, groups_of(X, labels, [phrases(t) for t in texts], min_size)
