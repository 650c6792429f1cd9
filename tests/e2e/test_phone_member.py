"""A member on a phone (issue 15), 390 pixels wide: resets a forgotten password by SMS code from the login
page, moves around with the bottom tab bar (absent on a desktop), reads the meetings list as cards (no
column squeezed to one character per line, no sideways scrolling), searches from the top bar, browses
本会提案 and the 委员名录, and sees the live character count of a limited field."""

import pytest
from playwright.sync_api import expect

from .conftest import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


def _phone(browser, site):
    ctx = browser.new_context(
        base_url=site.url,
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
    )
    ctx.set_default_timeout(15_000)
    return ctx


def _signed_in(ctx, username):
    page = ctx.new_page()
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    return page


def _no_sideways(page):
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"] + 1, page.url


def test_forgot_password_by_sms_code_on_a_phone(browser, e2e_site):
    (phone,) = e2e_site.sql("SELECT phone FROM core_user WHERE username = 'member2'")[0]
    ctx = _phone(browser, e2e_site)
    try:
        page = ctx.new_page()
        page.goto("/accounts/login/")
        page.click("#forgot-link")
        page.fill("#id_phone", phone)
        page.click("#btn-send-code")
        expect(page.locator("main")).to_contain_text("验证码已发送")
        expect(page.locator("#id_phone")).to_have_value(phone)
        # The SMS went to the logging backend of the server: give the stored code a known value instead.
        e2e_site.manage(
            "shell",
            "-c",
            "from zhengxie.core import pwreset; from zhengxie.core.models import PasswordResetCode as C; "
            f"C.objects.filter(used_at=None).exclude(user=None).update(code_hash=pwreset._digest('code', '{phone}:246810'))",
        )
        page.fill("#id_code", "135790")
        page.fill("#id_password1", DEMO_PASSWORD)
        page.fill("#id_password2", DEMO_PASSWORD)
        page.click("#btn-reset")
        expect(page.locator("main")).to_contain_text("验证码错误或已过期")
        page.fill("#id_code", "246810")
        page.click("#btn-reset")
        expect(page.locator("main")).to_contain_text("密码已重置")
        page.fill("#id_username", phone)
        page.fill("#id_password", DEMO_PASSWORD)
        page.click("main form button[type=submit]")
        expect(page.locator("#member-tabbar")).to_be_visible()
    finally:
        ctx.close()


def test_member_moves_with_the_tab_bar_reads_cards_and_searches(browser, e2e_site, page_for):
    ctx = _phone(browser, e2e_site)
    try:
        page = _signed_in(ctx, "member1")
        bar = page.locator("#member-tabbar")
        expect(bar).to_be_visible()
        expect(bar.locator(".zx-tab")).to_have_text(["工作台", "提案", "会议活动", "履职档案"])
        box = bar.bounding_box()
        assert box["y"] + box["height"] >= PHONE["height"] - 2  # at the bottom of the screen

        bar.get_by_text("会议活动").click()
        expect(page).to_have_url(f"{e2e_site.url}/activities/")
        expect(bar.locator(".zx-tab.active")).to_have_text("会议活动")
        _no_sideways(page)
        cells = page.locator("table.table-cards td[data-label]")
        assert cells.count() > 0
        # No cell squeezed into a column of single characters: each is wide, and its label is shown.
        widths = page.evaluate(
            "() => [...document.querySelectorAll('table.table-cards td[data-label]')]"
            ".filter(td => td.offsetParent).map(td => td.getBoundingClientRect().width)"
        )
        assert widths and min(widths) > 300, widths
        label = page.evaluate(
            "() => getComputedStyle(document.querySelector('table.table-cards td[data-label]'), '::before').content"
        )
        assert label not in ("none", '""', "")

        bar.get_by_text("履职档案").click()
        expect(page.locator("h1")).to_be_visible()
        _no_sideways(page)

        # One search box: in the collapsed top menu.
        page.click("button.navbar-toggler")
        page.fill("#global-search input[name=q]", "教育")
        page.press("#global-search input[name=q]", "Enter")
        expect(page.locator("h1")).to_have_text("搜索")
        expect(page.locator("[id^=results-], #search-empty").first).to_be_visible()
        _no_sideways(page)

        page.goto("/proposals/accepted/")
        expect(page.locator("h1")).to_have_text("本会提案")
        _no_sideways(page)
        page.goto("/members/directory/")
        expect(page.locator("#directory-table")).to_be_visible()
        body = page.locator("main").inner_text()
        (phone,) = e2e_site.sql("SELECT phone FROM core_user WHERE username = 'member2'")[0]
        assert phone not in body
        _no_sideways(page)

        # A limited field counts as one types.
        page.goto("/opinions/new/")
        title = page.locator("#id_title")
        title.fill("关于农村饮水安全的建议")
        expect(page.locator("#id_title-autocount, #title-count").first).to_contain_text("11 / ")
    finally:
        ctx.close()

    desk = page_for("member1")
    expect(desk.locator("#member-tabbar")).to_be_hidden()


