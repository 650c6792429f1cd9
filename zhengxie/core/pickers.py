"""Pickers whose choices may run to thousands (issues #13, #15): a province's filter could list ~3,800
handling units and ~700 sessions — a 281 KB page. A picker lists its choices only while they are few
(SMALL); beyond that it renders a text box holding the chosen one's name, which app.js turns into a
searchable box (Tom Select) that asks `/pick/<name>/?q=…` for at most LIMIT matches the user may see.

Without JavaScript the box is a plain text field: a typed name (or part of one) is looked up among the same
choices (one match: that one; none or several: a Chinese message by the field). The chosen value is always
checked against the field's queryset, which is the picker's: the endpoint can offer nothing the form would
refuse, nor anything outside the user's organisation and its subtree (permissions.org_scope_q).

A picker is registered once (`register`) with the queryset of what a user may pick, the fields that make
its label and the fields searched; a form uses `PickerField(picker_name)` and gives it the user.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from urllib.parse import urlencode

from django import forms
from django.db.models import Q, QuerySet
from django.forms.models import ModelChoiceIterator
from django.forms.utils import flatatt
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe

from .permissions import org_scope_q

LIMIT = 30  # matches the endpoint answers with
SMALL = 150  # at most this many choices are written into the page as a <select>
QUERY_MAX = 50  # characters of a search kept


@dataclass(frozen=True)
class Picker:
    name: str
    queryset: Callable  # user -> QuerySet of the rows the user may pick, in their display order
    label_fields: tuple = ("name",)
    label_of: Callable = str  # label_of(*values of label_fields) -> the text shown
    search_fields: tuple = ("name",)
    noun: str = "选项"  # 「没有找到名称含“…”的承办单位」
    # GET parameters (ids) that narrow the choices, passed to queryset(user, **scope): the conveners' box
    # asks /pick/members/?sector=<id>. The queryset checks them: a value it does not own gives nothing.
    scope: tuple = ()


_PICKERS: dict[str, Picker] = {}


def register(picker: Picker) -> Picker:
    _PICKERS[picker.name] = picker
    return picker


def get(name: str) -> Picker:
    _load()
    return _PICKERS[name]


# The apps' pickers, each beside its rules (they import their rules inside the querysets: a form module
# naming a picker is often imported by those rules' own imports).
MODULES = (
    "zhengxie.members.pickers",
    "zhengxie.appraisal.pickers",
    "zhengxie.consultation.pickers",
    "zhengxie.opinions.pickers",
    "zhengxie.research.pickers",
    "zhengxie.studios.pickers",
    "zhengxie.supervision.pickers",
)
_loaded: list[str] = []


def _load() -> None:
    """The pickers of the apps (defined beside their models), registered on first use."""
    for module in MODULES:
        if module not in _loaded:
            _loaded.append(module)
            import_module(module)


def scoped_row(model, value, *related):
    """The row a picker's scope names: a form passes the row, the endpoint its id (anything else: None)."""
    if isinstance(value, model):
        return value
    try:
        pk = int(value)
    except (TypeError, ValueError):
        return None
    return model.objects.select_related(*related).filter(pk=pk).first() if 0 < pk < 2**53 else None


def scope_of(picker: Picker, params) -> dict:
    """The picker's scope parameters found in `params` (a request's GET), as given."""
    return {k: params.get(k) for k in picker.scope if params.get(k) not in (None, "")}


def matching(picker: Picker, qs: QuerySet, q: str) -> QuerySet:
    """Rows whose search fields hold every word of `q` (each word in any of the fields), as Tom Select filters."""
    for word in q.strip()[:QUERY_MAX].split():
        cond = Q()
        for f in picker.search_fields:
            cond |= Q(**{f"{f}__icontains": word})
        qs = qs.filter(cond)
    return qs


