"""The online hall (网络议政) pages: the hall (background, window, threads newest first with the pinned on
top, replies, keyset pages, the comment and reply forms over htmx or a plain POST, live counts polled every
15 s, the word cloud, the moderation queue for staff), one thread (all its replies), moderation, the
summary (综述) after the window, and the public's read-only hall with a comment form under /p/.

`panel_context` feeds the hall's card on the consultation's own page (consultation/_hall_panel.html)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhengxie.core.context import client_ip
from zhengxie.core.errors import NotFound, ServiceError

from .. import rules, selectors_hall, wordcloud
from ..models import Comment, Consultation
from ..services import hall as services

# --- forms ----------------------------------------------------------------------------------------------


class CommentForm(forms.Form):
    content = forms.CharField(
        label="留言内容",
        required=False,  # the service says what is wrong (empty, too long) in its own words
        widget=forms.Textarea(
            attrs={"rows": 3, "class": "form-control", "placeholder": "发表您的意见和建议"}
        ),
        strip=False,
    )
    parent_id = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1, max_value=2**53 - 1)


class HideForm(forms.Form):
    reason = forms.CharField(label="隐藏原因", max_length=200)


class SummaryForm(forms.Form):
    hall_summary = forms.CharField(
        label="议政综述", required=False, widget=forms.Textarea(attrs={"rows": 10, "class": "form-control"})
    )


class PublicCommentForm(forms.Form):
    name = forms.CharField(
        label="署名（可不填，默认显示为“网友”）",
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "nickname"}),
    )
    content = forms.CharField(
        label="留言内容",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
        strip=False,
    )
    consent = forms.BooleanField(label="我同意留言经审核后在本页公开显示（署名如上）", required=False)
    website = forms.CharField(label="网址（请勿填写）", required=False)


# --- one comment's markup ------------------------------------------------------------------------------
# A page shows up to a few hundred comments: written with format_html (escaped), a comment costs ~0.03 ms
# instead of ~1 ms through a template include. The thread template prints `cm.html`.


def _moderation_html(c: Consultation, cm: Comment, reply: bool, csrf: str) -> str:
    def url(action):
        return reverse("consultation:hall_moderate", args=[c.pk, cm.pk, action])

    token = format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', csrf)
    parts = []
    if not reply:
        action = "unpin" if cm.pinned else "pin"
        parts.append(
            format_html(
                '<form method="post" action="{}">{}<button class="btn btn-link btn-sm p-0" type="submit">{}</button>'
                "</form>",
                url(action),
                token,
                "取消置顶" if cm.pinned else "置顶",
            )
        )
    parts.append(
        format_html(
            '<details><summary class="text-danger">隐藏</summary><form method="post" action="{}" '
            'class="d-flex gap-1 mt-1">{}<input class="form-control form-control-sm" name="reason" maxlength="200" '
            'required placeholder="隐藏原因" aria-label="隐藏原因"><button class="btn btn-outline-danger btn-sm '
            'text-nowrap" type="submit">隐藏</button></form></details>',
            url("hide"),
            token,
        )
    )
    parts.append(
        format_html(
            '<details><summary>合并</summary><form method="post" action="{}" class="d-flex gap-1 mt-1">{}'
            '<input class="form-control form-control-sm" name="into_number" inputmode="numeric" required '
            'placeholder="合并到第几条" aria-label="合并到第几条"><button class="btn btn-outline-secondary btn-sm '
            'text-nowrap" type="submit">合并</button></form></details>',
            url("merge"),
            token,
        )
    )
    return format_html('<div class="d-flex flex-wrap gap-2 small mt-1">{}</div>', mark_safe("".join(parts)))


def comment_html(
    c: Consultation, cm: Comment, *, reply: bool, manage: bool, csrf: str = "", numbers: dict | None = None
) -> str:
    """One comment (escaped: the author's label and the text are the user's, HTML stays text)."""
    badges = ""
    if cm.is_public:
        badges = '<span class="badge text-bg-light border">群众</span>'
    elif not cm.member_id and cm.author_label != services.STAFF_LABEL:  # the label says it already
        badges = '<span class="badge text-bg-light border">工作人员</span>'
    if cm.pinned:
        badges += '<span class="badge text-bg-danger">置顶</span>'
    if cm.used_in_summary:
        badges += '<span class="badge text-bg-success">采入综述</span>'
    meta = f"· 第{cm.number or cm.pk}条 · {localtime(cm.created_at):%m-%d %H:%M}"
    parent_number = (numbers or {}).get(cm.parent_id)
    if reply and cm.parent_id != cm.root_id and parent_number:
        meta += f" · 回复第{parent_number}条"
    text = escape(cm.content).replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br>")
    extra = " border-start border-2 ps-2 ms-1 mt-2" if reply else ""
    moderation = _moderation_html(c, cm, reply, csrf) if manage else ""
    return mark_safe(
        f'<div class="hall-comment{extra}" id="comment-{cm.pk}"><div class="small text-muted d-flex flex-wrap '
        f'gap-1 align-items-center"><strong class="text-body">{escape(cm.author_label)}</strong>{badges}'
        f'<span>{meta}</span></div><div class="text-break hall-text">{text}</div>{moderation}</div>'
    )


def _markup(request, c: Consultation, threads, manage: bool) -> None:
    csrf = get_token(request) if manage else ""
    for t in threads:
        # A reply names the reply it answers by its number when that one is shown in the same thread.
        numbers = {x.pk: x.number or x.pk for x in (t.root, *t.replies)}
        t.root.html = comment_html(c, t.root, reply=False, manage=manage, csrf=csrf)
        for r in t.replies:
            r.html = comment_html(c, r, reply=True, manage=manage, csrf=csrf, numbers=numbers)


# --- helpers --------------------------------------------------------------------------------------------


def _htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _state(c: Consultation) -> dict:
    state = services.window_state(c)
    return {"state": state, "state_label": services.WINDOW_LABELS[state]}


def panel_context(request, consultation) -> dict:
    """The hall's card on the consultation page: no query (the counts are on the consultation)."""
    c = consultation
    if c.form != Consultation.Form.ONLINE and not c.opens_at:
        return {"hall": None}
    return {"hall": {**_state(c), "url": reverse("consultation:hall", args=[c.pk])}}


