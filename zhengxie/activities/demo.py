"""Demo meetings of 青川县: this year's plenary and a standing committee meeting (both closed, so their
attendance is already duty records), an upcoming 专委会会议 (member1 attends, member2's leave request is
pending, member3 has not replied), an upcoming 视察, a past 委员讲堂, this year's 培训 (the yearly course and the new members' one) and a
draft 线上值班."""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from zhengxie.core.models import User
from zhengxie.core.notifications import notify
from zhengxie.members.models import Member

from .models import Invitation, Meeting
from .services import apply_close

K, S = Meeting.Kind, Meeting.Status
A, L, R = Invitation.Attendance, Invitation.LeaveStatus, Invitation.Reply
LEAVE_REASONS = ["出差在外", "单位有重要工作任务", "身体不适，住院治疗", "参加上级组织的培训", "家中有急事"]


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _meeting(county, organiser, kind, title, starts_at, hours, place, agenda="", status=S.NOTIFIED, **extra):
    return Meeting.objects.create(
        organisation=county,
        organiser=organiser,
        kind=kind,
        title=title,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=hours),
        place=place,
        agenda=agenda,
        status=status,
        notified_at=None if status == S.DRAFT else starts_at - datetime.timedelta(days=7),
        **extra,
    )


def _held(meeting, members, rnd, closer, present_share=0.86, leave_share=0.09, on_leave=()):
    """Invitations with a realistic spread of attendance, then closed (-> duty records). member1 and member3
    are present unless named in `on_leave` (their leave approved)."""
    rows = []
    for m in members:
        name = m.user.username
        if name in on_leave:
            r = present_share + leave_share / 2
        elif name in ("member1", "member3"):
            r = 0.0
        else:
            r = rnd.random()
        inv = Invitation(
            meeting=meeting,
            member=m,
            notified_at=meeting.notified_at,
            reply=R.ATTEND,
            replied_at=meeting.notified_at + datetime.timedelta(hours=rnd.randint(1, 48)),
        )
        if r < present_share:
            inv.attendance, inv.checkin_method = A.PRESENT, Invitation.Method.QR
            inv.checked_in_at = meeting.starts_at - datetime.timedelta(minutes=rnd.randint(0, 40))
        elif r < present_share + leave_share:
            inv.reply, inv.leave_reason, inv.leave_status = (
                R.LEAVE_REQUESTED,
                rnd.choice(LEAVE_REASONS),
                L.APPROVED,
            )
            inv.leave_decided_by, inv.leave_decided_at = closer, inv.replied_at + datetime.timedelta(hours=3)
        rows.append(inv)
    Invitation.objects.bulk_create(rows)
    apply_close(meeting, closer)


