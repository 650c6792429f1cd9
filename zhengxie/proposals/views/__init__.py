"""Proposal pages: thin views that parse, call a service or selector, and render.

Actions shown on a page come from `selectors.allowed_actions`; every POST still goes through the service,
which checks the permission again (hiding a button is never the protection). A service error is shown
next to the form with what the user typed kept.
"""

from __future__ import annotations

import logging
from urllib.parse import quote, urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhengxie.core import exports as core_exports
from zhengxie.core import listing, orgsettings, pickers
from zhengxie.core.calendar import Calendar
from zhengxie.core.documents import file_response
from zhengxie.core.errors import ServiceError
from zhengxie.core.models import Attachment, Export, Role
from zhengxie.core.permissions import org_scope_q
from zhengxie.core.redirects import safe_next
from zhengxie.core.views import paginate
from zhengxie.handling.forms import SignForm
from zhengxie.handling.services import signoff
from zhengxie.members.models import Member, Session
from zhengxie.members.selectors import current_session

from .. import documents, exports, selectors, services, stats
from ..duplicates import duplicate_groups
from ..forms import (
    AssignForm,
    BatchAssignForm,
    CompilationForm,
    ContactForm,
    CoOpinionForm,
    DecideChangeForm,
    EvaluateForm,
    ExtendForm,
    KeyForm,
    ProposalFilterForm,
    ProposalForm,
    ReplyForm,
    RequestChangeForm,
    ReviewForm,
)
from ..lights import co_opinion_late, review_deadline
from ..models import Assignment, Proposal, Signer
from ..rules import is_proposal_office, is_unit_user, may_download_reply_template, member_of
from ..selectors import join as selectors_join
from ..selectors import todo

logger = logging.getLogger(__name__)
S = Proposal.Status
SIMILAR_WARN_SCORE = 0.3  # similar proposals at or above this score are shown before submitting
STATS_ROLES = (Role.STAFF, Role.LEADER, Role.SYSADMIN)
# The sortable columns' names (selectors.LIST_SORTS / QUEUE_SORTS) in the phones' sort picker.
LIST_SORT_LABELS = {
    "number": "案号",
    "title": "案由",
    "proposer": "提案人",
    "category": "类别",
    "deadline": "期限",
    "status": "状态",
    "submitted": "提交时间",
}


def _need(cond: bool):
    """A page the user's role has no business with answers 404, like an object out of scope."""
    if not cond:
        raise Http404


FIELD_NAMES = {"cosigner_ids": "cosigners"}  # service field name -> form field name


def _fail(request, exc: ServiceError, form=None):
    if form is not None:
        name = FIELD_NAMES.get(exc.field, exc.field)
        form.add_error(name if name in form.fields else None, exc.message)
    else:
        messages.error(request, exc.message)


def _detail_url(p) -> str:
    return reverse("proposals:detail", args=[p.pk])


# --------------------------------------------------------------------------- lists


@login_required
def mine(request):
    """我的提案: what the member drafted or signs."""
    _need(member_of(request.user) is not None)
    qs = selectors.proposal_list(request.user, mine=True).order_by("-created_at", "-id")
    status = request.GET.get("status", "")
    # From the workbench: exactly the proposals a to-do card counts (selectors.todo).
    todo_key = request.GET.get("todo", "") if request.GET.get("todo") in todo.LABELS else ""
    if todo_key and member_of(request.user) is not None:
        qs = qs.filter(todo.member_todo_q(request.user, member_of(request.user))[todo_key])
    if status == "draft":
        qs = qs.filter(status__in=(S.DRAFT, S.AWAITING_COSIGNERS))
    elif status == "handling":
        qs = qs.filter(status__in=(S.ACCEPTED, S.ASSIGNED, S.HANDLING, S.REHANDLING))
    elif status:
        qs = qs.filter(status=status)
    page, qs_wo_page = paginate(request, qs)
    member = member_of(request.user)
    invitations = []
    if member is not None:
        invitations = list(
            Signer.objects.filter(
                member=member,
                role=Signer.Role.COSIGNER,
                status=Signer.Status.INVITED,
                proposal__status=S.AWAITING_COSIGNERS,
            ).select_related("proposal", "proposal__author")
        )
    return render(
        request,
        "proposals/mine.html",
        {
            "page_obj": page,
            "querystring_without_page": qs_wo_page,
            "status": status,
            "todo": todo_key,
            "todo_label": todo.LABELS.get(todo_key, ""),
            "invitations": invitations,
            "can_draft": member is not None,
            "statuses": S.choices,
        },
    )


