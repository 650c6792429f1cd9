"""Scoring scheme templates (numbers as the committees published them) and the scoring arithmetic.

A scheme is data: categories (with caps), rules (act -> category, points per unit, cap per act), base
points, pass mark, grade thresholds and warning rules. `Resolved` is the in-memory form used for
computing; it comes from a saved ScoringScheme or, when an organisation has none for a year, from
the DEFAULT template. Caps are applied here, when totals are computed — records are never dropped.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from . import acts as A

D0 = Decimal("0")
Q2 = Decimal("0.01")


def q(x) -> Decimal:
    return Decimal(str(x)).quantize(Q2, rounding=ROUND_HALF_UP)


def _cats(*triples):
    return [{"code": c, "label": label, "cap": cap} for c, label, cap in triples]


def _rule(act, category, points, cap=None, unit=None):
    return {"act": act, "category": category, "points": points, "cap": cap, "unit": unit or A.ACTS[act][2]}


WARNING_RULES = [
    {
        "code": "plenary_absent",
        "label": "一年内两次无故缺席全体会议",
        "kind": "act_count",
        "acts": [A.PLENARY_ABSENT],
        "min": 2,
        "step": "劝辞建议",
        "enabled": True,
    },
    {
        "code": "standing_absent",
        "label": "一年内三次无故缺席常委会议",
        "kind": "act_count",
        "acts": [A.STANDING_ABSENT],
        "min": 3,
        "step": "劝辞建议",
        "enabled": True,
    },
    {
        "code": "no_proposal_opinion",
        "label": "全年无提案且无社情民意信息",
        "kind": "none_of",
        "acts": [A.PROPOSAL_SUBMIT, A.OPINION_SUBMIT],
        "step": "谈话提醒",
        "enabled": True,
    },
    {
        "code": "below_pass",
        "label": "年度得分低于合格线",
        "kind": "below_pass",
        "step": "谈话提醒",
        "enabled": True,
    },
    # Multi-year rules: this year and the `years - 1` before it. A year before counts only when the member
    # has a yearly score for it (was serving then); `min` is the score line of `below_years`.
    {
        "code": "below_40_two_years",
        "label": "连续两年得分低于40分",
        "kind": "below_years",
        "min": 40,
        "years": 2,
        "step": "劝辞建议",
        "enabled": True,
    },
    {
        "code": "no_proposal_two_years",
        "label": "连续两年未提交提案",
        "kind": "none_years",
        "acts": [A.PROPOSAL_SUBMIT],
        "years": 2,
        "step": "不建议续提名",
        "enabled": True,
    },
]
# 谈话提醒: the sector convener talks to the member; 劝辞建议: the office may decide 劝辞 / 视为辞去 on the
# warning case; 不建议续提名: counted against the member on the re-nomination list (换届提名参考名单).
WARNING_STEPS = ["谈话提醒", "劝辞建议", "不建议续提名"]
MULTI_YEAR_KINDS = ("below_years", "none_years")

DEFAULT = {
    "key": "default",
    "name": "通用履职量化考核办法（100分制）",
    "base_points": 0,
    "pass_mark": 60,
    "grades": [[90, "优秀"], [70, "合格"], [60, "基本合格"], [0, "不合格"]],
    "categories": _cats(
        (A.MEETINGS, "会议出勤", 40),
        (A.PROPOSALS, "提案工作", 25),
        (A.OPINIONS, "社情民意", 20),
        (A.ACTIVITIES, "履职活动", 25),
        (A.OTHER, "其他", 10),
    ),
    "rules": [
        _rule(A.PLENARY_ATTEND, A.MEETINGS, 20, 20),
        _rule(A.PLENARY_LEAVE, A.MEETINGS, 10, 10),
        _rule(A.PLENARY_ABSENT, A.MEETINGS, -10),
        _rule(A.STANDING_ATTEND, A.MEETINGS, 3),
        _rule(A.STANDING_LEAVE, A.MEETINGS, 1),
        _rule(A.STANDING_ABSENT, A.MEETINGS, -5),
        _rule(A.CHAIR_MEETING_ATTEND, A.MEETINGS, 3),
        _rule(A.COMMITTEE_MEETING_ATTEND, A.MEETINGS, 3),
        _rule(A.PROPOSAL_SUBMIT, A.PROPOSALS, 8),
        _rule(A.PROPOSAL_ACCEPT, A.PROPOSALS, 5),
        _rule(A.PROPOSAL_KEY, A.PROPOSALS, 5),
        _rule(A.PROPOSAL_EXCELLENT, A.PROPOSALS, 10),
        _rule(A.OPINION_SUBMIT, A.OPINIONS, 5),
        _rule(A.OPINION_ACCEPT, A.OPINIONS, 2),
        _rule(A.OPINION_ADOPT, A.OPINIONS, 5),
        _rule(A.OPINION_ADOPT_CITY, A.OPINIONS, 8),
        _rule(A.OPINION_ADOPT_PROVINCE, A.OPINIONS, 10),
        _rule(A.OPINION_ADOPT_NATIONAL, A.OPINIONS, 15),
        _rule(A.OPINION_INSTRUCTION, A.OPINIONS, 10),
        _rule(A.SECTOR_ACTIVITY, A.ACTIVITIES, 3),
        _rule(A.INSPECTION, A.ACTIVITIES, 4),
        _rule(A.RESEARCH, A.ACTIVITIES, 4),
        _rule(A.TRAINING, A.ACTIVITIES, 2),
        _rule(A.LECTURE, A.ACTIVITIES, 4),
        _rule(A.LECTURE_ATTEND, A.ACTIVITIES, 1),
        _rule(A.ONLINE_DUTY, A.ACTIVITIES, 2),
        _rule(A.SPEECH_WRITTEN, A.ACTIVITIES, 5),
        _rule(A.SPEECH_ORAL, A.ACTIVITIES, 5),
        _rule(A.PUBLIC_WELFARE, A.ACTIVITIES, 2, 10),
        _rule(A.STUDIO_DUTY, A.ACTIVITIES, 1, 10),
        _rule(A.PUBLIC_SERVICE, A.ACTIVITIES, 2, 10),
        _rule(A.CONSULTATION_ATTEND, A.ACTIVITIES, 3),
        _rule(A.HALL_COMMENT, A.ACTIVITIES, 1, 10),
        _rule(A.CONSULTATION_ADOPTED, A.ACTIVITIES, 5),
        _rule(A.SUPERVISION, A.ACTIVITIES, 4),
        _rule(A.APPRAISAL, A.ACTIVITIES, 1, 10),
        _rule(A.RESEARCH_REPORT, A.ACTIVITIES, 5),
        _rule(A.READING_ACTIVITY, A.ACTIVITIES, 2),
        _rule(A.READING_NOTE, A.ACTIVITIES, 1, 10),
        _rule(A.SELF_REPORT, A.OTHER, 2),
    ],
    "warning_rules": WARNING_RULES,
}

# 桐城 style: 100 points, pass 60; meetings up to 50, proposals up to 25, activities up to 10, 社情民意 up to 15.
TONGCHENG = {
    "key": "tongcheng",
    "name": "桐城式（100分制，60分合格）",
    "base_points": 0,
    "pass_mark": 60,
    "grades": [[90, "优秀"], [60, "合格"], [0, "不合格"]],
    "categories": _cats(
        (A.MEETINGS, "会议出勤", 50),
        (A.PROPOSALS, "提案工作", 25),
        (A.ACTIVITIES, "履职活动", 10),
        (A.OPINIONS, "社情民意", 15),
    ),
    "rules": [
        _rule(A.PLENARY_ATTEND, A.MEETINGS, 50, 50),
        _rule(A.PLENARY_LEAVE, A.MEETINGS, 30, 30),
        _rule(A.PLENARY_ABSENT, A.MEETINGS, 0),
        _rule(A.STANDING_LEAVE, A.MEETINGS, -2),
        _rule(A.STANDING_ABSENT, A.MEETINGS, -5),
        _rule(A.PROPOSAL_SUBMIT, A.PROPOSALS, 10),
        _rule(A.PROPOSAL_ACCEPT, A.PROPOSALS, 15),
        _rule(A.SECTOR_ACTIVITY, A.ACTIVITIES, 2),
        _rule(A.INSPECTION, A.ACTIVITIES, 2),
        _rule(A.RESEARCH, A.ACTIVITIES, 2),
        _rule(A.TRAINING, A.ACTIVITIES, 2),
        _rule(A.LECTURE, A.ACTIVITIES, 2),
        _rule(A.LECTURE_ATTEND, A.ACTIVITIES, 1),
        _rule(A.ONLINE_DUTY, A.ACTIVITIES, 2),
        _rule(A.COMMITTEE_MEETING_ATTEND, A.ACTIVITIES, 2),
        _rule(A.PUBLIC_WELFARE, A.ACTIVITIES, 2),
        _rule(A.STUDIO_DUTY, A.ACTIVITIES, 1),
        _rule(A.PUBLIC_SERVICE, A.ACTIVITIES, 2),
        _rule(A.CONSULTATION_ATTEND, A.ACTIVITIES, 2),
        _rule(A.HALL_COMMENT, A.ACTIVITIES, 1),
        _rule(A.CONSULTATION_ADOPTED, A.ACTIVITIES, 2),
        _rule(A.SUPERVISION, A.ACTIVITIES, 2),
        _rule(A.APPRAISAL, A.ACTIVITIES, 1),
        _rule(A.RESEARCH_REPORT, A.ACTIVITIES, 2),
        _rule(A.READING_ACTIVITY, A.ACTIVITIES, 1),
        _rule(A.READING_NOTE, A.ACTIVITIES, 1),
        _rule(A.SPEECH_ORAL, A.ACTIVITIES, 2),
        _rule(A.SPEECH_WRITTEN, A.ACTIVITIES, 5),
        _rule(A.SELF_REPORT, A.ACTIVITIES, 2),
        _rule(A.OPINION_SUBMIT, A.OPINIONS, 10),
        # "+5 if adopted", at whatever level.
        _rule(A.OPINION_ADOPT, A.OPINIONS, 5),
        _rule(A.OPINION_ADOPT_CITY, A.OPINIONS, 5),
        _rule(A.OPINION_ADOPT_PROVINCE, A.OPINIONS, 5),
        _rule(A.OPINION_ADOPT_NATIONAL, A.OPINIONS, 5),
    ],
    "warning_rules": WARNING_RULES,
}

# 济南 style: 70 base + up to 50 bonus; grades ≥85 优秀, 60–84 称职, <60 不称职.
JINAN = {
    "key": "jinan",
    "name": "济南式（基础分70分+加分）",
    "base_points": 70,
    "pass_mark": 60,
    "grades": [[85, "优秀"], [60, "称职"], [0, "不称职"]],
    "categories": _cats(("bonus", "加分项目", 50), ("deduction", "扣分项目", None)),
    "rules": [
        _rule(A.PLENARY_ATTEND, "bonus", 0),
        _rule(A.PLENARY_ABSENT, "deduction", -30),
        _rule(A.PLENARY_LEAVE, "deduction", -10),
        _rule(A.PROPOSAL_ACCEPT, "bonus", 5),
        _rule(A.PROPOSAL_KEY, "bonus", 5),
        _rule(A.PROPOSAL_EXCELLENT, "bonus", 10),
        _rule(A.PUBLIC_WELFARE, "bonus", 2, 10),
        _rule(A.STUDIO_DUTY, "bonus", 0),
        _rule(A.PUBLIC_SERVICE, "bonus", 2, 10),
        _rule(A.CONSULTATION_ATTEND, "bonus", 0),
        _rule(A.HALL_COMMENT, "bonus", 0),
        _rule(A.CONSULTATION_ADOPTED, "bonus", 5),
        _rule(A.SUPERVISION, "bonus", 2),
        _rule(A.APPRAISAL, "bonus", 0),
        _rule(A.RESEARCH_REPORT, "bonus", 3),
        _rule(A.READING_ACTIVITY, "bonus", 0),
        _rule(A.READING_NOTE, "bonus", 1, 5),
        _rule(A.PROPOSAL_SUBMIT, "bonus", 0),
        _rule(A.OPINION_SUBMIT, "bonus", 0),
        _rule(A.INSPECTION, "bonus", 0),
        _rule(A.RESEARCH, "bonus", 0),
    ],
    "warning_rules": WARNING_RULES
    + [
        {
            "code": "three_ones",
            "label": "未完成“三个一”（一次全会、一件提案或社情民意、一次视察或调研）",
            "kind": "three_ones",
            "step": "谈话提醒",
            "enabled": True,
        },
    ],
}

# 安庆 style grades on the 100-point table.
ANQING = copy.deepcopy(DEFAULT) | {
    "key": "anqing",
    "name": "安庆式（优秀/良好/称职/不称职）",
    "grades": [[90, "优秀"], [80, "良好"], [60, "称职"], [0, "不称职"]],
}

TEMPLATES = {t["key"]: t for t in (DEFAULT, TONGCHENG, JINAN, ANQING)}
TEMPLATE_CHOICES = [(k, t["name"]) for k, t in TEMPLATES.items()]


@dataclass
class RuleSpec:
    act: str
    category: str
    points: Decimal
    cap: Decimal | None = None
    unit: str = "次"


@dataclass
class Resolved:
    """A scheme ready for computing. `scheme_id` is None for the built-in default."""

    name: str
    base_points: Decimal
    pass_mark: Decimal
    grades: list  # [[min, label], ...] highest first
    categories: list  # [{"code", "label", "cap"}]
    rules: dict[str, RuleSpec]
    warning_rules: list = field(default_factory=list)
    scheme_id: int | None = None

    @classmethod
    def from_template(cls, data: dict, scheme_id=None) -> Resolved:
        return cls(
            name=data["name"],
            base_points=q(data.get("base_points") or 0),
            pass_mark=q(data.get("pass_mark", 60)),
            grades=sorted(([q(m), g] for m, g in data.get("grades", [])), key=lambda x: -x[0]),
            categories=[dict(c) for c in data.get("categories", [])],
            rules={
                r["act"]: RuleSpec(
                    r["act"],
                    r["category"],
                    q(r["points"]),
                    None if r.get("cap") in (None, "") else q(r["cap"]),
                    r.get("unit") or "次",
                )
                for r in data.get("rules", [])
            },
            warning_rules=[dict(w) for w in data.get("warning_rules", [])],
            scheme_id=scheme_id,
        )

    def rule_for(self, act: str) -> RuleSpec:
        return self.rules.get(act) or RuleSpec(
            act, A.default_category(act), D0, None, A.ACTS.get(act, ("", "", "次"))[2]
        )

    def category_of(self, act: str) -> str:
        return self.rule_for(act).category

    def category_cap(self, code: str) -> Decimal | None:
        for c in self.categories:
            if c["code"] == code:
                return None if c.get("cap") in (None, "") else q(c["cap"])
        return None

    def category_label(self, code: str) -> str:
        for c in self.categories:
            if c["code"] == code:
                return c.get("label") or code
        return A.category_label(code)

    def grade_for(self, total) -> str:
        for minimum, label in self.grades:
            if total >= minimum:
                return label
        return self.grades[-1][1] if self.grades else ""

    def _plan(self):
        """Everything compute_cents needs, in integer cents (cached per Resolved)."""
        plan = self.__dict__.get("_plan_cache")
        if plan is None:

            def cents(x):
                return None if x is None else int((Decimal(x) * 100).to_integral_value())

            acts = {a: (r.category, cents(r.cap)) for a, r in self.rules.items()}
            cats = [(c["code"], cents(self.category_cap(c["code"]))) for c in self.categories]
            grades = [(cents(m), g) for m, g in self.grades]
            plan = (acts, cats, cents(self.base_points), cents(self.pass_mark), grades)
            self.__dict__["_plan_cache"] = plan
        return plan

    def compute_cents(self, act_cents: dict[str, int]) -> tuple[Decimal, dict[str, float], str, bool]:
        """The same arithmetic as `compute`, on integer cents, for recomputing thousands of members:
        returns (total, by_category as floats, grade, passed)."""
        acts, cats, base, pass_mark, grades = self._plan()
        sums: dict[str, int] = {}
        for act, raw in act_cents.items():
            spec = acts.get(act)
            if spec is None:
                cat, cap = A.default_category(act), None
            else:
                cat, cap = spec
            if cap is not None:
                raw = min(raw, cap) if raw >= 0 else max(raw, -abs(cap))
            sums[cat] = sums.get(cat, 0) + raw
        by_cat, total = {}, base
        for code, cap in cats:
            raw = sums.pop(code, 0)
            pts = min(raw, cap) if cap is not None else raw
            by_cat[code] = pts / 100
            total += pts
        for code in sorted(sums):
            by_cat[code] = sums[code] / 100
            total += sums[code]
        total = max(total, 0)
        grade = grades[-1][1] if grades else ""
        for minimum, label in grades:
            if total >= minimum:
                grade = label
                break
        return Decimal(total).scaleb(-2).quantize(Q2), by_cat, grade, total >= pass_mark

    def compute(self, act_sums: dict[str, Decimal]) -> Score:
        """act_sums: act -> sum of record points (after share). Applies per-act then per-category caps."""
        lines, cats = [], {}
        for act, raw in sorted(act_sums.items()):
            rule = self.rule_for(act)
            counted = raw
            if rule.cap is not None:
                counted = min(raw, rule.cap) if raw >= 0 else max(raw, -abs(rule.cap))
            lines.append(ActLine(act, rule.category, q(raw), q(counted), rule.cap))
            c = cats.setdefault(rule.category, [D0, D0])
            c[0] += counted
        by_cat = {}
        ordered = [c["code"] for c in self.categories] + sorted(
            k for k in cats if k not in {c["code"] for c in self.categories}
        )
        for code in ordered:
            raw = cats.get(code, [D0])[0]
            cap = self.category_cap(code)
            by_cat[code] = {
                "label": self.category_label(code),
                "raw": q(raw),
                "points": q(min(raw, cap) if cap is not None else raw),
                "cap": cap,
            }
        total = q(max(self.base_points + sum((v["points"] for v in by_cat.values()), D0), D0))
        return Score(
            total=total,
            grade=self.grade_for(total),
            by_category=by_cat,
            lines=lines,
            base_points=self.base_points,
            passed=total >= self.pass_mark,
        )


@dataclass
class ActLine:
    act: str
    category: str
    raw: Decimal
    counted: Decimal
    cap: Decimal | None

    @property
    def label(self):
        return A.label(self.act)

    @property
    def capped(self):
        return self.raw != self.counted


@dataclass
class Score:
    total: Decimal
    grade: str
    by_category: dict
    lines: list
    base_points: Decimal
    passed: bool

    def by_category_json(self) -> dict:
        return {k: float(v["points"]) for k, v in self.by_category.items()}
