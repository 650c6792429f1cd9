"""Hand-built proposals for page, document and statistics tests (rows written directly, as the data a
finished workflow leaves behind; the workflow itself is tested through the services and pages)."""

from __future__ import annotations

import datetime
import itertools

from django.utils import timezone

from zhengxie.core.models import HandlingUnit, User
from zhengxie.members.models import Member, Session
from zhengxie.proposals import reporting
from zhengxie.proposals.models import Assignment, Evaluation, Proposal, Reply, Signer

_numbers = itertools.count(5000)


def county_staff() -> User:
    return User.objects.select_related("organisation").get(username="staff")


def new_session(name="测试会议", number=9, year=2030) -> Session:
    staff = county_staff()
    term = Session.objects.filter(organisation=staff.organisation, is_current=True).get().term
    return Session.objects.create(
        term=term,
        organisation=staff.organisation,
        number=number,
        name=name,
        year=year,
        start_date=datetime.date(year, 1, 1),
        end_date=datetime.date(year, 1, 3),
    )


def unit(name="县教育局") -> HandlingUnit:
    return HandlingUnit.objects.get(organisation=county_staff().organisation, name=name)


def build(
    *,
    title="关于加强校园周边交通安全管理的提案",
    session=None,
    status=Proposal.Status.ASSIGNED,
    category="科教文卫",
    lead="member1",
    cosigners=(),
    unit_name="县教育局",
    co_units=(),
    number=None,
    reply_class=None,
    on_time=True,
    ratings=(),
    light="",
    deadline=datetime.date(2030, 6, 30),
    is_key=False,
) -> Proposal:
    """A proposal in `status`; with `reply_class` it has a reply, with `ratings` the signers' evaluations."""
    staff = county_staff()
    org = staff.organisation
    session = session or Session.objects.get(organisation=org, is_current=True)
    lead_member = Member.objects.select_related("user").get(user__username=lead)
    now = timezone.now()
    accepted = status in (
        Proposal.Status.ACCEPTED,
        Proposal.Status.ASSIGNED,
        Proposal.Status.HANDLING,
        Proposal.Status.REPLIED,
        Proposal.Status.REHANDLING,
        Proposal.Status.CLOSED,
    )
    assigned = accepted and status != Proposal.Status.ACCEPTED
    submitted = status not in (Proposal.Status.DRAFT, Proposal.Status.AWAITING_COSIGNERS)
    p = Proposal.objects.create(
        organisation=org,
        session=session,
        title=title,
        category=category,
        status=status,
        number=(number or next(_numbers)) if accepted else None,
        reasons="学校周边交通拥堵。\n上下学高峰时段存在安全隐患。",
        suggestions="一、设置护学岗。\n二、增设减速带。",
        kind=Proposal.Kind.JOINT if cosigners else Proposal.Kind.INDIVIDUAL,
        author=lead_member.user,
        lead_member=lead_member,
        submitted_at=now if submitted else None,
        accepted_at=now if accepted else None,
        assigned_at=now if assigned else None,
        deadline=deadline if assigned else None,
        light=light,
        is_key=is_key,
        replied_at=now if reply_class else None,
    )
    reporting.open_cases([p])
    Signer.objects.create(proposal=p, member=lead_member, role=Signer.Role.LEAD, status=Signer.Status.AGREED)
    for i, username in enumerate(cosigners, 1):
        Signer.objects.create(
            proposal=p,
            member=Member.objects.get(user__username=username),
            role=Signer.Role.COSIGNER,
            status=Signer.Status.AGREED,
            order=i,
        )
    if assigned:
        a = Assignment.objects.create(
            case_id=p.case_id,
            unit=unit(unit_name),
            role=Assignment.Role.LEAD,
            assigned_by=staff,
            deadline=deadline,
            acknowledged_at=now,
        )
        for co in co_units:
            Assignment.objects.create(
                case_id=p.case_id,
                unit=unit(co),
                role=Assignment.Role.CO,
                assigned_by=staff,
                deadline=deadline,
            )
        if reply_class:
            r = Reply.objects.create(
                case_id=p.case_id,
                assignment=a,
                result_class=reply_class,
                content="已落实。",
                replied_by=staff,
                on_time=on_time,
            )
            members = [lead_member] + [Member.objects.get(user__username=u) for u in cosigners]
            for member, rating in zip(members, ratings, strict=False):
                Evaluation.objects.create(
                    case_id=p.case_id, reply=r, member=member, rating=rating, recorded_by=member.user
                )
    reporting.sync([p.pk])  # rows made here, not by the services: fill the statistics copies
    return p
