"""「？」 hints on the complex forms (issue 15): one short Chinese explanation of a rule, shown in a popover.

Every hint lives here, keyed either by a form field (`<app>.<FormClass>.<field>`, found by
`{% field_hint field %}` in the shared field includes, through the form's base classes too) or by a free
key used with `{% hint "key" %}` in a template. `{setting.key}` in a text is replaced by the organisation's
setting (core.orgsettings), so a hint says the number the committee actually uses. The rules are those of
docs/domain.md; a hint explains, it never decides anything.
"""

from __future__ import annotations

import re

HINTS: dict[str, tuple[str, str]] = {
    # ---------------------------------------------------------------- proposals: drafting
    "proposals.ProposalForm.kind": (
        "提案类型",
        "个人提案：委员本人提出。联名提案：由第一提案人起草并首先署名，提交后系统邀请所选委员附议，"
        "被邀请委员须在 {proposals.cosign_days} 天内确认附议，未确认的不计入联名；第一提案人计一半履职分，"
        "其余附议委员分享另一半。集体提案：以党派、工商联、人民团体、专委会（大会期间也可以界别、小组）"
        "的名义提出，须填写提案单位。",
    ),
    "proposals.ProposalForm.category": (
        "提案类别",
        "按提案所涉领域选一个类别（本会类别：{proposals.categories}）。类别用于立案审查分组、交办和统计；"
        "立案时提案委可以调整。一事一案：一件提案只写一件事。",
    ),
    "proposals.cosigners": (
        "联名附议",
        "只在“联名提案”时选择附议委员。提交后每位被邀请委员会收到邀请，须在 {proposals.cosign_days} 天内"
        "确认附议；有人拒绝或逾期未确认时，您可以去掉他们后提交审查，无人同意则转为个人提案。",
    ),
    # ---------------------------------------------------------------- proposals: the office
    "proposals.ReviewForm.decision": (
        "审查结论",
        "立案：取得本会次编号，确定类别，进入交办。不予立案：须从理由列表中选一项（选“其他”须写明），"
        "理由会告知提案人。转为意见建议：转有关单位参考办理。转社情民意信息：作为社情民意信息交信息科处理，"
        "提案人成为作者。并案：同一事项的提案并入同一会次另一件提案，每位提案人都保留署名和积分。"
        "审查期限默认 {proposals.review_days} 个工作日。",
    ),
    "proposals.AssignForm.mode": (
        "主办、会办与分办",
        "主办＋会办：只有主办单位答复提案；会办单位在 {proposals.co_opinion_days} 天内向主办单位提出会办意见，"
        "不单独答复。分办：几个单位按各自职责分别办理、分别答复，每个单位的答复分别评价；分办时没有会办。"
        "单位签收后 {proposals.change_request_days} 个工作日内可申请调整或退回，由提案委审核。",
    ),
    "proposals.AssignForm.deadline": (
        "办理期限",
        "留空时自交办之日起 {proposals.reply_days} 天。截止前 {proposals.yellow_days} 天亮黄灯，逾期亮红灯；"
        "交办后 {proposals.acknowledge_days} 个工作日未签收、{proposals.contact_days} 个工作日未记录沟通协商，"
        "也亮黄灯。复杂提案可延期，最长至交办后 {proposals.max_extension_days} 天。",
    ),
    # ---------------------------------------------------------------- proposals: the unit and the proposer
    "proposals.ReplyForm.result_class": (
        "答复类别",
        "A类：所提问题已经解决或基本解决，或所提建议已被采纳。B类：正在解决或已列入计划逐步解决——"
        "B类答复须跟踪落实，定期报告进展直至完成。C类：因条件限制或其他原因需留作参考。"
        "本会使用的类别：{proposals.result_classes}。答复后由提案人评价。",
    ),
    "proposals.EvaluateForm.rating": (
        "评价办理答复",
        "满意或基本满意：该单位的答复办理完毕。不满意：须写明意见，承办单位将重新办理（期限 "
        "{proposals.rehandle_days} 天），重新答复后请再次评价。请在最后一次答复后 "
        "{proposals.evaluation_days} 个工作日内评价；联名提案每位提案人各自评价。",
    ),
    # ---------------------------------------------------------------- 社情民意
    "opinions.review": (
        "社情民意信息的处理",
        "录用：进入本会信息库，可编入《社情民意》专报或摘报、报送上级，作者得录用积分。留存未录用：不再处理，"
        "须写明原因告知作者。退回修改：退回作者修改后重新提交。合并：同一事项的信息并入另一篇，"
        "各作者均计入。编辑只改编辑稿，作者原文保留；正文不超过 {opinions.max_chars} 字。",
    ),
    # ---------------------------------------------------------------- meetings
    "activities.MeetingForm.kind": (
        "会议类型",
        "全体会议和常委会议按出席、请假、缺席分别记履职分（缺席扣分）；其他会议活动只记出席。"
        "结束归档时，既未签到也未获准请假的受邀委员记为缺席并收到通知。",
    ),
    "activities.MeetingForm.checkin_before_minutes": (
        "签到时间窗口",
        "委员在会议开始前后这段时间内扫描现场二维码签到（默认前 {activities.checkin_before_minutes} 分钟、"
        "后 {activities.checkin_after_minutes} 分钟）；二维码每 {activities.checkin_code_minutes} 分钟更换一次。"
        "工作人员也可以在“回复与签到”中为委员签到。",
    ),
    # ---------------------------------------------------------------- the scoring scheme
    "performance.scheme.points": (
        "基础分与合格分",
        "基础分：每位委员年初即有的分数（如济南式 70 分，通用方案为 0）。合格分：低于此分数的委员"
        "会出现在履职预警中（谈话提醒）。等次按“得分不低于分数线”从高到低评定。",
    ),
    "performance.scheme.rules": (
        "积分规则",
        "每项履职事项一行：分值可为负数（如缺席扣分）；单项上限和类别上限在计算总分时生效，"
        "履职记录本身不会被删除。方案按年度保存，修改后会重新计算当年积分（委员多时在后台进行）。",
    ),
    "performance.scheme.warnings": (
        "预警规则",
        "规则满足时生成预警，由工作人员记录采取的措施：如一年两次无故缺席全体会议、三次缺席常委会议建议劝辞；"
        "全年无提案也无社情民意、低于合格分时谈话提醒。",
    ),
}

_PLACEHOLDER = re.compile(r"\{([a-z_]+(?:\.[a-z_]+)+)\}")


def render_text(text: str, organisation) -> str:
    """The text with every {setting.key} replaced by the organisation's value (lists joined with 、)."""
    from . import orgsettings

    def value(match):
        v = orgsettings.get(organisation, match.group(1))
        return "、".join(str(x) for x in v) if isinstance(v, list | tuple) else str(v)

    return _PLACEHOLDER.sub(value, text)


def get(key: str, organisation=None) -> tuple[str, str] | None:
    """(title, text) of a hint, its numbers read for `organisation`; None when there is none."""
    hint = HINTS.get(key)
    if hint is None:
        return None
    return hint[0], render_text(hint[1], organisation)


def field_key(bound_field) -> str | None:
    """The key of a form field's hint, looking through the form's classes (a BatchAssignForm is an
    AssignForm); None when the field has none."""
    for cls in type(bound_field.form).__mro__:
        parts = cls.__module__.split(".")
        if len(parts) < 2 or parts[0] != "zhengxie":
            continue
        key = f"{parts[1]}.{cls.__name__}.{bound_field.name}"
        if key in HINTS:
            return key
    return None
