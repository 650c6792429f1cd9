"""The item's page and the 信息科's actions on it: the review panel (编辑, 录用, 留存未录用, 退回修改, 合并),
报送上级, 登记采用 / 撤销, 登记批示. Each action is a POST that goes through its service; a refused one shows the
item's page again with the form as typed and the service's message by its field."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from zhengxie.core.errors import NotFound, ServiceError

from .. import rules as r
from .. import selectors, services
from ..forms import AdoptionForm, ForwardForm, InstructionForm, ReviewForm, RevokeForm
from ..handling_kind import status_label
from ..models import LEVELS, Adoption, OpinionIssue
from ..selectors import Detail
from .common import attachments, case_url, fail

REVIEW = set(ReviewForm.DECISIONS)


def _url(o, anchor: str = "") -> str:
    return reverse("opinions:detail", args=[o.pk]) + (f"#{anchor}" if anchor else "")


def _merge_candidates(d: Detail) -> list:
    return list(selectors.merge_candidates(d.opinion)) if "merge" in d.actions else []


def _forward_targets(d: Detail) -> list:
    """The organisations above that have no copy of this item yet."""
    if "forward" not in d.actions:
        return []
    have = {c.organisation_id for c in d.chain}
    return [t for t in selectors.forward_targets(d.opinion) if t.pk not in have]


def _review_form(d: Detail, data=None) -> ReviewForm | None:
    if not REVIEW & set(d.actions):
        return None
    return ReviewForm(data, opinion=d.opinion, actions=d.actions, merge_candidates=_merge_candidates(d))


def _issues_seen(user, d: Detail) -> set[int]:
    """The issues of the chain whose page the user may open (at most one per organisation of the chain)."""
    issues = {c.issue_id: c.issue for c in d.chain if c.issue_id}
    return {pk for pk, issue in issues.items() if r.can_view_issue(user, issue)}


def _adoption_levels(d: Detail) -> list[tuple[str, list[Adoption]]]:
    by = {}
    for a in d.adoptions:
        by.setdefault(a.level, []).append(a)
    return [(label, by[code]) for code, label in reversed(LEVELS) if code in by]


def _source_proposal(user, o):
    """The proposal this item was turned from at review (转社情民意信息), when the user may open its page."""
    p = o.source_proposal if o.source_proposal_id else None
    return p if p is not None and user.has_perm("proposals.view_proposal", p) else None


def context(request, d: Detail, **bound) -> dict:
    """Everything the item's page shows; `bound` replaces a panel's blank form by the one just posted."""
    user, o, actions = request.user, d.opinion, d.actions
    for i in d.instructions:
        i.case_url = case_url(i.case_id) if i.case_id else ""
        i.case_status = status_label(i.case) if i.case_id else ""
    ctx = {
        "o": o,
        "d": d,
        "actions": actions,
        "authors": list(o.authors.all()),
        "attachments": attachments(o),
        "is_office": r.can_review(user, o),
        "edited": bool(o.edited_title or o.edited_content),
        "issues_seen": _issues_seen(user, d),
        "adoption_levels": _adoption_levels(d),
        "upward": d.upward,
        "review_form": bound.get("review") or _review_form(d),
        "revoke_forms": bound.get("revoke") or {},
        "published": o.issue_id is not None and o.issue.status == OpinionIssue.Status.PUBLISHED,
        "source_proposal": _source_proposal(user, o),
    }
    if "forward" in actions:
        targets = _forward_targets(d)
        ctx["forward_form"] = bound.get("forward") or (ForwardForm(targets=targets) if targets else None)
    if "adopt" in actions:
        ctx["adoption_form"] = bound.get("adopt") or AdoptionForm(opinion=o)
    if "instruct" in actions:
        ctx["instruction_form"] = bound.get("instruct") or InstructionForm(opinion=o)
    return ctx


@login_required
def detail(request, pk):
    d = selectors.detail(request.user, pk)
    return render(request, "opinions/detail.html", context(request, d))


def _again(request, d: Detail, status: int, **bound):
    return render(request, "opinions/detail.html", context(request, d, **bound), status=status)


def _run(request, d: Detail, form, key: str, call, done: str, anchor: str = ""):
    """Validate the posted form, call the service, then back to the item (or its page again with the form)."""
    status = 422
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except ServiceError as exc:
            fail(request, exc, form)
            status = exc.status
        else:
            messages.success(request, done)
            return redirect(_url(d.opinion, anchor))
    return _again(request, d, status, **{key: form})


DONE = {
    "edit": "编辑已保存，原文仍保留。",
    "accept": "已录用。",
    "file": "已留存，作者会看到理由。",
    "return": "已退回作者修改。",
    "merge": "已合并。",
}


@login_required
@require_POST
def review(request, pk):
    """The review panel: 保存编辑 (submitted or accepted items), 录用 (with the edit), 留存未录用, 退回修改, 合并."""
    user = request.user
    d = selectors.detail(user, pk)
    o = d.opinion
    form = ReviewForm(request.POST, opinion=o, actions=REVIEW, merge_candidates=_merge_candidates(d))
    decision = form.decision()

    def call(data):
        category = data.get("category")
        changed = category is not None and "category" in form.fields and category != o.category
        edits = form.edit_kwargs()
        with transaction.atomic():
            if decision == "edit":
                services.opinion_edit(user=user, opinion=o, **edits, category=category if changed else None)
                return
            if decision == "accept" and changed:
                services.opinion_edit(user=user, opinion=o, category=category)
            services.opinion_review(
                user=user,
                opinion=o,
                decision=decision,
                reason=data.get("reason", ""),
                merge_into=data.get("merge_into"),
                **(edits if decision == "accept" else {}),
            )

    return _run(request, d, form, "review", call, DONE.get(decision, ""), "review")


@login_required
@require_POST
def forward(request, pk):
    user = request.user
    d = selectors.detail(user, pk)
    targets = selectors.forward_targets(d.opinion)
    form = ForwardForm(request.POST, targets=targets)
    names = {str(t.pk): t.name for t in targets}

    def call(data):
        services.opinion_forward(user=user, opinion=d.opinion, organisation=int(data["organisation"]))

    return _run(
        request,
        d,
        form,
        "forward",
        call,
        f"已报送{names.get(request.POST.get('organisation'), '上级政协')}。",
        "chain",
    )


@login_required
@require_POST
def adopt(request, pk):
    user = request.user
    d = selectors.detail(user, pk)
    form = AdoptionForm(request.POST, opinion=d.opinion)

    def call(data):
        services.adoption_add(
            user=user,
            opinion=d.opinion,
            level=data["level"],
            body=data["body"],
            used_as=data["used_as"],
            adopted_on=data["adopted_on"],
        )

    return _run(request, d, form, "adopt", call, "采用情况已登记。", "adoptions")


@login_required
@require_POST
def revoke_adoption(request, adoption_id):
    user = request.user
    opinion_id = Adoption.objects.filter(pk=adoption_id).values_list("opinion_id", flat=True).first()
    if opinion_id is None:
        raise NotFound("未找到该采用记录。")
    d = selectors.detail(user, opinion_id)
    form = RevokeForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            services.adoption_revoke(user=user, adoption=adoption_id, reason=form.cleaned_data["reason"])
        except ServiceError as exc:
            fail(request, exc, form)
            status = exc.status
        else:
            messages.success(request, "采用记录已撤销。")
            return redirect(_url(d.opinion, "adoptions"))
    return _again(request, d, status, revoke={int(adoption_id): form})


@login_required
@require_POST
def instruct(request, pk):
    user = request.user
    d = selectors.detail(user, pk)
    form = InstructionForm(request.POST, opinion=d.opinion)

    def call(data):
        unit = data.get("unit")
        services.instruction_add(
            user=user,
            opinion=d.opinion,
            leader=data["leader"],
            level=data["level"],
            content=data["content"],
            instructed_on=data["instructed_on"],
            unit=unit.pk if unit is not None else None,
            deadline=data.get("deadline") if unit is not None else None,
        )

    done = "批示已登记。" + ("落实任务已交办。" if request.POST.get("unit") else "")
    return _run(request, d, form, "instruct", call, done, "instructions")
