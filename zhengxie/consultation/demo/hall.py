"""Demo of the online hall (网络议政) in 青川县: the open, public hall (破解城区停车难) gets a few thousand
comments (threads with replies, two pinned, a few hidden with reasons, a few citizens' comments approved and
a few still pending) and the closed one (垃圾分类) a smaller discussion with staff's summary and the
comments it used. Rows are bulk-created (the counters set to match); the members' duty credits are the
capped first N visible comments per hall, bulk-built as record_act builds them (performance's demo, loaded
after this one, recomputes the year's totals)."""

from __future__ import annotations

import datetime
import random

from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from zhengxie.core import orgsettings
from zhengxie.core.models import User
from zhengxie.members.models import Member
from zhengxie.performance import acts
from zhengxie.performance.services import Credit, bulk_record

from ..models import Comment, Consultation
from ..services.hall import number_comments
from . import demo_members

V, P, H = Comment.Status.VISIBLE, Comment.Status.PENDING, Comment.Status.HIDDEN
OPEN_COMMENTS = 3000
CLOSED_COMMENTS = 240

PARKING = {
    "subjects": [
        "老城区",
        "人民医院周边",
        "城关小学门口",
        "步行街",
        "新区商业综合体",
        "农贸市场一带",
        "老旧小区",
        "汽车站附近",
        "县政务服务中心",
        "滨河路沿线",
    ],
    "problems": [
        "早晚高峰车辆乱停乱放，经常堵住消防通道",
        "停车位严重不足，居民下班回家找不到车位",
        "占道停车普遍，行人只能走到机动车道上",
        "接送孩子的车辆排成长队，交通秩序混乱",
        "就医车辆多，停车场一位难求，排队进场要半小时",
        "收费标准不统一，路内停车比停车场还便宜",
        "夜间大货车占用路边车位，存在安全隐患",
        "电动车和汽车混停，通道被挤占",
        "机关单位停车场下班后空着，周边居民却无处停车",
    ],
    "ideas": [
        "建议利用边角地、闲置地建设立体停车库",
        "建议推行机关企事业单位停车场错时共享",
        "建议建设全县统一的智慧停车平台，实时显示空余车位",
        "建议实行差异化收费，核心区高于外围，引导车辆到停车场停放",
        "建议老旧小区改造时同步挖潜增加停车位",
        "建议在学校周边设置限时停车接送区",
        "建议加强违停执法，同时增加临时停车泊位",
        "建议鼓励社会资本参与公共停车场建设和运营",
        "建议优化公交线路，倡导绿色出行，从源头减少停车需求",
        "建议新建住宅和商业项目严格落实停车配建标准",
        "建议在医院周边推行预约停车和错峰就诊",
        "建议规划建设城区外围停车换乘点",
    ],
}
GARBAGE = {
    "subjects": [
        "城区试点小区",
        "农村集镇",
        "学校",
        "机关单位",
        "农贸市场",
        "餐饮集中区",
        "老旧小区",
        "新建小区",
    ],
    "problems": [
        "居民分类意识还不强，混投现象比较普遍",
        "分类收集后又被混装混运，群众积极性受挫",
        "分类垃圾桶设置不合理，投放点离住户太远",
        "厨余垃圾处理能力不足，末端设施跟不上",
        "宣传多停留在标语上，入户指导不够",
        "农村保洁员人手不够，收运不及时",
    ],
    "ideas": [
        "建议推行定时定点投放，配备督导员现场指导",
        "建议完善分类运输体系，杜绝混装混运",
        "建议建设厨余垃圾资源化处理设施",
        "建议推广积分兑换等激励措施",
        "建议把垃圾分类纳入中小学劳动教育",
        "建议发挥党员和志愿者的带头示范作用",
        "建议建立农村垃圾分类就地减量模式",
    ],
}
REPLIES = [
    "赞同楼上的意见，{idea}。",
    "补充一点：{subject}{problem}，这个问题也要一并考虑。",
    "我所在的社区也是这样，{problem}。",
    "这个建议很有针对性，{idea}，可以先选一两个点试点。",
    "同意。另外{idea}。",
    "有不同看法：资金从哪里来要说清楚，{idea}可能更可行。",
    "建议相关部门认真研究这条意见。",
]
OPENERS = ["", "我觉得", "据我了解，", "从群众反映看，", "经过实地走访，", "作为一名基层委员，"]
STAFF_NOTES = [
    "欢迎各位委员围绕议题积极建言，请结合调研实际发表意见。",
    "感谢大家的意见，相关建议已汇总转交县住建局、县公安局研究。",
]
PUBLIC_NAMES = ["网友", "网友", "网友", "城关居民", "老张", "一位家长", "网友"]
HIDE_REASONS = ["与议题无关", "含有广告推广内容", "含有不文明用语", "重复发布"]