@login_required
def proposal_list(request):
    """全部提案 with filters, paginated; its rows can be exported to .xlsx in the background."""
    _need(request.user.has_role(*STATS_ROLES, Role.UNIT_HANDLER, Role.UNIT_HEAD))
    form = ProposalFilterForm(request.GET or None, user=request.user)
    filters = form.filters()
    qs = selectors.proposal_list(request.user, **filters)
    per_page = listing.page_size(request)
    page, qs_wo_page = paginate(request, qs, per_page=per_page, kept="proposals")
    return render(
        request,
        "proposals/list.html",
        {
            "page_obj": page,
            "querystring_without_page": qs_wo_page,
            "form": form,
            "office": is_proposal_office(request.user),
            "query": urlencode({k: v for k, v in request.GET.items() if k not in ("page", "per_page")}),
            "sort": filters.get("sort", ""),
            "sort_choices": listing.sort_choices(LIST_SORT_LABELS, "默认排序（会次、案号）"),
            "per_page": per_page,
            "page_sizes": listing.PAGE_SIZES,
        },
    )


def _queue_filters(params) -> dict:
    """The review queue's own filters in a query string (the queue page's and the review page's)."""
    return {
        "proposer": params.get("proposer", "").strip()[:40],
        "sort": listing.sort_key(params.get("sort", ""), selectors.QUEUE_SORTS, "submitted"),
        "overdue": params.get("overdue") == "1",
    }


def _queue_query(queue: dict) -> str:
    """The review links' query string: queue mode (after a decision, the next one) with the queue's filters."""
    return urlencode(
        {"queue": 1, "sort": queue["sort"], "proposer": queue["proposer"], "overdue": int(queue["overdue"])}
    )


@login_required
def review_queue(request):
    _need(is_proposal_office(request.user))
    org = request.user.organisation
    queue = _queue_filters(request.GET)
    qs = selectors.review_queue(request.user, **queue)
    per_page = listing.page_size(request)
    page, qs_wo_page = paginate(request, qs, per_page=per_page)
    cal, days, today = Calendar(org), int(orgsettings.get(org, "proposals.review_days")), timezone.localdate()
    for p in page:
        p.review_deadline = review_deadline(p, cal, days)
        p.review_late = p.review_deadline is not None and today > p.review_deadline
    return render(
        request,
        "proposals/review_queue.html",
        {
            "page_obj": page,
            "querystring_without_page": qs_wo_page,
            "late_only": queue["overdue"],
            "proposer": queue["proposer"],
            "sort": queue["sort"],
            "sort_choices": listing.sort_choices({k: LIST_SORT_LABELS[k] for k in selectors.QUEUE_SORTS}),
            "queue_query": _queue_query(queue),
            "per_page": per_page,
            "page_sizes": listing.PAGE_SIZES,
            "review_days": days,
            "dups": duplicate_groups(request.user),
        },
    )


@login_required
def unit_inbox(request):
    """The proposals a unit handles are in the one unit inbox (承办工作台) with every other kind."""
    return redirect(reverse("handling:inbox") + "?kind=proposal")


@login_required
def key_list(request):
    _need(request.user.has_role(Role.LEADER) or is_proposal_office(request.user))
    page, qs_wo_page = paginate(request, selectors.key_proposals_for_leader(request.user))
    return render(request, "proposals/key.html", {"page_obj": page, "querystring_without_page": qs_wo_page})


@login_required
def change_requests(request):
    _need(is_proposal_office(request.user))
    rows = (
        Assignment.objects.filter(
            change_status=Assignment.ChangeStatus.PENDING,
            is_active=True,
            case__organisation_id=request.user.organisation_id,
            case__kind="proposal",
        )
        .select_related("case__proposal", "case__proposal__session", "unit")
        .order_by("assigned_at", "id")
    )
    page, qs_wo_page = paginate(request, rows)
    return render(
        request, "proposals/changes.html", {"page_obj": page, "querystring_without_page": qs_wo_page}
    )


@login_required
def batch_assign(request):
    """打包交办: tick accepted proposals, choose one lead unit (and co-units), assign them together."""
    _need(is_proposal_office(request.user))
    accepted = (
        selectors.visible_proposals(request.user)
        .filter(organisation_id=request.user.organisation_id, status=S.ACCEPTED)
        .select_related("session", "lead_member")
        .order_by("number", "id")
    )
    category = request.GET.get("category", "")
    shown = accepted.filter(category=category) if category else accepted
    form = BatchAssignForm(request.POST or None, user=request.user, queryset=accepted)
    if request.method == "POST" and form.is_valid():
        chosen = list(form.cleaned_data["proposals"])
        try:
            services.proposals_assign_batch(user=request.user, proposals=chosen, **form.service_kwargs())
        except ServiceError as exc:
            _fail(request, exc, form)
        else:
            messages.success(
                request, f"已将 {len(chosen)} 件提案打包交办给{form.cleaned_data['lead_unit']}。"
            )
            return redirect("proposals:batch_assign")
    checked = {str(v) for v in request.POST.getlist("proposals")}
    if request.method != "POST":  # from 立案并交办 in the review queue: the proposals just accepted, ticked
        checked = {v for v in request.GET.get("ids", "").split(",") if v.isdigit()}
    cats = accepted.values("category").annotate(n=Count("id")).order_by("category")
    return render(
        request,
        "proposals/batch_assign.html",
        {
            "form": form,
            "proposals": shown,
            "checked": checked,
            "categories": cats,
            "category": category,
        },
        status=422 if form.errors else 200,
    )


