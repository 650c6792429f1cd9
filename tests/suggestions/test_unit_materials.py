"""A 微建议 on the unit's case page (事项材料, issue #8): the unit reads the citizen's suggestion — its title,
text and photos — without clicking 查看, and never the citizen's name or phone there. The photos download
for exactly the units holding the case (handler1's 教育局; after a granted 申请调整 the new unit, no longer
the old), never for another unit or another county. The materials cost the page one query (the photos),
however many photos there are."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.handling.helpers import case_page_queries, materials_block, materials_queries
from zhengxie.handling.models import Assignment
from zhengxie.handling.services import flow, units
from zhengxie.suggestions.models import Photo

from .conftest import TEXT

pytestmark = pytest.mark.django_db


def png(name="路口.png", colour=(200, 120, 60)) -> SimpleUploadedFile:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 6), colour).save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def _routed(routed, n_photos=2):
    return routed(
        name="王五",
        phone="13900001111",
        consent_to_call=False,
        photos=[png(f"照片{n}.png", (n * 40, 100, 60)) for n in range(n_photos)],
    )


def test_the_unit_reads_the_suggestion_and_its_photos_on_the_case_page(routed, client_for, api_for):
    s = _routed(routed)
    p1, p2 = Photo.objects.filter(suggestion=s).order_by("id")
    unit = client_for("handler1")
    html = unit.get(f"/handling/cases/{s.case_id}/").content.decode()
    block = materials_block(html)
    assert f"群众建议《{TEXT['title']}》（附照片2张）" in block and TEXT["content"] in block
    for p in (p1, p2):
        assert f'<img src="/suggestions/photos/{p.pk}/"' in block
    assert "王五" not in block and "13900001111" not in block and "1111" not in block
    assert "王五" not in html and "13900001111" not in html

    body = api_for("handler1").get(f"/api/v1/handling/cases/{s.case_id}").json()
    assert body["materials"] == [
        {
            "title": f"群众建议《{TEXT['title']}》（附照片2张）",
            "text": TEXT["content"],
            "files": [
                {"name": "照片1", "url": f"/suggestions/photos/{p1.pk}/", "is_image": True},
                {"name": "照片2", "url": f"/suggestions/photos/{p2.pk}/", "is_image": True},
            ],
        }
    ]
    assert "13900001111" not in str(body) and "王五" not in str(body)
    r = unit.get(f"/suggestions/photos/{p1.pk}/")
    assert r.status_code == 200 and r["Content-Type"] == "image/png"


def test_a_suggestion_without_photos_shows_its_text_only(routed, client_for):
    s = _routed(routed, n_photos=0)
    block = materials_block(client_for("handler1").get(f"/handling/cases/{s.case_id}/").content.decode())
    assert f"群众建议《{TEXT['title']}》</div>" in block and "<img" not in block


def test_the_photos_download_for_exactly_the_units_holding_the_case(routed, client_for, api_for, user):
    s = _routed(routed, n_photos=1)
    (p,) = Photo.objects.filter(suggestion=s)
    photo = f"/suggestions/photos/{p.pk}/"
    for who in ("handler2", "other"):
        assert client_for(who).get(photo).status_code == 404
        assert client_for(who).get(f"/handling/cases/{s.case_id}/").status_code == 404
        assert api_for(who).get(f"/api/v1/handling/cases/{s.case_id}").status_code == 404
    assert client_for("unithead1").get(photo).status_code == 200  # the head of the unit holding it

    # 申请调整 granted to 住建局: the new unit reads and downloads, the released one no longer.
    handler1, handler2 = user("handler1"), user("handler2")
    flow.acknowledge(user=handler1, case=s.case_id)
    case = s.case
    units.request_change(user=handler1, case=case, reason="属住建部门职责")
    a = Assignment.objects.get(case=case, unit=handler1.handling_unit)
    units.decide_change(
        user=user("office"), case=case, assignment=a.pk, grant=True, new_unit=handler2.handling_unit_id
    )
    assert client_for("handler1").get(photo).status_code == 404
    assert client_for("handler1").get(f"/handling/cases/{s.case_id}/").status_code == 404
    assert client_for("handler2").get(photo).status_code == 200
    assert photo in materials_block(
        client_for("handler2").get(f"/handling/cases/{s.case_id}/").content.decode()
    )


def test_the_materials_cost_one_query_whatever_the_photos(routed, client_for):
    one, three = _routed(routed, n_photos=1), _routed(routed, n_photos=3)
    unit = client_for("handler1")
    assert materials_queries(unit, one.case_id) <= 1
    assert case_page_queries(unit, three.case_id) == case_page_queries(unit, one.case_id)
