"""Every change to 视察/调研 topics: the managing staff (办公室 / 专委会办公室) create a topic, move it
through its states and arrange its site visits (meetings of the activities app); participants add findings
and photos; the report (uploaded, or generated as .docx) names its writers, who are credited
`research_report` once each per topic; its numbered recommendations go to a unit (a case of the handling
spine) or become a participant's draft 社情民意 or proposal. Each service checks who may (rules.py), runs
in one transaction, writes its audit entry last and tells whoever must act next."""

from __future__ import annotations

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from zhengxie.activities import services as meetings
from zhengxie.activities.models import Meeting
from zhengxie.core import audit, orgsettings
from zhengxie.core.errors import Conflict, Forbidden, Invalid, NotFound
from zhengxie.core.models import Office, Role, User
from zhengxie.core.notifications import notify
from zhengxie.core.uploads import DOCUMENTS, IMAGES, save_attachment
from zhengxie.handling.models import Case
from zhengxie.handling.services import flow
from zhengxie.handling.services.units import check_deadline, resolve_unit
from zhengxie.keytasks.services import _text, check_year
from zhengxie.members.models import Member, SpecialCommittee
from zhengxie.members.selectors import member_of
from zhengxie.performance import acts
from zhengxie.performance.services import record_act

from . import rules, selectors
from .handling_kind import KIND
from .models import Finding, Recommendation, ResearchTopic, Visit

S = ResearchTopic.Status
RS = Recommendation.Status
MAX_MEMBERS = 200
MAX_SITES = 30
MAX_RECOMMENDATIONS = 50

orgsettings.register("research.report_days", 30, "视察调研：课题结束后应在该天数内提交报告（工作台提醒）")

# The one step that leads to each status (409 otherwise); `reported` is reached by submitting the report.
STEPS = {
    S.IN_PROGRESS: (S.PLANNED,),
    S.CLOSED: (S.REPORTED,),
}


# --- checks the forms call too --------------------------------------------------------------------------


def check_kind(kind) -> str:
    if kind not in ResearchTopic.Kind.values:
        raise Invalid("类型须为调研（research）或视察（inspection）。", field="kind")
    return kind


