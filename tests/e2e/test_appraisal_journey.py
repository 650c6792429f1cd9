"""民主评议 in the browser, across roles:

1. the office creates a park round (photo required), pastes three parks, invites member1 and opens it;
2. member1, on a phone with its location allowed, finds the round from the workbench to-do, searches a park,
   scores it; without a photo the page says so and keeps the scores typed; with a photo (carrying GPS in
   its EXIF) the rating is saved with the phone's place on the record and the photo stored without GPS;
3. the office sees who rated, when and where, closes and publishes the round; member1 sees the ranking.

Screenshots go to test-results/e2e/appraisal/.
"""

import io

import pytest
from playwright.sync_api import expect

from .helpers import shot, watch

pytestmark = pytest.mark.e2e

SHOTS = "appraisal"
TITLE = "浏览器测试公园评议"


def _jpeg_with_gps() -> bytes:
    from PIL import Image

    img = Image.new("RGB", (320, 240), (90, 160, 90))
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (32.0, 35.0, 10.0), 3: "E", 4: (105.0, 13.0, 40.0)}
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_office_opens_member_rates_on_a_phone_results_published(e2e_site, page_for):
    problems = []
    member1, name = e2e_site.sql(
        "select m.id, m.name from members_member m join core_user u on u.id = m.user_id "
        "where u.username = 'member1'"
    )[0]

    # --- 1. the office creates and opens the round.
    o = page_for("office")
    watch(o, problems)
    o.goto("/appraisal/")
    o.click("#appraisal-new")
    o.wait_for_load_state()
    o.fill("#id_title", TITLE)
    o.check("#id_photo_required")
    o.fill("input[name=item_weight_2]", "30")  # 30 + 30 + 30: not 100
    o.click("#btn-save")
    o.wait_for_load_state()
    expect(o.locator("#item-error")).to_contain_text("权重之和须为100")
    expect(o.locator("#id_title")).to_have_value(TITLE)
    o.fill("input[name=item_weight_2]", "40")
    o.click("#btn-save")
    o.wait_for_load_state()
    expect(o.locator("#round-title")).to_contain_text(TITLE)
    o.fill("#id_lines", "浏览器测试公园，城关镇测试路1号\n浏览器测试广场，城关镇测试路2号\n另一处游园")
    o.click("#btn-targets")
    o.wait_for_load_state()
    expect(o.locator("#targets")).to_contain_text("浏览器测试广场")
    o.select_option("#id_members", str(member1))  # (labelled 姓名（界别）: namesakes)
    o.click("#btn-invite")
    o.wait_for_load_state()
    expect(o.locator("#round-raters")).to_contain_text("1 人")
    o.click("#btn-open")
    o.wait_for_load_state()
    expect(o.locator("#round-status")).to_contain_text("评议中")
    round_url = o.url
    shot(o, SHOTS, "01-round-open")

    # --- 2. member1 on a phone: the to-do, the search, the rating with a photo and the place.
    m = page_for("member1", phone=True)
    watch(m, problems)
    m.context.grant_permissions(["geolocation"])
    m.context.set_geolocation({"latitude": 32.586321, "longitude": 105.228765, "accuracy": 15})
    m.goto("/")
    m.get_by_text("待完成的民主评议").first.click()
    m.wait_for_load_state()
    m.get_by_text(TITLE).first.click()
    m.wait_for_load_state()
    m.fill("#target-search input[name=q]", "测试广场")
    m.click("#target-search button")
    m.wait_for_load_state()
    expect(m.locator("#targets li")).to_have_count(1)
    m.locator("#targets").get_by_role("link", name="评议", exact=True).click()
    m.wait_for_load_state()
    expect(m.locator("#target-name")).to_contain_text("浏览器测试广场")
    expect(m.locator("#geo-status")).to_contain_text("已记录")
    scores = m.locator("#rate-form input[type=number]")
    for i, value in enumerate(("85", "70", "90")):
        scores.nth(i).fill(value)
    m.fill("#id_note", "广场地面平整，夜间照明不足。")
    m.click("#btn-rate")
    m.wait_for_load_state()
    expect(m.locator("#photo-error")).to_contain_text("须上传现场照片")
    expect(scores.nth(1)).to_have_value("70")
    expect(m.locator("#id_note")).to_have_value("广场地面平整，夜间照明不足。")
    shot(m, SHOTS, "02-photo-required-phone")
    m.set_input_files(
        "#id_photos", files=[{"name": "现场.jpg", "mimeType": "image/jpeg", "buffer": _jpeg_with_gps()}]
    )
    expect(m.locator("#geo-status")).to_contain_text("已记录")
    m.click("#btn-rate")
    m.wait_for_load_state()
    expect(m.locator("#targets")).to_contain_text("已评")
    expect(m.locator("#my-rated")).to_have_text("1")
    shot(m, SHOTS, "03-rated-phone")
    row = e2e_site.sql(
        "select r.score, r.latitude, r.longitude, r.photo_count from appraisal_rating r "
        "join appraisal_round d on d.id = r.round_id where d.title = ?",
        (TITLE,),
    )
    assert row and float(row[0][0]) == 82.5 and abs(float(row[0][1]) - 32.586321) < 1e-5 and row[0][3] == 1
    path = e2e_site.sql(
        "select a.file from core_attachment a where a.purpose = 'appraisal_photo' order by a.id desc limit 1"
    )[0][0]
    from PIL import Image

    with Image.open(e2e_site.media_root / path) as img:
        assert 0x8825 not in img.getexif()

    # --- 3. the office sees who, when and where; closes and publishes; member1 sees the ranking.
    o.goto(round_url)
    o.locator("#targets").get_by_role("link", name="浏览器测试广场").click()
    o.wait_for_load_state()
    expect(o.locator("#target-ratings-table")).to_contain_text(name)
    expect(o.locator("#target-ratings-table [data-location]")).to_contain_text("32.586321")
    o.goto(round_url)
    o.click("#btn-close")
    o.wait_for_load_state()
    o.click("#btn-publish")
    o.wait_for_load_state()
    expect(o.locator("#round-status")).to_contain_text("已公布")
    o.click("#link-results")
    o.wait_for_load_state()
    expect(o.locator("#results-top")).to_contain_text("浏览器测试广场")
    expect(o.locator("[data-chart-source=appraisal-chart] canvas")).to_have_count(1)
    shot(o, SHOTS, "04-results")

    m.goto(round_url + "results/")
    expect(m.locator("#results-table")).to_contain_text("浏览器测试广场")
    expect(m.locator("#results-table")).not_to_contain_text("32.586321")
    shot(m, SHOTS, "05-results-phone")

    assert not [p for p in problems if not p.startswith("console: Failed to load resource")], problems
