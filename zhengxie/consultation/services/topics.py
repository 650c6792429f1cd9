"""Topic sourcing (选题) and the year's plan (年度协商计划).

Topics (candidate topics, 候选议题) come from four sources: 党政点题 and 调研访题 entered by the consultation
staff, 委员荐题 by a member (or by staff for a member), and 群众建言 by citizens through the public page
while a TopicCall (议题征集) is open. Staff group (归类) and rank (排序) the year's candidates and record the
chair's meeting's decision (chosen / not_chosen, with a note; the proposing member is told); a chosen topic
can be put in the plan as a consultation (the consultations service creates it).

The plan (Plan) of a committee's year is its consultations with a planned month. It is created (draft),
approved (审定) and issued (印发), each by the committee's consultation staff. Approval records a snapshot of
the rows in the audit entry (append-only); any row added, removed or changed afterwards is shown on the plan
page as a change since approval, and the plan can be issued only while it matches what was approved — a
changed plan is approved again (which also brings an issued plan back to 已审定 until it is issued anew).

Reads of this part live here too (scoped like selectors.py, constant query counts).
"""

from __future__ import annotations

import datetime
import re

from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from zhengxie.core import ratelimit
from zhengxie.core.errors import Conflict, Forbidden, Invalid, NotFound
from zhengxie.core.models import AuditEntry, Office, Organisation, Role, User
from zhengxie.core.notifications import notify
from zhengxie.core.permissions import org_scope_q
from zhengxie.core.textinput import limited_text
from zhengxie.members.models import Member
from zhengxie.members.selectors import member_of

from .. import rules
from ..models import Consultation, Plan, Topic, TopicCall
from .common import record

SRC = Topic.Source
ST = Topic.Status
PS = Plan.Status
STAFF_SOURCES = (SRC.PARTY_GOV, SRC.RESEARCH, SRC.MEMBER)
TITLE_MAX = 100
REASON_MAX = 2000
NOTE_MAX = 200
GROUP_MAX = 50
NAME_MAX = 40
MOBILE = re.compile(r"^1[3-9]\d{9}$")
CITIZEN = "群众"


# --------------------------------------------------------------------------------------------------
# Small helpers


def _year(value, field="year") -> int:
    if value in (None, ""):
        return timezone.localdate().year
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise Invalid("年度须为整数。", field=field) from None
    if not 2000 <= year <= 2100:
        raise Invalid("年度须在 2000 到 2100 之间。", field=field)
    return year


def committee_of_user(user) -> Organisation | None:
    """The organisation whose topics and plan the user works on: a member's committee, else the user's own
    organisation (a 乡镇联络组's liaison user works on its group)."""
    member = member_of(user)
    if member is not None and not rules.is_consultation_staff(user):
        return member.organisation
    return getattr(user, "organisation", None)


def must_staff(user, organisation, what: str) -> None:
    if not rules.is_consultation_staff(user, organisation):
        raise Forbidden(f"只有本级政协办公室或专委会的工作人员可以{what}。")


def staff_users(organisation) -> list[User]:
    """Who hears of new topics: the consultation staff of the organisation (办公室, 专委会办公室)."""
    users = User.objects.filter(organisation=organisation, groups__name=Role.STAFF, is_active=True).distinct()
    return [u for u in users if u.works_in(Office.GENERAL, Office.COMMITTEE)]


def topic_url(t: Topic) -> str:
    return reverse("consultation:topic", args=[t.pk])


def plan_url(year: int) -> str:
    return reverse("consultation:plan", args=[year])


# --------------------------------------------------------------------------------------------------
# Reads


def topics_q(user) -> Q:
    """The topics this user may see: staff, leaders and administrators those of their organisation and the
    levels below; a member their own proposals; nobody else any."""
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    q = Q(pk__in=[])
    if user.has_role(*rules.READERS) or rules.is_consultation_staff(user):
        q |= org_scope_q(user)
    member = member_of(user)
    if member is not None:
        q |= Q(member_id=member.pk, source=SRC.MEMBER)
    return q


def can_see_all_topics(user) -> bool:
    return user.has_role(*rules.READERS) or rules.is_consultation_staff(user)


