"""The 民主监督 pages: the groups (the year's figures and chart, the list), a group's page (its three lists
with evidence and the 整改 status, the forms of the group: add an item, confirm a reply, rate the unit; the
office's 结束评议 / 结束监督, the .docx report), the create form, and the 票决 (list, create, vote, paper
result, close, pick on a tie)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from zhengxie.core.documents import file_response
from zhengxie.core.errors import ServiceError
from zhengxie.core.views import paginate
from zhengxie.keytasks.views import _year

from . import documents, rules, selectors, services, stats
from .api import actions, item_actions
from .forms import (
    BallotForm,
    ConfirmForm,
    EvidenceForm,
    FilterForm,
    ItemForm,
    RatingForm,
    SelectionForm,
    SupervisionForm,
)
from .models import Item, Selection

PER_PAGE = 30


def _error(form, exc: ServiceError) -> None:
    name = {"file": "evidence"}.get(exc.field, exc.field) if "evidence" in form.fields else exc.field
    if name and name in form.fields:
        form.add_error(name, exc.message)
    else:
        form.add_error(None, exc.message)


# --- groups ----------------------------------------------------------------------------------------------


@login_required
def index(request):
    user = request.user
    year = _year(request)
    form = FilterForm(request.GET or None, initial={"year": year}, years=selectors.years(user))
    f = {"status": "", "q": ""}
    if form.is_bound and form.is_valid():
        f.update({k: form.cleaned_data.get(k) or "" for k in f})
    # From the workbench: the groups with rectification items awaiting the user's confirmation.
    todo = request.GET.get("todo") == "confirm"
    qs = selectors.supervision_list(user, year=None if todo else year, todo=todo, **f)
    page, qs_wo_page = paginate(request, qs, per_page=PER_PAGE)
    figures = stats.year_stats(user, year) if rules.is_reader(user) else None
    return render(
        request,
        "supervision/index.html",
        {
            "page_obj": page,
            "querystring_without_page": qs_wo_page,
            "form": form,
            "year": year,
            "figures": figures,
            "office": rules.is_office(user, user.organisation),
            "reader": rules.is_reader(user),
            "todo": todo,
        },
    )


def _office_form(request, form_class, template, submit, done, initial=None):
    """The 办公室's create pages: the form, the service on a valid POST (its message next to the field, what
    was typed kept), then the new object's page."""
    user = request.user
    org = user.organisation
    if not rules.is_office(user, org):
        raise Http404("未找到")
    if request.method != "POST":
        return render(
            request, template, {"form": form_class(organisation=org, user=user, initial=initial or {})}
        )
    form = form_class(request.POST, organisation=org, user=user)
    if form.is_valid():
        try:
            obj = submit(user, form)
        except ServiceError as exc:
            _error(form, exc)
        else:
            return done(obj)
    return render(request, template, {"form": form}, status=422)


def _create_group(user, form):
    d = form.cleaned_data
    return services.create(
        user,
        year=d["year"],
        unit=d["unit_id"],
        title=d["title"],
        leader=d["leader_member_id"],
        members=[m.pk for m in d["member_ids"]],
        staff_contact=d["staff_contact_id"],
        starts_on=d["starts_on"],
        ends_on=d["ends_on"],
    )


@login_required
def create(request):
    initial = {k: int(request.GET[k]) for k in ("unit_id", "year") if str(request.GET.get(k, "")).isdigit()}

    def done(s):
        messages.success(request, f"已组建“{s.title}”。")
        return redirect("supervision:detail", s.pk)

    return _office_form(request, SupervisionForm, "supervision/form.html", _create_group, done, initial)


def _detail(request, s, *, item_form=None, rating_form=None, bad_item=None, bad_form=None, status=200):
    user = request.user
    acts = actions(user, s)
    files = selectors.evidence(s.items.all())
    replies = selectors.latest_replies(s.items.all())
    lists = selectors.lists(s)
    my = services.my_ratings(user, s)
    rows = {
        key: [
            {
                "item": i,
                "files": files.get(i.pk, []),
                "reply": replies.get(i.pk),
                "actions": item_actions(user, s, i),
                "confirm": bad_form
                if bad_item == i.pk and isinstance(bad_form, ConfirmForm)
                else ConfirmForm(prefix=f"c{i.pk}"),
                "evidence": bad_form
                if bad_item == i.pk and isinstance(bad_form, EvidenceForm)
                else EvidenceForm(prefix=f"e{i.pk}"),
            }
            for i in lists[key]
        ]
        for key in lists
    }
    summary = services.rating_summary(s)
    return render(
        request,
        "supervision/detail.html",
        {
            "s": s,
            "actions": acts,
            "lists": [(key, label, rows[key]) for key, label in Item.List.choices],
            "item_form": item_form
            or (ItemForm(problems=lists[Item.List.PROBLEM]) if "add_item" in acts else None),
            "rating_form": rating_form
            or (
                RatingForm(aspects=services.aspects(s.organisation), initial_ratings=my)
                if "rate" in acts
                else None
            ),
            "my_ratings": my,
            "summary": summary,
            "rating_chart": _rating_chart(summary) if any(a["raters"] for a in summary["aspects"]) else None,
        },
        status=status,
    )