SQUEEZE = """() => [...document.querySelectorAll('main td, main th')].filter(c => c.offsetParent && c.innerText.trim().length > 1)
  .map(c => { const r = c.getBoundingClientRect(); const lh = parseFloat(getComputedStyle(c).fontSize) * 1.6;
              return {text: c.innerText.trim().slice(0, 20), w: Math.round(r.width), lines: Math.round(r.height / lh)}; })
  .filter(x => x.w < 40 && x.lines >= 3)"""


@pytest.mark.parametrize(
    "username,url",
    [
        ("staff", "/activities/"),
        ("handler1", "/handling/"),
        ("staff", "/proposals/stats/"),
        ("staff", "/performance/warnings/"),
        ("staff", "/performance/rankings/"),
        ("member1", "/proposals/mine/"),
        ("staff", "/activities/attendance/"),
    ],
)
def test_no_table_squeezes_to_one_character_per_line_on_a_phone(browser, e2e_site, username, url):
    ctx = _phone(browser, e2e_site)
    try:
        page = _signed_in(ctx, username)
        page.goto(url)
        page.wait_for_load_state()
        assert page.evaluate(SQUEEZE) == []
        _no_sideways(page)
    finally:
        ctx.close()


# A button of a card whose label broke over two lines or more (a 退回 beside the reason box read 退 / 回).
BUTTON_SQUEEZE = """() => [...document.querySelectorAll('main td .btn')].filter(b => b.offsetParent && b.innerText.trim().length > 1)
  .filter(b => b.getBoundingClientRect().height > parseFloat(getComputedStyle(b).fontSize) * 2.6)
  .map(b => b.innerText.trim())"""


@pytest.mark.parametrize(
    "username,url", [("staff", "/performance/reviews/"), ("office", "/performance/warnings/")]
)
def test_no_button_in_a_card_breaks_its_label_on_a_phone(browser, e2e_site, username, url):
    ctx = _phone(browser, e2e_site)
    try:
        page = _signed_in(ctx, username)
        page.goto(url)
        page.wait_for_load_state()
        assert page.locator("main td .btn").count() > 0
        assert page.evaluate(BUTTON_SQUEEZE) == []
        _no_sideways(page)
    finally:
        ctx.close()


MAKE_JOINT = (
    "from zhengxie.core.models import User; from zhengxie.proposals import services; "
    "a = User.objects.get(username='member2'); m1 = User.objects.get(username='member1').member; "
    "p = services.proposal_create(user=a, kind='joint', cosigner_ids=[m1.pk], title='关于规范城区夜市占道经营的建议', "
    "reasons='城区夜市占道经营，影响通行和周边居民休息，油烟噪声投诉较多。', "
    "suggestions='一是划定夜市经营区域和时段；二是配套油烟净化设施；三是建立商户自治管理机制。', category='城乡建设'); "
    "services.proposal_submit(user=a, proposal=p, confirm_single_matter=True); print(p.pk)"
)


def test_refusing_to_cosign_asks_first_and_the_author_withdraws_on_a_phone(browser, e2e_site):
    pk = int(e2e_site.manage("shell", "-c", MAKE_JOINT).stdout.strip().splitlines()[-1])
    ctx = _phone(browser, e2e_site)
    try:
        page = _signed_in(ctx, "member1")
        page.goto(f"/proposals/{pk}/cosign/")
        asked = []
        page.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
        page.click("#btn-decline")
        page.wait_for_timeout(300)
        assert asked == ["确定拒绝附议吗？"]
        status = e2e_site.sql(
            "SELECT s.status FROM proposals_signer s JOIN members_member m ON m.id = s.member_id "
            "JOIN core_user u ON u.id = m.user_id WHERE s.proposal_id = ? AND u.username = 'member1'",
            (pk,),
        )
        assert status == [("invited",)]  # dismissed: nothing sent
    finally:
        ctx.close()

    ctx = _phone(browser, e2e_site)
    try:
        page = _signed_in(ctx, "member2")
        page.goto(f"/proposals/{pk}/")
        page.click("#btn-withdraw")
        page.fill("#id_reason", "联名人需调整")
        expect(page.locator("#reason-count")).to_contain_text("6 / 200 字")
        page.once("dialog", lambda d: d.accept())
        page.click("#btn-withdraw-confirm")
        expect(page.locator("main")).to_contain_text("提案已撤回")
        assert e2e_site.sql("SELECT status FROM proposals_proposal WHERE id = ?", (pk,)) == [("draft",)]
        page.click("#btn-delete")
        page.once("dialog", lambda d: d.accept())
        page.click("#btn-delete-confirm")
        expect(page.locator("main")).to_contain_text("已删除")
        assert e2e_site.sql("SELECT count(*) FROM proposals_proposal WHERE id = ?", (pk,)) == [(0,)]
    finally:
        ctx.close()
