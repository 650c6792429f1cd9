"""Form fields the modules share: several files under one name (proposal attachments, 微建议 photos, a
unit's 整改佐证). The field only collects the files; each module checks them by their content
(core.uploads.validate) in its form or service."""

from __future__ import annotations

from django import forms


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A list of the files chosen (empty entries dropped); `required` asks for at least one."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        one = super().clean
        items = [d for d in (data if isinstance(data, (list, tuple)) else [data]) if d]
        if not items:
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return []
        return [one(d, initial) for d in items]