# --------------------------------------------------------------------------- drafting


def _cosigner_context(form):
    chosen = []
    if form.is_bound:
        ids = [v for v in form.data.getlist("cosigners") if v.isdigit()]
        chosen = list(form.fields["cosigners"].queryset.filter(pk__in=ids))
    else:
        initial = form.initial.get("cosigners") or []
        chosen = list(form.fields["cosigners"].queryset.filter(pk__in=[getattr(m, "pk", m) for m in initial]))
    return {"chosen": chosen, "results": [], "selected": {str(m.pk) for m in chosen}}


@login_required
def create(request):
    _need(member_of(request.user) is not None)
    form = ProposalForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            proposal = services.proposal_create(
                user=request.user,
                **form.service_fields(),
                session=current_session(request.user),
                attachments=form.cleaned_data["attachments"],
            )
        except ServiceError as exc:
            _fail(request, exc, form)
        else:
            if request.POST.get("action") == "submit":
                return _submit_flow(request, proposal)
            messages.success(request, "草稿已保存。")
            return redirect("proposals:edit", proposal.pk)
    return render(
        request,
        "proposals/form.html",
        {"form": form, "proposal": None, **_cosigner_context(form)},
        status=422 if form.errors else 200,
    )


@login_required
def edit(request, pk):
    proposal = selectors.get_proposal(request.user, pk)
    allowed = selectors.allowed_actions(request.user, proposal)
    if request.method == "GET" and "edit" not in allowed:
        messages.info(request, "该提案已提交，不能再修改。")
        return redirect(_detail_url(proposal))
    signers = [s for s in proposal.signers.all() if s.role == Signer.Role.COSIGNER]
    initial = {
        "title": proposal.title,
        "reasons": proposal.reasons,
        "suggestions": proposal.suggestions,
        "category": proposal.category,
        "kind": proposal.kind,
        "collective_body": proposal.collective_body,
        "research_note": proposal.research_note,
        "cosigners": [s.member_id for s in signers],
    }
    form = ProposalForm(
        request.POST or None, request.FILES or None, user=request.user, proposal=proposal, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            proposal = services.proposal_update(
                user=request.user,
                proposal=proposal,
                attachments=form.cleaned_data["attachments"],
                **form.service_fields(),
            )
        except ServiceError as exc:
            _fail(request, exc, form)
        else:
            if request.POST.get("action") == "submit":
                return _submit_flow(request, proposal)
            messages.success(request, "草稿已保存。")
            return redirect("proposals:edit", proposal.pk)
    return render(
        request,
        "proposals/form.html",
        {
            "form": form,
            "proposal": proposal,
            "attachments": _attachments(proposal),
            **_cosigner_context(form),
        },
        status=422 if form.errors else 200,
    )


def _attachments(proposal):
    # The proposer's files; reply letters are shown with their reply.
    return list(
        Attachment.objects.filter(
            content_type=ContentType.objects.get_for_model(Proposal), object_id=str(proposal.pk)
        )
        .exclude(purpose="reply_letter")
        .order_by("uploaded_at", "id")
    )


def _similar(user, *, text, exclude_id=None, limit=8, is_title=False) -> list[dict]:
    """Similar proposals as a hint: if the search index fails, the page still works (and the error is logged)."""
    try:
        return selectors.similar_proposals(
            user, text=text, exclude_id=exclude_id, limit=limit, is_title=is_title
        )
    except Exception:
        logger.exception("similar proposals failed")
        return []


def _decorate(user, items: list[dict]) -> list[dict]:
    """Adds whether the user may open (visible) or join (joinable) each similar proposal, and the score as a
    percentage."""
    ids = [s["id"] for s in items]
    visible = (
        set(selectors.visible_proposals(user).filter(pk__in=ids).values_list("pk", flat=True))
        if ids
        else set()
    )
    for s in items:
        s["visible"] = s["id"] in visible
        s["percent"] = round(100 * float(s["score"]))
    return selectors_join.mark_joinable(user, items)  # 申请加入 buttons (one query)


def _similar_above(request, proposal) -> list[dict]:
    found = _similar(
        request.user, text=f"{proposal.title}\n{proposal.suggestions}", exclude_id=proposal.pk, limit=5
    )
    return _decorate(request.user, [s for s in found if s["score"] >= SIMILAR_WARN_SCORE])


def _draft_advice(request, proposal) -> list[dict]:
    """撰写助手 on the saved draft (its text and its files), for the confirmation step: advice, never a block."""
    from zhengxie.drafting import services as drafting

    try:
        return drafting.check(
            user=request.user,
            kind="proposal",
            title=proposal.title,
            reasons=proposal.reasons,
            suggestions=proposal.suggestions,
            attachments=_attachments(proposal),
            exclude_id=proposal.pk,
        )["advice"]
    except ServiceError:
        return []
    except Exception:  # a hint only: the submission goes on without it (logged)
        logger.exception("drafting advice failed")
        return []


def _submit_flow(request, proposal):
    """提交: first show the 撰写助手's warnings and similar proposals (the member may go back to edit — the
    draft is saved — or submit anyway), then the service's one-matter check."""
    confirm_similar = request.POST.get("confirm_similar") == "1"
    confirm_single = request.POST.get("confirm_single_matter") == "1"
    if not confirm_similar:
        similar = _similar_above(request, proposal)
        advice = [a for a in _draft_advice(request, proposal) if a["level"] == "warning"]
        if similar or advice:
            logger.info(
                "drafting: confirmation shown for proposal %s: %s",
                proposal.pk,
                ",".join(a["code"] for a in advice) or "similar",
            )
            return render(
                request,
                "proposals/submit_confirm.html",
                {
                    "proposal": proposal,
                    "similar": similar,
                    "advice": advice,
                    "two_matters": any(a["code"] == "two_matters" for a in advice),
                    "step": "similar",
                },
            )
    try:
        proposal = services.proposal_submit(
            user=request.user, proposal=proposal, confirm_single_matter=confirm_single
        )
    except ServiceError as exc:
        if exc.code == "multiple_matters":
            return render(
                request,
                "proposals/submit_confirm.html",
                {"proposal": proposal, "step": "single_matter", "message": exc.message},
            )
        messages.error(request, exc.message)
        return redirect(_detail_url(proposal))
    proposal.refresh_from_db()
    if proposal.status == S.AWAITING_COSIGNERS:
        messages.success(request, "已提交，等待附议委员确认；全部确认后进入审查。")
    else:
        messages.success(request, "提案已提交，等待提案委员会审查。")
    return redirect(_detail_url(proposal))


@login_required
@require_POST
def submit(request, pk):
    return _submit_flow(request, selectors.get_proposal(request.user, pk))


@login_required
def similar(request):
    """htmx: proposals like the title being typed (this session's and past years'): for drafting members
    and the office (handling units see only what is assigned to them)."""
    _need(member_of(request.user) is not None or request.user.has_role(*STATS_ROLES))
    title = (request.GET.get("title") or "").strip()
    text = title or (request.GET.get("text") or "").strip()
    exclude = request.GET.get("exclude")
    items = []
    if len(text) >= 4:
        items = _decorate(
            request.user,
            _similar(
                request.user,
                text=text,
                exclude_id=int(exclude) if (exclude or "").isdigit() else None,
                limit=8,
                is_title=bool(title),  # the title box; `text` may be a sentence
            ),
        )
    return render(request, "proposals/_similar.html", {"items": items, "text": text})


@login_required
def member_search(request):
    """htmx: members of the same committee to invite as co-signers; the ticked ones are kept."""
    _need(member_of(request.user) is not None)
    q = (request.GET.get("q") or "").strip()
    selected = {v for v in request.GET.getlist("cosigners") if v.isdigit()}
    base = (
        Member.objects.filter(organisation=request.user.organisation, status=Member.Status.ACTIVE)
        .exclude(user=request.user)
        .select_related("sector")
    )
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
        "proposals/_member_results.html",
        {"chosen": chosen, "results": results, "selected": selected, "q": q},
    )


