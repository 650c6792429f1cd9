"""换届提名参考名单: at the end of a term, each member of the term with what the duty records say about
every year of it — the score and grade, whether the yearly minimum was met (the pass mark, and 三个一
where the year's scheme checks it), the warnings and how their cases ended — and a suggestion:
建议续提名, or 不建议续提名 with the reasons.

Reasons against (each named on the list): the member is no longer active (已劝辞, 视为辞去, 退出, 暂停);
a year's case ended in 劝辞 / 视为辞去; a year triggered a rule whose step is 劝辞建议 or 不建议续提名
(e.g. 连续两年未提交提案) and its case was not 撤销预警; a scored year below the yearly minimum.
A year counts once the member has a yearly score for it; years after today are not part of the list.

`renomination(term)` runs a constant number of queries whatever the number of members (about six a year
of the term: its scheme and its warnings).
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count
from django.http import Http404
from django.utils import timezone

from zhengxie.core.permissions import org_scope_q
from zhengxie.members.models import Member, Session, Term

from . import scoring, selectors
from . import workflow as W
from .models import DutyRecord, MemberYearScore, WarningCase

AGAINST_STEPS = (W.EXIT_STEP, "不建议续提名")
SUGGEST = "建议续提名"
NOT_SUGGEST = "不建议续提名"


def terms_for(user) -> list[Term]:
    """Terms of the committees the user may read the list of (404 for anyone else)."""
    if not user.is_authenticated or not user.has_perm("performance.view_renomination"):
        raise Http404("未找到")
    return list(
        Term.objects.filter(org_scope_q(user))
        .select_related("organisation")
        .order_by("organisation__path", "-number")
    )


def get_term(user, term_id=None) -> Term:
    """The term asked for (when the user may read it), else the user's own committee's current term."""
    terms = terms_for(user)
    if term_id not in (None, ""):
        for t in terms:
            if str(t.pk) == str(term_id):
                return t
        raise Http404("未找到")
    own = [t for t in terms if t.organisation_id == user.organisation_id] or terms
    for t in own:
        if t.is_current:
            return t
    if not own:
        raise Http404("未找到")
    return own[0]


def term_years(term: Term) -> list[int]:
    """The years of the term (its sessions' years, else its dates), up to this year."""
    this_year = timezone.localdate().year
    years = set(Session.objects.filter(term=term).values_list("year", flat=True))
    if not years:
        end = term.end_date.year if term.end_date else this_year
        years = set(range(term.start_date.year, end + 1))
    return sorted(y for y in years if y <= this_year)


def members_of(term: Term):
    return Member.objects.filter(term=term, organisation_id=term.organisation_id)


def renomination(term: Term, suggest: str = "") -> dict:
    org_id = term.organisation_id
    years = term_years(term)
    members = list(members_of(term).select_related("sector").order_by("sector__order", "sector_id", "id"))
    ids = {m.pk for m in members}
    scores = defaultdict(dict)
    for mid, y, total, grade, passed in MemberYearScore.objects.filter(
        organisation_id=org_id, year__in=years, member__term=term
    ).values_list("member_id", "year", "total", "grade", "passed"):
        scores[mid][y] = (total, grade, passed)
    acts = defaultdict(dict)
    for mid, y, act, n in (
        DutyRecord.objects.filter(
            organisation_id=org_id,
            year__in=years,
            act__in=selectors.THREE_ONES_ACTS,
            member__term=term,
            **scoring.LIVE,
        )
        .values_list("member_id", "year", "act")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        acts[(mid, y)][act] = n
    cases = {
        (c.member_id, c.year): c
        for c in WarningCase.objects.filter(organisation_id=org_id, year__in=years, member__term=term)
    }
    per_year = {}
    for y in years:
        scheme = scoring.resolve(org_id, y)
        checks_three = any(
            w.get("kind") == "three_ones" and w.get("enabled", True) for w in scheme.warning_rules
        )
        hits = selectors.warnings(org_id, y, scheme=scheme, active_only=False)
        per_year[y] = (scheme, checks_three, {m: ws for m, ws in hits.items() if m in ids})
    rows = []
    for m in members:
        cells, reasons, warned = [], [], []
        if m.status != Member.Status.ACTIVE:
            reasons.append(f"当前状态为“{m.get_status_display()}”")
        for y in years:
            scheme, checks_three, hits = per_year[y]
            case = cases.get((m.pk, y))
            score = scores[m.pk].get(y)
            # a year without a score (before the member served, or before the records began) shows no
            # computed warning: "全年无提案" of a year nobody counted is noise, not a finding
            found = hits.get(m.pk, []) if score is not None else []
            if case is not None:
                codes = {w["code"] for w in found}
                found = found + [r for r in case.rules if r["code"] not in codes]
            three = selectors.three_ones_met(acts.get((m.pk, y), {}))
            cell = {
                "year": y,
                "scored": score is not None,
                "total": float(score[0]) if score else None,
                "grade": score[1] if score else "",
                "passed": bool(score and score[2]),
                "three_ones": three,
                "met": None,
                "warnings": [w["label"] for w in found],
                "case_state": case.state_label if case else ("预警" if found else ""),
            }
            if score is not None:
                cell["met"] = bool(score[2]) and (three or not checks_three)
                if not cell["met"]:
                    why = (
                        f"得分{float(score[0]):g}，低于合格线{float(scheme.pass_mark):g}"
                        if not score[2]
                        else "未完成“三个一”"
                    )
                    reasons.append(f"{y}年未达到年度最低履职要求（{why}）")
            if case is not None and case.state in (W.ADVISED, W.DEEMED):
                reasons.append(
                    f"{y}年{case.state_label}"
                    + (f"（{case.decision_rule_label}）" if case.decision_rule_label else "")
                )
            elif not (case is not None and case.state == W.WITHDRAWN):
                for w in found:
                    if w.get("step") in AGAINST_STEPS:
                        reasons.append(f"{y}年：{w['label']}")
            if case is not None:
                warned.append(
                    {
                        "year": y,
                        "state": case.state_label,
                        "rule": case.decision_rule_label,
                        "grounds": case.grounds,
                    }
                )
            cells.append(cell)
        rows.append(
            {
                "member": m,
                "member_id": m.pk,
                "name": m.name,
                "sector": m.sector.name if m.sector_id else "",
                "status": m.get_status_display(),
                "years": cells,
                "cases": warned,
                "met_all": all(c["met"] is not False for c in cells),
                "suggest": not reasons,
                "suggestion": SUGGEST if not reasons else NOT_SUGGEST,
                "reasons": reasons,
            }
        )
    counts = {"members": len(rows), "suggest": sum(1 for r in rows if r["suggest"])}
    counts["not_suggest"] = counts["members"] - counts["suggest"]
    if suggest == "yes":
        rows = [r for r in rows if r["suggest"]]
    elif suggest == "no":
        rows = [r for r in rows if not r["suggest"]]
    rows.sort(key=lambda r: r["suggest"])  # stable: 不建议续提名 first, each part in roster order
    return {"term": term, "years": years, "rows": rows, "counts": counts}


def xlsx(data: dict) -> bytes:
    """The list as .xlsx (core.xlsx.Book: widths, frozen header, filters)."""
    from zhengxie.core.xlsx import Book

    years = data["years"]
    book = Book()
    ws = book.sheet("换届提名参考名单")
    term = data["term"]
    ws.append(
        [
            f"{term.organisation.name}{term.name}换届提名参考名单（{years[0] if years else ''}—{years[-1] if years else ''}年）"
        ]
    )
    header = ["序号", "委员", "界别", "状态"]
    for y in years:
        header += [f"{y}年得分", f"{y}年等次", f"{y}年达到最低要求", f"{y}年三个一", f"{y}年预警"]
    header += ["预警处理结果", "建议", "理由"]
    ws.append(header)
    for i, r in enumerate(data["rows"], 1):
        line = [i, r["name"], r["sector"], r["status"]]
        for c in r["years"]:
            if not c["scored"]:
                line += ["未计分", "", "", "是" if c["three_ones"] else "否", "；".join(c["warnings"])]
                continue
            line += [
                c["total"],
                c["grade"],
                "是" if c["met"] else "否",
                "是" if c["three_ones"] else "否",
                "；".join(c["warnings"]),
            ]
        line += [
            "；".join(
                f"{x['year']}年{x['state']}" + (f"（{x['grounds']}）" if x["grounds"] else "")
                for x in r["cases"]
            ),
            r["suggestion"],
            "；".join(r["reasons"]),
        ]
        ws.append(line)
    return book.save()
