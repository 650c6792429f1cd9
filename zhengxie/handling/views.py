"""承办工作台 (the unit inbox), the 督办 board and the per-unit figures: thin views over handling.selectors
and handling.services, the same for every kind of routed item."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_POST

from zhengxie.core import pickers
from zhengxie.core.errors import ServiceError
from zhengxie.core.pagination import Paginator
from zhengxie.core.permissions import org_scope_q

from . import kinds, selectors, services
from . import rules as r
from .models import Case

PER_PAGE = 20


def _filters(request) -> dict:
    g = request.GET
    return {
        "kind": g.get("kind", ""),
        "light": g.get("light", ""),
        "status": g.get("status", ""),
        "q": g.get("q", "")[:100],
        "sort": g.get("sort", "deadline"),
    }


def _rows(request, totals=None, mark=None, **extra):
    """The filtered rows' page. `totals`: the figures of the same scope and kind (selectors.totals or the
    board's), which give the number of rows for the usual filters without a COUNT. `mark(assignment)`: what
    the page adds to each row (the board's `can_extend`)."""
    f = _filters(request)
    try:
        qs = selectors.inbox(request.user, **f, **extra)
    except ServiceError as exc:
        messages.error(request, exc.message)
        qs, totals = selectors.inbox(request.user), None
    paginator = Paginator(qs, PER_PAGE)
    count = (
        None if totals is None else selectors.counted(totals, light=f["light"], status=f["status"], q=f["q"])
    )
    if count is not None:
        paginator.count = count  # (a cached property: no COUNT query)
    page = paginator.get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    qs_wo_page = params.urlencode()
    assignments = list(page.object_list)
    page.object_list = selectors.inbox_rows(assignments)
    if mark is not None:
        for a, row in zip(assignments, page.object_list, strict=True):
            row.update(mark(a))
    return f, page, (qs_wo_page + "&") if qs_wo_page else ""


@login_required
def inbox(request):
    """承办工作台: everything the user's unit owes, whatever its kind."""
    if not r.is_unit_user(request.user):
        raise Http404("未找到")
    summary = selectors.totals(request.user)
    # The summary counts every kind: it gives the number of rows unless one kind is picked.
    f, page, qs_wo_page = _rows(request, totals=None if request.GET.get("kind") else summary)
    return render(
        request,
        "handling/inbox.html",
        {
            "page_obj": page,
            "qs_wo_page": qs_wo_page,
            "f": f,
            "kinds": kinds.choices(),
            "summary": summary,
            "is_head": r.is_unit_head(request.user),
            # 待签发 for the head (one COUNT of the owed rows).
            "to_sign": selectors.owed(request.user).filter(signoff="pending").count()
            if r.is_unit_head(request.user)
            else None,
        },
    )


def _unit_box(request, wanted: str) -> tuple[str, str]:
    """The filter's 承办单位 (core.pickers: a <select> of a county's units, a searchable box for a province's
    ~3,800) and the unit id asked for; a name typed without JavaScript stands for the one unit it names (else
    a message, and no unit)."""
    field = pickers.standalone("units", request.user, empty_label="全部")
    wanted, problem = pickers.resolve(field, wanted)
    if problem:
        messages.error(request, problem)
    attrs = {"id": "f-unit", "class": "form-select form-select-sm"}
    return field.widget.render("unit", wanted, attrs=attrs), wanted


def _unit_rows(units) -> SafeString:
    """The board's table, a row per unit: name (a link to the unit's board), red, yellow, green,
    unacknowledged, total."""
    return mark_safe(
        "".join(
            f'<tr><td><a href="?unit={u["unit_id"]}">{escape(u["name"])}</a></td>'
            f'<td class="text-end text-danger">{u["red"]}</td><td class="text-end">{u["yellow"]}</td>'
            f'<td class="text-end">{u["green"]}</td><td class="text-end">{u["unacknowledged"]}</td>'
            f'<td class="text-end">{u["total"]}</td></tr>'
            for u in units
        )
    )


@login_required
def board(request):
    """督办: open items by light, unit and kind; batch reminders and extensions."""
    if not r.can_supervise(request.user):
        raise Http404("未找到")
    unit_box, unit = _unit_box(request, request.GET.get("unit", "").strip())
    kind = request.GET.get("kind", "")
    kind = kind if kind in kinds.KINDS else ""
    figures = selectors.board(request.user, kind=kind, unit=unit if unit.isdigit() else None)
    user = request.user

    def mark(a) -> dict:
        # 延期 exactly where the kind's service would accept it (services.may_extend: its office, in the
        # office's own organisation, in handling, the deadline not already at the kind's limit).
        own = a.organisation_id == user.organisation_id and user.organisation_id is not None
        return {"can_extend": own and services.may_extend(user, a.case, organisation=user.organisation)}

    # The figures count the rows' scope (the same kind and unit) unless the unit given is no number.
    f, page, qs_wo_page = _rows(
        request, totals=figures["totals"] if unit.isdigit() or not unit else None, mark=mark, unit=unit
    )
    return render(
        request,
        "handling/board.html",
        {
            "page_obj": page,
            "qs_wo_page": qs_wo_page,
            "f": f,
            "unit": unit,
            "unit_box": unit_box,
            "kinds": kinds.choices(),
            "figures": figures,
            "unit_rows": _unit_rows(figures["units"]),
            # Reminders and extensions only on the office's own organisation's items (not a subtree's).
            "can_remind": r.is_case_office(request.user),
            # ...and a row's box only where the user runs its kind: the 办公室's 全选本页 ticked the 提案委's
            # proposals too, and 催办所选 answered a wall of 「只有本级负责该类事项的工作人员可以催办」
            "remind_kinds": [name for name in kinds.KINDS if r.is_case_office(request.user, kind=name)],
            "own_org": request.user.organisation_id,
            "chart": _light_bars(figures["units"][:15]),
        },
    )


def _light_bars(units) -> dict:
    names = [u["short_name"] for u in units]
    series = [
        {
            "name": label,
            "type": "bar",
            "stack": "n",
            "data": [u[key] for u in units],
            "itemStyle": {"color": c},
        }
        for key, label, c in (
            ("red", "红灯", "#dc3545"),
            ("yellow", "黄灯", "#ffc107"),
            ("green", "绿灯", "#198754"),
        )
    ]
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {},
        "grid": {"left": 8, "right": 8, "containLabel": True},
        "xAxis": {"type": "category", "data": names, "axisLabel": {"rotate": 30}},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": series,
    }


