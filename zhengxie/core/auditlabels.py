"""What the audit log shows a reader: an action code ("handling.public_suggestion.rate") as Chinese
("交办 · 微建议：评价"), and an entry's before/after as the fields that changed ("状态：待答复 → 已答复").

Codes are `<app>.<verb>` (or `handling.<kind>.<verb>`); an unknown module or verb keeps its code, so a new
action is readable at once and named properly by adding it here."""

from __future__ import annotations

import json

MODULES = {
    "activities": "会议活动",
    "appraisal": "民主评议",
    "audit": "审计",
    "auth": "登录与账号",
    "consultation": "协商议事",
    "core": "平台",
    "handling": "交办",
    "keytasks": "重点工作",
    "members": "委员与账号管理",
    "opinions": "社情民意",
    "performance": "履职积分",
    "proposals": "提案",
    "reading": "书香政协",
    "research": "视察调研",
    "security": "安全",
    "studios": "委员工作室",
    "suggestions": "群众微建议",
    "supervision": "民主监督",
    "yearbook": "年度工作数据",
}

VERBS = {
    "accept": "立案",
    "acknowledge": "签收",
    "assessment_confirm": "确认年度考核",
    "assessment_create": "发起年度考核",
    "assign": "交办",
    "attendance_set": "登记出勤",
    "book_add": "添加推荐书目",
    "call_close": "结束议题征集",
    "call_open": "发起议题征集",
    "check_in": "打卡",
    "checkin_code_rotate": "更新签到码",
    "close": "结束",
    "close_unrated": "逾期未评价办结",
    "confirm": "确认",
    "create": "新建",
    "delete": "删除",
    "delete_draft": "删除草稿",
    "export": "导出",
    "finding": "记录调研发现",
    "hall_approve": "网络议政：通过群众留言",
    "hall_comment": "网络议政：留言",
    "hall_hide": "网络议政：隐藏留言",
    "hall_merge": "网络议政：合并留言",
    "hall_pin": "网络议政：置顶",
    "hall_public_comment": "网络议政：群众留言",
    "hall_summary": "网络议政：撰写综述",
    "hall_unpin": "网络议政：取消置顶",
    "hold": "举行",
    "instruct": "记录批示",
    "invite": "邀请",
    "issue_update": "修改专报",
    "item_add": "添加清单事项",
    "login": "登录",
    "login_failed": "登录失败",
    "logout": "退出登录",
    "material": "上传材料",
    "meeting": "安排会议",
    "meeting_close": "结束归档",
    "meeting_create": "新建会议",
    "meeting_invite": "邀请参会",
    "meeting_notify": "发送会议通知",
    "meeting_update": "修改会议",
    "member_create": "新增委员",
    "member_update": "修改委员信息",
    "open": "开始",
    "outcome_create": "起草协商成果",
    "outcome_instruction": "记录成果批示",
    "outcome_send": "报送协商成果",
    "outcome_update": "修改协商成果",
    "password_change": "修改密码",
    "password_reset_request": "忘记密码：获取短信验证码",
    "password_reset_sms": "忘记密码：凭短信验证码重置",
    "plan_approve": "审定年度计划",
    "plan_create": "编制年度计划",
    "plan_issue": "印发年度计划",
    "plan_update": "修改年度计划",
    "publish": "公开",
    "rate": "评价",
    "rated": "完成评议",
    "recommendation_adoption": "登记建议采纳",
    "recommendation_route": "交办协商建议",
    "recount": "重新统计",
    "reject": "退回",
    "reopen": "重新开放",
    "reply": "答复",
    "report": "提交报告",
    "roster_import_retry": "重试名册导入",
    "route": "转办",
    "segment": "记录议程环节",
    "segment_remove": "删除议程环节",
    "self_report_submit": "提交履职自报",
    "session_create": "新建会次",
    "session_update": "修改会次",
    "stats_export": "导出统计",
    "status": "变更状态",
    "submit": "提交",
    "targets": "设置评议对象",
    "term_create": "新建届次",
    "term_update": "修改届次",
    "token_issue": "签发接口令牌",
    "token_revoke": "吊销接口令牌",
    "topic_arrange": "议题归类排序",
    "topic_decide": "记录议题决定",
    "topic_propose": "提出议题",
    "topic_public": "群众提出议题",
    "unit_create": "新增承办单位",
    "unit_update": "修改承办单位",
    "update": "修改",
    "user_create": "新建账号",
    "user_reset_password": "重置密码",
    "user_reset_password_refused": "重置密码被拒绝",
    "user_update_refused": "修改账号被拒绝",
    "own_contact_update": "修改本人手机号和邮箱",
    "user_unlock": "解锁账号",
    "visit": "安排视察调研活动",
    "vote": "投票",
    "vote_close": "结束投票",
    "vote_open": "开始投票",
    "vote_pick": "确定票决结果",
    "warning_step": "处理履职预警",
}


def action_label(code: str) -> str:
    parts = (code or "").split(".")
    module = MODULES.get(parts[0], parts[0])
    if len(parts) >= 3 and parts[0] == "handling":
        from zhengxie.handling import kinds

        kind = kinds.KINDS.get(parts[1])
        module = f"{module} · {kind.label if kind else parts[1]}"
        verb = ".".join(parts[2:])
    else:
        verb = ".".join(parts[1:])
    return f"{module}：{VERBS.get(verb, verb)}" if verb else module


def _shown(value, limit: int = 80) -> str:
    if value is None or value == "":
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def changes(before, after) -> list[str]:
    """The fields an entry changed, "字段：旧 → 新" (or "字段：新" when nothing was before)."""
    before = before if isinstance(before, dict) else ({"值": before} if before not in (None, "") else {})
    after = after if isinstance(after, dict) else ({"值": after} if after not in (None, "") else {})
    lines = []
    for key in list(dict.fromkeys([*before, *after])):
        old, new = before.get(key), after.get(key)
        if key in before and key in after:
            if old != new:
                lines.append(f"{key}：{_shown(old)} → {_shown(new)}")
        elif key in after:
            lines.append(f"{key}：{_shown(new)}")
        else:
            lines.append(f"{key}：{_shown(old)} → （删除）")
    return lines
