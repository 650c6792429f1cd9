"""协商成果 pages: writing the outcome (a list of numbered recommendations; "add more rows" keeps what was
typed), the outcome page (send, route a recommendation, adoption, 批示, 票评 with its counts), the phone
page where a standing member votes, and the .docx report. `panel_context` feeds the consultation page's
panel (consultation/_outcome_panel.html)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhengxie.core.errors import ServiceError
from zhengxie.core.models import HandlingUnit
from zhengxie.opinions.models import LEVELS

from .. import rules
from .. import selectors_outcomes as sel
from ..models import Outcome, OutcomeVote, Recommendation
from ..selectors import get_consultation
from ..services import outcomes as services

EMPTY_ROWS = 3
MORE_ROWS = 3


def _units(consultation):
    return list(
        HandlingUnit.objects.filter(organisation_id=consultation.organisation.committee.pk, is_active=True)
        .only("pk", "name")
        .order_by("order", "pk")
    )


# --- the consultation page's panel ---------------------------------------------------------------------


def panel_context(request, consultation) -> dict:
    """What consultation/_outcome_panel.html shows on the consultation page (under the key `op`)."""
    user = request.user
    o = sel.outcome_of(consultation, user)
    data = (
        sel.page(user, o)
        if o is not None
        else {"outcome": None, "manage": rules.can_manage(user, consultation)}
    )
    data["consultation"] = consultation
    data["writable"] = o is None and data["manage"] and services.outcome_writable(consultation)
    return {"op": data}


# --- the year's outcomes (成果转化) -------------------------------------------------------------------------


@login_required
def outcome_list(request):
    """The year's outcomes with their 成果转化 figures (sent, recommendations, adopted, routed, closed, 批示)."""
    from zhengxie.core.views import paginate

    user = request.user
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError:
        year = today.year
    if not 2000 <= year <= today.year + 1:
        year = today.year
    todo = "vote" if request.GET.get("todo") == "vote" else ""
    page, qs_wo_page = paginate(request, sel.outcomes_for(user, year, todo=todo))
    return render(
        request,
        "consultation/outcome_list.html",
        {
            "todo": todo,
            "page_obj": page,
            "querystring_without_page": qs_wo_page,
            "year": year,
            "years": list(range(today.year, today.year - 5, -1)),
            "figures": services.outcome_figures(user, year),
            "rating_labels": dict(OutcomeVote.Rating.choices),
        },
    )


# --- writing the outcome -----------------------------------------------------------------------------------


def _rows_from_post(post) -> list[dict]:
    contents = post.getlist("content")
    units = post.getlist("unit")
    deadlines = post.getlist("deadline")
    rows = []
    for i, content in enumerate(contents):
        rows.append(
            {
                "content": content,
                "unit": units[i] if i < len(units) else "",
                "deadline": deadlines[i] if i < len(deadlines) else "",
            }
        )
    return rows


def _edit_page(request, c, o, data, rows, error=None, field="", status=200):
    units = _units(c)
    for r in rows:
        r["unit"] = str(r.get("unit") or "")
    return render(
        request,
        "consultation/outcome_edit.html",
        {
            "consultation": c,
            "outcome": o,
            "data": data,
            "rows": rows,
            "units": units,
            "error": error,
            "error_field": field,
            "default_title": services.default_title(c),
        },
        status=status,
    )


@login_required
def outcome_edit(request, pk):
    """撰写/修改协商成果 (pk: the consultation)."""
    user = request.user
    c = get_consultation(user, pk)
    if not rules.can_manage(user, c):
        raise PermissionDenied("只有本级政协办公室或专委会的工作人员可以撰写协商成果。")
    o = sel.outcome_of(c)
    if o is not None and o.status != Outcome.Status.DRAFT:
        messages.info(request, "协商成果已报送，不能再修改。")
        return redirect("consultation:outcome", o.pk)
    if request.method != "POST":
        if o is None:
            data = {
                "title": "",
                "summary": c.hall_summary or "",
                "sent_to": Outcome._meta.get_field("sent_to").default,
            }
            rows = []
        else:
            data = {"title": o.title, "summary": o.summary, "sent_to": o.sent_to}
            rows = [
                {
                    "content": r.content,
                    "unit": r.unit_id or "",
                    "deadline": r.deadline.isoformat() if r.deadline else "",
                }
                for r in sel.recommendations(o)
            ]
        rows += [{"content": "", "unit": "", "deadline": ""} for _ in range(EMPTY_ROWS if not rows else 1)]
        error = None
        if o is None and not services.outcome_writable(c):
            error = (
                f"协商活动当前状态为「{c.get_status_display()}」，召开后（网络议政截止后）才能撰写协商成果。"
            )
        return _edit_page(request, c, o, data, rows, error)
    data = {k: request.POST.get(k, "") for k in ("title", "summary", "sent_to")}
    rows = _rows_from_post(request.POST)
    if "more" in request.POST:
        rows += [{"content": "", "unit": "", "deadline": ""} for _ in range(MORE_ROWS)]
        return _edit_page(request, c, o, data, rows)
    try:
        o = services.save(
            user=user,
            consultation=c,
            title=data["title"],
            summary=data["summary"],
            sent_to=data["sent_to"] or None,
            recommendations=rows,
        )
    except ServiceError as exc:
        return _edit_page(request, c, o, data, rows, exc.message, exc.field, exc.status)
    messages.success(request, "协商成果已保存（草稿）。")
    return redirect("consultation:outcome", o.pk)


