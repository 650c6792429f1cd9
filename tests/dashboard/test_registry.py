"""The dashboard shows what the registered figure providers return: in order, for their roles, None skipped."""

import pathlib

import pytest
from django.urls import reverse

from zhengxie.core import dashboard
from zhengxie.core.dashboard import Card, Chart, Item, ItemList, Section, figure_provider
from zhengxie.core.models import Role

URL = reverse("dashboard:index")


@pytest.fixture
def providers(monkeypatch):
    """Replace the registered providers with the test's own; the list of calls made: (name, username)."""
    monkeypatch.setattr(dashboard, "PROVIDERS", [])
    return []


def test_a_provider_is_called_and_its_section_shown(client_for, providers):
    @figure_provider(order=10)
    def figures(user, period):
        providers.append(("figures", user.username, period))
        return Section(
            "测试板块",
            id="test",
            url="/somewhere/",
            url_label="更多",
            cards=[
                Card("红灯事项", 7, url="/somewhere/?light=red", level="danger", id="test-red"),
                Card("办复率", 95.5, unit="%", hint="按期答复 3 件"),
                Card("满意率", None, unit="%"),
            ],
            charts=[Chart("测试图表", {"series": [{"type": "pie", "data": [1, 2]}]}, "test-pie")],
            lists=[
                ItemList(
                    "重点事项", [Item("第1号 一件事", url="/one/", meta="张三", light="red")], id="test-list"
                ),
                ItemList("空列表", [], empty="什么也没有。"),
            ],
        )

    page = client_for("leader").get(URL).content.decode()
    assert [(name, username) for name, username, _ in providers] == [("figures", "leader")]
    assert providers[0][2].session is not None  # the current session of the leader's committee
    assert 'id="dash-test"' in page and "测试板块" in page and 'href="/somewhere/"' in page
    assert 'id="test-red">7<' in page and 'href="/somewhere/?light=red"' in page
    assert 'class="fs-3 fw-bold text-danger"' in page
    assert ">95.5%<" in page and "按期答复 3 件" in page and ">—<" in page
    assert 'data-chart-source="test-pie"' in page and '<script id="test-pie" type="application/json">' in page
    assert 'href="/one/">第1号 一件事</a>' in page and "· 张三" in page and "light-dot light-red" in page
    assert "什么也没有。" in page
    assert 'id="dashboard-empty"' not in page


def test_a_provider_returning_none_is_skipped(client_for, providers):
    @figure_provider(order=10)
    def nothing(user, period):
        providers.append(("nothing", user.username))
        return None

    @figure_provider(order=20)
    def something(user, period):
        providers.append(("something", user.username))
        return Section("有数据的板块", id="something")

    page = client_for("leader").get(URL).content.decode()
    assert providers == [("nothing", "leader"), ("something", "leader")]
    assert page.count("<section") == 1 and 'id="dash-something"' in page


def test_nothing_to_show_is_said_so(client_for, providers):
    figure_provider()(lambda user, period: None)
    r = client_for("leader").get(URL)
    assert r.status_code == 200 and 'id="dashboard-empty"' in r.content.decode()


def test_providers_are_called_for_their_roles_only_and_in_order(client_for, providers):
    def make(name, **kw):
        @figure_provider(**kw)
        def provider(user, period):
            providers.append((name, user.username))
            return Section(name, id=name)

    make("admins", order=30, roles=[Role.SYSADMIN])
    make("everybody", order=20)
    make("leaders", order=10, roles=[Role.LEADER, Role.SYSADMIN])

    page = client_for("leader").get(URL).content.decode()
    assert providers == [("leaders", "leader"), ("everybody", "leader")]
    assert "dash-admins" not in page
    assert page.index('id="dash-leaders"') < page.index('id="dash-everybody"')

    providers.clear()
    client_for("admin").get(URL)
    assert providers == [("leaders", "admin"), ("everybody", "admin"), ("admins", "admin")]


def test_the_page_stays_closed_to_other_roles(client_for, providers):
    figure_provider()(lambda user, period: providers.append(user.username))
    for username in ("member1", "handler1", "liaison"):
        assert client_for(username).get(URL).status_code == 404
    assert providers == []


def test_the_session_picked_reaches_the_providers(client_for, providers):
    from tests.proposals.builders import new_session

    session = new_session(year=2031)

    @figure_provider()
    def figures(user, period):
        providers.append((period.session, period.year))
        return None

    page = client_for("leader").get(URL + f"?session={session.pk}").content.decode()
    assert providers == [(session, 2031)]
    # The committee is named with the session (a city user picks among several committees' sessions).
    assert f"领导驾驶舱 · {session.organisation.name} {session.name}" in page


def test_the_dashboard_app_does_not_import_the_apps_it_shows():
    """Figures come from the registry: no module of the dashboard app reads another app's data."""
    root = pathlib.Path(dashboard.__file__).parents[1] / "dashboard"
    for path in root.rglob("*.py"):
        text = path.read_text()
        for app in ("proposals", "handling", "activities", "performance"):
            assert f"zhengxie.{app}" not in text and f"from zhengxie import {app}" not in text, (path, app)