def by_name(picker: Picker, qs: QuerySet, text: str) -> str:
    """The id of the one row a typed name (or part of one) names — an exact label wins among several;
    none or several: a Chinese ValidationError."""
    noun = picker.noun
    found = rows(picker, matching(picker, qs, text), LIMIT)
    # exact: the whole label, or its name before a qualifier (a member's 「姓名（界别）」)
    exact = [key for key, label in found if label == text or label.startswith(f"{text}（")]
    if not found:
        raise forms.ValidationError(f"没有找到名称含“{text}”的{noun}。", code="invalid_choice")
    if len(found) > 1 and len(exact) != 1:
        raise forms.ValidationError(
            f"名称含“{text}”的{noun}不止一个，请输入更完整的名称。", code="invalid_choice"
        )
    return exact[0] if exact else found[0][0]


def rows(picker: Picker, qs: QuerySet, limit: int) -> list[tuple[str, str]]:
    """(value, label) of at most `limit` rows, in one query."""
    return [
        (str(pk), picker.label_of(*values))
        for pk, *values in qs.values_list("pk", *picker.label_fields)[:limit]
    ]


def search(name: str, user, q: str = "", params=None) -> dict:
    """The endpoint's answer: {"items": [{"value", "text"}], "more": whether more rows match}. One query
    (a scoped picker may read the row its scope names first)."""
    picker = get(name)
    qs = picker.queryset(user, **scope_of(picker, params or {}))
    found = rows(picker, matching(picker, qs, q), LIMIT + 1)
    return {"items": [{"value": v, "text": t} for v, t in found[:LIMIT]], "more": len(found) > LIMIT}


# --------------------------------------------------------------------------- form fields


