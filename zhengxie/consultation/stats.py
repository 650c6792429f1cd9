"""The year's consultation figures of a committee (with its 乡镇联络组' 有事好商量), by aggregate queries:

- conducted per form: consultations of the year that were held (held, outcome_sent or closed);
- planned: the year's consultations still planned or open;
- outcomes N / recommendations M / adopted K (已采纳 + 部分采纳): services.outcomes.outcome_figures.

`work_report_sentence` is the yearly report's "开展全体会议协商a次、……，形成协商成果N项、建议M条，被采纳K条".
"""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import HttpResponse

from zhengxie.core import xlsx
from zhengxie.opinions.stats import check_year

from .models import Consultation
from .selectors import committee_q

S = Consultation.Status
F = Consultation.Form
DONE = (S.HELD, S.OUTCOME_SENT, S.CLOSED)
# The work report's words for each form ("开展……a次").
SENTENCE_FORMS = [
    (F.PLENARY, "全体会议协商", "次"),
    (F.STANDING_TOPIC, "常委会专题协商", "次"),
    (F.BIMONTHLY, "双月协商", "次"),
    (F.COUNTERPART, "对口协商", "次"),
    (F.SECTOR, "界别协商", "次"),
    (F.PROPOSAL_HANDLING, "提案办理协商", "次"),
    (F.ONLINE, "网络议政", "次"),
    (F.GRASSROOTS, "有事好商量", "场"),
]


def year_stats(user, year=None, organisation=None) -> dict:
    """{year, organisation, by_form [{form, label, unit, done, planned}], done, planned, months [12],
    outcomes, recommendations, adopted, partly, routed, closed, instructions, sentence} — four queries."""
    from .services.outcomes import outcome_figures

    year = check_year(year)
    org = organisation or user.organisation
    rows = (
        Consultation.objects.filter(committee_q(org), year=year)
        .values("form")
        .annotate(
            done=Count("id", filter=Q(status__in=DONE)), planned=Count("id", filter=~Q(status__in=DONE))
        )
    )
    per_form = {r["form"]: r for r in rows}
    months = [0] * 12
    for r in (
        Consultation.objects.filter(committee_q(org), year=year, status__in=DONE, held_on__year=year)
        .values("held_on__month")
        .annotate(n=Count("id"))
    ):
        months[r["held_on__month"] - 1] = r["n"]
    by_form = [
        {
            "form": form.value,
            "label": label,
            "unit": unit,
            "done": per_form.get(form.value, {}).get("done", 0),
            "planned": per_form.get(form.value, {}).get("planned", 0),
        }
        for form, label, unit in SENTENCE_FORMS
    ]
    s = {
        "year": year,
        "organisation": org,
        "by_form": by_form,
        "done": sum(f["done"] for f in by_form),
        "planned": sum(f["planned"] for f in by_form),
        "months": months,
        **outcome_figures(user, year, organisation=org),
    }
    s["sentence"] = work_report_sentence(s)
    s["form_chart"] = {
        "tooltip": {},
        "grid": {"left": 110, "right": 20, "top": 10, "bottom": 30},
        "xAxis": {"type": "value", "minInterval": 1},
        "yAxis": {"type": "category", "data": [f["label"] for f in by_form][::-1]},
        "series": [{"type": "bar", "name": "已开展", "data": [f["done"] for f in by_form][::-1]}],
    }
    s["month_chart"] = {
        "tooltip": {},
        "grid": {"left": 40, "right": 20, "top": 10, "bottom": 30},
        "xAxis": {"type": "category", "data": [f"{m}月" for m in range(1, 13)]},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [{"type": "bar", "name": "协商次数", "data": months}],
    }
    return s


def work_report_sentence(s: dict) -> str:
    parts = "、".join(f"{f['label']}{f['done']}{f['unit']}" for f in s["by_form"])
    return (
        f"开展{parts}，形成协商成果{s['outcomes']}项、建议{s['recommendations']}条，"
        f"被采纳{s['adopted'] + s['partly']}条"
    )


def xlsx_response(user, year) -> HttpResponse:
    s = year_stats(user, year)
    book = xlsx.Book()
    sheet = book.sheet(f"{s['year']}年协商议事")
    sheet.append([f"{s['organisation'].name}{s['year']}年协商议事统计"])
    sheet.append(["协商形式", "已开展", "计划中"])
    for f in s["by_form"]:
        sheet.append([f["label"], f["done"], f["planned"]])
    sheet.append(["合计", s["done"], s["planned"]])
    sheet.append([])
    for label, key in (
        ("协商成果(项)", "outcomes"),
        ("建议(条)", "recommendations"),
        ("已采纳(条)", "adopted"),
        ("部分采纳(条)", "partly"),
        ("领导批示(次)", "instructions"),
    ):
        sheet.append([label, s[key]])
    sheet.append([])
    sheet.append([s["sentence"]])
    resp = HttpResponse(book.save(), content_type=xlsx.CONTENT_TYPE)
    resp["Content-Disposition"] = f'attachment; filename="consultation-{s["year"]}.xlsx"'
    return resp
