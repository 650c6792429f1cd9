"""Menu entries of the administrators' pages and the roster, and the administrators' workbench to-do."""

from django.urls import reverse

from zhengxie.core.models import Role
from zhengxie.core.navigation import home_provider, register, todo_provider

ADMIN = "系统管理"
register("履职", "委员名录", "member_directory", roles=[Role.MEMBER], icon="people", order=305)
register(ADMIN, "组织机构", "members:org_tree", roles=[Role.SYSADMIN], icon="diagram-3", order=800)
register(ADMIN, "届次会次", "members:terms", roles=[Role.SYSADMIN], icon="calendar3", order=801)
register(ADMIN, "界别", "members:sectors", roles=[Role.SYSADMIN], icon="grid", order=802)
register(ADMIN, "专委会", "members:committees", roles=[Role.SYSADMIN], icon="people", order=803)
register(ADMIN, "党派", "members:parties", roles=[Role.SYSADMIN], icon="flag", order=804)
register(ADMIN, "承办单位", "members:units", roles=[Role.SYSADMIN], icon="building", order=805)
register(
    ADMIN, "用户管理", "members:users", roles=[Role.SYSADMIN, Role.SECADMIN], icon="person-gear", order=806
)
register(ADMIN, "委员名册", "members:roster", roles=[Role.SYSADMIN], icon="person-vcard", order=807)
register(
    "委员",
    "委员名册",
    "members:roster",
    roles=[Role.STAFF, Role.LEADER, Role.LIAISON],
    icon="person-vcard",
    order=300,
)
register(
    "委员",
    "界别召集人与委员小组",
    "members:groups",
    roles=[Role.STAFF, Role.SYSADMIN],
    icon="people-fill",
    order=301,
)
register(
    "履职",
    "履职承诺",
    "members:pledges",
    roles=[Role.STAFF, Role.LEADER, Role.SYSADMIN],
    icon="flag",
    order=306,
)


@todo_provider
def locked_accounts(user):
    """Accounts locked after repeated failed logins, for the security and system administrators."""
    if not user.has_role(Role.SYSADMIN, Role.SECADMIN):
        return []
    from .selectors import locked_user_count

    return [
        {
            "label": "被锁定的账号",
            "count": locked_user_count(user),
            "url": reverse("members:users") + "?locked=1",
            "level": "danger",
        }
    ]


@home_provider(order=20)
def liaison_members(user) -> list:
    """A 乡镇联络组's workbench: the group's members (active), standing members among them, the names with
    their 界别, each opening the member's archive (two queries)."""
    from django.db.models import Count, Q

    from zhengxie.core.dashboard import Card, Item, ItemList, Section

    from .models import Member
    from .selectors import liaison_group_of

    group = liaison_group_of(user)
    if group is None:
        return []
    active = Member.objects.filter(liaison_group=group, status=Member.Status.ACTIVE)
    c = active.aggregate(n=Count("id"), standing=Count("id", filter=Q(is_standing=True)))
    shown = list(active.select_related("sector").order_by("sector__order", "sector_id", "name", "id")[:12])
    roster = reverse("members:roster")
    items = [
        Item(m.name, url=reverse("performance:member", args=[m.pk]), meta=m.sector.name if m.sector else "")
        for m in shown
    ]
    more = c["n"] - len(shown)
    return [
        Section(
            f"{group.short_name or group.name} · 委员",
            id="liaison-members",
            icon="people",
            url=roster,
            url_label="委员名册",
            card_cols="col-6 col-md-3",
            cards=[
                Card("本组委员", c["n"], unit=" 人", url=roster, id="liaison-members-count"),
                Card("其中常委", c["standing"], unit=" 人", id="liaison-standing-count"),
            ],
            lists=[
                ItemList(
                    "委员（点姓名看一员一档）" + (f"，另有 {more} 人见委员名册" if more > 0 else ""),
                    items,
                    empty="本组还没有委员。",
                    id="liaison-member-list",
                    cols="col-12",
                )
            ],
        )
    ]
