"""Speed of the proposal pages and API at scale: 10 sessions, 100,000 proposals, 400 handling units.

    .venv/bin/python bench/proposals_bench.py                       # SQLite (a copy of a cached file)
    .venv/bin/python bench/proposals_bench.py --engine postgresql   # PostgreSQL on 127.0.0.1:5432
    .venv/bin/python bench/proposals_bench.py --engine both --json out.json

The data: the demo world (`loaddemo --members 30`), then with bulk_create (the services would take
hours): a second term (10 sessions in all), 400 handling units, 500 members and N proposals whose
titles and texts are composed from word lists (topic x action x aspect, so that similar-text search
has near-duplicates to find), in every status, with signers, assignments, contacts, replies,
evaluations and timelines; then the search index is rebuilt with search.services.rebuild (its bulk
path). SQLite files are generated once and cached in bench/data/ (git-ignored; --fresh regenerates);
each run works on a copy. PostgreSQL gets a throw-away database zx_bench_<pid>, restored from a
cached pg_dump when there is one, dropped afterwards. Cached data are migrated before each run, so a
new index migration is measured without regenerating.

Measured with the Django test Client (staff, a unit handler, a member; the API with a Bearer token):
median and p95 over --requests requests of each page, and the SQL queries of a fixed set of requests
at --small rows and at N rows (they must be equal). Targets (issue): p95 < 150 ms for list, detail and
statistics, < 100 ms for similar proposals.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

# Bump when the generated data change (cached files are keyed by it).
DATA_VERSION = 2  # 2: proposals on the handling spine (cases by reporting.open_cases)
BASELINE = Path(__file__).with_name("proposals_baseline.json")  # figures before the fixes, for comparison
TARGET_LIST = 150.0
TARGET_SIMILAR = 100.0

# (topic, category, lead bureau short name from core/demo.py UNITS)
TOPICS = [
    ("养老服务", "社会法制", "民政局"),
    ("居家养老服务", "社会法制", "民政局"),
    ("农村养老服务", "社会法制", "民政局"),
    ("医养结合", "科教文卫", "卫健局"),
    ("托育服务", "科教文卫", "卫健局"),
    ("校园安全", "科教文卫", "教育局"),
    ("课后服务", "科教文卫", "教育局"),
    ("学前教育", "科教文卫", "教育局"),
    ("职业教育", "科教文卫", "教育局"),
    ("乡村教师队伍", "科教文卫", "教育局"),
    ("老旧小区改造", "城乡建设", "住建局"),
    ("停车设施", "城乡建设", "住建局"),
    ("物业管理", "城乡建设", "住建局"),
    ("燃气管道更新", "城乡建设", "住建局"),
    ("农村自建房安全", "城乡建设", "住建局"),
    ("背街小巷整治", "城乡建设", "城管局"),
    ("垃圾分类", "资源环境", "城管局"),
    ("公共厕所", "城乡建设", "城管局"),
    ("污水处理", "资源环境", "生态环境分局"),
    ("黑臭水体治理", "资源环境", "生态环境分局"),
    ("饮用水水源地保护", "资源环境", "生态环境分局"),
    ("河道综合治理", "资源环境", "水利局"),
    ("农村饮水安全", "资源环境", "水利局"),
    ("高标准农田", "农业农村", "农业农村局"),
    ("村级集体经济", "农业农村", "农业农村局"),
    ("农村人居环境整治", "农业农村", "农业农村局"),
    ("家庭农场", "农业农村", "农业农村局"),
    ("茶叶产业", "农业农村", "农业农村局"),
    ("中药材种植", "农业农村", "农业农村局"),
    ("农村公路", "城乡建设", "交通局"),
    ("城乡客运", "城乡建设", "交通局"),
    ("公交线路优化", "城乡建设", "交通局"),
    ("农村电商", "经济建设", "商务局"),
    ("冷链物流", "经济建设", "商务局"),
    ("夜间经济", "经济建设", "商务局"),
    ("乡村旅游", "经济建设", "文旅局"),
    ("古村落保护", "科教文卫", "文旅局"),
    ("非遗保护传承", "科教文卫", "文旅局"),
    ("公共图书馆", "科教文卫", "文旅局"),
    ("全民健身设施", "科教文卫", "体育中心"),
    ("营商环境", "经济建设", "发改委"),
    ("小微企业融资", "经济建设", "财政局"),
    ("专精特新企业培育", "经济建设", "工信局"),
    ("工业园区", "经济建设", "工信局"),
    ("稳岗就业", "社会法制", "人社局"),
    ("高校毕业生就业", "社会法制", "人社局"),
    ("灵活就业人员社保", "社会法制", "人社局"),
    ("食品安全", "社会法制", "市场监管局"),
    ("药品监管", "社会法制", "市场监管局"),
    ("基层医疗", "科教文卫", "卫健局"),
    ("家庭医生签约", "科教文卫", "卫健局"),
    ("县域医共体", "科教文卫", "卫健局"),
    ("心理健康服务", "科教文卫", "卫健局"),
    ("医保报销", "社会法制", "医保局"),
    ("留守儿童关爱", "社会法制", "民政局"),
    ("困难群众救助", "社会法制", "民政局"),
    ("残疾人康复", "社会法制", "残联"),
    ("退役军人服务", "社会法制", "退役军人局"),
    ("消防安全", "社会法制", "应急局"),
    ("电动自行车充电", "社会法制", "应急局"),
    ("森林防火", "资源环境", "林业局"),
    ("地质灾害防治", "资源环境", "自然资源局"),
    ("数字政府", "其他", "数据局"),
    ("一网通办", "其他", "数据局"),
    ("充电桩建设", "经济建设", "发改委"),
    ("矛盾纠纷多元化解", "社会法制", "司法局"),
    ("未成年人保护", "社会法制", "公安局"),
    ("社区治理", "社会法制", "民政局"),
    ("新的社会阶层人士", "党派团体", "发改委"),
    ("民主党派参政议政", "党派团体", "发改委"),
]
ACTIONS = ["加快", "加强", "推进", "完善", "优化", "规范", "提升", "促进", "深化", "支持", "健全", "破解"]
ASPECTS = [
    "体系建设",
    "设施建设",
    "能力建设",
    "队伍建设",
    "资金保障",
    "监督管理",
    "长效机制",
    "服务水平",
    "工作机制",
    "政策落实",
    "规划布局",
    "人才培养",
    "标准化建设",
    "信息化建设",
    "试点示范",
    "难题",
]
PLACES = [
    "城关镇",
    "清河镇",
    "白石镇",
    "龙泉镇",
    "桃源乡",
    "青山镇",
    "马鞍镇",
    "新华街道",
    "东城街道",
    "西湖乡",
    "金沙镇",
    "凤凰镇",
    "县城",
    "城区",
    "农村",
    "山区",
]
ENDINGS = ["的建议", "的提案", "的建议", "问题的建议", "工作的提案"]
REASONS = [
    "目前{place}{topic}存在明显短板，群众反映强烈。",
    "{topic}投入不足，设施陈旧，管理较为粗放。",
    "据调研，{place}约有{n}户群众受此影响。",
    "部分{topic}项目建成后缺乏运营维护，效益未能充分发挥。",
    "{place}{topic}专业人才缺乏，待遇偏低，队伍不稳定。",
    "相关部门职责交叉，{topic}工作统筹协调不够。",
    "与周边县市相比，我县{topic}起步较晚，差距仍然较大。",
    "群众对{topic}的知晓率和满意度有待提高。",
    "{topic}相关政策落实不到位，基层执行标准不统一。",
    "近三年来{topic}方面的信访件逐年增加，共计{n}件。",
]
SUGGESTIONS = [
    "{action}{topic}{aspect}，明确责任部门和完成时限",
    "财政每年安排{n}万元专项资金用于{topic}",
    "借鉴先进地区经验，探索{topic}新模式",
    "由牵头部门会同相关单位开展{topic}专项督查",
    "将{topic}纳入年度重点工作和绩效考核",
    "在{place}开展{topic}试点，总结经验后全县推广",
    "建立{topic}部门联席会议制度",
    "加强{topic}宣传引导，提高群众参与度",
]
NUMERALS = "一二三四五六"
TOWN_UNITS = [
    "人民政府",
    "农业综合服务中心",
    "社会事务办公室",
    "综合行政执法队",
    "卫生院",
    "中心学校",
    "财政所",
    "派出所",
    "司法所",
    "自然资源所",
    "市场监管所",
    "便民服务中心",
    "水利站",
    "林业站",
    "综合文化站",
    "社保所",
    "规划建设办公室",
    "应急管理办公室",
    "退役军人服务站",
    "经济发展办公室",
    "平安建设办公室",
    "供电所",
    "邮政所",
    "环卫所",
    "农机站",
    "畜牧兽医站",
    "党政综合办公室",
    "中心幼儿园",
    "敬老院",
    "交管站",
]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红文斌玉兰海燕晓东春梅国庆立新"

# Status shares: earlier sessions are done, the current one is in every stage.
OLD_MIX = {
    "closed": 80,
    "rejected": 6,
    "converted": 4,
    "merged": 3,
    "replied": 3,
    "handling": 2,
    "rehandling": 2,
}
CURRENT_MIX = {
    "draft": 3,
    "awaiting_cosigners": 2,
    "submitted": 10,
    "accepted": 6,
    "assigned": 6,
    "handling": 28,
    "replied": 15,
    "rehandling": 2,
    "closed": 16,
    "rejected": 6,
    "converted": 3,
    "merged": 3,
}


# =====================================================================================================
# Data generation (runs in a child process whose DATABASE_URL points at an empty database)
# =====================================================================================================


def generate(n_proposals: int, seed: int = 2026) -> dict:
    common.setup_django()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    timings = {}
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    timings["migrate"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    call_command("loaddemo", members=30, verbosity=0)
    timings["loaddemo"] = time.perf_counter() - t0

    from zhengxie.core.models import Counter, HandlingUnit, Organisation, Role, User
    from zhengxie.members.models import Member, Sector, Session, SpecialCommittee, Term
    from zhengxie.proposals import reporting
    from zhengxie.proposals.models import Assignment, Contact, Evaluation, Event, Proposal, Reply, Signer

    S = Proposal.Status
    rng = random.Random(seed)
    today = timezone.localdate()
    tz = timezone.get_current_timezone()

    def dt(day, hour=10):
        return datetime.datetime.combine(day, datetime.time(hour, rng.randint(0, 59)), tzinfo=tz)

    t0 = time.perf_counter()
    county = Organisation.objects.get(code="demo-county")
    towns = list(Organisation.objects.filter(kind="liaison", path__startswith=county.path))
    staff = User.objects.get(username="staff")
    leader = User.objects.get(username="leader")

    with transaction.atomic():
        # --- 10 sessions: the demo's term 14 (2022-2026) and a term 13 before it (2017-2021)
        term13 = Term.objects.create(
            organisation=county,
            number=13,
            name="第十三届",
            is_current=False,
            start_date=datetime.date(2017, 1, 8),
            end_date=datetime.date(2021, 12, 31),
        )
        for n, year in enumerate(range(2017, 2022), 1):
            Session.objects.create(
                term=term13,
                organisation=county,
                number=n,
                name=f"第十三届第{NUMERALS[n - 1]}次会议",
                year=year,
                start_date=datetime.date(year, 1, 8),
                end_date=datetime.date(year, 1, 11),
                proposal_deadline=datetime.date(year, 1, 10),
            )
        sessions = list(Session.objects.filter(organisation=county).order_by("year", "number"))
        current = next(s for s in sessions if s.is_current)

        # --- 400 handling units: the demo's county bureaus and the towns' offices
        bureaus = {u.short_name: u for u in HandlingUnit.objects.filter(organisation=county)}
        need = 400 - len(bureaus)
        extra = []
        for k in range(need):
            town = PLACES[k % 12]
            office = TOWN_UNITS[(k // 12) % len(TOWN_UNITS)]
            extra.append(
                HandlingUnit(
                    organisation=county,
                    name=f"{town}{office}",
                    short_name=f"{town[:2]}{office[:4]}",
                    kind=HandlingUnit.Kind.TOWN,
                    order=100 + k,
                )
            )
        HandlingUnit.objects.bulk_create(extra)
        town_units = list(HandlingUnit.objects.filter(organisation=county, kind=HandlingUnit.Kind.TOWN))
        all_units = list(bureaus.values()) + town_units
        handler_of = {}
        for u in User.objects.filter(handling_unit__organisation=county, groups__name=Role.UNIT_HANDLER):
            handler_of.setdefault(u.handling_unit_id, u)

        # --- 500 members (the demo's 30 and 470 more)
        sectors = list(Sector.objects.filter(organisation=county))
        committees = list(SpecialCommittee.objects.filter(organisation=county))
        term14 = Term.objects.get(organisation=county, number=14)
        now = timezone.now()
        new_users = [
            User(
                username=f"bm{i:04d}",
                name=rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, 2)),
                organisation=county,
                password="!",
                password_changed_at=now,
            )
            for i in range(470)
        ]
        User.objects.bulk_create(new_users)
        new_users = list(User.objects.filter(username__startswith="bm").order_by("pk"))
        Member.objects.bulk_create(
            [
                Member(
                    user=u,
                    organisation=county,
                    term=term14,
                    code=f"B{i:04d}",
                    name=u.name,
                    gender=rng.choice("MF"),
                    sector=rng.choice(sectors),
                    liaison_group=rng.choice(towns),
                    is_standing=(i % 8 == 0),
                    position="常委" if i % 8 == 0 else "委员",
                )
                for i, u in enumerate(new_users)
            ]
        )
        from django.contrib.auth.models import Group

        group = Group.objects.get(name=Role.MEMBER)
        User.groups.through.objects.bulk_create(
            [User.groups.through(user_id=u.pk, group_id=group.pk) for u in new_users]
        )
        members = list(Member.objects.filter(organisation=county).select_related("user").order_by("pk"))
        through = Member.committees.through
        through.objects.bulk_create(
            [
                through(member_id=m.pk, specialcommittee_id=rng.choice(committees).pk)
                for m in members
                if m.user.username.startswith("bm")
            ]
        )
        member1 = next(m for m in members if m.user.username == "member1")
    timings["setup"] = time.perf_counter() - t0

    # --- proposals, in chunks (memory), each chunk with its related rows
    t0 = time.perf_counter()
    per_session = [n_proposals // len(sessions)] * len(sessions)
    per_session[-1] += n_proposals - sum(per_session)
    numbers = {
        s.pk: Counter.objects.filter(organisation=county, key=f"proposal:{s.pk}")
        .values_list("value", flat=True)
        .first()
        or 0
        for s in sessions
    }
    numbered_pks = {s.pk: [] for s in sessions}  # merge targets
    counts = {
        "proposals": 0,
        "signers": 0,
        "assignments": 0,
        "contacts": 0,
        "replies": 0,
        "evaluations": 0,
        "events": 0,
    }
    CHUNK = 5000
    accepted_states = {S.ACCEPTED, S.ASSIGNED, S.HANDLING, S.REPLIED, S.REHANDLING, S.CLOSED}

    def lead_for():
        # member1 signs a fair share, as a busy member would.
        return member1 if rng.random() < 0.004 else rng.choice(members)

    def make_text(topic):
        place = rng.choice(PLACES)
        reasons = "".join(
            rng.choice(REASONS).format(
                place=rng.choice(PLACES),
                n=rng.randint(12, 900),
                topic=topic if rng.random() < 0.7 else rng.choice(TOPICS)[0],
            )
            for _ in range(rng.randint(4, 9))
        )
        picks = rng.sample(SUGGESTIONS, rng.randint(2, 4))
        suggestions = (
            "；".join(
                f"{NUMERALS[k]}是"
                + s.format(
                    topic=topic,
                    action=rng.choice(ACTIONS),
                    n=rng.randint(20, 500),
                    aspect=rng.choice(ASPECTS),
                    place=place,
                )
                for k, s in enumerate(picks)
            )
            + "。"
        )
        return place, reasons, suggestions

    for session, n_session in zip(sessions, per_session, strict=True):
        mix = CURRENT_MIX if session.pk == current.pk else OLD_MIX
        states, weights = list(mix), list(mix.values())
        year_end = min(datetime.date(session.year, 12, 31), today)
        made = 0
        while made < n_session:
            chunk = min(CHUNK, n_session - made)
            made += chunk
            plans = []
            with transaction.atomic():
                for _ in range(chunk):
                    topic, category, bureau = rng.choice(TOPICS)
                    place, reasons, suggestions = make_text(topic)
                    title = (
                        f"关于{rng.choice(ACTIONS)}{place if rng.random() < 0.4 else ''}{topic}"
                        f"{rng.choice(ASPECTS)}{rng.choice(ENDINGS)}"
                    )
                    state = rng.choices(states, weights)[0]
                    if state == S.MERGED and not numbered_pks[session.pk]:
                        state = S.REJECTED
                    kind = rng.choices(["individual", "joint", "collective"], [66, 30, 4])[0]
                    lead = None if kind == "collective" else lead_for()
                    cos = rng.sample(members, rng.randint(1, 3)) if kind == "joint" else []
                    cos = [m for m in cos if lead is None or m.pk != lead.pk]
                    if rng.random() < 0.75:  # most proposals are drafted around the plenary
                        created = session.start_date - datetime.timedelta(days=rng.randint(0, 25))
                    else:
                        span = max(1, (year_end - session.start_date).days - 5)
                        created = session.start_date + datetime.timedelta(days=rng.randint(0, span))
                    if state not in (S.DRAFT, S.AWAITING_COSIGNERS, S.SUBMITTED) and session.pk == current.pk:
                        # old enough to have reached its state
                        created = min(
                            created, today - datetime.timedelta(days=60 if state != S.ACCEPTED else 15)
                        )
                    p = Proposal(
                        organisation=county,
                        session=session,
                        title=title[:200],
                        reasons=reasons,
                        suggestions=suggestions,
                        category=category,
                        kind=kind,
                        status=state,
                        author=lead.user if lead else staff,
                        lead_member=lead,
                        collective_body="民盟青川县委员会" if kind == "collective" else "",
                        created_at=dt(created, 9),
                        research_note="赴相关乡镇和部门开展实地调研，召开座谈会。"
                        if rng.random() < 0.3
                        else "",
                    )
                    plans.append((p, {"lead": lead, "cos": cos, "created": created, "bureau": bureau}))
                _fill_nodes(plans, rng, today, dt, current, numbers, numbered_pks, accepted_states, S)
                Proposal.objects.bulk_create([p for p, _ in plans], batch_size=1000)
                # Their handling cases (the spine), before any handling row points at one.
                reporting.open_cases([p for p, _ in plans])
                for p, _spec in plans:
                    if p.number:
                        numbered_pks[session.pk].append(p.pk)
                _related(
                    plans,
                    rng,
                    today,
                    dt,
                    bureaus,
                    all_units,
                    town_units,
                    handler_of,
                    staff,
                    leader,
                    counts,
                    (Assignment, Contact, Evaluation, Event, Reply, Signer),
                    S,
                )
            counts["proposals"] += chunk
            print(f"  ... {counts['proposals']} proposals ({time.perf_counter() - t0:.0f} s)", flush=True)
    for sid, n in numbers.items():
        Counter.objects.update_or_create(organisation=county, key=f"proposal:{sid}", defaults={"value": n})
    # The copies of rows made in bulk (case facts, Assignment.owes, the statistics copies), once for
    # everything: reporting.sync(ids) runs four statements per proposal (~27 ms each on SQLite), which
    # would take most of an hour at 100,000 proposals; sync(None) does the same in a few set-based ones.
    t1 = time.perf_counter()
    reporting.sync(None)
    timings["sync"] = time.perf_counter() - t1
    timings["proposals"] = time.perf_counter() - t0

    # --- the search index, through the search app's bulk path
    from zhengxie.proposals.models import _search_documents
    from zhengxie.search.services import rebuild

    t0 = time.perf_counter()
    indexed = rebuild("proposal", _search_documents())
    timings["search_index"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    common.analyze(connection)
    timings["analyze"] = time.perf_counter() - t0
    counts["indexed"] = indexed
    counts["total_proposals"] = Proposal.objects.count()
    connection.close()
    return {"timings": timings, "counts": counts}


def _fill_nodes(plans, rng, today, dt, current, numbers, numbered_pks, accepted_states, S):
    """Dates of the main nodes, numbers (gap-free per session), lights, key/excellent, merges."""
    for p, spec in plans:
        c = spec["created"]
        if p.status == S.DRAFT:
            continue
        submitted = c + datetime.timedelta(days=1)
        p.submitted_at = dt(submitted)
        p.during_plenary = p.session.start_date <= submitted <= p.session.end_date
        if p.status in (S.AWAITING_COSIGNERS, S.SUBMITTED):
            continue
        reviewed = submitted + datetime.timedelta(days=rng.randint(3, 12))
        spec["reviewed"] = reviewed
        if p.status == S.REJECTED:
            p.reject_reason = rng.choice(["个人或家庭问题", "内容空泛、无具体建议", "属于信访事项"])
            continue
        if p.status == S.CONVERTED:
            p.converted_to, p.review_note = "suggestion", "转有关部门参考。"
            continue
        if p.status == S.MERGED:
            p.merged_into_id = rng.choice(numbered_pks[p.session_id][-200:])
            p.review_note = "与同类提案并案办理。"
            continue
        p.accepted_at = dt(reviewed)
        numbers[p.session_id] += 1
        p.number = numbers[p.session_id]
        if rng.random() < 0.01:
            p.is_key, spec["key"] = True, True
        if p.status == S.ACCEPTED:
            continue
        assigned = reviewed + datetime.timedelta(days=rng.randint(2, 8))
        p.assigned_at = dt(assigned)
        p.deadline = assigned + datetime.timedelta(days=90)
        spec["assigned"] = assigned
        if p.status in (S.REPLIED, S.REHANDLING, S.CLOSED):
            latest = today - datetime.timedelta(days=2)
            replied = min(assigned + datetime.timedelta(days=rng.randint(20, 110)), latest)
            spec["replied"] = max(replied, assigned + datetime.timedelta(days=3))
            p.replied_at = dt(spec["replied"], 11)
        if p.status == S.CLOSED:
            p.closed_at = dt(spec["replied"] + datetime.timedelta(days=rng.randint(5, 20)), 15)
            p.is_excellent = rng.random() < 0.01
        if p.status == S.REHANDLING:
            p.rehandle_round = 2
            p.deadline = max(spec["replied"], today - datetime.timedelta(days=10)) + datetime.timedelta(
                days=30
            )
        if p.status in (S.ASSIGNED, S.HANDLING, S.REHANDLING):
            left = (p.deadline - today).days
            p.light = "red" if left < 0 else "yellow" if left <= 15 else "green"


def _related(
    plans, rng, today, dt, bureaus, all_units, town_units, handler_of, staff, leader, counts, models, S
):
    Assignment, Contact, Evaluation, Event, Reply, Signer = models
    signers, assignments, events, contacts, replies, evaluations = [], [], [], [], [], []
    key_updates = []
    for p, spec in plans:
        c = spec["created"]
        lead = spec["lead"]
        author = lead.user if lead else staff
        events.append(
            Event(
                case_id=p.case_id,
                at=dt(c, 9),
                actor=author,
                actor_label=author.name,
                action="create",
                label="起草提案",
            )
        )
        if lead is not None:
            signers.append(
                Signer(
                    proposal=p,
                    member=lead,
                    role="lead",
                    status="agreed",
                    order=0,
                    invited_at=dt(c),
                    responded_at=dt(c),
                )
            )
        early = p.status in (S.DRAFT, S.AWAITING_COSIGNERS)
        for n, m in enumerate(spec["cos"], 1):
            signers.append(
                Signer(
                    proposal=p,
                    member=m,
                    role="cosigner",
                    status="invited" if early else "agreed",
                    order=n,
                    invited_at=dt(c),
                    responded_at=None if early else dt(c),
                )
            )
        if p.submitted_at:
            events.append(
                Event(
                    case_id=p.case_id,
                    at=p.submitted_at,
                    actor=author,
                    actor_label=author.name,
                    action="submit",
                    label="提交提案",
                )
            )
        if "reviewed" in spec:
            label = {
                S.REJECTED: f"不予立案：{p.reject_reason}",
                S.CONVERTED: "转为意见建议：转有关部门参考。",
                S.MERGED: "并案办理",
            }.get(p.status, "立案")
            events.append(
                Event(
                    case_id=p.case_id,
                    at=dt(spec["reviewed"]),
                    actor=staff,
                    actor_label=staff.name,
                    action={S.REJECTED: "reject", S.CONVERTED: "convert", S.MERGED: "merge"}.get(
                        p.status, "accept"
                    ),
                    label=label,
                )
            )
        if spec.get("key"):
            p.key_leader = leader
            key_updates.append(p)
        if "assigned" not in spec:
            continue
        unit = bureaus.get(spec["bureau"]) if rng.random() < 0.85 else None
        unit = unit or rng.choice(town_units)
        handler = handler_of.get(unit.pk, staff)
        lead_a = Assignment(
            case_id=p.case_id,
            unit=unit,
            role="lead",
            assigned_at=p.assigned_at,
            assigned_by=staff,
            deadline=p.deadline,
        )
        assignments.append(lead_a)
        label = f"交办：主办 {unit.name}"
        if rng.random() < 0.4:
            co_unit = rng.choice(all_units)
            if co_unit.pk != unit.pk:
                co = Assignment(
                    case_id=p.case_id,
                    unit=co_unit,
                    role="co",
                    assigned_at=p.assigned_at,
                    assigned_by=staff,
                    deadline=min(p.deadline, spec["assigned"] + datetime.timedelta(days=30)),
                )
                if p.status != S.ASSIGNED:
                    co.acknowledged_at = dt(spec["assigned"] + datetime.timedelta(days=2), 16)
                    co.co_opinion = "我单位同意主办单位的办理意见，将在职责范围内予以配合。"
                    co.co_opinion_at = dt(spec["assigned"] + datetime.timedelta(days=12))
                assignments.append(co)
                label += f"，会办：{co_unit.name}"
        events.append(
            Event(
                case_id=p.case_id,
                at=p.assigned_at,
                actor=staff,
                actor_label=staff.name,
                action="assign",
                label=f"{label}，期限 {p.deadline:%Y-%m-%d}",
            )
        )
        if p.status == S.ASSIGNED:
            continue
        ack = spec["assigned"] + datetime.timedelta(days=2)
        lead_a.acknowledged_at, lead_a.acknowledged_by = dt(ack, 15), handler
        events.append(
            Event(
                case_id=p.case_id,
                at=dt(ack, 15),
                actor=handler,
                actor_label=handler.name,
                action="acknowledge",
                label=f"{unit.name}签收（主办）",
            )
        )
        if rng.random() < 0.8:
            day = min(ack + datetime.timedelta(days=7), today)
            contacts.append(
                Contact(
                    assignment=lead_a,
                    contacted_on=day,
                    method=rng.choice(["visit", "phone", "meeting"]),
                    summary="与提案人当面沟通了办理思路和计划，提案人表示认可。",
                    recorded_by=handler,
                )
            )
            events.append(
                Event(
                    case_id=p.case_id,
                    at=dt(day, 16),
                    actor=handler,
                    actor_label=handler.name,
                    action="contact",
                    label=f"{unit.name}与提案人沟通",
                )
            )
        if "replied" not in spec:
            continue
        rc = rng.choice("AABBBC")
        reply = Reply(
            case_id=p.case_id,
            assignment=lead_a,
            result_class=rc,
            round=1,
            replied_by=handler,
            replied_at=p.replied_at,
            on_time=spec["replied"] <= p.deadline if p.status != S.REHANDLING else True,
            content=f"您提出的《{p.title}》收悉。我单位高度重视，经认真研究，现答复如下："
            + (
                "所提建议已被采纳并落实。"
                if rc == "A"
                else "已列入年度工作计划逐步解决。"
                if rc == "B"
                else "因条件限制，留作今后工作参考。"
            ),
        )
        replies.append(reply)
        events.append(
            Event(
                case_id=p.case_id,
                at=p.replied_at,
                actor=handler,
                actor_label=handler.name,
                action="reply",
                label=f"{unit.name}答复（{rc}类）",
            )
        )
        raters = ([lead] if lead else []) + ([] if early else spec["cos"])
        day = spec["replied"] + datetime.timedelta(days=4)
        rated = raters if p.status == S.CLOSED else raters[:1] if rng.random() < 0.5 else []
        if p.status == S.REHANDLING:
            rated = raters[:1]
        for m in rated:
            rating = (
                "unsatisfied"
                if p.status == S.REHANDLING
                else rng.choice(["satisfied", "satisfied", "satisfied", "basically_satisfied"])
            )
            evaluations.append(
                Evaluation(
                    case_id=p.case_id,
                    reply=reply,
                    member=m,
                    rating=rating,
                    recorded_by=m.user,
                    created_at=dt(day, 14),
                )
            )
            events.append(
                Event(
                    case_id=p.case_id,
                    at=dt(day, 14),
                    actor=m.user,
                    actor_label=m.name,
                    action="evaluate",
                    label=f"{m.name}评价",
                )
            )
        if p.status == S.CLOSED:
            events.append(
                Event(
                    case_id=p.case_id,
                    at=p.closed_at,
                    actor=staff,
                    actor_label=staff.name,
                    action="close",
                    label="办结",
                )
            )
    # Proposals have their pks now (bulk_create returned them); re-point the signers (the handling rows
    # were made with the case's id, which open_cases set before).
    for row in signers:
        row.proposal_id = row.proposal.pk
    Signer.objects.bulk_create(signers, batch_size=2000)
    Assignment.objects.bulk_create(assignments, batch_size=2000)
    for row in contacts + replies:
        row.assignment_id = row.assignment.pk
    Contact.objects.bulk_create(contacts, batch_size=2000)
    Reply.objects.bulk_create(replies, batch_size=2000)
    for row in evaluations:
        row.reply_id = row.reply.pk
    Evaluation.objects.bulk_create(evaluations, batch_size=2000)
    Event.objects.bulk_create(events, batch_size=2000)
    if key_updates:
        type(key_updates[0]).objects.bulk_update(key_updates, ["key_leader"])
    for name, rows in (
        ("signers", signers),
        ("assignments", assignments),
        ("contacts", contacts),
        ("replies", replies),
        ("evaluations", evaluations),
        ("events", events),
    ):
        counts[name] += len(rows)


# =====================================================================================================
# Measurement (child process on a prepared database)
# =====================================================================================================


def measure(n_requests: int, counts_only: bool, seed: int = 7, only=()) -> dict:
    common.setup_django()
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor
    from django.test.utils import CaptureQueriesContext

    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrated = [f"{m.app_label}.{m.name}" for m, _ in pending]
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # pg_restore brings no planner statistics, and a restored table's pages are not yet marked
            # all-visible (autovacuum's work on a live server), which index-only scans need.
            cur.execute("VACUUM ANALYZE")
        elif migrated:  # new indexes need their statistics
            cur.execute("ANALYZE")
    prep = time.perf_counter() - t0

    from zhengxie.core.models import User
    from zhengxie.members.models import Session
    from zhengxie.proposals import selectors
    from zhengxie.proposals.models import Assignment, Proposal

    rng = random.Random(seed)
    users = {u.username: u for u in User.objects.filter(username__in=["staff", "handler1", "member1"])}
    clients, apis = common.clients_of(users)

    staff, handler = users["staff"], users["handler1"]
    county_sessions = list(Session.objects.filter(organisation_id=staff.organisation_id).order_by("-year"))
    current = next(s for s in county_sessions if s.is_current)
    n_rows = Proposal.objects.count()
    visible = {
        name: list(selectors.visible_proposals(u).values_list("pk", flat=True)) for name, u in users.items()
    }

    def pick(name, k):
        pool = visible[name]
        return [rng.choice(pool) for _ in range(k)]

    def pages(n_items, per=20):
        return max(1, min(50, n_items // per))

    # The demo's own proposals were loaded first, identically at every size: requests about them are
    # the same requests at 1,000 and at 100,000 rows.
    first_bulk = (
        Proposal.objects.filter(session__term__number=13).order_by("pk").values_list("pk", flat=True).first()
    )

    def newest(user_name, **filters):
        """The newest demo proposal with these properties that the user sees (the same one at any size)."""
        qs = selectors.visible_proposals(users[user_name]).order_by("-pk").values_list("pk", flat=True)
        if first_bulk:
            qs = qs.filter(pk__lt=first_bulk)
        return qs.filter(**filters).first() or qs.first()

    handler_unit = handler.handling_unit_id
    sample = pick("staff", n_requests)
    title_of = dict(Proposal.objects.filter(pk__in=sample).values_list("pk", "title"))
    titles = [title_of[pk] for pk in sample]
    # (label, kind of target, client, urls for timing, urls for counting)
    n = n_requests
    sp, hp, mp = pages(len(visible["staff"])), pages(len(visible["handler1"])), pages(len(visible["member1"]))
    from urllib.parse import quote

    cases = [
        (
            "list",
            "staff: 全部提案 /proposals/",
            "staff",
            "page",
            [f"/proposals/?page={rng.randint(1, sp)}" for _ in range(n)],
            ["/proposals/", "/proposals/?page=3"],
        ),
        (
            "list",
            "staff: list, filters (status, category, session)",
            "staff",
            "page",
            [
                f"/proposals/?status={rng.choice(['handling', 'closed', 'replied'])}&category="
                f"{quote(rng.choice(['科教文卫', '城乡建设', '社会法制']))}&session={rng.choice(county_sessions).pk}"
                for _ in range(n)
            ],
            [f"/proposals/?status=handling&category={quote('科教文卫')}&session={current.pk}"],
        ),
        (
            "list",
            "staff: list, filter by unit + light",
            "staff",
            "page",
            [
                f"/proposals/?unit={handler_unit}&light={rng.choice(['red', 'yellow', 'green'])}"
                for _ in range(n)
            ],
            [f"/proposals/?unit={handler_unit}&light=red"],
        ),
        (
            "list",
            "staff: search q=养老服务",
            "staff",
            "page",
            [f"/proposals/?q={quote('养老服务')}&page={rng.randint(1, 5)}" for _ in range(n)],
            [f"/proposals/?q={quote('养老服务')}"],
        ),
        (
            "list",
            "handler1: list (own unit)",
            "handler1",
            "page",
            [f"/proposals/?page={rng.randint(1, hp)}" for _ in range(n)],
            ["/proposals/"],
        ),
        (
            "list",
            "handler1: 待办 inbox",
            "handler1",
            "page",
            # /proposals/inbox/ redirects to the one unit inbox of the handling spine, its proposals.
            ["/handling/?kind=proposal"] * n,
            ["/handling/?kind=proposal"],
        ),
        (
            "list",
            "member1: 我的提案",
            "member1",
            "page",
            [f"/proposals/mine/?page={rng.randint(1, mp)}" for _ in range(n)],
            ["/proposals/mine/"],
        ),
        (
            "detail",
            "staff: detail page",
            "staff",
            "page",
            [f"/proposals/{pk}/" for pk in pick("staff", n)],
            [
                f"/proposals/{newest('staff', status=s)}/"
                for s in ("closed", "replied", "handling", "submitted")
            ],
        ),
        (
            "detail",
            "handler1: detail page",
            "handler1",
            "page",
            [f"/proposals/{pk}/" for pk in pick("handler1", n)],
            [f"/proposals/{newest('handler1', status=s)}/" for s in ("handling", "closed")],
        ),
        (
            "detail",
            "member1: detail page",
            "member1",
            "page",
            [f"/proposals/{pk}/" for pk in pick("member1", n)],
            [f"/proposals/{newest('member1', status=s)}/" for s in ("closed", "handling")],
        ),
        (
            "similar",
            "similar (htmx /proposals/similar/?title=)",
            "staff",
            "page",
            [f"/proposals/similar/?title={quote(t)}" for t in titles],
            [f"/proposals/similar/?title={quote('关于加快养老服务体系建设的建议')}"],
        ),
        (
            "similar",
            "similar (API /api/v1/proposals/{id}/similar)",
            "staff",
            "api",
            [f"/api/v1/proposals/{pk}/similar" for pk in pick("staff", n)],
            [f"/api/v1/proposals/{newest('staff', status='closed')}/similar"],
        ),
        (
            "stats",
            "statistics page (a session)",
            "staff",
            "page",
            [f"/proposals/stats/?session={rng.choice(county_sessions).pk}" for _ in range(n)],
            [
                f"/proposals/stats/?session={current.pk}",
                f"/proposals/stats/?session={county_sessions[-1].pk}",
            ],
        ),
        (
            "list",
            "API list /api/v1/proposals",
            "staff",
            "api",
            [f"/api/v1/proposals?page={rng.randint(1, sp)}" for _ in range(n)],
            ["/api/v1/proposals"],
        ),
        (
            "list",
            "API list, filters + q",
            "staff",
            "api",
            [
                f"/api/v1/proposals?status=handling&session={current.pk}"
                if i % 2
                else f"/api/v1/proposals?q={quote('养老服务')}"
                for i in range(n)
            ],
            [
                f"/api/v1/proposals?status=handling&session={current.pk}",
                f"/api/v1/proposals?q={quote('养老服务')}",
            ],
        ),
        (
            "list",
            "API list (handler1)",
            "handler1",
            "api",
            [f"/api/v1/proposals?page={rng.randint(1, hp)}" for _ in range(n)],
            ["/api/v1/proposals"],
        ),
        (
            "detail",
            "API detail /api/v1/proposals/{id}",
            "staff",
            "api",
            [f"/api/v1/proposals/{pk}" for pk in pick("staff", n)],
            [f"/api/v1/proposals/{newest('staff', status=s)}" for s in ("closed", "handling")],
        ),
        (
            "detail",
            "API detail (member1)",
            "member1",
            "api",
            [f"/api/v1/proposals/{pk}" for pk in pick("member1", n)],
            [f"/api/v1/proposals/{newest('member1', status='closed')}"],
        ),
    ]
    if only:
        cases = [c for c in cases if any(x in c[1] for x in only)]
    targets = {"list": TARGET_LIST, "detail": TARGET_LIST, "stats": TARGET_LIST, "similar": TARGET_SIMILAR}

    def get(kind, who, url):
        c = apis[who] if kind == "api" else clients[who]
        r = c.get(url)
        if r.status_code != 200:
            raise SystemExit(f"{who} GET {url} -> {r.status_code}")
        return r

    # Warm-up: templates, url resolvers, the tokeniser's dictionary, prepared statements ...
    for _, _, who, kind, urls, probes in cases:
        get(kind, who, probes[0])
        get(kind, who, urls[0])

    # As zhengxie/wsgi.py does in a server process: what lives as long as the process (here also the
    # benchmark's own lists of ids) leaves the collector's generations, so that a full collection does
    # not land on one unlucky request.
    import gc

    gc.collect()
    gc.freeze()

    query_counts = []
    for _group, label, who, kind, _urls, probes in cases:
        for url in probes:
            with CaptureQueriesContext(connection) as ctx:
                get(kind, who, url)
            query_counts.append(
                {
                    "label": label,
                    "probe": url,
                    "queries": len(ctx.captured_queries),
                    "sql": [q["sql"][:160] for q in ctx.captured_queries],
                }
            )

    results = []
    if not counts_only:
        for group, label, who, kind, urls, _probes in cases:
            seconds, cpu = [], []
            for url in urls:
                t, c = time.perf_counter(), time.process_time()
                get(kind, who, url)
                seconds.append(time.perf_counter() - t)
                cpu.append(time.process_time() - c)
            s = common.summary_ms(seconds)
            s["cpu_median"] = common.summary_ms(cpu)["median"]
            results.append({"group": group, "label": label, "target": targets[group], **s})
            print(
                f"  {label:<52} median {s['median']:7.1f} ms  p95 {s['p95']:7.1f} ms  (cpu {s['cpu_median']:6.1f}; "
                f"target {targets[group]:.0f})",
                flush=True,
            )

    info = {
        "rows": n_rows,
        "visible": {k: len(v) for k, v in visible.items()},
        "prepare_s": prep,
        "migrated": migrated,
        "vendor": connection.vendor,
        "assignments": Assignment.objects.count(),
    }
    connection.close()
    return {"info": info, "results": results, "queries": query_counts}


# =====================================================================================================
# Driver
# =====================================================================================================


def _cache_name(n: int) -> str:
    return f"proposals-v{DATA_VERSION}-{n}"


def _child(mode: str, url: str, extra: list[str], out: Path) -> dict:
    return common.child_json(__file__, mode, url, extra, out)


def _generate(n: int):
    return lambda url, out: _child("generate", url, ["--proposals", str(n)], out)


def _sqlite_db(n: int, tmp: Path, fresh: bool, log) -> tuple[Path, dict | None]:
    """A copy of the cached SQLite database of n proposals (generated first if needed)."""
    return common.cached_sqlite_db(_cache_name(n), _generate(n), tmp, fresh, log, f"{n} proposals")


def _pg_db(n: int, base_url: str, name: str, tmp: Path, fresh: bool, log) -> tuple[str, dict | None]:
    """A throw-away PostgreSQL database holding n proposals (restored from its dump, or generated)."""
    return common.cached_pg_db(
        _cache_name(n), _generate(n), base_url, name, tmp, fresh, log, f"{n} proposals"
    )


def run_engine(engine: str, args, log) -> dict:
    out: dict = {"engine": engine, "n": args.proposals, "small": args.small}
    with tempfile.TemporaryDirectory(prefix="zx-proposals-bench-", dir=args.tmpdir) as tmp_name:
        tmp = Path(tmp_name)
        for n, counts_only, key in ((args.small, True, "small_run"), (args.proposals, False, "big_run")):
            if engine == "sqlite":
                db, gen = _sqlite_db(n, tmp, args.fresh, log)
                url = f"sqlite:///{db}"
                log(f"[sqlite] measuring at {n} proposals ...")
                out[key] = _child(
                    "measure",
                    url,
                    ["--requests", str(args.requests)]
                    + (["--counts-only"] if counts_only else [])
                    + [f"--only={x}" for x in args.only],
                    tmp / f"m-{n}.json",
                )
                db.unlink()
            else:
                name = f"zx_bench_{os.getpid()}_{n}"
                base = args.pg_url
                try:
                    url, gen = _pg_db(n, base, name, tmp, args.fresh, log)
                    log(f"[postgresql] measuring at {n} proposals ...")
                    out[key] = _child(
                        "measure",
                        url,
                        ["--requests", str(args.requests)]
                        + (["--counts-only"] if counts_only else [])
                        + [f"--only={x}" for x in args.only],
                        tmp / f"m-pg-{n}.json",
                    )
                finally:
                    common.pg_drop(base, name)
            out[key]["generation"] = gen
    return out


def markdown(runs: list[dict]) -> str:
    """The "Proposals" section of bench/RESULTS.md."""
    lines = []
    first = runs[0] if runs else {}
    lines.append(
        f"`bench/proposals_bench.py`: the demo world plus 10 sessions, 400 handling units, 500 members and "
        f"{first.get('n', 0):,} proposals (every status, with signers, assignments, replies, evaluations, "
        "timelines; search index rebuilt). Django test Client, logged in as staff (提案委), handler1 "
        "(县教育局) and member1; API calls with a Bearer token. Times are whole requests (middleware, "
        "query, template/JSON), in ms. Targets: p95 < 150 ms for list, detail and statistics, < 100 ms for "
        "similar proposals; the same number of SQL queries at "
        f'{first.get("small", 0):,} and {first.get("n", 0):,} proposals. "CPU ms" is the benchmark process\'s '
        "CPU time (Django, and SQLite, which runs inside it; not PostgreSQL's own work): unlike the wall-clock "
        "figures it hardly moves with other load on a shared machine."
    )
    baseline = {}
    if BASELINE.exists():
        baseline = json.loads(BASELINE.read_text())
        lines.append(
            f'\n"p95 before": the same benchmark at commit {baseline["commit"]}, {baseline["note"]}.'
        )
    for run in runs:
        big, small = run.get("big_run", {}), run.get("small_run", {})
        info = big.get("info", {})
        gen = big.get("generation") or {}
        lines.append(f"\n### {run['engine']}\n")
        vis = info.get("visible", {})
        lines.append(
            f"{info.get('rows', 0):,} proposals in the database; visible to staff {vis.get('staff', 0):,}, "
            f"handler1 {vis.get('handler1', 0):,}, member1 {vis.get('member1', 0):,}."
        )
        if gen:
            t = gen.get("timings", {})
            c = gen.get("counts", {})
            how = "cached data (generated earlier): " if gen.get("cached") else ""
            lines.append(
                f"Data: {how}proposals + related rows by bulk_create in {t.get('proposals', 0):.0f} s "
                f"({c.get('signers', 0):,} signers, {c.get('assignments', 0):,} assignments, "
                f"{c.get('replies', 0):,} replies, {c.get('evaluations', 0):,} evaluations, {c.get('events', 0):,} "
                f"timeline events); search index of {c.get('indexed', 0):,} documents rebuilt "
                f"(search.services.rebuild) in {t.get('search_index', 0):.0f} s."
                + (f" Restored from a pg_dump in {gen['restore_s']:.0f} s." if gen.get("restore_s") else "")
            )
        if info.get("migrated"):
            lines.append(
                f"Migrations applied to the cached data before measuring: {', '.join(info['migrated'])}."
            )
        rows = []
        before = baseline.get("engines", {}).get(run["engine"], {})
        for r in big.get("results", []):
            ok = r["p95"] < r["target"]
            was = before.get(r["label"], {}).get("p95")
            rows.append(
                [
                    r["label"],
                    r["n"],
                    r["median"],
                    r["p95"],
                    r.get("cpu_median", float("nan")),
                    f"< {r['target']:.0f}",
                    "pass" if ok else "**MISS**",
                    "" if was is None else was,
                ]
            )
        lines.append("")
        lines.append(
            common.md_table(
                ["request", "n", "median ms", "p95 ms", "CPU ms (median)", "target p95", "", "p95 before"],
                rows,
            )
        )
        lines.append("")
        lines.append(
            f"SQL queries per request, at {run['small']:,} and {run['n']:,} proposals (the same requests: "
            "first page, the newest proposal of a status, etc.):\n"
        )
        small_q = {(q["label"], i): q for i, q in _indexed(small.get("queries", []))}
        qrows, notes = [], []
        for key, q in _indexed(big.get("queries", [])):
            s = small_q.get((q["label"], key))
            equal = s is not None and s["queries"] == q["queries"]
            qrows.append(
                [
                    q["label"],
                    f"`{_short(q['probe'])}`",
                    s["queries"] if s else "-",
                    q["queries"],
                    "equal" if equal else f"**DIFFERENT** ({len(notes) + 1})",
                ]
            )
            if not equal and s is not None:
                notes.append(_sql_difference(s.get("sql", []), q.get("sql", []), run["small"], run["n"]))
        lines.append(common.md_table(["request", "probe", f"{run['small']:,}", f"{run['n']:,}", ""], qrows))
        if notes:
            lines.append("")
            lines += [f"({i}) {note}" for i, note in enumerate(notes, 1)]
    return "\n".join(lines) + "\n"


def _sql_difference(small: list[str], big: list[str], n_small: int, n_big: int) -> str:
    """Which statements one run had and the other had not (compared by their first words)."""
    import re
    from collections import Counter

    def shape(sql):
        return re.sub(r"\d+", "N", re.sub(r"'[^']*('|$)", "'…'", sql))[:70]

    a, b = Counter(map(shape, small)), Counter(map(shape, big))
    only_small, only_big = a - b, b - a
    parts = []
    if only_small:
        parts.append(f"only at {n_small:,}: " + "; ".join(f"`{q}…`" for q in only_small.elements()))
    if only_big:
        parts.append(f"only at {n_big:,}: " + "; ".join(f"`{q}…`" for q in only_big.elements()))
    return " / ".join(parts) or "same statements, different number"


def _indexed(queries):
    seen: dict[str, int] = {}
    for q in queries:
        i = seen.get(q["label"], 0)
        seen[q["label"]] = i + 1
        yield i, q


def _short(url: str) -> str:
    import re
    from urllib.parse import unquote

    url = unquote(url)
    url = re.sub(r"/\d+(/|$)", r"/<id>\1", url)
    url = re.sub(r"session=\d+", "session=<id>", url)
    url = re.sub(r"unit=\d+", "unit=<id>", url)
    return url[:70]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    common.add_common_args(p)
    p.add_argument("--proposals", type=int, default=100_000)
    p.add_argument("--small", type=int, default=1_000, help="size at which the query counts are compared")
    p.add_argument("--requests", type=int, default=30)
    p.add_argument("--child", choices=["generate", "measure"])
    p.add_argument("--counts-only", action="store_true")
    p.add_argument(
        "--only",
        action="append",
        default=[],
        help="only the requests whose label contains this (repeatable)",
    )
    args = p.parse_args()

    if args.child == "generate":
        Path(args.out).write_text(json.dumps(generate(args.proposals)))
        return
    if args.child == "measure":
        Path(args.out).write_text(json.dumps(measure(args.requests, args.counts_only, only=args.only)))
        return

    runs = common.run_engines(args, run_engine)
    common.write_outputs(args, runs, markdown(runs))


if __name__ == "__main__":
    main()
