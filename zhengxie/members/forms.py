"""Forms of the administrators' pages. They parse and check input shape; rules live in services."""

from django import forms

from zhengxie.core.forms import BootstrapFormMixin
from zhengxie.core.models import HandlingUnit, Office, Organisation, Role

from . import selectors
from .models import Member, Party, Sector, Session, SpecialCommittee, Term
from .roster import PHONE_RE, check_id_number
from .services import ASSIGNABLE_ROLES

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
REQUIRED = {"required": "此项为必填项。"}


def member_choice_label(m: Member) -> str:
    """姓名（界别）: how a member is offered in the other modules' pickers, so that two members of the same
    name can be told apart (the queryset should select_related("sector"))."""
    return f"{m.name}（{m.sector.name}）" if m.sector_id else m.name


class ChineseErrorsMixin(BootstrapFormMixin):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            f.error_messages["required"] = "此项为必填项。"
            if isinstance(f, forms.IntegerField):
                f.error_messages["invalid"] = "请输入整数。"
            if isinstance(f, forms.DateField):
                f.error_messages["invalid"] = "请输入有效的日期。"
            if getattr(f, "picker", None) is not None:
                continue  # core.pickers' fields name what was not found (「所选委员无效或不在您的范围内。」)
            if isinstance(f, (forms.ModelChoiceField, forms.ChoiceField)):
                f.error_messages["invalid_choice"] = "请选择有效的选项。"
            if isinstance(f, forms.ModelMultipleChoiceField):
                f.error_messages["invalid_choice"] = "请选择有效的选项。"
                f.error_messages["invalid_pk_value"] = "请选择有效的选项。"


def committee_field(user, label="所属政协"):
    qs = selectors.committee_organisations(user)
    return forms.ModelChoiceField(
        qs,
        label=label,
        empty_label=None if qs.count() == 1 else "请选择",
        widget=forms.Select(attrs={"class": "form-select"}),
    )


# --- organisations ----------------------------------------------------------------------------------


