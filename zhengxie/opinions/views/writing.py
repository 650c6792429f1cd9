"""A member's pages (and staff's, writing on a member's or a body's behalf): 我的社情民意, 撰写, 修改, 提交,
and the htmx helpers of the write page (similar items, the co-author picker)."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from zhengxie.core.errors import ServiceError
from zhengxie.core.views import paginate
from zhengxie.members.selectors import member_of
from zhengxie.search.services import similar as similar_texts

from .. import rules as r
from .. import selectors, services
from ..forms import OpinionFilterForm, OpinionForm, committee_members, writing_organisation
from ..models import Opinion
from .common import attachments, fail, need, years

logger = logging.getLogger(__name__)
S = Opinion.Status
SIMILAR_MIN_TEXT = 4  # characters typed before similar items are looked up


@login_required
def mine(request):
    """我的社情民意: what the user wrote or co-authored, in any state, with filters."""
    user = request.user
    need(r.may_write(user))
    form = OpinionFilterForm(request.GET or None, user=user, years=years())
    qs = selectors.opinion_list(user, mine=True, **form.filters())
    page, qs_wo_page = paginate(request, qs)
    return render(
        request,
        "opinions/mine.html",
        {"page_obj": page, "querystring_without_page": qs_wo_page, "form": form},
    )


def _picker(form: OpinionForm) -> dict:
    chosen = form.chosen_members()
    return {"chosen": chosen, "results": [], "selected": {str(m.pk) for m in chosen}}


def _form_page(request, form, opinion=None, status=None):
    ctx = {"form": form, "opinion": opinion, **_picker(form)}
    if opinion is not None:
        ctx["attachments"] = attachments(opinion)
    return render(request, "opinions/form.html", ctx, status=status or (422 if form.errors else 200))


def _after_save(request, o: Opinion):
    if request.POST.get("action") == "submit":
        return _submit(request, o)
    messages.success(request, "已暂存，可以随时回来修改后提交。")
    return redirect("opinions:edit", o.pk)


@login_required
def create(request):
    """撰写: 暂存 or 提交 at once."""
    user = request.user
    need(r.may_write(user))
    form = OpinionForm(request.POST or None, request.FILES or None, user=user)
    status = None
    if request.method == "POST" and form.is_valid():
        try:
            o = services.opinion_create(user=user, **form.create_kwargs())
        except ServiceError as exc:
            fail(request, exc, form)
            status = exc.status
        else:
            return _after_save(request, o)
    return _form_page(request, form, status=status)


@login_required
def edit(request, pk):
    """修改 a draft or a returned item (the writer only; after submission the 信息科 edits)."""
    user = request.user
    o = selectors.get_opinion(user, pk)
    if request.method != "POST" and "update" not in selectors.allowed_actions(user, o):
        messages.info(request, "该信息现在不能修改。")
        return redirect("opinions:detail", o.pk)
    authors = list(o.authors.order_by("order", "id"))
    initial = {
        "title": o.title,
        "content": o.content,
        "category": o.category,
        "co_authors": [a.member_id for a in authors[1:]],
    }
    form = OpinionForm(
        request.POST or None,
        request.FILES or None,
        user=user,
        opinion=o,
        lead=authors[0].member if authors else None,
        initial=initial,
    )
    status = None
    if request.method == "POST" and form.is_valid():
        try:
            o = services.opinion_update(user=user, opinion=o, **form.update_kwargs())
        except ServiceError as exc:
            fail(request, exc, form)
            status = exc.status
        else:
            return _after_save(request, o)
    return _form_page(request, form, o, status)


def _advice(request, o: Opinion) -> list[dict]:
    """撰写助手's warnings on the saved item (text and files), for the confirmation step; [] if it fails."""
    from zhengxie.drafting import services as drafting

    try:
        found = drafting.check(
            user=request.user,
            kind="opinion",
            title=o.title,
            content=o.content,
            attachments=attachments(o),
            exclude_id=o.pk,
        )["advice"]
    except Exception:  # a hint only: the submission goes on without it (logged)
        logger.exception("drafting advice failed")
        return []
    return drafting.warnings(found)


def _submit(request, o: Opinion):
    if request.POST.get("confirm_advice") != "1" and "submit" in selectors.allowed_actions(request.user, o):
        advice = _advice(request, o)
        if advice:  # advice, never a block: go back (the item is saved) or submit anyway
            logger.info(
                "drafting: confirmation shown for opinion %s: %s", o.pk, ",".join(a["code"] for a in advice)
            )
            return render(
                request,
                "drafting/confirm.html",
                {
                    "title": o.title,
                    "advice": advice,
                    "noun": "社情民意信息",
                    "submit_url": reverse("opinions:submit", args=[o.pk]),
                    "back_url": reverse("opinions:edit", args=[o.pk]),
                },
            )
    try:
        services.opinion_submit(user=request.user, opinion=o)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已提交信息科，处理结果会通知您。")
    return redirect("opinions:detail", o.pk)


@login_required
@require_POST
def submit(request, pk):
    return _submit(request, selectors.get_opinion(request.user, pk))


@login_required
def similar(request):
    """htmx: items of the user's committee like the title being typed. Titles and states of what the user
    may open; of the rest, only accepted items (title and date)."""
    user = request.user
    need(r.may_write(user))
    text = (request.GET.get("title") or "").strip()
    exclude = request.GET.get("exclude", "")
    items = None
    org = writing_organisation(user)
    if len(text) >= SIMILAR_MIN_TEXT and org is not None:
        try:
            found = similar_texts(
                kind="opinion",
                text=text,
                organisation_ids=[org.pk],
                exclude_ids=[int(exclude)] if exclude.isdigit() else [],
                limit=8,
                is_title=True,  # the title box
            )
        except Exception:  # a hint only: the page works without it
            logger.exception("similar opinions failed")
            found = []
        items = _similar_rows(user, found)
    return render(request, "opinions/_similar.html", {"items": items, "text": text})


def _similar_rows(user, found) -> list[dict]:
    ids = [pk for pk, _ in found]
    if not ids:
        return []
    rows = {o.pk: o for o in Opinion.objects.filter(pk__in=ids).exclude(status=S.DRAFT)}
    visible = set(selectors.visible(user).filter(pk__in=ids).values_list("pk", flat=True))
    out = []
    for pk, score in found:
        o = rows.get(pk)
        if o is None:
            continue
        if pk in visible:
            out.append({"o": o, "visible": True, "percent": round(100 * float(score))})
        elif o.status == S.ACCEPTED:
            out.append({"o": o, "visible": False, "percent": round(100 * float(score))})
    return out


@login_required
def member_search(request):
    """htmx: members of the committee to add as co-authors; the ticked ones are kept."""
    user = request.user
    need(r.may_write(user))
    q = (request.GET.get("q") or "").strip()
    selected = {v for v in request.GET.getlist("co_authors") if v.isdigit()}
    base = committee_members(writing_organisation(user))
    me = member_of(user)
    skip = request.GET.get("lead", "")
    if skip.isdigit():
        base = base.exclude(pk=int(skip))
    elif me is not None:
        base = base.exclude(pk=me.pk)
    chosen = list(base.filter(pk__in=selected))
    results = []
    if q:
        results = list(
            base.filter(Q(name__icontains=q) | Q(code__icontains=q) | Q(employer__icontains=q)).exclude(
                pk__in=selected
            )[:30]
        )
    return render(
        request,
        "opinions/_member_results.html",
        {"chosen": chosen, "results": results, "selected": selected, "q": q},
    )
