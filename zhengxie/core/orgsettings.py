"""Per-organisation settings: every number in domain.md is a default an administrator can change.

Apps register their defaults here; `get(org, key)` reads the organisation's override, then its
committee's (for a liaison group), then the default.
"""

from __future__ import annotations

DEFAULTS: dict[str, tuple[object, str]] = {}


def register(key: str, default, label: str) -> None:
    DEFAULTS[key] = (default, label)


def get(organisation, key: str):
    if key not in DEFAULTS:
        raise KeyError(key)
    for org in (organisation, getattr(organisation, "committee", None)):
        if org is not None and key in (org.settings or {}):
            return org.settings[key]
    return DEFAULTS[key][0]


register("session_timeout_minutes", 30, "会话超时(分钟)")
