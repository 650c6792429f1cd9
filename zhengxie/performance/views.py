"""Pages of duty performance: thin — parse, call a selector or service, render."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhengxie.core import exports as core_exports
from zhengxie.core.errors import ServiceError
from zhengxie.core.models import Role
from zhengxie.core.views import paginate
from zhengxie.core.xlsx import Book
from zhengxie.members.models import Member
from zhengxie.members.selectors import member_of

from . import acts as A
from . import renomination, reports, schemes, scoring, selectors, services, services_warnings
from . import workflow as W
from .forms import (
    AdjustForm,
    ConvenerTalkForm,
    DecisionForm,
    RejectForm,
    SelfReportForm,
    TalkForm,
    YearForm,
)
from .models import DutyRecord, Recomputation, SelfReport
from .tasks import RENOMINATION_KIND


def _download(data: bytes, filename: str, content_type: str) -> HttpResponse:
    resp = HttpResponse(data, content_type=content_type)
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return resp


def _form_error(form, exc: ServiceError):
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _require(user, perm, obj=None):
    if not user.has_perm(perm, obj):
        raise Http404("未找到")


# --- the member's archive (一员一档) ----------------------------------------------------------------


@login_required
def me(request):
    member = getattr(request.user, "member", None) if request.user.has_role(Role.MEMBER) else None
    if member is None:
        raise Http404("未找到")
    url = reverse("performance:member", args=[member.pk])
    return redirect(url + (f"?year={request.GET['year']}" if request.GET.get("year") else ""))


def category_chart(score) -> dict:
    cats = list(score.by_category.values())
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": ["计入分", "上限"], "top": 0},
        "grid": {"left": 40, "right": 10, "bottom": 30, "top": 40},
        "xAxis": {"type": "category", "data": [c["label"] for c in cats]},
        "yAxis": {"type": "value"},
        "series": [
            {
                "name": "计入分",
                "type": "bar",
                "data": [float(c["points"]) for c in cats],
                "label": {"show": True, "position": "top"},
            },
            {
                "name": "上限",
                "type": "bar",
                "data": [None if c["cap"] is None else float(c["cap"]) for c in cats],
                "itemStyle": {"opacity": 0.25},
            },
        ],
    }


@login_required
def member_archive(request, pk):
    member = selectors.get_member(request.user, pk)
    year = selectors.parse_year(request.GET.get("year"))
    is_self = member.user_id == request.user.pk
    form = SelfReportForm(initial={"occurred_on": timezone.localdate()}) if is_self else None
    if request.method == "POST":
        if not is_self:
            raise Http404("未找到")
        form = SelfReportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                report = services.self_report_submit(user=request.user, **form.cleaned_data)
            except ServiceError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, "履职自报已提交，等待机关工作人员确认。")
                return redirect(
                    reverse("performance:member", args=[member.pk])
                    + f"?year={report.occurred_on.year}#self-reports"
                )
    data = selectors.archive(member, year)
    years = sorted(
        set(DutyRecord.objects.filter(member=member).order_by().values_list("year", flat=True).distinct())
        | {selectors.this_year(), year},
        reverse=True,
    )
    own_reports = (
        list(selectors.self_reports_of(member)[:50])
        if (is_self or request.user.has_role(Role.STAFF, Role.LEADER, Role.SYSADMIN))
        else []
    )
    evidence = selectors.evidence_for(own_reports)
    for r in own_reports:
        r.evidence = evidence.get(r.pk, [])
    return render(
        request,
        "performance/archive.html",
        data
        | {
            "is_self": is_self,
            "form": form,
            "years": years,
            "self_reports": own_reports,
            "chart": category_chart(data["score"]),
            "can_manage_warnings": request.user.has_perm("performance.manage_warnings", member),
            "can_view_warnings": not is_self and request.user.has_perm("performance.view_warnings"),
        },
    )


@login_required
def member_report(request, pk, fmt):
    if fmt not in ("docx", "pdf"):
        raise Http404("未找到")
    member = selectors.get_member(request.user, pk)
    year = selectors.parse_year(request.GET.get("year"))
    data = selectors.archive(member, year)
    name = f"{member.name}-{year}年度履职报告"
    if fmt == "pdf":
        return _download(reports.report_pdf(data), name + ".pdf", "application/pdf")
    return _download(
        reports.report_docx(data),
        name + ".docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )


# --- self-report review -------------------------------------------------------------------------


@login_required
def reviews(request):
    status = request.GET.get("status", SelfReport.Status.PENDING)
    if status not in SelfReport.Status.values and status != "":
        status = SelfReport.Status.PENDING
    page, qs_wo_page = paginate(request, selectors.review_queue(request.user, status))
    evidence = selectors.evidence_for(page.object_list)
    for r in page.object_list:
        r.evidence = evidence.get(r.pk, [])
        # a level above reads the reports below, it does not confirm them (issue 14, finding 6)
        r.can_act = request.user.has_perm("performance.review_selfreport", r)
    return render(
        request,
        "performance/reviews.html",
        {
            "page_obj": page,
            "any_actable": any(r.can_act for r in page.object_list),
            "querystring_without_page": qs_wo_page,
            "status": status,
            "statuses": SelfReport.Status.choices,
            "reject_form": RejectForm(),
        },
    )


@login_required
@require_POST
def reviews_confirm(request):
    """批量确认 the ticked self-reports."""
    selectors.review_queue(request.user)  # 404 for those who may not review
    try:
        done, refused = services.self_reports_confirm(user=request.user, ids=request.POST.getlist("ids"))
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        if done:
            more = f"等（另 {len(done) - 10} 条）" if len(done) > 10 else ""
            messages.success(request, f"已确认 {len(done)} 条自报并计分：{'；'.join(done[:10])}{more}。")
        for reason in refused:
            messages.warning(request, f"未确认：{reason}")
    return redirect("performance:reviews")


@login_required
@require_POST
def review_confirm(request, pk):
    report = selectors.get_self_report(request.user, pk)
    try:
        record = services.self_report_confirm(user=request.user, report=report)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, f"已确认 {report.member.name} 的“{report.act_label}”，计 {record.points} 分。"
        )
    return redirect("performance:reviews")


@login_required
@require_POST
def review_reject(request, pk):
    report = selectors.get_self_report(request.user, pk)
    form = RejectForm(request.POST)
    try:
        services.self_report_reject(user=request.user, report=report, reason=request.POST.get("reason", ""))
    except ServiceError as exc:
        messages.error(request, exc.message)
        _form_error(form, exc)
        return render(request, "performance/reject.html", {"report": report, "form": form}, status=422)
    messages.success(request, f"已退回 {report.member.name} 的自报。")
    return redirect("performance:reviews")


# --- rankings ---------------------------------------------------------------------------------------


def histogram_chart(dist) -> dict:
    return {
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 40, "right": 10, "bottom": 40, "top": 20},
        "xAxis": {"type": "category", "data": dist["labels"], "name": "分数段"},
        "yAxis": {"type": "value", "name": "人数", "minInterval": 1},
        "series": [
            {
                "type": "bar",
                "name": "人数",
                "data": dist["counts"],
                "barCategoryGap": "5%",
                "label": {"show": True, "position": "top"},
            }
        ],
    }


def groups_chart(groups) -> dict:
    names = [g["name"] for g in groups]
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": ["平均分", "最高分", "最低分"], "top": 0},
        "grid": {"left": 40, "right": 10, "bottom": 90, "top": 40},
        "xAxis": {"type": "category", "data": names, "axisLabel": {"rotate": 40, "interval": 0}},
        "yAxis": {"type": "value"},
        "series": [
            {"name": "平均分", "type": "bar", "data": [g["avg"] for g in groups]},
            {"name": "最高分", "type": "line", "data": [g["max"] for g in groups]},
            {"name": "最低分", "type": "line", "data": [g["min"] for g in groups]},
        ],
    }


def _org_year(request):
    organisation, options = selectors.pick_organisation(request.user, request.GET.get("org"))
    return organisation, options, selectors.parse_year(request.GET.get("year"))


@login_required
def rankings(request):
    _require(request.user, "performance.view_rankings")
    organisation, options, year = _org_year(request)
    by = request.GET.get("by") if request.GET.get("by") in selectors.BY_CHOICES else "sector"
    group = request.GET.get("group") or None
    groups = selectors.ranking_groups(organisation, year, by)
    dist = selectors.distribution(organisation, year)
    page, qs_wo_page = paginate(request, selectors.ranking_members(organisation, year, by, group), 30)
    return render(
        request,
        "performance/rankings.html",
        {
            "organisation": organisation,
            "organisations": options,
            "year": year,
            "by": by,
            "by_choices": selectors.BY_CHOICES,
            "by_label": selectors.BY_CHOICES[by],
            "group": group,
            "groups": groups,
            "group_name": next((g["name"] for g in groups if str(g["id"]) == str(group)), ""),
            "dist": dist,
            "hist_chart": histogram_chart(dist),
            "groups_chart": groups_chart(groups),
            "grade_counts": dist["grades"],
            "page_obj": page,
            "querystring_without_page": qs_wo_page,
        },
    )


# --- warnings ---------------------------------------------------------------------------------------


@login_required
def warnings(request):
    _require(request.user, "performance.view_warnings")
    organisation, options, year = _org_year(request)
    scheme = scoring.resolve(organisation.pk, year)
    rule = request.GET.get("rule", "")
    state = request.GET.get("state", "")
    if state not in W.STATE_LABELS and state != "open":
        state = ""
    rows = selectors.warning_list(organisation, year, rule, state)
    page, qs_wo_page = paginate(request, rows, 30)
    page.object_list = selectors.hydrate_warnings(page.object_list, organisation, year)
    return render(
        request,
        "performance/warnings.html",
        {
            "organisation": organisation,
            "organisations": options,
            "year": year,
            "rule": rule,
            "state": state,
            "states": [("open", "待处理")] + W.STATE_CHOICES,
            "rules": scheme.warning_rules,
            "page_obj": page,
            "querystring_without_page": qs_wo_page,
            "can_manage": request.user.has_perm("performance.manage_warnings", organisation),
        },
    )


@login_required
def convened_warnings(request):
    """A 界别召集人's / 组长's list (their workbench to-do 「待谈话提醒的委员」): the members of the sectors they
    convene and the groups they lead with a warning this year, each opening its case to record the talk."""
    convener = member_of(request.user) if request.user.has_role(Role.MEMBER) else None
    if convener is None:
        raise Http404("未找到")
    year = selectors.this_year()
    state = request.GET.get("state", "")
    if state not in (W.WARNED, W.TALKED):
        state = ""
    rows = selectors.convened_warnings(request.user, year, state=state)
    page, qs_wo_page = paginate(request, rows, 30)
    page.object_list = selectors.hydrate_warnings(page.object_list, convener.organisation, year)
    return render(
        request,
        "performance/convened_warnings.html",
        {
            "year": year,
            "state": state,
            "states": [("", "全部"), (W.WARNED, "待谈话"), (W.TALKED, "已谈话")],
            "page_obj": page,
            "querystring_without_page": qs_wo_page,
        },
    )


@login_required
def warning_case(request, member_id, year):
    """动态退出: one member's warning case of a year — the rules, the history, and the forms of the
    transitions its state offers (谈话提醒; 劝辞 / 视为辞去 / 继续履职 / 撤销预警). The office staff record any
    talk and decide; the member's 界别召集人 / 组长 records their own talk (ConvenerTalkForm)."""
    member = selectors.get_case_member(request.user, member_id)
    year = selectors.parse_year(year)
    data = selectors.warning_case(member, year)
    as_office = request.user.has_perm("performance.manage_warnings", member)
    as_convener = not as_office and request.user.has_perm("performance.talk_as_convener", member)
    can_decide = request.user.has_perm("performance.decide_warning", member)
    decisions = [t for t in data["actions"] if t.action in W.DECISIONS]
    talk_offered = (as_office or as_convener) and any(t.action == "talk" for t in data["actions"])
    conveners = (
        Member.objects.filter(organisation_id=member.organisation_id, status=Member.Status.ACTIVE)
        .exclude(pk=member.pk)
        .select_related("sector")
    )

    def make_talk_form(*args, **kwargs):
        if as_convener:
            return ConvenerTalkForm(*args, **kwargs)
        return TalkForm(*args, members=conveners, **kwargs)

    talk_form = make_talk_form(initial={"talk_on": timezone.localdate()}) if talk_offered else None
    decision_form = DecisionForm(actions=decisions, rules=data["rules"]) if can_decide and decisions else None
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "talk":
                talk_form = make_talk_form(request.POST)
                if not talk_form.is_valid():
                    raise _FormInvalid
                services_warnings.warning_talk(
                    user=request.user,
                    member=member,
                    year=year,
                    **({"talk_by": "convener"} if as_convener else {}),
                    **talk_form.cleaned_data,
                )
                messages.success(request, f"已登记对 {member.name} 的谈话提醒。")
            else:
                decision_form = DecisionForm(
                    # every decision: the service answers an illegal one for this state (409)
                    request.POST,
                    actions=[W.TRANSITIONS[a] for a in W.DECISIONS],
                    rules=data["rules"],
                )
                if not decision_form.is_valid():
                    raise _FormInvalid
                case = services_warnings.warning_decide(
                    user=request.user, member=member, year=year, **decision_form.cleaned_data
                )
                messages.success(request, f"已对 {member.name} 作出“{case.state_label}”的决定，已通知本人。")
        except _FormInvalid:
            status = 422
        except ServiceError as exc:
            form = talk_form if action == "talk" else decision_form
            if form is None:
                messages.error(request, exc.message)
                return redirect(request.path)
            _form_error(form, exc)
            status = 422
        else:
            return redirect(request.path)
    return render(
        request,
        "performance/warning_case.html",
        data
        | {
            "talk_form": talk_form,
            "decision_form": decision_form,
            "talk_offered": talk_offered,
            "as_convener": as_convener,
            "as_office": request.user.has_perm("performance.view_warnings"),
            "can_decide": can_decide,
            "transitions": list(W.TRANSITIONS.values()),
        },
        status=status,
    )