def topics_for(user, *, year=None, source=None, status=None, group=None, q=""):
    qs = Topic.objects.filter(topics_q(user))
    if year:
        qs = qs.filter(year=year)
    if source:
        qs = qs.filter(source=source)
    if status:
        qs = qs.filter(status=status)
    if group:
        qs = qs.filter(group_label=group)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(reason__icontains=q) | Q(group_label__icontains=q))
    # Ranked first (by rank), then the unranked in the order they came.
    return qs.select_related("organisation", "member", "call").order_by(
        "year", "group_label", F("rank").asc(nulls_last=True), "id"
    )


def with_consultations(topics) -> list[Topic]:
    """The topics with `planned` (their consultations), in one more query whatever their number."""
    topics = list(topics)
    by_topic: dict[int, list] = {t.pk: [] for t in topics}
    if by_topic:
        for c in Consultation.objects.filter(topic_id__in=by_topic).only(
            "id", "title", "topic_id", "form", "planned_month", "status", "year"
        ):
            by_topic[c.topic_id].append(c)
    for t in topics:
        t.planned = by_topic.get(t.pk, [])
    return topics


def get_topic(user, pk) -> Topic:
    t = (
        Topic.objects.select_related("organisation", "member", "call", "created_by", "decided_by")
        .filter(topics_q(user), pk=pk)
        .first()
        if str(pk).isdigit()
        else None
    )
    if t is None:
        raise NotFound("未找到该议题。")
    return t


def groups(user, year) -> list[str]:
    """The group labels in use in the year (for the filter and the grouping form)."""
    return list(
        Topic.objects.filter(topics_q(user), year=year)
        .exclude(group_label="")
        .order_by("group_label")
        .values_list("group_label", flat=True)
        .distinct()
    )


def calls_for(user):
    if not can_see_all_topics(user):
        return TopicCall.objects.none()
    return TopicCall.objects.filter(org_scope_q(user)).select_related("organisation")


def get_call(user, pk) -> TopicCall:
    c = calls_for(user).filter(pk=pk).first() if str(pk).isdigit() else None
    if c is None:
        raise NotFound("未找到该议题征集。")
    return c


def open_calls(organisation, day=None):
    day = day or timezone.localdate()
    return TopicCall.objects.filter(
        organisation=organisation, opens_on__lte=day, closes_on__gte=day
    ).order_by("-opens_on", "-id")


# --------------------------------------------------------------------------------------------------
# Topics


def propose(
    *,
    user,
    title,
    reason="",
    source=SRC.MEMBER,
    year=None,
    suggested_form="",
    member=None,
    organisation=None,
) -> Topic:
    """A candidate topic. A member proposes 委员荐题 (with a reason) for their own committee; the consultation
    staff enter 党政点题, 调研访题, or 委员荐题 for a member. 群众建言 only comes through the public page: here it
    is refused (422, code public_only)."""
    if source == SRC.PUBLIC:
        raise Invalid(
            "群众建言只能由群众通过议题征集公开页面提交，工作人员和委员请选择其他来源。",
            field="source",
            code="public_only",
        )
    if source not in STAFF_SOURCES:
        raise Invalid("请选择议题来源：党政点题、委员荐题或调研访题。", field="source")
    organisation = organisation or committee_of_user(user)
    if organisation is None or not rules.can_propose_topic(user, organisation):
        raise Forbidden("只有本会委员和政协办公室、专委会的工作人员可以提出协商议题。")
    is_staff = rules.is_consultation_staff(user, organisation)
    own = rules.committee_member(user, organisation)
    if source != SRC.MEMBER and not is_staff:
        raise Forbidden("党政点题、调研访题由政协办公室或专委会的工作人员录入；委员请以“委员荐题”提出。")
    if source == SRC.MEMBER:
        if member is not None and is_staff:
            pk = getattr(member, "pk", member)
            member = Member.objects.filter(pk=pk, organisation_id=organisation.committee.pk).first()
            if member is None:
                raise Invalid("所选委员不属于本会。", field="member_id")
        elif own is not None:
            if member is not None and getattr(member, "pk", member) != own.pk:
                raise Forbidden("只能以本人名义提出委员荐题。")
            member = own
        else:
            raise Invalid("委员荐题须注明提出的委员。", field="member_id")
    else:
        member = None
    title = limited_text(title, "议题名称", "title", limit=TITLE_MAX, required=True)
    reason = limited_text(
        reason, "理由/说明", "reason", limit=REASON_MAX, required=source in (SRC.MEMBER, SRC.PARTY_GOV)
    )
    if suggested_form and suggested_form not in Consultation.Form.values:
        raise Invalid("建议协商形式不正确。", field="suggested_form")
    year = _year(year)
    with transaction.atomic():
        t = Topic.objects.create(
            organisation=organisation,
            year=year,
            title=title,
            reason=reason,
            source=source,
            member=member,
            created_by=user,
            suggested_form=suggested_form or "",
        )
        if not is_staff:
            notify(
                staff_users(organisation),
                f"新的委员荐题：{t.title}",
                f"{member.name}委员提出了{year}年度协商议题建议，请归类排序。",
                url=topic_url(t),
                category="consultation",
            )
        record(user, "topic_propose", t, organisation, title=t.title, source=t.source, year=t.year)
    return t


