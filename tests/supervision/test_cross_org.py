"""Members outside a group and units see nothing of it (the attacks from another county are the generated
tests/security/test_cross_access.py's, with tests/security/cross_supervision.py)."""

import pytest

pytestmark = pytest.mark.django_db


def test_members_outside_a_group_see_nothing_of_it(client_for, county):
    from zhengxie.supervision.models import Item, Supervision

    s = Supervision.objects.get(organisation=county, unit__short_name="住建局")  # member2's group
    item = Item.objects.filter(supervision=s).first()
    for username in ("member3", "handler1"):
        c = client_for(username)
        assert c.get(f"/supervision/{s.pk}/").status_code == 404
        assert c.post(f"/supervision/{s.pk}/rate/", {"aspect_0": "satisfied"}).status_code == 404
        assert c.post(f"/supervision/items/{item.pk}/confirm/", {}).status_code == 404
        assert c.get(f"/supervision/{s.pk}/report.docx").status_code == 404
