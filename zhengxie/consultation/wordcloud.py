"""The hall's word cloud: the latest visible comments segmented with the search app's Chinese segmentation
(rjieba with the platform's lexicon, precise mode so that 养老服务 is not also counted as 养老 and 服务),
minus stop words, counted, the top terms given a size class wc-1 … wc-5 (static/css/app.css). Cached a
minute per hall: one indexed read of at most SAMPLE comments a minute whatever the traffic."""

from __future__ import annotations

import math
import re
from collections import Counter

from django.core.cache import cache

from zhengxie.search import text as search_text

from .models import Comment

SAMPLE = 3000
TOP = 40
CACHE_SECONDS = 60
# Words of every comment in a hall: they say nothing of what this discussion is about.
HALL_STOP_WORDS = frozenset(
    "建议 希望 觉得 认为 问题 方面 情况 工作 进行 目前 现在 今后 以后 同时 还有 非常 比较 一定 一下 这样 "
    "那样 怎么 什么 如何 为什么 是否 可能 还是 只是 就是 不是 其实 确实 特别 尤其 真正 我县 我们县 支持 "
    "赞同 同意 补充 一点 几点 个人 大家 各位 委员 感谢 谢谢 看法 意见 认同 相关 有关 做好 加强 提高 "
    "我市 我区 这次 本次 议题 发言 楼上 主题 一两个 一并 不同 另外 可行 哪里 所在 清楚 要说 考虑 认真 针对性 "
    "尽快 研究 部门 相关部门 一起 很多 一些 有些 应该 必须 能否 进一步 切实 积极 有效 及时 所以 "
    # General function and filler words: verbs of doing anything (实行, 推行, 显示 …), comparisons (高于 …),
    # time, degree and place words (实时, 普遍, 周边 …) — a cloud of them tells nothing of the matter.
    "实时 显示 高于 低于 等于 大于 小于 超过 不足 不够 多于 少于 实行 推行 执行 实施 采取 采用 利用 "
    "通过 结合 根据 按照 依据 围绕 开展 推进 推动 促进 落实 完善 提升 加快 加大 强化 规范 建立 健全 "
    "建设 发展 解决 改善 增加 减少 扩大 引导 发挥 纳入 统一 统筹 确保 保障 实现 达到 形成 造成 导致 "
    "出现 存在 发现 反映 表示 提出 作为 成为 具有 包括 属于 涉及 需要 能够 可以 已经 正在 还要 也要 "
    "不断 持续 逐步 全面 充分 明显 严重 普遍 主要 重要 基本 整体 总体 具体 实际 一般 相应 适当 合理 "
    "当前 近年来 今年 去年 明年 平时 经常 往往 有时 同步 到位 现象 情况下 方式 方法 措施 办法 力度 "
    "水平 能力 作用 过程 时候 时间 地方 这里 那里 周边 附近 一带 全县 全市 全区 各地 各个 各种 各类 "
    "所有 任何 每个 其他 其它 大量 部分 许多 多数 少数 真的 这种 那种 这么 那么 这边 停留 优化 倡导 鼓励 "
    "参与 配备 社会 源头".split()
)
_CJK_OR_WORD = re.compile(r"^[\u4e00-\u9fff]{2,}$|^[a-z][a-z0-9]{2,}$")


def _key(consultation_id: int) -> str:
    return f"consultation:wordcloud:{consultation_id}"


def count_terms(texts) -> Counter:
    import rjieba

    search_text._load_lexicon()
    counts: Counter = Counter()
    for text in texts:
        for tok in rjieba.cut(search_text._normalise(text), False):
            tok = tok.strip()
            if (
                tok
                and _CJK_OR_WORD.match(tok)
                and tok not in search_text.STOP_WORDS
                and tok not in HALL_STOP_WORDS
            ):
                counts[tok] += 1
    return counts


def _classes(top: list[tuple[str, int]]) -> list[dict]:
    if not top:
        return []
    hi, lo = math.log(top[0][1] + 1), math.log(top[-1][1] + 1)
    span = (hi - lo) or 1.0
    out = []
    for term, n in top:
        size = 1 + int(round(4 * (math.log(n + 1) - lo) / span))
        out.append({"term": term, "count": n, "size": min(5, max(1, size))})
    return sorted(out, key=lambda t: t["term"])  # a stable order that mixes sizes


def compute(consultation_id: int, sample: int = SAMPLE, top: int = TOP) -> list[dict]:
    texts = (
        Comment.objects.filter(consultation_id=consultation_id, status=Comment.Status.VISIBLE)
        .order_by("-id")
        .values_list("content", flat=True)[:sample]
    )
    return _classes(count_terms(texts).most_common(top))


def terms(consultation) -> list[dict]:
    """[{term, count, size 1..5}] for the hall, cached a minute."""
    cid = getattr(consultation, "pk", consultation)
    found = cache.get(_key(cid))
    if found is None:
        found = compute(cid)
        cache.set(_key(cid), found, CACHE_SECONDS)
    return found


def forget(consultation) -> None:
    cache.delete(_key(getattr(consultation, "pk", consultation)))
