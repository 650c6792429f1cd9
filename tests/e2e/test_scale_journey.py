"""政协云 in the browser: on a province built by `manage.py loadscale`, a city's staff member opens the table
of its counties, ranks them on a figure, drills down into one county (read-only) and cannot open a county
of another city; the province's leader sees its cities on a phone."""

import re

from playwright.sync_api import expect

from .helpers import shot, watch

PASSWORD = "Scale@2026x"


def _province(e2e_site):
    if not e2e_site.sql("SELECT id FROM core_organisation WHERE code = 'sc-p'"):
        e2e_site.manage("loadscale", "--scale", "0.001", "--cities", "2", "--counties", "4", "--seed", "3")
        e2e_site.manage(
            "shell",
            "-c",
            "from zhengxie.core.models import User\n"
            "for u in User.objects.filter(username__in=['sc-c00-staff', 'sc-p-leader']):\n"
            f"    u.set_password('{PASSWORD}'); u.save()",
        )
    rows = e2e_site.sql(
        "SELECT code, id, name FROM core_organisation WHERE code LIKE 'sc-%' AND kind != 'liaison'"
    )
    return {code: (pk, name) for code, pk, name in rows}


def test_city_staff_compares_its_counties_and_drills_down(e2e_site, page_for):
    orgs = _province(e2e_site)
    page = page_for("sc-c00-staff", password=PASSWORD)
    problems: list[str] = []
    watch(page, problems)
    page.goto("/yearbook/levels/")
    table = page.locator("table").first
    own = [orgs[c][1] for c in ("sc-c00-k00", "sc-c00-k01")]
    for name in own:
        expect(table).to_contain_text(name)
    expect(table).not_to_contain_text(orgs["sc-c01-k00"][1])
    expect(page.locator("body")).to_contain_text("合计")
    shot(page, "scale", "city-levels")
    # drill down: the county's year page, read-only
    page.get_by_role("link", name=own[0]).first.click()
    expect(page).to_have_url(re.compile(rf"org={orgs['sc-c00-k00'][0]}"))
    expect(page.locator("body")).to_contain_text("只读：下级政协")
    expect(page.locator("body")).to_contain_text("提案工作")
    # another city's county: not found
    r = page.goto(f"/yearbook/?org={orgs['sc-c01-k00'][0]}")
    assert r.status == 404
    assert [p for p in problems if "404" not in p] == []


def test_province_leader_sees_its_cities_on_a_phone(e2e_site, page_for):
    orgs = _province(e2e_site)
    page = page_for("sc-p-leader", phone=True, password=PASSWORD)
    page.goto("/yearbook/levels/")
    for code in ("sc-c00", "sc-c01"):
        expect(page.locator("body")).to_contain_text(orgs[code][1])
    shot(page, "scale", "province-levels-phone")
