"""Administrators' pages under /manage/ and the member roster. Thin: parse, call a service, render.

A role with no business on a page, and an object outside the user's organisations, both answer 404.
"""

from __future__ import annotations

import json
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from zhengxie.core import exports as core_exports
from zhengxie.core import orgsettings
from zhengxie.core.errors import ServiceError
from zhengxie.core.models import Organisation, Role, User
from zhengxie.core.views import paginate

from . import forms, selectors, services
from . import roster as roster_module
from .models import Member, RosterImport
from .roster import XLSX_TYPE


def _need(request, perm: str, obj=None) -> None:
    if not request.user.has_perm(perm, obj):
        raise Http404("未找到")


def _fail(request, form, exc: ServiceError) -> None:
    """Show a service error next to its field (or on top), keeping what the user typed."""
    if form is not None and exc.field and exc.field in form.fields:
        form.add_error(exc.field, exc.message)
    elif form is not None:
        form.add_error(None, exc.message)
    else:
        messages.error(request, exc.message)


def _submit(request, form, run, success, to):
    """A POST of a valid form: run the service. If it refuses, its message goes next to its field, what was
    typed is kept, and None tells the view to show the page again; else a success message and `to` (a
    response, or a function of the service's result that gives one). `success` may be such a function too."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = run()
    except ServiceError as exc:
        _fail(request, form, exc)
        return None
    messages.success(request, success(result) if callable(success) else success)
    return to(result) if callable(to) else to


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _form_page(
    request, form, *, title: str, back: str, submit: str = "保存", intro: str = "", multipart=False
):
    return render(
        request,
        "members/form.html",
        {
            "form": form,
            "title": title,
            "back": back,
            "submit": submit,
            "intro": intro,
            "multipart": multipart,
        },
    )


def _password_page(request, account: User, password: str, back: str, what: str):
    response = render(
        request,
        "members/password_once.html",
        {"account": account, "password": password, "back": back, "what": what},
    )
    response["Cache-Control"] = "no-store"
    return response


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    resp = HttpResponse(content, content_type=XLSX_TYPE)
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return resp


@login_required
def index(request):
    u = request.user
    if u.has_perm("members.manage"):
        return redirect("members:org_tree")
    if u.has_perm("members.view_users"):
        return redirect("members:users")
    if u.has_perm("members.view_roster"):
        return redirect("members:roster")
    raise Http404("未找到")


# --- organisations ----------------------------------------------------------------------------------


@login_required
def org_tree(request):
    _need(request, "members.manage")
    nodes = list(selectors.organisations(request.user))
    base = nodes[0].depth if nodes else 1
    for n in nodes:
        n.indent = n.depth - base
        n.child_kinds = services.allowed_child_kinds(n)
    return render(request, "members/org_tree.html", {"nodes": nodes})


@login_required
def org_add(request, pk):
    parent = selectors.get_organisation(request.user, pk)
    _need(request, "members.manage", parent)
    kinds = services.allowed_child_kinds(parent)
    if not kinds:
        messages.error(request, "乡镇联络组下不能再设下级组织。")
        return redirect("members:org_tree")
    form = forms.OrganisationForm(request.POST or None, kinds=kinds)
    done = _submit(
        request,
        form,
        lambda: services.organisation_create(user=request.user, parent=parent, **form.cleaned_data),
        lambda child: f"已添加“{child.name}”。",
        redirect("members:org_tree"),
    )
    if done:
        return done
    return _form_page(request, form, title=f"在“{parent.name}”下添加组织", back=reverse("members:org_tree"))


@login_required
def org_edit(request, pk):
    org = selectors.get_organisation(request.user, pk)
    _need(request, "members.manage", org)
    initial = {f: getattr(org, f) for f in services.ORG_FIELDS}
    form = forms.OrganisationForm(request.POST or None, initial=initial, editing=True)
    done = _submit(
        request,
        form,
        lambda: services.organisation_update(user=request.user, organisation=org, data=form.cleaned_data),
        "已保存。",
        redirect("members:org_tree"),
    )
    if done:
        return done
    return _form_page(request, form, title=f"编辑“{org.name}”", back=reverse("members:org_tree"))


@login_required
@require_POST
def org_active(request, pk):
    org = selectors.get_organisation(request.user, pk)
    _need(request, "members.manage", org)
    active = request.POST.get("active") == "1"
    try:
        services.organisation_set_active(user=request.user, organisation=org, active=active)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已{'启用' if active else '停用'}“{org.name}”。")
    return redirect("members:org_tree")


def _show(value) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else str(value)


@login_required
def org_settings(request, pk):
    org = selectors.get_organisation(request.user, pk)
    _need(request, "members.manage", org)
    errors: dict[str, str] = {}
    posted = None
    if request.method == "POST":
        posted = {key: request.POST.get(key, "") for key in orgsettings.DEFAULTS}
        try:
            services.organisation_settings_update(user=request.user, organisation=org, values=posted)
        except services.SettingsInvalid as exc:
            errors = exc.errors
            messages.error(request, "有设置项填写有误，请按提示修改。")
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "设置已保存。")
            return redirect("members:org_settings", pk=org.pk)
    overrides = org.settings or {}
    rows = []
    for key in sorted(orgsettings.DEFAULTS):
        default, label = orgsettings.DEFAULTS[key]
        value = posted[key] if posted is not None else (_show(overrides[key]) if key in overrides else "")
        if isinstance(default, bool) and posted is None and key in overrides:
            value = "true" if overrides[key] else "false"
        rows.append(
            {
                "key": key,
                "label": label,
                "default": _show(default),
                "value": value,
                "kind": "bool"
                if isinstance(default, bool)
                else (
                    "number"
                    if isinstance(default, (int, float))
                    else ("json" if isinstance(default, (list, dict)) else "text")
                ),
                "effective": _show(orgsettings.get(org, key)),
                "overridden": key in overrides,
                "error": errors.get(key, ""),
            }
        )
    return render(request, "members/org_settings.html", {"org": org, "rows": rows})


# --- terms and sessions -------------------------------------------------------------------------------


@login_required
def terms(request):
    _need(request, "members.manage")
    return render(request, "members/terms.html", {"terms": selectors.terms(request.user)})


@login_required
def term_new(request):
    _need(request, "members.manage")
    form = forms.TermForm(request.POST or None, user=request.user)
    done = _submit(
        request,
        form,
        lambda: services.term_create(user=request.user, **form.cleaned_data),
        "已添加届次。",
        redirect("members:terms"),
    )
    if done:
        return done
    return _form_page(request, form, title="添加届次", back=reverse("members:terms"))


@login_required
def term_edit(request, pk):
    term = selectors.get_term(request.user, pk)
    _need(request, "members.manage", term)
    form = forms.TermForm(request.POST or None, instance=_copy(term), user=request.user)
    done = _submit(
        request,
        form,
        lambda: services.term_update(user=request.user, term=term, data=form.cleaned_data),
        "已保存。",
        redirect("members:terms"),
    )
    if done:
        return done
    return _form_page(
        request, form, title=f"编辑{term.organisation.name}{term.name}", back=reverse("members:terms")
    )


def _copy(obj):
    """A detached copy for a ModelForm to write into, so the service sees the stored values as 'before'."""
    return type(obj).objects.get(pk=obj.pk)


@login_required
@require_POST
def term_current(request, pk):
    term = selectors.get_term(request.user, pk)
    _need(request, "members.manage", term)
    try:
        services.term_make_current(user=request.user, term=term)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已将{term.name}设为本届。")
    return redirect("members:terms")


@login_required
def session_new(request, pk):
    term = selectors.get_term(request.user, pk)
    _need(request, "members.manage", term)
    form = forms.SessionForm(request.POST or None)
    done = _submit(
        request,
        form,
        lambda: services.session_create(user=request.user, term=term, **form.cleaned_data),
        "已添加会次。",
        redirect("members:terms"),
    )
    if done:
        return done
    return _form_page(
        request, form, title=f"为{term.organisation.name}{term.name}添加会次", back=reverse("members:terms")
    )


@login_required
def session_edit(request, pk):
    session = selectors.get_session(request.user, pk)
    _need(request, "members.manage", session)
    form = forms.SessionForm(request.POST or None, instance=_copy(session))
    done = _submit(
        request,
        form,
        lambda: services.session_update(user=request.user, session=session, data=form.cleaned_data),
        "已保存。",
        redirect("members:terms"),
    )
    if done:
        return done
    return _form_page(request, form, title=f"编辑{session.name}", back=reverse("members:terms"))


@login_required
@require_POST
def session_current(request, pk):
    session = selectors.get_session(request.user, pk)
    _need(request, "members.manage", session)
    try:
        services.session_make_current(user=request.user, session=session)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已将{session.name}设为当前会次。")
    return redirect("members:terms")


# --- sectors, special committees, parties (one set of views, three configurations) ------------------

ORDERED = {
    "sectors": {
        "title": "界别",
        "perm": "members.manage",
        "form": forms.SectorForm,
        "with_org": True,
        "list": lambda user: selectors.sectors(user),
        "get": selectors.get_sector,
        "create": services.sector_create,
        "update": services.sector_update,
        "move": services.sector_move,
        "kw": "sector",
    },
    "committees": {
        "title": "专委会",
        "perm": "members.manage",
        "form": forms.CommitteeForm,
        "with_org": True,
        "list": lambda user: selectors.committees(user),
        "get": selectors.get_committee,
        "create": services.committee_create,
        "update": services.committee_update,
        "move": services.committee_move,
        "kw": "committee",
    },
    "parties": {
        "title": "党派",
        "perm": "members.manage_parties",
        "form": forms.PartyForm,
        "with_org": False,
        "list": lambda user: selectors.parties(),
        "get": lambda user, pk: selectors.get_party(pk),
        "create": services.party_create,
        "update": services.party_update,
        "move": services.party_move,
        "kw": "party",
    },
}


@login_required
def ordered_list(request, kind):
    conf = ORDERED[kind]
    _need(request, conf["perm"])
    items = list(conf["list"](request.user))
    groups: dict = {}
    for item in items:
        groups.setdefault(getattr(item, "organisation", None), []).append(item)
    return render(
        request,
        "members/ordered_list.html",
        {"kind": kind, "title": conf["title"], "groups": list(groups.items()), "with_org": conf["with_org"]},
    )


@login_required
def ordered_new(request, kind):
    conf = ORDERED[kind]
    _need(request, conf["perm"])
    form = conf["form"](request.POST or None, user=request.user, with_org=conf["with_org"])
    done = _submit(
        request,
        form,
        lambda: conf["create"](user=request.user, **form.cleaned_data),
        f"已添加{conf['title']}。",
        redirect("members:" + kind),
    )
    if done:
        return done
    return _form_page(request, form, title=f"添加{conf['title']}", back=reverse("members:" + kind))


@login_required
def ordered_edit(request, kind, pk):
    conf = ORDERED[kind]
    _need(request, conf["perm"])
    obj = conf["get"](request.user, pk)
    _need(request, conf["perm"], obj if conf["with_org"] else None)
    initial = {"name": obj.name, "order": obj.order, "short_name": getattr(obj, "short_name", "")}
    form = conf["form"](request.POST or None, initial=initial, user=request.user)
    done = _submit(
        request,
        form,
        lambda: conf["update"](user=request.user, **{conf["kw"]: obj}, data=form.cleaned_data),
        "已保存。",
        redirect("members:" + kind),
    )
    if done:
        return done
    return _form_page(
        request, form, title=f"编辑{conf['title']}“{obj.name}”", back=reverse("members:" + kind)
    )


@login_required
@require_POST
def ordered_move(request, kind, pk):
    conf = ORDERED[kind]
    _need(request, conf["perm"])
    obj = conf["get"](request.user, pk)
    try:
        conf["move"](user=request.user, **{conf["kw"]: obj}, direction=request.POST.get("direction", ""))
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("members:" + kind)


# --- handling units -------------------------------------------------------------------------------


@login_required
def units(request):
    _need(request, "members.manage")
    q = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    active = {"active": True, "inactive": False}.get(status)
    page, qs_wo_page = paginate(request, selectors.units(request.user, q=q, active=active))
    return render(
        request,
        "members/units.html",
        {"page_obj": page, "querystring_without_page": qs_wo_page, "q": q, "status": status},
    )


@login_required
def unit_new(request):
    _need(request, "members.manage")
    form = forms.UnitForm(request.POST or None, user=request.user)
    done = _submit(
        request,
        form,
        lambda: services.unit_create(user=request.user, **form.cleaned_data),
        lambda unit: f"已添加承办单位“{unit.name}”，可在此添加经办人账号。",
        lambda unit: redirect("members:unit", pk=unit.pk),
    )
    if done:
        return done
    return _form_page(request, form, title="添加承办单位", back=reverse("members:units"))


def _get_unit(request, pk):
    unit = selectors.get_unit(request.user, pk)
    _need(request, "members.manage", unit)
    return unit


@login_required
def unit_detail(request, pk):
    unit = _get_unit(request, pk)
    form = forms.HandlerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account, password = services.unit_handler_add(user=request.user, unit=unit, **form.cleaned_data)
        except ServiceError as exc:
            _fail(request, form, exc)
        else:
            return _password_page(
                request, account, password, reverse("members:unit", args=[unit.pk]), "账号已创建"
            )
    return render(
        request,
        "members/unit_detail.html",
        {
            "unit": unit,
            "handlers": selectors.unit_handlers(unit),
            "form": form,
            "locked": selectors.locked_usernames(),
        },
    )


@login_required
def unit_edit(request, pk):
    unit = _get_unit(request, pk)
    form = forms.UnitForm(request.POST or None, instance=_copy(unit), user=request.user)
    done = _submit(
        request,
        form,
        lambda: services.unit_update(user=request.user, unit=unit, data=form.cleaned_data),
        "已保存。",
        redirect("members:unit", pk=unit.pk),
    )
    if done:
        return done
    return _form_page(request, form, title=f"编辑“{unit.name}”", back=reverse("members:unit", args=[unit.pk]))


@login_required
@require_POST
def unit_active(request, pk):
    unit = _get_unit(request, pk)
    active = request.POST.get("active") == "1"
    try:
        services.unit_set_active(user=request.user, unit=unit, active=active)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已{'启用' if active else '停用'}“{unit.name}”。")
    return redirect("members:unit", pk=unit.pk)


@login_required
@require_POST
def unit_handler_remove(request, pk, user_pk):
    unit = _get_unit(request, pk)
    handler = selectors.get_user(request.user, user_pk)
    try:
        services.unit_handler_remove(user=request.user, unit=unit, handler=handler)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已停用账号“{handler.name}”。")
    return redirect("members:unit", pk=unit.pk)


# --- users ----------------------------------------------------------------------------------------------


@login_required
def users(request):
    _need(request, "members.view_users")
    q = request.GET.get("q", "").strip()
    role = request.GET.get("role", "")
    role = role if role in Role.values else ""
    locked_only = request.GET.get("locked") == "1"
    locked = selectors.locked_usernames()
    page, qs_wo_page = paginate(
        request, selectors.users(request.user, q=q, role=role, locked_only=locked_only, locked=locked)
    )
    for u in page:
        u.is_locked = selectors.is_locked(u, locked)
    return render(
        request,
        "members/users.html",
        {
            "page_obj": page,
            "querystring_without_page": qs_wo_page,
            "q": q,
            "role": role,
            "locked_only": locked_only,
            "roles": Role.choices,
            "can_manage": request.user.has_perm("members.manage"),
        },
    )


@login_required
def user_new(request):
    _need(request, "members.manage")
    form = forms.UserForm(
        request.POST or None, user=request.user, initial={"organisation": request.user.organisation_id}
    )
    if request.method == "POST" and form.is_valid():
        try:
            account, password = services.user_create(user=request.user, **form.cleaned_data)
        except ServiceError as exc:
            _fail(request, form, exc)
        else:
            return _password_page(
                request, account, password, reverse("members:user", args=[account.pk]), "账号已创建"
            )
    return _form_page(request, form, title="新建用户", back=reverse("members:users"))


def _admin_reset_context(user, account) -> dict:
    from .models import AdminPasswordReset

    if not set(account.role_codes) & services.ADMIN_ROLES:
        return {}
    pending = (
        AdminPasswordReset.objects.filter(target=account, status=AdminPasswordReset.Status.PENDING)
        .select_related("requested_by")
        .first()
    )
    return {
        "admin_account": True,
        "pending_reset": pending,
        "can_approve": pending is not None
        and user.pk not in (pending.requested_by_id, account.pk)
        and bool(set(user.role_codes) & services.ADMIN_ROLES),
    }


@login_required
def user_detail(request, pk):
    _need(request, "members.view_users")
    account = selectors.get_user(request.user, pk)
    member = Member.objects.filter(user=account).only("pk", "organisation_id").first()
    return render(
        request,
        "members/user_detail.html",
        {
            "account": account,
            "locked": selectors.is_locked(account),
            "member": member,
            "can_manage": request.user.has_perm("members.manage", account),
            "can_secure": request.user.has_perm("members.manage_security", account)
            and account.pk != request.user.pk,
            **_admin_reset_context(request.user, account),
        },
    )


@login_required
def user_edit(request, pk):
    _need(request, "members.manage")
    account = selectors.get_user(request.user, pk)
    _need(request, "members.manage", account)
    initial = {f: getattr(account, f) for f in ["name", "phone", "email", "office", "title", "is_active"]}
    initial.update(
        organisation=account.organisation_id,
        handling_unit=account.handling_unit_id,
        roles=[r for r in account.role_codes if r != Role.MEMBER],
    )
    form = forms.UserForm(request.POST or None, user=request.user, editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        roles = data.pop("roles")
        try:
            services.user_update(user=request.user, target=account, data=data, roles=roles)
        except ServiceError as exc:
            _fail(request, form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("members:user", pk=account.pk)
    return _form_page(
        request,
        form,
        title=f"编辑用户“{account.name or account.username}”",
        back=reverse("members:user", args=[account.pk]),
    )


@login_required
@require_POST
def user_reset_password(request, pk):
    _need(request, "members.manage_security")
    account = selectors.get_user(request.user, pk)
    try:
        password = services.user_reset_password(user=request.user, target=account)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("members:user", pk=account.pk)
    return _password_page(
        request, account, password, reverse("members:user", args=[account.pk]), "密码已重置"
    )


@login_required
@require_POST
def user_reset_request(request, pk):
    """三员分立: ask for an administrator's password reset (another administrator approves)."""
    _need(request, "members.manage_security")
    account = selectors.get_user(request.user, pk)
    try:
        services.admin_reset_request(user=request.user, target=account, reason=request.POST.get("reason", ""))
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已提交申请，须由另一名管理员批准；新密码将发送到该账号本人的手机或邮箱。")
    return redirect("members:user", pk=account.pk)