class _FormInvalid(Exception):
    """A form's own check failed: the page shows its errors (what was typed kept)."""


# --- 换届提名参考名单 ----------------------------------------------------------------------------------


@login_required
def renomination_list(request):
    term = renomination.get_term(request.user, request.GET.get("term"))
    suggest = request.GET.get("suggest", "") if request.GET.get("suggest") in ("yes", "no") else ""
    data = renomination.renomination(term, suggest)
    page, qs_wo_page = paginate(request, data["rows"], 50)
    return render(
        request,
        "performance/renomination.html",
        data
        | {
            "terms": renomination.terms_for(request.user),
            "suggest": suggest,
            "page_obj": page,
            "querystring_without_page": qs_wo_page,
        },
    )


@login_required
def renomination_export(request):
    term = renomination.get_term(request.user, request.GET.get("term"))
    params = {"term": term.pk}
    if request.GET.get("suggest") in ("yes", "no"):
        params["suggest"] = request.GET["suggest"]
    return core_exports.respond(request, RENOMINATION_KIND, params, title=f"{term.name}换届提名参考名单")


# --- yearly assessment ------------------------------------------------------------------------------


@login_required
def assessments(request):
    qs = selectors.assessments(request.user)
    form = YearForm(initial={"year": selectors.this_year()})
    organisation, options = selectors.pick_organisation(
        request.user, request.POST.get("org") or request.GET.get("org")
    )
    if request.method == "POST":
        form = YearForm(request.POST)
        if form.is_valid():
            try:
                a = services.assessment_create(
                    user=request.user, organisation=organisation, year=form.cleaned_data["year"]
                )
            except ServiceError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, f"已生成{a.year}年度考核，等次按得分建议，可逐人调整后确认。")
                return redirect("performance:assessment", pk=a.pk)
    page, qs_wo_page = paginate(request, qs)
    return render(
        request,
        "performance/assessments.html",
        {
            "page_obj": page,
            "querystring_without_page": qs_wo_page,
            "form": form,
            "organisation": organisation,
            "organisations": options,
            "can_run": request.user.has_perm("performance.run_assessment", organisation),
        },
    )


