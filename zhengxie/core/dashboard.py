"""The leaders' dashboard (领导驾驶舱) is filled by the apps, as the menu and the workbench to-dos are.

Each app's `dashboard.py` (discovered like `nav.py`, see core/apps.py) registers figure providers:

    @figure_provider(order=100, roles=[Role.LEADER, Role.STAFF])
    def proposal_figures(user, period) -> Section | None: ...

A provider gets the user and the `Period` the page shows (the 会次 picked, and its year) and returns a
`Section` (a title, figure cards, ECharts charts, short lists), or None to show nothing (no data, or a user
it has nothing for). Providers are called in `order`, only for users with one of their `roles` (every
user when roles is empty). Each provider must run a constant, small number of queries whatever the amount
of data, and hand back plain values (lists, not querysets): the template runs no queries.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Period:
    """What the page shows: a 会次 (None when the user's organisations have none) and its year."""

    session: object | None
    year: int


@dataclass
class Card:
    """A headline figure. `value` None shows "—"; `unit` follows the value ("%", " 人"); `hint` is a small
    line under it (text, or markup made with format_html); `level` is the value's Bootstrap text colour;
    `url` makes the whole card a link; `id` is the value's DOM id (for tests and scripts)."""

    label: str
    value: object = None
    unit: str = ""
    hint: str = ""
    url: str = ""
    level: str = ""
    id: str = ""


@dataclass
class Chart:
    """An ECharts option, drawn by static/js/app.js from a json_script; `id` must be unique on the page;
    `css`: more classes for the chart's box (`chart-rows`: taller on a phone, for bars on their side)."""

    title: str
    option: dict
    id: str
    cols: str = "col-12 col-lg-6"
    css: str = ""


@dataclass
class Item:
    """A row of a short list: a link, a light before it (red / yellow / green), a muted note after it and,
    at the right end, a badge (text, or markup made with format_html / render_to_string). `date` (期限
    2026-11-15, 2026-12-01 14:00) leads the note and never breaks across lines (#15: it read 2026-11-/15)."""

    label: str
    url: str = ""
    date: str = ""
    meta: str = ""
    light: str = ""
    light_label: str = ""
    badge: str = ""


@dataclass
class ItemList:
    """A short list (ten rows or so) with a heading; `icon` is a Bootstrap icon (with colour classes) and
    `light` a light dot before the heading."""

    title: str
    items: list[Item]
    empty: str = "暂无。"
    id: str = ""
    icon: str = ""
    light: str = ""
    cols: str = "col-12 col-lg-6"


@dataclass
class Table:
    """A small table: `columns` the headers and `rows` lists of cells, each header and cell a (text, url)
    pair (url "" for none); the first column is the row's name, the others numbers."""

    title: str
    columns: list
    rows: list[list]
    empty: str = "暂无。"
    id: str = ""
    note: str = ""


@dataclass
class Section:
    """One app's part of the dashboard. `url` links to the full page (`url_label`); `note` is a small
    line under the title; `card_cols` are the Bootstrap column classes of each card."""

    title: str
    cards: list[Card] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    lists: list[ItemList] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    id: str = ""
    url: str = ""
    url_label: str = "详情"
    note: str = ""
    icon: str = ""
    card_cols: str = "col-6 col-md-4 col-xl-2"


@dataclass(frozen=True)
class Provider:
    func: Callable
    order: int = 100
    roles: tuple[str, ...] = ()
    # The positions of the cards that leaders also see on their workbench (key_figures).
    home: tuple[int, ...] = ()

    def visible_to(self, user) -> bool:
        return not self.roles or user.has_role(*self.roles)


PROVIDERS: list[Provider] = []


def figure_provider(order: int = 100, roles=(), home=()):
    """Register `func(user, period) -> Section | None` for the dashboard; `home`: the positions of its cards
    that leaders see on their workbench too (key_figures)."""

    def register(func):
        PROVIDERS.append(Provider(func, order, tuple(roles), tuple(home)))
        return func

    return register


def sections_for(user, period: Period) -> list[Section]:
    """The sections the providers have for this user, in order; providers returning None are skipped."""
    sections = []
    for provider in sorted(PROVIDERS, key=lambda p: p.order):
        if not provider.visible_to(user):
            continue
        section = provider.func(user, period)
        if section is not None:
            sections.append(section)
    return sections


def key_figures(user, period: Period) -> list[Card]:
    """The leaders' workbench: the cards of the providers that name some (`home`), each label led by its
    section's subject ("提案：办复率"), in the providers' order. Only those providers run."""
    cards = []
    for provider in sorted(PROVIDERS, key=lambda p: p.order):
        if not provider.home or not provider.visible_to(user):
            continue
        section = provider.func(user, period)
        if section is None:
            continue
        subject = re.split(r"（| · ", section.title)[0]
        for i in provider.home:
            if i < len(section.cards):
                c = section.cards[i]
                cards.append(
                    Card(
                        f"{subject}：{c.label}", c.value, c.unit, c.hint, c.url or section.url, c.level, c.id
                    )
                )
    return cards
