"""Demo studios for each demo county: a handful of 委员工作室 with members (member1 in two of them), a 线上值班
rota over the past two months and the next six weeks (member1 on duty today and on some coming days, one
leave waiting for the office), services in the 为民服务超市 and bookings in every state, with the service
records and duty records the services would have written. Bulk writes only."""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from zhengxie.core.models import User
from zhengxie.members.models import Member
from zhengxie.performance import acts as A
from zhengxie.performance.services import Credit, bulk_record

from .models import Booking, DutySlot, DutySwap, ServiceOffer, ServiceRecord, Studio
from .services import new_booking_code

C = ServiceOffer.Category
M = ServiceOffer.Mode
B = Booking.Status
D = DutySlot.Status

OFFERS = [
    (
        C.LEGAL,
        "婚姻家庭与劳动争议法律咨询",
        "免费解答婚姻家庭、劳动争议、借贷纠纷等法律问题，必要时协助联系法律援助。",
        "每周三上午",
    ),
    (
        C.HEALTH,
        "慢性病用药与健康咨询",
        "为高血压、糖尿病等慢性病患者提供用药指导和健康生活建议。",
        "每月第一、三个周六上午",
    ),
    (
        C.EDUCATION,
        "升学政策与家庭教育咨询",
        "解读中考、高考招生政策，交流家庭教育和青少年心理健康问题。",
        "每周五下午",
    ),
    (
        C.EMPLOYMENT,
        "就业创业政策咨询",
        "介绍创业担保贷款、就业补贴等政策，帮助高校毕业生和返乡人员对接岗位。",
        "工作日预约",
    ),
    (C.OTHER, "农业种养技术指导", "茶叶、中药材种植和生猪养殖技术指导，可上门服务。", "每月中旬"),
    (C.LEGAL, "企业合规与合同审查", "为小微企业和个体工商户审查合同、解答合规问题。", "每周二下午"),
    (C.HEALTH, "中医义诊", "中医问诊、把脉和养生保健指导。", "每月最后一个周日"),
    (C.EDUCATION, "留守儿童课业辅导", "为留守儿童提供周末课业辅导和阅读陪伴。", "周六全天"),
]
NAMES = [
    "王女士",
    "李先生",
    "张阿姨",
    "刘大爷",
    "陈女士",
    "杨先生",
    "赵女士",
    "黄先生",
    "周女士",
    "吴先生",
    "徐阿姨",
    "孙先生",
]
NOTES = [
    "家里老人想咨询慢性病报销的问题。",
    "公司拖欠工资三个月，想咨询怎么维权。",
    "孩子今年中考，想了解一下招生政策。",
    "准备回乡开农家乐，想了解有哪些扶持政策。",
    "想请委员帮忙看看租房合同有没有问题。",
    "",
]
SUMMARIES = [
    "电话沟通约40分钟，讲解了相关政策并给出书面建议，群众表示满意。",
    "在工作室当面接待，协助梳理证据材料，建议先行协商，必要时申请劳动仲裁。",
    "上门服务，现场查看并给出技术指导，约定下月回访。",
    "组织小型咨询会，集中解答了群众提出的问题。",
]
DECLINES = [
    "近期外出培训，无法安排，建议预约其他委员的同类服务。",
    "该问题已进入诉讼程序，不宜提供咨询意见。",
]


def _studio_specs(county, towns, is_main: bool) -> list[tuple[str, str, str, bool]]:
    town_names = [t.short_name for t in towns] or ["城关镇"]
    if is_main:
        return [
            (f"{town_names[0]}委员工作室", f"{town_names[0]}便民服务中心二楼", "每周三上午 9:00-11:30", True),
            ("教育界别委员工作室", "县实验中学行政楼一楼", "每周五下午 14:30-17:00", True),
            (
                f"{town_names[1 % len(town_names)]}委员工作室",
                f"{town_names[1 % len(town_names)]}党群服务中心",
                "每月逢5日全天",
                True,
            ),
            ("医卫界别委员工作室", "县人民医院门诊楼三楼", "每周二、四上午", True),
            ("法律服务委员工作室", "县公共法律服务中心", "工作日 9:00-17:00", True),
            (
                f"{town_names[2 % len(town_names)]}委员工作室",
                f"{town_names[2 % len(town_names)]}文化站",
                "暂停开放",
                False,
            ),
        ]
    return [
        (f"{county.short_name or county.name}城区委员工作室", "区政务服务中心三楼", "每周一上午", True),
        ("经济界别委员工作室", "区工商联会议室", "每月第二个周四", True),
    ]


