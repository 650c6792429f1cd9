"""A list of checkboxes or radios in a Bootstrap form is a list of small boxes, each before its label: with
`form-control` on every box they stretched across the page as empty bars (本次完成的节点 on a key task,
执笔人 of a research report)."""

from django import forms
from django.template.loader import render_to_string

from zhengxie.core.forms import BootstrapFormMixin


class _Form(BootstrapFormMixin, forms.Form):
    done = forms.MultipleChoiceField(
        label="本次完成的节点",
        choices=[("1", "收集报告"), ("2", "编印成册")],
        widget=forms.CheckboxSelectMultiple,
    )
    pick = forms.ChoiceField(label="方式", choices=[("a", "甲"), ("b", "乙")], widget=forms.RadioSelect)
    note = forms.CharField(label="说明")


def test_checkbox_and_radio_lists_render_as_check_inputs_under_their_label():
    html = render_to_string("includes/form.html", {"form": _Form()})
    for name in ("done", "pick"):
        for i in (0, 1):
            tag = html.split(f'id="id_{name}_{i}"')[0].rsplit("<input", 1)[1]
            assert 'class="form-check-input me-1"' in tag, tag
    assert html.index("本次完成的节点") < html.index('id="id_done_0"')
    assert 'class="form-control" required id="id_note"' in html
