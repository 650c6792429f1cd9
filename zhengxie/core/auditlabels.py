"""What the audit log shows a reader: an action code ("handling.public_suggestion.rate") as Chinese
("交办 · 微建议：评价"), and an entry's before/after as the fields that changed ("状态：待答复 → 已答复").

Codes are `<app>.<verb>` (or `handling.<kind>.<verb>`); an unknown module or verb keeps its code, so a new
action is readable at once and named properly by adding it here."""

from __future__ import annotations

import functools
import re

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone
from django.utils.dateparse import parse_datetime

MODULES = {
    "activities": "会议活动",
    "appraisal": "民主评议",
    "audit": "审计",
    "auth": "登录与账号",
    "consultation": "协商议事",
    "core": "平台",
    "drafting": "撰写助手",
    "handling": "交办",
    "keytasks": "重点工作",
    "members": "委员与账号管理",
    "opinions": "社情民意",
    "performance": "履职积分",
    "proposals": "提案",
    "reading": "书香政协",
    "research": "视察调研",
    "routing": "智能分办",
    "hottopics": "热点分析",
    "security": "安全",
    "studios": "委员工作室",
    "suggestions": "群众微建议",
    "supervision": "民主监督",
    "yearbook": "年度工作数据",
}

VERBS = {
    "routing.adopt": "采纳分办建议",
    "2fa_disabled": "关闭两步验证",
    "2fa_enabled": "开启两步验证",
    "2fa_failed": "两步验证码错误",
    "accept": "立案",
    "acknowledge": "签收",
    "admin_reset_approve": "批准重置管理员密码",
    "admin_reset_request": "申请重置管理员密码",
    "adopt": "登记采用",
    "adopt_revoke": "撤销采用",
    "assessment_adjust": "调整年度考核",
    "assessment_confirm": "确认年度考核",
    "assessment_create": "发起年度考核",
    "assign": "交办",
    "attach_letter": "上传答复函",
    "attendance_correct": "更正出勤",
    "attendance_set": "登记出勤",
    "book_add": "添加推荐书目",
    "booking_accept": "受理预约",
    "booking_cancel": "取消预约",
    "booking_create": "预约服务",
    "booking_decline": "婉拒预约",
    "booking_done": "完成预约服务",
    "call_close": "结束议题征集",
    "call_open": "发起议题征集",
    "check_in": "打卡",
    "checkin_code_rotate": "更新签到码",
    "close": "结束",
    "close_unrated": "逾期未评价办结",
    "co_opinion": "会办意见",
    "committee_create": "新增专委会",
    "committee_move": "调整专委会顺序",
    "committee_update": "修改专委会",
    "confirm": "确认",
    "contact": "沟通协商",
    "convert": "转为社情民意",
    "cosign": "联名附议",
    "create": "新建",
    "decide_change": "审核调整申请",
    "delete": "删除",
    "delete_draft": "删除草稿",
    "draft": "提交答复稿待签发",
    "drop_decliners": "移除拒绝附议者",
    "duty_absent": "值班缺勤",
    "duty_ask_leave": "值班请假",
    "duty_auto_done": "值班自动完成",
    "duty_done": "完成值班",
    "duty_leave_approve": "批准值班请假",
    "duty_leave_refuse": "不批准值班请假",
    "edit": "编辑",
    "evaluate": "评价答复",
    "evidence": "上传整改佐证",
    "export": "导出",
    "extend": "延期",
    "file": "留存未录用",
    "finding": "记录调研发现",
    "finish": "完成评议",
    "followup_confirm": "确认落实",
    "followup_done": "落实完成",
    "followup_plan": "填写落实计划",
    "followup_remind": "提醒落实",
    "followup_reminders": "发送跟踪落实提醒",
    "followup_report": "报告落实进展",
    "followup_return": "退回落实报告",
    "forward": "报送上级",
    "from_proposal": "由提案转来",
    "group_create": "设立委员小组",
    "group_delete": "撤销委员小组",
    "group_update": "调整委员小组",
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
    "invitation_remove": "移出参会名单",
    "invite": "邀请",
    "issue_create": "新建期刊",
    "issue_publish": "印发期刊",
    "issue_update": "修改专报",
    "item_add": "添加清单事项",
    "join_decision": "答复加入申请",
    "join_lapsed": "加入申请失效",
    "join_request": "申请加入",
    "leave_decide": "审批请假",
    "leave_request": "请假",
    "lights": "刷新督办灯",
    "login": "登录",
    "login_failed": "登录失败",
    "logout": "退出登录",
    "mark_excellent": "评为优秀提案",
    "mark_key": "设为重点提案",
    "material": "上传材料",
    "material_add": "上传会议材料",
    "material_remove": "删除会议材料",
    "meeting": "安排会议",
    "meeting_cancel": "取消会议",
    "meeting_close": "结束归档",
    "meeting_create": "新建会议",
    "meeting_invite": "邀请参会",
    "meeting_notify": "发送会议通知",
    "meeting_update": "修改会议",
    "member_create": "新增委员",
    "member_update": "修改委员信息",
    "merge": "合并",
    "merge_in": "并入",
    "merged_in": "并入",
    "moderate": "审核",
    "offer_create": "发布为民服务",
    "offer_update": "修改为民服务",
    "open": "开始",
    "organisation_activate": "启用组织",
    "organisation_create": "新建组织",
    "organisation_deactivate": "停用组织",
    "organisation_settings": "修改组织设置",
    "organisation_update": "修改组织",
    "outcome_create": "起草协商成果",
    "outcome_instruction": "记录成果批示",
    "outcome_send": "报送协商成果",
    "outcome_update": "修改协商成果",
    "own_contact_update": "修改本人手机号和邮箱",
    "pledge_save": "填写履职承诺",
    "party_create": "新增党派",
    "party_move": "调整党派顺序",
    "party_update": "修改党派",
    "password_change": "修改密码",
    "password_reset_request": "忘记密码：获取短信验证码",
    "password_reset_sms": "忘记密码：凭短信验证码重置",
    "photos": "上传照片",
    "plan_approve": "审定年度计划",
    "plan_create": "编制年度计划",
    "plan_issue": "印发年度计划",
    "plan_update": "修改年度计划",
    "publish": "公开",
    "rate": "评价",
    "rate_update": "修改评价",
    "rated": "完成评议",
    "received": "接收",
    "recommendation": "提出调研建议",
    "recommendation_adoption": "登记建议采纳",
    "recommendation_route": "交办协商建议",
    "recompute": "重新计算",
    "recompute_retry": "重新计算积分",
    "recount": "重新统计",
    "reject": "退回",
    "remind": "催办",
    "reopen": "重新开放",
    "reply": "答复",
    "reply_attend": "回复参加",
    "reply_draft": "提交答复稿待签发",
    "report": "提交报告",
    "request_change": "申请调整承办单位",
    "return": "退回修改",
    "return_draft": "退回答复稿",
    "review": "审查",
    "roster_export": "导出委员名册",
    "roster_import": "导入委员名册",
    "roster_import_retry": "重试名册导入",
    "roster_import_start": "开始导入委员名册",
    "roster_passwords_download": "下载初始密码",
    "rota_plan": "排班",
    "route": "转办",
    "scheme_save": "保存积分方案",
    "sector_conveners": "设置界别召集人",
    "sector_create": "新增界别",
    "sector_move": "调整界别顺序",
    "sector_update": "修改界别",
    "segment": "记录议程环节",
    "segment_remove": "删除议程环节",
    "self_report_confirm": "确认履职自报",
    "self_report_reject": "退回履职自报",
    "self_report_submit": "提交履职自报",
    "service_record": "登记服务情况",
    "service_record_withdraw": "撤回服务记录",
    "session_create": "新建会次",
    "session_make_current": "设为当前会次",
    "session_update": "修改会次",
    "sign": "签发答复",
    "stats_export": "导出统计",
    "status": "变更状态",
    "strip_control_chars": "清除旧数据中的控制字符",
    "studio_create": "新建工作室",
    "studio_update": "修改工作室",
    "submit": "提交",
    "swap_accept": "接受换班",
    "swap_approve": "批准换班",
    "swap_ask": "申请换班",
    "swap_cancel": "撤回换班",
    "swap_decline": "婉拒换班",
    "swap_done": "换班完成",
    "swap_expire": "换班申请过期",
    "swap_refuse": "不批准换班",
    "targets": "设置评议对象",
    "term_create": "新建届次",
    "term_make_current": "设为当前届次",
    "term_update": "修改届次",
    "to_topic": "转为协商选题",
    "token_issue": "签发接口令牌",
    "token_revoke": "吊销接口令牌",
    "topic_arrange": "议题归类排序",
    "topic_decide": "记录议题决定",
    "topic_propose": "提出议题",
    "topic_public": "群众提出议题",
    "train": "训练分办模型",
    "unit_activate": "启用承办单位",
    "unit_create": "新增承办单位",
    "unit_deactivate": "停用承办单位",
    "unit_handler_remove": "移除承办单位经办人",
    "unit_update": "修改承办单位",
    "update": "修改",
    "user_create": "新建账号",
    "user_reset_2fa": "重置两步验证",
    "user_reset_password": "重置密码",
    "user_reset_password_refused": "重置密码被拒绝",
    "user_unlock": "解锁账号",
    "user_update": "修改账号",
    "user_update_refused": "修改账号被拒绝",
    "visit": "安排视察调研活动",
    "vote": "投票",
    "vote_close": "结束投票",
    "vote_open": "开始投票",
    "vote_paper": "录入纸质票",
    "vote_pick": "确定票决结果",
    "warning_decide": "作出履职预警处理决定",
    "warning_open": "履职预警立案",
    "warning_step": "处理履职预警",
    "warning_talk": "登记履职谈话提醒",
    "withdraw": "撤回",
}


