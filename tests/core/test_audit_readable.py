"""The auditor reads the log in Chinese: actions named, changes as 字段：旧 → 新, not Python dicts."""

import pytest

from zhengxie.core import audit
from zhengxie.core.auditlabels import action_label, changes

pytestmark = pytest.mark.django_db


def test_action_codes_read_in_chinese():
    assert action_label("activities.meeting_close") == "会议活动：结束归档"
    assert action_label("handling.public_suggestion.rate") == "交办 · 微建议：评价"
    assert action_label("reading.check_in") == "书香政协：打卡"
    # A code nobody named yet stays readable as itself.
    assert action_label("newapp.something") == "newapp：something"


def test_changes_list_only_what_changed():
    assert changes({"status": "待答复", "title": "甲"}, {"status": "已答复", "title": "甲"}) == [
        "status：待答复 → 已答复"
    ]
    assert changes(None, {"year": 2026, "note": ""}) == ["year：2026", "note：（空）"]
    assert changes({"a": True}, {}) == ["a：是 → （删除）"]


def test_the_auditor_page_shows_labels_and_changes(client_for, user):
    office = user("office")
    audit.record(
        office,
        "keytasks.update",
        office,
        before={"percent": 30},
        after={"percent": 45},
        organisation=office.organisation,
    )
    page = client_for("auditor").get("/audit/?action=keytasks.update").content.decode()
    assert "重点工作：修改" in page
    assert "percent：30 → 45" in page
    assert "{&#x27;percent&#x27;" not in page and "{'percent'" not in page


def test_every_consultation_action_reads_in_chinese():
    """协商议事's audit entries (hidden comments stay readable there) name their action in Chinese, not
    "协商议事：hall_hide"."""
    import re
    from pathlib import Path

    import zhengxie.consultation.services as pkg

    source = "".join(p.read_text() for p in Path(pkg.__path__[0]).glob("*.py"))
    verbs = set(re.findall(r'record\(\s*(?:user|None),\s*"(\w+)"', source))
    verbs |= {"outcome_update", "open", "hold", "close", "reopen"}  # a conditional and the steps' own names
    assert {"hall_hide", "hall_merge", "topic_public", "call_open"} <= verbs
    unnamed = [v for v in sorted(verbs) if re.search(r"[a-z]", action_label(f"consultation.{v}"))]
    assert unnamed == []
    assert action_label("consultation.hall_hide") == "协商议事：网络议政：隐藏留言"
