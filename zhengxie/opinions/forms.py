"""Forms of the 社情民意 pages. They check the shape of the input (Chinese messages, values kept); the
services decide whether the change is allowed, and their validators (run through add_service_errors)
give the messages about the content, written once in the services."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from zhengxie.core import orgsettings, uploads
from zhengxie.core.formfields import MultipleFileField
from zhengxie.core.forms import BootstrapFormMixin, add_service_errors
from zhengxie.core.models import HandlingUnit
from zhengxie.core.pickers import PickerField
from zhengxie.members.models import Member
from zhengxie.members.selectors import committee_of, member_of
from zhengxie.proposals.forms import check_upload

from . import rules as r
from . import services
from .models import LEVELS, Adoption, Opinion, OpinionIssue

REQUIRED = "请填写{}。"
CHOICE = {"invalid_choice": "所选项无效，请重新选择。"}


def _req(label: str) -> dict:
    return {"required": REQUIRED.format(label), **CHOICE}


def _normalise(text: str) -> str:
    """Browsers send a textarea's line breaks as CRLF: count (and store) them as one character, as the page's
    character count does."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n")


def _small(form) -> None:
    for f in form.fields.values():
        plain = isinstance(f.widget, forms.TextInput)
        f.widget.attrs["class"] = "form-control form-control-sm" if plain else "form-select form-select-sm"
        f.widget.attrs["aria-label"] = f.label


def writing_organisation(user):
    """The committee an item written by this user belongs to (as services.opinion_create decides)."""
    member = member_of(user)
    return member.organisation if member is not None else committee_of(user)


def committee_members(organisation):
    return Member.objects.filter(organisation=organisation, status=Member.Status.ACTIVE).select_related(
        "sector"
    )


def categories(organisation, keep: str = "") -> list[str]:
    cats = list(orgsettings.get(organisation, "opinions.categories")) if organisation else []
    if keep and keep not in cats:
        cats.append(keep)
    return cats


# --------------------------------------------------------------------------- list filters