def load(ctx):
    county, session, committees = ctx["county"], ctx["session"], ctx["committees"]
    rnd = random.Random(2026)
    office = User.objects.get(username="office")
    members = list(
        Member.objects.filter(organisation=county, status=Member.Status.ACTIVE)
        .select_related("user", "term")
        .order_by("id")
    )
    by_name = {m.user.username: m for m in members}
    today = timezone.localdate()
    with transaction.atomic():
        plenary = _meeting(
            county,
            office,
            K.PLENARY,
            f"政协{county.region}{session.name}（全体会议）",
            _at(session.start_date, 9),
            3.5,
            "县会议中心大礼堂",
            "一、听取和审议常务委员会工作报告\n二、听取和审议常务委员会关于提案工作情况的报告\n三、列席县人大会议，听取政府工作报告",
        )
        _held(plenary, members, rnd, office)

        standing = [m for m in members if m.is_standing]
        std = _meeting(
            county,
            office,
            K.STANDING,
            "第十四届常务委员会第十二次会议",
            _at(today - datetime.timedelta(days=36), 14, 30),
            2.5,
            "县政协二楼会议室",
            "一、专题协商“推进县域医共体建设”\n二、审议有关人事事项",
        )
        _held(std, standing, rnd, office, present_share=0.8, leave_share=0.15)

        lecture = _meeting(
            county,
            office,
            K.LECTURE,
            "委员讲堂：数字乡村建设的青川实践",
            _at(today - datetime.timedelta(days=10), 15),
            2,
            "县政协委员之家",
        )
        _held(lecture, members[: max(6, len(members) // 4)], rnd, office, present_share=0.8, leave_share=0.1)

        # The year's training (培训), so that the work report's coverage figures have something to count:
        # most members at the yearly course, nearly every new member (first served in this term) at theirs.
        course_day = max(datetime.date(today.year, 1, 10), today - datetime.timedelta(days=75))
        course = _meeting(
            county,
            office,
            K.TRAINING,
            f"{today.year}年度委员履职能力培训班",
            _at(course_day, 9),
            6,
            "县委党校报告厅",
            "一、学习政协章程和提案工作条例\n二、社情民意信息撰写辅导\n三、分组交流履职体会",
        )
        # member1 was away: the 履职自报 journey (tests/e2e/test_performance.py) needs room under the 履职活动 cap.
        _held(course, members, rnd, office, present_share=0.7, leave_share=0.2, on_leave=("member1",))
        newcomers = [m for m in members if m.is_new]
        if newcomers:
            induction = _meeting(
                county,
                office,
                K.TRAINING,
                "新任委员专题培训",
                _at(course_day + datetime.timedelta(days=1), 9),
                3,
                "县政协二楼会议室",
                "一、政协基本知识\n二、委员履职规则和积分办法\n三、平台使用演示",
            )
            _held(
                induction, newcomers, rnd, office, present_share=0.95, leave_share=0.05, on_leave=("member1",)
            )

        committee = committees[0]
        cm = _meeting(
            county,
            office,
            K.COMMITTEE,
            f"{committee.name}季度工作会议",
            _at(today + datetime.timedelta(days=5), 9),
            2,
            "县政协三楼会议室",
            "一、通报今年提案办理情况\n二、研究明年重点提案选题",
            committee=committee,
            checkin_before_minutes=60,
            checkin_after_minutes=60,
        )
        invitees = [by_name[u] for u in ("member1", "member2", "member3") if u in by_name]
        invitees += [m for m in members if m not in invitees][:5]
        now = timezone.now()
        Invitation.objects.bulk_create([Invitation(meeting=cm, member=m, notified_at=now) for m in invitees])
        Invitation.objects.filter(meeting=cm, member__user__username="member1").update(
            reply=R.ATTEND, replied_at=now
        )
        Invitation.objects.filter(meeting=cm, member__user__username="member2").update(
            reply=R.LEAVE_REQUESTED,
            replied_at=now,
            leave_reason="当天在市里参加医院等级评审，无法到会",
            leave_status=L.PENDING,
        )
        notify(
            [m.user for m in invitees],
            f"会议通知：{cm.title}",
            f"时间：{timezone.localtime(cm.starts_at):%Y-%m-%d %H:%M}\n地点：{cm.place}",
            url=f"/activities/{cm.pk}/",
            category="activities",
            email=False,
        )

        insp = _meeting(
            county,
            office,
            K.INSPECTION,
            "视察全县义务教育优质均衡发展工作",
            _at(today + datetime.timedelta(days=12), 8, 30),
            8,
            "县政协机关门口集合乘车",
            "上午：实地察看城关一小、清河镇中心校\n下午：召开座谈会，听取县教育局情况汇报",
        )
        sector = members[0].sector if members else None
        group = [
            m for m in members if m.sector_id == getattr(sector, "pk", None) or m.user.username == "member1"
        ]
        Invitation.objects.bulk_create(
            [Invitation(meeting=insp, member=m, notified_at=now) for m in group[:12]]
        )

        _meeting(
            county,
            office,
            K.ONLINE_DUTY,
            "委员线上值班（下月）",
            _at(today + datetime.timedelta(days=20), 9),
            3,
            "平台“码上议”值班室",
            "在线答复群众留言，收集社情民意。",
            status=S.DRAFT,
        )
