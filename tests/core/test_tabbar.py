"""The members' bottom tab bar (issue 15): 工作台, 提案, 会议活动, 履职档案 for members, the current one
marked; no bar for other roles. (Its phone-only display is checked in tests/e2e/test_phone_member.py.)"""

import re

import pytest

pytestmark = pytest.mark.django_db


def test_member_has_the_four_tabs_and_the_current_one_is_marked(client_for):
    body = client_for("member1").get("/proposals/mine/").content.decode()
    bar = re.search(r'<nav class="zx-tabbar d-lg-none" id="member-tabbar".*?</nav>', body, re.S).group(0)
    assert re.findall(r"<span>(.*?)</span>", bar) == ["工作台", "提案", "会议活动", "履职档案"]
    assert re.findall(
        r'class="zx-tab active"[^>]*href="([^"]+)"|href="([^"]+)" class="zx-tab active"', bar
    ) == [("", "/proposals/mine/")]
    for url in ("/", "/proposals/mine/", "/activities/", "/performance/me/"):
        assert f'href="{url}"' in bar


@pytest.mark.parametrize("name", ["staff", "handler1", "leader"])
def test_other_roles_have_no_tab_bar(client_for, name):
    assert 'id="member-tabbar"' not in client_for(name).get("/").content.decode()
