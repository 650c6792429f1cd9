"""撰写助手: each rule fires on a text with the problem and stays silent on a good one (the demo's real
proposal texts and the taidi2020 messages where present); advice never blocks a submission (pages and API);
the public check shows published answers only, no personal data, and is rate-limited; constant queries."""

from __future__ import annotations

import io

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhengxie.core.models import Organisation
from zhengxie.drafting import advice as A
from zhengxie.drafting import attachments as files
from zhengxie.opinions.models import Opinion
from zhengxie.proposals import demo as proposals_demo
from zhengxie.proposals.models import Proposal
from zhengxie.suggestions import services as suggestions
from zhengxie.suggestions.models import Suggestion

GOOD = proposals_demo.TOPICS[0]  # (category, title, reasons, suggestions, ...): a real demo proposal
TWO = (
    "一、城关小学门口上下学时段车辆拥堵，建议教育局增开校车线路、错峰放学。\n"
    "二、青川河城区段污水直排，黑臭明显，建议环保部门尽快整治排污口。"
)


def codes(items):
    return {a.code if hasattr(a, "code") else a["code"] for a in items}


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


# --- the rules, without a database --------------------------------------------------------------------


def test_good_demo_proposals_raise_no_warning():
    for _cat, title, reasons, sugg, *_ in proposals_demo.TOPICS:
        found = A.check("proposal", title=title, reasons=reasons, suggestions=sugg)
        assert not [a for a in found if a.level == A.WARNING], (title, found)


def test_title_form_fires_with_a_rewritten_title_and_is_silent_on_the_right_form():
    found = A.check("proposal", title="加快城区停车场建设", reasons=GOOD[2], suggestions=GOOD[3])
    title = [a for a in found if a.code == "title_form"]
    assert title and title[0].level == A.WARNING and title[0].fix == "关于加快城区停车场建设的建议"
    assert A.title_fix("城区停车难问题") == "关于解决城区停车难问题的建议"
    assert A.title_fix("农村留守老人看病难问题亟待关注") == "关于解决农村留守老人看病难问题的建议"
    assert "title_form" not in codes(A.check("proposal", title=GOOD[1], reasons=GOOD[2], suggestions=GOOD[3]))
    # A citizen is never asked for the 关于……的建议 form.
    assert "title_form" not in codes(A.check("suggestion", title="学校门口早高峰拥堵", content=TWO))


def test_no_concrete_suggestion():
    only_problem = "城关小学门口每天早上七点半车辆拥堵严重，家长和学生通行困难，存在安全隐患。"
    assert "no_suggestion" in codes(A.check("suggestion", title="学校门口拥堵", content=only_problem))
    asked = only_problem + "希望交警部门在早高峰派人疏导，并设置临时停车点。"
    assert "no_suggestion" not in codes(A.check("suggestion", title="学校门口拥堵", content=asked))
    found = A.check("proposal", title=GOOD[1], reasons=GOOD[2], suggestions="高度关注，问题非常突出。")
    assert "no_suggestion" in codes(found)
    # A citizen's real question asks for something; a rhetorical one does not.
    assert A.actionable("请问城关小学的校车什么时候开通？", questions=True)
    assert not A.actionable("难道就没有人管吗？", questions=True)


def test_two_matters_in_one_fires_on_unrelated_items_and_not_on_one_matter():
    found = A.check("proposal", title="关于改善民生的建议", reasons=GOOD[2], suggestions=TWO)
    two = [a for a in found if a.code == "two_matters"]
    assert two and two[0].level == A.WARNING and "一事一案" in two[0].message
    for _cat, title, reasons, sugg, *_ in proposals_demo.TOPICS:  # every demo proposal is one matter
        assert "two_matters" not in codes(A.check("proposal", title=title, reasons=reasons, suggestions=sugg))


def test_lengths_and_required_parts():
    found = A.check("proposal", title="关于加强乡村学校教师队伍建设的建议", reasons="", suggestions="")
    assert {"reasons_missing", "suggestions_missing"} <= codes(found)
    assert "over_limit" in codes(
        A.check("opinion", title="关于x的建议", content="情况" * 900, max_chars=1500)
    )
    assert "too_short" in codes(A.check("suggestion", title="路灯坏了", content="路灯坏了"))


