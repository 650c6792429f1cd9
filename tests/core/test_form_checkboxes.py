"""A list of checkboxes or radios in a Bootstrap form is a list of small boxes, each before its label: with
`form-control` on every box they stretched across the page as empty bars (本次完成的节点 on a key task,
执笔人 of a research report), and with the box's class on the list itself the list shrank to one box and
hid its labels."""

import re

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


def test_checkbox_and_radio_lists_render_as_check_inputs_each_before_its_label():
    html = render_to_string("includes/form.html", {"form": _Form()})
    for name, labels in (("done", ("收集报告", "编印成册")), ("pick", ("甲", "乙"))):
        for i, label in enumerate(labels):
            assert re.search(
                rf'<div class="form-check"><input type="(checkbox|radio)" name="{name}" value="[^"]+" '
                rf'class="form-check-input me-1"[^>]*id="id_{name}_{i}"[^>]*>'
                rf'<label class="form-check-label" for="id_{name}_{i}">{label}</label></div>',
                html,
            ), html
    # Only the boxes carry the box's class: never the list around them.
    assert html.count("form-check-input") == 4
    assert html.index("本次完成的节点") < html.index('id="id_done_0"')
    assert 'class="form-control" required id="id_note"' in html