def _comment_of(c: Consultation, comment_id) -> Comment:
    found = Comment.objects.filter(pk=comment_id, consultation_id=c.pk).first()
    if found is None:
        raise Http404("未找到该留言。")
    return found


def _hall_context(request, c: Consultation, *, form=None) -> dict:
    user = request.user
    manage = rules.can_manage(user, c)
    ctx = {
        "c": c,
        **_state(c),
        "page": selectors_hall.hall_page(c, request.GET.get("before")),
        "can_post": rules.can_comment(user, c) and c.hall_open(),
        "can_comment": rules.can_comment(user, c),
        "manage": manage,
        "form": form or CommentForm(),
        "cloud": wordcloud.terms(c),
        "credits": selectors_hall.summary_credits(c) if c.hall_summary else None,
    }
    _markup(request, c, ctx["page"].pinned + ctx["page"].threads, manage)
    if manage:
        ctx["pending"] = selectors_hall.pending_queue(c)
    return ctx


# --- the hall -------------------------------------------------------------------------------------------


@login_required
@require_GET
def hall(request, pk):
    c = selectors_hall.get_hall(request.user, pk)
    return render(request, "consultation/hall.html", _hall_context(request, c))


@login_required
@require_GET
def hall_counts(request, pk):
    c = selectors_hall.get_hall(request.user, pk)
    return render(request, "consultation/_hall_counts.html", {"c": c})


@login_required
@require_GET
def hall_thread(request, pk, comment_id):
    """One thread with all its replies (the 展开全部回复 link); a plain GET goes to the hall."""
    user = request.user
    c = selectors_hall.get_hall(user, pk)
    t = selectors_hall.thread(c, comment_id)
    if t is None:
        raise Http404("未找到该主题。")
    if not _htmx(request):
        return redirect(reverse("consultation:hall", args=[c.pk]) + f"#thread-{t.root.pk}")
    _markup(request, c, [t], rules.can_manage(user, c))
    return render(
        request,
        "consultation/_hall_thread.html",
        {
            "c": c,
            "t": t,
            "can_post": rules.can_comment(user, c) and c.hall_open(),
            "manage": rules.can_manage(user, c),
            "full": True,
        },
    )


@login_required
@require_POST
def hall_post(request, pk):
    """A comment (no parent_id) or a reply. Over htmx: the new thread (prepended) or the thread again, with
    the counts; the form comes back with its message on a refusal. Plain: back to the hall."""
    user = request.user
    c = selectors_hall.get_hall(user, pk)
    form = CommentForm(request.POST)
    comment, error, status = None, None, 200
    if form.is_valid():
        try:
            comment = services.post_comment(
                user=user,
                consultation=c,
                content=form.cleaned_data["content"],
                parent_id=form.cleaned_data["parent_id"],
            )
        except ServiceError as exc:
            error, status = exc.message, exc.status
    else:
        error, status = "；".join(e for errs in form.errors.values() for e in errs), 422
    parent_id = form.cleaned_data.get("parent_id") if form.is_valid() else None
    if _htmx(request):
        c.refresh_from_db(fields=["comment_count", "participant_count"])
        ctx = {"c": c, "can_post": rules.can_comment(user, c) and c.hall_open(), "error": error}
        ctx["manage"] = rules.can_manage(user, c)
        if parent_id:
            root_id = comment.root_id if comment is not None else None
            if root_id is None:
                parent = Comment.objects.filter(pk=parent_id, consultation_id=c.pk).first()
                root_id = (parent.root_id or parent.pk) if parent is not None else None
            t = selectors_hall.thread(c, root_id) if root_id else None
            if t is None:
                return render(request, "consultation/_hall_gone.html", {"error": error}, status=200)
            _markup(request, c, [t], ctx["manage"])
            ctx.update(
                t=t,
                full=True,
                reply_text="" if comment else request.POST.get("content", ""),
                counts_oob=comment is not None,
            )
            return render(request, "consultation/_hall_thread.html", ctx)
        ctx["form"] = CommentForm() if comment is not None else form
        if comment is not None:
            ctx["t"] = selectors_hall.Thread(comment)
            _markup(request, c, [ctx["t"]], ctx["manage"])
        return render(request, "consultation/_hall_form.html", ctx)
    if comment is not None:
        messages.success(request, "留言已发表。" if not parent_id else "回复已发表。")
        return redirect(reverse("consultation:hall", args=[c.pk]) + f"#thread-{comment.root_id}")
    ctx = _hall_context(request, c, form=form)
    ctx["error"] = error
    return render(request, "consultation/hall.html", ctx, status=status)


