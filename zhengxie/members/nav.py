"""Menu entries of the administrators' pages and the roster, and the administrators' workbench to-do."""

from django.urls import reverse

from zhengxie.core.models import Role
from zhengxie.core.navigation import register, todo_provider

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
