"""The supervised unit reads what it must rectify on its case page (事项材料): the 整改 item's text and the
group's evidence, and — when the group names it — the 问题清单 item it was drawn from with that problem's
evidence. It downloads exactly those files (its own case only; another unit, a member outside the group,
another county: 404) and still cannot open the group's page. The group, for its part, reads the unit's
reply and its 整改佐证 on the group's page next to the item it confirms."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhengxie.core.models import Role, User
from zhengxie.handling.services import flow
from zhengxie.supervision import selectors, services
from zhengxie.supervision.models import Item

pytestmark = pytest.mark.django_db


def jpeg(name="现场.jpg") -> SimpleUploadedFile:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 60)).save(out, format="JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def pdf(name="检查记录.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n%x\n", content_type="application/pdf")


def _handler(s) -> User:
    return User.objects.filter(handling_unit_id=s.unit_id, groups__name=Role.UNIT_HANDLER).first()


def _files(item):
    return list(selectors.evidence([item])[item.pk])


def test_the_unit_reads_the_requirement_the_problem_and_their_evidence(client_for, api_for, make_group, user):
    s = make_group()
    g = user("member2")
    problem = services.add_item(
        g, s, list="problem", content="窗口午间不办理业务，群众多次往返。", evidence=[jpeg()]
    )
    other = services.add_item(
        g, s, list="problem", content="另一问题（未交办）", evidence=[pdf("另一问题.pdf")]
    )
    hint = services.add_item(g, s, list="suggestion", content="建议推行延时服务", evidence=[pdf("建议.pdf")])
    item = services.add_item(
        g, s, list="rectification", content="实行午间不间断服务", evidence=[pdf()], problem=problem.pk
    )
    assert item.problem_id == problem.pk
    handler = _handler(s)
    unit = client_for(handler.username)
    html = unit.get(f"/handling/cases/{item.case_id}/").content.decode()
    assert 'id="materials"' in html
    assert "整改要求（整改清单第1项，附监督小组佐证材料1个）" in html and "实行午间不间断服务" in html
    assert "对应问题（问题清单第1项，附监督小组佐证材料1个）" in html and "窗口午间不办理业务" in html
    (p_photo,), (r_pdf,) = _files(problem), _files(item)
    assert f'<img src="/files/{p_photo.pk}/"' in html and f'href="/files/{r_pdf.pk}/"' in html
    assert "另一问题" not in html and "建议推行延时服务" not in html
    # Its own materials download; nothing else of the group's does, nor the group's page.
    assert unit.get(f"/files/{p_photo.pk}/").status_code == 200
    assert unit.get(f"/files/{r_pdf.pk}/").status_code == 200
    for f in _files(other) + _files(hint):
        assert unit.get(f"/files/{f.pk}/").status_code == 404
    assert unit.get(f"/supervision/{s.pk}/").status_code == 404
    # Another unit, a member outside the group, another county: none of it.
    for username in ("handler1", "member3", "other"):
        c = client_for(username)
        assert c.get(f"/files/{p_photo.pk}/").status_code == 404
        assert c.get(f"/files/{r_pdf.pk}/").status_code == 404
    # The API says the same.
    body = api_for(handler.username).get(f"/api/v1/handling/cases/{item.case_id}").json()
    assert [m["title"] for m in body["materials"]] == [
        "整改要求（整改清单第1项，附监督小组佐证材料1个）",
        "对应问题（问题清单第1项，附监督小组佐证材料1个）",
    ]
    assert body["materials"][1]["files"] == [
        {"name": "现场.jpg", "url": f"/files/{p_photo.pk}/", "is_image": True}
    ]


def test_a_rectification_without_a_problem_shows_its_own_materials_only(client_for, make_group, user):
    s = make_group()
    item = services.add_item(user("member2"), s, list="rectification", content="公开办事指南")
    html = client_for(_handler(s).username).get(f"/handling/cases/{item.case_id}/").content.decode()
    assert "整改要求（整改清单第1项）" in html and "对应问题" not in html


def test_the_problem_must_be_the_groups_own_problem(client_for, api_for, make_group, user, unit, county):
    from zhengxie.core.models import HandlingUnit

    s = make_group()
    hint = services.add_item(user("member2"), s, list="suggestion", content="建议")
    elsewhere = make_group(unit=HandlingUnit.objects.filter(organisation=county).exclude(pk=unit.pk).first())
    foreign = services.add_item(user("member2"), elsewhere, list="problem", content="别组问题")
    m = api_for("member2")
    for bad in (hint.pk, foreign.pk, 999999):
        r = m.post(
            f"/api/v1/supervisions/{s.pk}/items",
            {"list": "rectification", "content": "整改", "problem_id": bad},
            content_type="application/json",
        )
        assert r.status_code == 422 and r.json()["field"] == "problem"
        assert r.json()["detail"] == "对应问题须为本小组问题清单中的事项。"
    assert not Item.objects.filter(supervision=s, list="rectification").exists()
    # On the page: the form offers the group's problems once there are some, and keeps what was typed.
    c = client_for("member2")
    assert 'name="problem"' not in c.get(f"/supervision/{s.pk}/").content.decode()
    p = services.add_item(user("member2"), s, list="problem", content="窗口服务时间不足")
    html = c.get(f"/supervision/{s.pk}/").content.decode()
    assert f'<option value="{p.pk}">第1项：窗口服务时间不足</option>' in html
    r = c.post(
        f"/supervision/{s.pk}/items/",
        {"list": "rectification", "content": "延长服务时间", "problem": str(p.pk)},
    )
    assert r.status_code == 302
    i = Item.objects.get(supervision=s, list="rectification")
    assert i.problem_id == p.pk
    html = c.get(f"/supervision/{s.pk}/").content.decode()
    assert f'<a href="#item-{p.pk}" class="item-problem">对应问题清单第1项</a>' in html
    # The API tells which problem.
    r = m.get(f"/api/v1/supervisions/{s.pk}").json()
    assert r["lists"]["rectification"][0]["problem_id"] == p.pk
    # A problem named on a problem or suggestion item is ignored (only 整改 items name one).
    q = services.add_item(user("member2"), s, list="problem", content="另一问题", problem=p.pk)
    assert q.problem_id is None


def test_the_group_reads_the_reply_and_its_proof_next_to_the_item(client_for, make_group, user):
    s = make_group()
    g = client_for("member1")
    items = [
        services.add_item(user("member2"), s, list="rectification", content=f"整改{n}") for n in range(3)
    ]
    handler = _handler(s)

    def count():
        with CaptureQueriesContext(connection) as q:
            r = g.get(f"/supervision/{s.pk}/")
            assert r.status_code == 200
        return len(q), r.content.decode()

    flow.reply(
        user=handler,
        case=items[0].case_id,
        content="已整改到位。",
        letter=[jpeg("整改后.jpg"), pdf("制度.pdf")],
    )
    count()
    few, html = count()
    assert "已整改到位。" in html and "整改佐证（2个文件）" in html
    assert 'alt="整改后.jpg"' in html and "制度.pdf" in html
    assert 'class="confirm-form' in html or "confirm-form" in html
    for i in items[1:]:
        flow.reply(user=handler, case=i.case_id, content="已整改。", letter=[jpeg()])
    many, html = count()
    assert many == few and html.count("整改佐证（") == 3