@login_required
@require_POST
def admin_reset_approve(request, pk):
    """The second administrator approves a pending reset (the password goes to the account itself)."""
    from .models import AdminPasswordReset

    reset = AdminPasswordReset.objects.select_related("target__organisation").filter(pk=pk).first()
    if reset is None:
        raise Http404("未找到")
    _need(request, "members.view_users")
    account = selectors.get_user(request.user, reset.target_id)
    try:
        services.admin_reset_approve(user=request.user, reset=reset)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已批准：密码已重置，新密码已发送到该账号本人的手机或邮箱。")
    return redirect("members:user", pk=account.pk)


@login_required
@require_POST
def user_unlock(request, pk):
    _need(request, "members.manage_security")
    account = selectors.get_user(request.user, pk)
    try:
        services.user_unlock(user=request.user, target=account)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已解锁账号“{account.username}”。")
    return redirect("members:user", pk=account.pk)


# --- the member roster ----------------------------------------------------------------------------


def _roster_filters(request) -> dict:
    g = request.GET
    status = g.get("status", "")
    return {
        "q": g.get("q", "").strip(),
        "sector": _int(g.get("sector")),
        "committee": _int(g.get("committee")),
        "liaison": _int(g.get("liaison")),
        "status": status if status in Member.Status.values else "",
        "organisation": _int(g.get("organisation")),
    }


