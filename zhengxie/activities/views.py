"""Meeting pages: thin views that parse, call a service or selector, and render."""

from __future__ import annotations

import datetime

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from zhengxie.core import orgsettings
from zhengxie.core.errors import Forbidden, ServiceError
from zhengxie.core.models import Role
from zhengxie.core.redirects import safe_next
from zhengxie.core.views import paginate

from . import origins, selectors, services
from .forms import CancelForm, DecideForm, InviteForm, LeaveForm, MaterialForm, MeetingForm
from .models import Meeting
from .rules import OVERSEERS, manages_meeting

PAGE_ROLES = (*OVERSEERS, Role.MEMBER)


def _require_page_role(user):
    """A role with no business here gets 404, as for an object out of scope."""
    if not user.has_role(*PAGE_ROLES):
        raise Http404


def _managed(request, pk):
    """A meeting the user runs: 404 when invisible, 403 when visible but not theirs to manage."""
    try:
        return selectors.get_managed_meeting(request.user, pk)
    except Forbidden as exc:
        raise PermissionDenied(exc.message)


def _fail(request, exc: ServiceError, form=None):
    if form is not None:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    else:
        messages.error(request, exc.message)


# ---------------------------------------------------------------- lists and calendar


TODO_LABELS = {
    "awaiting": "待您回复的会议通知",
    "upcoming": "14 天内您要参加的会议活动",
    "to_close": "已开完、待结束归档的会议",
}


@login_required
def meeting_list(request):
    _require_page_role(request.user)
    g = request.GET
    filters = {
        "status": g.get("status", ""),
        "kind": g.get("kind", ""),
        "q": g.get("q", "").strip(),
        "when": g.get("when", ""),
    }
    # From the workbench: exactly the meetings a to-do card counts.
    todo = g.get("todo", "") if g.get("todo") in TODO_LABELS else ""
    qs = selectors.meetings_for(request.user, **filters, todo=todo)
    page, qs_wo_page = paginate(request, qs)
    return render(
        request,
        "activities/list.html",
        {
            "todo": todo,
            "todo_label": TODO_LABELS.get(todo, ""),
            "page_obj": page,
            "querystring_without_page": qs_wo_page,
            "filters": filters,
            "kinds": Meeting.Kind.choices,
            "statuses": Meeting.Status.choices,
            "overseer": request.user.has_role(*OVERSEERS),
            "can_add": request.user.has_perm("activities.add_meeting"),
        },
    )


@login_required
def meeting_calendar(request):
    _require_page_role(request.user)
    today = timezone.localdate()
    try:
        year, month = (int(x) for x in request.GET.get("month", "").split("-"))
        datetime.date(year, month, 1)
    except ValueError:
        year, month = today.year, today.month
    first = datetime.date(year, month, 1)
    prev_month = (first - datetime.timedelta(days=1)).replace(day=1)
    next_month = (first + datetime.timedelta(days=32)).replace(day=1)
    weeks = selectors.month_grid(request.user, year, month)
    return render(
        request,
        "activities/calendar.html",
        {
            "weeks": weeks,
            "month": first,
            "prev": prev_month.strftime("%Y-%m"),
            "next": next_month.strftime("%Y-%m"),
            "this_month": today.strftime("%Y-%m"),
            "weekdays": "一二三四五六日",
            "agenda": [d for w in weeks for d in w if d["meetings"] and d["in_month"]],
            "can_add": request.user.has_perm("activities.add_meeting"),
        },
    )


# ---------------------------------------------------------------- detail and member actions


def _detail_context(request, meeting, leave_form=None):
    user = request.user
    inv = selectors.own_invitation(user, meeting)
    now = timezone.now()
    manage = manages_meeting(user, meeting)
    return {
        "meeting": meeting,
        "invitation": inv,
        "manage": manage,
        "overseer": user.has_role(*OVERSEERS),
        "counts": selectors.reply_counts(meeting) if user.has_role(*OVERSEERS) else None,
        "materials": list(selectors.materials(meeting)),
        "leave_form": leave_form or LeaveForm(),
        "can_reply": inv is not None
        and meeting.status == Meeting.Status.NOTIFIED
        and now < meeting.starts_at,
        "started": now >= meeting.starts_at,
        "material_form": MaterialForm() if manage else None,
        "cancel_form": CancelForm() if manage else None,
        "origin": origins.origin(user, meeting),  # the consultation it is the meeting of (a link back)
    }


@login_required
def meeting_detail(request, pk):
    meeting = selectors.get_meeting(request.user, pk)
    return render(request, "activities/detail.html", _detail_context(request, meeting))


