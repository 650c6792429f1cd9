"""委员小组 and 界别召集人 in a committee with hundreds of members (#13): the 组长, 成员 and 召集人 boxes hold no
list of every member; the office types a name, the box asks /pick/members/ and offers the matches; several
members are picked into 成员, the group is saved, and its edit page shows them chosen — at 1280 px and on a
phone. The members are added to 石门区 (with an office worker of its own), not to the demo county the other
journeys walk."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

SETUP = """
from zhengxie.core.models import Office, Organisation, Role, User
from zhengxie.members.models import Member, Sector
org = Organisation.objects.get(code="demo-county-2")
if not User.objects.filter(username="staff_sm_e2e").exists():
    u = User.objects.create(username="staff_sm_e2e", name="石门区办公室", organisation=org, office=Office.GENERAL)
    u.set_password("Demo@2026"); u.save(); u.set_roles([Role.STAFF])
    sector = Sector.objects.filter(organisation=org).order_by("pk").first()
    users = [User(username=f"smpk{i}", name=f"规模委员{i:04d}", organisation=org) for i in range(200)]
    for x in users:
        x.set_unusable_password()
    User.objects.bulk_create(users)
    Member.objects.bulk_create(
        Member(user=x, organisation=org, name=x.name, gender="M", sector=sector)
        for x in User.objects.filter(username__startswith="smpk")
    )
print(Sector.objects.filter(organisation=org).order_by("pk").first().pk)
"""

UNIT = """
from zhengxie.core.models import HandlingUnit
print(HandlingUnit.objects.filter(organisation__code="demo-county-2", is_active=True).order_by("-pk").first().pk)
"""


def _pick(page, field, text, expected):
    control = page.locator(f"#id_{field}-ts-control")
    control.locator("xpath=..").click()
    control.fill(text)
    option = page.locator(f"#id_{field}-ts-dropdown .option").filter(has_text=expected)
    expect(option).to_have_count(1)
    option.click()


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_office_picks_group_members_and_conveners_among_hundreds(e2e_site, page_for, phone):
    sector_id = e2e_site.manage("shell", "-c", SETUP).stdout.strip().splitlines()[-1]
    suffix = "手机" if phone else "桌面"
    page = page_for("staff_sm_e2e", phone=phone)
    page.goto("/manage/groups/new/")
    assert page.locator("select[name=members] option").count() == 0  # no list of every member
    expect(page.locator("#id_members-ts-control")).to_have_attribute(
        "placeholder", "输入姓名搜索委员，可多选"
    )
    page.get_by_label("小组名称").fill(f"规模小组{suffix}")
    _pick(page, "leader", "规模委员0150", "规模委员0150")
    _pick(page, "members", "规模委员0151", "规模委员0151")
    _pick(page, "members", "委员0152", "规模委员0152")
    expect(page.locator("#id_members-ts-control").locator("xpath=..")).to_contain_text("规模委员0151")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.get_by_role("button", name="保存").click()  # one click saves (the box does not move under it)
    row = page.locator("#groups tbody tr").filter(has_text=f"规模小组{suffix}")
    expect(row).to_contain_text("规模委员0150")
    expect(row).to_contain_text("3 人")
    row.get_by_role("link", name="调整").click()
    box = page.locator("#id_members-ts-control").locator("xpath=..")
    for name in ("规模委员0150", "规模委员0151", "规模委员0152"):
        expect(box).to_contain_text(name)

    page.goto(f"/manage/sectors/{sector_id}/conveners/")
    convener = "规模委员0198" if phone else "规模委员0199"  # a chosen one is not offered again
    _pick(page, "members", convener, convener)
    page.get_by_role("button", name="保存").click()
    expect(page.locator("#conveners tbody tr").filter(has_text=convener)).to_have_count(1)


def test_office_picks_a_supervision_group_among_hundreds_on_a_phone(e2e_site, page_for):
    """The same box in another form (issue #13): 民主监督 组长 and 成员 asked for by name at 375 px, saved."""
    e2e_site.manage("shell", "-c", SETUP)
    unit = e2e_site.manage("shell", "-c", UNIT).stdout.strip().splitlines()[-1]
    page = page_for("staff_sm_e2e", phone=True)
    page.goto(f"/supervision/new/?unit_id={unit}")
    assert page.locator("select[name=member_ids] option").count() == 0  # no list of every member
    _pick(page, "leader_member_id", "规模委员0160", "规模委员0160")
    _pick(page, "member_ids", "规模委员0161", "规模委员0161")
    _pick(page, "member_ids", "委员0162", "规模委员0162")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("h1")).not_to_have_text("组建民主监督小组")
    for name in ("规模委员0160", "规模委员0161", "规模委员0162"):
        expect(page.locator("main")).to_contain_text(name)
