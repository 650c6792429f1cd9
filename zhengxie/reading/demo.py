"""书香政协 in the demo county: this year's recommended books, members' check-ins and notes (member1 has
written one), and two reading activities held (meetings of kind reading, attendance credited)."""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from zhengxie.activities.demo import _at, _held, _meeting
from zhengxie.activities.models import Meeting
from zhengxie.core.models import User
from zhengxie.members.models import Member

from . import services
from .models import Book

BOOKS = [
    ("习近平谈治国理政（第四卷）", "习近平", "理论学习", "深入学习领会新时代中国特色社会主义思想。"),
    ("人民政协理论与实践", "全国政协研究室", "履职能力", "系统了解人民政协的性质、职能和工作方法。"),
    ("乡土中国", "费孝通", "经典阅读", "理解中国基层社会结构的经典之作。"),
    ("县中的孩子", "林小英", "社会观察", "关注县域教育，适合教育界别委员研读。"),
    ("大国大城", "陆铭", "经济发展", "城镇化与区域发展的经济学视角。"),
    ("青川县志（2000—2020）", "青川县地方志办公室", "文史资料", "了解县情，服务调研和提案撰写。"),
]
NOTE = (
    "读罢此书，对基层治理有了更深的体会。书中讲到的“差序格局”，在今天的乡村仍能看到影子：人情与规则交织，"
    "决定了很多事情的办法。作为政协委员，开展调研时要走进这种关系网络，听到真实的声音；提出建议时既要讲道理，"
    "也要讲人情，才能让建议落得了地。结合我县老旧小区改造中的协商实践，邻里之间的信任往往比文件更管用。"
    "今后我将把读书所得用在社情民意信息的撰写中，多写有温度、有数据、有办法的信息。"
    "也希望委员读书会多组织一些围绕县情的专题共读，把读书与调研、协商结合起来，真正做到以学促干、学以致用。"
)


def load(ctx):
    county = ctx["county"]
    rnd = random.Random(2027)
    today = timezone.localdate()
    office = User.objects.get(username="office")
    books = [
        Book.objects.create(
            organisation=county,
            year=today.year,
            title=t,
            author=a,
            category=c,
            summary=s,
            created_by=office,
        )
        for t, a, c, s in BOOKS
    ]
    members = list(
        Member.objects.filter(organisation=county, status=Member.Status.ACTIVE)
        .select_related("user")
        .order_by("id")
    )
    readers = [m for m in members if m.user.username not in ("member2",)][:40]
    for i, m in enumerate(readers):
        for k in range(rnd.randint(1, 3)):
            book = books[(i + k) % len(books)]
            day = today - datetime.timedelta(days=rnd.randint(0, 25))
            # member1 reads without notes and misses the reading activities: their 履职活动 keeps room under
            # the demo scheme's cap (the self-report journey shows a rise); member3 writes the shown note.
            writer = m.user.username == "member3" or (m.user.username != "member1" and rnd.random() < 0.25)
            note = NOTE if writer else ""
            try:
                services.check_in(
                    m.user, book=book, read_on=day, minutes=rnd.choice([30, 45, 60, 90]), note=note
                )
            except services.Conflict:
                continue  # the same book twice on one day
    for n, days in enumerate((60, 20), 1):
        meeting = _meeting(
            county,
            office,
            Meeting.Kind.READING,
            f"书香政协·委员读书会（第{n}期）",
            _at(today - datetime.timedelta(days=days), 15),
            2,
            "县政协机关三楼会议室",
            "一、领读推荐书目\n二、委员交流读书心得",
        )
        attendees = [m for m in members[:31] if m.user.username != "member1"]
        _held(meeting, attendees, rnd, office, present_share=0.8, leave_share=0.1)