@login_required
@require_POST
def meeting_reply(request, pk):
    meeting = selectors.get_meeting(request.user, pk)
    reply = request.POST.get("reply", "")
    form = LeaveForm(request.POST) if reply == "leave" else None
    try:
        services.invitation_reply(
            user=request.user, meeting=meeting, reply=reply, reason=request.POST.get("reason", "")
        )
    except ServiceError as exc:
        if form is not None and exc.field == "reason":
            form.add_error("reason", exc.message)
        else:
            messages.error(request, exc.message)
        ctx = _detail_context(request, meeting, leave_form=form)
        return render(request, "activities/detail.html", ctx, status=exc.status)
    messages.success(
        request, "已提交请假申请，请等待审批。" if reply == "leave" else "已回复参加，请准时出席。"
    )
    return redirect("activities:detail", pk=meeting.pk)


@login_required
def checkin(request, pk, token):
    """Opening the scanned on-site URL while logged in checks the user in to their own invitation.
    (A GET, on purpose: scanning must be enough. It touches only the requester's own attendance and
    needs a fresh code shown on site; a second scan is answered, not counted.)"""
    meeting = selectors.meeting_for_checkin(request.user, pk)
    try:
        inv = services.invitation_check_in(user=request.user, meeting=meeting, token=token)
    except ServiceError as exc:
        ok = exc.code == "already_checked_in"
        return render(
            request,
            "activities/checkin.html",
            {"meeting": meeting, "ok": ok, "message": exc.message},
            status=200 if ok else exc.status,
        )
    return render(
        request,
        "activities/checkin.html",
        {
            "meeting": meeting,
            "ok": True,
            "message": f"签到成功！{inv.member.name}，签到时间 {services.hm(inv.checked_in_at)}。",
        },
    )


# ---------------------------------------------------------------- staff: create, edit, invite, notify


