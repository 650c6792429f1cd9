"""帮助 (issue 15): a help page per role, reached from the user menu, opening the user's own role; every link on
it resolves to a real page (the templates reverse their URLs, so a renamed route fails here)."""

import re
from urllib.parse import urlsplit

import pytest
from django.urls import Resolver404, resolve

from zhengxie.core.help import PAGES

pytestmark = pytest.mark.django_db

# The demo user each help page is written for, and one page (a link) it must name.
FOR_ROLE = {
    "member": ("member1", "/proposals/new/"),
    "staff": ("staff", "/proposals/review/"),
    "info": ("info", "/opinions/queue/"),
    "unit": ("handler1", "/handling/"),
    "leader": ("leader", "/dashboard/"),
    "liaison": ("liaison", "/manage/members/"),
    "auditor": ("auditor", "/audit/"),
    "sysadmin": ("admin", "/manage/users/"),
    "upper": ("citystaff", "/yearbook/levels/"),
}


def _links(body: str) -> list[str]:
    main = body.split('id="help"', 1)[1]
    return re.findall(r'href="([^"#]+)"', main)


def test_every_role_has_a_page():
    assert [p.key for p in PAGES] == list(FOR_ROLE)


@pytest.mark.parametrize("key", list(FOR_ROLE))
def test_the_role_opens_its_own_page_by_default_and_every_link_resolves(client_for, key):
    username, must_link = FOR_ROLE[key]
    r = client_for(username).get("/help/")
    assert r.status_code == 200
    body = r.content.decode()
    label = next(p.label for p in PAGES if p.key == key)
    assert f'<h1 class="h4 mb-2"><i class="bi bi-question-circle me-1"></i>帮助：{label}</h1>' in body
    # Its own page is marked in the switcher.
    assert re.search(rf'aria-current="page">{re.escape(label)}<span[^>]*>我的角色</span>', body)
    links = _links(body)
    assert must_link in links
    assert len([u for u in links if not u.startswith("/help/")]) >= 8
    for url in links:
        try:
            resolve(urlsplit(url).path)
        except Resolver404:
            pytest.fail(f"{key}: the help page links to {url}, which is no page")


@pytest.mark.parametrize("key", list(FOR_ROLE))
def test_each_page_has_three_to_five_jobs_with_steps(client_for, key):
    body = client_for("member1").get(f"/help/?role={key}").content.decode()
    jobs = re.findall(r'<div class="card p-3 mb-3" id="job-[a-z]+"><h2 class="h6">\d\. ', body)
    assert 3 <= len(jobs) <= 5, key
    assert body.count("<ol") == len(jobs)


def test_every_link_opens_for_its_role(client_for):
    """The links of a role's page open for that role (no 403/404 behind a help link)."""
    for key, (username, _) in FOR_ROLE.items():
        c = client_for(username)
        for url in _links(c.get(f"/help/?role={key}").content.decode()):
            if url.startswith("/help/") or "password" in url:
                continue
            r = c.get(url, follow=True)
            assert r.status_code == 200, (key, url, r.status_code)


def test_reached_from_the_user_menu_and_an_unknown_role_falls_back(client_for):
    c = client_for("member1")
    assert 'href="/help/" id="help-link"' in c.get("/").content.decode()
    body = c.get("/help/?role=nope").content.decode()
    assert "帮助：委员" in body


def test_city_staff_see_upper_first_and_also_their_office_pages(client_for):
    body = client_for("citystaff").get("/help/").content.decode()
    assert "帮助：上级政协" in body
    marked = re.findall(r">([^<>]+)<span class=\"badge[^\"]*\">我的角色</span>", body)
    assert marked[0] == "提案委/机关工作人员" or "上级政协" in marked
    assert "上级政协" in marked and "提案委/机关工作人员" in marked


def test_login_required(client):
    r = client.get("/help/")
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


def test_help_page_reads_a_constant_few_queries(client_for, django_assert_max_num_queries):
    c = client_for("member1")
    c.get("/help/")
    with django_assert_max_num_queries(8):
        assert c.get("/help/?role=staff").status_code == 200
