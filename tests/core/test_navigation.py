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