def action_label(code: str) -> str:
    parts = (code or "").split(".")
    module = MODULES.get(parts[0], parts[0])
    if len(parts) >= 3 and parts[-1] == "start":  # a background file: "<kind>.start" (core.exports)
        from . import exports

        spec = exports.REGISTRY.get(".".join(parts[:-1]))
        if spec is not None:
            return f"{module}：开始生成「{spec.title}」"
    if len(parts) >= 3 and parts[0] == "handling":
        from zhengxie.handling import kinds

        kind = kinds.KINDS.get(parts[1])
        module = f"{module} · {kind.label if kind else parts[1]}"
        verb = ".".join(parts[2:])
    else:
        verb = ".".join(parts[1:])
    name = VERBS.get(f"{parts[0]}.{verb}") or VERBS.get(verb, verb)  # a module's own word first
    return f"{module}：{name}" if verb else module


# The names of keys that are not a field of the entry's model (or name it differently).
KEYS = {
    "absent": "缺席（人）",
    "never_replied": "其中未回复通知（人）",
    "on_leave": "请假（人）",
    "present": "出席（人）",
    "before": "原状态",
    "by": "操作人",
    "choices": "候选单位数",
    "comment": "意见",
    "decision": "决定",
    "detail": "说明",
    "export": "导出编号",
    "extra": "其他",
    "files": "附件",
    "grades": "等次人数",
    "heads": "分类器",
    "id": "编号",
    "items": "样本数",
    "label": "说明",
    "member_ids": "委员",
    "members": "委员",
    "note": "备注",
    "on_time": "按期",
    "letter": "答复函",
    "params": "条件",
    "percent": "进度（%）",
    "rater": "评价人",
    "rating": "评价",
    "reason": "理由",
    "reply": "答复",
    "round": "办理轮次",
    "rule_label": "规则",
    "scheme": "积分方案",
    "seconds": "耗时（秒）",
    "status": "状态",
    "title": "标题",
    "unit": "承办单位",
    "value": "值",
    "vocabulary": "词表大小",
    "year": "年度",
    "值": "值",
}
# Keys that hold the number of another row (shown "#12").
ID_KEYS = {
    "attachment",
    "author",
    "book",
    "by",
    "case",
    "export",
    "finding",
    "instruction",
    "issue",
    "leader",
    "letter",
    "meeting",
    "member",
    "organisation",
    "outcome",
    "owner",
    "reply",
    "segment",
    "unit",
}
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:?\d{2}|Z)?$")