@login_required
def assessment_detail(request, pk):
    assessment = selectors.get_assessment(request.user, pk)
    grades = [g for _, g in scoring.resolve(assessment.organisation_id, assessment.year).grades]
    if request.method == "POST":
        entry = selectors.get_assessment_entry(request.user, request.POST.get("entry"))
        if entry.assessment_id != assessment.pk:
            raise Http404("未找到")
        form = AdjustForm(request.POST, grades=grades)
        if form.is_valid():
            try:
                services.assessment_adjust(user=request.user, entry=entry, **form.cleaned_data)
            except ServiceError as exc:
                messages.error(request, f"{entry.member.name}：{exc.message}")
            else:
                messages.success(request, f"已将 {entry.member.name} 的等次定为“{entry.final_grade}”。")
        else:
            messages.error(request, "请选择等次。")
        return redirect(request.get_full_path())
    grade = request.GET.get("grade", "")
    q = request.GET.get("q", "").strip()
    page, qs_wo_page = paginate(request, selectors.assessment_entries(assessment, grade, q), 30)
    counts = {}
    for g in assessment.entries.values_list("final_grade", flat=True):
        counts[g] = counts.get(g, 0) + 1
    return render(
        request,
        "performance/assessment.html",
        {
            "assessment": assessment,
            "page_obj": page,
            "querystring_without_page": qs_wo_page,
            "grades": grades,
            "grade": grade,
            "q": q,
            "counts": [(g, counts.get(g, 0)) for g in grades],
            "can_run": request.user.has_perm("performance.run_assessment", assessment)
            and not assessment.is_locked,
        },
    )


