"""Cross-organisation attacks on the 民主监督 pages: the generated test parametrizes its page families
before the per-app tables are merged, so the supervision routes are attacked here with the same machinery
(石门区's member, staff, administrator and unit handler against 青川县's groups, items and votes: 403/404,
nothing changed). The API side runs in tests/security/test_cross_access.py."""

import pytest

from tests.security.test_cross_access import PAGES, _attack_pages, attackers, world  # noqa: F401

pytestmark = pytest.mark.django_db


def test_pages_refuse_other_counties(world, attackers):  # noqa: F811
    names = [n for n in PAGES if n.startswith("supervision:")]
    assert len(names) == 13
    failures = _attack_pages(world, attackers, names)
    assert not failures, "\n".join(failures)


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
