"""The supervised unit answers a 整改 item on its case page; the group's page with the three lists is the
committee's, so the unit is not offered a 查看 link that ends on 页面不存在 (the group and the office still
are)."""

import pytest
from django.test import Client

from zhengxie.core.models import HandlingUnit, User
from zhengxie.supervision import services

pytestmark = pytest.mark.django_db


def test_the_unit_sees_no_dead_link_to_the_group_page(client_for, make_group, user):
    s = make_group()
    i = services.add_item(user("member2"), s, list="rectification", content="整改事项")
    handler = User.objects.filter(
        handling_unit=HandlingUnit.objects.get(pk=s.unit_id), is_active=True
    ).first()
    unit = Client()
    unit.force_login(handler)
    page = unit.get(f"/handling/cases/{i.case_id}/")
    assert page.status_code == 200 and "整改事项" in page.content.decode()
    assert 'id="item-link"' not in page.content.decode()
    assert unit.get(f"/supervision/{s.pk}/").status_code == 404
    api = unit.get(f"/api/v1/handling/cases/{i.case_id}")
    assert api.status_code == 200 and api.json()["item_url"] == ""

    for username in ("office", "member1"):
        html = client_for(username).get(f"/handling/cases/{i.case_id}/").content.decode()
        assert f'href="/supervision/{s.pk}/#item-{i.pk}" id="item-link"' in html
