"""Demo organisations, handling units and non-member users. Members come from members/demo.py."""

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from .models import HandlingUnit, Office, Organisation, Role, User

DEMO_LOGINS = [
    ("admin", "系统管理员（江州市政协，可见全市）"),
    ("staff", "提案委工作人员（青川县政协）"),
    ("info", "信息科工作人员（青川县政协）"),
    ("office", "办公室工作人员（青川县政协）"),
    ("leader", "县政协主席（青川县政协）"),
    ("member1", "委员（青川县政协）"),
    ("member2", "委员（青川县政协）"),
    ("member3", "委员（青川县政协，常委）"),
    ("handler1", "承办单位经办人（县教育局）"),
    ("handler2", "承办单位经办人（县住房和城乡建设局）"),
    ("unithead1", "承办单位负责人（县教育局）"),
    ("liaison", "乡镇联络组（城关镇联络组）"),
    ("auditor", "审计管理员（青川县政协）"),
    ("secadmin", "安全管理员（青川县政协）"),
    ("citystaff", "提案委、信息科工作人员（江州市政协）"),
    ("other", "委员（石门区政协，用于跨组织隔离演示）"),
]

TOWNS = [
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
]

UNITS = [
    ("县发展和改革委员会", "发改委"),
    ("县教育局", "教育局"),
    ("县科学技术局", "科技局"),
    ("县工业和信息化局", "工信局"),
    ("县公安局", "公安局"),
    ("县民政局", "民政局"),
    ("县司法局", "司法局"),
    ("县财政局", "财政局"),
    ("县人力资源和社会保障局", "人社局"),
    ("县自然资源和规划局", "自然资源局"),
    ("市生态环境局青川分局", "生态环境分局"),
    ("县住房和城乡建设局", "住建局"),
    ("县交通运输局", "交通局"),
    ("县水利局", "水利局"),
    ("县农业农村局", "农业农村局"),
    ("县商务局", "商务局"),
    ("县文化和旅游局", "文旅局"),
    ("县卫生健康局", "卫健局"),
    ("县退役军人事务局", "退役军人局"),
    ("县应急管理局", "应急局"),
    ("县审计局", "审计局"),
    ("县市场监督管理局", "市场监管局"),
    ("县统计局", "统计局"),
    ("县医疗保障局", "医保局"),
    ("县林业局", "林业局"),
    ("县城市管理局", "城管局"),
    ("县数据资源局", "数据局"),
    ("县乡村振兴局", "乡村振兴局"),
    ("县信访局", "信访局"),
    ("县体育中心", "体育中心"),
    ("县供销合作社", "供销社"),
    ("县总工会", "总工会"),
    ("团县委", "团县委"),
    ("县妇联", "妇联"),
    ("县残联", "残联"),
    ("县税务局", "税务局"),
    ("国网青川供电公司", "供电公司"),
    ("县自来水公司", "自来水公司"),
    ("县人民法院", "法院"),
    ("县人民检察院", "检察院"),
]


_HASH = {}

PHOTO_COLOURS = [
    (76, 140, 74),
    (60, 120, 180),
    (200, 160, 60),
    (150, 90, 160),
    (210, 110, 80),
    (90, 170, 170),
]


