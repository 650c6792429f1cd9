"""The site's one file input (issue 15): django/forms/widgets/file.html draws every one of them.

settings.FORM_RENDERER reads the project's templates before Django's, so a form field's file widget (FileInput,
ClearableFileInput, core.formfields.MultipleFileInput) renders there; a template that writes its own input (no
form field behind it) uses `{% file_input %}`, which renders a widget through the same template."""

from django import forms, template

from zhengxie.core.formfields import MultipleFileInput

register = template.Library()


@register.filter
def file_picker(widget: dict) -> dict:
    """The picker's parts from a file widget's context: the real input's attributes (its Bootstrap look moves
    to the visible box, which it describes: aria-describedby), the size and any other classes (w-auto ...)
    for the wrapper."""
    attrs = dict(widget["attrs"])
    classes = attrs.pop("class", "").split()
    chosen = f"{attrs['id']}_chosen" if attrs.get("id") else ""
    if chosen:
        attrs["aria-describedby"] = " ".join(x for x in (attrs.get("aria-describedby"), chosen) if x)
    attrs["class"] = "file-picker-input"
    return {
        "attrs": attrs,
        "chosen_id": chosen,
        "small": "form-control-sm" in classes,
        "wrapper": " ".join(c for c in classes if not c.startswith("form-control")),
    }


@register.simple_tag
def file_input(name, **attrs):
    """A file input in a template without a form field behind it, e.g. `{% file_input "photos" id="id_photos"
    accept="image/*" multiple=True aria_label="现场照片" %}` (aria_label → aria-label; False/None left out)."""
    attrs = {k.replace("_", "-"): v for k, v in attrs.items() if v is not None and v is not False}
    widget = MultipleFileInput() if attrs.get("multiple") else forms.FileInput()
    return widget.render(name, None, attrs)