class OpinionFilterForm(BootstrapFormMixin, forms.Form):
    q = forms.CharField(
        label="关键词",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "标题或正文关键词", "type": "search"}),
    )
    status = forms.ChoiceField(label="状态", required=False)
    year = forms.TypedChoiceField(label="年度", required=False, coerce=int, empty_value=None)
    category = forms.ChoiceField(label="类别", required=False)
    source = forms.ChoiceField(label="来源", required=False)

    def __init__(self, data=None, *, user, years=(), drafts=True, fields=("q", "status", "year"), **kw):
        super().__init__(data, **kw)
        for name in list(self.fields):
            if name not in fields:
                del self.fields[name]
        statuses = [c for c in Opinion.Status.choices if drafts or c[0] != Opinion.Status.DRAFT]
        self.fields["status"].choices = [("", "全部状态")] + statuses
        self.fields["year"].choices = [("", "全部年度")] + [(y, f"{y}年") for y in years]
        if "category" in self.fields:
            cats = categories(committee_of(user))
            self.fields["category"].choices = [("", "全部类别")] + [(c, c) for c in cats]
        if "source" in self.fields:
            self.fields["source"].choices = [("", "全部来源")] + list(Opinion.Source.choices)
        _small(self)

    def filters(self) -> dict:
        """Keyword arguments for selectors.opinion_list from the valid fields (bad values are ignored);
        `source` is returned too and applied by the view."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {n: data[n] for n in self.fields if n not in self.errors and data.get(n)}


# --------------------------------------------------------------------------- writing


class OpinionForm(BootstrapFormMixin, forms.Form):
    """撰写 / 修改: a member writes as the first author (co-authors after); staff write on behalf of a member
    (第一作者) or of a body (报送单位) and say where it comes from."""

    title = forms.CharField(
        label="标题",
        required=False,
        max_length=200,
        help_text="一事一报：用一句话概括反映的问题，如“关于……的建议”。",
        widget=forms.TextInput(attrs={"placeholder": "关于……的建议", "autocomplete": "off"}),
    )
    content = forms.CharField(
        label="正文",
        required=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text="写清情况、问题和建议，简明扼要。",
    )
    category = forms.ChoiceField(label="类别", error_messages=_req("类别"))
    # core.pickers (issue #13): staff choose among the committee's members, searched by name when many.
    author = PickerField(
        "opinion-authors",
        label="第一作者（委员）",
        required=False,
        empty_label="（不以委员名义，填写报送单位）",
    )
    co_authors = forms.ModelMultipleChoiceField(
        label="联名作者",
        queryset=Member.objects.none(),
        required=False,
        error_messages={"invalid_choice": "所选委员无效。", "invalid_pk_value": "所选委员无效。"},
    )
    source = forms.ChoiceField(label="来源", required=False, error_messages=CHOICE)
    source_body = forms.CharField(
        label="报送单位",
        required=False,
        max_length=100,
        help_text="以党派、界别、专委会、人民团体等名义报送时填写，如：民盟县委会。",
    )
    attachments = MultipleFileField(
        label="附件", required=False, help_text="可多选；PDF、Word(.docx) 或图片，单个不超过 20 MB。"
    )

    def __init__(self, *args, user, opinion: Opinion | None = None, lead: Member | None = None, **kw):
        super().__init__(*args, **kw)
        self.user, self.opinion, self.lead = user, opinion, lead
        self.org = opinion.organisation if opinion is not None else writing_organisation(user)
        self.me = member_of(user)
        # Staff choose the author and the source when they write; afterwards only co-authors change.
        self.on_behalf = self.me is None and opinion is None
        self.max_chars = int(orgsettings.get(self.org, "opinions.max_chars"))
        cats = categories(self.org, opinion.category if opinion else "")
        self.fields["category"].choices = [("", "请选择类别")] + [(c, c) for c in cats]
        # Co-authors come after the first author: the writer when a member writes, else the item's first one.
        first = lead if opinion is not None else self.me
        members = committee_members(self.org)
        if first is not None:
            members = members.exclude(pk=first.pk)
        self.fields["co_authors"].queryset = members
        if self.on_behalf:
            self.fields["author"].for_user(user)
            self.fields["source"].choices = [
                c for c in Opinion.Source.choices if c[0] != Opinion.Source.FORWARDED
            ]
            self.fields["source"].initial = Opinion.Source.MEMBER
            self.fields["co_authors"].label = "其他作者"
        else:
            for name in ("author", "source", "source_body"):
                del self.fields[name]
        self.fields["content"].widget.attrs.update(
            {"data-maxchars": self.max_chars, "data-charcount": "content-count"}
        )
        self.fields["content"].help_text += f" 不超过 {self.max_chars} 字。"
        self.fields["attachments"].widget.attrs["accept"] = ".pdf,.docx,.png,.jpg,.jpeg"
        # 撰写助手 (zhengxie.drafting): a pause in typing the title or the text posts both to the advice panel,
        # which also lists the similar items of this and past years (it replaced the title-only hint).
        for name in ("title", "content"):
            css = self.fields[name].widget.attrs.get("class", "")
            self.fields[name].widget.attrs["class"] = f"{css} drafting-input".strip()

    def clean_content(self):
        return _normalise(self.cleaned_data.get("content", "")).strip()

    def clean_attachments(self):
        files = self.cleaned_data.get("attachments") or []
        for f in files:
            check_upload(f, uploads.EVIDENCE)
        return files

    def clean(self):
        data = super().clean()
        title, content = data.get("title", ""), data.get("content", "")
        add_service_errors(
            self,
            # Each field on its own, so that both problems show at once.
            lambda: services.check_text(self.org, title, "正文"),
            lambda: services.check_text(self.org, "标题", content),
            lambda: services.check_category(self.org, data.get("category", "")),
        )
        if self.on_behalf and not data.get("author") and not data.get("co_authors"):
            if not (data.get("source_body") or "").strip():
                self.add_error("author", "请选择作者委员，或填写报送单位。")
        return data

    def chosen_members(self) -> list[Member]:
        """The co-authors ticked (bound: as posted; else the initial ones), to show in the picker."""
        qs = self.fields["co_authors"].queryset
        if self.is_bound:
            ids = [v for v in self.data.getlist("co_authors") if str(v).isdigit()]
        else:
            ids = [getattr(m, "pk", m) for m in self.initial.get("co_authors") or []]
        return list(qs.filter(pk__in=ids)) if ids else []

    def create_kwargs(self) -> dict:
        d = self.cleaned_data
        out = {
            "title": d["title"],
            "content": d["content"],
            "category": d["category"],
            "co_author_ids": [m.pk for m in d["co_authors"]],
            "attachments": d["attachments"],
        }
        if self.on_behalf:
            out.update(
                author_ids=[d["author"].pk] if d.get("author") else [],
                source=d.get("source") or "",
                source_body=d.get("source_body") or "",
            )
        return out

    def update_kwargs(self) -> dict:
        d = self.cleaned_data
        return {
            "title": d["title"],
            "content": d["content"],
            "category": d["category"],
            "co_author_ids": [m.pk for m in d["co_authors"]],
            "attachments": d["attachments"],
        }


# --------------------------------------------------------------------------- the 信息科's panel


class ReviewForm(BootstrapFormMixin, forms.Form):
    """The review panel: the edited title and text (the original stays readable beside it), and the decision
    (the button pressed): 保存编辑, 录用, 留存未录用, 退回修改 or 合并."""

    DECISIONS = ("edit", "accept", "file", "return", "merge")

    edited_title = forms.CharField(
        label="编辑后标题",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "关于……的建议"}),
    )
    edited_content = forms.CharField(
        label="编辑后正文", required=False, widget=forms.Textarea(attrs={"rows": 12})
    )
    category = forms.ChoiceField(label="类别", required=False, error_messages=CHOICE)
    reason = forms.CharField(
        label="处理意见",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "留存未录用、退回修改时必填（作者可见）"}),
    )
    merge_into = forms.ModelChoiceField(
        label="合并到",
        queryset=Opinion.objects.none(),
        required=False,
        empty_label="选择要合并到的信息",
        error_messages=CHOICE,
    )

    def __init__(self, *args, opinion: Opinion, actions, merge_candidates=(), **kw):
        o = opinion
        kw.setdefault(
            "initial",
            {
                "edited_title": o.edited_title or o.title,
                "edited_content": o.edited_content or o.content,
                "category": o.category,
            },
        )
        super().__init__(*args, **kw)
        self.opinion, self.actions = o, [a for a in self.DECISIONS if a in actions]
        self.max_chars = int(orgsettings.get(o.organisation, "opinions.max_chars"))
        self.fields["edited_content"].widget.attrs.update(
            {"data-maxchars": self.max_chars, "data-charcount": "edited-count"}
        )
        cats = categories(o.organisation, o.category)
        self.fields["category"].choices = [("", "未分类")] + [(c, c) for c in cats]
        if "merge" in self.actions:
            self.fields["merge_into"].queryset = Opinion.objects.filter(
                pk__in=[c.pk for c in merge_candidates]
            )
            self.fields["merge_into"].label_from_instance = lambda c: (
                f"{c.display_title}（{c.get_status_display()}）"
            )
        else:
            del self.fields["merge_into"]
        if not ({"file", "return", "merge", "accept"} & set(self.actions)):
            del self.fields["reason"]

    def clean_edited_content(self):
        return _normalise(self.cleaned_data.get("edited_content", "")).strip()

    def decision(self) -> str:
        d = self.data.get("decision", "")
        return d if d in self.actions else ""

    def clean(self):
        data = super().clean()
        if not self.decision():
            raise forms.ValidationError("请选择处理方式。")
        return data

    def edit_kwargs(self) -> dict:
        """An edited title or text equal to the original is no edit (the page then shows the original only)."""
        o, d = self.opinion, self.cleaned_data
        title = d.get("edited_title", "").strip()
        content = d.get("edited_content", "")
        return {
            "edited_title": "" if title == o.title else title,
            "edited_content": "" if content == o.content.strip() else content,
        }


class ForwardForm(BootstrapFormMixin, forms.Form):
    organisation = forms.ChoiceField(label="报送到", error_messages=_req("要报送的上级政协"))

    def __init__(self, *args, targets=(), **kw):
        super().__init__(*args, **kw)
        self.fields["organisation"].choices = [("", "选择上级政协")] + [(t.pk, t.name) for t in targets]


class AdoptionForm(BootstrapFormMixin, forms.Form):
    level = forms.ChoiceField(label="采用层级", error_messages=_req("采用层级"))
    body = forms.CharField(
        label="采用单位",
        max_length=100,
        error_messages=_req("采用单位"),
        widget=forms.TextInput(attrs={"placeholder": "如：县委办公室、省政协办公厅"}),
    )
    used_as = forms.ChoiceField(
        label="采用方式", choices=Adoption.UsedAs.choices, initial="single", error_messages=_req("采用方式")
    )
    adopted_on = forms.DateField(
        label="采用日期",
        error_messages={"required": REQUIRED.format("采用日期"), "invalid": "日期格式不正确。"},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, opinion: Opinion, **kw):
        kw.setdefault("initial", {"adopted_on": timezone.localdate()})
        super().__init__(*args, **kw)
        self.fields["level"].choices = _levels(opinion)


def _levels(o: Opinion) -> list[tuple[str, str]]:
    return [("", "选择层级")] + [(c, lab) for c, lab in LEVELS if r.level_allowed(o.organisation, c)]


class RevokeForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label="撤销理由", max_length=200, error_messages=_req("撤销理由"))


class InstructionForm(BootstrapFormMixin, forms.Form):
    leader = forms.CharField(
        label="批示领导",
        max_length=60,
        error_messages=_req("批示领导"),
        widget=forms.TextInput(attrs={"placeholder": "如：县委书记 张三"}),
    )
    level = forms.ChoiceField(label="批示层级", error_messages=_req("批示层级"))
    instructed_on = forms.DateField(
        label="批示日期",
        error_messages={"required": REQUIRED.format("批示日期"), "invalid": "日期格式不正确。"},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    content = forms.CharField(
        label="批示内容", error_messages=_req("批示内容"), widget=forms.Textarea(attrs={"rows": 3})
    )
    unit = forms.ModelChoiceField(
        label="落实单位（可选）",
        queryset=HandlingUnit.objects.none(),
        required=False,
        empty_label="不交办",
        error_messages=CHOICE,
        help_text="选择后，批示落实将交该单位办理，出现在其承办工作台。",
    )
    deadline = forms.DateField(
        label="落实期限",
        required=False,
        error_messages={"invalid": "日期格式不正确。"},
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="不填则按批示落实的默认期限。",
    )

    def __init__(self, *args, opinion: Opinion, **kw):
        kw.setdefault("initial", {"instructed_on": timezone.localdate()})
        super().__init__(*args, **kw)
        self.fields["level"].choices = _levels(opinion)
        self.fields["unit"].queryset = HandlingUnit.objects.filter(
            organisation_id=opinion.organisation.committee.pk, is_active=True
        ).order_by("order", "id")

    def clean(self):
        from zhengxie.handling.services.units import check_deadline

        data = super().clean()
        if data.get("unit") is not None and data.get("deadline"):
            add_service_errors(self, lambda: check_deadline(data["deadline"]))
        return data


# --------------------------------------------------------------------------- issues


class IssueForm(BootstrapFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label="类型",
        choices=OpinionIssue.Kind.choices,
        initial=OpinionIssue.Kind.SPECIAL,
        widget=forms.RadioSelect,
        help_text="专报每期一篇，报党委、政府；摘报汇编多篇。",
        error_messages=_req("类型"),
    )
    items = forms.ModelMultipleChoiceField(
        label="编入的信息",
        queryset=Opinion.objects.none(),
        required=False,
        error_messages={"invalid_choice": "所选信息无效。", "invalid_pk_value": "所选信息无效。"},
    )
    title = forms.CharField(
        label="标题",
        required=False,
        max_length=200,
        help_text="专报不填则用所编信息的标题；摘报默认“社情民意摘报”。",
    )
    signer = forms.CharField(label="签发人", required=False, max_length=40, help_text="印发前须填写。")
    recipients = forms.CharField(
        label="报送",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "如：县委、县人大、县政府，县政协主席、副主席"}),
    )

    def __init__(self, *args, candidates, issue: OpinionIssue | None = None, **kw):
        super().__init__(*args, **kw)
        self.issue, self.candidates = issue, list(candidates)
        self.fields["items"].queryset = Opinion.objects.filter(pk__in=[c.pk for c in self.candidates])
        if issue is not None:
            del self.fields["kind"]  # an issue keeps its kind (and number)

    def clean(self):
        data = super().clean()
        if "items" not in self.errors and not data.get("items"):
            self.add_error("items", "请至少选择一篇已录用的信息。")
        return data

    def opinion_ids(self) -> list[int]:
        """The chosen items in the order the page lists them (the order of the issue)."""
        chosen = {o.pk for o in self.cleaned_data.get("items") or []}
        out = []
        for v in self.data.getlist("items"):
            if str(v).isdigit() and int(v) in chosen and int(v) not in out:
                out.append(int(v))
        return out

    def checked(self) -> set[int]:
        if self.is_bound:
            return {int(v) for v in self.data.getlist("items") if str(v).isdigit()}
        return {getattr(o, "pk", o) for o in self.initial.get("items") or []}