def _date(value, name: str, field: str, required=False) -> datetime.date | None:
    if value in (None, ""):
        if required:
            raise Invalid(f"请填写{name}。", field=field)
        return None
    if isinstance(value, datetime.datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise Invalid(f"{name}格式不正确（应为 YYYY-MM-DD）。", field=field)


def _datetime(value, name: str, field: str) -> datetime.datetime:
    if isinstance(value, str) and value.strip():
        try:
            value = datetime.datetime.fromisoformat(value.strip())
        except ValueError:
            raise Invalid(f"{name}格式不正确（应为 YYYY-MM-DD HH:MM）。", field=field)
    if not isinstance(value, datetime.datetime):
        raise Invalid(f"请填写{name}。", field=field)
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if not 2000 <= value.year <= 2100:
        raise Invalid(f"{name}超出范围。", field=field)
    return value


def _ids(values, field: str) -> list[int]:
    out = []
    for v in values or ():
        pk = selectors.as_pk(v)
        if pk is None:
            raise Invalid("所选人员不正确。", field=field)
        if pk not in out:
            out.append(pk)
    return out


def check_leader(value, organisation) -> User:
    pk = selectors.as_pk(value)
    found = (
        User.objects.filter(pk=pk, is_active=True, organisation_id=organisation.pk).first() if pk else None
    )
    if found is None or not found.has_role(Role.LEADER):
        raise Invalid("带队领导须为本级政协的主席或副主席（领导账号）。", field="leader")
    return found


def check_members(values, organisation, field="member_ids", required=False) -> list[Member]:
    ids = _ids(values, field)
    if required and not ids:
        raise Invalid("请至少选择一位参加委员。", field=field)
    if len(ids) > MAX_MEMBERS:
        raise Invalid(f"参加委员最多{MAX_MEMBERS}人。", field=field)
    found = {
        m.pk: m
        for m in Member.objects.filter(
            pk__in=ids, organisation_id=organisation.pk, status=Member.Status.ACTIVE
        )
    }
    missing = [i for i in ids if i not in found]
    if missing:
        raise Invalid("所选委员不属于本级政协或已不在任。", field=field)
    return [found[i] for i in ids]


def check_committee(value, organisation) -> SpecialCommittee | None:
    if value in (None, "", 0):
        return None
    pk = selectors.as_pk(value)
    found = SpecialCommittee.objects.filter(pk=pk, organisation_id=organisation.pk).first() if pk else None
    if found is None:
        raise Invalid("所选专委会不属于本级政协。", field="committee")
    return found


def check_sites(sites) -> list[str]:
    if isinstance(sites, str):
        sites = sites.replace("，", "\n").replace(",", "\n").split("\n")
    out = []
    for s in sites or ():
        if not isinstance(s, str):
            raise Invalid("地点格式不正确。", field="sites")
        s = s.strip()
        if not s:
            continue
        if len(s) > 100:
            raise Invalid("每个地点不能超过100字。", field="sites")
        out.append(s)
    if len(out) > MAX_SITES:
        raise Invalid(f"地点最多{MAX_SITES}个。", field="sites")
    return out


def check_recommendations(rows) -> list[str]:
    if isinstance(rows, str):
        rows = rows.split("\n")
    out = []
    for i, row in enumerate(rows or (), 1):
        if not isinstance(row, str):
            raise Invalid(f"第{i}条建议格式不正确。", field="recommendations")
        row = row.strip()
        if not row:
            continue
        if len(row) > 2000:
            raise Invalid(f"第{len(out) + 1}条建议不能超过2000字。", field="recommendations")
        out.append(row)
    if len(out) > MAX_RECOMMENDATIONS:
        raise Invalid(f"建议最多{MAX_RECOMMENDATIONS}条。", field="recommendations")
    return out


# --- helpers ---------------------------------------------------------------------------------------------


def url(topic) -> str:
    return reverse("research:detail", args=[topic.pk])


def _load(user, topic, *, lock=True) -> ResearchTopic:
    """The topic, row-locked, if the user may see it; else 404."""
    qs = ResearchTopic.objects.select_related("organisation", "leader", "committee")
    return selectors.seen(user, (qs.select_for_update(of=("self",)) if lock else qs), topic)


def _must_manage(user, t: ResearchTopic, verb: str) -> None:
    if not rules.can_manage(user, t):
        raise Forbidden(f"只有本级政协办公室或专委会办公室工作人员可以{verb}。")


def _must_be(t: ResearchTopic, allowed, verb: str) -> None:
    if t.status not in allowed:
        raise Conflict(f"课题当前状态为「{t.get_status_display()}」，不能{verb}。", code="illegal_transition")


def _touch(t: ResearchTopic, *fields) -> None:
    t.updated_at = timezone.now()
    t.save(update_fields=[*fields, "updated_at"])


def _record(user, action: str, t: ResearchTopic, **after) -> None:
    audit.record(user, f"research.{action}", t, after=after, organisation=t.organisation)


def _member_users(members) -> list[User]:
    return [m.user for m in members if m.user_id]


def managers(organisation) -> list[User]:
    """The 办公室 and 专委会办公室 staff of the organisation (whom the to-dos and notices reach)."""
    users = User.objects.filter(organisation=organisation, is_active=True, groups__name=Role.STAFF).distinct()
    return [u for u in users if u.works_in(Office.GENERAL, Office.COMMITTEE)]


# --- topics ----------------------------------------------------------------------------------------------


def create(
    user,
    *,
    title,
    kind,
    year,
    leader,
    member_ids=(),
    background="",
    committee=None,
    starts_on=None,
    ends_on=None,
    sites=(),
    chair_collective=False,
    writer_ids=(),
    organisation=None,
) -> ResearchTopic:
    organisation = organisation or user.organisation
    if not rules.is_manager(user, organisation):
        raise Forbidden("只有本级政协办公室或专委会办公室工作人员可以新建视察调研课题。")
    title = _text(title, "课题名称", field="title", limit=200)
    kind = check_kind(kind)
    year = check_year(year)
    leader = check_leader(leader, organisation)
    members = check_members(member_ids, organisation, required=True)
    writers = check_members(writer_ids, organisation, "writer_ids")
    if any(w not in members for w in writers):
        raise Invalid("执笔人须为参加本课题的委员。", field="writer_ids")
    background = _text(background, "背景与目的", field="background", required=False, limit=5000)
    committee = check_committee(committee, organisation)
    starts_on = _date(starts_on, "开始日期", "starts_on")
    ends_on = _date(ends_on, "结束日期", "ends_on")
    if starts_on and ends_on and ends_on < starts_on:
        raise Invalid("结束日期不能早于开始日期。", field="ends_on")
    sites = check_sites(sites)
    with transaction.atomic():
        now = timezone.now()
        t = ResearchTopic.objects.create(
            organisation=organisation,
            year=year,
            kind=kind,
            title=title,
            background=background,
            leader=leader,
            committee=committee,
            starts_on=starts_on,
            ends_on=ends_on,
            sites=sites,
            chair_collective=bool(chair_collective),
            created_by=user,
            created_at=now,
            updated_at=now,
        )
        t.members.set(members)
        t.writers.set(writers)
        label = t.get_kind_display()
        notify(
            [leader, *_member_users(members)],
            f"{'主席集体' if t.chair_collective else ''}{label}课题：{title}",
            f"{year}年{label}课题《{title}》已确定，牵头：{t.unit_label}，带队领导：{leader.name}。"
            + (f"时间：{starts_on:%Y年%m月%d日}起。" if starts_on else ""),
            url=url(t),
            category="research",
        )
        _record(
            user,
            "create",
            t,
            title=title,
            kind=kind,
            year=year,
            leader=leader.pk,
            members=[m.pk for m in members],
            chair_collective=t.chair_collective,
        )
    return t


UNSET = object()


def update(
    user,
    topic,
    *,
    title=UNSET,
    background=UNSET,
    leader=UNSET,
    member_ids=UNSET,
    writer_ids=UNSET,
    committee=UNSET,
    starts_on=UNSET,
    ends_on=UNSET,
    sites=UNSET,
    chair_collective=UNSET,
) -> ResearchTopic:
    """Change what is given (the managing staff), until the topic is closed."""
    with transaction.atomic():
        t = _load(user, topic)
        _must_manage(user, t, "修改课题")
        _must_be(t, (S.PLANNED, S.IN_PROGRESS, S.REPORTED), "修改")
        fields = []
        if title is not UNSET:
            t.title = _text(title, "课题名称", field="title", limit=200)
            fields.append("title")
        if background is not UNSET:
            t.background = _text(background, "背景与目的", field="background", required=False, limit=5000)
            fields.append("background")
        if leader is not UNSET:
            t.leader = check_leader(leader, t.organisation)
            fields.append("leader")
        if committee is not UNSET:
            t.committee = check_committee(committee, t.organisation)
            fields.append("committee")
        if starts_on is not UNSET:
            t.starts_on = _date(starts_on, "开始日期", "starts_on")
            fields.append("starts_on")
        if ends_on is not UNSET:
            t.ends_on = _date(ends_on, "结束日期", "ends_on")
            fields.append("ends_on")
        if t.starts_on and t.ends_on and t.ends_on < t.starts_on:
            raise Invalid("结束日期不能早于开始日期。", field="ends_on")
        if sites is not UNSET:
            t.sites = check_sites(sites)
            fields.append("sites")
        if chair_collective is not UNSET:
            t.chair_collective = bool(chair_collective)
            fields.append("chair_collective")
        members = list(t.members.all())
        added = []
        if member_ids is not UNSET:
            new = check_members(member_ids, t.organisation, required=True)
            added = [m for m in new if m not in members]
            members = new
            t.members.set(members)
        if writer_ids is not UNSET:
            writers = check_members(writer_ids, t.organisation, "writer_ids")
            if any(w not in members for w in writers):
                raise Invalid("执笔人须为参加本课题的委员。", field="writer_ids")
            t.writers.set(writers)
        _touch(t, *fields)
        if added:
            notify(
                _member_users(added),
                f"您已加入{t.get_kind_display()}课题：{t.title}",
                f"牵头：{t.unit_label}，带队领导：{t.leader.name}。",
                url=url(t),
                category="research",
            )
        _record(user, "update", t, fields=fields, members=[m.pk for m in members])
    return t


def set_status(user, topic, status) -> ResearchTopic:
    """The one step that leads to `status`: planned → in_progress (开始), reported → closed (办结);
    `reported` only by submitting the report; anything else 409."""
    with transaction.atomic():
        t = _load(user, topic)
        _must_manage(user, t, "变更课题状态")
        if status not in S.values:
            raise Invalid("状态须为 planned、in_progress、reported 或 closed。", field="status")
        if status == S.REPORTED:
            raise Conflict("提交调研报告后课题即为「已形成报告」，请提交报告。", code="report_required")
        if status == t.status or t.status not in STEPS.get(status, ()):
            raise Conflict(
                f"课题当前状态为「{t.get_status_display()}」，不能改为「{S(status).label}」。",
                code="illegal_transition",
            )
        before = t.status
        t.status = status
        fields = ["status"]
        if status == S.CLOSED:
            t.closed_at = timezone.now()
            fields.append("closed_at")
        if status == S.IN_PROGRESS and t.starts_on is None:
            t.starts_on = timezone.localdate()
            fields.append("starts_on")
        _touch(t, *fields)
        members = list(t.members.select_related("user"))
        if status == S.IN_PROGRESS:
            notify(
                [t.leader, *_member_users(members)],
                f"{t.get_kind_display()}课题已开始：{t.title}",
                "请参加视察调研活动，并及时在课题页面记录发现的问题和照片。",
                url=url(t),
                category="research",
            )
        else:
            notify(
                [t.leader],
                f"{t.get_kind_display()}课题已办结：{t.title}",
                "",
                url=url(t),
                category="research",
            )
        audit.record(
            user,
            "research.status",
            t,
            before={"status": before},
            after={"status": t.status},
            organisation=t.organisation,
        )
    return t


# --- visits (meetings of the activities app) -------------------------------------------------------------


def add_visit(user, topic, *, starts_at, ends_at, site="", title="", notify_now=True) -> Visit:
    """A site visit: a meeting of kind 视察 / 调研 made through the activities services, the topic's
    members invited and (by default) told at once; leave and check-in are the meeting's, and check-in
    credits the duty act `inspection` / `research` when the meeting is closed."""
    with transaction.atomic():
        t = _load(user, topic)
        _must_manage(user, t, "安排视察调研活动")
        _must_be(t, (S.PLANNED, S.IN_PROGRESS), "安排视察调研活动")
        if user.organisation_id != t.organisation_id:
            raise Forbidden("只有本级政协机关工作人员可以安排本级的视察调研活动。")
        site = _text(site, "地点", field="site", required=False, limit=200)
        title = _text(title, "活动名称", field="title", required=False, limit=150)
        starts_at = _datetime(starts_at, "开始时间", "starts_at")
        ends_at = _datetime(ends_at, "结束时间", "ends_at")
        if ends_at < starts_at:
            raise Invalid("结束时间不能早于开始时间。", field="ends_at")
        members = list(t.members.all())
        if not members:
            raise Invalid("课题还没有参加委员，请先添加委员。", field="member_ids")
        kind = Meeting.Kind.INSPECTION if t.kind == ResearchTopic.Kind.INSPECTION else Meeting.Kind.RESEARCH
        label = t.get_kind_display()
        m = meetings.meeting_create(
            user=user,
            kind=kind,
            title=(title or f"{'主席集体' if t.chair_collective else ''}{label}：{t.title}")[:200],
            starts_at=starts_at,
            ends_at=ends_at,
            place=site,
            agenda=f"{label}课题《{t.title}》" + (f"；带队领导：{t.leader.name}" if t.leader_id else ""),
            committee=t.committee,
        )
        meetings.meeting_invite(user=user, meeting=m, members=[x.pk for x in members])
        if notify_now:
            meetings.meeting_notify(user=user, meeting=m)
        v = Visit.objects.create(topic=t, meeting=m, site=site, created_by=user)
        if site and site not in t.sites and len(t.sites) < MAX_SITES:
            t.sites = [*t.sites, site]
        _touch(t, "sites")
        _record(user, "visit", t, visit=v.pk, meeting=m.pk, starts_at=starts_at.isoformat(), site=site)
    return v


# --- findings and photos ---------------------------------------------------------------------------------


def add_finding(user, topic, *, content="", photo=None) -> Finding:
    """A participant's (or the staff's) finding during the topic: text, a photo (re-encoded without its
    EXIF: no GPS position or camera), or both."""
    with transaction.atomic():
        t = _load(user, topic)
        if not rules.can_contribute(user, t):
            raise Forbidden("只有参加本课题的委员和工作人员可以记录发现的问题。")
        _must_be(t, (S.IN_PROGRESS,), "记录发现（课题进行中才能记录）")
        content = _text(content, "发现的问题与情况", field="content", required=photo is None, limit=3000)
        attachment = None
        if photo is not None:
            attachment = save_attachment(
                photo, target=t, user=user, purpose="research_photo", allowed=IMAGES, strip_metadata=True
            )
        f = Finding.objects.create(topic=t, content=content, photo=attachment, author=user)
        _touch(t)
        _record(user, "finding", t, finding=f.pk, photo=attachment.pk if attachment else None)
    return f


# --- the report ------------------------------------------------------------------------------------------


def _writers(user, t: ResearchTopic, writer_ids) -> list[Member]:
    members = list(t.members.select_related("user"))
    if writer_ids:
        writers = check_members(writer_ids, t.organisation, "writer_ids")
        if any(w not in members for w in writers):
            raise Invalid("执笔人须为参加本课题的委员。", field="writer_ids")
        return writers
    writers = list(t.writers.select_related("user"))
    if writers:
        return writers
    me = member_of(user)
    return [me] if me is not None and me in members else []


def _add_recommendations(t: ResearchTopic, rows: list[str]) -> list[Recommendation]:
    last = t.recommendations.aggregate(m=Max("number"))["m"] or 0
    if last + len(rows) > MAX_RECOMMENDATIONS:
        raise Invalid(f"建议最多{MAX_RECOMMENDATIONS}条。", field="recommendations")
    return Recommendation.objects.bulk_create(
        [Recommendation(topic=t, number=last + i, content=c) for i, c in enumerate(rows, 1)]
    )


def submit_report(
    user, topic, *, file=None, generate=False, writer_ids=(), recommendations=(), summary=""
) -> ResearchTopic:
    """The report: an uploaded .docx/.pdf, or (`generate`) a .docx made from the topic (background,
    findings, recommendations, participants, visits). The topic becomes 已形成报告; the writers (执笔人:
    given, else the topic's, else the submitting participant) are credited `research_report` once each per
    topic; the leader and the managing staff are told."""
    from . import documents

    with transaction.atomic():
        t = _load(user, topic)
        if not rules.can_report(user, t):
            raise Forbidden("只有参加本课题的委员和工作人员可以提交报告。")
        _must_be(t, (S.IN_PROGRESS,), "提交报告（课题进行中才能提交）")
        summary = _text(summary, "报告摘要", field="summary", required=False, limit=20000)
        rows = check_recommendations(recommendations)
        writers = _writers(user, t, writer_ids)
        if file is None and not generate:
            raise Invalid("请选择要上传的报告文件（Word 或 PDF）。", field="file")
        recs = _add_recommendations(t, rows)
        if file is not None:
            attachment = save_attachment(
                file, target=t, user=user, purpose="research_report", allowed=DOCUMENTS
            )
            source = ResearchTopic.ReportSource.UPLOADED
        else:
            t.report_summary = summary
            data = documents.report_docx(t, writers=writers, summary=summary)
            name = f"{t.title[:60]}{t.get_kind_display()}报告.docx"
            attachment = save_attachment(
                SimpleUploadedFile(name, data, documents.DOCX),
                target=t,
                user=user,
                purpose="research_report",
                allowed=("docx",),
            )
            source = ResearchTopic.ReportSource.GENERATED
        now = timezone.now()
        t.report, t.report_source, t.reported_at, t.reported_by = attachment, source, now, user
        t.report_summary = summary
        t.status = S.REPORTED
        t.writers.set(writers)
        _touch(t, "report", "report_source", "reported_at", "reported_by", "report_summary", "status")
        today = timezone.localdate()
        # A writer who submits does not confirm their own credit: only the office's submission confirms it.
        confirmer = user if rules.is_manager(user, t.organisation) else None
        for w in writers:
            record_act(
                member=w,
                act=acts.RESEARCH_REPORT,
                source=t,
                occurred_on=today,
                confirmed_by=confirmer,
                note=t.title[:100],
            )
        label = t.get_kind_display()
        notify(
            [t.leader, *[u for u in managers(t.organisation) if u.pk != user.pk]],
            f"{label}报告已提交：{t.title}",
            f"执笔人：{'、'.join(w.name for w in writers) or '未指定'}；建议{t.recommendations.count()}条。"
            "请审阅报告并转送建议。",
            url=url(t),
            category="research",
        )
        notify(
            [w.user for w in writers if w.user_id and w.user_id != user.pk],
            f"您执笔的{label}报告已提交：{t.title}",
            "已记入履职档案（执笔视察/调研报告）。",
            url=url(t),
            category="research",
        )
        _record(
            user,
            "report",
            t,
            attachment=attachment.pk,
            source=source,
            writers=[w.pk for w in writers],
            recommendations=[r.pk for r in recs],
        )
    return t


def add_recommendation(user, topic, *, content) -> Recommendation:
    """One more numbered recommendation (the managing staff; before the topic is closed)."""
    with transaction.atomic():
        t = _load(user, topic)
        _must_manage(user, t, "填写建议")
        _must_be(t, (S.IN_PROGRESS, S.REPORTED), "填写建议")
        rows = check_recommendations([content if isinstance(content, str) else None])
        if not rows:
            raise Invalid("请填写建议内容。", field="content")
        (r,) = _add_recommendations(t, rows)
        _touch(t)
        _record(user, "recommendation", t, recommendation=r.pk, number=r.number)
    return r


# --- sending recommendations on -------------------------------------------------------------------------


def _recommendation(user, recommendation) -> Recommendation:
    pk = selectors.as_pk(recommendation)
    r = Recommendation.objects.select_related("topic__organisation").filter(pk=pk).first() if pk else None
    if r is None or not rules.can_view(user, r.topic):
        raise NotFound("未找到该建议。")
    return r


def route(
    user, recommendation, *, unit=None, deadline=None, as_=None, member=None, category=""
) -> Recommendation:
    """Send a recommendation of a submitted report on: to a unit (`unit`: a case of the spine's kind
    `research_recommendation` in the unit's inbox; the managing staff), or as a draft 社情民意
    (`as_="opinion"`: a participant for themselves, or the staff for a participant `member`) or a draft
    proposal (`as_="proposal"`: a participant for themselves). A recommendation goes on once (409)."""
    with transaction.atomic():
        found = _recommendation(user, recommendation)
        t = _load(user, found.topic_id)
        r = Recommendation.objects.select_for_update().get(pk=found.pk)
        r.topic = t
        if as_ in (None, "") and unit in (None, ""):
            raise Invalid("请选择承办单位，或转为社情民意信息 / 提案。", field="unit_id")
        if as_ not in (None, "", "opinion", "proposal"):
            raise Invalid("转送方式须为 opinion（社情民意信息）或 proposal（提案）。", field="as")
        if as_ in (None, ""):
            _must_manage(user, t, "交办建议")
        elif not (rules.can_manage(user, t) or rules.participant(user, t) is not None):
            raise Forbidden("只有参加本课题的委员和工作人员可以转送建议。")
        _must_be(t, (S.REPORTED,), "转送建议（提交报告后才能转送）")
        if r.status != RS.DRAFT:
            raise Conflict(f"该建议{r.get_status_display()}，不能重复转送。", code="already_routed")
        now = timezone.now()
        if as_ in (None, ""):
            handling_unit = resolve_unit(t.organisation.committee, unit, field="unit_id")
            day = check_deadline(deadline)
            case = flow.route(
                user=user,
                kind=KIND,
                item=r,
                organisation=t.organisation.committee,
                # The label names the recommendation (第N条): the title is the report's, not said twice.
                title=t.title,
                label=f"{t.get_kind_display()}建议第{r.number}条",
                unit=handling_unit,
                deadline=day,
                note=r.content[:200],
            )
            r.case, r.unit, r.status = case, handling_unit, RS.ROUTED
            fields = ["case", "unit", "status"]
            target = {"unit": handling_unit.pk, "case": case.pk}
        elif as_ == "opinion":
            target = _as_opinion(user, t, r, member)
            fields = ["opinion", "status"]
        else:
            target = _as_proposal(user, t, r, category)
            fields = ["proposal", "status"]
        r.routed_at, r.routed_by = now, user
        r.save(update_fields=[*fields, "routed_at", "routed_by"])
        _touch(t)
        _record(user, "route", t, recommendation=r.pk, number=r.number, **target)
    return r


def _draft_text(t: ResearchTopic, r: Recommendation) -> tuple[str, str]:
    title = f"关于{t.title[:60]}的建议"
    body = (
        f"在{t.year}年{t.get_kind_display()}课题《{t.title}》中，课题组"
        f"{'（' + t.leader.name + '带队）' if t.leader_id else ''}形成如下建议：\n{r.content}"
    )
    return title, body


def _as_opinion(user, t: ResearchTopic, r: Recommendation, member) -> dict:
    from zhengxie.opinions.services import opinion_create

    title, body = _draft_text(t, r)
    me = rules.participant(user, t)
    if me is not None and (member in (None, "") or str(getattr(member, "pk", member)) == str(me.pk)):
        o = opinion_create(user=user, title=title, content=body)
        author = me
    else:
        if not rules.can_manage(user, t):
            raise Forbidden("只有参加本课题的委员和工作人员可以转送建议。")
        if member in (None, ""):
            raise Invalid("请选择参加本课题的一位委员作为社情民意信息的作者。", field="member_id")
        (author,) = check_members([member], t.organisation, "member_id")
        if author not in list(t.members.all()):
            raise Invalid("请选择参加本课题的一位委员作为社情民意信息的作者。", field="member_id")
        o = opinion_create(user=user, title=title, content=body, author_ids=[author.pk])
    r.opinion, r.status = o, RS.OPINION
    if author.user_id and author.user_id != user.pk:
        notify(
            [author.user],
            f"视察调研建议已转为您的社情民意信息草稿：{title}",
            "请完善后提交。",
            url=reverse("opinions:detail", args=[o.pk]),
            category="research",
        )
    return {"opinion": o.pk, "author": author.pk}


def _as_proposal(user, t: ResearchTopic, r: Recommendation, category) -> dict:
    from zhengxie.proposals.services.drafting import proposal_create

    me = rules.participant(user, t)
    if me is None:
        raise Forbidden("只有参加本课题的委员可以把建议转为自己的提案草稿。")
    cats = list(orgsettings.get(t.organisation.committee, "proposals.categories"))
    if not category:
        category = "其他" if "其他" in cats else (cats[-1] if cats else "")
    title, body = _draft_text(t, r)
    p = proposal_create(
        user=user,
        title=title,
        reasons=body,
        suggestions=r.content,
        category=category,
        research_note=f"{t.year}年{t.get_kind_display()}课题《{t.title}》",
    )
    r.proposal, r.status = p, RS.PROPOSAL
    return {"proposal": p.pk}


# --- following the case ----------------------------------------------------------------------------------


def follow_case(case_id) -> None:
    """After a step on the spine (签收, 答复, 评价, 办结): the recommendation's status follows its case."""
    r = Recommendation.objects.filter(case_id=case_id).first()
    if r is None:
        return
    status = flow.ITEM_STATUS.get(Case.objects.values_list("status", flat=True).get(pk=case_id))
    if status is None or status == r.status:
        return
    Recommendation.objects.filter(pk=r.pk).update(status=status)
