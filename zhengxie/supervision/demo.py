"""Demo 委派民主监督 of 青川县 for the current year: a closed, valid 票决 (four candidate units, two chosen by
more than half of the standing members), and two groups — 县教育局 (led by the standing member member3,
with member1) and 县住建局 (led by member2) — each with problem, suggestion and rectification items (each 整改 item naming the problem it rectifies, the
first problem with an on-site photo). Of the
rectification items, some were answered by the unit and confirmed by the group (已整改), one was sent
back (退回重新整改), others still wait in the unit's inbox; the 县住建局 group has rated the unit. All through
the services (audit, notices, the handling spine), except the ballots, which are written in bulk."""

from __future__ import annotations

import datetime
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from zhengxie.core.demo import scene_photo
from zhengxie.core.models import HandlingUnit, User
from zhengxie.handling.services import flow
from zhengxie.members.models import Member

from . import services
from .models import Ballot, Candidate

CANDIDATES = [
    ("教育局", "义务教育阶段学校布局调整和“双减”落实情况群众关注度高，代表委员建议较多。"),
    ("住建局", "老旧小区改造、城市停车和物业管理问题集中，群众反映强烈。"),
    ("卫健局", "基层医疗卫生服务能力提升工作进入攻坚阶段。"),
    ("交通局", "农村公路养护和客运班线通达情况需要监督推动。"),
]
EDU_ITEMS = {
    "problem": [
        "部分乡镇学校寄宿条件较差，学生宿舍人均面积不达标。",
        "课后服务内容单一，部分学校以作业辅导为主。",
        "农村学校音体美专职教师缺口较大。",
    ],
    "suggestion": [
        "建议统筹教育附加费，分年度实施寄宿制学校改造。",
        "建议引入社会资源，丰富课后服务课程供给。",
    ],
    "rectification": [
        "制定寄宿制学校宿舍改造计划并明确时间表。",
        "建立课后服务课程清单，每校不少于6类。",
        "通过走教、招聘补齐农村学校音体美教师。",
    ],
}
HOUSING_ITEMS = {
    "problem": [
        "部分老旧小区改造后管线杂乱问题未解决。",
        "城区停车位缺口大，夜间占道停车普遍。",
    ],
    "suggestion": [
        "建议推行“先民主协商、后改造施工”的老旧小区改造工作法。",
        "建议利用边角地建设立体停车设施。",
    ],
    "rectification": [
        "对已改造小区开展“回头看”，整治管线乱象。",
        "编制城区停车设施专项规划并启动建设。",
    ],
}
REPLIES = {
    "教育局": "已制定实施方案，按时间表推进，相关佐证材料已报送监督小组。",
    "住建局": "已组织专项整治，形成整改台账，逐项销号。",
}


def _photo(rng, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(f"{name}.jpg", scene_photo(rng), "image/jpeg")


def _group_members(county, exclude, n, offset):
    return list(
        Member.objects.filter(organisation=county, status=Member.Status.ACTIVE, user__is_active=True)
        .exclude(user__username__in=exclude)
        .order_by("id")[offset : offset + n]
    )


def load(ctx):
    county = ctx["county"]
    today = timezone.localdate()
    year = today.year
    office = User.objects.get(username="office")
    units = {u.short_name: u for u in HandlingUnit.objects.filter(organisation=county)}
    handlers = {
        "教育局": User.objects.get(username="handler1"),
        "住建局": User.objects.get(username="handler2"),
    }
    named = {
        m.user.username: m
        for m in Member.objects.select_related("user").filter(
            user__username__in=["member1", "member2", "member3"]
        )
    }

    # 票决: more than half of the standing members vote on the platform; 教育局 and 住建局 are chosen.
    sel = services.open_selection(
        office,
        organisation=county,
        year=year,
        title=f"{year}年度委派民主监督单位票决",
        choose=2,
        candidates=[{"unit_id": units[short].pk, "reason": reason} for short, reason in CANDIDATES],
    )
    cands = {c.unit.short_name: c for c in Candidate.objects.filter(selection=sel).select_related("unit")}
    standing = list(services.standing_members(county).order_by("id"))
    voters = standing[: len(standing) // 2 + 1]
    patterns = [("教育局", "住建局"), ("教育局", "卫健局"), ("住建局", "交通局"), ("教育局", "住建局")]
    Ballot.objects.bulk_create([Ballot(selection=sel, member=m) for m in voters])
    through = Ballot.candidates.through
    links = []
    for i, b in enumerate(Ballot.objects.filter(selection=sel).order_by("id")):
        for short in patterns[i % len(patterns)]:
            links.append(through(ballot_id=b.pk, candidate_id=cands[short].pk))
    through.objects.bulk_create(links)
    services.close_selection(office, sel)

    start = datetime.date(year, 3, 1) if today >= datetime.date(year, 3, 1) else today
    edu = services.create(
        office,
        organisation=county,
        year=year,
        unit=units["教育局"],
        title=f"{year}年度县教育局民主监督小组",
        leader=named["member3"],
        members=[named["member1"].pk, *(m.pk for m in _group_members(county, named, 2, 0))],
        staff_contact=office,
        starts_on=start,
        ends_on=datetime.date(year, 12, 31),
    )
    housing = services.create(
        office,
        organisation=county,
        year=year,
        unit=units["住建局"],
        title=f"{year}年度县住建局民主监督小组",
        leader=named["member2"],
        members=[m.pk for m in _group_members(county, named, 3, 2)],
        staff_contact=office,
        starts_on=start,
        ends_on=datetime.date(year, 12, 31),
    )
    rng = random.Random(12)
    for s, items, leader in ((edu, EDU_ITEMS, named["member3"]), (housing, HOUSING_ITEMS, named["member2"])):
        problems, rect = [], []
        for key in ("problem", "suggestion", "rectification"):
            for n, content in enumerate(items[key]):
                # The first problem has an on-site photo; each 整改 item rectifies the problem of its rank.
                evidence = [_photo(rng, "现场检查照片")] if key == "problem" and n == 0 else ()
                problem = problems[n] if key == "rectification" and n < len(problems) else None
                i = services.add_item(
                    leader.user, s, list=key, content=content, evidence=evidence, problem=problem
                )
                if key == "problem":
                    problems.append(i)
                elif key == "rectification":
                    rect.append(i)
        handler = handlers[s.unit.short_name]
        # The first is answered and confirmed; the second answered and sent back (edu) or answered and
        # awaiting the group (housing); the rest still with the unit. Replies carry 整改佐证 photos.
        flow.acknowledge(user=handler, case=rect[0].case_id)
        flow.reply(
            user=handler,
            case=rect[0].case_id,
            content=REPLIES[s.unit.short_name],
            letter=[_photo(rng, "整改后照片1"), _photo(rng, "整改后照片2")],
        )
        services.confirm(leader.user, rect[0], accepted=True, note="整改到位。")
        flow.reply(
            user=handler,
            case=rect[1].case_id,
            content=REPLIES[s.unit.short_name],
            letter=[_photo(rng, "整改现场照片")],
        )
        if s is edu:
            services.confirm(
                leader.user, rect[1], accepted=False, note="课程清单尚未覆盖全部农村学校，请继续整改。"
            )
    # The 县住建局 group rates the unit (every member, every aspect).
    grades = ["satisfied", "basically_satisfied", "satisfied", "unsatisfied"]
    aspects = services.aspects(county)
    for n, m in enumerate([housing.leader, *housing.members.all()]):
        services.rate(m.user, housing, {a: grades[(n + k) % len(grades)] for k, a in enumerate(aspects)})
