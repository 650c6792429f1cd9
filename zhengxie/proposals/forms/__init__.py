"""Forms of the proposal pages. They check the shape of the input (Chinese messages, values kept);
the services decide whether the change is allowed and raise ServiceError otherwise."""

from __future__ import annotations

import json

from django import forms
from django.urls import reverse

from zhengxie.core import orgsettings, uploads
from zhengxie.core.errors import Invalid
from zhengxie.core.formfields import MultipleFileField
from zhengxie.core.forms import BootstrapFormMixin, add_service_errors
from zhengxie.core.models import HandlingUnit, Role, User
from zhengxie.core.permissions import org_scope_q
from zhengxie.core.pickers import FastSelect, PickerField
from zhengxie.handling import services as spine
from zhengxie.handling.forms import ChangeDecisionForm
from zhengxie.handling.services import units as spine_units
from zhengxie.handling.services.ratings import check_rating
from zhengxie.members.models import Member, Session
from zhengxie.members.selectors import committee_of

from ..models import Contact, Evaluation, Proposal, Reply
from ..services import drafting
from ..services import review as review_messages
from ..services.supervision import extension_limit

REQUIRED = "请填写{}。"


def _req(label: str) -> dict:
    return {"required": REQUIRED.format(label)}


def check_upload(upload, allowed) -> None:
    """Size and real type (content sniffing) of one upload; rewinds it for the later save."""
    try:
        uploads.validate(upload, allowed)
    except Invalid as exc:
        raise forms.ValidationError(f"{upload.name}：{exc.message}")
    finally:
        upload.seek(0)


# --------------------------------------------------------------------------- list filters


