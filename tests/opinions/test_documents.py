"""The official issue of 《社情民意》: .docx (read back with python-docx) and PDF."""

import io
import re

import pytest
from docx import Document

from tests.proposals.test_documents import pdf_text
from zhengxie.opinions import documents, services
from zhengxie.opinions.models import OpinionIssue

pytestmark = pytest.mark.django_db


def docx_text(data: bytes) -> list[str]:
    return [p.text for p in Document(io.BytesIO(data)).paragraphs]


def pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b(?!s)", pdf))


def published(issue):
    return OpinionIssue.objects.select_related("organisation").get(pk=issue.pk)


def test_cn_numbers():
    assert [documents.cn_number(n) for n in (1, 2, 9, 10, 11, 20, 21, 99, 100, 101, 110, 115)] == [
        "一",
        "二",
        "九",
        "十",
        "十一",
        "二十",
        "二十一",
        "九十九",
        "一百",
        "一百零一",
        "一百一十",
        "一百一十五",
    ]


def test_special_issue_docx_has_the_red_masthead_number_signer_and_item(opinion_in, user):
    o = opinion_in("accepted", co_authors=["member2"])
    services.opinion_edit(
        user=user("info"),
        opinion=o,
        edited_content="第一段：偏远乡镇看病难。\n第二段：建议推广巡回医疗。",
    )
    info = user("info")
    issue = services.issue_create(
        user=info, kind="special", opinion_ids=[o.pk], signer="陈志远", recipients="县委、县政府"
    )
    services.issue_publish(user=info, issue=issue)
    issue = published(issue)
    lines = docx_text(documents.issue_docx(issue))
    text = "\n".join(lines)
    assert lines[0] == "社情民意专报"
    assert f"{issue.year}年第{issue.number}期" in lines
    assert "政协青川县委员会办公室" in text
    assert "签发人：陈志远" in lines
    o.refresh_from_db()
    assert o.display_title in lines  # the published (edited) title, without a number
    assert "第一段：偏远乡镇看病难。" in lines and "第二段：建议推广巡回医疗。" in lines
    names = "、".join(a.member.name for a in o.authors.all())
    assert f"（{names}委员 报送）" in lines
    assert "报：县委、县政府" in lines
    assert not any(line.startswith("一、") for line in lines)
    # The masthead's red colour and the red rule under the 签发人 line.
    doc = Document(io.BytesIO(documents.issue_docx(issue)))
    assert str(doc.paragraphs[0].runs[0].font.color.rgb) == "C00000"
    signer = next(p for p in doc.paragraphs if p.text.startswith("签发人"))
    assert 'w:color="C00000"' in signer._p.xml and "w:pBdr" in signer._p.xml


def test_digest_numbers_its_items_in_order(opinion_in, user):
    titles = ["关于乡村道路养护的建议", "关于校园周边交通安全的建议", "关于农贸市场改造的建议"]
    items = [opinion_in("accepted", title=t[2:-3]) for t in titles]
    info = user("info")
    for o, t in zip(items, titles, strict=True):
        services.opinion_edit(user=info, opinion=o, edited_title=t)
    # A body's item (民盟县委会) reports without a member.
    body = services.opinion_create(
        user=info, title="关于养老服务的建议", content="养老机构床位不足。", source_body="民盟县委会"
    )
    services.opinion_submit(user=info, opinion=body)
    services.opinion_review(user=info, opinion=body, decision="accept")
    order = [items[1].pk, body.pk, items[0].pk, items[2].pk]
    issue = services.issue_create(
        user=info, kind="digest", opinion_ids=order, signer="陈志远", recipients="市政协"
    )
    issue = published(issue)
    lines = docx_text(documents.issue_docx(issue))
    assert lines[0] == "社情民意摘报"
    numbered = [line for line in lines if re.match(r"^[一二三四五六七八九十]+、", line)]
    # 本期要目 and the items themselves, each in the issue's order.
    expected = [
        "一、关于校园周边交通安全的建议",
        "二、关于养老服务的建议",
        "三、关于乡村道路养护的建议",
        "四、关于农贸市场改造的建议",
    ]
    assert numbered == expected + expected
    assert "（民盟县委会 报送）" in lines
    assert "养老机构床位不足。" in lines
    assert "签发人：陈志远" in lines and "报：市政协" in lines


def test_pdf_of_a_ten_item_digest(opinion_in, user):
    info = user("info")
    ids = [opinion_in("accepted", title=f"第{n}条信息：乡村振兴中的问题").pk for n in range(10)]
    issue = services.issue_create(user=info, kind="digest", opinion_ids=ids, signer="陈志远")
    services.issue_publish(user=info, issue=issue)
    issue = published(issue)
    data = documents.issue_pdf(issue)
    assert data.startswith(b"%PDF")
    assert pages(data) > 0
    text = pdf_text(data)
    assert "社情民意摘报" in text and "签发人：陈志远" in text
    assert "十、关于第9条信息" in text  # the tenth item, numbered
    special = services.issue_create(user=info, kind="special", opinion_ids=[opinion_in("accepted").pk])
    assert documents.issue_pdf(published(special)).startswith(b"%PDF")


