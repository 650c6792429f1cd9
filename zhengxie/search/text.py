"""Chinese text -> index tokens, and a search query -> groups of tokens that must all be present.

Tokens come from rjieba in search mode (a long word is also emitted as its dictionary parts),
without the HMM guesser so that an unknown word is cut the same way in every context. They are
NFKC-normalised (full-width -> half-width), lower-cased, made of letters and digits only
(so the FTS5 and PostgreSQL parsers keep each one whole) and stop words are dropped.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import rjieba

MAX_TOKEN_LENGTH = 32
MAX_QUERY_GROUPS = 32

# Function words and characters that carry no matter of their own.
STOP_WORDS = frozenset(
    """
    的 地 得 了 着 过 吗 呢 吧 啊 呀 嘛 么 之 乎 者 也 矣 焉 哉
    和 与 及 以及 或 或者 并 并且 而 而且 且 又 还 也 都 就 才 即 既 则
    在 于 对 对于 关于 为 为了 以 因 因为 由 由于 从 自 向 往 把 被 给 让 使 将 按 按照 根据 通过 经过
    是 有 这 那 这个 那个 这些 那些 此 其 其中 该 各 每 某 本 之一
    我 我们 你 你们 他 他们 她 它 它们 自己 大家
    等 等等 个 些 上 下 中 内 外 后 前 里
    一 一些 一个 一种 不 没 没有 很 更 最 较 已 已经 要 应 应当 应该 能 能够 可 可以 会 需 需要
    如 如果 若 虽然 但 但是 然而 所以 因此 从而 以便 以及 并且 以上 以下 如下
    """.split()
)

# Words in nearly every title of one kind of text; similar() ignores them.
BOILERPLATE = frozenset({"建议", "提案", "议案", "意见", "关于", "的", "问题", "有关", "进一步"})

# Verbs of almost every proposal title ("关于加快推进……建设的建议"): similar() counts them little,
# since a small corpus cannot yet tell by document frequency that they say nothing of the matter.
GENERIC = frozenset(
    "加快 加强 推进 推动 促进 完善 提升 提高 加大 强化 优化 规范 做好 进一步 切实 大力 积极 建立 健全 "
    "建设 发展 开展 实施 落实 解决 改善 支持 关注 重视 工作 力度 有效 全面 我县 我市 我区".split()
)


def is_generic(token: str) -> bool:
    """A word of almost every title, or a number (an amount, a count): little sign of the matter."""
    return token in GENERIC or token.isdigit()


_WORD = re.compile(r"[^\W_]+")
_LEXICON = Path(__file__).with_name("lexicon.txt")


@lru_cache(maxsize=1)
def _load_lexicon() -> None:
    for line in _LEXICON.read_text(encoding="utf-8").splitlines():
        word = line.strip()
        if word and not word.startswith("#"):
            rjieba.add_word(word, None, None)


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


def _clean(raw_tokens) -> list[str]:
    out = []
    for raw in raw_tokens:
        for tok in _WORD.findall(raw):
            if len(tok) <= MAX_TOKEN_LENGTH and tok not in STOP_WORDS:
                out.append(tok)
    return out


_HAN = re.compile(r"^[\u4e00-\u9fff]$")


def segment(text: str) -> list[str]:
    """Index tokens of `text`, in order, repeats kept (养老服务 -> 养老, 服务, 养老服务).

    A name the dictionary does not know comes out as single characters (泉塘 -> 泉, 塘), each in
    thousands of texts; a run of such characters also yields its character pairs (泉塘), rare like the
    name, so that texts on the same place or thing still meet."""
    _load_lexicon()
    out: list[str] = []
    run: list[str] = []
    for raw in rjieba.cut_for_search(_normalise(text), False):
        if _HAN.match(raw) and raw not in STOP_WORDS:
            run.append(raw)
            out.append(raw)
            continue
        if len(run) > 1:
            out.extend(run[i] + run[i + 1] for i in range(len(run) - 1))
        run = []
        out.extend(_clean((raw,)))
    if len(run) > 1:
        out.extend(run[i] + run[i + 1] for i in range(len(run) - 1))
    return out


def _partition(word: str, parts: set[str]) -> list[str] | None:
    """Cut `word` into consecutive pieces taken from `parts` (longest first), or None."""
    pos, out = 0, []
    while pos < len(word):
        for end in range(len(word), pos, -1):
            if word[pos:end] in parts and word[pos:end] != word:
                out.append(word[pos:end])
                pos = end
                break
        else:
            return None
    return out


def query_groups(query: str) -> list[tuple[str, ...]]:
    """Groups of tokens for a search: a document matches when, for every group, it holds either the
    whole word (the group's last token) or all of its parts (the others).

    养老服务 -> [("养老", "服务", "养老服务")]: text indexed from "养老 ... 服务" holds both parts,
    text indexed from "养老服务" holds all three, so both are found. "养老 服务" -> [("养老",), ("服务",)].
    """
    _load_lexicon()
    groups: list[tuple[str, ...]] = []
    seen: set[tuple[str, ...]] = set()
    for word in _clean(rjieba.cut(_normalise(query), False)):
        parts = set(_clean(rjieba.cut_for_search(word, False)))
        pieces = _partition(word, parts) if len(word) > 2 else None
        group = (*pieces, word) if pieces and len(pieces) > 1 else (word,)
        if group not in seen:
            seen.add(group)
            groups.append(group)
    return groups[:MAX_QUERY_GROUPS]


_RUN = re.compile(r"[^\W_]+")
_BOILERPLATE_LONGEST = sorted(BOILERPLATE, key=len, reverse=True)


def char_pairs(text: str) -> dict[str, int]:
    """Character pairs of the runs of letters and digits (NFKC, lower case, the words every title has left
    out): shingles that keep word order and names jieba does not know."""
    from collections import Counter

    out: Counter = Counter()
    text = _normalise(text)
    for word in _BOILERPLATE_LONGEST:  # 关于……的建议 is in every title: not a sign of the same matter
        text = text.replace(word, " ")
    for run in _RUN.findall(text):
        if len(run) == 1:
            out[run] += 1
        else:
            out.update(run[i : i + 2] for i in range(len(run) - 1))
    return out


def char_cosine(a: dict[str, int], b: dict[str, int]) -> float:
    """Cosine of two char_pairs() counts, sublinear tf, no idf."""
    import math

    if not a or not b:
        return 0.0
    wa = {t: 1 + math.log(c) for t, c in a.items()}
    wb = {t: 1 + math.log(c) for t, c in b.items()}
    dot = sum(w * wb[t] for t, w in wa.items() if t in wb)
    if not dot:
        return 0.0
    return dot / math.sqrt(sum(w * w for w in wa.values()) * sum(w * w for w in wb.values()))