# --- the outcome page ----------------------------------------------------------------------------------------


def _page(request, o, errors=None, status=200):
    user = request.user
    data = sel.page(user, o)
    c = o.consultation
    data.update(
        {
            "units": _units(c) if data["manage"] else [],
            "levels": LEVELS,
            "adoptions": [a for a in Recommendation.Adoption.choices if a[0]],
            "errors": errors or {},
            "posted": request.POST if errors else {},
            "today": timezone.localdate().isoformat(),
        }
    )
    for r in data["recommendations"]:
        r.error = (errors or {}).get(f"route-{r.pk}") or (errors or {}).get(f"adoption-{r.pk}")
    return render(request, "consultation/outcome_detail.html", data, status=status)


@login_required
def outcome_detail(request, pk):
    return _page(request, sel.get_outcome(request.user, pk))


def _act(request, o, key, fn, done: str, anchor: str = ""):
    try:
        fn()
    except ServiceError as exc:
        return _page(request, sel.get_outcome(request.user, o.pk), {key: exc.message}, exc.status)
    messages.success(request, done)
    response = redirect("consultation:outcome", o.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


@login_required
@require_POST
def outcome_send(request, pk):
    o = sel.get_outcome(request.user, pk)
    return _act(request, o, "send", lambda: services.send(user=request.user, outcome=o), "协商成果已报送。")


@login_required
@require_POST
def recommendation_route(request, pk):
    user = request.user
    r = Recommendation.objects.filter(pk=pk).only("pk", "outcome_id").first()
    o = sel.get_outcome(user, r.outcome_id if r else None)
    p = request.POST
    return _act(
        request,
        o,
        f"route-{r.pk}",
        lambda: services.route(
            user=user,
            recommendation=r.pk,
            unit=p.get("unit"),
            deadline=p.get("deadline") or None,
            note=p.get("note", ""),
        ),
        "已交办。",
        f"rec-{r.pk}",
    )


@login_required
@require_POST
def recommendation_adoption(request, pk):
    user = request.user
    r = Recommendation.objects.filter(pk=pk).only("pk", "outcome_id").first()
    o = sel.get_outcome(user, r.outcome_id if r else None)
    p = request.POST
    return _act(
        request,
        o,
        f"adoption-{r.pk}",
        lambda: services.set_adoption(
            user=user, recommendation=r.pk, adoption=p.get("adoption", ""), note=p.get("note", "")
        ),
        "采纳情况已登记。",
        f"rec-{r.pk}",
    )


@login_required
@require_POST
def outcome_instruction(request, pk):
    user = request.user
    o = sel.get_outcome(user, pk)
    p = request.POST
    return _act(
        request,
        o,
        "instruction",
        lambda: services.add_instruction(
            user=user,
            outcome=o,
            leader=p.get("leader", ""),
            level=p.get("level", ""),
            content=p.get("content", ""),
            given_on=p.get("given_on") or None,
        ),
        "领导批示已登记。",
        "instructions",
    )


@login_required
@require_POST
def outcome_vote_open(request, pk):
    o = sel.get_outcome(request.user, pk)
    return _act(
        request,
        o,
        "vote",
        lambda: services.open_vote(user=request.user, outcome=o),
        "票评已开始，已通知各位常委。",
        "vote",
    )


@login_required
@require_POST
def outcome_vote_close(request, pk):
    o = sel.get_outcome(request.user, pk)
    return _act(
        request, o, "vote", lambda: services.close_vote(user=request.user, outcome=o), "票评已结束。", "vote"
    )


@login_required
def outcome_vote(request, pk):
    """The phone page where a standing member gives their 票评 (once)."""
    user = request.user
    o = sel.get_outcome(user, pk)
    error, status = "", 200
    if request.method == "POST":
        try:
            services.vote(user=user, outcome=o, rating=request.POST.get("rating", ""))
            messages.success(request, "感谢参加票评。")
            return redirect("consultation:outcome_vote", o.pk)
        except ServiceError as exc:
            error, status = exc.message, exc.status
        o = sel.get_outcome(user, pk)
    voter = rules.can_vote(user, o)
    mine = sel.my_vote(user, o) if voter else None
    return render(
        request,
        "consultation/vote.html",
        {
            "outcome": o,
            "consultation": o.consultation,
            "recommendations": sel.recommendations(o),
            "ratings": OutcomeVote.Rating.choices,
            "voter": voter,
            "my_vote": mine,
            "error": error,
        },
        status=status,
    )


@login_required
def outcome_document(request, pk):
    """The outcome report (.docx), for whoever may see the consultation."""
    from ..outcome_document import filename, outcome_docx

    o = sel.get_outcome(request.user, pk)
    data = outcome_docx(o)
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    from urllib.parse import quote

    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename(o))}"
    response["Cache-Control"] = "private, no-store"
    return response
