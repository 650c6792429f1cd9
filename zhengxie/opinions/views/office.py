"""The 信息科's 工作台 (its organisation's queue, forwarded items marked with where they came from), the
read-only list for leaders and staff, and the issues of 《社情民意》: list, compose, edit, 印发, download."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, prefetch_related_objects
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from zhengxie.core.errors import ServiceError
from zhengxie.core.views import paginate

from .. import rules as r
from .. import selectors, services
from ..duplicates import duplicate_groups
from ..forms import IssueForm, OpinionFilterForm
from ..models import Opinion, OpinionIssue
from .common import READERS, disposition, fail, need, years

S = Opinion.Status
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MAX_CANDIDATES = 200  # accepted items offered when composing an issue (newest first)


class SubmittedFirst:
    """The queue's rows for the paginator: the waiting (submitted) items first, then the others, each part
    newest first and read by its own query (one ORDER BY CASE over every row of a large organisation would
    sort them all); a page reads at most one slice of each part, and their authors at once."""

    def __init__(self, qs):
        self.qs = qs
        rows = qs.prefetch_related(None)  # the authors are read once for the page, below
        self.waiting = rows.filter(status=S.SUBMITTED)
        self.others = rows.exclude(status=S.SUBMITTED)

    def count(self) -> int:
        self.n_waiting = self.waiting.count()
        return self.qs.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, s: slice) -> list[Opinion]:
        n = getattr(self, "n_waiting", None)
        if n is None:
            n = self.n_waiting = self.waiting.count()
        start, stop = s.start or 0, s.stop
        rows = list(self.waiting[start : min(stop, n)]) if start < n else []
        if stop > n:
            rows += list(self.others[max(start - n, 0) : stop - n])
        prefetch_related_objects(rows, *self.qs._prefetch_related_lookups)
        return rows


def _list_page(request, template: str, *, queue: bool, **extra):
    user = request.user
    fields = ("q", "status", "year", "category", "source") if queue else ("q", "status", "year", "category")
    form = OpinionFilterForm(request.GET or None, user=user, years=years(), drafts=False, fields=fields)
    filters = form.filters()
    source = filters.pop("source", None)
    qs = selectors.opinion_list(user, queue=queue, **filters)
    if source:
        qs = qs.filter(source=source)
    if queue and not filters.get("status"):
        qs = SubmittedFirst(qs)
    page, qs_wo_page = paginate(request, qs, kept="opinions")  # the count kept (core.datacache)
    ctx = {"page_obj": page, "querystring_without_page": qs_wo_page, "form": form, **extra}
    return render(request, template, ctx)


@login_required
def queue(request):
    """信息工作台: the organisation's submitted-or-later items (its own and those forwarded from below)."""
    user = request.user
    need(r.is_info_office(user))
    waiting = Opinion.objects.filter(organisation_id=user.organisation_id, status=S.SUBMITTED).count()
    dups = duplicate_groups(user)
    return _list_page(request, "opinions/queue.html", queue=True, waiting=waiting, dups=dups)


@login_required
def opinion_list(request):
    """全部社情民意 (read-only): submitted items of the user's organisation and the levels below."""
    need(request.user.has_role(*READERS))
    return _list_page(request, "opinions/list.html", queue=False, office=r.is_info_office(request.user))


# --------------------------------------------------------------------------- issues


def _year(request):
    y = request.GET.get("year", "")
    return int(y) if y.isdigit() else None


@login_required
def issues(request):
    """《社情民意》: the issues by year (drafts included for the 信息科)."""
    user = request.user
    need(user.has_role(*READERS))
    year = _year(request)
    qs = selectors.issue_list(user, year=year).annotate(n_items=Count("items"))
    page, qs_wo_page = paginate(request, qs)
    return render(
        request,
        "opinions/issues.html",
        {
            "page_obj": page,
            "querystring_without_page": qs_wo_page,
            "year": year,
            "years": years(),
            "office": r.is_info_office(user),
        },
    )