def test_documents_load_in_constant_queries(opinion_in, user, django_assert_max_num_queries):
    info = user("info")
    ids = [opinion_in("accepted", co_authors=["member2"]).pk for _ in range(4)]
    issue = published(services.issue_create(user=info, kind="digest", opinion_ids=ids, signer="陈志远"))
    with django_assert_max_num_queries(3):
        documents.issue_docx(issue)
    with django_assert_max_num_queries(3):
        documents.issue_pdf(issue)
    assert documents.filename(issue, "pdf") == f"社情民意摘报{issue.year}年第{issue.number}期.pdf"


def test_stored_control_characters_do_not_break_the_issue_docx_or_pdf(opinion_in, user, client_for):
    """Issue 14, finding 1: an item stored before the edge refused control characters (or restored from an
    old backup) still prints: the characters are left out (core.documents)."""
    from django.db import connection
    from django.urls import reverse

    from zhengxie.opinions.models import Opinion

    o = opinion_in("accepted")
    info = user("info")
    issue = services.issue_create(
        user=info, kind="special", opinion_ids=[o.pk], signer="陈志远", recipients="县委"
    )
    services.issue_publish(user=info, issue=issue)
    nul = "\x00" if connection.vendor == "sqlite" else ""  # PostgreSQL never held a NUL
    Opinion.objects.filter(pk=o.pk).update(
        edited_title=f"关于\x01留守{nul}老人的建议", edited_content="第一段\x0b：看病难。\n第二段\x1f。"
    )
    # The 专报's title is its item's (the default), stored alike.
    OpinionIssue.objects.filter(pk=issue.pk).update(title=f"关于\x01留守{nul}老人的建议")
    c = client_for("info")
    url = reverse("opinions:issue_document", args=[issue.pk])
    r = c.get(url)
    assert r.status_code == 200
    lines = docx_text(r.content)
    assert "关于留守老人的建议" in lines and "第一段：看病难。" in lines and "第二段。" in lines
    r = c.get(url, {"format": "pdf"})
    assert r.status_code == 200 and "关于留守老人的建议" in pdf_text(r.content)


def test_a_digest_prints_its_own_title_in_the_docx_and_the_pdf(opinion_in, user):
    """#9: a 摘报 composed under a title of its own (乡村振兴专题) printed only its items' titles."""
    info = user("info")
    ids = [opinion_in("accepted", title=f"乡村振兴中的问题之{n}").pk for n in range(2)]
    issue = services.issue_create(
        user=info, kind="digest", opinion_ids=ids, title="乡村振兴专题", signer="陈志远"
    )
    services.issue_publish(user=info, issue=issue)
    issue = published(issue)
    lines = docx_text(documents.issue_docx(issue))
    # Under the masthead block (after the 签发人 line), ahead of 本期要目 and the items.
    assert lines.index("乡村振兴专题") > lines.index("签发人：陈志远")
    assert lines.index("乡村振兴专题") < lines.index("本期要目")
    text = pdf_text(documents.issue_pdf(issue))
    assert text.index("乡村振兴专题") < text.index("本期要目")
    # The default title is the masthead itself: not printed twice.
    plain = published(
        services.issue_create(user=info, kind="digest", opinion_ids=[opinion_in("accepted").pk])
    )
    assert plain.title == "社情民意摘报"
    assert docx_text(documents.issue_docx(plain)).count("社情民意摘报") == 1


def test_a_special_report_is_headed_by_its_own_title_when_it_differs_from_its_items(opinion_in, user):
    """#9: a 专报 given a title of its own printed its item's title instead."""
    info = user("info")
    o = opinion_in("accepted", title="关于留守老人看病难的建议")
    issue = services.issue_create(
        user=info, kind="special", opinion_ids=[o.pk], title="乡村振兴专题之留守老人", signer="陈志远"
    )
    services.issue_publish(user=info, issue=issue)
    issue = published(issue)
    lines = docx_text(documents.issue_docx(issue))
    assert "乡村振兴专题之留守老人" in lines and "关于留守老人看病难的建议" not in lines
    assert lines.index("乡村振兴专题之留守老人") > lines.index("签发人：陈志远")
    text = pdf_text(documents.issue_pdf(issue))
    assert "乡村振兴专题之留守老人" in text and "关于留守老人看病难的建议" not in text
    # A draft 专报 headed by its item's title follows an edit of the item; its own title stays.
    item = opinion_in("accepted")
    draft = services.issue_create(user=info, kind="special", opinion_ids=[item.pk])
    services.opinion_edit(user=info, opinion=item, edited_title="关于留守老人就医的建议")
    draft.refresh_from_db()
    assert draft.title == "关于留守老人就医的建议"
    own_item = opinion_in("accepted")
    own = services.issue_create(user=info, kind="special", opinion_ids=[own_item.pk], title="专题：留守老人")
    services.opinion_edit(user=info, opinion=own_item, edited_title="另改的标题")
    own.refresh_from_db()
    assert own.title == "专题：留守老人"
    # The default title is the item's own: printed once, as before.
    plain = published(
        services.issue_create(user=info, kind="special", opinion_ids=[opinion_in("accepted").pk])
    )
    title = plain.title
    assert docx_text(documents.issue_docx(plain)).count(title) == 1
