"""Topic sourcing (选题) and the year's plan (年度协商计划) pages.

- /consultation/topics/ the year's candidates (staff: all, with 归类/排序 inline; members: their own
  proposals and their status), /consultation/topics/new/ (委员荐题; staff also 党政点题, 调研访题),
  /consultation/topics/<id>/ a topic with the decision and, once chosen, "列入协商计划".
- /consultation/calls/ open calls for topics (议题征集): start one, end one.
- /consultation/plan/<year>/ the year's plan: the consultations by form and month, create / approve /
  issue, changes since approval, the .docx.
- /p/<code>/topics/ the public page of an open call (no login; rate-limited; honeypot).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from zhengxie.core import posters
from zhengxie.core.context import client_ip
from zhengxie.core.errors import NotFound, ServiceError
from zhengxie.core.forms import BootstrapFormMixin, add_service_errors
from zhengxie.core.models import Role, User
from zhengxie.core.redirects import safe_next
from zhengxie.core.views import paginate
from zhengxie.members.models import Member, SpecialCommittee

from .. import rules
from ..models import Consultation, Plan, Topic
from ..services import topics as services

SRC = Topic.Source
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _this_year() -> int:
    return timezone.localdate().year


def _int_param(request, name, low, high):
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() and low <= int(value) <= high else None


def _form_error(form, exc: ServiceError, renames=None) -> None:
    field = (renames or {}).get(exc.field, exc.field)
    form.add_error(field if field in form.fields else None, exc.message)


def _topic_or_404(user, pk) -> Topic:
    try:
        return services.get_topic(user, pk)
    except NotFound:
        raise Http404("未找到") from None


# --------------------------------------------------------------------------------------------------
# Forms


class TopicForm(BootstrapFormMixin, forms.Form):
    title = forms.CharField(label="议题名称", max_length=100)
    reason = forms.CharField(
        label="理由/说明",
        widget=forms.Textarea(
            attrs={"rows": 5, "placeholder": "为什么建议协商这个议题：现状、问题、建议的方向"}
        ),
        required=False,
        max_length=2000,
    )
    source = forms.ChoiceField(label="来源", choices=[])
    member = forms.ModelChoiceField(
        label="提出委员（委员荐题）", queryset=Member.objects.none(), required=False
    )
    suggested_form = forms.ChoiceField(
        label="建议协商形式", choices=[("", "—")] + list(Consultation.Form.choices), required=False
    )
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)

    def __init__(self, *args, staff=False, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        if staff:
            self.fields["source"].choices = [(s, dict(SRC.choices)[s]) for s in services.STAFF_SOURCES]
            self.fields["member"].queryset = Member.objects.filter(
                organisation_id=organisation.committee.pk, status=Member.Status.ACTIVE
            ).order_by("name")
        else:
            self.fields["source"].choices = [(SRC.MEMBER, SRC.MEMBER.label)]
            self.fields["source"].initial = SRC.MEMBER
            self.fields["source"].widget = forms.HiddenInput()
            del self.fields["member"]
        if not self.is_bound:
            self.initial.setdefault("year", _this_year())
        self.fields["title"].error_messages["required"] = "请填写议题名称。"
        if not staff:
            # A member's 荐题 needs its reason (the services' rule): marked and checked with the title.
            self.fields["reason"].required = True
            self.fields["reason"].error_messages["required"] = "请填写理由/说明。"

    def clean(self):
        data = super().clean()
        needs_reason = data.get("source") in (SRC.MEMBER, SRC.PARTY_GOV)
        if needs_reason and not self.has_error("reason") and not (data.get("reason") or "").strip():
            self.add_error("reason", "请填写理由/说明。")
        return data


class ArrangeForm(forms.Form):
    group_label = forms.CharField(label="归类", max_length=50, required=False)
    rank = forms.CharField(label="排序", max_length=6, required=False)


class DecideForm(BootstrapFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label="主席会议决定", choices=[(Topic.Status.CHOSEN, "选定"), (Topic.Status.NOT_CHOSEN, "不选定")]
    )
    note = forms.CharField(label="决定说明（不选定时必填）", max_length=200, required=False)


class PlanTopicForm(BootstrapFormMixin, forms.Form):
    title = forms.CharField(label="协商题目（默认为议题名称）", max_length=200, required=False)
    form = forms.ChoiceField(label="协商形式", choices=Consultation.Form.choices)
    planned_month = forms.TypedChoiceField(
        label="计划月份", choices=[(m, f"{m}月") for m in range(1, 13)], coerce=int
    )
    lead_committee = forms.ModelChoiceField(
        label="牵头专委会", queryset=SpecialCommittee.objects.none(), required=False
    )
    leader = forms.ModelChoiceField(label="牵头领导", queryset=User.objects.none(), required=False)

    def __init__(self, *args, topic: Topic, **kwargs):
        super().__init__(*args, **kwargs)
        committee = topic.organisation.committee
        self.fields["lead_committee"].queryset = SpecialCommittee.objects.filter(organisation=committee)
        self.fields["leader"].queryset = User.objects.filter(
            organisation_id__in=[topic.organisation_id, committee.pk],
            groups__name=Role.LEADER,
            is_active=True,
        ).order_by("name")
        if not self.is_bound and topic.suggested_form:
            self.initial["form"] = topic.suggested_form


class CallForm(BootstrapFormMixin, forms.Form):
    title = forms.CharField(label="征集主题", max_length=100)
    description = forms.CharField(label="说明", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    opens_on = forms.DateField(label="开始日期", widget=DATE)
    closes_on = forms.DateField(label="截止日期", widget=DATE)
    year = forms.IntegerField(label="征集哪一年度的议题", min_value=2000, max_value=2100)


class PlanForm(BootstrapFormMixin, forms.Form):
    title = forms.CharField(label="标题", max_length=100, required=False)
    document_number = forms.CharField(label="文号", max_length=50, required=False)
    note = forms.CharField(label="说明", widget=forms.Textarea(attrs={"rows": 4}), required=False)


class PublicTopicForm(BootstrapFormMixin, forms.Form):
    # Required, but in the services' own words (请填写建议的协商议题。), every field's problem at once:
    # required=False keeps Django's generic 这个字段是必填项 away; `required` marks them for the browser.
    title = forms.CharField(
        label="建议的协商议题",
        required=False,
        widget=forms.TextInput(
            attrs={"maxlength": 100, "autocomplete": "off", "placeholder": "一句话说明议题", "required": True}
        ),
    )
    reason = forms.CharField(
        label="理由",
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 5, "placeholder": "这件事的现状、存在的问题，您希望政协协商什么", "required": True}
        ),
    )
    name = forms.CharField(label="姓名（可选）", max_length=40, required=False)
    phone = forms.CharField(
        label="手机号码（可选）",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    consent = forms.BooleanField(
        label="我已阅读并同意：所留姓名、手机号码仅用于了解议题情况，加密保存，不会公开", required=False
    )
    website = forms.CharField(
        label="网址（请勿填写）",
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def clean(self):
        data = super().clean()
        add_service_errors(
            self,
            lambda: services.check_public_title(data.get("title")),
            lambda: services.check_public_reason(data.get("reason")),
            lambda: services.check_public_name(data.get("name")),
            lambda: services.check_public_phone(data.get("phone")),
            lambda: services.check_public_consent(data.get("consent", False)),
        )
        return data


# --------------------------------------------------------------------------------------------------
# Topics


@login_required
def topic_list(request):
    user = request.user
    staff_view = services.can_see_all_topics(user)
    # Staff work on one year's candidates; a member's 我的荐题 shows every year, newest first (a topic
    # proposed for next year's plan is there right after it was sent).
    year = _int_param(request, "year", 2000, 2100) or (_this_year() if staff_view else None)
    source = request.GET.get("source") if request.GET.get("source") in SRC.values else ""
    status = request.GET.get("status") if request.GET.get("status") in Topic.Status.values else ""
    group = (request.GET.get("group") or "").strip()[:50]
    q = (request.GET.get("q") or "").strip()[:100]
    qs = services.topics_for(
        user, year=year, source=source or None, status=status or None, group=group or None, q=q
    )
    if not staff_view:
        qs = qs.order_by("-year", "-id")
    page, qs_wo_page = paginate(request, qs, per_page=100)
    page.object_list = services.with_consultations(page.object_list)
    org = services.committee_of_user(user)
    return render(
        request,
        "consultation/topics.html",
        {
            "page_obj": page,
            "querystring_without_page": qs_wo_page,
            "year": year,
            "years": range(_this_year() + 1, _this_year() - 5, -1),
            "source": source,
            "status": status,
            "group": group,
            "q": q,
            "sources": SRC.choices,
            "statuses": Topic.Status.choices,
            "groups": services.groups(user, year) if staff_view else [],
            "staff_view": staff_view,
            "can_arrange": org is not None and rules.is_consultation_staff(user, org),
            "can_propose": org is not None and rules.can_propose_topic(user, org),
            "here": request.get_full_path(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def topic_create(request):
    user = request.user
    org = services.committee_of_user(user)
    if org is None or not rules.can_propose_topic(user, org):
        raise Http404("未找到")
    staff = rules.is_consultation_staff(user, org)
    form = TopicForm(request.POST or None, staff=staff, organisation=org)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            t = services.propose(
                user=user,
                organisation=org,
                title=d["title"],
                reason=d["reason"],
                source=d["source"],
                year=d["year"],
                suggested_form=d["suggested_form"],
                member=d.get("member"),
            )
        except ServiceError as exc:
            _form_error(form, exc, {"member_id": "member"})
        else:
            messages.success(request, "议题已提交。" if not staff else "议题已录入。")
            return redirect("consultation:topic", t.pk)
    return render(
        request,
        "consultation/topics_form.html",
        {"form": form, "title": "录入候选议题" if staff else "委员荐题", "staff": staff},
        status=422 if form.errors else 200,
    )


def _topic_page(request, t: Topic, *, decide_form=None, plan_form=None, status=200):
    user = request.user
    can_manage = rules.is_consultation_staff(user, t.organisation)
    t = services.with_consultations([t])[0]
    return render(
        request,
        "consultation/topics_detail.html",
        {
            "t": t,
            "can_manage": can_manage,
            "decide_form": decide_form or DecideForm(),
            "plan_form": plan_form or (PlanTopicForm(topic=t) if can_manage else None),
            "show_citizen": can_manage,
            "suggested_form_label": dict(Consultation.Form.choices).get(t.suggested_form, ""),
        },
        status=status,
    )


@login_required
def topic_detail(request, pk):
    return _topic_page(request, _topic_or_404(request.user, pk))


@login_required
@require_POST
def topic_arrange(request, pk):
    t = _topic_or_404(request.user, pk)
    form = ArrangeForm(request.POST)
    if not rules.is_consultation_staff(request.user, t.organisation):
        raise Http404("未找到")
    back = safe_next(request, f"/consultation/topics/{t.pk}/", prefix="/consultation/")
    if form.is_valid():
        try:
            services.arrange(
                user=request.user,
                topic=t,
                group_label=form.cleaned_data["group_label"],
                rank=form.cleaned_data["rank"].strip(),
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"已保存“{t.title}”的归类和排序。")
    else:
        messages.error(request, "归类不超过50字，排序须为正整数。")
    return redirect(back)


@login_required
@require_POST
def topic_decide(request, pk):
    t = _topic_or_404(request.user, pk)
    if not rules.is_consultation_staff(request.user, t.organisation):
        raise Http404("未找到")
    form = DecideForm(request.POST)
    if form.is_valid():
        try:
            services.decide(
                user=request.user,
                topic=t,
                decision=form.cleaned_data["decision"],
                note=form.cleaned_data["note"],
            )
        except ServiceError as exc:
            _form_error(form, exc)
            return _topic_page(request, t, decide_form=form, status=exc.status)
        messages.success(request, "已记录主席会议的决定。")
        return redirect("consultation:topic", t.pk)
    return _topic_page(request, t, decide_form=form, status=422)


@login_required
@require_POST
def topic_plan(request, pk):
    t = _topic_or_404(request.user, pk)
    if not rules.is_consultation_staff(request.user, t.organisation):
        raise Http404("未找到")
    form = PlanTopicForm(request.POST, topic=t)
    if form.is_valid():
        d = form.cleaned_data
        try:
            c = services.to_consultation(
                user=request.user,
                topic=t,
                form=d["form"],
                planned_month=d["planned_month"],
                title=d["title"],
                lead_committee=d["lead_committee"],
                leader=d["leader"],
            )
        except ServiceError as exc:
            _form_error(form, exc)
            return _topic_page(request, t, plan_form=form, status=exc.status)
        messages.success(request, f"已列入{c.year}年度协商计划。")
        return redirect("consultation:detail", c.pk)
    return _topic_page(request, t, plan_form=form, status=422)


# --------------------------------------------------------------------------------------------------
# Open calls


@login_required
@require_http_methods(["GET", "POST"])
def call_list(request):
    user = request.user
    if not services.can_see_all_topics(user):
        raise Http404("未找到")
    can_open = rules.is_consultation_staff(user, user.organisation)
    today = timezone.localdate()
    form = CallForm(
        request.POST or None,
        initial={"year": today.year + (1 if today.month >= 10 else 0), "opens_on": today},
    )
    status = 200
    if request.method == "POST":
        if not can_open:
            raise Http404("未找到")
        if form.is_valid():
            try:
                services.open_call(user=user, **form.cleaned_data)
            except ServiceError as exc:
                _form_error(form, exc)
                status = exc.status
            else:
                messages.success(request, "议题征集已发起，群众可通过公开页面提交议题。")
                return redirect("consultation:calls")
        else:
            status = 422
    calls = list(services.calls_for(user).order_by("-opens_on", "-id")[:50])
    return render(
        request,
        "consultation/calls.html",
        {"calls": calls, "form": form if can_open else None, "today": today},
        status=status,
    )


@login_required
@require_POST
def call_close(request, pk):
    try:
        c = services.get_call(request.user, pk)
    except NotFound:
        raise Http404("未找到") from None
    if not rules.is_consultation_staff(request.user, c.organisation):
        raise Http404("未找到")
    try:
        services.close_call(user=request.user, call=c)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"议题征集“{c.title}”已结束。")
    return redirect("consultation:calls")


# --------------------------------------------------------------------------------------------------
# The year's plan


@login_required
def plan_current(request):
    return redirect("consultation:plan", _int_param(request, "year", 2000, 2100) or _this_year())


def _plan_org_or_404(request, year):
    if not 2000 <= int(year) <= 2100:
        raise Http404("未找到")
    org = services.plan_organisation(request.user)
    if not services.may_read_plan(request.user, org):
        raise Http404("未找到")
    return org


@login_required
@require_http_methods(["GET", "POST"])
def plan_detail(request, year):
    """The plan page; POST creates the plan (or, while a draft, saves its title, 文号 and note)."""
    user = request.user
    org = _plan_org_or_404(request, year)
    plan = services.get_plan(org, year)
    can_manage = rules.is_consultation_staff(user, org)
    form = PlanForm(
        request.POST or None,
        initial={
            "title": plan.title if plan else services.default_title(org, year),
            "document_number": plan.document_number if plan else "",
            "note": plan.note if plan else "",
        },
    )
    status = 200
    if request.method == "POST":
        if not can_manage:
            raise Http404("未找到")
        if form.is_valid():
            d = form.cleaned_data
            try:
                if plan is None:
                    services.create_plan(user=user, organisation=org, year=year, **d)
                    messages.success(request, "年度协商计划已建立。")
                else:
                    services.update_plan(user=user, organisation=org, year=year, **d)
                    messages.success(request, "已保存。")
            except ServiceError as exc:
                _form_error(form, exc)
                status = exc.status
            else:
                return redirect("consultation:plan", year)
        else:
            status = 422
    rows = services.plan_rows(org, year)
    changes = services.changes_since_approval(plan, rows) if plan else []
    months = list(range(1, 13))
    return render(
        request,
        "consultation/plan.html",
        {
            "org": org,
            "year": year,
            "years": range(_this_year() + 1, _this_year() - 5, -1),
            "plan": plan,
            "groups": services.by_form(rows),
            "rows": rows,
            "months": months,
            "by_month": [(m, [c for c in rows if c.planned_month == m]) for m in months],
            "changes": changes,
            "can_manage": can_manage,
            "form": form if can_manage and (plan is None or plan.status == Plan.Status.DRAFT) else None,
            "can_approve": can_manage
            and plan is not None
            and rows
            and (plan.status == Plan.Status.DRAFT or bool(changes)),
            "can_issue": can_manage
            and plan is not None
            and plan.status == Plan.Status.APPROVED
            and not changes,
            "chosen_unplanned": _chosen_unplanned(user, year) if can_manage else [],
        },
        status=status,
    )


def _chosen_unplanned(user, year) -> list[Topic]:
    topics = services.with_consultations(services.topics_for(user, year=year, status=Topic.Status.CHOSEN))
    return [t for t in topics if not t.planned]


def _plan_step(request, year, step, done: str):
    org = _plan_org_or_404(request, year)
    if not rules.is_consultation_staff(request.user, org):
        raise Http404("未找到")
    try:
        step(user=request.user, organisation=org, year=year)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("consultation:plan", year)


@login_required
@require_POST
def plan_approve(request, year):
    return _plan_step(request, year, services.approve_plan, "年度协商计划已审定。")


@login_required
@require_POST
def plan_issue(request, year):
    return _plan_step(request, year, services.issue_plan, "年度协商计划已印发，已通知全体委员。")


@login_required
def plan_document(request, year):
    from ..plan_document import filename, plan_docx

    org = _plan_org_or_404(request, year)
    plan = services.get_plan(org, year)
    if plan is None:
        raise Http404("未找到")
    data = plan_docx(plan)
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    from urllib.parse import quote

    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename(plan))}"
    return response


# --------------------------------------------------------------------------------------------------
# The public page of an open call (no login)


def _public_org(code):
    from zhengxie.suggestions.services import public_organisation

    try:
        org = public_organisation(code)
    except NotFound:
        raise Http404("未找到") from None
    if str(org.code) != str(code):
        raise Http404("未找到")
    return org


@never_cache
@require_http_methods(["GET", "POST"])
def public_topics(request, code):
    org = _public_org(code)
    call_id = request.POST.get("call") or request.GET.get("call")
    try:
        call = services.public_call(org, call_id)
    except NotFound:
        raise Http404("未找到") from None
    status, done = 200, False
    form = PublicTopicForm(request.POST or None)
    if request.method == "POST":
        honeypot = request.POST.get("website", "")
        if honeypot or form.is_valid():
            data = form.cleaned_data if not honeypot else {}
            try:
                services.submit_public(
                    organisation=org,
                    call=call,
                    title=data.get("title", ""),
                    reason=data.get("reason", ""),
                    name=data.get("name", ""),
                    phone=data.get("phone", ""),
                    consent=data.get("consent", False),
                    ip=client_ip(request),
                    honeypot=honeypot,
                )
            except ServiceError as exc:
                status = exc.status
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                done, form = True, PublicTopicForm()
        else:
            status = 422
    return render(
        request,
        "consultation/public_topics.html",
        {"org": org, "call": call, "open": call is not None and call.is_open(), "form": form, "done": done},
        status=status,
    )


@login_required
def call_poster(request, pk, fmt):
    """The QR poster of an open call for topics (citizens scan it to propose a topic)."""
    try:
        c = services.get_call(request.user, pk)
    except NotFound:
        raise Http404("未找到") from None
    if not services.can_see_all_topics(request.user):
        raise Http404("未找到")
    path = reverse("public_consultation:topics", args=[c.organisation.code]) + f"?call={c.pk}"
    return posters.poster_response(
        fmt,
        c.title,
        f"{c.organisation.name} · 协商议题征集 · 扫码提出您关心的议题",
        request.build_absolute_uri(path),
        f"{c.title}二维码",
    )
