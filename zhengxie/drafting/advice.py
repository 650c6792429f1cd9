"""Drafting advice: what a proposal, a 社情民意 item or a 微建议 is missing or gets wrong, named while it is
written. Advice only: nothing here refuses anything; the services' own checks (length caps, required
fields) stay where they are.

    check(kind, title=, content=, reasons=, suggestions=, model=, limits=, attachments=) -> [Advice]

Pure functions of the text (and of the organisation's routing model when given, for "two matters in one"):
no database, so the bench runs them on real messages without a project database. The rules follow
docs/domain.md: 一事一案 / one matter per 社情民意 item, the title "关于……的建议/提案", 案由/理由/办法, the
length caps of the settings (`proposals.max_chars`, `opinions.max_chars`, `public.max_chars`). Design and
measured false alarms: docs/drafting.md.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

KINDS = ("proposal", "opinion", "suggestion")
WARNING, INFO = "warning", "info"


@dataclass
class Advice:
    code: str
    level: str  # "warning" (likely a problem the reviewer will raise) | "info" (worth a look)
    field: str  # the form field it is about: title, reasons, suggestions, content, attachments
    message: str  # Chinese, for the writer
    fix: str = ""  # a suggested replacement (e.g. a rewritten title), "" when none
    detail: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


# --- sentences and parts -----------------------------------------------------------------------------------

_SENTENCE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]?")
_SPACE = re.compile(r"[ \t\r\u3000\xa0]+")
# A numbered item: 一、 / 一是 / （一） / (1) / 1. / 1、 / ①, at the start of a line or after a sentence end.
_NUM = r"(?:[一二三四五六七八九十]{1,3}[、是要．.]|[（(][一二三四五六七八九十\d]{1,3}[）)]|\d{1,2}[、.．)）](?!\d)|[①②③④⑤⑥⑦⑧⑨⑩])"
_ITEM = re.compile(rf"(?:^|(?<=[\n。；;：:！？!?]))\s*{_NUM}", re.M)


def clean(text: str) -> str:
    return _SPACE.sub(" ", (text or "").replace("\r\n", "\n")).strip()


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(clean(text)) if len(s.strip()) >= 2]


def parts(text: str) -> list[str]:
    """The text's parts for the one-matter check: its numbered items when it has two or more, else its
    paragraphs. Parts shorter than 15 characters (a heading, a greeting) are left out."""
    text = clean(text)
    starts = [m.start() for m in _ITEM.finditer(text)]
    if len(starts) >= 2:
        chunks = [text[a:b] for a, b in zip(starts, starts[1:] + [len(text)], strict=False)]
    else:
        chunks = text.split("\n")
    return [c.strip() for c in chunks if len(c.strip()) >= 15]


# --- "a concrete suggestion": an actionable sentence -------------------------------------------------------

# Asking someone to act: 建议/希望/请/恳请/呼吁/要求 ... a modal (应/需要/必须/亟需) ... or an action verb that
# opens the sentence (an item of a list: "一是加快……"). The verbs are what a reply can say was done.
ACTION_VERBS = (
    "加快 加大 加强 完善 建立 建设 设立 增设 增加 出台 制定 修订 落实 解决 整改 处理 整治 治理 改造 维修 修复 修缮 "
    "安装 规范 提高 提升 推进 推动 开展 实施 统筹 优化 健全 严查 查处 取缔 督促 责令 协调 引导 鼓励 支持 保障 "
    "纳入 列入 调整 改善 拆除 清理 疏通 修建 新建 扩建 配备 配置 补贴 减免 放宽 简化 恢复 关闭 搬迁 撤销 禁止 "
    "限制 划定 开通 延长 缩短 增开 公开 公示 核查 调查 检查 监管 管理 严格 明确 设置 划拨 投入 保留 取消 降低 "
    "减少 扩大 培训 补充 招聘 解决好 回应 答复 重视 关注 考虑 研究 协调好 帮助 帮忙 安排 派人 介入 核实 退还 "
    "赔偿 兑现 发放 补发 归还 更换 增派 清退 依法 严厉 打击 加装 硬化 拓宽 亮化 绿化 美化 改建 重建 翻新 "
    "规划 推广 挖掘 共享 探索 引入 整合 打造 设计 组织 试点 畅通 拓展 压实 细化 强化 深化 做好 抓好 用好"
).split()
# A request: the writer asks someone (建议/希望/请/恳请/呼吁/要求 …, not 失望 or 请问) and goes on to say what.
_REQUEST = re.compile(
    r"(?:建议|希望|期望|期盼|盼望|请求|恳请|恳求|肯请|敬请|烦请|提请|呼吁|要求|务必|拜托|求助|请(?!问|示|假|教|柬)"
    r"|(?<![失观声愿威展渴张瞭眺仰])望(?![远着见去]))"
)
# A modal that makes a sentence a proposal: 应当/需要/必须 … followed by an action verb.
_MODAL = re.compile(r"应当|应该|应|需要|须|需|必须|亟需|亟待|急需|尽快|早日|及时|立即|务必")
# A question to whoever answers (a citizen asks when, whether, how): not a rhetorical one (难道/凭什么).
_QUESTION = re.compile(
    r"请问|能否|可否|能不能|可不可以|是否|何时|什么时候|怎么办|怎么|如何|哪里|在哪|哪个|有没有|多少|吗[？?]?$"
)
_RHETORIC = re.compile(r"难道|凭什么|岂|怎么能|怎能|何以|还有没有王法|是不是.*保护伞")
_VERB = re.compile("|".join(sorted(ACTION_VERBS, key=len, reverse=True)))
_LEAD = re.compile(rf"^\s*(?:{_NUM})?\s*(?:{'|'.join(sorted(ACTION_VERBS, key=len, reverse=True))})")
# Sentences that mention 建议 without asking anything (背景: "群众建议很多", "提出的建议已答复").
_NOT_ASKING = re.compile(r"(已经?答复|已采纳|的建议(已|被)|建议书|建议人|委员建议)")


def actionable(sentence: str, questions: bool = False) -> bool:
    """Does the sentence ask for something to be done: a request that goes on to say what (at least four
    characters after it), a modal followed by an action verb, or an action verb opening it (an item of a
    list: "一是加快……")? With `questions` (a citizen's message) a real question (请问, 能否, 何时 …, not a
    rhetorical 难道) asks too."""
    s = sentence.strip()
    if len(s) < 4 or _NOT_ASKING.search(s):
        return False
    if _LEAD.match(s):
        return True
    m = _REQUEST.search(s)
    if m and len(re.sub(r"[\W_]", "", s[m.end() :])) >= 4 and not s[m.end() :].startswith(("谢", "多")):
        return True
    m = _MODAL.search(s)
    if m and _VERB.search(s, m.end()):
        return True
    if (
        questions
        and (s.endswith(("？", "?")) or "请问" in s)
        and _QUESTION.search(s)
        and not _RHETORIC.search(s)
    ):
        return True
    return False


def suggestion_sentences(text: str, questions: bool = False) -> list[str]:
    return [s for s in sentences(text) if actionable(s, questions)]


# --- facts: numbers, places, research ------------------------------------------------------------------------

_FACTS = re.compile(
    r"\d|[一二三四五六七八九十百千万亿]+(?:个|户|人|名|所|家|条|万|亿|元|次|年|%)|调研|调查|走访|统计|数据|据了解|目前|现状|截至"
)


def has_facts(text: str) -> bool:
    return len(_FACTS.findall(text or "")) >= 2


# --- the title ----------------------------------------------------------------------------------------------

_TITLE_OK = {
    "proposal": re.compile(r"^关于.{2,}的(?:建议|提案)$"),
    "opinion": re.compile(r"^关于.{2,}的(?:建议|意见|提案)$"),
}
_VERB_START = re.compile(
    rf"^(?:{'|'.join(sorted(ACTION_VERBS, key=len, reverse=True))}|进一步|全面|切实|尽快)"
)


def title_fix(title: str) -> str:
    """The title in the form 关于……的建议: what it asks, kept in its own words."""
    core = re.sub(r"[。！!？?，,；;\s]+$", "", clean(title))
    core = re.sub(r"^(?:关于|建议|提议|希望|请求|恳请|呼吁|请)+", "", core)
    core = re.sub(r"(?:的)?(?:提案|建议|意见|提议)$", "", core).rstrip("的")
    # "……问题亟待关注/急需解决": the problem is the matter
    core = re.sub(
        r"(问题)?(?:亟待|亟需|急需|需要|有待|应当|应该|请求|希望)(?:关注|解决|重视|重视解决|解决好)$",
        r"\1",
        core,
    )
    if not core:
        return ""
    if not _VERB_START.match(core) and core.endswith(("问题", "难", "乱", "差", "隐患", "不足", "滞后")):
        core = "解决" + core
    return f"关于{core}的建议"


# --- two matters in one ---------------------------------------------------------------------------------

# Tuned on the development data of bench/eval_drafting.py (never on its test messages): two parts are two
# matters when the routing model puts them in different categories, each at least MATTER_CONFIDENCE sure,
# and their character TF-IDF vectors are less alike than MATTER_MAX_COSINE.
MATTER_CONFIDENCE = 0.5
MATTER_MAX_COSINE = 0.12
KEYWORD_MAX_COSINE = 0.05  # keyword domains disagree: with a model, only for parts this unlike each other


def _cosine(a, b) -> float:
    (ia, va), (ib, vb) = a, b
    if not len(ia) or not len(ib):
        return 0.0
    d = dict(zip(ia.tolist(), va.tolist(), strict=False))
    return float(sum(d.get(i, 0.0) * v for i, v in zip(ib.tolist(), vb.tolist(), strict=False)))


def two_matters(text: str, model=None, heads: tuple[str, ...] = (), title: str = "") -> dict | None:
    """{"parts": [a, b], "labels": [x, y]} when two parts of the text seem to be on different matters, else
    None. With a routing model (routing.learn.Model): the first of `heads` it has gives each part a category
    (see MATTER_* above). Then (or without a model) the keyword domains of proposals.rules: two parts in
    unrelated domains, neither of them the title's."""
    ps = parts(text)
    if len(ps) < 2:
        return None
    head = next((h for h in heads if model is not None and h in model.heads), None)
    feats = [model.features(p) for p in ps] if head is not None else None
    cats = None
    if head is not None:
        cats = [model.rank(head, p, k=1, feats=f) for p, f in zip(ps, feats, strict=False)]
        for i in range(len(ps)):
            for j in range(i + 1, len(ps)):
                if not cats[i] or not cats[j]:
                    continue
                (ci, pi), (cj, pj) = cats[i][0], cats[j][0]
                if ci == cj or min(pi, pj) < MATTER_CONFIDENCE:
                    continue
                if _cosine(feats[i], feats[j]) < MATTER_MAX_COSINE:
                    return {"parts": [ps[i], ps[j]], "labels": [str(ci), str(cj)]}
    # The keyword domains too: a model's categories can be wider than a matter (科教文卫 holds schools and
    # hospitals alike).
    from zhengxie.proposals.rules import domains_of

    doms = [domains_of(p) for p in ps]
    about = domains_of(title) if title else set()  # a part on the title's own matter is not a second one
    for i in range(len(ps)):
        for j in range(i + 1, len(ps)):
            if doms[i] and doms[j] and not (doms[i] & doms[j]) and not (about & (doms[i] | doms[j])):
                # With a model: only parts it puts in different categories (however unsure) or unlike each other.
                same = cats is not None and cats[i] and cats[j] and cats[i][0][0] == cats[j][0][0]
                if feats is not None and same and _cosine(feats[i], feats[j]) >= KEYWORD_MAX_COSINE:
                    continue
                return {"parts": [ps[i], ps[j]], "labels": [sorted(doms[i])[0], sorted(doms[j])[0]]}
    return None