@login_required
def cosign(request, pk):
    """附议 invitation: the co-signer reads the proposal and agrees or declines."""
    proposal = selectors.get_proposal(request.user, pk)
    member = member_of(request.user)
    signer = None
    if member is not None:
        signer = next((s for s in proposal.signers.all() if s.member_id == member.pk), None)
    _need(signer is not None and signer.role == Signer.Role.COSIGNER)
    if request.method == "POST":
        agree = request.POST.get("decision") == "agree"
        try:
            services.proposal_cosign(user=request.user, proposal=proposal, agree=agree)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已确认附议。" if agree else "已拒绝附议。")
            return redirect(_detail_url(proposal))
    return render(
        request,
        "proposals/cosign.html",
        {
            "proposal": proposal,
            "signer": signer,
            "can_answer": "cosign" in selectors.allowed_actions(request.user, proposal),
        },
    )


# --------------------------------------------------------------------------- detail and documents


@login_required
def detail(request, pk):
    user = request.user
    proposal = selectors.get_proposal(user, pk, full=True, followups=True)
    allowed = selectors.allowed_actions(user, proposal)
    replies = list(proposal.replies.all())
    evaluations = list(proposal.evaluations.all())
    for r in replies:
        r.evals = [e for e in evaluations if e.reply_id == r.pk]
    assignments = list(proposal.assignments.all())
    co_days = int(orgsettings.get(proposal.organisation, "proposals.co_opinion_days"))
    for a in assignments:
        a.co_late = co_opinion_late(proposal, a, days=co_days)
    evaluate_form = None
    if "evaluate" in allowed and replies:
        answers = selectors.unit_answers(
            proposal, assignments=assignments, replies=replies, evaluations=evaluations
        )
        evaluate_form = EvaluateForm(**_evaluate_kwargs(request, proposal, answers))
    signers = list(proposal.signers.all())
    close_check = None
    if proposal.status == Proposal.Status.REPLIED and is_proposal_office(user, proposal):
        # 办结: what is missing (who has not rated, a 会办 unit that never answered) and the way to it.
        ok, why = selectors.closable(
            proposal,
            signers=signers,
            answers=selectors.unit_answers(
                proposal, assignments=assignments, replies=replies, evaluations=evaluations
            ),
        )
        close_check = {"ok": ok, "why": why, "silent": selectors.silent_co_units(proposal, assignments)}
    return render(
        request,
        "proposals/detail.html",
        {
            "p": proposal,
            "allowed": allowed,
            # The user's unit's reply draft waiting for 签发 or returned (none for anybody else).
            "draft": signoff.view(selectors.unit_draft(user, proposal)),
            "replies": replies,
            "assignments": assignments,
            "active_assignments": [a for a in assignments if a.is_active],
            "signers": signers,
            "close_check": close_check,
            "events": list(proposal.events.all()),
            "extensions": list(proposal.extensions.all()),
            "attachments": _attachments(proposal),
            "evaluate_form": evaluate_form,
            "my_unit_id": user.handling_unit_id if is_unit_user(user) else None,
            "key_form": KeyForm(
                proposal=proposal, initial={"is_key": proposal.is_key, "leader": proposal.key_leader_id}
            )
            if "mark_key" in allowed
            else None,
            "is_office": is_proposal_office(user, proposal),
            "reply_template": may_download_reply_template(user, proposal),
        },
    )


