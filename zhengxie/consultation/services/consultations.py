"""A consultation's own life: create (into the year's plan), edit, the steps planned → open → held →
(outcome_sent, by services.outcomes) → closed, its meeting through the meetings module, the agenda
segments with who spoke (duty points for speaking and for written speeches), materials and minutes."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from zhengxie.activities import services as meetings
from zhengxie.activities.models import Meeting
from zhengxie.core import uploads
from zhengxie.core.errors import Forbidden, Invalid
from zhengxie.core.models import HandlingUnit, Organisation, User
from zhengxie.core.notifications import notify
from zhengxie.core.textinput import limited_text
from zhengxie.members.models import Member, SpecialCommittee
from zhengxie.performance import acts
from zhengxie.performance.services import record_act, revoke_act

from .. import rules
from ..models import Consultation, Segment, Topic
from .common import lock, must_be, must_manage, record, touch

S = Consultation.Status
F = Consultation.Form
EDITABLE = (
    "title",
    "form",
    "topic",
    "year",
    "planned_month",
    "lead_committee",
    "leader",
    "opens_at",
    "closes_at",
    "public",
    "background",
    "research_note",
    "held_on",
    "minutes",
    "studio",
)
# Which step leads from which statuses (the pages and the API offer only these; the services check again).
STEPS = {
    "open": (S.PLANNED,),
    "hold": (S.PLANNED, S.OPEN),
    "close": (S.HELD, S.OUTCOME_SENT),
    "reopen": (S.HELD,),
}
STEP_TARGET = {"open": S.OPEN, "hold": S.HELD, "close": S.CLOSED, "reopen": S.OPEN}
STEP_LABEL = {"open": "开始", "hold": "标记为已召开", "close": "办结", "reopen": "重新开放"}
# When the meeting's segments (通报 → 提问 → 解答 → 发言) can be recorded.
SEGMENT_STATES = (S.OPEN, S.HELD, S.OUTCOME_SENT)


def url(c: Consultation) -> str:
    from django.urls import reverse

    return reverse("consultation:detail", args=[c.pk])


def _clean(organisation: Organisation, data: dict) -> dict:
    """Check and normalise the editable fields present in `data` (a PATCH may send only some)."""
    out = {}
    if "title" in data:
        out["title"] = limited_text(data["title"], "协商题目", "title", limit=200, required=True)
    if "form" in data:
        if data["form"] not in F.values:
            raise Invalid("请选择协商形式。", field="form")
        if organisation.kind == Organisation.Kind.LIAISON and data["form"] != F.GRASSROOTS:
            # A 乡镇（街道）联络组 holds 有事好商量; the other forms are the committee's own.
            raise Invalid("乡镇（街道）联络组只能开展“有事好商量”协商。", field="form")
        out["form"] = data["form"]
    if "year" in data:
        try:
            year = int(data["year"])
        except (TypeError, ValueError):
            raise Invalid("年度须为整数。", field="year") from None
        if not 2000 <= year <= 2100:
            raise Invalid("年度须在 2000 到 2100 之间。", field="year")
        out["year"] = year
    if "planned_month" in data:
        m = data["planned_month"]
        if m in ("", None):
            out["planned_month"] = None
        else:
            try:
                m = int(m)
            except (TypeError, ValueError):
                raise Invalid("计划月份须为 1 到 12 的整数。", field="planned_month") from None
            if not 1 <= m <= 12:
                raise Invalid("计划月份须为 1 到 12 的整数。", field="planned_month")
            out["planned_month"] = m
    committee = organisation.committee
    if "topic" in data:
        t = data["topic"]
        if t is not None:
            t = t if isinstance(t, Topic) else Topic.objects.filter(pk=t).first()
            if t is None or t.organisation_id not in (organisation.pk, committee.pk):
                raise Invalid("所选议题不存在或不属于本会。", field="topic_id")
            if t.status == Topic.Status.NOT_CHOSEN:
                raise Invalid("该议题未被选定，不能据此安排协商。", field="topic_id")
        out["topic"] = t
    if "lead_committee" in data:
        lc = data["lead_committee"]
        if lc is not None:
            lc = lc if isinstance(lc, SpecialCommittee) else SpecialCommittee.objects.filter(pk=lc).first()
            if lc is None or lc.organisation_id != committee.pk:
                raise Invalid("所选专委会不属于本会。", field="lead_committee")
        out["lead_committee"] = lc
    if "leader" in data:
        ld = data["leader"]
        if ld is not None:
            ld = ld if isinstance(ld, User) else User.objects.filter(pk=ld).first()
            if ld is None or ld.organisation_id not in (organisation.pk, committee.pk):
                raise Invalid("牵头领导须为本会人员。", field="leader")
        out["leader"] = ld
    if "studio" in data:
        st = data["studio"]
        if st is not None:
            from zhengxie.studios.models import Studio

            st = st if isinstance(st, Studio) else Studio.objects.filter(pk=st).first()
            if st is None or st.organisation_id not in (organisation.pk, committee.pk):
                raise Invalid("所选委员工作室不属于本会。", field="studio")
        out["studio"] = st
    for key, label in (("background", "背景材料"), ("research_note", "会前调研"), ("minutes", "会议纪要")):
        if key in data:
            out[key] = limited_text(data[key], label, key, limit=20000)
    for key in ("opens_at", "closes_at"):
        if key in data:
            v = data[key]
            if isinstance(v, datetime.datetime) and timezone.is_naive(v):
                v = timezone.make_aware(v)
            out[key] = v
    if "held_on" in data:
        out["held_on"] = check_held_on(data["held_on"])
    if "public" in data:
        out["public"] = bool(data["public"])
    return out


def check_held_on(value) -> datetime.date | None:
    """协商日期: the day it was held (staff correct it on the form, or give it with 标记为已召开); never in
    the future."""
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value)
        except ValueError:
            raise Invalid("请填写有效的协商日期。", field="held_on") from None
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if not isinstance(value, datetime.date):
        raise Invalid("请填写有效的协商日期。", field="held_on")
    if value > timezone.localdate():
        raise Invalid("协商日期不能晚于今天。", field="held_on")
    if value.year < 2000:
        raise Invalid("请填写有效的协商日期。", field="held_on")
    return value


def _check_window(c: Consultation) -> None:
    if bool(c.opens_at) != bool(c.closes_at):
        raise Invalid("网络议政须同时填写开始和截止时间。", field="closes_at" if c.opens_at else "opens_at")
    if c.opens_at and c.closes_at <= c.opens_at:
        raise Invalid("议政截止时间须晚于开始时间。", field="closes_at")
    if c.public and not c.opens_at:
        raise Invalid("向群众开放的协商须设置网络议政的时间窗口。", field="opens_at")


def _departments(organisation, ids) -> list[HandlingUnit]:
    ids = {getattr(u, "pk", u) for u in ids or ()}
    units = list(HandlingUnit.objects.filter(pk__in=ids, organisation_id=organisation.committee.pk))
    if len(units) != len(ids):
        raise Invalid("所选参加部门不属于本会的承办单位。", field="department_ids")
    return units


def _research(organisation, ids) -> list:
    """The research topics a consultation builds on: the committee's own (or its 乡镇联络组's)."""
    from zhengxie.research.models import ResearchTopic

    ids = {getattr(t, "pk", t) for t in ids or ()}
    committee = organisation.committee
    topics = list(
        ResearchTopic.objects.filter(pk__in=ids, organisation_id__in={organisation.pk, committee.pk})
    )
    if len(topics) != len(ids):
        raise Invalid("所选调研课题不属于本会。", field="research_topic_ids")
    return topics


def create(
    *,
    user,
    title,
    form,
    year,
    organisation=None,
    topic=None,
    planned_month=None,
    lead_committee=None,
    leader=None,
    opens_at=None,
    closes_at=None,
    public=False,
    background="",
    research_note="",
    studio=None,
    held_on=None,
    departments=(),
    research_topics=(),
) -> Consultation:
    """A consultation of the year (in the plan when it has a planned month), by the consultation staff of
    the organisation (default: the user's own; a 乡镇联络组 for 有事好商量)."""
    organisation = organisation or user.organisation
    if organisation is None or not rules.is_consultation_staff(user, organisation):
        raise Forbidden("只有本级政协办公室或专委会的工作人员可以安排协商活动。")
    data = _clean(
        organisation,
        dict(
            title=title,
            form=form,
            year=year,
            topic=topic,
            planned_month=planned_month,
            lead_committee=lead_committee,
            leader=leader,
            opens_at=opens_at,
            closes_at=closes_at,
            public=public,
            background=background,
            research_note=research_note,
            studio=studio,
            held_on=held_on,
        ),
    )
    units = _departments(organisation, departments)
    topics = _research(organisation, research_topics)
    c = Consultation(organisation=organisation, created_by=user, **data)
    _check_window(c)
    with transaction.atomic():
        c.save()
        if units:
            c.departments.set(units)
        if topics:
            c.research_topics.set(topics)
        record(user, "create", c, organisation, title=c.title, form=c.form, year=c.year)
    return c


def update(*, user, consultation, departments=None, research_topics=None, **changes) -> Consultation:
    """Edit (PATCH): only the fields given; a closed consultation is read-only."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise Invalid(f"不能修改的字段：{'、'.join(sorted(unknown))}。")
    with transaction.atomic():
        c = lock(user, consultation)
        must_manage(user, c, "修改协商活动")
        if c.status == S.CLOSED:
            must_be(c, [s for s in S.values if s != S.CLOSED], "修改")
        data = _clean(c.organisation, changes)
        before = {k: str(getattr(c, k)) for k in data}
        for k, v in data.items():
            setattr(c, k, v)
        _check_window(c)
        touch(c, *data)
        if departments is not None:
            c.departments.set(_departments(c.organisation, departments))
        if research_topics is not None:
            c.research_topics.set(_research(c.organisation, research_topics))
        record(
            user,
            "update",
            c,
            c.organisation,
            **{k: str(getattr(c, k)) for k in data if before[k] != str(getattr(c, k))},
        )
    return c


def allowed_steps(user, c: Consultation) -> list[str]:
    if not rules.can_manage(user, c):
        return []
    return [step for step, states in STEPS.items() if c.status in states]


def _members(c: Consultation):
    return User.objects.filter(
        member__organisation_id=c.organisation.committee.pk,
        member__status=Member.Status.ACTIVE,
        is_active=True,
    )


def step(*, user, consultation, action: str, held_on=None) -> Consultation:
    """开始 (planned → open; an online hall needs its window), 已召开 (→ held), 办结 (held/outcome_sent →
    closed), 重新开放 (held → open)."""
    if action not in STEPS:
        raise Invalid("未知的操作。", field="action")
    with transaction.atomic():
        c = lock(user, consultation)
        must_manage(user, c, STEP_LABEL[action])
        must_be(c, STEPS[action], STEP_LABEL[action])
        if action == "open" and c.form == F.ONLINE and not c.opens_at:
            raise Invalid("网络议政须先设置议政的开始和截止时间。", field="opens_at")
        before = c.status
        c.status = STEP_TARGET[action]
        fields = ["status"]
        if action == "hold":
            c.held_on = check_held_on(held_on) or c.held_on or timezone.localdate()
            fields.append("held_on")
        touch(c, *fields)
        if action == "open" and c.opens_at:
            notify(
                list(_members(c)),
                f"网络议政：{c.title}",
                f"议政时间 {timezone.localtime(c.opens_at):%m月%d日 %H:%M} 至 {timezone.localtime(c.closes_at):%m月%d日 %H:%M}，欢迎建言。",
                url=url(c),
                category="consultation",
            )
        record(user, action, c, c.organisation, status=c.status, before=before)
    return c


def status_to(*, user, consultation, status: str) -> Consultation:
    """The API's PATCH of `status`: the one step that leads there from the current status (409 if none)."""
    c = consultation
    for action, target in STEP_TARGET.items():
        if target == status and c.status in STEPS[action]:
            return step(user=user, consultation=c, action=action)
    if status == c.status:
        return c
    from zhengxie.core.errors import Conflict

    raise Conflict(
        f"协商活动当前状态为「{c.get_status_display()}」，不能改为「{S(status).label if status in S.values else status}」。",
        code="illegal_transition",
    )


def close(*, user, consultation) -> Consultation:
    return step(user=user, consultation=consultation, action="close")


# --- the meeting ------------------------------------------------------------------------------------------


def create_meeting(
    *, user, consultation, starts_at, ends_at, place="", standing=False, everyone=False, members=()
) -> Meeting:
    """The consultation's meeting through the meetings module (notice, leave, check-in, attendance: a
    协商会议 whose attendance becomes the duty act 参加协商会议)."""
    with transaction.atomic():
        c = lock(user, consultation)
        must_manage(user, c, "安排协商会议")
        must_be(c, (S.PLANNED, S.OPEN), "安排会议")
        if c.meeting_id:
            from zhengxie.core.errors import Conflict

            raise Conflict("该协商活动已有会议。", code="meeting_exists")
        m = meetings.meeting_create(
            user=user,
            kind=Meeting.Kind.CONSULTATION,
            title=f"{c.get_form_display()}：{c.title}"[:200],
            starts_at=starts_at,
            ends_at=ends_at,
            place=place,
            agenda="通报 → 提问 → 解答 → 发言",
            committee=c.lead_committee,
        )
        if standing or everyone or members:
            meetings.meeting_invite(
                user=user, meeting=m, standing=standing, everyone=everyone, members=members
            )
        c.meeting = m
        touch(c, "meeting")
        record(user, "meeting", c, c.organisation, meeting=m.pk)
    return m


# --- agenda segments ------------------------------------------------------------------------------------


def _segment_act(s: Segment) -> str | None:
    """Speaking as a member earns 会议口头发言; a written speech 书面发言 (a briefing or an answer is the
    departments' part, not a member's duty)."""
    if s.member_id is None:
        return None
    if s.written:
        return acts.SPEECH_WRITTEN
    return acts.SPEECH_ORAL if s.kind in (Segment.Kind.SPEECH, Segment.Kind.QUESTION) else None


def add_segment(
    *,
    user,
    consultation,
    kind,
    member=None,
    speaker_label="",
    title="",
    content="",
    written=False,
    upload=None,
) -> Segment:
    if kind not in Segment.Kind.values:
        raise Invalid("请选择环节。", field="kind")
    speaker_label = limited_text(speaker_label, "发言人", "speaker_label", limit=100)
    title = limited_text(title, "题目", "title", limit=200)
    content = limited_text(content, "内容", "content", limit=20000)
    with transaction.atomic():
        c = lock(user, consultation)
        must_manage(user, c, "记录协商环节")
        must_be(c, SEGMENT_STATES, "记录协商环节")
        if member is not None:
            member = member if isinstance(member, Member) else Member.objects.filter(pk=member).first()
            if member is None or member.organisation_id != c.organisation.committee.pk:
                raise Invalid("发言委员须为本会委员。", field="member")
        if member is None and not speaker_label:
            raise Invalid("请选择发言委员或填写发言人。", field="speaker_label")
        if written and upload is None and not content:
            raise Invalid("书面发言请上传发言稿或填写内容。", field="upload")
        attachment = None
        if upload is not None:
            attachment = uploads.save_attachment(upload, target=c, user=user, purpose="speech")
        order = (c.segments.order_by("-order").values_list("order", flat=True).first() or 0) + 1
        s = Segment.objects.create(
            consultation=c,
            order=order,
            kind=kind,
            member=member,
            speaker_label=speaker_label or (member.name if member else ""),
            title=title,
            content=content,
            written=bool(written),
            attachment=attachment,
            created_by=user,
        )
        act = _segment_act(s)
        if act:
            record_act(
                member=member,
                act=act,
                source=s,
                occurred_on=c.held_on or timezone.localdate(),
                confirmed_by=user,
            )
        record(
            user, "segment", c, c.organisation, segment=s.pk, kind=kind, member=getattr(member, "pk", None)
        )
    return s


def remove_segment(*, user, segment) -> None:
    with transaction.atomic():
        c = lock(user, segment.consultation_id)
        must_manage(user, c, "删除协商环节")
        s = Segment.objects.select_for_update().get(pk=segment.pk, consultation=c)
        act = _segment_act(s)
        if act:
            revoke_act(member=s.member, act=act, source=s)
        record(user, "segment_remove", c, c.organisation, segment=s.pk)
        s.delete()


def add_material(*, user, consultation, upload):
    with transaction.atomic():
        c = lock(user, consultation)
        must_manage(user, c, "上传材料")
        att = uploads.save_attachment(upload, target=c, user=user, purpose="material")
        record(user, "material", c, c.organisation, attachment=att.pk, name=att.original_name)
    return att
