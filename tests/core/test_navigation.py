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