@login_required
def meeting_create(request):
    if not request.user.has_perm("activities.add_meeting"):
        raise Http404
    org = request.user.organisation
    initial = {
        "checkin_before_minutes": orgsettings.get(org, "activities.checkin_before_minutes"),
        "checkin_after_minutes": orgsettings.get(org, "activities.checkin_after_minutes"),
    }
    form = MeetingForm(request.POST or None, organisation=org, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_create(user=request.user, **form.cleaned_data)
        except ServiceError as exc:
            _fail(request, exc, form)
        else:
            messages.success(request, "会议已创建。下一步：邀请参会委员。")
            return redirect("activities:invite", pk=meeting.pk)
    return render(request, "activities/form.html", {"form": form, "meeting": None})


@login_required
def meeting_edit(request, pk):
    meeting = _managed(request, pk)
    form = MeetingForm(
        request.POST or None, instance=Meeting.objects.get(pk=meeting.pk), organisation=meeting.organisation
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_update(user=request.user, meeting=meeting, **form.cleaned_data)
        except ServiceError as exc:
            _fail(request, exc, form)
        else:
            messages.success(request, "会议信息已保存。")
            return redirect("activities:detail", pk=meeting.pk)
    return render(request, "activities/form.html", {"form": form, "meeting": meeting})


@login_required
def meeting_invite(request, pk):
    meeting = _managed(request, pk)
    form = InviteForm(request.POST or None, organisation=meeting.organisation)
    if request.method == "POST" and form.is_valid():
        try:
            n = services.meeting_invite(user=request.user, meeting=meeting, **form.cleaned_data)
        except ServiceError as exc:
            _fail(request, exc, form)
        else:
            if n:
                tail = (
                    "，并已发送通知"
                    if meeting.status == Meeting.Status.NOTIFIED
                    else "。下一步：发送会议通知"
                )
                messages.success(request, f"已邀请 {n} 位委员{tail}。")
            else:
                messages.info(request, "所选委员均已在邀请名单中。")
            return redirect("activities:replies", pk=meeting.pk)
    selected = [str(v) for v in (form["members"].value() or [])]
    return render(
        request,
        "activities/invite.html",
        {
            "form": form,
            "meeting": meeting,
            "counts": selectors.reply_counts(meeting),
            "results": selectors.invitable_members(meeting, request.GET.get("q", "").strip()),
            "chosen": selectors.chosen_members(meeting, selected),
            "selected": set(selected),
            "q": request.GET.get("q", ""),
        },
    )


@login_required
def invite_search(request, pk):
    """htmx: members matching the search box, as checkboxes named "members"."""
    meeting = _managed(request, pk)
    q = request.GET.get("q", "").strip()
    selected = request.GET.getlist("members")
    return render(
        request,
        "activities/_member_results.html",
        {
            "results": selectors.invitable_members(meeting, q),
            "chosen": selectors.chosen_members(meeting, selected),
            "selected": set(selected),
            "q": q,
        },
    )


def _post_action(request, pk, action, success):
    meeting = _managed(request, pk)
    try:
        result = action(meeting)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success(result) if callable(success) else success)
    return redirect(safe_next(request, reverse("activities:detail", args=[meeting.pk])))


@login_required
@require_POST
def meeting_notify(request, pk):
    return _post_action(
        request,
        pk,
        lambda m: services.meeting_notify(user=request.user, meeting=m),
        lambda n: f"已向 {n} 位委员发送会议通知（站内消息、短信、邮件）。",
    )


@login_required
@require_POST
def meeting_close(request, pk):
    def msg(c):
        silent = f"其中 {c['never_replied']} 名未回复通知；" if c.get("never_replied") else ""
        absent = (
            f"缺席 {c['absent']} 人（{silent}既未签到也未获准请假，已记为缺席并通知本人）"
            if c["absent"]
            else "无人缺席"
        )
        return f"会议已结束归档：出席 {c['present']} 人，请假 {c['on_leave']} 人，{absent}；已生成履职记录。"

    return _post_action(request, pk, lambda m: services.meeting_close(user=request.user, meeting=m), msg)


@login_required
@require_POST
def meeting_cancel(request, pk):
    return _post_action(
        request,
        pk,
        lambda m: services.meeting_cancel(
            user=request.user, meeting=m, reason=request.POST.get("reason", "")
        ),
        "会议已取消，已通知受邀委员。",
    )


@login_required
@require_POST
def meeting_rotate(request, pk):
    meeting = _managed(request, pk)
    try:
        services.meeting_rotate_code(user=request.user, meeting=meeting)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已更换签到码，此前显示的二维码全部失效。")
    return redirect("activities:qr", pk=meeting.pk)


@login_required
@require_POST
def material_upload(request, pk):
    meeting = _managed(request, pk)
    form = MaterialForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.meeting_add_material(
                user=request.user, meeting=meeting, upload=form.cleaned_data["file"]
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "材料已上传。")
    else:
        messages.error(request, "请选择要上传的文件。")
    return redirect("activities:detail", pk=meeting.pk)


@login_required
@require_POST
def material_delete(request, pk, att):
    meeting = _managed(request, pk)
    attachment = selectors.materials(meeting).filter(pk=att).first()
    if attachment is None:
        raise Http404
    services.meeting_remove_material(user=request.user, meeting=meeting, attachment=attachment)
    messages.success(request, "材料已删除。")
    return redirect("activities:detail", pk=meeting.pk)


# ---------------------------------------------------------------- staff: replies, leave, attendance


@login_required
def leave_requests(request):
    """请假审批: the leave requests of every open meeting the staff user runs, decided row by row."""
    if not request.user.has_role(Role.STAFF):
        raise Http404
    qs = (
        selectors.leave_requests(request.user)
        .select_related("meeting", "member__sector")
        .order_by("meeting__starts_at", "meeting_id", "id")
    )
    page, qs_wo_page = paginate(request, qs, 50)
    return render(
        request, "activities/leave.html", {"page_obj": page, "querystring_without_page": qs_wo_page}
    )


@login_required
def meeting_replies(request, pk):
    meeting = selectors.get_meeting(request.user, pk)
    if not request.user.has_role(*OVERSEERS):
        raise Http404
    flt, q = request.GET.get("filter", ""), request.GET.get("q", "").strip()
    page, qs_wo_page = paginate(request, selectors.invitations(meeting, filter=flt, q=q), 100)
    return render(
        request,
        "activities/replies.html",
        {
            "meeting": meeting,
            "page_obj": page,
            "querystring_without_page": qs_wo_page,
            "filter": flt,
            "q": q,
            "counts": selectors.reply_counts(meeting),
            "manage": manages_meeting(request.user, meeting),
            "filters": [
                ("", "全部"),
                ("pending", "待回复"),
                ("attend", "参加"),
                ("leave", "请假"),
                ("leave_pending", "请假待审批"),
                ("present", "已签到"),
                ("absent", "未签到"),
            ],
        },
    )


def _row_response(request, meeting, inv, error=""):
    if request.htmx and request.POST.get("row") == "leave":  # a row of 请假审批 (leave_requests)
        inv = selectors.invitations(meeting).select_related("meeting").get(pk=inv.pk)
        return HttpResponse(
            render_to_string("activities/_leave_row.html", {"inv": inv, "row_error": error}, request=request)
        )
    if request.htmx:
        inv = selectors.invitations(meeting).get(pk=inv.pk)
        row = render_to_string(
            "activities/_invitation_row.html",
            {"inv": inv, "meeting": meeting, "manage": True, "row_error": error},
            request=request,
        )
        # The counters above the table follow the tick: an out-of-band swap, wrapped in <template> so that
        # it parses beside a table row.
        counts = render_to_string(
            "activities/_reply_counts.html", {"counts": selectors.reply_counts(meeting), "oob": True}
        )
        return HttpResponse(f"{row}<template>{counts}</template>")
    if error:
        messages.error(request, error)
    if request.POST.get("row") == "leave":
        return redirect("activities:leave")
    return redirect(reverse("activities:replies", args=[meeting.pk]) + "?" + request.POST.get("back", ""))


@login_required
@require_POST
def invitation_attendance(request, pk, inv):
    meeting = _managed(request, pk)
    invitation = selectors.get_invitation(meeting, inv)
    present = request.POST.get("present") == "1"
    try:
        invitation = services.invitation_set_attendance(
            user=request.user, invitation=invitation, present=present
        )
    except ServiceError as exc:
        return _row_response(request, meeting, invitation, exc.message)
    return _row_response(request, meeting, invitation)


@login_required
@require_POST
def invitation_decide(request, pk, inv):
    meeting = _managed(request, pk)
    invitation = selectors.get_invitation(meeting, inv)
    form = DecideForm(request.POST)
    if not form.is_valid():
        return _row_response(request, meeting, invitation, "请选择同意或不同意。")
    try:
        invitation = services.invitation_decide_leave(
            user=request.user, invitation=invitation, **form.cleaned_data
        )
    except ServiceError as exc:
        return _row_response(request, meeting, invitation, exc.message)
    if not request.htmx:
        messages.success(
            request,
            f"已{'同意' if form.cleaned_data['approve'] else '不同意'} {invitation.member.name} 的请假。",
        )
    return _row_response(request, meeting, invitation)


@login_required
@require_POST
def invitation_remove(request, pk, inv):
    meeting = _managed(request, pk)
    invitation = selectors.get_invitation(meeting, inv)
    try:
        services.invitation_remove(user=request.user, invitation=invitation)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已将 {invitation.member.name} 移出参会名单。")
    return redirect("activities:replies", pk=meeting.pk)


# ---------------------------------------------------------------- staff: QR code


def _qr_context(request, meeting):
    token = services.checkin_token(meeting)
    url = request.build_absolute_uri(reverse("activities:checkin", args=[meeting.pk, token]))
    minutes = int(orgsettings.get(meeting.organisation, "activities.checkin_code_minutes"))
    svg = segno.make(url, error="m").svg_inline(scale=8, dark="#000", light="#fff")
    return {
        "meeting": meeting,
        "svg": mark_safe(svg),
        "url": url,
        "minutes": minutes,  # segno output, no user input
        "expires_at": timezone.now() + datetime.timedelta(minutes=minutes),
        "refresh_seconds": max(30, min(120, minutes * 60 // 3)),
    }


@login_required
def meeting_qr(request, pk):
    meeting = _managed(request, pk)
    ctx = _qr_context(request, meeting)
    ctx["counts"] = selectors.reply_counts(meeting)
    return render(request, "activities/qr.html", ctx)


@login_required
def meeting_qr_code(request, pk):
    """htmx: a fresh code every few minutes, so a photo of the screen soon stops working."""
    meeting = _managed(request, pk)
    ctx = _qr_context(request, meeting)
    ctx["counts"] = selectors.reply_counts(meeting)
    return render(request, "activities/_qr_code.html", ctx)


# ---------------------------------------------------------------- statistics


@login_required
def attendance_stats(request):
    if not request.user.has_perm("activities.view_attendance"):
        raise Http404
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    if not 1949 <= year <= 2200:  # a year no date can hold is no filter
        year = timezone.localdate().year
    by_meeting = selectors.attendance_by_meeting(request.user, year)
    by_sector = selectors.attendance_by_sector(request.user, year)

    def bar(title, labels, values, color):
        return {
            "title": {"text": title, "left": "center", "top": 0, "textStyle": {"fontSize": 14}},
            "tooltip": {"trigger": "axis"},
            "grid": {"left": 40, "right": 16, "bottom": 80, "top": 64},
            "xAxis": {"type": "category", "data": labels, "axisLabel": {"interval": 0, "rotate": 30}},
            "yAxis": {"type": "value", "max": 100, "name": "%"},
            "series": [
                {
                    "type": "bar",
                    "data": values,
                    "itemStyle": {"color": color},
                    "label": {"show": True, "position": "top", "formatter": "{c}%"},
                }
            ],
        }

    meeting_chart = bar(
        "各次会议出席率", [m.title[:12] for m in by_meeting], [m.rate for m in by_meeting], "#b3261e"
    )
    sector_chart = bar(
        "各界别委员出席率", [r["sector"] for r in by_sector], [r["rate"] for r in by_sector], "#1f6feb"
    )
    return render(
        request,
        "activities/attendance.html",
        {
            "year": year,
            "years": list(range(timezone.localdate().year, timezone.localdate().year - 5, -1)),
            "by_meeting": by_meeting,
            "by_sector": by_sector,
            "meeting_chart": meeting_chart,
            "sector_chart": sector_chart,
        },
    )