class FastSelect(forms.Select):
    """A <select> whose options are written in Python. Django renders every <option> through a template,
    which for the 400 handling units of a county costs more than all of the list page's queries."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = set(self.format_value(value))
        options = []
        for key, label in self.choices:
            key = "" if key is None else str(key)
            options.append(
                f'<option value="{escape(key)}"{" selected" if key in chosen else ""}>'
                f"{escape(label)}</option>"
            )
        attrs = flatatt(self.build_attrs(self.attrs, attrs))
        return mark_safe(f'<select name="{escape(name)}"{attrs}>{"".join(options)}</select>')


class ValuesChoiceIterator(ModelChoiceIterator):
    """A ModelChoiceField's options read as (pk, label) rows — `field.label_fields` through values_list — not
    as model instances: a province's filter lists ~3,800 handling units and ~700 sessions, whose instances
    (and their dates) cost more than the rest of the page (issue #13). The chosen value is still checked
    against the queryset (one get)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        label = self.field.label_of
        for pk, *values in self.queryset.values_list("pk", *self.field.label_fields):
            yield (pk, label(*values))


class ValuesChoiceField(forms.ModelChoiceField):
    iterator = ValuesChoiceIterator

    def __init__(self, *args, label_fields=("name",), label_of=str, **kw):
        super().__init__(*args, **kw)
        self.label_fields, self.label_of = label_fields, label_of


def _swap_class(attrs: dict, old: str, new: str) -> dict:
    """form-select(-sm) <-> form-control(-sm): the form styles the field before it knows which it renders."""
    swap = {old: new, f"{old}-sm": f"{new}-sm"}
    return {**attrs, "class": " ".join(swap.get(c, c) for c in attrs.get("class", "").split())}


class PickerWidget(forms.Widget):
    """The SMALL choices or fewer as a <select> (one query: the rows, as before); more, as a text box
    holding the chosen one's label (one more query) that app.js makes a searchable remote box."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.field = None  # set by PickerField

    def render(self, name, value, attrs=None, renderer=None):
        field = self.field
        picker, qs = field.picker, field.queryset
        attrs = self.build_attrs(self.attrs, attrs)
        value = "" if value is None else str(value)
        found = rows(picker, qs, SMALL + 1)
        if len(found) <= SMALL:
            options = [("", field.empty_label)] if field.empty_label is not None else []
            options += found
            html = "".join(
                f'<option value="{escape(k)}"{" selected" if k == value else ""}>{escape(t)}</option>'
                for k, t in options
            )
            attrs = _swap_class(attrs, "form-control", "form-select")
            return mark_safe(f'<select name="{escape(name)}"{flatatt(attrs)}>{html}</select>')
        label = ""
        if value.isdigit():
            label = next((t for k, t in found if k == value), "") or next(
                (t for _, t in rows(picker, qs.filter(pk=value), 1)), ""
            )
        attrs = _swap_class(attrs, "form-select", "form-control")
        attrs.update(
            {
                "type": "search",
                "value": label or value,
                "autocomplete": "off",
                "placeholder": f"{field.empty_label}（输入名称查找）"
                if field.empty_label
                else "输入名称查找",
                "data-picker": field.picker_url(),
                "data-picker-empty": field.empty_label or "",
            }
        )
        if label:
            attrs.update({"data-picker-value": value, "data-picker-text": label})
        return mark_safe(f'<input name="{escape(name)}"{flatatt(attrs)}>')


class PickerField(forms.ModelChoiceField):
    """A choice among a registered picker's rows for one user: `PickerField("units")`, then
    `field.for_user(user)` in the form's __init__. Accepts the id (the searchable box, the <select>) or,
    typed without JavaScript, a name or part of one that matches exactly one row."""

    widget = PickerWidget

    def __init__(self, picker: str, **kw):
        self.picker = get(picker)
        kw.setdefault("queryset", self.picker.queryset(None).none())
        kw.setdefault("error_messages", {"invalid_choice": f"所选{self.picker.noun}无效或不在您的范围内。"})
        super().__init__(**kw)
        self.widget.field = self
        self.resolved: dict[str, str] = {}  # a typed name -> the id it was resolved to

    def __deepcopy__(self, memo):
        result = super().__deepcopy__(memo)
        result.widget.field, result.resolved = result, {}
        return result

    def for_user(self, user, **scope) -> None:
        self.queryset = self.picker.queryset(user, **scope)
        self.scope = scope

    def picker_url(self) -> str:
        url = reverse("core:picker", args=[self.picker.name])
        scope = getattr(self, "scope", None)
        return f"{url}?{urlencode({k: getattr(v, 'pk', v) for k, v in scope.items()})}" if scope else url

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip()
        if text.isdigit():
            return super().to_python(text)
        key = by_name(self.picker, self.queryset, text)
        self.resolved[text] = key  # the page shows the row found, as if it had been picked
        return super().to_python(key)

    def prepare_value(self, value):
        if isinstance(value, str) and value.strip() in self.resolved:
            return self.resolved[value.strip()]
        return super().prepare_value(value)


SPLIT = re.compile(r"[、，,;；\s]+")


class PickerMultipleWidget(forms.Widget):
    """Several choices: the SMALL choices or fewer as a <select multiple> (one query); more, as a <select
    multiple> holding only the chosen rows (one more query), which app.js makes a searchable remote box, and
    — for a browser without JavaScript — a text box beside it where names are typed, separated by 、."""

    allow_multiple_selected = True

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.field = None  # set by PickerMultipleField

    def value_from_datadict(self, data, files, name):
        getter = getattr(data, "getlist", None)
        return getter(name) if getter else data.get(name)

    def value_omitted_from_data(self, data, files, name):
        return False  # an empty <select multiple> sends nothing

    def format_value(self, value):
        if value is None:
            return []
        values = value if isinstance(value, (list, tuple)) else [value]
        return ["" if v is None else str(v).strip() for v in values]

    def render(self, name, value, attrs=None, renderer=None):
        field = self.field
        picker, qs = field.picker, field.queryset
        attrs = _swap_class(self.build_attrs(self.attrs, attrs), "form-control", "form-select")
        values = self.format_value(value)
        ids = list(dict.fromkeys(v for v in values if v.isdigit()))
        typed = "、".join(v for v in values if v and not v.isdigit())
        found = rows(picker, qs, SMALL + 1)
        small = len(found) <= SMALL
        if not small:
            labels = dict(rows(picker, qs.filter(pk__in=ids), len(ids))) if ids else {}
            found = [(k, labels[k]) for k in ids if k in labels]
            attrs["data-picker"] = field.picker_url()
        chosen = set(ids)
        html = "".join(
            f'<option value="{escape(k)}"{" selected" if k in chosen else ""}>{escape(t)}</option>'
            for k, t in found
        )
        box = f'<select name="{escape(name)}"{flatatt(attrs)} multiple>{html}</select>'
        if not small:
            box += (
                f'<noscript><input type="text" name="{escape(name)}" value="{escape(typed)}" '
                f'class="form-control mt-1" aria-label="输入{escape(picker.noun)}名称添加" '
                f'placeholder="输入{escape(picker.noun)}名称添加，多个用“、”分隔"></noscript>'
            )
        return mark_safe(box)


class PickerMultipleField(forms.ModelMultipleChoiceField):
    """Several of a registered picker's rows for one user (`field.for_user(user, **scope)`): ids from the
    box, or names typed without JavaScript (each must name exactly one row)."""

    widget = PickerMultipleWidget

    def __init__(self, picker: str, **kw):
        self.picker = get(picker)
        kw.setdefault("queryset", self.picker.queryset(None).none())
        super().__init__(**kw)
        self.error_messages["invalid_choice"] = f"所选{self.picker.noun}无效或不在您的范围内。"
        self.error_messages["invalid_pk_value"] = f"所选{self.picker.noun}无效或不在您的范围内。"
        self.widget.field = self
        self.resolved: dict[str, list[str]] = {}

    def __deepcopy__(self, memo):
        result = super().__deepcopy__(memo)
        result.widget.field, result.resolved = result, {}
        return result

    for_user = PickerField.for_user
    picker_url = PickerField.picker_url

    def clean(self, value):
        if value is not None and not isinstance(value, (list, tuple)):
            value = [value]
        ids: list[str] = []
        for v in value or ():
            text = str(v).strip()
            if text.isdigit():
                ids.append(text)
            elif text:
                keys = [by_name(self.picker, self.queryset, part) for part in SPLIT.split(text) if part]
                self.resolved[text] = keys
                ids += keys
        return super().clean(list(dict.fromkeys(ids)))

    def prepare_value(self, value):
        if isinstance(value, (list, tuple)):
            out = []
            for v in value:
                key = v.strip() if isinstance(v, str) else v
                out += self.resolved.get(key, [key]) if isinstance(key, str) else [super().prepare_value(v)]
            return out
        return super().prepare_value(value)


def standalone(name: str, user, *, empty_label: str | None = None) -> PickerField:
    """A picker for a page's own little filter (no form): `resolve` what was asked, then
    `field.widget.render(field_name, pk, attrs=…)` — the <select> or the searchable box."""
    field = PickerField(name, required=False, empty_label=empty_label)
    field.for_user(user)
    return field


def resolve(field: PickerField, wanted: str) -> tuple[str, str]:
    """(the id asked for, "" if none; a message if a name typed without JavaScript named no single row).
    An id is passed on as given: the page's own query scopes it."""
    wanted = (wanted or "").strip()
    if not wanted or wanted.isdigit():
        return wanted, ""
    try:
        return str(field.to_python(wanted).pk), ""
    except forms.ValidationError as exc:
        return "", exc.messages[0]


# --------------------------------------------------------------------------- the core's own pickers


def _units(user) -> QuerySet:
    from .models import HandlingUnit

    qs = HandlingUnit.objects.order_by("organisation__path", "order", "pk")
    return qs.none() if user is None else qs.filter(org_scope_q(user), is_active=True)


register(Picker("units", _units, search_fields=("name", "short_name"), noun="承办单位"))