@login_required
def roster(request):
    _need(request, "members.view_roster")
    filters = _roster_filters(request)
    page, qs_wo_page = paginate(request, selectors.members(request.user, **filters))
    return render(
        request,
        "members/roster.html",
        {
            "page_obj": page,
            "querystring_without_page": qs_wo_page,
            "filters": filters,
            "statuses": Member.Status.choices,
            **selectors.roster_filter_choices(request.user),
            "can_import": request.user.has_perm("members.import_roster"),
            "can_add": request.user.has_perm("members.add_member"),
            "can_export": request.user.has_perm("members.export_roster"),
        },
    )


@login_required
def member_detail(request, pk):
    member = selectors.get_member(request.user, pk)
    _need(request, "members.view_member", member)
    return render(
        request,
        "members/member_detail.html",
        {
            "m": member,
            "sensitive": request.user.has_perm("members.view_member_sensitive", member),
            "can_edit": request.user.has_perm("members.change_member", member),
            "can_secure": request.user.has_perm("members.manage_security", member.user),
        },
    )


@login_required
def member_new(request):
    """Add one member (and their account) to a committee chosen first: ?organisation=<pk>."""
    _need(request, "members.add_member")
    committees = list(selectors.committee_organisations(request.user).annotate(sector_count=Count("sector")))
    org_id = _int(request.GET.get("organisation"))
    org = next((o for o in committees if o.pk == org_id), None)
    if org_id is None and len(committees) == 1:
        org = committees[0]
    elif org_id is not None and org is None:
        raise Http404("未找到")
    if org is None:
        # A committee without sectors cannot take members yet: offered, but not first.
        ready = [o for o in committees if o.sector_count]
        default = next(
            (o for o in ready if o.pk == request.user.organisation_id), ready[0] if ready else None
        )
        return render(
            request, "members/member_new.html", {"org": None, "committees": committees, "default": default}
        )
    _need(request, "members.add_member", org)
    form = forms.MemberCreateForm(request.POST or None, instance=Member(organisation=org))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        chosen = list(data.pop("committees"))
        try:
            member, password = services.member_create(
                user=request.user, organisation=org, data=data, committees=chosen
            )
        except ServiceError as exc:
            _fail(request, form, exc)
        else:
            return _password_page(
                request, member.user, password, reverse("members:member", args=[member.pk]), "委员已添加"
            )
    return render(request, "members/member_new.html", {"org": org, "committees": committees, "form": form})


