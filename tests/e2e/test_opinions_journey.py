"""社情民意 in the browser: member1, on a phone, writes an item (live character count, a co-author found by
name, a refused empty title that keeps the text) and submits it; the 信息科 (info, desktop) finds it first in
its 信息工作台, edits the title beside the original and accepts it, composes a 专报 with it, publishes it and
downloads the .docx; member1 then sees 已录用, the edited version and the issue on the item's page.

Screenshots go to test-results/e2e/opinions/.
"""

import re

import pytest
from playwright.sync_api import expect

from .helpers import shot, watch

pytestmark = pytest.mark.e2e

SHOTS = "opinions"
TITLE = "农村留守老人看病难问题亟待关注"
EDITED = "关于破解农村留守老人看病难的建议"
TEXT = (
    "我县部分偏远乡镇村卫生室服务能力弱，留守老人看病需往返数十公里，慢性病复诊尤为不便。"
    "建议：一是推广巡回医疗，每月定期进村；二是发展远程问诊，由县医院对接村卫生室；三是落实家庭医生签约服务。"
)


def test_member_writes_info_accepts_and_publishes_a_special_report(page_for, e2e_site):
    problems = []
    co_author = e2e_site.sql(
        "select m.name from members_member m join core_user u on u.id = m.user_id where u.username = 'member2'"
    )[0][0]

    # --- member1 on a phone: an empty title is refused in Chinese, the text stays; then 提交.
    m1 = page_for("member1", phone=True)
    watch(m1, problems)
    m1.goto("/opinions/new/")
    m1.type("#id_content", TEXT[:20], delay=5)
    expect(m1.locator("#content-count")).to_have_text("20 / 1500 字")
    m1.fill("#id_content", TEXT)
    expect(m1.locator("#content-count")).to_contain_text(f"{len(TEXT)} / 1500 字")
    m1.select_option("#id_category", "医疗卫生")
    m1.click("#btn-save")
    m1.wait_for_load_state()
    expect(m1.locator("#opinion-form")).to_contain_text("请填写标题。")
    expect(m1.locator("#id_content")).to_have_value(TEXT)
    m1.fill("#id_title", TITLE)
    m1.fill("#coauthor-q", co_author)
    box = m1.locator("#coauthor-results").get_by_label(re.compile(co_author))
    expect(box).to_be_visible()
    box.check()
    shot(m1, SHOTS, "01-member-write-phone")
    m1.click("#btn-submit")
    m1.wait_for_load_state()
    expect(m1).to_have_url(re.compile(r"/opinions/\d+/$"))
    expect(m1.locator("#messages")).to_contain_text("已提交信息科")
    oid = int(re.search(r"/opinions/(\d+)/", m1.url).group(1))
    expect(m1.locator(".opinion-status").first).to_have_text("已提交")
    expect(m1.locator("#authors")).to_contain_text(co_author)

    # --- info: the queue shows it among the waiting ones; edit the title beside the original and accept.
    info = page_for("info")
    watch(info, problems)
    info.goto("/opinions/queue/?status=submitted")
    row = info.locator("#opinion-rows tbody tr").filter(has_text=TITLE)
    expect(row).to_have_count(1)
    shot(info, SHOTS, "02-info-queue")
    row.get_by_role("link", name=TITLE).click()
    info.wait_for_load_state()
    expect(info.locator("#review #original")).to_contain_text(TITLE)
    info.fill("#id_edited_title", EDITED)
    shot(info, SHOTS, "03-info-review-panel")
    info.click("#btn-accept")
    info.wait_for_load_state()
    expect(info.locator("#messages")).to_contain_text("已录用")
    expect(info.locator("#opinion-title")).to_have_text(EDITED)

    # --- compose a 专报 with it, sign and publish it; the .docx downloads under the name.
    info.goto("/opinions/issues/new/")
    info.check(f"#item-{oid}")
    info.fill("#id_signer", "陈志远")
    info.fill("#id_recipients", "县委、县人大、县政府")
    info.click("#btn-save-issue")
    info.wait_for_load_state()
    expect(info.locator("#messages")).to_contain_text("已编成《社情民意》")
    label = info.locator("#issue-title").inner_text()
    assert re.fullmatch(r"《社情民意》\d{4}年第\d+期", label), label
    expect(info.locator("#issue-items")).to_contain_text(EDITED)
    info.click("#btn-publish")  # confirmed by watch()
    info.wait_for_load_state()
    expect(info.locator("#issue-status")).to_have_text("已印发")
    shot(info, SHOTS, "04-info-issue-published")
    with info.expect_download() as dl:
        info.click("#btn-docx")
    name = dl.value.suggested_filename
    assert name.startswith("社情民意") and name.endswith(label[6:] + ".docx"), name

    # --- member1: 已录用, the edited version beside the original, and the issue that carried it.
    m1.goto(f"/opinions/{oid}/")
    expect(m1.locator(".opinion-status").first).to_have_text("已录用")
    expect(m1.locator("#original")).to_contain_text(TITLE)
    expect(m1.locator("#edited")).to_contain_text(EDITED)
    expect(m1.locator("#issue-badge")).to_contain_text(label)
    shot(m1, SHOTS, "05-member-item-phone")
    assert e2e_site.sql("select status, issue_id is not null from opinions_opinion where id = ?", (oid,)) == [
        ("accepted", 1)
    ]
    assert problems == []