def _docx(text: str) -> bytes:
    import docx

    d = docx.Document()
    if text:
        d.add_paragraph(text)
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


class _Att:
    """What attachments.advise reads of an Attachment: its name, type and stored bytes."""

    def __init__(self, name, data, mime, pk=1):
        self.pk, self.original_name, self.mime_type, self._data = pk, name, mime, data

    @property
    def file(self):
        data = self._data

        class F:
            def open(self, mode):
                return io.BytesIO(data)

        return F()


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def test_attachments_that_are_not_what_they_claim():
    body = GOOD[2] + GOOD[3]
    assert codes(files.advise([_Att("调研报告.png", PNG, "image/png")], body)) == {
        "attachment_image_as_document"
    }
    assert codes(files.advise([_Att("现场照片.png", PNG, "image/png")], body)) == set()
    assert codes(files.advise([_Att("调研报告.docx", _docx(""), DOCX)], body)) == {"attachment_empty"}
    assert codes(files.advise([_Att("提案.docx", _docx(body), DOCX)], body)) == {"attachment_repeats_body"}
    assert codes(files.advise([_Att("调研报告.docx", _docx("走访了三所学校，" * 30), DOCX)], body)) == set()
    assert codes(files.advise([_Att("调研报告.pdf", PNG, "application/pdf")], body)) == {
        "attachment_mismatch",
        "attachment_image_as_document",
    }
    assert codes(files.advise([_Att("报告.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")], body)) == {
        "attachment_unreadable"
    }


# --- service, pages and API -----------------------------------------------------------------------------


