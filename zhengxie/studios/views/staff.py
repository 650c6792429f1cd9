"""The 办公室's pages (readers above them see the same, read-only): the studios with their figures, a studio's
page, create and edit, the month's rota, the bookings, and QR posters for studios and the organisation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhengxie.core import posters, xlsx
from zhengxie.core.errors import ServiceError
from zhengxie.core.views import paginate

from .. import figures, selectors, services
from .. import rules as r
from ..forms import ReasonForm, StudioForm
from ..models import Booking, DutySlot, DutySwap
from .common import fail, file_response, month_arg, need, run_action, shift, year_arg


def _reader(user) -> bool:
    return bool(user.organisation_id) and r.can_read_studios(user, user.organisation)


@login_required
def studio_list(request):
    """委员工作室管理: the studios with this year's figures (their own and other apps' columns)."""
    user = request.user
    need(_reader(user))
    year = year_arg(request.GET.get("year"))
    studios = list(selectors.studios_for(user, q=request.GET.get("q", "").strip()[:50]))
    columns, values = figures.studio_figures([s.pk for s in studios], year)
    on_duty = selectors.duty_by_studio([s.pk for s in studios], timezone.localdate())
    rows = [
        {
            "studio": s,
            "figures": [values[s.pk].get(c, "") for c, _ in columns],
            "on_duty": on_duty.get(s.pk, []),
        }
        for s in studios
    ]
    total = figures.year_figures(figures.organisation_ids(user.organisation), year)
    return render(
        request,
        "studios/list.html",
        {
            "rows": rows,
            "columns": columns,
            "year": year,
            "years": list(range(timezone.localdate().year, timezone.localdate().year - 5, -1)),
            "total": total,
            "can_manage": r.is_studio_office(user, user.organisation),
            "leave_requests": selectors.leave_requests(user)
            if r.is_studio_office(user, user.organisation)
            else [],
            "swap_requests": list(
                selectors.swaps_to_approve(user).select_related("studio", "from_member", "to_member")[:50]
            ),
            "q": request.GET.get("q", ""),
        },
    )


@login_required
def figures_export(request):
    """The list's figures as .xlsx (one row a studio, then the year's sentence); a few rows: no background
    export needed."""
    user = request.user
    need(_reader(user))
    year = year_arg(request.GET.get("year"))
    studios = list(selectors.studios_for(user))
    columns, values = figures.studio_figures([s.pk for s in studios], year)
    book = xlsx.Book()
    sheet = book.sheet(f"{year}年委员工作室")
    sheet.append(["工作室", "所属", "地点", "开放时间", "入驻委员", "启用", *(label for _, label in columns)])
    for s in studios:
        sheet.append(
            [
                s.name,
                s.organisation.name,
                s.place,
                s.opening_hours,
                s.member_count,
                "是" if s.active else "否",
            ]
            + [values[s.pk].get(c, "") for c, _ in columns]
        )
    total = figures.year_figures(figures.organisation_ids(user.organisation), year)
    sheet.append([])
    sheet.append([f"{year}年：{total['sentence']}。"])
    resp = file_response(book.save(), xlsx.CONTENT_TYPE, f"{year}年委员工作室数据.xlsx")
    resp["Content-Disposition"] = resp["Content-Disposition"].replace("inline", "attachment")
    return resp


def _studio_page(request, form, studio=None):
    """The create/edit form: on a valid post, the service; its message next to its field otherwise."""
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        keys = ("name", "place", "opening_hours", "contact_rules", "active", "swap_needs_approval")
        fields = {k: d[k] for k in keys}
        member_ids = [m.pk for m in d["members"]]
        try:
            if studio is None:
                studio = services.studio_create(user=request.user, member_ids=member_ids, **fields)
                messages.success(request, f"已新建{studio.name}。")
            else:
                services.studio_update(user=request.user, studio=studio, member_ids=member_ids, **fields)
                messages.success(request, "已保存。")
        except ServiceError as exc:
            fail(request, exc, form)
        else:
            return redirect("studios:detail", studio.pk)
    return render(
        request, "studios/form.html", {"form": form, "studio": studio}, status=422 if form.errors else 200
    )


@login_required
def studio_create(request):
    user = request.user
    need(r.is_studio_office(user, user.organisation))
    return _studio_page(request, StudioForm(request.POST or None, organisation=user.organisation, user=user))


@login_required
def studio_edit(request, pk):
    user = request.user
    s = selectors.studio_for(user, pk)
    need(r.can_manage_studio(user, s))
    initial = {
        "name": s.name,
        "place": s.place,
        "opening_hours": s.opening_hours,
        "contact_rules": s.contact_rules,
        "members": [m.pk for m in s.members.all()],
        "active": s.active,
        "swap_needs_approval": s.swap_needs_approval,
    }
    return _studio_page(
        request,
        StudioForm(request.POST or None, initial=initial, organisation=s.organisation, user=user, studio=s),
        s,
    )


@login_required
def studio_detail(request, pk):
    user = request.user
    s = selectors.studio_for(user, pk)
    today = timezone.localdate()
    year = today.year
    columns, values = figures.studio_figures([s.pk], year)
    return render(
        request,
        "studios/detail.html",
        {
            "studio": s,
            "on_duty": selectors.duty_members(s, today),
            "offers": list(selectors.public_offers(s.organisation_id, studio_id=s.pk)),
            "figures": [(label, values[s.pk].get(c, 0)) for c, label in columns],
            "year": year,
            "can_manage": r.can_manage_studio(user, s),
            "public_url": request.build_absolute_uri(reverse("studios:public_studio", args=[s.pk])),
        },
    )


@login_required
def rota(request, pk):
    """The month's rota: a grid of days × the studio's members; the office ticks who is on duty."""
    user = request.user
    s = selectors.studio_for(user, pk)
    year, month = month_arg(request.GET.get("month") or request.POST.get("month"))
    can_manage = r.can_manage_studio(user, s)
    if request.method == "POST":
        need(can_manage)
        plan = {}
        for key in request.POST:
            if key.startswith("d-"):
                plan[key[2:]] = request.POST.getlist(key)
        try:
            if request.POST.get("fill"):
                res = services.rota_fill(user=user, studio=s, year=year, month=month)
            else:
                res = services.rota_plan(user=user, studio=s, year=year, month=month, plan=plan)
        except ServiceError as exc:
            fail(request, exc)
        else:
            messages.success(request, f"排班已保存：新增{res['added']}个、取消{res['removed']}个值班。")
        return redirect(reverse("studios:rota", args=[s.pk]) + f"?month={year:04d}-{month:02d}")
    members = list(s.members.all())
    today = timezone.localdate()
    days = selectors.rota_month(s, year, month)
    for d in days:
        by_member = {x.member_id: x for x in d["slots"]}
        d["cells"] = [{"member": m, "slot": by_member.get(m.pk)} for m in members]
        d["past"] = d["day"] < today
        d["today"] = d["day"] == today
        d["others"] = [x for x in d["slots"] if x.member_id not in {m.pk for m in members}]
    return render(
        request,
        "studios/rota.html",
        {
            "studio": s,
            "members": members,
            "days": days,
            "swaps_waiting": DutySwap.objects.filter(studio=s, status=DutySwap.Status.AGREED).count(),
            "month": f"{year:04d}-{month:02d}",
            "label": f"{year}年{month}月",
            "prev": shift(year, month, -1),
            "next": shift(year, month, 1),
            "can_manage": can_manage and s.active,
            "reason_form": ReasonForm(),
            "S": DutySlot.Status,
        },
    )


DUTY_ACTIONS = {
    "done": ("已确认值班。", lambda u, x, p: services.duty_done(user=u, slot=x)),
    "absent": (
        "已登记缺岗。",
        lambda u, x, p: services.duty_absent(user=u, slot=x, reason=p.get("reason", "")),
    ),
    "leave": (
        "已提交请假申请。",
        lambda u, x, p: services.duty_ask_leave(user=u, slot=x, reason=p.get("reason", "")),
    ),
    "approve": (
        "已批准请假。",
        lambda u, x, p: services.duty_decide_leave(user=u, slot=x, approve=True, reason=p.get("reason", "")),
    ),
    "refuse": (
        "已驳回请假。",
        lambda u, x, p: services.duty_decide_leave(user=u, slot=x, approve=False, reason=p.get("reason", "")),
    ),
}


@login_required
@require_POST
def duty_action(request, pk, action):
    user = request.user
    need(action in DUTY_ACTIONS)
    x = selectors.duty_slot_for(user, pk)
    run_action(request, DUTY_ACTIONS, action, x)
    back = request.POST.get("back")
    if back == "rota":
        return redirect(reverse("studios:rota", args=[x.studio_id]) + f"?month={x.day:%Y-%m}")
    return redirect("studios:mine")


@login_required
def bookings(request):
    """The bookings of the organisation's services (staff), newest first, filtered by status."""
    user = request.user
    need(_reader(user))
    status = request.GET.get("status", "")
    if status not in Booking.Status.values:
        status = ""
    page, qs_wo_page = paginate(request, selectors.bookings_for(user, status=status))
    return render(
        request,
        "studios/bookings.html",
        {
            "page_obj": page,
            "querystring_without_page": qs_wo_page,
            "status": status,
            "statuses": Booking.Status.choices,
        },
    )


@login_required
def studio_poster(request, pk, fmt):
    user = request.user
    s = selectors.studio_for(user, pk)
    need(r.can_view_studio(user, s))  # its members print it too (我的工作室)
    url = request.build_absolute_uri(reverse("studios:public_studio", args=[s.pk]))
    subtitle = f"{s.organisation.name} · 扫码查看值班委员、预约为民服务、给工作室留言"
    return posters.poster_response(fmt, s.name, subtitle, url, f"{s.name}二维码")


@login_required
def organisation_poster(request, fmt):
    """The poster of the organisation's public page (/p/<code>/: 码上议, the 微建议 form)."""
    user = request.user
    need(_reader(user))
    org = user.organisation
    try:
        path = reverse("public:landing", args=[org.code])
    except NoReverseMatch:  # the suggestions app's pages are not installed
        path = f"/p/{org.code}/"
    url = request.build_absolute_uri(path)
    return posters.poster_response(fmt, org.name, "码上议 · 扫码提交微建议", url, f"{org.name}码上议二维码")
