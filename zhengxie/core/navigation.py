"""The role-based menu. Apps append entries with `register`; each entry names the roles that see it.

An entry is shown when the user has one of its roles (or roles is empty) and its URL resolves. An entry
may also name staff offices: then staff see it only when they work in one of those offices (a callable
returning them when they are known only once every app is ready).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse


@dataclass(frozen=True)
class Entry:
    section: str
    label: str
    url_name: str
    roles: tuple[str, ...]
    icon: str = "circle"
    order: int = 100
    offices: tuple[str, ...] | object = ()

    def office_codes(self) -> tuple[str, ...]:
        return tuple(self.offices()) if callable(self.offices) else self.offices

    def visible_to(self, user) -> bool:
        return self.visible_for(user.role_codes, frozenset(user.offices))

    def visible_for(self, roles: frozenset, offices: frozenset) -> bool:
        """Shown to someone with these role codes who works in these offices."""
        from .models import Role

        if not self.roles:
            return True
        if any(r != Role.STAFF and r in roles for r in self.roles):
            return True
        return (
            Role.STAFF in self.roles
            and Role.STAFF in roles
            and (not self.offices or not offices.isdisjoint(self.office_codes()))
        )


ENTRIES: list[Entry] = []


def register(
    section: str, label: str, url_name: str, roles=(), icon: str = "circle", order: int = 100, offices=()
):
    offices = offices if callable(offices) else tuple(offices)
    ENTRIES.append(Entry(section, label, url_name, tuple(roles), icon, order, offices))
    _menu.cache_clear()


# The top menu: the apps' sections grouped by what the office does, so that every role's menu fits one row at
# 1280 px (fourteen sections did not). A menu of several sections shows each section's name as a header in
# its dropdown. A section no menu names stays a top-level menu of its own, after these (a test asks that
# every registered section be placed here).
MENUS: list[tuple[str, tuple[str, ...]]] = [
    ("工作台", ("工作台",)),
    ("交办", ("交办",)),
    ("提案", ("提案",)),
    ("社情民意", ("社情民意", "微建议")),
    ("会议活动", ("会议活动",)),
    ("协商监督", ("协商议事", "重点工作", "民主监督", "视察调研")),
    ("委员履职", ("委员", "履职", "委员工作室")),
    ("统计", ("统计",)),
    ("系统", ("系统管理", "审计")),
]


def _placement() -> dict[str, tuple[int, int, str]]:
    """section -> (menu's rank, section's rank inside it, menu)."""
    return {s: (i, j, menu) for i, (menu, sections) in enumerate(MENUS) for j, s in enumerate(sections)}


def menu_for(user) -> list[tuple[str, list[dict]]]:
    """The user's top menu: [(menu, [{"label", "url", "icon", "group", "header"}, ...]), ...]; "group" is the
    entry's section; "header" is set on the first entry of each section when the menu holds several (the
    section's name is then a header in the menu's dropdown). Read only: one list is shared by every user
    with the same roles and offices."""
    urls = (get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
    if not user.is_authenticated:
        return _menu(frozenset(), frozenset(), urls)
    return _menu(user.role_codes, frozenset(user.offices), urls)


# Built once per process for each set of roles and offices (a handful): sorting every entry and reversing
# its URL on each page was a tenth of a proposal's detail page (issue 16). `urls`: the script prefix and URL
# configuration the URLs were reversed in.
@functools.lru_cache(maxsize=256)
def _menu(roles: frozenset, offices: frozenset, urls: tuple) -> list[tuple[str, list[dict]]]:
    placed = _placement()
    unplaced = (len(MENUS), 0, "")

    def key(e):
        return (*placed.get(e.section, unplaced)[:2], e.order)

    menus: dict[str, list[dict]] = {}
    for e in sorted(ENTRIES, key=key):
        if not e.visible_for(roles, offices):
            continue
        try:
            url = reverse(e.url_name)
        except NoReverseMatch:
            continue
        menu = placed[e.section][2] if e.section in placed else e.section
        menus.setdefault(menu, []).append({"label": e.label, "url": url, "icon": e.icon, "group": e.section})
    for entries in menus.values():
        several = len({e["group"] for e in entries}) > 1
        for i, e in enumerate(entries):
            first = i == 0 or entries[i - 1]["group"] != e["group"]
            e["header"] = e["group"] if several and first else ""
    return list(menus.items())


# Workbench to-do providers: func(user) -> list of {"label", "count", "url", "level"} (level: a
# Bootstrap colour such as "danger"). Each provider must run a constant, small number of queries.
TODO_PROVIDERS: list = []


def todo_provider(func):
    TODO_PROVIDERS.append(func)
    return func


def todos_for(user) -> list[dict]:
    items = []
    for provider in TODO_PROVIDERS:
        items.extend(i for i in provider(user) if i.get("count"))
    return items


# Workbench sections ("home"): what a role sees on its workbench besides the to-dos, as dashboard sections
# (core.dashboard.Section: figure cards, short lists, tables; no charts). func(user) -> list[Section]
# (empty for users it has nothing for), registered by the apps' nav.py with @home_provider(order=…). Each
# must run a constant, small number of queries and hand back plain values.
HOME_PROVIDERS: list[tuple[int, object]] = []


def home_provider(order: int = 100):
    def register(func):
        HOME_PROVIDERS.append((order, func))
        return func

    return register


def home_for(user) -> list:
    sections = []
    for _order, provider in sorted(HOME_PROVIDERS, key=lambda p: p[0]):
        sections.extend(provider(user))
    return sections


# The levels below on a city's (a province's) workbench: the queues of the committees below, as columns of
# one table (dashboard.nav.lower_queues). func(user) -> list of {"label", "counts": {organisation_id: n},
# "level"} over the user's subtree (a liaison group's rows count for its county), registered by the apps'
# nav.py with @queue_columns(order=…). A constant few queries each; nothing for users it does not concern.
QUEUE_PROVIDERS: list[tuple[int, object]] = []


def queue_columns(order: int = 100):
    def register(func):
        QUEUE_PROVIDERS.append((order, func))
        return func

    return register


def waiting_column(user, queryset, label: str, level: str = "primary") -> list[dict]:
    """One column of that table: the rows of `queryset` in the user's subtree, counted by committee (one
    query); nothing for users who are not staff or leaders of a committee."""
    from django.db.models import Count

    from .models import Role
    from .permissions import org_scope_q

    if not user.has_role(Role.STAFF, Role.LEADER) or user.organisation_id is None:
        return []
    rows = (
        queryset.filter(org_scope_q(user)).values_list("organisation_id").annotate(n=Count("id")).order_by()
    )
    return [{"label": label, "counts": dict(rows), "level": level}]


def queues_for(user) -> list[dict]:
    columns = []
    for _order, provider in sorted(QUEUE_PROVIDERS, key=lambda p: p[0]):
        columns.extend(provider(user))
    return columns