class ProposalFilterForm(BootstrapFormMixin, forms.Form):
    LIGHTS = [("", "全部督办灯"), ("green", "绿灯"), ("yellow", "黄灯"), ("red", "红灯")]
    KEY = [("", "重点与否"), ("1", "重点提案"), ("0", "非重点提案")]

    q = forms.CharField(
        label="关键词",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "案由、案号或正文关键词", "type": "search"}),
    )
    # Searchable pickers (core.pickers): a province's ~700 sessions and ~3,800 units are not written into
    # the page; the session picker names the committee ("青川县政协 第九届第三次会议").
    session = PickerField("sessions", label="会次", required=False, empty_label="全部会次")
    # Every <select> of the filter is written in Python (core.pickers.FastSelect): Django renders each
    # <option> through a template include, ~60 of them on every list page (issue 16).
    status = forms.ChoiceField(label="状态", required=False, widget=FastSelect)
    category = forms.ChoiceField(label="类别", required=False, widget=FastSelect)
    unit = PickerField("units", label="承办单位", required=False, empty_label="全部承办单位")
    light = forms.ChoiceField(label="督办灯", choices=LIGHTS, required=False, widget=FastSelect)
    key = forms.ChoiceField(label="重点", choices=KEY, required=False, widget=FastSelect)
    proposer = forms.CharField(
        label="提案人",
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"placeholder": "提案人姓名", "type": "search"}),
    )
    # The column the list is sorted by (the headers' links set it; kept when filtering and exporting).
    sort = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)

    def __init__(self, data=None, *, user, **kw):
        super().__init__(data, **kw)
        self.user = user
        self.fields["session"].for_user(user)
        self.fields["unit"].for_user(user)
        self.fields["status"].choices = [("", "全部状态")] + [
            c for c in Proposal.Status.choices if c[0] != Proposal.Status.DRAFT
        ]
        cats = orgsettings.get(committee_of(user), "proposals.categories") if user.organisation else []
        self.fields["category"].choices = [("", "全部类别")] + [(c, c) for c in cats]
        for f in self.fields.values():
            if isinstance(f.widget, forms.HiddenInput):
                continue
            small = (
                "form-control form-control-sm"
                if isinstance(f.widget, forms.TextInput)
                else "form-select form-select-sm"
            )
            f.widget.attrs["class"] = small
            f.widget.attrs["aria-label"] = f.label

    def filters(self) -> dict:
        """Keyword arguments for selectors.proposal_list from the valid fields (bad values are ignored)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        out = {}
        for name in ("session", "status", "category", "unit", "light", "q", "proposer"):
            if name not in self.errors and data.get(name):
                out[name] = data[name]
        if "sort" not in self.errors and data.get("sort"):
            from zhengxie.core.listing import sort_key

            from ..selectors import LIST_SORTS

            out["sort"] = sort_key(data["sort"], LIST_SORTS)
        if "key" not in self.errors and data.get("key") in ("0", "1"):
            out["key"] = data["key"] == "1"
        return out


# --------------------------------------------------------------------------- the member's draft


class ProposalForm(BootstrapFormMixin, forms.Form):
    title = forms.CharField(
        label="案由（标题）",
        max_length=200,
        error_messages=_req("案由"),
        help_text="一事一案：请用“关于……的提案”概括一件事。",
        widget=forms.TextInput(attrs={"placeholder": "关于……的提案", "autocomplete": "off"}),
    )
    kind = forms.ChoiceField(
        label="提案类型", choices=Proposal.Kind.choices, initial=Proposal.Kind.INDIVIDUAL
    )
    collective_body = forms.CharField(
        label="提案单位（集体提案）",
        max_length=100,
        required=False,
        help_text="党派、工商联、人民团体、专委会或界别的名称。",
    )
    category = forms.ChoiceField(label="类别", error_messages=_req("类别"))
    cosigners = forms.ModelMultipleChoiceField(
        label="联名附议委员",
        queryset=Member.objects.none(),
        required=False,
        error_messages={"invalid_choice": "所选附议委员无效。", "invalid_pk_value": "所选附议委员无效。"},
    )
    reasons = forms.CharField(
        label="理由（案据）",
        error_messages=_req("理由"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="写明问题和事实依据。",
    )
    suggestions = forms.CharField(
        label="办法（建议）",
        error_messages=_req("办法"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="提出具体、可行的建议。",
    )
    research_note = forms.CharField(
        label="调研情况",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="不调研不提提案：简述调研的时间、地点和方式。",
    )
    attachments = MultipleFileField(
        label="附件", required=False, help_text="可多选；PDF、Word(.docx) 或图片，单个不超过 20 MB。"
    )

    def __init__(self, *args, user, proposal=None, **kw):
        super().__init__(*args, **kw)
        self.user = user
        org = self.org = committee_of(user)
        self.max_chars = int(orgsettings.get(org, "proposals.max_chars"))
        cats = list(orgsettings.get(org, "proposals.categories"))
        if proposal is not None and proposal.category and proposal.category not in cats:
            cats.append(proposal.category)
        self.fields["category"].choices = [("", "请选择类别")] + [(c, c) for c in cats]
        from ..rules import member_of

        me = member_of(user)
        qs = Member.objects.filter(
            organisation=user.organisation, status=Member.Status.ACTIVE
        ).select_related("sector")
        if me is not None:
            qs = qs.exclude(pk=me.pk)
        self.fields["cosigners"].queryset = qs
        from zhengxie.members.selectors_groups import collective_bodies

        bodies = collective_bodies(me)
        if bodies:  # a 界别召集人 or 委员小组组长 (issue 15)
            self.fields["collective_body"].help_text = (
                "您可以下列名义提出集体提案：" + "、".join(bodies) + "。"
            )
        self.fields["reasons"].help_text += f" 理由与办法合计不超过 {self.max_chars} 字。"
        self.fields["attachments"].widget.attrs["accept"] = ".pdf,.docx,.png,.jpg,.jpeg"
        # While the title is typed, similar proposals are shown (htmx, see views.similar).
        self.fields["title"].widget.attrs.update(
            {
                "hx-get": reverse("proposals:similar"),
                "hx-trigger": "input changed delay:500ms",
                "hx-target": "#similar",
                "hx-sync": "this:replace",
            }
        )
        if proposal is not None:
            self.fields["title"].widget.attrs["hx-vals"] = json.dumps({"exclude": proposal.pk})
        # 撰写助手 (zhengxie.drafting): a pause in typing any of these posts them to the advice panel.
        for name in ("title", "reasons", "suggestions"):
            css = self.fields[name].widget.attrs.get("class", "")
            self.fields[name].widget.attrs["class"] = f"{css} drafting-input".strip()

    def clean_attachments(self):
        files = self.cleaned_data.get("attachments") or []
        for f in files:
            check_upload(f, uploads.EVIDENCE)
        return files

    def clean(self):
        data = super().clean()
        add_service_errors(
            self,
            lambda: drafting.check_kind(
                data.get("kind"), bool(data.get("cosigners")), (data.get("collective_body") or "").strip()
            ),
            lambda: drafting.check_length(self.org, data.get("reasons", ""), data.get("suggestions", "")),
            fields={"cosigner_ids": "cosigners", "reasons": "suggestions"},
        )
        return data

    def service_fields(self) -> dict:
        d = self.cleaned_data
        return {
            "title": d["title"].strip(),
            "reasons": d["reasons"],
            "suggestions": d["suggestions"],
            "category": d["category"],
            "kind": d["kind"],
            "collective_body": d.get("collective_body", ""),
            "research_note": d.get("research_note", ""),
            "cosigner_ids": [m.pk for m in d["cosigners"]],
        }


# --------------------------------------------------------------------------- the proposal office


class ReviewForm(BootstrapFormMixin, forms.Form):
    DECISIONS = [
        ("accept", "立案"),
        ("reject", "不予立案"),
        ("to_suggestion", "转为意见建议"),
        ("to_opinion", "转社情民意信息"),
        ("merge", "并案（并入另一件提案）"),
    ]
    decision = forms.ChoiceField(
        label="审查结论",
        choices=DECISIONS,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择审查结论。"},
    )
    category = forms.ChoiceField(label="类别（立案时）", required=False)
    reason = forms.ChoiceField(label="不予立案理由", required=False)
    merge_into = forms.ModelChoiceField(
        label="并入提案",
        queryset=Proposal.objects.none(),
        required=False,
        empty_label="请选择要并入的提案",
        error_messages={"invalid_choice": "所选提案无效。"},
    )
    lead_unit = forms.ModelChoiceField(
        label="主办单位（选填：立案即交办）",
        queryset=HandlingUnit.objects.none(),
        required=False,
        empty_label="暂不交办",
        error_messages={"invalid_choice": "所选单位无效。"},
        help_text="选定后立案即交该单位主办，期限按规定自动计算；需会办、分办或另定期限时，不选单位，点“立案并交办”。",
    )
    is_key = forms.BooleanField(label="列为重点提案", required=False)
    note = forms.CharField(
        label="审查意见 / 说明",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="不予立案理由选“其他”时必填，写明具体理由；其余情况选填。",
    )

    def __init__(self, *args, proposal, user, **kw):
        super().__init__(*args, **kw)
        org = proposal.organisation
        cats = list(orgsettings.get(org, "proposals.categories"))
        if proposal.category not in cats:
            cats.append(proposal.category)
        self.fields["category"].choices = [(c, c) for c in cats]
        self.fields["category"].initial = proposal.category
        self.fields["reason"].choices = [("", "请选择理由")] + [
            (r, r) for r in orgsettings.get(org, "proposals.reject_reasons")
        ]
        from ..documents import ACCEPTED_STATES

        self.fields["merge_into"].queryset = (
            Proposal.objects.filter(
                organisation=org, status__in=(*ACCEPTED_STATES, Proposal.Status.SUBMITTED)
            )
            .exclude(pk=proposal.pk)
            .select_related("session")
            .order_by("-session__year", "number", "id")
        )
        self.fields["merge_into"].label_from_instance = lambda p: (
            f"{p.session.name} {p.number_label if p.number else '(待审查)'} {p.title}"
        )
        self.fields["decision"].widget.attrs["class"] = "form-check-input"
        # Each decision's own fields show only once it is chosen (app.js; without JavaScript all show).
        self.fields["category"].show_when = "decision=accept"
        self.fields["reason"].show_when = "decision=reject"
        self.fields["merge_into"].show_when = "decision=merge"
        self.fields["merge_into"].widget.attrs["data-searchable"] = ""
        # 立案's 交办 and 重点 (智能分办's 采用 fills the unit: routing.js fills select[name=lead_unit]).
        self.fields["lead_unit"].queryset = units_for(user)
        self.fields["lead_unit"].show_when = "decision=accept"
        self.fields["lead_unit"].widget.attrs["data-searchable"] = ""
        self.fields["lead_unit"].widget.attrs["data-placeholder"] = "输入单位名称查找"
        self.fields["is_key"].show_when = "decision=accept"

    def clean(self):
        """What the chosen decision needs, each missing piece said at once next to its field (the other
        decisions' fields are ignored: a hidden one may still hold what was typed before switching)."""
        d = super().clean()
        decision, note = d.get("decision"), (d.get("note") or "").strip()
        if decision == "reject":
            if not d.get("reason"):
                self.add_error("reason", review_messages.REASON_REQUIRED)
            elif d["reason"] == "其他" and not note:
                self.add_error("note", review_messages.OTHER_REASON_NEEDS_TEXT)
        if decision == "merge" and not d.get("merge_into") and "merge_into" not in self.errors:
            self.add_error("merge_into", review_messages.MERGE_TARGET_REQUIRED)
        return d

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        note = (d.get("note") or "").strip()
        kw = {"decision": d["decision"], "reason": note}
        if d["decision"] == "accept":
            kw["category"] = d.get("category") or None
            kw["lead_unit"] = d.get("lead_unit")
            kw["is_key"] = bool(d.get("is_key"))
        if d["decision"] == "reject":
            kw["reason"] = f"其他：{note}" if d["reason"] == "其他" else d["reason"]
        if d["decision"] == "merge":
            kw["merge_into"] = d["merge_into"]
        return kw


def units_for(user):
    return HandlingUnit.objects.filter(organisation=committee_of(user), is_active=True).order_by(
        "order", "id"
    )


class AssignForm(BootstrapFormMixin, forms.Form):
    MODES = [
        ("lead", "主办＋会办：一个单位主办答复，会办单位向主办单位提出会办意见"),
        ("parallel", "分办：几个单位按各自职责分别办理、分别答复"),
    ]
    mode = forms.ChoiceField(
        label="办理方式",
        choices=MODES,
        initial="lead",
        widget=forms.RadioSelect,
        required=False,
        error_messages={"invalid_choice": "请选择办理方式。"},
    )
    lead_unit = forms.ModelChoiceField(
        label="主办单位（分办时为第一个分办单位）",
        queryset=HandlingUnit.objects.none(),
        empty_label="请选择主办单位",
        error_messages={"required": "请选择主办单位。", "invalid_choice": "所选单位无效。"},
    )
    co_units = forms.ModelMultipleChoiceField(
        label="会办单位（可多选，仅主办＋会办）",
        queryset=HandlingUnit.objects.none(),
        required=False,
        error_messages={"invalid_choice": "所选单位无效。"},
    )
    parallel_units = forms.ModelMultipleChoiceField(
        label="其他分办单位（可多选，仅分办）",
        queryset=HandlingUnit.objects.none(),
        required=False,
        error_messages={"invalid_choice": "所选单位无效。"},
    )
    deadline = forms.DateField(
        label="办理期限",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "请输入正确的日期。"},
        help_text="留空则按规定期限（自交办起）自动计算。",
    )

    def __init__(self, *args, user, **kw):
        super().__init__(*args, **kw)
        self.org = committee_of(user)
        units = units_for(user)
        for name in ("lead_unit", "co_units", "parallel_units"):
            self.fields[name].queryset = units
        self.fields["co_units"].widget.attrs["size"] = 8
        self.fields["parallel_units"].widget.attrs["size"] = 8
        self.fields["mode"].widget.attrs["class"] = "form-check-input"

    def clean(self):
        # Only what the form's own choice of mode means; the units and the deadline are checked by the
        # service (proposal_assign), whose messages appear next to the fields.
        data = super().clean()
        lead = data.get("lead_unit")
        parallel = [u for u in data.get("parallel_units") or [] if u != lead]
        if data.get("mode") == "parallel" and not parallel:
            self.add_error("parallel_units", "分办请至少再选择一个分办单位。")
        if data.get("mode") != "parallel" and data.get("parallel_units"):
            self.add_error("parallel_units", "选择“主办＋会办”时不指定分办单位；如需分办请选择“分办”。")
        kw = self.service_kwargs() if data.get("lead_unit") else None
        add_service_errors(
            self,
            lambda: kw and spine.check_units(self.org, kw["lead_unit"], kw["co_units"], kw["parallel_units"]),
            lambda: spine.check_deadline(data.get("deadline")),
        )
        return data

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        parallel = d.get("mode") == "parallel"
        return {
            "lead_unit": d["lead_unit"],
            "co_units": list(d.get("co_units") or []),
            "parallel_units": list(d.get("parallel_units") or []) if parallel else [],
            "deadline": d.get("deadline"),
        }