def _lock_topic(user, topic) -> Topic:
    pk = getattr(topic, "pk", topic)
    get_topic(user, pk)
    return Topic.objects.select_for_update(of=("self",)).select_related("organisation", "member").get(pk=pk)


def arrange(*, user, topic, group_label=None, rank=None) -> Topic:
    """归类 and 排序 by staff (either may be given; an empty group or rank clears it)."""
    with transaction.atomic():
        t = _lock_topic(user, topic)
        must_staff(user, t.organisation, "对议题归类排序")
        changes = {}
        if group_label is not None:
            changes["group_label"] = limited_text(group_label, "归类", "group_label", limit=GROUP_MAX)
        if rank is not None:
            if rank == "":
                changes["rank"] = None
            else:
                try:
                    value = int(rank)
                except (TypeError, ValueError):
                    raise Invalid("排序须为正整数。", field="rank") from None
                if not 1 <= value <= 9999:
                    raise Invalid("排序须为 1 到 9999 的整数。", field="rank")
                changes["rank"] = value
        if not changes:
            return t
        for k, v in changes.items():
            setattr(t, k, v)
        t.save(update_fields=list(changes))
        record(user, "topic_arrange", t, t.organisation, **changes)
    return t


def decide(*, user, topic, decision, note="") -> Topic:
    """The chair's meeting's decision, recorded by staff: once, from 候选 (409 otherwise). A not-chosen topic
    needs a note (the proposer reads it). The proposing member is told."""
    if decision not in (ST.CHOSEN, ST.NOT_CHOSEN):
        raise Invalid("决定须为“选定”或“不选定”。", field="decision")
    note = limited_text(note, "决定说明", "note", limit=NOTE_MAX, required=decision == ST.NOT_CHOSEN)
    with transaction.atomic():
        t = _lock_topic(user, topic)
        must_staff(user, t.organisation, "记录主席会议的选题决定")
        if t.status != ST.CANDIDATE:
            raise Conflict(
                f"该议题已有决定（{t.get_status_display()}），不能重复决定。", code="illegal_transition"
            )
        t.status, t.decision_note = decision, note
        t.decided_at, t.decided_by = timezone.now(), user
        t.save(update_fields=["status", "decision_note", "decided_at", "decided_by"])
        if t.member_id and t.member.user_id:
            verdict = "已被选定为年度协商议题" if decision == ST.CHOSEN else "未被选定"
            notify(
                User.objects.filter(pk=t.member.user_id),
                f"您提出的协商议题{verdict}：{t.title}",
                note,
                url=topic_url(t),
                category="consultation",
            )
        record(user, "topic_decide", t, t.organisation, status=decision, note=note)
    return t


def to_consultation(
    *, user, topic, form, planned_month=None, title="", lead_committee=None, leader=None
) -> Consultation:
    """Put a chosen topic in the year's plan: a planned consultation through the consultations service."""
    from . import consultations

    t = get_topic(user, getattr(topic, "pk", topic))
    must_staff(user, t.organisation, "将议题列入协商计划")
    if t.status != ST.CHOSEN:
        raise Conflict("只有已选定的议题才能列入协商计划。", code="illegal_transition")
    return consultations.create(
        user=user,
        organisation=t.organisation,
        title=(title or "").strip() or t.title,
        form=form,
        year=t.year,
        topic=t,
        planned_month=planned_month,
        lead_committee=lead_committee,
        leader=leader,
    )


# --------------------------------------------------------------------------------------------------
# Open calls and the public