@functools.cache
def _values() -> dict:
    """Codes read in Chinese wherever the entry's model does not say (ratings, flow steps, proposal
    statuses copied onto a case)."""
    from zhengxie.handling.models import Evaluation
    from zhengxie.handling.services.flow import FLOW_STATUSES
    from zhengxie.proposals.models import Proposal

    return {**dict(Proposal.Status.choices), **FLOW_STATUSES, **dict(Evaluation.Rating.choices)}


def _model(target_type: str):
    try:
        return apps.get_model(target_type) if target_type and "." in target_type else None
    except (LookupError, ValueError):
        return None


def _field(model, key: str):
    if model is None:
        return None
    for name in (key, key[:-3] if key.endswith("_id") else None):
        if not name:
            continue
        try:
            f = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        return f if getattr(f, "concrete", False) else None
    return None


def _name(field, key: str) -> str:
    """The model field's Chinese name, else KEYS', else the key itself."""
    if field is not None and not str(field.verbose_name).isascii():
        return str(field.verbose_name)
    return KEYS.get(key, key)


def _shown(value, field=None, key: str = "", limit: int = 80) -> str:
    if value is None or value == "":
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if field is not None and getattr(field, "choices", None) and not isinstance(value, (dict, list)):
        label = dict(field.flatchoices).get(value)
        if label is not None:
            return str(label)
    if isinstance(value, int) and ((field is not None and field.is_relation) or key in ID_KEYS):
        text = f"#{value}"
    elif isinstance(value, str) and key in ("status", "rating", "before", "decision", "result"):
        text = str(_values().get(value, value))
    elif isinstance(value, str) and _DATETIME.match(value):
        text = _when(value)
    elif isinstance(value, dict):
        text = "；".join(f"{KEYS.get(k, k)}：{_shown(v, limit=limit)}" for k, v in value.items())
    elif isinstance(value, (list, tuple)):
        scalars = all(not isinstance(v, (dict, list)) for v in value)
        text = "、".join(_shown(v, limit=limit) for v in value) if scalars else f"{len(value)} 项"
    else:
        text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _when(value: str) -> str:
    """An ISO date-time as the local "YYYY-MM-DD HH:MM"."""
    moment = parse_datetime(value.replace(" ", "T", 1))
    if moment is None:
        return value
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.strftime("%Y-%m-%d %H:%M")