@login_required
@require_POST
def remind(request):
    if not r.can_supervise(request.user):
        raise Http404("未找到")
    # Item by item (services.cases_remind_each): what was reminded is named, and each item that was not
    # with its reason.
    try:
        done, refused = services.cases_remind_each(
            user=request.user, case_ids=request.POST.getlist("case"), note=request.POST.get("note", "")
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        if done:
            names = "；".join(f"{c.label}《{c.title}》" if c.label else f"《{c.title}》" for c in done[:10])
            more = f"等（另 {len(done) - 10} 项）" if len(done) > 10 else ""
            messages.success(request, f"已向 {len(done)} 项事项的承办单位发送催办提醒：{names}{more}。")
        for name, why in refused:
            messages.warning(request, f"未能催办{name}：{why}")
    nxt = request.POST.get("next", "")
    return redirect(nxt if nxt.startswith("/handling/") else "handling:board")


@login_required
def extend(request, case_id: int):
    """延期 of one item from the board, through the kind's own service."""
    case = Case.objects.filter(org_scope_q(request.user), pk=case_id).first()
    if case is None or not r.is_case_office(request.user, case):
        raise Http404("未找到")
    error, data, refused = "", {"new_deadline": "", "reason": ""}, ""
    if request.method != "POST":
        # No form where no date would do (past the kind's limit, no longer in handling): say why.
        try:
            services.check_extend(request.user, case)
        except ServiceError as exc:
            refused = exc.message
    else:
        data = {
            "new_deadline": request.POST.get("new_deadline", ""),
            "reason": request.POST.get("reason", ""),
        }
        try:
            services.case_extend(
                user=request.user, case=case, new_deadline=data["new_deadline"], reason=data["reason"]
            )
        except ServiceError as exc:
            error = exc.message
        else:
            case.refresh_from_db(fields=["deadline"])
            messages.success(
                request, f"已延期：{case.label}《{case.title}》办理期限改为 {case.deadline:%Y-%m-%d}。"
            )
            return redirect("handling:board")
    return render(
        request,
        "handling/extend.html",
        {
            "case": case,
            "kind": kinds.get(case.kind),
            "item_url": kinds.get(case.kind).url(case),
            "error": error,
            "refused": refused,
            "data": data,
        },
        status=422 if error else 200,
    )


@login_required
def units(request):
    """各承办单位办理情况 across kinds: on-time rate, satisfaction, re-handling (for 民主评议 of units)."""
    if not r.can_supervise(request.user):
        raise Http404("未找到")
    kind = request.GET.get("kind", "")
    kind = kind if kind in kinds.KINDS else ""
    year = request.GET.get("year", "")
    year = int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else None
    rows = selectors.unit_figures(request.user, kind=kind, year=year)
    return render(
        request,
        "handling/units.html",
        {"rows": rows, "kinds": kinds.choices(), "kind": kind, "year": year or ""},
    )
