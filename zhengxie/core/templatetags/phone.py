"""The members' bottom tab bar on phones (issue 15): the four things a member does most, one tap away."""

from django import template
from django.urls import reverse

from zhengxie.core.models import Role

register = template.Library()

# (label, icon, url name, path prefixes that light the tab up)
MEMBER_TABS = (
    ("工作台", "house", "core:workbench", ("/",)),
    ("提案", "file-earmark-text", "proposals:mine", ("/proposals/",)),
    ("会议活动", "calendar-event", "activities:list", ("/activities/",)),
    ("履职档案", "person-vcard", "performance:me", ("/performance/",)),
)


def member_tabs(user, path: str) -> list[dict]:
    """The tabs for a member (empty for other roles), the one for `path` marked active."""
    if not getattr(user, "is_authenticated", False) or not user.has_role(Role.MEMBER):
        return []
    tabs = [
        {"label": label, "icon": icon, "url": reverse(name), "prefixes": p}
        for label, icon, name, p in MEMBER_TABS
    ]
    best = max(
        (t for t in tabs if any(path == x if x == "/" else path.startswith(x) for x in t["prefixes"])),
        key=lambda t: max(len(x) for x in t["prefixes"]),
        default=None,
    )
    for t in tabs:
        t["active"] = t is best
    return tabs


@register.inclusion_tag("includes/tabbar.html", takes_context=True)
def member_tabbar(context):
    request = context.get("request")
    user = context.get("user") or getattr(request, "user", None)
    return {"tabs": member_tabs(user, getattr(request, "path", "/"))}
