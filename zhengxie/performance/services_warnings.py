"""动态退出: a member's warnings of a year as a case (models.WarningCase) moving through the transitions of
workflow.py: 谈话提醒 recorded, then 劝辞 / 视为辞去 / 继续履职 / 撤销预警 decided with its grounds.

Each step checks the permission (rules.py), runs in one transaction, appends a step to the case's
history (MemberWarning), changes the member's status on 劝辞 / 视为辞去, writes the audit entry last and
notifies the member (and the sector's conveners and the convener who talked, when known).
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from zhengxie.core import audit
from zhengxie.core.errors import Conflict, Forbidden, Invalid
from zhengxie.core.notifications import notify
from zhengxie.members.models import Member
from zhengxie.members.selectors import member_of

from . import workflow as W
from .models import MemberWarning, WarningCase

TALK_BY = dict(WarningCase.TalkBy.choices)


def _rules_now(member: Member, year: int) -> list[dict]:
    from .selectors import warnings

    if member.status != Member.Status.ACTIVE:
        return []
    hits = warnings(member.organisation_id, year, member_ids=[member.pk]).get(member.pk, [])
    return [{"code": w["code"], "label": w["label"], "step": w.get("step", "")} for w in hits]


def _merge_rules(case: WarningCase, now: list[dict]) -> None:
    known = {r["code"] for r in case.rules}
    case.rules = list(case.rules) + [r for r in now if r["code"] not in known]


def _locked_case(member: Member, year: int, *, user) -> WarningCase:
    """The member's case of the year, locked; opened (预警) from the rules the member triggers now."""
    case = WarningCase.objects.select_for_update().filter(member=member, year=year).first()
    now = _rules_now(member, year) if case is None or not case.is_final else []
    if case is None:
        if not now:
            raise Conflict(f"{member.name}{year}年度没有触发履职预警，无需处理。", code="no_warning")
        case = WarningCase.objects.create(
            member=member, organisation_id=member.organisation_id, year=year, rules=now
        )
        audit.record(user, "performance.warning_open", case, after={"year": year, "rules": now})
    else:
        _merge_rules(case, now)
    return case


def _archive_url(member: Member, year: int) -> str:
    return reverse("performance:member", args=[member.pk]) + f"?year={year}#warnings"


def _guard(case: WarningCase, action: str) -> W.Transition:
    t = W.TRANSITIONS[action]
    if case.state not in t.sources:
        raise Conflict(
            f"该预警当前为「{case.state_label}」，不能{t.label}。", code="illegal_transition", field="action"
        )
    return t


def _conveners(member: Member, case: WarningCase) -> list:
    """Users to tell besides the member: the convener who talked and the sector's conveners (if known)."""
    users = []
    if case.talk_convener_id and case.talk_convener.user_id != member.user_id:
        users.append(case.talk_convener.user)
    conveners = getattr(member.sector, "conveners", None)  # members.SectorConvener, where present
    if conveners is not None:
        for c in conveners.select_related("member__user"):
            if c.member.user_id != member.user_id and c.member.user not in users:
                users.append(c.member.user)
    return users


def _step(case, user, t: W.Transition, note: str, rule: dict | None) -> MemberWarning:
    rule = rule or (case.rules[0] if case.rules else {"code": "", "label": ""})
    return MemberWarning.objects.create(
        member_id=case.member_id,
        organisation_id=case.organisation_id,
        year=case.year,
        rule=rule["code"][:40],
        rule_label=rule["label"][:200],
        step=t.label,
        note=(note or "")[:500],
        by=user,
        case=case,
    )


def _text(value, field: str, message: str, limit: int = 1000) -> str:
    value = (value or "").strip()
    if not value:
        raise Invalid(message, field=field)
    if len(value) > limit:
        raise Invalid(f"不能超过 {limit} 字。", field=field)
    return value


def _talk_role(talk_by: str, convener: Member | None, member: Member) -> str:
    """The talker's role towards the member, named: 「经济界别召集人」 or 「…第一委员小组组长」 (what they hold for this
    member: members.selectors_groups.look_after_role), else the kind of talker (界别召集人或组长, 机关工作人员)."""
    from zhengxie.members.selectors_groups import look_after_role

    if talk_by == WarningCase.TalkBy.CONVENER and convener is not None:
        return look_after_role(convener, member) or TALK_BY[talk_by]
    return TALK_BY[talk_by]