class _Demo:
    def __init__(self, ctx):
        self.rnd = random.Random(1010)
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.ctx = ctx
        self.office = User.objects.filter(username="office").first()
        users = ctx["member_users"]
        self.m1 = users["member1"].member
        self.m2 = users["member2"].member
        self.credits: list[tuple] = []  # (member, act, source, day)

    def run(self):
        counties = [(self.ctx["county"], True)] + (
            [(self.ctx["county2"], False)] if self.ctx.get("county2") else []
        )
        for county, is_main in counties:
            self.county(county, is_main)
        self.write_records()

    def county(self, county, is_main: bool) -> None:
        rnd = self.rnd
        members = list(Member.objects.filter(organisation=county, status=Member.Status.ACTIVE).order_by("pk"))
        if not members:
            return
        specs = _studio_specs(county, self.ctx.get("towns", []) if is_main else [], is_main)
        studios = Studio.objects.bulk_create(
            [
                Studio(
                    organisation=county,
                    name=name,
                    place=place,
                    opening_hours=hours,
                    contact_rules="接待时请携带相关材料；不能到场的群众可扫码给工作室留言，值班委员将及时答复。",
                    active=active,
                    created_by=self.office,
                    created_at=self.now - datetime.timedelta(days=200),
                )
                for name, place, hours, active in specs
            ]
        )
        pool = [m for m in members if m.pk not in (self.m1.pk, self.m2.pk)]
        crew: dict[int, list[Member]] = {}
        through = Studio.members.through
        links = []
        for i, s in enumerate(studios):
            chosen = rnd.sample(pool, k=min(len(pool), rnd.randint(3, 5)))
            if is_main and i in (0, 1):
                chosen = [self.m1, *chosen]
            if is_main and i == 2:
                chosen = [self.m2, *chosen]
            crew[s.pk] = chosen
            links += [through(studio_id=s.pk, member_id=m.pk) for m in chosen]
        through.objects.bulk_create(links)
        self.rota(county, [s for s in studios if s.active], crew, is_main)
        self.market(county, [s for s in studios if s.active], crew, is_main)

    # -- the rota -------------------------------------------------------------------------------------------

    def rota(self, county, studios, crew, is_main: bool) -> None:
        rnd, today = self.rnd, self.today
        start, end = today - datetime.timedelta(days=60), today + datetime.timedelta(days=45)
        slots = []
        m1_past = 0
        for k, s in enumerate(studios):
            people = crew[s.pk]
            if not people:
                continue
            turn = k
            day = start
            # member1 is on duty today and tomorrow, weekend or not (a run that crosses midnight, a demo
            # loaded on a Saturday still has them on duty), and on coming Tuesdays and Thursdays.
            m1_days = (today, today + datetime.timedelta(days=1))
            while day <= end:
                if day.weekday() < 5 or (is_main and k == 0 and day in m1_days):
                    m = people[turn % len(people)]
                    turn += 1
                    if is_main and k == 0 and (day in m1_days or (day > today and day.weekday() in (1, 3))):
                        m = self.m1
                    if is_main and day < today and m.pk == self.m1.pk:
                        # member1 kept two past duty days: more would fill the 履职活动 category to its cap
                        # and the demo's self-report journey could not show a rise in the score.
                        m1_past += 1
                        if m1_past > 2:
                            m = next((p for p in reversed(people) if p.pk != self.m1.pk), m)
                    status, note = D.PLANNED, ""
                    if day < today:
                        r = rnd.random()
                        status = D.DONE if r < 0.9 else (D.ABSENT if r < 0.95 else D.LEAVE)
                        note = {D.ABSENT: "未按排班值班", D.LEAVE: "外出学习，已请假"}.get(status, "")
                    slots.append(
                        DutySlot(
                            organisation=county,
                            studio=s,
                            member=m,
                            day=day,
                            status=status,
                            note=note,
                            done_at=self.now if status in (D.DONE, D.ABSENT) else None,
                            created_by=self.office,
                            created_at=self.now - datetime.timedelta(days=70),
                        )
                    )
                day += datetime.timedelta(days=1)
        if is_main:
            # One leave request waiting for the office: member1's next coming duty after today.
            coming = [x for x in slots if x.member_id == self.m1.pk and x.day > today]
            if coming:
                coming[0].status, coming[0].note = D.LEAVE_ASKED, "参加市政协培训"
        DutySlot.objects.bulk_create(slots, batch_size=1000)
        self.credits += [(x.member, A.STUDIO_DUTY, x, x.day) for x in slots if x.status == D.DONE]
        if is_main:
            self.swaps(county, studios, crew, slots)

    def swaps(self, county, studios, crew, slots) -> None:
        """换班: a colleague asks member1 to take a coming day (member1's to-do); at the second studio,
        whose rule wants the 办公室's approval, an agreed swap waits for it; and a done one in the past."""
        W = DutySwap.Status
        today, rows = self.today, []

        def add(studio, slot, to, status, reason):
            rows.append(
                DutySwap(
                    organisation=county,
                    studio=studio,
                    slot=slot,
                    day=slot.day,
                    from_member=slot.member,
                    to_member=to,
                    reason=reason,
                    status=status,
                    answered_at=self.now if status != W.ASKED else None,
                    created_by=slot.member.user,
                    created_at=self.now - datetime.timedelta(days=2),
                )
            )

        def coming(studio, exclude):
            return [
                x
                for x in slots
                if x.studio_id == studio.pk
                and x.day > today
                and x.status == D.PLANNED
                and x.member_id not in exclude
            ]

        if studios:
            first = studios[0]
            asked = coming(first, {self.m1.pk})
            if asked:
                add(first, asked[0], self.m1, W.ASKED, "当天要去市里参加界别活动，请帮忙代一天班")
            past = [x for x in slots if x.studio_id == first.pk and x.day < today and x.status == D.DONE]
            if past:
                done, giver = past[-1], next((m for m in crew[first.pk] if m.pk != past[-1].member_id), None)
                if giver is not None:
                    rows.append(
                        DutySwap(
                            organisation=county,
                            studio=first,
                            slot=done,
                            day=done.day,
                            from_member=giver,
                            to_member=done.member,
                            reason="家中有事",
                            status=W.DONE,
                            answered_at=self.now - datetime.timedelta(days=10),
                            created_by=giver.user,
                            created_at=self.now - datetime.timedelta(days=12),
                        )
                    )
        if len(studios) > 1:
            second = studios[1]
            Studio.objects.filter(pk=second.pk).update(swap_needs_approval=True)
            agreed = coming(second, {self.m1.pk})
            others = [m for m in crew[second.pk] if agreed and m.pk not in (agreed[0].member_id, self.m1.pk)]
            if agreed and others:
                add(second, agreed[0], others[0], W.AGREED, "出差")
        DutySwap.objects.bulk_create(rows)

    # -- the 为民服务超市 -----------------------------------------------------------------------------------

    def market(self, county, studios, crew, is_main: bool) -> None:
        rnd, today = self.rnd, self.today
        studios = [s for s in studios if crew[s.pk]]
        if not studios:
            return
        offers = []
        specs = OFFERS if is_main else OFFERS[:3]
        for i, (cat, title, desc, times) in enumerate(specs):
            s = studios[i % len(studios)]
            m = crew[s.pk][i % len(crew[s.pk])]
            if is_main and i in (0, 2):
                m, s = self.m1, studios[0 if i == 0 else 1]
            offers.append(
                ServiceOffer(
                    organisation=county,
                    member=m,
                    studio=s if i % 4 != 3 else None,
                    category=cat,
                    title=title,
                    description=desc,
                    mode=M.OFFLINE if i % 3 else M.ONLINE,
                    available_times=times,
                    capacity=8,
                    active=i != len(specs) - 1 or not is_main,
                    created_by_id=m.user_id,
                    created_at=self.now - datetime.timedelta(days=150),
                )
            )
        offers = ServiceOffer.objects.bulk_create(offers)
        bookings, records = [], []
        # Every state on every offer; member1's first offer gets two pending bookings at least.
        plan = [B.DONE, B.DONE, B.ACCEPTED, B.PENDING, B.DECLINED, B.CANCELLED, B.DONE, B.PENDING]
        for i, o in enumerate(offers):
            n = 3 + (i % 4) if not (is_main and i == 0) else len(plan)
            for j in range(n):
                status = plan[(j + i) % len(plan)] if not (is_main and i == 0) else plan[j]
                age = (
                    rnd.randint(2, 90) if status in (B.DONE, B.DECLINED, B.CANCELLED) else rnd.randint(0, 10)
                )
                created = self.now - datetime.timedelta(days=age, hours=rnd.randint(0, 8))
                b = Booking(
                    organisation=county,
                    offer=o,
                    member=o.member,
                    code=new_booking_code(),
                    name=rnd.choice(NAMES),
                    phone=f"13{rnd.randint(5, 9)}{rnd.randint(10000000, 99999999)}",
                    preferred_time=rnd.choice(["本周六上午", "工作日下午", "尽快", ""]),
                    note=rnd.choice(NOTES),
                    consent=True,
                    sms_ok=o.pk % 3 != 0,  # most want the answer by SMS (no draw: the demo stays)
                    status=status,
                    answer=(
                        rnd.choice(DECLINES)
                        if status == B.DECLINED
                        else ("已收到，将电话与您约定时间。" if status in (B.ACCEPTED, B.DONE) else "")
                    ),
                    decided_at=created + datetime.timedelta(hours=5)
                    if status in (B.ACCEPTED, B.DONE, B.DECLINED)
                    else None,
                    decided_by_id=o.member.user_id if status in (B.ACCEPTED, B.DONE, B.DECLINED) else None,
                    created_at=created,
                )
                bookings.append(b)
        if is_main:
            # member1 has one service done; the others wait to be recorded (more would fill the 履职活动
            # category to its cap and the demo's self-report journey could not show a rise in the score).
            done = [b for b in bookings if b.member.pk == self.m1.pk and b.status == B.DONE]
            for b in done[1:]:
                b.status = B.ACCEPTED
        bookings = Booking.objects.bulk_create(bookings, batch_size=500)
        for b in bookings:
            if b.status == B.DONE:
                served = min(
                    today, timezone.localdate(b.created_at) + datetime.timedelta(days=rnd.randint(1, 7))
                )
                records.append(
                    ServiceRecord(
                        organisation=county,
                        member=b.member,
                        offer=b.offer,
                        studio=b.offer.studio,
                        booking=b,
                        served_on=served,
                        summary=rnd.choice(SUMMARIES),
                        people_served=rnd.choice([1, 1, 1, 2, 3]),
                        created_by_id=b.member.user_id,
                        created_at=self.now,
                    )
                )
        # People received at the studios without a booking (来访接待).
        for s in studios:
            for _ in range(3):
                others = [p for p in crew[s.pk] if not (is_main and p.pk == self.m1.pk)]
                m = rnd.choice(others or crew[s.pk])
                records.append(
                    ServiceRecord(
                        organisation=county,
                        member=m,
                        studio=s,
                        served_on=today - datetime.timedelta(days=rnd.randint(1, 80)),
                        summary="工作室接待日来访群众，就"
                        + rnd.choice(["道路维修", "医保报销", "子女入学", "农村饮水"])
                        + "问题进行了解答。",
                        people_served=rnd.randint(2, 12),
                        created_by_id=m.user_id,
                        created_at=self.now,
                    )
                )
        records = ServiceRecord.objects.bulk_create(records, batch_size=500)
        self.credits += [(x.member, A.PUBLIC_SERVICE, x, x.served_on) for x in records]

    # -- duty records ---------------------------------------------------------------------------------------

    def write_records(self) -> None:
        """The duty records record_act would have written, bulk-created; then the totals recomputed."""
        bulk_record(Credit(member, act, source, day) for member, act, source, day in self.credits)


def load(ctx):
    _Demo(ctx).run()