def _candidates(user, issue=None) -> list[Opinion]:
    current = selectors.issue_items(issue) if issue is not None else []
    return current + list(selectors.issuable(user)[:MAX_CANDIDATES])


def _issue_form_page(request, form, issue=None, status=None):
    return render(
        request,
        "opinions/issue_form.html",
        {"form": form, "issue": issue, "checked": form.checked()},
        status=status or (422 if form.errors else 200),
    )


@login_required
def issue_create(request):
    """编发: pick accepted items not yet in an issue; the next number of the year is taken on saving."""
    user = request.user
    need(r.is_info_office(user))
    form = IssueForm(request.POST or None, candidates=_candidates(user))
    status = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            issue = services.issue_create(
                user=user,
                kind=d["kind"],
                opinion_ids=form.opinion_ids(),
                title=d["title"],
                signer=d["signer"],
                recipients=d["recipients"],
            )
        except ServiceError as exc:
            fail(request, exc, form)
            status = exc.status
        else:
            messages.success(request, f"已编成《社情民意》{issue.label}，核对后即可印发。")
            return redirect("opinions:issue_detail", issue.pk)
    return _issue_form_page(request, form, status=status)


@login_required
def issue_edit(request, pk):
    user = request.user
    issue = selectors.get_issue(user, pk)
    need(r.is_info_office(user, issue.organisation))
    if issue.status == OpinionIssue.Status.PUBLISHED and request.method != "POST":
        messages.info(request, "该期已印发，不能再修改。")
        return redirect("opinions:issue_detail", issue.pk)
    candidates = _candidates(user, issue)
    initial = {
        "items": [o for o in candidates if o.issue_id == issue.pk],
        "title": issue.title,
        "signer": issue.signer,
        "recipients": issue.recipients,
    }
    form = IssueForm(request.POST or None, candidates=candidates, issue=issue, initial=initial)
    status = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.issue_update(
                user=user,
                issue=issue,
                opinion_ids=form.opinion_ids(),
                title=d["title"],
                signer=d["signer"],
                recipients=d["recipients"],
            )
        except ServiceError as exc:
            fail(request, exc, form)
            status = exc.status
        else:
            messages.success(request, "已保存。")
            return redirect("opinions:issue_detail", issue.pk)
    return _issue_form_page(request, form, issue, status)


@login_required
def issue_detail(request, pk):
    user = request.user
    issue = selectors.get_issue(user, pk)
    items = selectors.issue_items(issue)
    ids = [o.pk for o in items]
    seen = set(selectors.visible(user).filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()
    office = r.is_info_office(user, issue.organisation)
    draft = issue.status == OpinionIssue.Status.DRAFT
    return render(
        request,
        "opinions/issue_detail.html",
        {"issue": issue, "items": items, "seen": seen, "can_edit": office and draft},
    )


@login_required
@require_POST
def issue_publish(request, pk):
    issue = selectors.get_issue(request.user, pk)
    try:
        services.issue_publish(user=request.user, issue=issue)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"《社情民意》{issue.label}已印发，作者已收到通知。")
    return redirect("opinions:issue_detail", issue.pk)


@login_required
def issue_document(request, pk):
    """The issue as an official .docx or PDF (?format=docx|pdf), for whoever may see the issue's page."""
    from .. import documents

    fmt = request.GET.get("format", "docx")
    if fmt not in ("docx", "pdf"):
        raise Http404("未找到")
    issue = selectors.get_issue(request.user, pk)
    if fmt == "pdf":
        data, ctype = documents.issue_pdf(issue), "application/pdf"
    else:
        data, ctype = documents.issue_docx(issue), DOCX
    resp = HttpResponse(data, content_type=ctype)
    resp["Content-Disposition"] = disposition(documents.filename(issue, fmt))
    return resp