def open_call(*, user, title, opens_on, closes_on, description="", year=None, organisation=None) -> TopicCall:
    organisation = organisation or user.organisation
    must_staff(user, organisation, "发起议题征集")
    title = limited_text(title, "征集主题", "title", limit=100, required=True)
    description = limited_text(description, "说明", "description", limit=REASON_MAX)
    if not isinstance(opens_on, datetime.date) or not isinstance(closes_on, datetime.date):
        raise Invalid("请填写开始和截止日期。", field="opens_on")
    if closes_on < opens_on:
        raise Invalid("截止日期不能早于开始日期。", field="closes_on")
    if closes_on < timezone.localdate():
        raise Invalid("截止日期不能早于今天。", field="closes_on")
    year = _year(year) if year not in (None, "") else closes_on.year
    with transaction.atomic():
        c = TopicCall.objects.create(
            organisation=organisation,
            year=year,
            title=title,
            description=description,
            opens_on=opens_on,
            closes_on=closes_on,
            created_by=user,
        )
        record(
            user, "call_open", c, organisation, title=title, opens_on=str(opens_on), closes_on=str(closes_on)
        )
    return c


def close_call(*, user, call) -> TopicCall:
    """End a call now (its closing date becomes yesterday): the public page stops taking topics."""
    pk = getattr(call, "pk", call)
    get_call(user, pk)
    with transaction.atomic():
        c = TopicCall.objects.select_for_update().select_related("organisation").get(pk=pk)
        must_staff(user, c.organisation, "结束议题征集")
        today = timezone.localdate()
        if c.closes_on < today:
            raise Conflict("该议题征集已经结束。", code="illegal_transition")
        c.closes_on = today - datetime.timedelta(days=1)
        c.opens_on = min(c.opens_on, c.closes_on)
        c.save(update_fields=["opens_on", "closes_on"])
        record(user, "call_close", c, c.organisation, closes_on=str(c.closes_on))
    return c


def public_call(organisation, call_id=None) -> TopicCall | None:
    """The call a citizen answers: the one named (of this organisation) or the latest open one."""
    qs = TopicCall.objects.filter(organisation=organisation)
    if call_id not in (None, ""):
        c = qs.filter(pk=int(call_id)).first() if str(call_id).isdigit() else None
        if c is None:
            raise NotFound("未找到该议题征集。")
        return c
    return open_calls(organisation).first()


# A citizen's topic, field by field: the public page's form runs each check on its own and shows every
# problem at once, in these words; submit_public runs them all again.


def check_public_title(value) -> str:
    return limited_text(value, "建议的协商议题", "title", limit=TITLE_MAX, required=True)


def check_public_reason(value) -> str:
    return limited_text(value, "理由", "reason", limit=REASON_MAX, required=True)


def check_public_name(value) -> str:
    return limited_text(value, "姓名", "name", limit=NAME_MAX)


def check_public_phone(value) -> str:
    phone = re.sub(r"[\s-]", "", limited_text(value, "手机号码", "phone", limit=20))
    if phone and not MOBILE.match(phone):
        raise Invalid("请填写11位手机号码（如 13800000000），或留空。", field="phone")
    return phone


def check_public_consent(value) -> None:
    if value is not True:
        raise Invalid("请阅读并勾选同意个人信息处理说明后再提交。", field="consent")


def submit_public(
    *, organisation, call, title, reason, name="", phone="", consent=False, ip=None, honeypot=""
) -> Topic | None:
    """A citizen's topic through an open call (no account): counted against the address's hourly limit
    (429 past it), refused once the call has closed (409). A filled honeypot stores nothing (None)."""
    if call is None or call.organisation_id != organisation.pk:
        raise Conflict("目前没有正在进行的议题征集，感谢关注。", code="call_closed")
    ratelimit.throttle(
        ip,
        organisation,
        scope="consultation.topic",
        message="提交过于频繁：每小时最多提交{limit}条议题建议，请稍后再试。",
    )
    if not call.is_open():
        raise Conflict("本次议题征集已经截止（或尚未开始），暂不能提交，感谢您的关注。", code="call_closed")
    if honeypot:
        return None
    title, reason = check_public_title(title), check_public_reason(reason)
    name, phone = check_public_name(name), check_public_phone(phone)
    check_public_consent(consent)
    with transaction.atomic():
        t = Topic.objects.create(
            organisation=organisation,
            year=call.year,
            title=title,
            reason=reason,
            source=SRC.PUBLIC,
            call=call,
            citizen_name=name,
            citizen_phone=phone,
        )
        notify(
            staff_users(organisation),
            f"群众建言协商议题：{t.title}",
            f"议题征集“{call.title}”收到一条群众建议。",
            url=topic_url(t),
            category="consultation",
        )
        record(None, "topic_public", t, organisation, call=call.pk, year=t.year)
    return t