class OrganisationForm(ChineseErrorsMixin, forms.Form):
    name = forms.CharField(label="名称", max_length=100)
    short_name = forms.CharField(label="简称", max_length=40, required=False)
    kind = forms.ChoiceField(label="类型", choices=Organisation.Kind.choices)
    code = forms.CharField(
        label="编码", max_length=32, required=False, help_text="全平台唯一；新建时可留空，由系统生成。"
    )
    region = forms.CharField(label="行政区划", max_length=60, required=False)
    address = forms.CharField(label="地址", max_length=200, required=False)
    phone = forms.CharField(label="电话", max_length=40, required=False)

    def __init__(self, *args, kinds=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if kinds is not None:
            labels = dict(Organisation.Kind.choices)
            self.fields["kind"].choices = [(k, labels[k]) for k in kinds]
        if editing:
            del self.fields["kind"]
            self.fields["code"].required = True
            self.fields["code"].help_text = "全平台唯一。"


# --- terms and sessions -------------------------------------------------------------------------------


class TermForm(ChineseErrorsMixin, forms.ModelForm):
    class Meta:
        model = Term
        fields = ["organisation", "number", "name", "start_date", "end_date"]
        widgets = {"start_date": DATE, "end_date": DATE}
        help_texts = {"name": "如 第十四届"}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["organisation"]
        else:
            self.fields["organisation"] = committee_field(user)

    def validate_unique(self):
        """Uniqueness is checked (with a Chinese message) by the service."""

    def _get_validation_exclusions(self):
        # Leaves the (organisation, ...) unique constraints to the service and its Chinese message.
        return super()._get_validation_exclusions() | {"organisation"}


class SessionForm(ChineseErrorsMixin, forms.ModelForm):
    class Meta:
        model = Session
        fields = ["number", "name", "year", "start_date", "end_date", "proposal_deadline"]
        widgets = {"start_date": DATE, "end_date": DATE, "proposal_deadline": DATE}
        help_texts = {"name": "如 第十四届第三次会议"}

    def validate_unique(self):
        """Checked by the service."""


# --- ordered lists ----------------------------------------------------------------------------------


class OrderedForm(ChineseErrorsMixin, forms.Form):
    name = forms.CharField(label="名称", max_length=60)
    order = forms.IntegerField(
        label="排序", min_value=0, required=False, help_text="数字小的在前；留空排在最后。"
    )

    def __init__(self, *args, user=None, with_org=False, label="名称", max_length=60, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].label = label
        self.fields["name"].max_length = max_length
        self.fields["name"].widget.attrs["maxlength"] = max_length
        if with_org:
            self.fields = {"organisation": committee_field(user), **self.fields}


class SectorForm(OrderedForm):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", "界别名称")
        kwargs.setdefault("max_length", Sector._meta.get_field("name").max_length)
        super().__init__(*args, **kwargs)


class CommitteeForm(OrderedForm):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", "专委会名称")
        kwargs.setdefault("max_length", SpecialCommittee._meta.get_field("name").max_length)
        super().__init__(*args, **kwargs)


class PartyForm(OrderedForm):
    short_name = forms.CharField(label="简称", max_length=20, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", "党派名称")
        kwargs.setdefault("max_length", Party._meta.get_field("name").max_length)
        super().__init__(*args, **kwargs)
        self.order_fields(["name", "short_name", "order"])


# --- handling units --------------------------------------------------------------------------------


class UnitForm(ChineseErrorsMixin, forms.ModelForm):
    class Meta:
        model = HandlingUnit
        fields = [
            "organisation",
            "name",
            "short_name",
            "kind",
            "leader_name",
            "leader_phone",
            "phone",
            "address",
            "order",
        ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["organisation"]
        else:
            self.fields["organisation"] = committee_field(user)
            self.fields["order"].required = False
            self.fields["order"].help_text = "留空排在最后。"

    def validate_unique(self):
        """Checked by the service."""

    def _get_validation_exclusions(self):
        return super()._get_validation_exclusions() | {"organisation"}


class HandlerForm(ChineseErrorsMixin, forms.Form):
    role = forms.ChoiceField(
        label="身份",
        choices=[
            (Role.UNIT_HANDLER.value, Role.UNIT_HANDLER.label),
            (Role.UNIT_HEAD.value, Role.UNIT_HEAD.label),
        ],
    )
    username = forms.CharField(label="用户名", max_length=150, help_text="登录用，字母、数字或 _ . @ + -")
    name = forms.CharField(label="姓名", max_length=40)
    phone = forms.CharField(label="手机号", max_length=11, required=False)
    email = forms.EmailField(
        label="电子邮箱", required=False, error_messages={"invalid": "请输入有效的邮箱地址。"}
    )
    title = forms.CharField(label="职务", max_length=60, required=False)


# --- users --------------------------------------------------------------------------------------------


class UserForm(ChineseErrorsMixin, forms.Form):
    username = forms.CharField(label="用户名", max_length=150, help_text="登录用，字母、数字或 _ . @ + -")
    name = forms.CharField(label="姓名", max_length=40)
    phone = forms.CharField(label="手机号", max_length=11, required=False)
    email = forms.EmailField(
        label="电子邮箱", required=False, error_messages={"invalid": "请输入有效的邮箱地址。"}
    )
    organisation = forms.ModelChoiceField(Organisation.objects.none(), label="所属组织", empty_label="请选择")
    roles = forms.MultipleChoiceField(
        label="角色", widget=forms.CheckboxSelectMultiple, help_text="委员角色随委员名册维护。"
    )
    office = forms.ChoiceField(label="所在科室", required=False, help_text="机关工作人员必选。")
    handling_unit = forms.ModelChoiceField(
        HandlingUnit.objects.none(),
        label="承办单位",
        required=False,
        empty_label="（无）",
        help_text="承办单位经办人/负责人必选。",
    )
    title = forms.CharField(label="职务", max_length=60, required=False)
    is_active = forms.BooleanField(label="启用", required=False, initial=True)

    def __init__(self, *args, user, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = selectors.organisations(user, active=True)
        self.fields["organisation"].label_from_instance = lambda o: "　" * (o.depth - 1) + o.name
        labels = dict(Role.choices)
        self.fields["roles"].choices = [(r, labels[r]) for r in ASSIGNABLE_ROLES]
        self.fields["roles"].widget.attrs["class"] = "form-check-input"
        self.fields["office"].choices = [("", "（无）")] + list(Office.choices)
        self.fields["handling_unit"].queryset = selectors.units(user).filter(is_active=True)
        self.fields["handling_unit"].label_from_instance = lambda u: (
            f"{u.name}（{u.organisation.short_name or u.organisation.name}）"
        )
        if editing:
            del self.fields["username"]
        else:
            del self.fields["is_active"]


# --- members ------------------------------------------------------------------------------------------


class MemberForm(ChineseErrorsMixin, forms.ModelForm):
    committees = forms.ModelMultipleChoiceField(
        SpecialCommittee.objects.none(), label="专委会", required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Member
        fields = [
            "name",
            "gender",
            "code",
            "ethnicity",
            "birth_date",
            "party",
            "sector",
            "committees",
            "liaison_group",
            "term",
            "position",
            "is_standing",
            "entry_term_number",
            "employer",
            "job_title",
            "education",
            "phone",
            "id_number",
            "address",
            "status",
        ]
        widgets = {"birth_date": DATE, "id_number": forms.TextInput(), "address": forms.TextInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        org = self.instance.organisation
        self.fields["sector"].queryset = Sector.objects.filter(organisation=org)
        self.fields["committees"].queryset = SpecialCommittee.objects.filter(organisation=org)
        self.fields["committees"].widget.attrs["class"] = "form-check-input"
        self.fields["liaison_group"].queryset = Organisation.objects.filter(
            path__startswith=org.path, kind=Organisation.Kind.LIAISON
        )
        if "term" in self.fields:
            self.fields["term"].queryset = Term.objects.filter(organisation=org)
        self.fields["party"].queryset = Party.objects.all()
        self.fields["phone"].required = True
        if self.instance.pk:
            self.initial["committees"] = list(self.instance.committees.all())


class MemberCreateForm(MemberForm):
    """One new member of a committee (`instance=Member(organisation=...)`); the account comes with it.

    The phone number and ID number are checked here with the roster's own checks, so that every
    mistake shows at once; the service checks them again (and the phone number's uniqueness)."""

    class Meta(MemberForm.Meta):
        fields = [
            "name",
            "gender",
            "ethnicity",
            "birth_date",
            "party",
            "sector",
            "committees",
            "liaison_group",
            "position",
            "is_standing",
            "entry_term_number",
            "employer",
            "job_title",
            "education",
            "phone",
            "id_number",
            "address",
            "code",
        ]
        help_texts = {
            "phone": "11 位，不得与已有账号重复；即登录用户名。",
            "id_number": "18 位，末位可为 X。",
            "birth_date": "不填时按身份证号推算。",
            "position": "如 主席、副主席、常委、委员",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].widget.attrs.update(maxlength=11, inputmode="numeric", autocomplete="off")
        self.fields["id_number"].widget.attrs.update(maxlength=18, autocomplete="off")
        if not self.is_bound:
            self.initial.setdefault("position", "委员")

    def clean_phone(self):
        phone = (self.cleaned_data.get("phone") or "").strip()
        if phone and not PHONE_RE.match(phone):
            raise forms.ValidationError("手机号须为 11 位数字。")
        return phone

    def clean_id_number(self):
        value = (self.cleaned_data.get("id_number") or "").strip().upper()
        problem = check_id_number(value) if value else ""
        if problem:
            raise forms.ValidationError(problem)
        return value


class ImportForm(ChineseErrorsMixin, forms.Form):
    organisation = forms.ModelChoiceField(Organisation.objects.none(), label="导入到")
    file = forms.FileField(label="名册文件（.xlsx）", error_messages={"required": "请选择要上传的文件。"})

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"] = committee_field(user, "导入到")
        self.fields["file"].widget.attrs["accept"] = ".xlsx"