def test_api_check_returns_advice_and_earlier_proposals_with_reply_and_rating(api_for, db):
    rated = Proposal.objects.filter(case__evaluations__isnull=False).select_related("session").first()
    assert rated is not None, "the demo has rated proposals"
    r = api_for("member1").post(
        "/api/v1/drafting/check",
        {"kind": "proposal", "title": rated.title.replace("关于", "").replace("的建议", ""), "content": TWO},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    data = r.json()
    assert "title_form" in codes(data["advice"])
    hit = [s for s in data["similar"] if s["id"] == rated.pk]
    assert hit and hit[0]["rating"] and hit[0]["year"] == rated.session.year


def test_api_check_permissions_and_bad_input(api_for, db, user):
    def post(who, body):
        return api_for(who).post("/api/v1/drafting/check", body, content_type="application/json")

    assert post("handler1", {"kind": "proposal", "title": "x"}).status_code == 403
    assert post("member1", {"kind": "nonsense", "title": "x"}).status_code == 422
    # Someone else's attachment: 404, never its advice.
    from zhengxie.core.models import Attachment

    other = Attachment.objects.exclude(uploaded_by=user("member1")).first()
    if other is not None:
        r = post("member1", {"kind": "proposal", "title": "关于x的建议", "attachment_ids": [other.pk]})
        assert r.status_code == 404


def test_proposal_submit_shows_the_advice_then_goes_on(client_for, user):
    c = client_for("member1")
    r = c.post(
        reverse("proposals:create"),
        {
            "title": "改善民生",
            "category": "科教文卫",
            "kind": "individual",
            "reasons": GOOD[2],
            "suggestions": TWO,
            "action": "submit",
        },
    )
    assert r.status_code == 200 and "advice-confirm" in r.content.decode()
    p = Proposal.objects.get(title="改善民生")
    assert p.status == Proposal.Status.DRAFT  # saved: going back keeps everything typed
    assert c.get(reverse("proposals:edit", args=[p.pk])).content.decode().count(TWO.splitlines()[0]) >= 1
    r = c.post(
        reverse("proposals:submit", args=[p.pk]), {"confirm_similar": "1", "confirm_single_matter": "1"}
    )
    p.refresh_from_db()
    assert r.status_code == 302 and p.status == Proposal.Status.SUBMITTED  # advice never blocks


def test_opinion_submit_shows_the_advice_then_goes_on(client_for):
    c = client_for("member1")
    r = c.post(
        reverse("opinions:create"),
        {"title": "几点情况反映", "content": TWO, "category": "医疗卫生", "action": "submit"},
    )
    o = Opinion.objects.get(title="几点情况反映")
    assert r.status_code == 200 and "two_matters" in r.content.decode() and o.status == "draft"
    r = c.post(reverse("opinions:submit", args=[o.pk]), {"confirm_advice": "1"})
    o.refresh_from_db()
    assert r.status_code == 302 and o.status == "submitted"


def test_panel_while_typing(client_for):
    c = client_for("member1")
    r = c.post(reverse("drafting:panel"), {"kind": "opinion", "title": "几点情况反映", "content": TWO})
    assert r.status_code == 200 and 'data-code="two_matters"' in r.content.decode()
    assert c.post(reverse("drafting:panel"), {"kind": "opinion"}).content.decode().strip() == ""
    assert (
        client_for("handler1").post(reverse("drafting:panel"), {"kind": "proposal", "title": "x"}).status_code
        == 403
    )


def test_panel_queries_do_not_grow_with_the_hits(client_for, django_assert_max_num_queries):
    c = client_for("member1")
    data = {"kind": "proposal", "title": "关于加强乡村学校教师队伍建设的建议", "suggestions": TWO}
    c.post(reverse("drafting:panel"), data)
    with CaptureQueriesContext(connection) as few:
        c.post(reverse("drafting:panel"), {**data, "title": "乡村教师"})
    with django_assert_max_num_queries(len(few) + 3):
        r = c.post(reverse("drafting:panel"), data)
    assert r.status_code == 200


# --- the public page ------------------------------------------------------------------------------------


@pytest.fixture
def county(db):
    return Organisation.objects.get(code="demo-county")


def _public(client, county, **body):
    return client.post(
        "/api/v1/public/drafting/check",
        {"organisation_id": county.pk, **body},
        content_type="application/json",
        REMOTE_ADDR="10.9.9.9",
    )


def test_public_check_lists_published_answers_only_and_no_personal_data(client, county):
    published = Suggestion.objects.filter(organisation=county, published=True).first()
    assert published is not None
    secret = suggestions.submit(
        organisation=county,
        title=published.title,
        content=published.content,
        name="王秘密",
        phone="13800001234",
        consent=True,
        ip="10.0.0.8",
    )
    r = _public(client, county, title=published.title, content=published.content)
    assert r.status_code == 200
    data = r.json()
    ids = {s["id"] for s in data["similar"]}
    assert published.pk in ids and secret.pk not in ids
    assert all(Suggestion.objects.get(pk=i).published for i in ids)
    text = r.content.decode()
    assert "王秘密" not in text and "13800001234" not in text


def test_public_check_is_rate_limited_and_size_limited(client, county):
    from zhengxie.core import orgsettings

    limit = int(orgsettings.get(county, "public.check_per_hour"))
    for _ in range(limit):
        assert _public(client, county, title="路灯", content="路灯坏了").status_code == 200
    r = _public(client, county, title="路灯", content="路灯坏了")
    assert r.status_code == 429 and "检查过于频繁" in r.json()["detail"]
    cache.clear()
    assert _public(client, county, title="x" * 101, content="y").status_code == 422


def test_public_page_check_keeps_what_was_typed_and_never_submits(client, county):
    before = Suggestion.objects.count()
    url = reverse("public:landing", args=[county.code])
    typed = "城关镇人民路的路灯坏了半个月，晚上很黑，老人出门不方便。"
    r = client.post(url, {"action": "check", "title": "路灯坏了", "content": typed})
    body = r.content.decode()
    assert r.status_code == 200 and typed in body and 'data-code="no_suggestion"' in body
    r = client.post(url, {"action": "check", "title": "路灯坏了", "content": "x"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and 'id="check-result"' in r.content.decode()
    assert Suggestion.objects.count() == before
    # Submitting with advice pending is not blocked.
    r = client.post(url, {"title": "路灯坏了", "content": "城关镇人民路的路灯坏了。", "consent": "on"})
    assert r.status_code == 200 and Suggestion.objects.count() == before + 1


def test_unpublishing_takes_an_answer_out_of_the_public_check(client, county, user):
    published = Suggestion.objects.filter(organisation=county, published=True).first()
    suggestions.publish(user=user("office"), suggestion=published, published=False)
    r = _public(client, county, title=published.title, content=published.content)
    assert published.pk not in {s["id"] for s in r.json()["similar"]}