def warning_talk(
    *,
    user,
    member: Member,
    year: int,
    talk_by: str,
    talk_by_name: str = "",
    talk_convener: Member | None = None,
    talk_on: datetime.date | None,
    talk_summary: str,
    member_response: str,
) -> WarningCase:
    """Record the 谈话提醒: who talked (a sector convener or staff), when, what was said, the answer.

    The office staff record any talk; a 界别召集人 or 组长 who looks after the member records their own talk:
    the talker is then always themself, whatever `talk_by`/`talk_convener`/`talk_by_name` say."""
    if not user.has_perm("performance.manage_warnings", member):
        if not user.has_perm("performance.talk_as_convener", member):
            raise Forbidden("只有本级政协机关工作人员或该委员的界别召集人、小组组长可以登记谈话提醒。")
        talk_convener = member_of(user)
        talk_by, talk_by_name = WarningCase.TalkBy.CONVENER, talk_convener.name
    if talk_by not in TALK_BY:
        raise Invalid("请选择谈话人身份（界别召集人或组长、机关工作人员）。", field="talk_by")
    if talk_by == WarningCase.TalkBy.CONVENER and talk_convener is not None:
        if talk_convener.organisation_id != member.organisation_id or talk_convener.pk == member.pk:
            raise Invalid("请选择本级政协的另一位委员作为谈话的界别召集人。", field="talk_convener")
        talk_by_name = (talk_by_name or "").strip() or talk_convener.name
    elif talk_by != WarningCase.TalkBy.CONVENER:
        talk_convener = None
    talk_by_name = _text(talk_by_name, "talk_by_name", "请填写谈话人姓名。", 40)
    talk_role = _talk_role(talk_by, talk_convener, member)
    if talk_on is None:
        raise Invalid("请填写谈话日期。", field="talk_on")
    if talk_on > timezone.localdate():
        raise Invalid("谈话日期不能晚于今天。", field="talk_on")
    talk_summary = _text(talk_summary, "talk_summary", "请填写谈话内容。")
    member_response = _text(member_response, "member_response", "请填写委员的表态（如未表态，请注明）。")
    with transaction.atomic():
        case = _locked_case(member, year, user=user)
        t = _guard(case, "talk")
        before = {"state": case.state}
        case.state = t.target
        case.talk_by = talk_by
        case.talk_by_name = talk_by_name
        case.talk_role = talk_role
        case.talk_convener = talk_convener
        case.talk_on = talk_on
        case.talk_summary = talk_summary
        case.member_response = member_response
        case.save()
        _step(case, user, t, f"{talk_role}{talk_by_name}谈话：{talk_summary}", None)
        notify(
            [member.user],
            f"履职谈话提醒：{year}年度",
            f"{talk_on:%Y-%m-%d} {talk_role}{talk_by_name}已与您谈话提醒，谈话记录已登记。",
            url=_archive_url(member, year),
            category="performance",
        )
        audit.record(
            user,
            "performance.warning_talk",
            case,
            before=before,
            after={
                "state": case.state,
                "talk_by": talk_by,
                "talk_by_name": talk_by_name,
                "talk_role": talk_role,
                "talk_on": talk_on.isoformat(),
                "talk_summary": talk_summary,
                "member_response": member_response,
            },
        )
    return case


def warning_decide(
    *, user, member: Member, year: int, decision: str, rule: str = "", grounds: str
) -> WarningCase:
    """劝辞 / 视为辞去 (the member leaves; must cite a 劝辞建议 rule the member triggered), 继续履职 or 撤销预警,
    with the grounds."""
    if not user.has_perm("performance.decide_warning", member):
        raise Forbidden("只有本级政协机关工作人员可以作出预警处理决定。")
    if decision not in W.DECISIONS:
        raise Invalid("请选择处理决定（劝辞、视为辞去、继续履职或撤销预警）。", field="decision")
    grounds = _text(grounds, "grounds", "请填写决定的理由（依据的规则和事实）。")
    with transaction.atomic():
        case = _locked_case(member, year, user=user)
        t = _guard(case, decision)
        by_code = {r["code"]: r for r in case.rules}
        cited = by_code.get(rule) if rule else None
        if rule and cited is None:
            raise Invalid("所引规则不是该委员本年度触发的预警规则。", field="rule")
        if t.exit:
            exits = [r for r in case.rules if r.get("step") == W.EXIT_STEP]
            if not exits:
                raise Invalid(
                    f"{member.name}本年度未触发“{W.EXIT_STEP}”类规则，不能{t.label}；可决定继续履职或撤销预警。",
                    field="decision",
                )
            if cited is None or cited.get("step") != W.EXIT_STEP:
                raise Invalid(
                    f"{t.label}须依据以下规则之一：{'；'.join(r['label'] for r in exits)}。", field="rule"
                )
            if member.status != Member.Status.ACTIVE:
                raise Conflict(f"{member.name}当前状态为“{member.get_status_display()}”，不能{t.label}。")
        before = {"state": case.state, "member_status": member.status}
        case.state = t.target
        case.decision_rule = cited["code"] if cited else ""
        case.decision_rule_label = cited["label"] if cited else ""
        case.grounds = grounds
        case.decided_by = user
        case.decided_at = timezone.now()
        case.save()
        if t.member_status:
            Member.objects.filter(pk=member.pk).update(status=t.member_status)
            member.status = t.member_status
        _step(case, user, t, grounds, cited)
        basis = f"依据：{cited['label']}。" if cited else ""
        body = f"{basis}理由：{grounds}"
        notify(
            [member.user],
            f"履职预警处理决定：{t.label}",
            f"政协机关对您{year}年度的履职预警作出“{t.label}”的决定。{body}",
            url=_archive_url(member, year),
            category="performance",
        )
        others = _conveners(member, case)
        if others:
            notify(
                others,
                f"界别委员履职预警处理：{member.name}（{t.label}）",
                f"{member.name}{year}年度的履职预警已作出“{t.label}”的决定。{body}",
                category="performance",
                email=False,
            )
        audit.record(
            user,
            "performance.warning_decide",
            case,
            before=before,
            after={
                "state": case.state,
                "decision": t.label,
                "rule": case.decision_rule_label,
                "grounds": grounds,
                "member_status": member.status,
            },
        )
    return case