@login_required
@require_POST
def assessment_confirm(request, pk):
    assessment = selectors.get_assessment(request.user, pk)
    try:
        services.assessment_confirm(user=request.user, assessment=assessment)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "考核结果已确认并锁定，已通知委员。")
    return redirect("performance:assessment", pk=assessment.pk)


@login_required
def assessment_export(request, pk):
    assessment = selectors.get_assessment(request.user, pk)
    book = Book()
    ws = book.sheet(f"{assessment.year}年度考核")
    ws.append([f"{assessment}（{assessment.get_status_display()}）"])
    ws.append(["序号", "委员", "委员编号", "界别", "得分", "建议等次", "确定等次", "调整理由", "调整人"])
    for i, e in enumerate(selectors.assessment_entries(assessment).iterator(chunk_size=2000), 1):
        ws.append(
            [
                i,
                e.member.name,
                e.member.code,
                str(e.member.sector),
                float(e.score),
                e.proposed_grade,
                e.final_grade,
                e.reason,
                e.adjusted_by.name if e.adjusted_by else "",
            ]
        )
    return _download(
        book.save(),
        f"{assessment.year}年度委员履职考核.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


# --- scoring scheme (administrator) -----------------------------------------------------------------


def _posted_scheme(post) -> dict:
    """The scheme table as the page posts it (lists of cells), in the shape services.clean_scheme_data takes."""

    def rows(prefix, fields):
        cols = {f: post.getlist(f"{prefix}_{f}") for f in fields}
        n = max((len(v) for v in cols.values()), default=0)
        return [{f: (cols[f][i] if i < len(cols[f]) else "") for f in fields} for i in range(n)]

    rules = [r for r in rows("rule", ["act", "category", "points", "unit", "cap", "on"]) if r["on"] == "1"]
    warning_rules = []
    for w in rows("warn", ["code", "label", "kind", "acts", "min", "years", "step", "on"]):
        w["acts"] = [a for a in w["acts"].split(",") if a]
        w["enabled"] = w.pop("on") == "1"
        warning_rules.append(w)
    return {
        "name": post.get("name", ""),
        "base_points": post.get("base_points", ""),
        "pass_mark": post.get("pass_mark", ""),
        "template": post.get("template", ""),
        "categories": [c for c in rows("cat", ["code", "label", "cap"]) if c["code"].strip()],
        "grades": [
            {"min": g["min"], "label": g["label"]}
            for g in rows("grade", ["min", "label"])
            if g["label"].strip()
        ],
        "rules": rules,
        "warning_rules": warning_rules,
    }


def _scheme_page_rows(data: dict) -> dict:
    """Rows for the page: every act (on/off), categories and grades with blank rows to add more."""
    by_act = {r["act"]: r for r in data.get("rules", [])}
    default_cat = (data.get("categories") or [{"code": A.OTHER}])[0]["code"]
    rules = []
    for code, (label, cat, unit) in A.ACTS.items():
        r = by_act.get(code)
        rules.append(
            {
                "act": code,
                "label": label,
                "on": r is not None,
                "category": (r or {}).get("category")
                or (cat if any(c["code"] == cat for c in data.get("categories", [])) else default_cat),
                "points": "" if r is None else r.get("points"),
                "unit": (r or {}).get("unit") or unit,
                "cap": "" if r is None or r.get("cap") in (None, "") else r.get("cap"),
            }
        )
    cats = list(data.get("categories", [])) + [{"code": "", "label": "", "cap": ""}] * 2
    grades = [
        ({"min": g[0], "label": g[1]} if isinstance(g, (list, tuple)) else g) for g in data.get("grades", [])
    ]
    grades += [{"min": "", "label": ""}] * 2
    known = {w["code"]: w for w in data.get("warning_rules", [])}
    warn = []
    for w in schemes.JINAN["warning_rules"]:
        cur = known.get(w["code"])
        warn.append(
            (cur or w)
            | {
                "enabled": bool(cur and cur.get("enabled", True)),
                "acts_csv": ",".join((cur or w).get("acts", [])),
            }
        )
    return {"rule_rows": rules, "cat_rows": cats, "grade_rows": grades, "warn_rows": warn}


@login_required
def scheme(request):
    _require(request.user, "performance.view_scheme")
    organisation, options, year = _org_year(request)
    can_edit = request.user.has_perm("performance.change_scheme", organisation)
    saved = selectors.scheme_for_page(organisation, year)
    template = request.GET.get("template", "")
    if request.method == "POST":
        if not can_edit:
            raise Http404("未找到")
        data = _posted_scheme(request.POST)
        try:
            _, run = services.scheme_save(user=request.user, organisation=organisation, year=year, data=data)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                "积分方案已保存，正在按新方案重算本年度全部委员积分。"
                if run.status != Recomputation.Status.DONE
                else "积分方案已保存，本年度积分已重算。",
            )
            return redirect(
                reverse("performance:scheme") + f"?org={organisation.pk}&year={year}&run={run.pk}"
            )
        source = "posted"
    elif template in schemes.TEMPLATES or template.startswith("copy:"):
        source = "template"
        if template.startswith("copy:"):
            other = scoring.saved_scheme(organisation.pk, selectors.parse_year(template[5:]))
            data = other.as_data() if other else dict(schemes.DEFAULT)
        else:
            data = dict(schemes.TEMPLATES[template])
        data["template"] = template
    elif saved is not None:
        source = "saved"
        data = saved.as_data() | {"template": saved.template}
    else:
        source = "default"
        data = dict(schemes.DEFAULT) | {"template": "default"}
    run = None
    if request.GET.get("run"):
        run = Recomputation.objects.filter(pk=request.GET["run"], organisation=organisation).first()
    previous = scoring.saved_scheme(organisation.pk, year - 1)
    return render(
        request,
        "performance/scheme.html",
        {
            "organisation": organisation,
            "organisations": options,
            "year": year,
            "data": data,
            "saved": saved,
            "source": source,
            "templates": schemes.TEMPLATE_CHOICES,
            "previous": previous,
            "can_edit": can_edit,
            "steps": schemes.WARNING_STEPS,
            "run": run,
            **_scheme_page_rows(data),
        },
    )


@login_required
def recomputation(request, pk):
    """Progress of a recompute (the scheme page polls this fragment with htmx)."""
    _require(request.user, "performance.view_scheme")
    run = Recomputation.objects.filter(pk=pk).select_related("organisation").first()
    if run is None or not request.user.has_perm("performance.change_scheme", run.organisation):
        raise Http404("未找到")
    return render(request, "performance/_recompute.html", {"run": run})


@login_required
@require_POST
def recomputation_retry(request, pk):
    """Run a failed recompute again (the scheme's system administrator; others: 404)."""
    _require(request.user, "performance.view_scheme")
    run = Recomputation.objects.filter(pk=pk).select_related("organisation").first()
    if run is None or not request.user.has_perm("performance.change_scheme", run.organisation):
        raise Http404("未找到")
    try:
        new = services.recompute_retry(user=request.user, run=run)
    except ServiceError as exc:
        messages.error(request, exc.message)
        new = run
    return redirect(
        reverse("performance:scheme") + f"?org={run.organisation_id}&year={run.year}&run={new.pk}"
    )
