"""Pages of 界别召集人, 委员小组 (office staff) and 履职承诺 (members, staff) — issue 15. Thin: parse, call a
service, render. A role with no business here and an object outside the user's organisations answer 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from zhengxie.core.errors import ServiceError
from zhengxie.core.views import paginate

from . import selectors_groups as sel
from . import services_groups as services
from .forms_groups import ConvenersForm, GroupForm, PledgeForm
from .views import _form_page, _need, _submit


def _committee(request):
    _need(request, "members.manage_groups")
    org = request.user.organisation.committee
    _need(request, "members.manage_groups", org)
    return org


@login_required
def groups(request):
    """界别召集人 and 委员小组 of the user's committee (three queries)."""
    org = _committee(request)
    return render(
        request,
        "members/groups.html",
        {"organisation": org, "sectors": sel.sectors_with_conveners(org), "groups": sel.groups_of(org)},
    )


@login_required
def sector_conveners(request, pk):
    sector = sel.get_sector(request.user, pk)
    _need(request, "members.manage_groups", sector.organisation)
    initial = {"members": list(sector.conveners.values_list("member_id", flat=True))}
    form = ConvenersForm(request.POST or None, initial=initial, sector=sector, user=request.user)
    back = reverse("members:groups")
    done = _submit(
        request,
        form,
        lambda: services.sector_conveners_set(
            user=request.user, sector=sector, member_ids=form.cleaned_data["members"]
        ),
        f"已更新{sector.name}的召集人。",
        redirect(back),
    )
    return done or _form_page(
        request,
        form,
        title=f"{sector.name} · 界别召集人",
        back=back,
        intro="召集人须为本界别在任委员；召集人可以本界别名义提出集体提案。",
    )


def _group_data(form) -> dict:
    d = form.cleaned_data
    return {"name": d["name"], "committee": d["committee"], "leader": d["leader"], "member_ids": d["members"]}


@login_required
def group_new(request):
    org = _committee(request)
    form = GroupForm(request.POST or None, organisation=org, user=request.user)
    back = reverse("members:groups")
    done = _submit(
        request,
        form,
        lambda: services.group_create(user=request.user, organisation=org, **_group_data(form)),
        lambda g: f"已设立委员小组「{g.name}」。",
        redirect(back),
    )
    return done or _form_page(request, form, title="设立委员小组", back=back)


@login_required
def group_edit(request, pk):
    group = sel.get_group(request.user, pk)
    _need(request, "members.manage_groups", group.organisation)
    initial = {
        "name": group.name,
        "committee": group.committee_id,
        "leader": group.leader_id,
        "members": [m.pk for m in sel.group_members(group)],
    }
    form = GroupForm(
        request.POST or None, initial=initial, organisation=group.organisation, user=request.user
    )
    back = reverse("members:groups")
    done = _submit(
        request,
        form,
        lambda: services.group_update(user=request.user, group=group, **_group_data(form)),
        lambda g: f"已保存委员小组「{g.name}」。",
        redirect(back),
    )
    return done or _form_page(request, form, title=f"调整委员小组：{group.name}", back=back)


@login_required
@require_POST
def group_delete(request, pk):
    group = sel.get_group(request.user, pk)
    _need(request, "members.manage_groups", group.organisation)
    try:
        services.group_delete(user=request.user, group=group)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已撤销委员小组「{group.name}」。")
    return redirect("members:groups")


# --- 履职承诺 ------------------------------------------------------------------------------------------


@login_required
def pledge_edit(request, pk, year):
    """A member writes their pledge for a year (staff of the committee on a member's behalf)."""
    from zhengxie.performance.selectors import get_member

    member = get_member(request.user, pk)
    if year not in services.pledge_years() or not request.user.has_perm("members.edit_pledge", member):
        raise Http404("未找到")
    pledge = sel.pledge_of(member, year)
    initial = (
        {"text": pledge.text} | {k: getattr(pledge, k) for k in pledge.TARGETS} if pledge is not None else {}
    )
    form = PledgeForm(request.POST or None, initial=initial)
    back = reverse("performance:member", args=[member.pk]) + f"?year={year}#pledge"
    done = _submit(
        request,
        form,
        lambda: services.pledge_save(user=request.user, member=member, year=year, **form.cleaned_data),
        f"{year}年度履职承诺已保存。",
        redirect(back),
    )
    own = member.user_id == request.user.pk
    return done or _form_page(
        request,
        form,
        title=f"{year}年度履职承诺" + ("" if own else f"（代{member.name}填写）"),
        back=back,
        intro="写下本年度的履职打算；可填写目标件数，一员一档将与本年度实际履职记录对照显示。",
    )


@login_required
def pledges(request):
    """The staff's list: who pledged this year, who met the pledge (three queries, whatever the size)."""
    from zhengxie.performance import selectors as psel
    from zhengxie.performance import selectors_pledges as pledge_sel

    _need(request, "members.view_pledges")
    organisation, options = psel.pick_organisation(request.user, request.GET.get("org"))
    year = psel.parse_year(request.GET.get("year"))
    status = request.GET.get("status", "")
    status = status if status in pledge_sel.STATUS_CHOICES else ""
    q = request.GET.get("q", "").strip()
    data = pledge_sel.pledge_list(organisation, year, status=status, q=q)
    page, qs_wo_page = paginate(request, data["rows"], 50)
    return render(
        request,
        "members/pledges.html",
        {
            "organisation": organisation,
            "organisations": options,
            "year": year,
            "years": range(year + 1, year - 4, -1),
            "status": status,
            "status_choices": pledge_sel.STATUS_CHOICES,
            "q": q,
            "counts": data["counts"],
            "page_obj": page,
            "querystring_without_page": qs_wo_page,
            "can_edit": request.user.has_perm("members.edit_pledge", organisation),
        },
    )