@login_required
def document(request, pk, fmt):
    if fmt not in ("docx", "pdf"):
        raise Http404
    proposal = selectors.get_proposal(request.user, pk)
    proposal = documents.document_queryset().get(pk=proposal.pk)
    if fmt == "pdf":
        data, ctype = documents.proposal_pdf(proposal), "application/pdf"
    else:
        data, ctype = documents.proposal_docx(proposal), exports.DOCX
    resp = HttpResponse(data, content_type=ctype)
    resp["Content-Disposition"] = _disposition(documents.filename(proposal, fmt))
    return resp


@login_required
def reply_template(request, pk):
    """The 答复函 template (.docx) filled with the proposal's number, title, proposers and the unit: for the
    units it is assigned to and the proposal office; 404 for anybody else."""
    proposal = selectors.get_proposal(request.user, pk)
    _need(may_download_reply_template(request.user, proposal))
    proposal = documents.document_queryset().get(pk=proposal.pk)
    return file_response(
        documents.reply_letter_for(request.user, proposal),
        documents.reply_letter_filename(proposal),
        exports.DOCX,
    )


def _disposition(name: str) -> str:
    return f"attachment; filename*=UTF-8''{quote(name)}"


# --------------------------------------------------------------------------- actions


class ActionPage:
    """One action with a form: the page shows it; POST validates, calls the service, redirects."""

    def __init__(self, title, form_class, run, *, success, form_kwargs=None, template_part=""):
        self.title, self.form_class, self.run, self.success = title, form_class, run, success
        self.form_kwargs = form_kwargs or (lambda request, p: {})
        self.template_part = template_part


def _run_review(request, p, d, form):
    services.proposal_review_and_assign(user=request.user, proposal=p, **form.service_kwargs())


def _run_assign(request, p, d, form):
    services.proposal_assign(user=request.user, proposal=p, **form.service_kwargs())


def _run_reply(request, p, d, form):
    form.drafted = signoff.drafts_instead(request.user, p.case)
    services.proposal_reply(
        user=request.user,
        proposal=p,
        result_class=d["result_class"],
        content=d["content"],
        letter=d["letter"],
    )


def _run_sign(request, p, d, form):
    services.proposal_sign(user=request.user, proposal=p, decision=d["decision"], reason=d.get("reason", ""))


