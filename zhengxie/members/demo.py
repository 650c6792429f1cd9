"""Demo terms, sectors, committees, parties and ~250 members of 青川县 (plus a few in 石门区)."""

import datetime
import random

from django.contrib.auth.models import Group
from django.utils import timezone
from faker import Faker

from zhengxie.core.demo import demo_password_hash
from zhengxie.core.models import Role, User

from .models import Member, Party, Sector, Session, SpecialCommittee, Term

PARTIES = [
    ("中国共产党", "中共"),
    ("中国国民党革命委员会", "民革"),
    ("中国民主同盟", "民盟"),
    ("中国民主建国会", "民建"),
    ("中国民主促进会", "民进"),
    ("中国农工民主党", "农工党"),
    ("中国致公党", "致公党"),
    ("九三学社", "九三学社"),
    ("台湾民主自治同盟", "台盟"),
    ("无党派人士", "无党派"),
]
SECTORS = [
    "中国共产党",
    "民革",
    "民盟",
    "民建",
    "民进",
    "农工党",
    "九三学社",
    "无党派人士",
    "共青团",
    "总工会",
    "妇联",
    "工商联",
    "科学技术界",
    "经济界",
    "农业界",
    "教育界",
    "文化艺术界",
    "医药卫生界",
    "社会福利和社会保障界",
    "少数民族和宗教界",
]
COMMITTEES = [
    "提案委员会",
    "经济委员会",
    "农业农村委员会",
    "人口资源环境委员会",
    "教科卫体委员会",
    "社会和法制委员会",
    "文化文史和学习委员会",
    "民族宗教和港澳台侨委员会",
]
EMPLOYERS = [
    "青川县人民医院",
    "青川县第一中学",
    "青川县实验小学",
    "青川县农商银行",
    "青川县中医院",
    "青川县律师事务所",
    "青川县茶叶专业合作社",
    "青川县电子科技有限公司",
    "青川县建筑设计院",
    "青川县文化馆",
    "城关镇卫生院",
    "青川县职业中学",
    "青川县税务师事务所",
    "青川县农业技术推广站",
]
TITLES = [
    "院长",
    "副院长",
    "校长",
    "教师",
    "主任医师",
    "总经理",
    "董事长",
    "律师",
    "高级工程师",
    "理事长",
    "副主任",
    "会计师",
    "研究员",
    "馆长",
]


def _standard_rows(county):
    Party.objects.bulk_create(
        [Party(name=n, short_name=s, order=i) for i, (n, s) in enumerate(PARTIES)], ignore_conflicts=True
    )
    term = Term.objects.create(
        organisation=county,
        number=14,
        name="第十四届",
        is_current=True,
        start_date=datetime.date(2022, 1, 10),
    )
    sessions = []
    for n, year in ((1, 2022), (2, 2023), (3, 2024), (4, 2025), (5, 2026)):
        sessions.append(
            Session.objects.create(
                term=term,
                organisation=county,
                number=n,
                name=f"第十四届第{'一二三四五'[n - 1]}次会议",
                year=year,
                start_date=datetime.date(year, 1, 10),
                end_date=datetime.date(year, 1, 13),
                proposal_deadline=datetime.date(year, 1, 12),
                is_current=(year == 2026),
            )
        )
    sectors = Sector.objects.bulk_create(
        [Sector(organisation=county, name=n, order=i) for i, n in enumerate(SECTORS)]
    )
    committees = SpecialCommittee.objects.bulk_create(
        [SpecialCommittee(organisation=county, name=n, order=i) for i, n in enumerate(COMMITTEES)]
    )
    return term, sessions, sectors, committees