class BatchAssignForm(AssignForm):
    proposals = forms.ModelMultipleChoiceField(
        label="提案",
        queryset=Proposal.objects.none(),
        error_messages={"required": "请勾选要交办的提案。", "invalid_choice": "所选提案无效或已交办。"},
    )

    def __init__(self, *args, user, queryset, **kw):
        super().__init__(*args, user=user, **kw)
        self.fields["proposals"].queryset = queryset


class ExtendForm(BootstrapFormMixin, forms.Form):
    new_deadline = forms.DateField(
        label="新的办理期限",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "请选择新的办理期限。", "invalid": "请输入正确的日期。"},
    )
    reason = forms.CharField(
        label="延期理由",
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": spine_units.REASON_MAX}),
        error_messages=_req("延期理由"),
    )

    def __init__(self, *args, proposal, **kw):
        super().__init__(*args, **kw)
        self.proposal = proposal

    def clean(self):
        data = super().clean()
        if data.get("new_deadline"):
            p = self.proposal
            add_service_errors(
                self,
                lambda: spine.check_extension_date(p.deadline, data["new_deadline"], extension_limit(p)),
            )
        return data


class KeyForm(BootstrapFormMixin, forms.Form):
    is_key = forms.BooleanField(label="列为重点提案", required=False)
    leader = forms.ModelChoiceField(
        label="领衔督办领导", queryset=User.objects.none(), required=False, empty_label="请选择领导"
    )

    def __init__(self, *args, proposal, **kw):
        super().__init__(*args, **kw)
        self.fields["leader"].queryset = User.objects.filter(
            organisation=proposal.organisation, groups__name=Role.LEADER, is_active=True
        ).order_by("id")
        self.fields["leader"].label_from_instance = lambda u: f"{u.name}（{u.title}）" if u.title else u.name

    def clean(self):
        data = super().clean()
        if data.get("is_key") and not data.get("leader"):
            self.add_error("leader", "重点提案须确定领衔督办的领导。")
        return data