def scene_photo(rng) -> bytes:
    """A small generated JPEG for the demo's on-site photos (coloured rectangles on a sky and grass, 480×360,
    about 10-20 KB); `rng` is a random.Random, so a demo draws the same pictures each time."""
    import io

    from PIL import Image, ImageDraw

    img = Image.new("RGB", (480, 360), (170, 205, 235))
    d = ImageDraw.Draw(img)
    d.rectangle([0, 230, 480, 360], fill=(95, 160, 80))
    for _ in range(6):
        x, y = rng.randint(0, 420), rng.randint(120, 300)
        w, h = rng.randint(30, 120), rng.randint(20, 90)
        d.rectangle([x, y, x + w, y + h], fill=rng.choice(PHOTO_COLOURS), outline=(40, 40, 40))
    for i in range(0, 480, 24):
        d.line([i, 230 + (i % 48) // 6, i + 12, 236], fill=(70, 130, 60), width=3)
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=85)
    return out.getvalue()


def demo_password_hash() -> str:
    """Hashed once and reused: hashing for every demo user would take a minute."""
    hasher = settings.PASSWORD_HASHERS[0]
    if hasher not in _HASH:
        _HASH[hasher] = make_password(settings.DEMO_PASSWORD)
    return _HASH[hasher]


def make_user(username, name, org, roles, **extra) -> User:
    user = User(username=username, name=name, organisation=org, password_changed_at=timezone.now(), **extra)
    user.password = demo_password_hash()
    user.save()
    user.set_roles(roles)
    return user


def load(ctx):
    city = Organisation.add_root(
        name="江州市政协", short_name="市政协", kind="city", code="demo-city", region="江州市"
    )
    county = city.add_child(
        name="青川县政协",
        short_name="县政协",
        kind="county",
        code="demo-county",
        region="青川县",
        address="青川县人民路1号",
        phone="0800-1234567",
    )
    county2 = city.add_child(
        name="石门区政协", short_name="区政协", kind="county", code="demo-county-2", region="石门区"
    )
    towns = [
        county.add_child(name=f"{t}政协联络组", short_name=t, kind="liaison", code=f"demo-town-{i:02d}")
        for i, t in enumerate(TOWNS, 1)
    ]
    units = HandlingUnit.objects.bulk_create(
        [
            HandlingUnit(
                organisation=county, name=n, short_name=s, order=i, leader_name="", phone=f"0800-66{i:05d}"
            )
            for i, (n, s) in enumerate(UNITS, 1)
        ]
    )
    units2 = HandlingUnit.objects.bulk_create(
        [
            HandlingUnit(organisation=county2, name=n.replace("县", "区"), short_name=s, order=i)
            for i, (n, s) in enumerate(UNITS[:12], 1)
        ]
    )
    by_short = {u.short_name: u for u in units}
    make_user("admin", "系统管理员", city, [Role.SYSADMIN])
    make_user(
        "staff",
        "李晓梅",
        county,
        [Role.STAFF],
        office=Office.PROPOSAL,
        title="提案委员会副主任",
        phone="13900000001",
        email="staff@example.com",
    )
    make_user("info", "王建国", county, [Role.STAFF], office=Office.INFORMATION, title="信息科科长")
    make_user("office", "赵丽", county, [Role.STAFF], office=Office.GENERAL, title="办公室主任")
    make_user("leader", "陈志远", county, [Role.LEADER], title="县政协主席", phone="13900000002")
    make_user(
        "handler1",
        "孙伟",
        county,
        [Role.UNIT_HANDLER],
        handling_unit=by_short["教育局"],
        phone="13900000011",
        email="handler1@example.com",
    )
    make_user(
        "handler2", "周敏", county, [Role.UNIT_HANDLER], handling_unit=by_short["住建局"], phone="13900000012"
    )
    make_user(
        "unithead1",
        "吴国强",
        county,
        [Role.UNIT_HEAD],
        handling_unit=by_short["教育局"],
        title="县教育局局长",
        phone="13900000013",
    )
    make_user("liaison", "郑红", towns[0], [Role.LIAISON], title="城关镇联络组组长")
    make_user("auditor", "冯静", county, [Role.AUDITOR])
    make_user("secadmin", "何军", county, [Role.SECADMIN])
    # The city's 提案 staff also keeps its 信息 work (forwarded 社情民意 arrive in her queue).
    make_user(
        "citystaff", "黄小燕", city, [Role.STAFF], office=Office.PROPOSAL, extra_offices=[Office.INFORMATION]
    )
    # A handler for every other unit, so that any assignment reaches somebody.
    n = 100
    for u in units + units2:
        if u.short_name in ("教育局", "住建局") and u.organisation_id == county.pk:
            continue
        n += 1
        make_user(f"h{n}", f"{u.short_name}经办人", u.organisation, [Role.UNIT_HANDLER], handling_unit=u)
        u.leader_name = f"{u.short_name}负责人"
        u.save(update_fields=["leader_name"])
    ctx.update(city=city, county=county, county2=county2, towns=towns, units=units, units2=units2)