def _rating_chart(summary: dict) -> dict:
    from zhengxie.core.verdicts import Verdict

    colors = {
        "satisfied": "#2e7d32",
        "basically_satisfied": "#1976d2",
        "unsatisfied": "#c62828",
        "unknown": "#9e9e9e",
    }
    return {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 16, "bottom": 8, "top": 36, "containLabel": True},
        "xAxis": {"type": "value", "minInterval": 1},
        "yAxis": {"type": "category", "data": [a["aspect"] for a in summary["aspects"]], "inverse": True},
        "series": [
            {
                "name": label,
                "type": "bar",
                "stack": "n",
                "itemStyle": {"color": colors[value]},
                "data": [a["counts"].get(value, 0) for a in summary["aspects"]],
            }
            for value, label in Verdict.choices
        ],
    }


@login_required
def detail(request, pk):
    return _detail(request, selectors.get(request.user, pk))


@login_required
@require_POST
def add_item(request, pk):
    user = request.user
    s = selectors.get(user, pk)
    if not rules.can_add_items(user, s):
        raise Http404("未找到")
    form = ItemForm(request.POST, request.FILES, problems=selectors.lists(s)[Item.List.PROBLEM])
    if form.is_valid():
        d = form.cleaned_data
        try:
            i = services.add_item(
                user,
                s.pk,
                list=d["list"],
                content=d["content"],
                deadline=d["deadline"],
                evidence=[d["evidence"]] if d.get("evidence") else (),
                problem=d.get("problem") or None,
            )
        except ServiceError as exc:
            _error(form, exc)
        else:
            routed = "，已交承办单位整改" if i.case_id else ""
            messages.success(request, f"已添加{i.get_list_display()}第{i.number}项{routed}。")
            return redirect(f"{services.url(s)}#item-{i.pk}")
    return _detail(request, selectors.get(user, pk), item_form=form, status=422)


@login_required
@require_POST
def rate(request, pk):
    user = request.user
    s = selectors.get(user, pk)
    if not rules.can_rate(user, s):
        raise Http404("未找到")
    form = RatingForm(request.POST, aspects=services.aspects(s.organisation))
    if form.is_valid():
        try:
            services.rate(user, s.pk, form.ratings())
        except ServiceError as exc:
            _error(form, exc)
        else:
            messages.success(request, "评议已保存。")
            return redirect(f"{services.url(s)}#rating")
    return _detail(request, selectors.get(user, pk), rating_form=form, status=422)


def _step(request, pk, service, done: str):
    user = request.user
    s = selectors.get(user, pk)
    if not rules.can_manage(user, s):
        raise Http404("未找到")
    try:
        service(user, s.pk)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("supervision:detail", s.pk)


@login_required
@require_POST
def finish(request, pk):
    return _step(request, pk, services.finish_rating, "评议已结束。")


@login_required
@require_POST
def close(request, pk):
    return _step(request, pk, services.close, "民主监督已结束，小组成员已记入履职档案。")


@login_required
def report(request, pk):
    s = selectors.get(request.user, pk)
    data = documents.report_docx(s, selectors.lists(s), services.rating_summary(s))
    return file_response(data, documents.filename(s), documents.DOCX)


def _item_of(request, pk) -> tuple:
    i = Item.objects.filter(pk=pk).only("id", "supervision_id").first() if pk < 2**53 else None
    if i is None:
        raise Http404("未找到")
    s = selectors.get(request.user, i.supervision_id)
    if not rules.is_group(request.user, s):
        raise Http404("未找到")
    return s, i


@login_required
@require_POST
def evidence(request, pk):
    s, i = _item_of(request, pk)
    form = EvidenceForm(request.POST, request.FILES, prefix=f"e{i.pk}")
    if form.is_valid():
        try:
            services.add_evidence(request.user, i.pk, form.cleaned_data["file"])
        except ServiceError as exc:
            form.add_error("file", exc.message)
        else:
            messages.success(request, "佐证材料已上传。")
            return redirect(f"{services.url(s)}#item-{i.pk}")
    return _detail(request, selectors.get(request.user, s.pk), bad_item=i.pk, bad_form=form, status=422)


@login_required
@require_POST
def confirm(request, pk):
    s, i = _item_of(request, pk)
    form = ConfirmForm(request.POST, prefix=f"c{i.pk}")
    if form.is_valid():
        d = form.cleaned_data
        try:
            done = services.confirm(request.user, i.pk, accepted=d["accepted"] == "yes", note=d["note"])
        except ServiceError as exc:
            _error(form, exc)
        else:
            messages.success(request, f"整改事项第{done.number}项：{done.get_status_display()}。")
            return redirect(f"{services.url(s)}#item-{i.pk}")
    return _detail(request, selectors.get(request.user, s.pk), bad_item=i.pk, bad_form=form, status=422)


# --- 票决 ------------------------------------------------------------------------------------------------