class DecideChangeForm(ChangeDecisionForm):
    """审核调整申请 of a proposal: the spine's grant and note, the new 主办单位 among the user's units."""

    new_unit = forms.ModelChoiceField(
        label="改由主办单位", queryset=HandlingUnit.objects.none(), required=False, empty_label="（不指定）"
    )

    def __init__(self, *args, user, assignment, **kw):
        super().__init__(*args, **kw)
        self.fields["new_unit"].queryset = units_for(user).exclude(pk=assignment.unit_id)


# --------------------------------------------------------------------------- handling units


class RequestChangeForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(
        label="申请调整（退回）理由",
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": spine_units.REASON_MAX}),
        error_messages=_req("申请调整的理由"),
        help_text="说明该提案为何不属于本单位职责，或应由哪个单位主办。",
    )


class ContactForm(BootstrapFormMixin, forms.Form):
    contacted_on = forms.DateField(
        label="联系日期",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "请选择联系日期。", "invalid": "请输入正确的日期。"},
    )
    method = forms.ChoiceField(
        label="沟通方式",
        choices=[("", "请选择")] + Contact.Method.choices,
        error_messages={"required": "请选择沟通方式。"},
    )
    summary = forms.CharField(
        label="沟通情况",
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": spine_units.CONTACT_MAX}),
        error_messages=_req("沟通情况"),
    )

    def clean(self):
        data = super().clean()
        if data.get("contacted_on"):
            add_service_errors(self, lambda: spine.check_contact_date(data["contacted_on"]))
        return data


