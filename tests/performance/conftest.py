import itertools

import pytest

from zhengxie.core.models import Organisation, Role, User
from zhengxie.members.models import Member, Sector, SpecialCommittee

# A year the demo never touches: tests start from no records and no saved scheme.
YEAR = 2031
_seq = itertools.count(1)


@pytest.fixture
def county(db):
    return Organisation.objects.get(code="demo-county")


@pytest.fixture
def make_member(county):
    """make_member(sector=..., committees=[...], liaison=...) -> a new member of 青川县 with a login."""

    def make(name=None, sector=None, committees=(), liaison=None, org=None):
        org = org or county
        n = next(_seq)
        user = User.objects.create(username=f"tm{n:04d}", name=name or f"测试委员{n}", organisation=org)
        user.set_roles([Role.MEMBER])
        member = Member.objects.create(
            user=user,
            organisation=org,
            name=user.name,
            gender="M",
            sector=sector or Sector.objects.filter(organisation=org).order_by("pk").first(),
            liaison_group=liaison,
        )
        if committees:
            member.committees.set(committees)
        return Member.objects.select_related("organisation", "sector", "liaison_group", "user").get(
            pk=member.pk
        )

    return make


@pytest.fixture
def sectors(county):
    return list(Sector.objects.filter(organisation=county).order_by("pk"))


@pytest.fixture
def committees(county):
    return list(SpecialCommittee.objects.filter(organisation=county).order_by("pk"))