def _topic(c: Consultation) -> dict:
    return GARBAGE if "垃圾" in c.title else PARKING


def _text(rnd: random.Random, topic: dict) -> str:
    subject, problem, idea = (rnd.choice(topic[k]) for k in ("subjects", "problems", "ideas"))
    head = rnd.choice(OPENERS)
    extra = rnd.choice(["", f"同时，{rnd.choice(topic['ideas'])[2:]}。", "希望尽快研究解决。"])
    return f"{head}{subject}{problem}。{idea}。{extra}"


def _reply(rnd: random.Random, topic: dict) -> str:
    return rnd.choice(REPLIES).format(
        subject=rnd.choice(topic["subjects"]),
        problem=rnd.choice(topic["problems"]),
        idea=rnd.choice(topic["ideas"]).removeprefix("建议"),
    )


def _fill(
    c: Consultation, total: int, members: list[Member], office: User, rnd: random.Random
) -> list[Comment]:
    """Bulk-create a discussion of about `total` comments spread over the window so far; returns the rows."""
    topic = _topic(c)
    start = c.opens_at
    end = min(timezone.now(), c.closes_at) - datetime.timedelta(minutes=5)
    span = max(60.0, (end - start).total_seconds())
    n_threads = max(10, total // 4)

    def when(i, n):  # spread in order, a little jitter
        return start + datetime.timedelta(seconds=span * (i + rnd.random() * 0.5) / (n + 1))

    roots = []
    for i in range(n_threads):
        at = when(i, n_threads)
        if i == 0:
            roots.append(
                Comment(
                    consultation=c,
                    author=office,
                    author_label="工作人员",
                    content=STAFF_NOTES[0],
                    pinned=True,
                    created_at=start + datetime.timedelta(minutes=1),
                )
            )
            continue
        if c.public and rnd.random() < 0.06:
            roots.append(
                Comment(
                    consultation=c,
                    author_label=rnd.choice(PUBLIC_NAMES),
                    is_public=True,
                    content=_text(rnd, topic),
                    created_at=at,
                )
            )
            continue
        m = rnd.choice(members)
        roots.append(
            Comment(
                consultation=c,
                author_id=m.user_id,
                member=m,
                author_label=m.name,
                content=_text(rnd, topic),
                created_at=at,
            )
        )
    roots = Comment.objects.bulk_create(roots, batch_size=1000)
    Comment.objects.filter(consultation=c, parent__isnull=True).update(root_id=F("id"))
    for r in roots:
        r.root_id = r.pk
    # A member's much-liked thread pinned as well.
    roots[min(5, len(roots) - 1)].pinned = True
    Comment.objects.filter(pk=roots[min(5, len(roots) - 1)].pk).update(pinned=True)

    replies = []
    for _ in range(total - n_threads):
        root = roots[min(len(roots) - 1, int(rnd.random() ** 1.6 * len(roots)))]
        m = rnd.choice(members)
        at = root.created_at + datetime.timedelta(seconds=rnd.randint(60, 36000))
        at = min(at, end)
        if at <= root.created_at:
            at = root.created_at + datetime.timedelta(seconds=1)
        replies.append(
            Comment(
                consultation=c,
                parent=root,
                root=root,
                author_id=m.user_id,
                member=m,
                author_label=m.name,
                content=_reply(rnd, topic),
                created_at=at,
            )
        )
    if replies:
        replies.append(
            Comment(
                consultation=c,
                parent=roots[0],
                root=roots[0],
                author=office,
                author_label="工作人员",
                content=STAFF_NOTES[1],
                created_at=end,
            )
        )
    # Written in the order they were posted, as the site would have: a thread reads in time and number order.
    replies.sort(key=lambda r: r.created_at)
    replies = Comment.objects.bulk_create(replies, batch_size=1000)
    return roots + replies


def _moderate(c: Consultation, rows: list[Comment], office: User, rnd: random.Random) -> None:
    """A few comments hidden with reasons (threads without replies, and replies), a few citizens' comments
    still pending; set on the rows and saved in bulk."""
    now = timezone.now()
    roots = [r for r in rows if r.parent_id is None and not r.pinned]
    with_replies = {r.root_id for r in rows if r.parent_id is not None}
    lonely = [r for r in roots if r.pk not in with_replies and not r.is_public]
    replies = [r for r in rows if r.parent_id is not None and r.author_id != office.pk]
    changed = []
    for cm in rnd.sample(lonely, min(4, len(lonely))) + rnd.sample(replies, min(4, len(replies))):
        cm.status, cm.hidden_reason, cm.hidden_by, cm.hidden_at = H, rnd.choice(HIDE_REASONS), office, now
        changed.append(cm)
    if c.public and c.hall_open():
        public = [r for r in roots if r.is_public and r.pk not in with_replies]
        for cm in public[-5:]:
            cm.status = P
            changed.append(cm)
    Comment.objects.bulk_update(
        changed, ["status", "hidden_reason", "hidden_by", "hidden_at"], batch_size=500
    )


def _counts(c: Consultation) -> None:
    number_comments([c.pk])
    replies = (
        Comment.objects.filter(root_id=OuterRef("pk"), status=V, parent__isnull=False)
        .order_by()
        .values("root_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    Comment.objects.filter(consultation=c, parent__isnull=True).update(
        reply_count=Coalesce(Subquery(replies), 0)
    )
    visible = Comment.objects.filter(consultation=c, status=V)
    c.comment_count = visible.count()
    c.participant_count = (
        visible.filter(author__isnull=False).values("author_id").distinct().count()
        + visible.filter(author__isnull=True).count()
    )
    c.save(update_fields=["comment_count", "participant_count"])


def _credits(c: Consultation, rows: list[Comment]) -> list[Credit]:
    """The acts record_act would have credited: each member's first N visible comments in the hall."""
    cap = int(orgsettings.get(c.organisation, "consultation.comment_credit_cap"))
    taken: dict[int, int] = {}
    out = []
    for cm in sorted((r for r in rows if r.status == V and r.member_id), key=lambda r: r.pk):
        if taken.get(cm.member_id, 0) >= cap:
            continue
        taken[cm.member_id] = taken.get(cm.member_id, 0) + 1
        out.append(Credit(cm.member, acts.HALL_COMMENT, cm, timezone.localtime(cm.created_at).date()))
    return out


def _summary(c: Consultation, rows: list[Comment], rnd: random.Random) -> None:
    used = [r for r in rows if r.status == V and r.parent_id is None and r.member_id][
        :: max(1, len(rows) // 24)
    ][:8]
    Comment.objects.filter(pk__in=[r.pk for r in used]).update(used_in_summary=True)
    c.hall_summary = (
        f"本次网络议政共收到委员和群众留言{c.comment_count}条。大家普遍认为，我县垃圾分类试点取得初步成效，但仍存在居民分类意识"
        "不强、混装混运、末端处理能力不足等问题。主要建议：一是推行定时定点投放并配备督导员；二是完善分类运输"
        "体系，杜绝混装混运；三是加快建设厨余垃圾资源化处理设施；四是推广积分兑换等激励措施，并将垃圾分类纳入"
        "中小学劳动教育。"
    )
    c.save(update_fields=["hall_summary"])


def load(ctx) -> None:
    county = ctx["county"]
    halls = list(
        Consultation.objects.filter(
            organisation=county, form=Consultation.Form.ONLINE, opens_at__isnull=False
        )
        .select_related("organisation")
        .order_by("-opens_at")
    )
    if not halls:
        return
    office = User.objects.filter(username="office").first()
    members = list(demo_members(county))
    if office is None or not members:
        return
    rnd = random.Random(2026)
    credits = []
    for c in halls:
        total = OPEN_COMMENTS if c.hall_open() else CLOSED_COMMENTS
        rows = _fill(c, total, members, office, rnd)
        _moderate(c, rows, office, rnd)
        _counts(c)
        if not c.hall_open() and c.closes_at <= timezone.now():
            _summary(c, rows, rnd)
        credits += _credits(c, rows)
    bulk_record(credits)