class CoOpinionForm(BootstrapFormMixin, forms.Form):
    opinion = forms.CharField(
        label="会办意见",
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": spine_units.OPINION_MAX}),
        error_messages=_req("会办意见"),
    )


class ReplyForm(BootstrapFormMixin, forms.Form):
    result_class = forms.ChoiceField(
        label="答复类别", widget=forms.RadioSelect, error_messages={"required": "请选择答复类别。"}
    )
    content = forms.CharField(
        label="答复内容（摘要）",
        widget=forms.Textarea(attrs={"rows": 8, "maxlength": spine_units.REPLY_MAX}),
        error_messages=_req("答复内容"),
    )
    letter = forms.FileField(
        label="答复函（已签发盖章，PDF 或 Word）",
        error_messages={
            "required": "请上传已签发盖章的答复函（PDF 或 Word .docx）。",
            "empty": "上传的文件是空的。",
        },
        help_text="须由单位负责人签发并加盖公章，注明承办人和联系电话。",
    )

    def __init__(self, *args, proposal, **kw):
        super().__init__(*args, **kw)
        labels = dict(Reply.ResultClass.choices)
        classes = orgsettings.get(proposal.organisation, "proposals.result_classes")
        self.fields["result_class"].choices = [(c, labels.get(c, f"{c}类")) for c in classes]
        self.fields["result_class"].widget.attrs["class"] = "form-check-input"
        self.fields["letter"].widget.attrs["accept"] = ".pdf,.docx"

    def clean_letter(self):
        letter = self.cleaned_data["letter"]
        check_upload(letter, uploads.DOCUMENTS)
        return letter