MODERATION = {"pin", "unpin", "hide", "approve", "merge"}


@login_required
@require_POST
def hall_moderate(request, pk, comment_id, action):
    user = request.user
    c = selectors_hall.get_hall(user, pk)
    if action not in MODERATION or not rules.can_manage(user, c):
        raise Http404("未找到")
    cm = _comment_of(c, comment_id)
    try:
        if action in ("pin", "unpin"):
            services.set_pinned(user=user, comment=cm, pinned=action == "pin")
            done = "已置顶。" if action == "pin" else "已取消置顶。"
        elif action == "hide":
            services.hide(user=user, comment=cm, reason=request.POST.get("reason", ""))
            done = "留言已隐藏。"
        elif action == "approve":
            services.approve(user=user, comment=cm)
            done = "留言已通过审核并显示。"
        else:
            services.merge(user=user, comment=cm, into_number=request.POST.get("into_number", ""))
            done = "留言已合并。"
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        wordcloud.forget(c)
        messages.success(request, done)
    anchor = "#hall-queue" if cm.status == Comment.Status.PENDING else f"#thread-{cm.root_id or cm.pk}"
    return redirect(reverse("consultation:hall", args=[c.pk]) + anchor)


@login_required
@require_http_methods(["GET", "POST"])
def hall_summary(request, pk):
    """Staff draft the summary after the window and tick the comments it used (a page of 100 at a time)."""
    user = request.user
    c = selectors_hall.get_hall(user, pk)
    if not rules.can_manage(user, c):
        raise Http404("未找到")
    status = 200
    form = SummaryForm(request.POST or None, initial={"hall_summary": c.hall_summary})
    if request.method == "POST" and form.is_valid():
        try:
            services.save_summary(
                user=user,
                consultation=c,
                summary=form.cleaned_data["hall_summary"],
                used_ids=request.POST.getlist("used"),
                shown_ids=request.POST.getlist("shown"),
            )
        except ServiceError as exc:
            form.add_error(None, exc.message)
            status = exc.status
        else:
            messages.success(request, "议政综述已保存。")
            after = request.POST.get("after", "")
            url = reverse("consultation:hall_summary", args=[c.pk])
            return redirect(url + (f"?after={after}" if after.isdigit() else ""))
    rows, next_after = selectors_hall.summary_rows(c, request.GET.get("after"))
    return render(
        request,
        "consultation/hall_summary.html",
        {
            "c": c,
            **_state(c),
            "form": form,
            "rows": rows,
            "next_after": next_after,
            "after": request.GET.get("after", "") if str(request.GET.get("after", "")).isdigit() else "",
            "credits": selectors_hall.summary_credits(c),
        },
        status=status,
    )


# --- the public -----------------------------------------------------------------------------------------


def _public_org(code):
    from zhengxie.suggestions.services import public_organisation

    try:
        org = public_organisation(code)
    except NotFound:
        raise Http404("未找到")
    if str(org.code) != str(code):
        raise Http404("未找到")
    return org


@never_cache
@require_http_methods(["GET", "POST"])
def public_hall(request, code, pk):
    """The hall for citizens (no login): visible comments only, and during the window a comment form
    (held for moderation; rate-limited per address)."""
    org = _public_org(code)
    c = services.public_consultation(org, pk)
    status, done = 200, False
    form = PublicCommentForm(request.POST or None)
    if request.method == "POST":
        honeypot = request.POST.get("website", "")
        if honeypot or form.is_valid():
            data = form.cleaned_data if not honeypot else {}
            try:
                services.submit_public(
                    consultation=c,
                    content=data.get("content", ""),
                    name=data.get("name", ""),
                    consent=data.get("consent", False),
                    ip=client_ip(request),
                    honeypot=honeypot,
                )
            except ServiceError as exc:
                status = exc.status
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                # the service stops at its first problem; the unticked consent is said at the same time
                if exc.field in ("content", "name") and not data.get("consent"):
                    form.add_error("consent", services.CONSENT_MISSING)
            else:
                done, form = True, PublicCommentForm()
        else:
            status = 422
    return render(
        request,
        "consultation/public_hall.html",
        {
            "org": org,
            "c": c,
            **_state(c),
            "page": selectors_hall.hall_page(c, request.GET.get("before")),
            "form": form,
            "done": done,
            "cloud": wordcloud.terms(c),
        },
        status=status,
    )
