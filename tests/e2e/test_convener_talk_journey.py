"""动态退出 from the convener's phone (#15): a 界别召集人 taps the workbench card 「待谈话提醒的委员」, opens the warned
member of their sector, records the talk they held (the talker is themself, no 谈话人 fields) and sees it
recorded; the 办公室 then reads the case under its own card 「待处理的履职预警」 at 1280 px."""

import datetime

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

# A demo sector convener and another active member of that sector, made to miss this year's two plenary
# sessions (a 劝辞建议 warning with no case yet).
SETUP = """
import datetime
from django.utils import timezone
from zhengxie.members.models import Member, SectorConvener, Session
from zhengxie.performance import acts as A
from zhengxie.performance.models import WarningCase
from zhengxie.performance.services import record_act
year = timezone.localdate().year
for c in SectorConvener.objects.filter(member__organisation__code="demo-county", member__status="active").select_related("member__user").order_by("id"):
    m = (Member.objects.filter(sector_id=c.sector_id, status="active").exclude(pk=c.member_id)
         .exclude(user__username__in=["member1", "member2", "member3"])
         .exclude(pk__in=WarningCase.objects.values("member_id")).order_by("-pk").first())
    if m:
        break
for i, s in enumerate(Session.objects.filter(organisation__code="demo-county").order_by("-year")[:2]):
    record_act(member=m, act=A.PLENARY_ABSENT, source=s, occurred_on=datetime.date(year, 1, 10 + i))
print(c.member.user.username, c.member.name, m.pk, m.name)
"""


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_convener_records_own_talk_on_a_phone_and_the_office_sees_it(e2e_site, page_for):
    out = e2e_site.manage("shell", "-c", SETUP).stdout.strip().splitlines()[-1]
    username, convener_name, member_id, name = out.split(" ", 3)
    year = datetime.date.today().year

    phone = page_for(username, phone=True)
    card = phone.locator("#todos a").filter(has_text="待谈话提醒的委员")
    expect(card).to_be_visible()
    card.click()
    expect(phone.locator("h1")).to_contain_text("我联系委员的履职预警")
    row = phone.locator(f"#convened-list tr[data-member='{member_id}']")
    expect(row).to_contain_text("一年内两次无故缺席全体会议")
    _no_sideways_scroll(phone)
    row.get_by_role("link", name="登记谈话").click()
    expect(phone.locator("h1")).to_contain_text(name)
    talk = phone.locator("#talk-form")
    expect(talk.locator("#talk-as-convener")).to_contain_text(convener_name)
    expect(talk.get_by_label("谈话人身份")).to_have_count(0)
    expect(phone.locator("#decision-form")).to_have_count(0)
    talk.get_by_label("谈话内容").fill("作为界别召集人谈心谈话，了解两次未参会的原因。")
    talk.get_by_label("委员表态").fill("表示今后按时参会。")
    _no_sideways_scroll(phone)
    talk.get_by_role("button", name="登记谈话提醒").click()
    expect(phone.locator("#case-state [data-state]")).to_have_text("已谈话提醒")
    expect(phone.locator("#talk-record")).to_contain_text(convener_name)
    _no_sideways_scroll(phone)
    rows = e2e_site.sql(
        "select talk_by, talk_by_name from performance_warningcase where member_id = ? and year = ?",
        (int(member_id), year),
    )
    assert rows == [("convener", convener_name)]

    office = page_for("office")
    office.locator("#todos a").filter(has_text="待处理的履职预警").click()
    row = office.locator(f"#warning-list tr[data-member='{member_id}']")
    expect(row.locator("[data-state]")).to_have_text("已谈话提醒")
    row.get_by_role("link", name="处理").click()
    expect(office.locator("#talk-record")).to_contain_text(convener_name)
    expect(office.locator("#decision-form")).to_be_visible()
