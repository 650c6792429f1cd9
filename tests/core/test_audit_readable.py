"""The auditor reads the log in Chinese: actions named, changes as 字段：旧 → 新, not Python dicts."""

import re
from pathlib import Path

import pytest

from zhengxie.core import audit
from zhengxie.core.auditlabels import action_label, changes, target_label

pytestmark = pytest.mark.django_db


def test_action_codes_read_in_chinese():
    assert action_label("activities.meeting_close") == "会议活动：结束归档"
    assert action_label("handling.public_suggestion.rate") == "交办 · 微建议：评价"
    assert action_label("reading.check_in") == "书香政协：打卡"
    # A code nobody named yet stays readable as itself.
    assert action_label("newapp.something") == "newapp：something"


def test_changes_list_only_what_changed():
    assert changes({"status": "待答复", "title": "甲"}, {"status": "已答复", "title": "甲"}) == [
        "状态：待答复 → 已答复"
    ]
    assert changes(None, {"year": 2026, "note": ""}) == ["年度：2026", "备注：（空）"]
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
    assert "进度（%）：30 → 45" in page
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


# Modules that write their audit entries through a helper of their own: (helper, position of the action).
WRAPPERS = {
    "research": ("_record", 1),
    "suggestions": ("_audit", 2),
    "studios": ("record", 1),
    "proposals": ("_done", 2),
    "opinions": ("_done", 2),
    "consultation": ("record", 1),
    "handling": ("_audit", 2),
}


def _codes_in_the_code() -> set[str]:
    """The action codes written as text in the code: audit.record(…, "app.verb") and the modules' helpers
    (…, "verb"); a code computed at run time is left to the modules' own tests."""
    import ast

    import zhengxie

    root = Path(zhengxie.__path__[0])
    codes = set()

    def texts(node):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return [node.value]
        if isinstance(node, ast.IfExp):
            return texts(node.body) + texts(node.orelse)
        return []

    for path in root.rglob("*.py"):
        app = path.relative_to(root).parts[0]
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            on_audit = isinstance(node.func, ast.Attribute) and getattr(node.func.value, "id", "") == "audit"
            if on_audit and name == "record" and len(node.args) >= 2:
                codes.update(texts(node.args[1]))
            elif not on_audit and app in WRAPPERS and name == WRAPPERS[app][0]:
                pos = WRAPPERS[app][1]
                arg = node.args[pos] if len(node.args) > pos else None
                prefix = "handling.proposal" if app == "handling" else app
                codes.update(f"{prefix}.{v}" for v in texts(arg))
    return codes


def test_every_action_written_in_the_code_reads_in_chinese():
    codes = _codes_in_the_code()
    assert {"proposals.evaluate", "studios.swap_ask", "routing.train", "auth.login"} <= codes
    unnamed = sorted(f"{c} → {action_label(c)}" for c in codes if re.search(r"[A-Za-z]", action_label(c)))
    assert unnamed == []
    assert action_label("proposals.list_xlsx.start") == "提案：开始生成「提案列表导出」"


def test_fields_and_coded_values_read_in_chinese_from_the_entry_model():
    assert changes({"status": "draft"}, {"status": "submitted"}, "proposals.proposal") == [
        "状态：草稿 → 待审查"
    ]
    assert changes(
        {"status": "assigned"},
        {"status": "rehandling", "rating": "unsatisfied", "unit": 12, "on_time": True},
        "handling.case",
    ) == ["事项状态：已交办 → 重新办理", "评价：不满意", "承办单位：#12", "按期：是"]
    # Times in local time to the minute, numbers of other rows marked, nested values without braces.
    lines = changes(
        None,
        {"created_at": "2026-12-04 13:39:00.028638+00:00", "member": 218, "heads": {"units": 26}},
        "performance.memberwarning",
    )
    assert lines[0].endswith("：2026-12-04 21:39") and "委员：#218" in lines and "分类器：units：26" in lines
    assert not any("{" in x or "'" in x for x in lines)
    assert target_label("routing.routingmodel", "RoutingModel object (2)") == "分办模型 #2"
    assert target_label("proposals.proposal", "第3号 关于…的提案") == "第3号 关于…的提案"


def test_the_demo_log_reads_without_dicts_and_codes(client_for):
    c = client_for("auditor")
    for page in (1, 2, 3):
        html = c.get("/audit/", {"page": page}).content.decode()
        cells = re.findall(r'<td class="small text-break">(.*?)</td>', html, flags=re.S)
        assert cells
        assert not any("{" in x or "&#x27;" in x or " object (" in x for x in cells)
    assert 'class="text-nowrap">' in html  # operator (and time, organisation, IP) on one line