# --------------------------------------------------------------------------- proposers


class EvaluateForm(BootstrapFormMixin, forms.Form):
    rating = forms.ChoiceField(
        label="评价",
        choices=Evaluation.Rating.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择满意、基本满意或不满意。"},
    )
    comment = forms.CharField(
        label="意见",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": spine_units.COMMENT_MAX}),
    )
    member = forms.ModelChoiceField(
        label="代为录入哪位提案人的评价",
        queryset=Member.objects.none(),
        required=False,
        empty_label="请选择提案人",
    )
    reply = forms.ChoiceField(label="评价哪个单位的答复（分办）", required=False)
    field_order = ["reply", "member", "rating", "comment"]

    def __init__(self, *args, pending_members=None, on_behalf=False, replies=(), **kw):
        super().__init__(*args, **kw)
        self.on_behalf = on_behalf
        self.fields["rating"].widget.attrs["class"] = "form-check-input"
        # 分办: several units' replies may wait for a rating; each is rated on its own.
        # With one waiting, the form names its unit (with 分办 the proposer cannot tell which one is left).
        self.reply_unit = replies[0].assignment.unit.name if len(replies) == 1 else ""
        if len(replies) > 1:
            self.fields["reply"].choices = [("", "请选择答复")] + [
                (str(x.pk), f"{x.assignment.unit.name}的答复（{x.result_class}类，{x.replied_at:%m-%d}）")
                for x in replies
            ]
        else:
            del self.fields["reply"]
        if on_behalf:
            self.fields["member"].queryset = Member.objects.filter(
                pk__in=[m.pk for m in pending_members or []]
            )
        else:
            del self.fields["member"]

    def clean(self):
        data = super().clean()
        if data.get("rating"):
            add_service_errors(self, lambda: check_rating(data["rating"], data.get("comment")))
        if self.on_behalf and not data.get("member"):
            self.add_error("member", "请选择代为录入评价的提案人。")
        if "reply" in self.fields and not data.get("reply"):
            self.add_error("reply", "本提案由多个单位分别答复，请选择要评价的答复。")
        return data


class CompilationForm(BootstrapFormMixin, forms.Form):
    session = forms.ModelChoiceField(label="会次", queryset=Session.objects.none(), empty_label=None)
    format = forms.ChoiceField(
        label="格式",
        choices=[("docx", "Word (.docx)"), ("pdf", "PDF")],
        widget=forms.RadioSelect,
        initial="docx",
    )

    def __init__(self, *args, user, **kw):
        super().__init__(*args, **kw)
        self.fields["session"].queryset = Session.objects.filter(org_scope_q(user)).order_by(
            "-year", "-number"
        )
        self.fields["format"].widget.attrs["class"] = "form-check-input"


__all__ = [
    "AssignForm",
    "BatchAssignForm",
    "CoOpinionForm",
    "CompilationForm",
    "ContactForm",
    "DecideChangeForm",
    "EvaluateForm",
    "ExtendForm",
    "KeyForm",
    "ProposalFilterForm",
    "ProposalForm",
    "ReplyForm",
    "RequestChangeForm",
    "ReviewForm",
]