def _run_evaluate(request, p, d, form):
    services.proposal_evaluate(
        user=request.user,
        proposal=p,
        rating=d["rating"],
        comment=d.get("comment", ""),
        member=d.get("member"),
        reply=d.get("reply") or None,
    )


def _evaluate_kwargs(request, p, answers=None):
    """The evaluation form's choices: proposers still to rate (for staff recording a rating) and, with 分办,
    the units' replies waiting for this rating."""
    answers = answers if answers is not None else selectors.unit_answers(p)
    pending = [
        s for s in selectors.raters(p, list(p.signers.all())) if selectors.ratable(answers, s.member_id)
    ]
    me = member_of(request.user)
    mine = next((s for s in pending if s.member_id == getattr(me, "pk", None)), None)
    on_behalf = is_proposal_office(request.user, p) and mine is None
    if on_behalf:
        waiting = {x.reply.pk: x.reply for s in pending for x in selectors.ratable(answers, s.member_id)}
        replies = [x.reply for x in answers if x.reply is not None and x.reply.pk in waiting]
    else:
        replies = [x.reply for x in selectors.ratable(answers, mine.member_id)] if mine else []
    return {"pending_members": [s.member for s in pending], "on_behalf": on_behalf, "replies": replies}


ACTIONS = {
    "review": ActionPage(
        "立案审查",
        ReviewForm,
        _run_review,
        success="审查结论已保存。",
        form_kwargs=lambda request, p: {"proposal": p, "user": request.user},
        template_part="proposals/_review_help.html",
    ),
    "assign": ActionPage(
        "交办",
        AssignForm,
        _run_assign,
        success="已交办。",
        form_kwargs=lambda request, p: {"user": request.user},
    ),
    "request_change": ActionPage(
        "申请调整（退回）",
        RequestChangeForm,
        success="调整申请已提交，等待提案委员会审核。",
        run=lambda request, p, d, f: services.assignment_request_change(
            user=request.user, proposal=p, reason=d["reason"]
        ),
    ),
    "record_contact": ActionPage(
        "记录沟通协商",
        ContactForm,
        success="沟通情况已记录。",
        run=lambda request, p, d, f: services.assignment_record_contact(
            user=request.user,
            proposal=p,
            contacted_on=d["contacted_on"],
            method=d["method"],
            summary=d["summary"],
        ),
    ),
    "co_opinion": ActionPage(
        "会办意见",
        CoOpinionForm,
        success="会办意见已提交。",
        run=lambda request, p, d, f: services.assignment_co_opinion(
            user=request.user, proposal=p, opinion=d["opinion"]
        ),
    ),
    "reply": ActionPage(
        "答复提案",
        ReplyForm,
        _run_reply,
        success="答复已提交，等待提案人评价。",
        form_kwargs=lambda request, p: {"proposal": p},
        template_part="proposals/_reply_help.html",
    ),
    "sign": ActionPage(
        "签发答复",
        SignForm,
        _run_sign,
        success="已处理答复稿。",
        template_part="proposals/_signoff.html",
    ),
    "evaluate": ActionPage(
        "评价办理答复",
        EvaluateForm,
        _run_evaluate,
        success="评价已提交，谢谢！",
        form_kwargs=_evaluate_kwargs,
    ),
    "extend": ActionPage(
        "延期",
        ExtendForm,
        success="办理期限已延长。",
        form_kwargs=lambda request, p: {"proposal": p},
        run=lambda request, p, d, f: services.proposal_extend(
            user=request.user, proposal=p, new_deadline=d["new_deadline"], reason=d["reason"]
        ),
    ),
    "mark_key": ActionPage(
        "重点提案",
        KeyForm,
        success="重点提案设置已保存。",
        form_kwargs=lambda request, p: {"proposal": p},
        run=lambda request, p, d, f: services.proposal_mark_key(
            user=request.user, proposal=p, is_key=d["is_key"], leader=d.get("leader")
        ),
    ),
}