# --------------------------------------------------------------------------------------------------
# The year's plan

FORM_ORDER = {v: i for i, v in enumerate(Consultation.Form.values)}
ROW_FIELDS = ("title", "form", "planned_month", "lead_committee_id", "leader_id")


def plan_rows(organisation, year) -> list[Consultation]:
    """The year's consultations with a planned month (the committee's and its liaison groups'), by form and
    month: one query."""
    from ..selectors import committee_q

    rows = list(
        Consultation.objects.filter(committee_q(organisation), year=year, planned_month__isnull=False)
        .select_related("organisation", "lead_committee", "leader", "topic")
        .order_by("planned_month", "id")
    )
    rows.sort(key=lambda c: (FORM_ORDER.get(c.form, 99), c.planned_month, c.pk))
    return rows


def by_form(rows) -> list[dict]:
    """[{form, label, rows}] in the forms' order, only forms with rows."""
    out: dict[str, dict] = {}
    labels = dict(Consultation.Form.choices)
    for c in rows:
        out.setdefault(c.form, {"form": c.form, "label": labels.get(c.form, c.form), "rows": []})[
            "rows"
        ].append(c)
    return list(out.values())


def _snapshot(rows) -> dict[str, dict]:
    return {str(c.pk): {k: getattr(c, k) for k in ROW_FIELDS} for c in rows}


def approved_snapshot(plan: Plan) -> dict | None:
    """The rows as approved (from the last approval's audit entry), or None when never approved."""
    if plan is None or plan.approved_at is None:
        return None
    entry = (
        AuditEntry.objects.filter(
            action="consultation.plan_approve", target_type="consultation.plan", target_id=str(plan.pk)
        )
        .order_by("-id")
        .values_list("after", flat=True)
        .first()
    )
    return (entry or {}).get("rows", {})


def changes_since_approval(plan: Plan, rows) -> list[dict]:
    """What differs from the approved plan: [{kind: added|removed|changed, title, id}]."""
    before = approved_snapshot(plan)
    if before is None:
        return []
    now = _snapshot(rows)
    out = []
    for pk, row in now.items():
        if pk not in before:
            out.append({"kind": "added", "id": int(pk), "title": row["title"]})
        elif before[pk] != row:
            out.append({"kind": "changed", "id": int(pk), "title": row["title"]})
    for pk, row in before.items():
        if pk not in now:
            out.append({"kind": "removed", "id": int(pk), "title": row.get("title", "")})
    return out


def get_plan(organisation, year) -> Plan | None:
    return Plan.objects.filter(organisation=organisation, year=year).first()


def plan_organisation(user) -> Organisation | None:
    """The committee whose plan the user reads: their own (a liaison user's: the group's committee)."""
    org = committee_of_user(user)
    return org.committee if org is not None else None


def may_read_plan(user, organisation) -> bool:
    if organisation is None:
        return False
    own = getattr(user, "organisation", None)
    if user.has_role(Role.LIAISON) and own is not None and own.committee.pk == organisation.pk:
        return True  # a 乡镇联络组 reads its committee's plan (its 有事好商量 are rows of it)
    return (
        rules.is_reader(user, organisation)
        or rules.is_consultation_staff(user, organisation)
        or rules.committee_member(user, organisation) is not None
    )


def default_title(organisation, year) -> str:
    from zhengxie.proposals.documents import committee_title

    return f"{committee_title(organisation)}{year}年度协商计划"


def _lock_plan(organisation, year) -> Plan:
    p = (
        Plan.objects.select_for_update()
        .select_related("organisation")
        .filter(organisation=organisation, year=year)
        .first()
    )
    if p is None:
        raise NotFound(f"{year}年度协商计划尚未建立。")
    return p


