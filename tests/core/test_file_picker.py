"""Every file input speaks Chinese (issue 15): Chromium's own "Choose File / No file chosen" follows the
browser's locale, so every <input type="file"> of the site is drawn by one widget template
(zhengxie/templates/django/forms/widgets/file.html, settings.FORM_RENDERER): the real input, invisible over a
box saying 「选择文件」 and 「未选择文件」 (js/filepicker.js puts the chosen name or 「已选 N 个文件」 there)."""

import re
from pathlib import Path

import pytest
from django import forms
from django.template import Context, Template
from django.template.base import Lexer, TokenType
from django.test import Client
from django.utils import timezone

from tests.filepicker import FILE_INPUT, assert_picker
from zhengxie.performance.acts import PUBLIC_WELFARE

ROOT = Path(__file__).resolve().parents[2] / "zhengxie"
WIDGET = ROOT / "templates" / "django" / "forms" / "widgets" / "file.html"


def _form_classes():
    import zhengxie.urls  # noqa: F401  (every view module, and so every form class, is imported)

    seen, todo = [], [forms.BaseForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("zhengxie.") and sub not in seen:
                seen.append(sub)
    return seen


def test_every_file_field_of_every_form_renders_the_chinese_picker():
    from zhengxie.handling import forms as handling_forms
    from zhengxie.handling import kinds

    fields = [
        (f"{cls.__module__}.{cls.__name__}.{name}", name, field)
        for cls in _form_classes()
        for name, field in cls.base_fields.items()
        if isinstance(field, forms.FileField)
    ]
    # The reply's file field is added per case, as its kind says (one letter, or several files).
    fields += [
        (f"handling:{k.name}", "letter", handling_forms._file_field(k, required=True, later=False))
        for k in kinds.KINDS.values()
    ]
    names = {label.rsplit(".", 1)[0].rsplit(".", 1)[-1] + "." + name for label, name, _ in fields}
    # The ones that exist today, of each kind: several files, one photo, a form without Bootstrap classes.
    assert {"ProposalForm.attachments", "PublicForm.photos", "FindingForm.photo", "ImportForm.file"} <= names
    assert len(fields) >= 20, names
    for label, name, field in fields:
        widget = field.widget
        html = widget.render(name, None, attrs={"id": f"id_{name}"})
        assert "选择文件" in html, label
        assert_picker(html, name, multiple=widget.allow_multiple_selected, accept=widget.attrs.get("accept"))


def test_required_size_and_other_classes_stay_on_the_input_or_move_to_its_box():
    class Form(forms.Form):
        paper = forms.FileField(label="材料", help_text="PDF")
        small = forms.FileField(
            label="小",
            required=False,
            widget=forms.ClearableFileInput(attrs={"class": "form-control form-control-sm flex-grow-1"}),
        )

    bound = Form(data={}, files={})
    assert not bound.is_valid()
    p = assert_picker(str(bound["paper"]), "paper")
    # required and the error state stay on the real input; the help text stays described too.
    assert re.search(r'<input type="file" name="paper"[^>]* required', p)
    assert (
        'aria-invalid="true"' in p
        and 'aria-describedby="id_paper_helptext id_paper_error id_paper_chosen"' in p
    )
    s = assert_picker(str(bound["small"]), "small")
    assert s.startswith('<div class="file-picker flex-grow-1" data-file-picker>')
    assert 'class="input-group input-group-sm file-picker-box"' in s and 'class="file-picker-input"' in s
    assert " required" not in s


def test_file_input_tag_renders_the_same_picker():
    html = Template(
        '{% load filepicker %}{% file_input "photos" class="form-control" id="id_photos" accept="image/*" '
        'capture="environment" multiple=True required=False %}'
    ).render(Context())
    p = assert_picker(html, "photos", multiple=True, accept="image/*")
    assert 'capture="environment"' in p and " required" not in p


def test_no_template_writes_a_file_input_of_its_own():
    """Outside the widget template, templates use a form field or {% file_input %}; Python writes none."""
    bare = []
    for path in sorted(ROOT.rglob("templates/**/*.html")):
        if path == WIDGET:
            continue
        for token in Lexer(path.read_text(encoding="utf-8")).tokenize():
            if token.token_type == TokenType.TEXT and FILE_INPUT.search(token.contents):
                bare.append(f"{path.relative_to(ROOT)}:{token.lineno}")
    for path in sorted(ROOT.rglob("*.py")):
        if "migrations" not in path.parts and FILE_INPUT.search(path.read_text(encoding="utf-8")):
            bare.append(str(path.relative_to(ROOT)))
    assert not bare, bare


@pytest.mark.django_db
def test_pages_of_each_kind_show_the_picker(client_for):
    # includes/form.html, sent back with an error: the message, what was typed, and the picker again.
    c = client_for("member1")
    archive = c.get("/performance/me/", follow=True)
    assert_picker(archive.content.decode(), "evidence", accept=".jpg,.jpeg,.png,.pdf,.docx")
    page = c.post(
        archive.redirect_chain[-1][0],
        {
            "act": PUBLIC_WELFARE,
            "occurred_on": timezone.localdate().isoformat(),
            "description": "敬老院志愿服务",
        },
    ).content.decode()
    assert (
        "请上传佐证材料" in page
        and "敬老院志愿服务" in page
        and re.search(rf'<option value="{PUBLIC_WELFARE}" selected>', page)
    )
    p = assert_picker(page, "evidence", accept=".jpg,.jpeg,.png,.pdf,.docx")
    assert 'aria-invalid="true"' in p
    assert '<label class="form-label" for="id_evidence">' in page
    # A form with its own field layout (several files).
    assert_picker(c.get("/proposals/new/").content.decode(), "attachments", multiple=True)
    # members/_fields.html, a form without Bootstrap's classes.
    assert_picker(client_for("admin").get("/manage/members/import/").content.decode(), "file", accept=".xlsx")
    # Every page loads the picker's style and script.
    assert "/static/css/filepicker.css" in page and "/static/js/filepicker.js" in page


@pytest.mark.django_db
def test_the_public_page_without_bootstrap_shows_the_picker():
    html = Client().get("/p/demo-county/").content.decode()
    assert_picker(html, "photos", multiple=True, accept="image/png,image/jpeg")
    assert "/static/css/filepicker.css" in html and "/static/js/filepicker.js" in html
