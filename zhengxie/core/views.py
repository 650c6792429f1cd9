from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhengxie.core.pagination import Paginator

from . import audit, auditlabels, selectors, uploads
from .forms import LoginForm, StyledPasswordChangeForm
from .models import Attachment, Export, Notification
from .navigation import home_for, todos_for
from .redirects import safe_next
from .xlsx import CONTENT_TYPE, Book


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        # With an authenticator, the password alone logs nobody in: the code step does (twofactor.py).
        from . import twofactor

        user = form.get_user()
        if twofactor.device_for(user) is not None:
            twofactor.start_pending(
                self.request,
                user,
                username=form.cleaned_data["username"],
                backend=user.backend,
                next_url=self.get_success_url(),
            )
            return redirect("login_otp")
        return super().form_valid(form)


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = StyledPasswordChangeForm

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.user
        user.password_changed_at = timezone.now()
        user.save(update_fields=["password_changed_at"])
        audit.record(user, "auth.password_change", user)
        return response


def paginate(request, qs, per_page: int = 20, kept: str | None = None):
    """(the page, the query string without `page`); `kept`: the count kept by core.datacache."""
    page = Paginator(qs, per_page, kept=kept).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    qs_wo_page = params.urlencode()
    return page, (qs_wo_page + "&") if qs_wo_page else ""


@login_required
def workbench(request):
    digests = selectors.digests(request.user)
    return render(
        request,
        "core/workbench.html",
        {
            "todos": todos_for(request.user),
            "home": home_for(request.user),
            "digests": digests[:6],
            "recent": selectors.inbox(request.user, digested=[d["kind"] for d in digests])[
                : max(0, 6 - len(digests))
            ],
        },
    )


@login_required
def inbox(request):
    """消息中心: unread messages of one kind read as a digest entry ("46条新交办提案") that opens the messages
    of that kind (?kind=), with 标为已读 for the kind; single ones as they are."""
    unread = request.GET.get("unread") == "1"
    kind = request.GET.get("kind", "").strip()[:200]
    digests = [] if kind else selectors.digests(request.user)
    qs = selectors.inbox(request.user, unread, kind=kind, digested=[d["kind"] for d in digests])
    page, qs_wo_page = paginate(request, qs)
    return render(
        request,
        "core/inbox.html",
        {
            "page_obj": page,
            "querystring_without_page": qs_wo_page,
            "unread": unread,
            "kind": kind,
            "digests": digests,
            "kind_unread": qs.filter(read_at__isnull=True).count() if kind else 0,
        },
    )


@login_required
@require_POST
def notification_read(request, pk):
    note = get_object_or_404(Notification, pk=pk, user=request.user)
    if note.read_at is None:
        note.read_at = timezone.now()
        note.save(update_fields=["read_at"])
    return redirect(note.url or "core:inbox")


@login_required
@require_POST
def inbox_read_all(request):
    """全部标为已读; with `kind`, only the unread messages of that kind (a digest's 标为已读)."""
    kind = request.POST.get("kind", "").strip()[:200]
    qs = Notification.objects.filter(user=request.user, read_at__isnull=True)
    if kind:
        n = qs.filter(selectors.kind_q(kind)).update(read_at=timezone.now())
        messages.success(request, f"已将 {n} 条「{kind}」标为已读。")
        return redirect(safe_next(request, "core:inbox"))
    qs.update(read_at=timezone.now())
    messages.success(request, "已全部标为已读。")
    return redirect("core:inbox")


def _audit_filters(request):
    g = request.GET
    return {
        "q": g.get("q", "").strip(),
        "action": g.get("action", "").strip(),
        "date_from": g.get("date_from") or None,
        "date_to": g.get("date_to") or None,
    }


