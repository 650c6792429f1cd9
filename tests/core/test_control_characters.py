"""Issue 14, finding 1: control characters (C0 except tab, LF, CR) and lone surrogates are refused at the
edge, once, for every app (core.textguard): 422 JSON from the API, a message next to the field on a
form, the 400 page for a page's query string. (An export of rows stored before this still works:
tests/core/test_xlsx_text.py.) Run on both engines: a NUL was a 500 on PostgreSQL."""

import pytest
from django import forms
from django.urls import reverse

from tests.proposals.conftest import TEXT
from zhengxie.core.textguard import MESSAGE
from zhengxie.proposals.models import Proposal

API = "/api/v1/proposals"
J = "application/json"
BAD = ["\x00", "\x01", "\x08", "\x0b", "\x1f", "\ud800", "\udfff"]


def _draft(**over):
    return {**TEXT, "kind": "individual", "action": "save", **over}


@pytest.mark.parametrize("char", BAD)
def test_the_api_refuses_a_control_character_in_a_title(api_for, char):
    before = Proposal.objects.count()
    r = api_for("member1").post(API, {**TEXT, "title": f"关于{char}校园安全的提案"}, content_type=J)
    assert r.status_code == 422, r.content
    assert r.json() == {"detail": MESSAGE, "code": "control_characters", "field": "title"}
    assert Proposal.objects.count() == before


def test_a_lone_surrogate_escaped_in_json_is_refused(api_for):
    body = '{"title": "\\ud83d关于", "reasons": "x", "suggestions": "y", "category": "科教文卫"}'
    r = api_for("member1").post(API, body, content_type=J)
    assert r.status_code == 422 and r.json()["code"] == "control_characters"


def test_nested_values_keys_queries_and_paths_are_checked_too(api_for, user):
    c = api_for("member1")
    r = c.post(API, {**TEXT, "kind": "joint", "cosigner_ids": [1], "x\x02": 1}, content_type=J)
    assert r.status_code == 422 and r.json()["code"] == "control_characters"
    r = c.get(API, {"q": "学校\x00"})
    assert r.status_code == 422 and r.json()["field"] == "q"
    r = c.get(f"{API}/%01")
    assert r.status_code == 422 and r.json()["field"] == "path"


def test_tab_newline_and_carriage_return_are_text(api_for):
    r = api_for("member1").post(
        API, {**TEXT, "reasons": "一是\t二是\r\n三是\n" + TEXT["reasons"]}, content_type=J
    )
    assert r.status_code == 201, r.content


@pytest.mark.parametrize("char", BAD[:5])  # a browser cannot send a lone surrogate (not UTF-8)
def test_the_form_shows_the_message_next_to_the_field(client_for, char):
    before = Proposal.objects.count()
    r = client_for("member1").post(reverse("proposals:create"), _draft(title=f"关于{char}校园安全的提案"))
    assert r.status_code in (200, 422)
    assert MESSAGE in r.content.decode()
    assert Proposal.objects.count() == before


def test_every_form_text_field_refuses_them():
    class AnyForm(forms.Form):
        name = forms.CharField()
        note = forms.CharField(widget=forms.Textarea, required=False)

    form = AnyForm({"name": "张\x07三", "note": "ok\tok"})
    assert not form.is_valid()
    assert form.errors == {"name": [MESSAGE]}


def test_a_page_query_with_a_control_character_is_a_400_not_a_500(client_for):
    r = client_for("staff").get(reverse("proposals:list"), {"q": "学校\x00"})
    assert r.status_code == 400 and MESSAGE in r.content.decode()