@login_required
def action(request, pk, code):
    spec = ACTIONS.get(code)
    if spec is None:
        raise Http404
    user = request.user
    proposal = selectors.get_proposal(user, pk, full=True)
    allowed = selectors.allowed_actions(user, proposal)
    if request.method != "POST" and code not in allowed:
        raise PermissionDenied("您现在不能进行此操作。")
    kwargs = spec.form_kwargs(request, proposal)
    # 立案审查 opened from the queue: after the decision, on to the next proposal of the same queue.
    queue = _queue_filters(request.GET) if code == "review" and request.GET.get("queue") == "1" else None
    order = _queue_order(user, queue) if queue is not None else []
    draft = selectors.unit_draft(user, proposal) if code in ("reply", "sign") else None
    initial = _action_initial(code, proposal)
    if code == "reply" and draft is not None:
        # A draft the head returned comes back into the form, to be edited and submitted again.
        initial = {"result_class": draft.result_class, "content": draft.content}
    form = spec.form_class(request.POST or None, request.FILES or None, **kwargs, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                spec.run(request, proposal, form.cleaned_data, form)
            except ServiceError as exc:
                _fail(request, exc, form)
                status = exc.status
            else:
                if code == "review" and request.POST.get("then") == "assign":
                    onward = _assign_next(request, proposal)
                    if onward is not None:
                        return onward
                if queue is not None:
                    messages.success(request, f"「{proposal.title}」{_success(code, spec, form)}")
                    return _next_in_queue(request, proposal, order, queue)
                messages.success(request, _success(code, spec, form))
                return redirect(_detail_url(proposal))
        else:
            status = 422
    ctx = {"p": proposal, "form": form, "code": code, "title": spec.title, "part": spec.template_part}
    if queue is not None:
        ctx["queue"] = _queue_context(proposal, order, queue)
    ctx["draft"] = signoff.view(draft)
    if code == "review":
        ctx["similar"] = _decorate(
            user,
            _similar(user, text=f"{proposal.title}\n{proposal.suggestions}", exclude_id=proposal.pk, limit=8),
        )
    if code == "reply":
        ctx["assignments"] = [a for a in proposal.assignments.all() if a.is_active]
    return render(request, "proposals/action.html", ctx, status=status)


def _queue_order(user, queue: dict) -> list[int]:
    return list(selectors.review_queue(user, **queue).prefetch_related(None).values_list("pk", flat=True))


def _queue_back(queue: dict) -> str:
    params = {"sort": queue["sort"] if queue["sort"] != "submitted" else "", "proposer": queue["proposer"]}
    params["overdue"] = "1" if queue["overdue"] else ""
    query = urlencode({k: v for k, v in params.items() if v})
    return reverse("proposals:review_queue") + (f"?{query}" if query else "")


def _queue_context(proposal, order: list[int], queue: dict) -> dict:
    """Where the proposal stands in the queue it was opened from, and the one after it (跳过)."""
    i = order.index(proposal.pk) if proposal.pk in order else None
    following = order[i + 1 :] + order[:i] if i is not None else order
    skip = following[0] if following else None
    return {
        "position": None if i is None else i + 1,
        "total": len(order),
        "back": _queue_back(queue),
        "skip": reverse("proposals:action", args=[skip, "review"]) + "?" + _queue_query(queue)
        if skip
        else "",
    }


def _assign_next(request, proposal):
    """立案并交办 (the review form's second button, shown with 立案): once accepted, on to its 交办 page, as the
    queue's batch 立案并交办 goes on to 打包交办. Another decision (the button shows without JavaScript too),
    or a user who may not assign, goes on as 提交 would (None)."""
    if proposal.status != Proposal.Status.ACCEPTED:
        return None
    if "assign" not in selectors.allowed_actions(request.user, proposal):
        return None
    messages.success(request, f"「{proposal.title}」已立案（{proposal.number_label}），请接着交办。")
    return redirect(reverse("proposals:action", args=[proposal.pk, "assign"]))


def _next_in_queue(request, proposal, order: list[int], queue: dict):
    """After a decision taken from the queue: the next proposal still waiting in it, or the queue itself."""
    nxt, left = selectors.next_in_queue(request.user, order, proposal.pk, **queue)
    if nxt is None:
        messages.info(request, "这一队列的提案已全部审查完毕。")
        return redirect(_queue_back(queue))
    messages.info(request, f"已转到下一件待审查提案（队列中还有 {left} 件）。")
    return redirect(reverse("proposals:action", args=[nxt, "review"]) + "?" + _queue_query(queue))


def _success(code, spec, form) -> str:
    """The message after an action; 答复 and 签发 say what happened when the head signs letters off."""
    if code == "sign":
        return "已签发，已请提案人评价。" if form.cleaned_data["decision"] == signoff.SIGN else "已退回修改。"
    if code == "reply" and getattr(form, "drafted", False):
        return "答复稿已提交，等待单位负责人签发。"
    if code == "review" and form.cleaned_data["decision"] == "accept":
        unit, key = form.cleaned_data.get("lead_unit"), form.cleaned_data.get("is_key")
        if unit or key:
            return (
                "已立案" + (f"并交{unit.name}主办" if unit else "") + ("，列为重点提案" if key else "") + "。"
            )
    return spec.success


def _action_initial(code, p):
    if code == "mark_key":
        return {"is_key": True, "leader": p.key_leader_id}
    if code == "extend" and p.deadline:
        return {"new_deadline": None}
    if code == "record_contact":
        return {"contacted_on": timezone.localdate()}
    return {}


SIMPLE = {
    "acknowledge": (lambda u, p, post: services.assignment_acknowledge(user=u, proposal=p), "已签收。"),
    "drop_decliners": (
        lambda u, p, post: services.proposal_drop_decliners(user=u, proposal=p),
        "已移除未附议的委员。",
    ),
    "remind": (lambda u, p, post: services.proposal_remind(user=u, proposal=p), "已发送催办提醒。"),
    "close": (
        lambda u, p, post: services.proposal_close(user=u, proposal=p, reason=post.get("reason", "")),
        "提案已办结。",
    ),
    "mark_excellent": (
        lambda u, p, post: services.proposal_mark_excellent(
            user=u, proposal=p, value=post.get("value") != "0"
        ),
        "优秀提案设置已保存。",
    ),
}


@login_required
@require_POST
def simple_action(request, pk, code):
    if code not in SIMPLE:
        raise Http404
    proposal = selectors.get_proposal(request.user, pk)
    run, ok = SIMPLE[code]
    try:
        run(request.user, proposal, request.POST)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, ok)
    return redirect(safe_next(request, _detail_url(proposal)))


