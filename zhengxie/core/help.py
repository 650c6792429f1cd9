"""In-product help (issue 15): one short page per role, written as templates (core/help/<key>.html).

`PAGES` lists them in menu order; `mine(user)` are the keys that fit a user's roles and `default_for(user)`
the one 「帮助」 opens first. Each page links to the platform's pages with `{% url %}`, so a renamed route
breaks tests/core/test_help.py instead of leaving a dead link.
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import Office, Organisation, Role


@dataclass(frozen=True)
class HelpPage:
    key: str
    label: str

    @property
    def template(self) -> str:
        return f"core/help/{self.key}.html"


PAGES = (
    HelpPage("member", "委员"),
    HelpPage("staff", "提案委/机关工作人员"),
    HelpPage("info", "信息科"),
    HelpPage("unit", "承办单位经办人/负责人"),
    HelpPage("leader", "领导"),
    HelpPage("liaison", "乡镇联络组"),
    HelpPage("auditor", "审计员"),
    HelpPage("sysadmin", "系统管理员"),
    HelpPage("upper", "上级政协"),
)
BY_KEY = {p.key: p for p in PAGES}


def _upper(user) -> bool:
    org = getattr(user, "organisation", None)
    return org is not None and org.kind in (Organisation.Kind.CITY, Organisation.Kind.PROVINCE)


def mine(user) -> list[str]:
    """The help pages of a user's roles, the most specific first (a city's staff: 上级政协 before 机关工作人员;
    the 信息科: 信息科 before 机关工作人员)."""
    keys = []
    if user.has_role(Role.SYSADMIN, Role.SECADMIN):
        keys.append("sysadmin")
    if user.has_role(Role.AUDITOR):
        keys.append("auditor")
    if user.has_role(Role.UNIT_HANDLER, Role.UNIT_HEAD):
        keys.append("unit")
    if user.has_role(Role.LIAISON):
        keys.append("liaison")
    if user.has_role(Role.STAFF, Role.LEADER) and _upper(user):
        keys.append("upper")
    if user.has_role(Role.LEADER):
        keys.append("leader")
    if user.has_role(Role.STAFF):
        if user.office == Office.INFORMATION:
            keys += ["info", "staff"]
        else:
            keys.append("staff")
            if user.works_in(Office.INFORMATION):
                keys.append("info")
    if user.has_role(Role.MEMBER):
        keys.append("member")
    return keys


def default_for(user) -> str:
    keys = mine(user)
    return keys[0] if keys else PAGES[0].key