@login_required
def audit_log(request):
    if not request.user.has_perm("core.view_audit"):
        raise Http404
    filters = _audit_filters(request)
    page, qs_wo_page = paginate(request, selectors.audit_entries(request.user, **filters), 50)
    for e in page.object_list:
        e.label = auditlabels.action_label(e.action)
        e.changes = auditlabels.changes(e.before, e.after, e.target_type)
        e.target_label = auditlabels.target_label(e.target_type, e.target_repr)
    return render(
        request,
        "core/audit.html",
        {"page_obj": page, "querystring_without_page": qs_wo_page, "filters": filters},
    )


@login_required
def audit_export(request):
    if not request.user.has_perm("core.view_audit"):
        raise Http404
    book = Book()
    ws = book.sheet("审计日志")
    ws.append(
        [
            "时间",
            "操作人",
            "组织",
            "操作",
            "操作代码",
            "对象类型",
            "对象ID",
            "对象",
            "变更内容",
            "修改前",
            "修改后",
            "IP",
        ]
    )
    qs = selectors.audit_entries(request.user, **_audit_filters(request))
    for e in qs.iterator(chunk_size=2000):
        ws.append(
            [
                timezone.localtime(e.created_at).strftime("%Y-%m-%d %H:%M:%S"),
                e.actor_name,
                e.organisation.name if e.organisation else "",
                auditlabels.action_label(e.action),
                e.action,
                e.target_type,
                e.target_id,
                auditlabels.target_label(e.target_type, e.target_repr),
                "\n".join(auditlabels.changes(e.before, e.after, e.target_type)),
                str(e.before or ""),
                str(e.after or ""),
                e.ip or "",
            ]
        )
    data = book.save()
    audit.record(
        request.user,
        "audit.export",
        None,
        after={"filters": {k: str(v) for k, v in _audit_filters(request).items()}},
    )
    resp = HttpResponse(data, content_type=CONTENT_TYPE)
    resp["Content-Disposition"] = "attachment; filename*=UTF-8''audit.xlsx"
    return resp


@login_required
def attachment_download(request, pk):
    """Served only when the user may view the object the file belongs to (rule `<app>.view_<model>`)."""
    att = get_object_or_404(Attachment.objects.select_related("content_type"), pk=pk)
    target = att.target
    if target is None:
        if att.uploaded_by_id != request.user.pk:
            raise Http404
    else:
        ct = att.content_type
        if not request.user.has_perm(f"{ct.app_label}.view_{ct.model}", target):
            raise Http404
    response = uploads.download(att)
    if response is None:
        raise Http404
    return response


# --------------------------------------------------------------------------- files built in the background


def _own_export(request, export_id, kinds=None):
    """The user's own export of a registered kind they may still ask for; anything else is 404.
    `kinds`: the kinds an older, module-specific address of these pages serves."""
    from . import exports

    try:
        export = Export.objects.get(pk=export_id, user=request.user)
    except (Export.DoesNotExist, ValueError):
        raise Http404
    if (kinds is not None and export.kind not in kinds) or not exports.may_start(request.user, export.kind):
        raise Http404
    return export


@login_required
def export_page(request, export_id, kinds=None):
    """The progress of one background export (polled while it runs), then its file."""
    from . import exports

    export = _own_export(request, export_id, kinds)
    return render(request, "core/export.html", {"e": export, "spec": exports.get(export.kind)})


@login_required
def export_progress(request, export_id, kinds=None):
    return render(request, "core/_export_progress.html", {"e": _own_export(request, export_id, kinds)})


@login_required
def export_download(request, export_id, kinds=None):
    from . import exports

    resp = exports.file_response(_own_export(request, export_id, kinds))
    if resp is None:
        raise Http404
    return resp


@login_required
@require_POST
def export_retry(request, export_id, kinds=None):
    """Start a failed export again (same kind, parameters and title) and go to the new one's page."""
    from . import exports
    from .errors import ServiceError

    export = _own_export(request, export_id, kinds)
    try:
        new = exports.retry(request.user, export)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("core:export", export_id=export.pk)
    return redirect("core:export", export_id=new.pk)


def permission_denied_view(request, exception=None):
    raise PermissionDenied