def changes(before, after, target_type: str = "") -> list[str]:
    """The fields an entry changed, "字段：旧 → 新" (or "字段：新" when nothing was before): field names and
    coded values in Chinese from the entry's model (`target_type`, "app.model") where it names them."""
    before = before if isinstance(before, dict) else ({"值": before} if before not in (None, "") else {})
    after = after if isinstance(after, dict) else ({"值": after} if after not in (None, "") else {})
    model = _model(target_type)
    lines = []
    keys = list(dict.fromkeys([*before, *after]))
    for key in keys:
        if f"{key}_label" in keys:  # a code with its Chinese beside it: the label says it
            continue
        old, new = before.get(key), after.get(key)
        field = _field(model, key)
        name = _name(field, key)
        if key in before and key in after:
            if old != new:
                lines.append(f"{name}：{_shown(old, field, key)} → {_shown(new, field, key)}")
        elif key in after:
            lines.append(f"{name}：{_shown(new, field, key)}")
        else:
            lines.append(f"{name}：{_shown(old, field, key)} → （删除）")
    return lines


_DEFAULT_STR = re.compile(r"^(\w+) object \((\S+)\)$")


def target_label(target_type: str, target_repr: str) -> str:
    """What an entry acted on: its text, or, where the model names itself only "X object (n)", the model's
    Chinese name and number."""
    m = _DEFAULT_STR.match(target_repr or "")
    model = _model(target_type)
    if m and model is not None:
        return f"{model._meta.verbose_name} #{m.group(2)}"
    return target_repr