def load(ctx):
    fake = Faker("zh_CN")
    Faker.seed(2026)
    county, county2, towns = ctx["county"], ctx["county2"], ctx["towns"]
    term, sessions, sectors, committees = _standard_rows(county)
    term2 = Term.objects.create(
        organisation=county2, number=9, name="第九届", is_current=True, start_date=datetime.date(2022, 1, 5)
    )
    Session.objects.create(
        term=term2,
        organisation=county2,
        number=5,
        name="第九届第五次会议",
        year=2026,
        start_date=datetime.date(2026, 1, 8),
        end_date=datetime.date(2026, 1, 11),
        is_current=True,
    )
    sectors2 = Sector.objects.bulk_create(
        [Sector(organisation=county2, name=n, order=i) for i, n in enumerate(SECTORS[:8])]
    )
    parties = list(Party.objects.all())
    member_group = Group.objects.get_or_create(name=Role.MEMBER)[0]
    fixed = {0: ("member1", "张明华"), 1: ("member2", "刘芳"), 2: ("member3", "杨志刚")}
    users, members = [], []
    now = timezone.now()

    def build(i, org, term_, sector_list, username, name):
        gender = random.choice("MF")
        user = User(
            username=username,
            name=name,
            organisation=org,
            password_changed_at=now,
            phone=f"139{10000000 + i:08d}",
            email=f"{username}@example.com",
        )
        user.password = demo_password_hash()
        member = Member(
            organisation=org,
            term=term_,
            code=f"{org.pk:02d}{i + 1:04d}",
            name=name,
            gender=gender,
            birth_date=fake.date_of_birth(minimum_age=32, maximum_age=64),
            party=random.choice(parties),
            sector=random.choice(sector_list),
            liaison_group=random.choice(towns) if org == county else None,
            position="常委" if i % 6 == 2 else "委员",
            is_standing=(i % 6 == 2),
            # About a third are new this term (新任), the others first served one or two terms before.
            entry_term_number=term_.number - (0 if i % 3 == 0 else 1 + i % 2) if term_ else None,
            employer=random.choice(EMPLOYERS),
            job_title=random.choice(TITLES),
            education=random.choice(["本科", "硕士研究生", "博士研究生", "大专"]),
            phone=user.phone,
            id_number=fake.ssn(),
            address=fake.address(),
        )
        users.append(user)
        members.append(member)

    for i in range(ctx.get("members", 250)):
        username, name = fixed.get(i, (f"m{i + 1:04d}", fake.name()))
        build(i, county, term, sectors, username, name)
    base = len(users)
    for j in range(40):
        build(
            base + j,
            county2,
            term2,
            sectors2,
            "other" if j == 0 else f"s{j + 1:04d}",
            "钱立新" if j == 0 else fake.name(),
        )
    User.objects.bulk_create(users)
    saved = {u.username: u for u in User.objects.filter(username__in=[u.username for u in users])}
    for user, member in zip(users, members, strict=True):
        member.user = saved[user.username]
    Member.objects.bulk_create(members)
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=u.pk, group_id=member_group.pk) for u in saved.values()]
    )
    through = Member.committees.through
    links = []
    for m in Member.objects.filter(organisation=county):
        for c in random.sample(committees, k=random.choice([1, 1, 2])):
            links.append(through(member_id=m.pk, specialcommittee_id=c.pk))
    through.objects.bulk_create(links)
    _groups_and_pledges(county, committees, saved)
    ctx.update(
        term=term,
        sessions=sessions,
        session=sessions[-1],
        sectors=sectors,
        committees=committees,
        member_users=saved,
    )


def _groups_and_pledges(county, committees, users):
    """界别召集人 for the sectors with members, two 委员小组 (one in member1's 专委会 led by member1, one
    committee-wide led by member2 with member1 in it) and this year's 履职承诺 of member1..3 and a few others."""
    from .models import GroupMembership, MemberGroup, Pledge, SectorConvener

    active = list(
        Member.objects.filter(organisation=county, status=Member.Status.ACTIVE)
        .select_related("user")
        .prefetch_related("committees")
        .order_by("id")
    )
    by_user = {m.user.username: m for m in active}
    m1, m2, m3 = by_user["member1"], by_user["member2"], by_user["member3"]
    seen, conveners = set(), []
    for m in active:
        if m.sector_id not in seen and m not in (m2, m3):
            seen.add(m.sector_id)
            conveners.append(SectorConvener(sector_id=m.sector_id, member=m))
        if len(seen) >= 4:
            break
    SectorConvener.objects.bulk_create(conveners)
    committee = m1.committees.all()[0]
    in_committee = [m for m in active if committee in m.committees.all()]
    first = MemberGroup.objects.create(
        organisation=county, committee=committee, name=f"{committee.name}第一委员小组", leader=m1, order=0
    )
    young = MemberGroup.objects.create(organisation=county, name="青年委员小组", leader=m2, order=1)
    rows = [GroupMembership(group=first, member=m) for m in [m1, *[m for m in in_committee if m != m1][:7]]]
    others = [m for m in active if m not in (m1, m2, m3)][::4][:6]
    rows += [GroupMembership(group=young, member=m) for m in [m2, m1, *others]]
    GroupMembership.objects.bulk_create(rows)
    year = timezone.localdate().year
    texts = [
        "围绕乡村振兴和营商环境开展调研，提交高质量提案，按时参加会议和界别活动，积极反映社情民意。",
        "聚焦教育和医疗民生领域，深入基层听取群众意见，全年至少参加一次视察调研。",
        "发挥专业特长，围绕生态环境保护建言献策，认真履行委员职责。",
    ]
    pledges = [
        Pledge(
            member=m,
            organisation=county,
            year=year,
            text=texts[i % len(texts)],
            target_proposals=2,
            target_activities=4,
            target_opinions=2 if i % 2 == 0 else None,
            written_by=m.user,
        )
        for i, m in enumerate([m1, m2, m3, *others[:3]])
    ]
    Pledge.objects.bulk_create(pledges)
