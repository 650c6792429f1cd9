"""Issue 15: the 答复函 template (.docx) a handling unit downloads, filled with the proposal's number, title,
proposers and the unit, on the A4 公文 page; only the assigned units and the proposal office get it."""

import io

import pytest
from django.urls import reverse

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _doc(content: bytes):
    from docx import Document

    return Document(io.BytesIO(content))


def _text(doc) -> str:
    return "\n".join(p.text for p in doc.paragraphs)


@pytest.fixture
def joint(proposal_in):
    """A joint proposal (member1 with member2) in handling: 县教育局 leads (handler1), 县住建局 会办 (handler2)."""
    return proposal_in("handling", author="member1", cosigners=["member2"], co=["住建局"])


def test_the_lead_unit_downloads_the_filled_template_from_the_proposal_page(joint, client_for, user):
    c = client_for("handler1")
    page = c.get(reverse("proposals:detail", args=[joint.pk])).content.decode()
    url = reverse("proposals:reply_template", args=[joint.pk])
    assert 'id="btn-reply-template"' in page and url in page

    r = c.get(url)
    assert r.status_code == 200 and r["Content-Type"] == DOCX
    assert (
        "attachment" in r["Content-Disposition"] and "%E7%AD%94%E5%A4%8D%E5%87%BD" in r["Content-Disposition"]
    )
    doc = _doc(r.content)
    text = _text(doc)
    number = f"第{joint.number:04d}号"
    title = f"关于政协{joint.session.name}{number}提案的答复"
    lines = [p.text for p in doc.paragraphs]
    assert title in lines and doc.core_properties.title == title
    m1, m2 = user("member1").member.name, user("member2").member.name
    assert f"{m1}、{m2}委员：" in lines
    assert f"你们提出的《{joint.title}》" in text and number in text
    assert "答复类别：□A类　□B类　□C类" in text and "签发人：" in text
    assert lines.count("县教育局") == 2  # the letterhead and the signature
    assert "（盖章）" in lines and "年　　月　　日" in text
    assert f"承办人：{user('handler1').name}" in text and "联系电话：" in text
    assert "抄送：政协青川县委员会提案委员会。" in lines
    assert "A类：所提问题已经解决或基本解决" in text  # the note explains the classes
    # The official page: A4, 公文 margins, 仿宋_GB2312 body and page numbers.
    section = doc.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    assert round(section.top_margin.cm, 1) == 3.7 and round(section.left_margin.cm, 1) == 2.8
    assert doc.styles["Normal"].font.name == "仿宋_GB2312"
    assert "PAGE" in section.footer.paragraphs[0]._p.xml


def test_the_reply_page_and_the_unit_inbox_offer_the_template(joint, client_for):
    url = reverse("proposals:reply_template", args=[joint.pk])
    c = client_for("handler1")
    reply_page = c.get(reverse("proposals:action", args=[joint.pk, "reply"])).content.decode()
    assert 'id="reply-template-link"' in reply_page and url in reply_page
    assert f"《关于政协{joint.session.name}第{joint.number:04d}号提案的答复》" in reply_page
    inbox = c.get(reverse("handling:inbox") + "?kind=proposal").content.decode()
    assert url in inbox and "答复函模板" in inbox
    # The 会办 unit sends a 会办意见, not a reply: its inbox row has no template link.
    assert (
        url not in client_for("handler2").get(reverse("handling:inbox") + "?kind=proposal").content.decode()
    )


def test_a_single_proposers_template_and_the_offices_copy(proposal_in, client_for, user):
    p = proposal_in("assigned", author="member1", title="关于加强乡村学校教师队伍建设的建议")
    doc = _doc(client_for("staff").get(reverse("proposals:reply_template", args=[p.pk])).content)
    lines = [x.text for x in doc.paragraphs]
    assert f"{user('member1').member.name}委员：" in lines
    assert "您提出的《关于加强乡村学校教师队伍建设的建议》" in _text(doc)
    # The office is no unit: the letterhead names the lead unit, 承办人 is left to fill in.
    assert lines.count("县教育局") == 2 and "承办人：　　　　" in _text(doc)


def test_only_the_assigned_units_and_the_office_get_it(joint, client_for, proposal_in):
    url = reverse("proposals:reply_template", args=[joint.pk])
    for username in ("handler1", "unithead1", "handler2", "staff"):
        assert client_for(username).get(url).status_code == 200, username
    for username in ("member1", "member2", "leader", "info", "citystaff", "other"):
        assert client_for(username).get(url).status_code == 404, username
    assert (
        'id="btn-reply-template"'
        not in client_for("member1").get(reverse("proposals:detail", args=[joint.pk])).content.decode()
    )
    # Before it is registered there is no number to reply to.
    submitted = proposal_in("submitted", author="member1")
    assert (
        client_for("staff").get(reverse("proposals:reply_template", args=[submitted.pk])).status_code == 404
    )


def test_the_api_gives_the_same_file_to_the_same_people(joint, api_for):
    path = f"/api/v1/proposals/{joint.pk}/reply-letter-template"
    r = api_for("handler1").get(path)
    assert r.status_code == 200 and r["Content-Type"] == DOCX
    assert f"关于政协{joint.session.name}第{joint.number:04d}号提案的答复" in _text(_doc(r.content))
    assert api_for("staff").get(path).status_code == 200
    for username in ("member1", "leader", "other"):
        r = api_for(username).get(path)
        assert r.status_code == 404 and r.json()["detail"], username