@login_required
def votes(request):
    user = request.user
    if user.organisation is None or rules.is_unit(user):
        raise Http404("未找到")
    page, qs_wo_page = paginate(request, selectors.selections(user), per_page=PER_PAGE)
    return render(
        request,
        "supervision/votes.html",
        {
            "page_obj": page,
            "querystring_without_page": qs_wo_page,
            "office": rules.is_office(user, user.organisation),
        },
    )


def _open_vote(user, form):
    d = form.cleaned_data
    return services.open_selection(
        user, year=d["year"], title=d["title"], choose=d["choose"], candidates=form.candidates()
    )


@login_required
def vote_create(request):
    def done(sel):
        messages.success(request, "票决已发起，已通知各位常委。")
        return redirect("supervision:vote", sel.pk)

    return _office_form(request, SelectionForm, "supervision/vote_form.html", _open_vote, done)


def _vote_page(request, sel, *, ballot_form=None, error="", paper_typed=None, status=200):
    from .api import vote_actions

    user = request.user
    cands = selectors.candidates(sel)
    t = services.tally(sel, cands)
    ballot = selectors.my_ballot(user, sel)
    acts = vote_actions(user, sel, ballot)
    show = sel.status != Selection.Status.OPEN or rules.is_reader(user)
    rows = [{"c": r["candidate"], "votes": r["votes"]} for r in t["rows"]]
    chart = {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "grid": {"left": 8, "right": 16, "bottom": 8, "top": 8, "containLabel": True},
        "xAxis": {"type": "value", "minInterval": 1},
        "yAxis": {"type": "category", "data": [r["c"].unit.name for r in rows], "inverse": True},
        "series": [{"type": "bar", "name": "得票", "data": [r["votes"] for r in rows]}],
    }
    return render(
        request,
        "supervision/vote.html",
        {
            "sel": sel,
            "tally": t,
            "rows": rows,
            "cands": cands,
            "show": show,
            "ballot": ballot,
            "actions": acts,
            "ballot_form": ballot_form or BallotForm(candidates=cands),
            "chart": chart if show else None,
            "tied": [c for c in cands if c.tied and not c.chosen],
            "left": sel.choose - sum(1 for c in cands if c.chosen),
            "error": error,
            "office": rules.is_office(user, sel.organisation),
            # the paper form shows what was typed after an error, else the saved result
            "paper": paper_typed
            or {
                "voters": sel.paper_voters,
                "rows": [{"c": c, "votes": c.paper_votes} for c in cands],
            },
        },
        status=status,
    )


@login_required
def vote(request, pk):
    return _vote_page(request, selectors.get_selection(request.user, pk))


@login_required
@require_POST
def ballot(request, pk):
    user = request.user
    sel = selectors.get_selection(user, pk)
    form = BallotForm(request.POST, candidates=selectors.candidates(sel))
    if form.is_valid():
        try:
            services.vote(user, sel.pk, form.cleaned_data["unit_ids"])
        except ServiceError as exc:
            form.add_error("unit_ids", exc.message)
        else:
            messages.success(request, "投票成功。")
            return redirect("supervision:vote", sel.pk)
    return _vote_page(request, sel, ballot_form=form, status=422)


@login_required
@require_POST
def paper(request, pk):
    user = request.user
    sel = selectors.get_selection(user, pk)
    if not rules.is_office(user, sel.organisation):
        raise Http404("未找到")
    votes_in = {
        c.unit_id: request.POST.get(f"votes_{c.unit_id}", "0") or "0" for c in selectors.candidates(sel)
    }
    try:
        services.enter_paper(user, sel.pk, voters=request.POST.get("voters", ""), votes=votes_in)
    except ServiceError as exc:
        typed = {
            "voters": request.POST.get("voters", ""),
            "rows": [
                {"c": c, "votes": request.POST.get(f"votes_{c.unit_id}", "")}
                for c in selectors.candidates(sel)
            ],
        }
        return _vote_page(request, sel, error=exc.message, paper_typed=typed, status=422)
    messages.success(request, "纸质投票结果已录入。")
    return redirect("supervision:vote", sel.pk)


@login_required
@require_POST
def vote_close(request, pk):
    user = request.user
    sel = selectors.get_selection(user, pk)
    if not rules.is_office(user, sel.organisation):
        raise Http404("未找到")
    try:
        sel = services.close_selection(user, sel.pk)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        if not sel.valid:
            messages.warning(request, "参加投票的常委未过半数，票决无效。")
        elif sel.status == Selection.Status.TIE:
            messages.warning(request, "末位出现平票，请在平票单位中确定。")
        else:
            messages.success(request, "票决已结束。")
    return redirect("supervision:vote", sel.pk)


@login_required
@require_POST
def pick(request, pk):
    user = request.user
    sel = selectors.get_selection(user, pk)
    if not rules.is_office(user, sel.organisation):
        raise Http404("未找到")
    try:
        services.pick(user, sel.pk, request.POST.getlist("unit_ids"))
    except ServiceError as exc:
        return _vote_page(request, sel, error=exc.message, status=422)
    messages.success(request, "已确定当选单位。")
    return redirect("supervision:vote", sel.pk)