# --- the rules per kind ---------------------------------------------------------------------------------------

# (shortest, longest) advisable lengths in characters; the hard caps are the organisation's settings.
BOUNDS = {
    "proposal": {"title": (8, 40), "reasons": (150, None), "suggestions": (50, None), "body": (300, None)},
    "opinion": {"title": (8, 40), "content": (200, None)},
    "suggestion": {"title": (5, 30), "content": (20, 600)},
}
NOUNS = {"proposal": "提案", "opinion": "社情民意信息", "suggestion": "建议"}


def _short(s: str, n: int = 24) -> str:
    s = clean(s).replace("\n", " ")
    return s if len(s) <= n else s[: n - 1] + "…"


def check(
    kind: str,
    *,
    title: str = "",
    content: str = "",
    reasons: str = "",
    suggestions: str = "",
    model=None,
    heads: tuple[str, ...] = (),
    max_chars: int | None = None,
    attachments: list[Advice] | None = None,
) -> list[Advice]:
    """Advice on a draft of `kind` ("proposal": title, reasons, suggestions — or the whole body as content;
    "opinion" and "suggestion": title, content). Warnings first, then infos; never raises on text."""
    if kind not in KINDS:
        raise ValueError(kind)
    title, content, reasons, suggestions = (clean(x) for x in (title, content, reasons, suggestions))
    out: list[Advice] = []
    b = BOUNDS[kind]
    split = kind == "proposal" and (reasons or suggestions or not content)
    body = f"{reasons}\n{suggestions}".strip() if split else content
    body_field = "suggestions" if split else "content"
    citizen = kind == "suggestion"

    # The title: its form and length.
    if not title:
        out.append(Advice("title_missing", WARNING, "title", "还没有标题：用一句话写明要解决什么问题。"))
    else:
        lo, hi = b["title"]
        if kind in _TITLE_OK and not _TITLE_OK[kind].match(title):
            fix = title_fix(title)
            what = "案由" if kind == "proposal" else "标题"
            out.append(
                Advice(
                    "title_form",
                    WARNING if kind == "proposal" else INFO,
                    "title",
                    f"{what}宜采用“关于……的建议”的形式，点明所提事项"
                    + (f"，例如：{fix}" if fix and fix != title else "")
                    + "。",
                    fix=fix if fix != title else "",
                )
            )
        if len(title) < lo:
            out.append(
                Advice(
                    "title_short",
                    WARNING if citizen else INFO,
                    "title",
                    f"标题只有{len(title)}个字，"
                    + ("写清在哪里、什么事。" if citizen else "看不出所提的具体事项。"),
                )
            )
        elif hi and len(title) > hi:
            out.append(
                Advice(
                    "title_long",
                    INFO,
                    "title",
                    f"标题有{len(title)}个字，宜简短（{hi}字以内），细节写在正文里。",
                )
            )

    # Required parts and length.
    if kind == "proposal" and split:
        if not reasons:
            out.append(
                Advice(
                    "reasons_missing", WARNING, "reasons", "缺少提案理由（案据）：写明现状、问题及其原因。"
                )
            )
        elif len(reasons) < b["reasons"][0]:
            out.append(
                Advice(
                    "reasons_short",
                    INFO,
                    "reasons",
                    f"理由只有{len(reasons)}字，宜写明现状、存在的问题和原因，用事实和数据说话。",
                )
            )
        if not suggestions:
            out.append(
                Advice(
                    "suggestions_missing", WARNING, "suggestions", "缺少办法和建议：写明希望由谁、做什么。"
                )
            )
        if reasons and not has_facts(reasons):
            out.append(
                Advice(
                    "no_facts",
                    INFO,
                    "reasons",
                    "理由中没有看到数据、调研或具体事实，宜补充（不调研不提提案）。",
                )
            )
    elif body:
        lo, hi = b.get("content", b.get("body"))
        if len(body) < lo:
            msg = (
                f"内容只有{len(body)}个字：写清在哪里、出了什么问题、希望怎么解决。"
                if citizen
                else f"正文只有{len(body)}字，宜写明情况、问题和建议，用事实和数据说话。"
            )
            out.append(Advice("too_short", WARNING if citizen else INFO, body_field, msg))
        elif hi and len(body) > hi:
            out.append(
                Advice(
                    "too_long", INFO, body_field, f"内容有{len(body)}个字，简短些更容易被看懂，写清要点即可。"
                )
            )
        if kind == "opinion" and not has_facts(body):
            out.append(
                Advice("no_facts", INFO, "content", "没有看到数据、调研或具体事实，社情民意要反映真实情况。")
            )
    elif kind != "proposal" or not split:
        out.append(
            Advice(
                "content_missing",
                WARNING,
                body_field,
                "还没有内容：写清在哪里、什么问题、希望怎么解决。" if citizen else "还没有正文。",
            )
        )
    if max_chars and len(body) > max_chars:
        out.append(
            Advice(
                "over_limit",
                WARNING,
                body_field if not split else "reasons",
                f"正文共{len(body)}字，超过上限{max_chars}字，请精简。",
            )
        )

    # A concrete suggestion.
    asked = suggestions if split else body
    if asked and (split or len(asked) >= 15) and not suggestion_sentences(asked, questions=citizen):
        if citizen:
            msg = "没有看到您希望怎么解决：可以加一句“希望……”或“建议……”，说明想让有关部门做什么。"
        else:
            msg = "没有看到具体可行的建议：写明希望哪个部门做什么（如“建议县交通局在……增设……”），避免只写问题或口号。"
        out.append(Advice("no_suggestion", WARNING, "suggestions" if split else body_field, msg))

    # Two matters in one.
    found = two_matters(suggestions if split and len(parts(suggestions)) >= 2 else body, model, heads, title)
    if found:
        a, c = found["parts"]
        la, lc = found["labels"]
        rule = "一事一案" if kind == "proposal" else ("一事一报" if kind == "opinion" else "一条建议说一件事")
        msg = (
            f"似乎写了两件不同的事：「{_short(a)}」（{la}）和「{_short(c)}」（{lc}）。"
            f"{rule}，宜拆成两{'件' if kind != 'suggestion' else '条'}{NOUNS[kind]}分别提交，办理更快。"
        )
        out.append(Advice("two_matters", WARNING, body_field, msg, detail=found))

    out.extend(attachments or [])
    out.sort(key=lambda a: a.level != WARNING)
    return out
