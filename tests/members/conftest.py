"""Objects of the demo world the members tests talk about, and spreadsheet helpers."""

import io
from types import SimpleNamespace

import pytest

ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def id_number(seq: int, birth: str = "19800101", region: str = "510812") -> str:
    """A well-formed 18-character ID number (valid check digit)."""
    body = f"{region}{birth}{seq % 1000:03d}"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, ID_WEIGHTS, strict=True)) % 11]


def xlsx(rows, header=None) -> bytes:
    """An .xlsx file with the roster header (or the given one) and these rows."""
    from openpyxl import Workbook

    from zhengxie.members.roster import COLUMNS

    wb = Workbook()
    ws = wb.active
    ws.append(header or [c.header for c in COLUMNS])
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def upload(content: bytes, name: str = "名册.xlsx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def row(
    name="王测试",
    gender="男",
    sector="教育界",
    phone="13700000001",
    committees="",
    liaison="",
    id_no="",
    party="民盟",
    **extra,
) -> list:
    """A roster row in the template's column order."""
    from zhengxie.members.roster import COLUMNS

    values = {
        "name": name,
        "gender": gender,
        "sector": sector,
        "phone": phone,
        "committees": committees,
        "liaison_group": liaison,
        "id_number": id_no,
        "party": party,
        **extra,
    }
    return [values.get(c.key, "") for c in COLUMNS]


@pytest.fixture
def world(db):
    """The organisations, reference rows, units and members the permission tests point at.

    member2 is put in 城关镇 (the `liaison` user's group) and member1 in another group, so that the
    liaison's view is deterministic.
    """
    from zhengxie.core.models import HandlingUnit, Organisation, User
    from zhengxie.members.models import Member, Party, Sector, Session, SpecialCommittee, Term

    county = Organisation.objects.get(code="demo-county")
    county2 = Organisation.objects.get(code="demo-county-2")
    town = Organisation.objects.get(code="demo-town-01")
    town2 = Organisation.objects.get(code="demo-town-02")
    m1 = Member.objects.get(user__username="member1")
    m2 = Member.objects.get(user__username="member2")
    Member.objects.filter(pk=m1.pk).update(liaison_group=town2)
    Member.objects.filter(pk=m2.pk).update(liaison_group=town)
    return SimpleNamespace(
        city=Organisation.objects.get(code="demo-city"),
        county=county,
        county2=county2,
        town=town,
        town2=town2,
        term=Term.objects.get(organisation=county, is_current=True),
        term2=Term.objects.get(organisation=county2, is_current=True),
        session=Session.objects.get(organisation=county, is_current=True),
        sector=Sector.objects.filter(organisation=county).first(),
        sector2=Sector.objects.filter(organisation=county2).first(),
        committee=SpecialCommittee.objects.filter(organisation=county).first(),
        party=Party.objects.first(),
        unit=HandlingUnit.objects.get(organisation=county, short_name="教育局"),
        unit2=HandlingUnit.objects.filter(organisation=county2).first(),
        member1=m1,
        member2=m2,
        other=Member.objects.get(user__username="other"),
        handler1=User.objects.get(username="handler1"),
        other_user=User.objects.get(username="other"),
    )