@login_required
def decide_change(request, assignment_id):
    _need(is_proposal_office(request.user))
    try:
        assignment = Assignment.objects.select_related("case__proposal", "unit").get(
            pk=assignment_id, case__organisation_id=request.user.organisation_id, case__kind="proposal"
        )
    except Assignment.DoesNotExist:
        raise Http404
    form = DecideChangeForm(request.POST or None, user=request.user, assignment=assignment)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.assignment_decide_change(
                    user=request.user,
                    assignment=assignment,
                    grant=d["grant"],
                    note=d.get("note", ""),
                    new_unit=d.get("new_unit"),
                )
            except ServiceError as exc:
                _fail(request, exc, form)
                status = exc.status
            else:
                messages.success(request, "已同意调整。" if d["grant"] else "已不同意调整。")
                return redirect("proposals:changes")
        else:
            status = 422
    return render(
        request,
        "proposals/decide_change.html",
        {"a": assignment, "p": assignment.case.proposal, "form": form},
        status=status,
    )


# --------------------------------------------------------------------------- statistics


SESSION_BOX = {"class": "form-select form-select-sm", "aria-label": "会次"}


def _session_from(request):
    """The session asked for (an id, or a name typed without JavaScript) if in scope, else the current one; and
    the page's session picker (core.pickers: a province's ~700 sessions are not all written into the page)."""
    picker = pickers.standalone("sessions", request.user)
    wanted, _ = pickers.resolve(picker, request.GET.get("session", ""))
    sessions = Session.objects.filter(org_scope_q(request.user)).select_related("organisation")
    session = sessions.filter(pk=int(wanted)).first() if wanted else None
    if session is None:
        cur = current_session(request.user)
        session = sessions.filter(pk=cur.pk).first() if cur else sessions.order_by("-year", "-number").first()
    return session, picker


@login_required
def stats_page(request):
    _need(request.user.has_role(*STATS_ROLES))
    session, picker = _session_from(request)
    if session is None:
        raise Http404
    s = stats.session_stats(request.user, session)
    return render(
        request,
        "proposals/stats.html",
        {
            "s": s,
            "t": s["totals"],
            "session": session,
            "session_box": picker.widget.render("session", session.pk, attrs=SESSION_BOX),
            "unit_bar": stats.unit_bar_option(s),
            "category_pie": stats.category_pie_option(s),
            "class_pie": stats.class_pie_option(s),
        },
    )


@login_required
def stats_export(request):
    _need(request.user.has_role(*STATS_ROLES))
    session, _ = _session_from(request)
    if session is None:
        raise Http404
    data = stats.export_xlsx(request.user, session)
    resp = HttpResponse(data, content_type=exports.XLSX)
    resp["Content-Disposition"] = _disposition(f"{session.name}提案统计.xlsx")
    return resp


# --------------------------------------------------------------------------- background files


@login_required
@require_POST
def export_list(request):
    _need(core_exports.may_start(request.user, exports.LIST_XLSX))
    params = {k: v for k, v in request.GET.items() if k in ProposalFilterForm.base_fields and v}
    return core_exports.respond(request, exports.LIST_XLSX, params)


@login_required
def compilation(request):
    _need(is_proposal_office(request.user))
    form = CompilationForm(
        request.POST or None, user=request.user, initial={"session": current_session(request.user)}
    )
    if request.method == "POST" and form.is_valid():
        session, fmt = form.cleaned_data["session"], form.cleaned_data["format"]
        return core_exports.respond(
            request,
            exports.COMPILATION,
            {"session": session.pk, "format": fmt},
            title=f"{session.name}提案汇编（{fmt.upper()}）",
        )
    recent = Export.objects.filter(user=request.user, kind=exports.COMPILATION)[:10]
    return render(request, "proposals/compilation.html", {"form": form, "recent": recent})