@login_required
def member_edit(request, pk):
    member = selectors.get_member(request.user, pk)
    _need(request, "members.change_member", member)
    form = forms.MemberForm(request.POST or None, instance=_copy(member))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        committees = list(data.pop("committees"))
        try:
            services.member_update(user=request.user, member=member, data=data, committees=committees)
        except ServiceError as exc:
            _fail(request, form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect("members:member", pk=member.pk)
    return _form_page(
        request, form, title=f"编辑委员“{member.name}”", back=reverse("members:member", args=[member.pk])
    )


@login_required
def roster_import(request):
    """Upload a roster: the file is checked here (type, size); reading, checking and importing it run
    in the background, and the next page follows them."""
    _need(request, "members.import_roster")
    form = forms.ImportForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        initial={"organisation": _int(request.GET.get("organisation"))},
    )
    if request.method == "POST" and form.is_valid():
        try:
            job = services.roster_import_start(
                user=request.user,
                organisation=form.cleaned_data["organisation"],
                upload=form.cleaned_data["file"],
            )
        except ServiceError as exc:
            _fail(request, form, exc)
        else:
            return redirect("members:roster_import_job", pk=job.pk)
    return render(
        request,
        "members/import.html",
        {
            "form": form,
            "max_rows": roster_module.MAX_ROWS,
            "recent": selectors.roster_imports(request.user)[:5],
        },
    )


