from zhengxie.core.navigation import menu_for


def labels(user):
    return {e["label"] for _, entries in menu_for(user) for e in entries}


def test_office_specific_entries_only_for_that_office(user):
    assert "立案审查" in labels(user("staff"))
    info = labels(user("info"))
    assert "立案审查" not in info and "提案汇编" not in info
    # Entries for every office stay visible.
    assert "全部提案" in info


def test_leader_sees_key_proposals_without_an_office(user):
    assert "重点提案" in labels(user("leader"))


def test_unread_messages_are_marked_without_doubling_the_title(client_for, user):
    """An unread 新交办提案 reads 「未读」新交办提案…, not 新新交办提案 (the badge said 新)."""
    from zhengxie.core.notifications import notify

    notify([user("handler1")], "新交办提案（主办）：第1号《测试》", "正文", url="/")
    page = client_for("handler1").get("/").content.decode()
    assert '>未读</span><a href="/">新交办提案（主办）' in page


# --- the top menu: a few menus by what the office does, each a dropdown of its sections' entries -----------

# What fits one row at 1280 px beside the brand, the search box and the user menu.
MAX_TOP_LEVEL = 9


def test_every_role_sees_few_top_level_menus(user):
    counts = {u: len(menu_for(user(u))) for u in ROLES}
    assert counts == {
        "staff": 7,  # 工作台 交办 提案 会议活动 协商监督 委员履职 统计
        "office": 8,  # + 社情民意 (its 微建议)
        "info": 8,  # + 社情民意
        "admin": 9,  # + 系统
        "leader": 8,
        "member1": 6,  # 工作台 提案 社情民意 会议活动 协商监督 委员履职
        "handler1": 3,
        "citystaff": 8,
    }
    assert max(counts.values()) <= MAX_TOP_LEVEL


ROLES = ["staff", "office", "info", "admin", "leader", "member1", "handler1", "citystaff"]


def test_sections_are_grouped_under_the_menus_by_what_the_office_does(user):
    menu = dict(menu_for(user("leader")))
    assert list(menu) == ["工作台", "交办", "提案", "社情民意", "会议活动", "协商监督", "委员履职", "统计"]
    groups = {e["group"] for e in menu["协商监督"]}
    assert groups == {"协商议事", "重点工作", "民主监督", "视察调研"}
    assert {e["group"] for e in menu["委员履职"]} == {"委员", "履职", "委员工作室"}
    assert {e["group"] for e in menu["社情民意"]} == {"社情民意", "微建议"}
    # Entries of one section stay together, in the menu's order of sections.
    order = [e["group"] for e in menu["协商监督"]]
    assert order == sorted(order, key=["协商议事", "重点工作", "民主监督", "视察调研"].index)
    admin = dict(menu_for(user("admin")))
    assert "系统" in admin and "用户管理" in {e["label"] for e in admin["系统"]}
    assert [e["label"] for e in dict(menu_for(user("auditor")))["系统"]] == ["审计日志"]


def test_every_registered_section_has_a_menu():
    """A new app's section must be placed in a menu (navigation.MENUS), not left as one more top-level."""
    from zhengxie.core.navigation import ENTRIES, MENUS

    placed = {s for _menu, sections in MENUS for s in sections}
    assert {e.section for e in ENTRIES} <= placed


def test_a_menu_of_several_sections_shows_their_names_as_headers(client_for):
    page = client_for("leader").get("/").content.decode()
    assert 'data-bs-toggle="dropdown">协商监督</a>' in page
    assert '<h6 class="dropdown-header">重点工作</h6>' in page
    # A menu of one section has no header.
    assert '<h6 class="dropdown-header">工作台</h6>' not in page