def create_plan(*, user, year, title="", note="", document_number="", organisation=None) -> Plan:
    organisation = organisation or plan_organisation(user)
    if organisation is None:
        raise Forbidden("只有本级政协办公室或专委会的工作人员可以建立年度协商计划。")
    must_staff(user, organisation, "建立年度协商计划")
    year = _year(year)
    title = limited_text(title, "标题", "title", limit=100) or default_title(organisation, year)
    note = limited_text(note, "说明", "note", limit=REASON_MAX)
    document_number = limited_text(document_number, "文号", "document_number", limit=50)
    with transaction.atomic():
        if Plan.objects.select_for_update().filter(organisation=organisation, year=year).exists():
            raise Conflict(f"{year}年度协商计划已经建立。", code="plan_exists")
        p = Plan.objects.create(
            organisation=organisation, year=year, title=title, note=note, document_number=document_number
        )
        record(user, "plan_create", p, organisation, year=year, title=title)
    return p


def update_plan(*, user, year, organisation=None, **changes) -> Plan:
    """Title, 文号 and note; while a draft only (an approved plan is changed by approving it again)."""
    organisation = organisation or plan_organisation(user)
    must_staff(user, organisation, "修改年度协商计划")
    data = {}
    if changes.get("title") is not None:
        data["title"] = limited_text(changes["title"], "标题", "title", limit=100, required=True)
    if changes.get("note") is not None:
        data["note"] = limited_text(changes["note"], "说明", "note", limit=REASON_MAX)
    if changes.get("document_number") is not None:
        data["document_number"] = limited_text(
            changes["document_number"], "文号", "document_number", limit=50
        )
    with transaction.atomic():
        p = _lock_plan(organisation, _year(year))
        if p.status != PS.DRAFT and set(data) - {"document_number"}:
            raise Conflict("计划已审定，标题和说明不能再修改。", code="illegal_transition")
        if p.status == PS.ISSUED and data:
            raise Conflict("计划已印发，不能修改。", code="illegal_transition")
        for k, v in data.items():
            setattr(p, k, v)
        if data:
            p.save(update_fields=list(data))
            record(user, "plan_update", p, organisation, **data)
    return p


def approve_plan(*, user, year, organisation=None) -> Plan:
    """审定: a draft, or an approved/issued plan whose rows changed since its approval (409 otherwise). The
    rows as approved go in the audit entry (the plan page compares against them)."""
    organisation = organisation or plan_organisation(user)
    must_staff(user, organisation, "审定年度协商计划")
    with transaction.atomic():
        p = _lock_plan(organisation, _year(year))
        rows = plan_rows(organisation, p.year)
        if not rows:
            raise Conflict("计划中还没有协商活动（须有计划月份），不能审定。", code="plan_empty")
        if p.status != PS.DRAFT and not changes_since_approval(p, rows):
            raise Conflict(
                f"计划当前状态为「{p.get_status_display()}」，审定后没有变动，无需再次审定。",
                code="illegal_transition",
            )
        again = p.status != PS.DRAFT
        p.status, p.approved_at, p.approved_by = PS.APPROVED, timezone.now(), user
        p.save(update_fields=["status", "approved_at", "approved_by"])
        record(user, "plan_approve", p, organisation, again=again, rows=_snapshot(rows))
    return p


def issue_plan(*, user, year, organisation=None) -> Plan:
    """印发: an approved plan that still matches what was approved; the committee's members are told."""
    organisation = organisation or plan_organisation(user)
    must_staff(user, organisation, "印发年度协商计划")
    with transaction.atomic():
        p = _lock_plan(organisation, _year(year))
        if p.status != PS.APPROVED:
            raise Conflict(
                f"计划当前状态为「{p.get_status_display()}」，须先审定后才能印发。"
                if p.status == PS.DRAFT
                else "计划已经印发。",
                code="illegal_transition",
            )
        rows = plan_rows(organisation, p.year)
        changed = changes_since_approval(p, rows)
        if changed:
            raise Conflict(f"审定后计划有{len(changed)}项变动，须重新审定后再印发。", code="plan_changed")
        p.status, p.issued_at, p.issued_by = PS.ISSUED, timezone.now(), user
        p.save(update_fields=["status", "issued_at", "issued_by"])
        member_users = User.objects.filter(
            is_active=True,
            member__organisation=organisation,
            member__status=Member.Status.ACTIVE,
        )
        notify(
            member_users,
            f"{p.title}已印发",
            f"本年度共安排协商活动{len(rows)}项，请按计划做好调研和参加协商的准备。",
            url=plan_url(p.year),
            category="consultation",
        )
        record(user, "plan_issue", p, organisation, rows=len(rows))
    return p