REPORT_LIMIT = 500


def _import_context(request, pk) -> dict:
    _need(request, "members.import_roster")
    job = selectors.get_roster_import(request.user, pk)
    return {
        "job": job,
        "report": job.errors[:REPORT_LIMIT],
        "report_cut": len(job.errors) > REPORT_LIMIT,
        "report_limit": REPORT_LIMIT,
        "polling": job.status in (RosterImport.Status.PENDING, RosterImport.Status.RUNNING),
        # A failed import whose stored file is still there can be run again (a worker killed mid-import).
        "retryable": job.status == RosterImport.Status.FAILED
        and RosterImport.objects.filter(pk=job.pk).exclude(content=b"").exists(),
    }


@login_required
def roster_import_job(request, pk):
    return render(request, "members/import_job.html", _import_context(request, pk))


@login_required
def roster_import_progress(request, pk):
    return render(request, "members/_import_progress.html", _import_context(request, pk))


@login_required
@require_POST
def roster_import_retry(request, pk):
    """Run a failed import again from its stored file (the importer's own; others: 404)."""
    _need(request, "members.import_roster")
    try:
        job = services.roster_import_retry(user=request.user, import_id=pk)
    except ServiceError as exc:
        if exc.status in (403, 404):
            raise Http404("未找到")
        messages.error(request, exc.message)
        return redirect("members:roster_import_job", pk=pk)
    messages.success(request, "已重新排队导入。")
    return redirect("members:roster_import_job", pk=job.pk)


