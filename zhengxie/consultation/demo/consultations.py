"""Demo consultations of 青川县 for this year, one or more of every form, in every status, through the
services (last year's two are closed, for the year-on-year figures). The 常委会专题协商 on education has its
meeting, its departments and the four segments with members speaking (duty points); the 网络议政 on parking
is open now and public (the hall demo fills it); another online one closed last month."""

from __future__ import annotations

import datetime

from django.utils import timezone

from zhengxie.core.models import HandlingUnit, User
from zhengxie.members.models import SpecialCommittee

from ..models import Consultation
from ..services import consultations as services
from . import demo_members

F = Consultation.Form

# (form, title, month offset from now (negative: past), status, lead committee, departments, background)
PLAN = [
    (F.PLENARY, "围绕《政府工作报告》建言献策", -10, "held", "经济委员会", ["发改委", "财政局"], ""),
    (
        F.STANDING_TOPIC,
        "推进县域义务教育优质均衡发展",
        -5,
        "held",
        "教科卫体委员会",
        ["教育局", "财政局", "人社局"],
        "我县现有义务教育学校46所，城区学校大班额问题突出，乡村学校教师结构性缺编。",
    ),
    (
        F.BIMONTHLY,
        "加快农村寄递物流体系建设",
        -3,
        "held",
        "农业农村委员会",
        ["商务局", "交通局", "农业农村局"],
        "",
    ),
    (F.COUNTERPART, "优化营商环境、提升政务服务效能", 0, "open", "经济委员会", ["市场监管局", "发改委"], ""),
    (F.SECTOR, "民营企业人才引进与留用", 1, "planned", "经济委员会", ["人社局"], ""),
    (F.PROPOSAL_HANDLING, "城区老旧小区改造", -2, "held", "提案委员会", ["住建局"], ""),
    (
        F.ONLINE,
        "破解城区停车难",
        0,
        "open",
        "人口资源环境委员会",
        ["住建局", "公安局"],
        "城区机动车保有量五年增长一倍，公共停车泊位缺口约3,000个；老城区道路窄，占道停车普遍。",
    ),
    (
        F.ONLINE,
        "推进城乡生活垃圾分类",
        -1,
        "held",
        "人口资源环境委员会",
        ["住建局"],
        "我县自去年起在城区试点生活垃圾分类，居民参与率约四成。",
    ),
]
GRASSROOTS = ("城关镇农贸市场改造提升", -1)
LAST_YEAR = [
    (F.STANDING_TOPIC, "全域旅游发展", 6),
    (F.BIMONTHLY, "县域医共体建设", 9),
]


def _month(today: datetime.date, offset: int) -> tuple[int, int]:
    m = today.month - 1 + offset
    return today.year + m // 12, m % 12 + 1


def load(ctx) -> None:
    county = ctx["county"]
    towns = ctx.get("towns") or []
    office = User.objects.get(username="office")
    leader = User.objects.filter(username="leader").first()
    today = timezone.localdate()
    now = timezone.now()
    units = {u.short_name: u for u in HandlingUnit.objects.filter(organisation=county)}
    committees = {c.name: c for c in SpecialCommittee.objects.filter(organisation=county)}
    members = list(demo_members(county)[:8])

    for form, title, offset, status, committee, deps, background in PLAN:
        year, month = _month(today, offset)
        if year != today.year:  # this year's plan: a past one early in the year, a coming one at its end
            year, month = today.year, (1 if offset < 0 else 12)
        window = {}
        if form == F.ONLINE:
            if status == "open":
                window = dict(
                    opens_at=now - datetime.timedelta(days=3), closes_at=now + datetime.timedelta(days=7)
                )
            else:
                window = dict(
                    opens_at=now - datetime.timedelta(days=40), closes_at=now - datetime.timedelta(days=26)
                )
        c = services.create(
            user=office,
            title=title,
            form=form,
            year=year,
            planned_month=month,
            lead_committee=committees.get(committee),
            leader=leader,
            departments=[units[d] for d in deps if d in units],
            background=background,
            research_note="会前由牵头专委会组织委员赴相关部门和乡镇开展专题调研，形成调研报告。"
            if status == "held"
            else "",
            public=form == F.ONLINE,
            **window,
        )
        if status in ("open", "held"):
            services.step(user=office, consultation=c, action="open")
        if status == "held":
            held_on = datetime.date(year, month, min(18, today.day if month == today.month else 18))
            services.step(user=office, consultation=c, action="hold", held_on=min(held_on, today))
        if form == F.STANDING_TOPIC and members:
            _segments(office, c, units, members)
        if form == F.COUNTERPART:
            # 9 o'clock local time (now is UTC: 09:00 UTC read 17:00 in 青川县)
            starts = timezone.localtime(now).replace(hour=9, minute=0, second=0, microsecond=0)
            starts += datetime.timedelta(days=10)
            services.create_meeting(
                user=office,
                consultation=c,
                starts_at=starts,
                ends_at=starts + datetime.timedelta(hours=3),
                place="县政协三楼会议室",
                standing=True,
            )

    if towns:
        title, offset = GRASSROOTS
        year, month = _month(today, offset)
        c = services.create(
            user=office, organisation=towns[0], title=title, form=F.GRASSROOTS, year=year, planned_month=month
        )
        services.step(user=office, consultation=c, action="open")
        services.step(user=office, consultation=c, action="hold", held_on=today - datetime.timedelta(days=20))

    for form, title, month in LAST_YEAR:
        c = services.create(user=office, title=title, form=form, year=today.year - 1, planned_month=month)
        services.step(user=office, consultation=c, action="open")
        services.step(
            user=office, consultation=c, action="hold", held_on=datetime.date(today.year - 1, month, 15)
        )
        services.step(user=office, consultation=c, action="close")


def _segments(office, c, units, members) -> None:
    edu = units.get("教育局")
    add = services.add_segment
    add(
        user=office,
        consultation=c,
        kind="briefing",
        speaker_label=f"{edu.name if edu else '县教育局'}局长",
        title="全县义务教育优质均衡发展情况通报",
    )
    add(user=office, consultation=c, kind="question", member=members[0], title="城区学校大班额何时能够消除？")
    add(
        user=office,
        consultation=c,
        kind="answer",
        speaker_label=f"{edu.name if edu else '县教育局'}局长",
        content="计划三年内新建两所九年一贯制学校，新增学位2,700个。",
    )
    add(user=office, consultation=c, kind="speech", member=members[1], title="关于加强乡村教师队伍建设的建议")
    add(
        user=office,
        consultation=c,
        kind="speech",
        member=members[2],
        title="关于推进集团化办学的建议",
        content="建议以城区优质学校为龙头组建教育集团，实行教师统一调配。",
        written=True,
    )