@login_required
@require_POST
def roster_import_passwords(request, pk):
    """The initial passwords of an import, as .xlsx: once, for the administrator who ran it (others: 404)."""
    try:
        content, filename = services.roster_passwords_download(user=request.user, import_id=pk)
    except ServiceError as exc:
        if exc.status in (403, 404):  # like _need: what one may not use is not there
            raise Http404("未找到")
        messages.error(request, exc.message)
        return redirect("members:roster_import_job", pk=pk)
    response = _xlsx(content, filename)
    response["Cache-Control"] = "no-store"
    return response


@login_required
def roster_template(request):
    _need(request, "members.import_roster")
    org = None
    org_id = _int(request.GET.get("organisation"))
    if org_id:
        org = selectors.get_organisation(request.user, org_id)
    elif request.user.organisation and request.user.organisation.kind != Organisation.Kind.LIAISON:
        org = request.user.organisation
    return _xlsx(services.roster_template(user=request.user, organisation=org), "委员名册导入模板.xlsx")


@login_required
def roster_export(request):
    """The filtered roster as .xlsx: at once for up to EXPORT_INLINE_MAX_ROWS members (core.exports); a
    bigger one is built in the background after a confirmation (POST), and the core's export page offers
    the file when ready."""
    _need(request, "members.export_roster")
    filters = _roster_filters(request)
    if request.method != "POST":
        total = selectors.members(request.user, **filters).count()
        if total > settings.EXPORT_INLINE_MAX_ROWS:
            return render(
                request, "members/export_confirm.html", {"total": total, "query": request.GET.urlencode()}
            )
    return core_exports.respond(request, roster_module.EXPORT_KIND, roster_module.export_params(filters))
