"""Demo 微建议 from the public of 青川县 (and a few to 江州市): a few hundred over the last ten months in
every state (the count scales with `--members`: 250 → 300, the test database's 30 → 60).

Most rows are written in bulk with their first timeline entries (received, rejected with the reason the
citizen reads, accepted; answered by a 委员工作室 when the studios demo made some). The recent ones routed
to units go through the services, so each is a real case on the handling spine in the unit's inbox
(handler1's 县教育局 gets several), some answered there and rated by the citizen's code (closed), one sent
back as 不满意. Some answered ones are published. Deterministic in its choices (its own seeded Random); the
tracking codes are random as always.
"""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from zhengxie.core.models import HandlingUnit, User
from zhengxie.handling.services import flow

from . import services
from .models import Event, Suggestion, new_tracking_code

S = Suggestion.Status
TOPICS = [
    (
        "{place}学校门口上下学时段拥堵",
        "{place}小学门口早晚高峰车辆乱停，学生过马路不安全，建议设置护学岗和临时停车点。",
    ),
    ("{place}路灯损坏多日未修", "{place}主街有十几盏路灯不亮已经两周，夜间出行不便，请尽快维修。"),
    ("建议在{place}增设公交候车亭", "{place}公交站只有站牌没有候车亭，老人小孩下雨天只能淋雨等车。"),
    ("{place}农贸市场周边环境卫生差", "市场周边垃圾清运不及时，污水外溢，夏天气味很大，建议增加清运频次。"),
    ("{place}老旧小区加装电梯", "小区多为六层老楼，老人上下楼困难，希望出台加装电梯的补贴办法。"),
    ("{place}村卫生室缺少常用药", "村卫生室常用的降压药、降糖药经常断货，老人要跑到镇上去买。"),
    ("{place}河道有人倾倒建筑垃圾", "河道边经常有车辆夜间倾倒建筑垃圾，影响行洪安全，建议加强巡查。"),
    ("{place}幼儿园学位紧张", "新建小区入住人口多，附近公办幼儿园学位不够，希望增加普惠性学位。"),
]
TOWNS = ["城关镇", "青溪镇", "白水镇", "我县"]
REJECTS = [
    ("spam", "内容为商业广告，不予受理。"),
    ("out_of_scope", "所反映问题属于个人劳动争议，请通过劳动仲裁途径解决。"),
    ("out_of_scope", "所反映问题属于司法案件，请向人民法院咨询。"),
]
NAMES = ["", "", "张先生", "李女士", "王大爷", "刘老师", ""]
REPLY = "收到您的建议后，我们已实地查看，并安排专人负责，将于本月内处理完毕。感谢您对{place}工作的关心！"
SERVICE_SHARE = 10  # one in ten goes through the services (a case on the spine each)


def _text(rnd):
    place = rnd.choice(TOWNS)
    title, content = rnd.choice(TOPICS)
    return place, title.format(place=place), content.format(place=place)


def load(ctx):
    from zhengxie.studios.models import Studio

    rnd = random.Random(20261003)
    county, city = ctx["county"], ctx["city"]
    n = max(60, ctx.get("members", 250) * 6 // 5)
    now = timezone.now()
    office = User.objects.get(username="office")
    handler1 = User.objects.select_related("handling_unit").get(username="handler1")
    units = list(HandlingUnit.objects.filter(organisation=county, is_active=True).order_by("order", "id")[:6])
    if handler1.handling_unit not in units:
        units.insert(0, handler1.handling_unit)
    studios = {
        org.pk: list(Studio.objects.filter(organisation=org, active=True).order_by("id"))
        for org in (county, city)
    }

    rows, routed_later = [], []
    for i in range(n):
        org = city if i % 7 == 6 else county
        place, title, content = _text(rnd)
        created = now - datetime.timedelta(days=rnd.randint(0, 300), minutes=rnd.randint(0, 1440))
        name = rnd.choice(NAMES)
        phone = f"139{rnd.randint(10000000, 99999999)}" if rnd.random() < 0.5 else ""
        s = Suggestion(
            organisation=org,
            tracking_code=new_tracking_code(),
            title=title,
            content=content,
            name=name,
            phone=phone,
            consent=True,
            consent_to_call=bool(phone) and rnd.random() < 0.5,
            created_at=created,
            updated_at=created,
        )
        roll = rnd.random()
        studio_list = studios.get(org.pk) or []
        if roll < 0.15:
            s.created_at = s.updated_at = now - datetime.timedelta(hours=rnd.randint(1, 200))
        elif roll < 0.27:
            category, reason = rnd.choice(REJECTS)
            s.status, s.reject_category, s.reject_reason = S.REJECTED, category, reason
            s.moderated_at = min(created + datetime.timedelta(days=1), now)
        elif roll < 0.37:
            s.status, s.moderated_at = S.ACCEPTED, min(created + datetime.timedelta(days=1), now)
        elif org == county and len(routed_later) < max(6, n // SERVICE_SHARE):
            routed_later.append((s, place))
        elif studio_list:
            studio = rnd.choice(studio_list)
            if roll < 0.8 and created > now - datetime.timedelta(days=30):  # answered: all dates in the past
                created -= datetime.timedelta(days=30)
                s.created_at = s.updated_at = created
            s.studio, s.routed_to, s.status = studio, Suggestion.RoutedTo.STUDIO, S.ROUTED
            s.routed_label = studio.name
            s.moderated_at = s.routed_at = min(created + datetime.timedelta(days=1), now)
            s.deadline = (created + datetime.timedelta(days=21)).date()
            if roll < 0.8:
                s.status = S.REPLIED
                s.replied_at = created + datetime.timedelta(days=rnd.randint(2, 25))
                s.reply_content, s.reply_by_label = REPLY.format(place=place), studio.name
                s.reply_on_time = s.replied_at.date() <= s.deadline
                if roll < 0.7:
                    s.status, s.closed_at = S.CLOSED, s.replied_at + datetime.timedelta(days=2)
                    s.rating = rnd.choice(["satisfied", "satisfied", "basically_satisfied", "unsatisfied"])
                    s.rated_at = s.closed_at
                if roll < 0.5:
                    s.published, s.published_answer, s.published_at = True, s.reply_content, s.replied_at
        else:
            s.status, s.moderated_at = S.ACCEPTED, min(created + datetime.timedelta(days=1), now)
        if s.status != S.RECEIVED:
            s.moderated_by = office
        rows.append(s)
    Suggestion.objects.bulk_create([s for s in rows if all(s is not r for r, _ in routed_later)])
    for s, _ in routed_later:
        s.created_at = s.updated_at = now - datetime.timedelta(
            days=rnd.randint(0, 12), hours=rnd.randint(1, 20)
        )
        s.save()

    events = []

    def by_office(s, at, action, label, detail=""):
        events.append(
            Event(
                suggestion=s,
                at=at,
                actor=office,
                actor_label=office.name,
                action=action,
                label=label,
                detail=detail,
            )
        )

    for s in rows:
        events.append(
            Event(
                suggestion=s,
                at=s.created_at,
                actor_label=s.name or "群众",
                action="submit",
                label="群众提交微建议",
            )
        )
        if s.status == S.REJECTED:
            label = f"审核：不予受理（{s.get_reject_category_display()}）"
            by_office(s, s.moderated_at, "moderate", label, s.reject_reason)
        elif s.moderated_at and not s.routed_to:
            by_office(s, s.moderated_at, "moderate", "审核：受理")
        if s.routed_to == Suggestion.RoutedTo.STUDIO:
            by_office(s, s.routed_at, "route", f"转{s.studio.name}答复")
            if s.replied_at:
                events.append(
                    Event(
                        suggestion=s,
                        at=s.replied_at,
                        actor_label=s.studio.name,
                        action="reply",
                        label=f"{s.studio.name}答复",
                    )
                )
    Event.objects.bulk_create(events)

    # The recent ones routed to units: real cases on the spine (handler1's 县教育局 gets every third).
    for k, (s, place) in enumerate(routed_later):
        unit = units[0] if k % 3 == 0 else units[k % len(units)]
        s = services.route(user=office, suggestion=s, unit=unit)
        step = k % 5
        if step == 0:
            continue  # waiting for the unit
        handler = User.objects.filter(handling_unit=unit, is_active=True).order_by("id").first()
        if handler is None:
            continue
        flow.acknowledge(user=handler, case=s.case_id)
        if step == 1:
            continue
        flow.reply(user=handler, case=s.case_id, content=REPLY.format(place=place))
        if step == 2:
            continue
        if k == 3:
            services.rate(code=s.tracking_code, rating="unsatisfied", comment="问题还没有解决，希望再跟进。")
            continue
        s = services.rate(code=s.tracking_code, rating=rnd.choice(["satisfied", "basically_satisfied"]))
        if step == 4:
            services.publish(user=office, suggestion=s)
    # The published answers (most were written above without the services) in the search index, for the
    # public page's "similar earlier suggestions" (zhengxie.drafting).
    from zhengxie.search.services import rebuild

    from .models import _published_documents

    rebuild(services.PUBLISHED_KIND, _published_documents())
    near_duplicates(ctx)


# 疑似重复 (issue 17): citizens writing about the same matter, waiting for the 办公室's moderation (through the
# services, so they are indexed), so that its queue shows groups at once.
NEAR_DUPLICATES = [
    [
        (
            "王女士",
            "城关小学门口早高峰拥堵",
            "城关小学门口每天早上七点半车辆拥堵，家长接送车辆乱停，孩子过马路很危险，建议增设护学岗、错峰上学。",
        ),
        (
            "李先生",
            "城关小学门口上学时段交通拥堵",
            "每天早上城关小学门口车辆拥堵严重，接送孩子的车乱停乱放，学生过马路不安全，希望设置护学岗并错峰上学。",
        ),
        (
            "",
            "城关小学门口接送孩子太堵了",
            "早上送孩子到城关小学，门口车辆乱停，堵得走不动，孩子过马路很危险，建议安排护学岗，学校错峰上学。",
        ),
    ],
    [
        (
            "张先生",
            "滨江路路灯晚上不亮",
            "滨江路从大桥到体育馆一段路灯已经坏了一个多月，晚上漆黑一片，散步的居民很多，存在安全隐患，请尽快维修。",
        ),
        (
            "赵女士",
            "滨江路大桥至体育馆段路灯损坏",
            "滨江路大桥到体育馆这段路灯坏了很久，晚上一片漆黑，居民散步不安全，希望有关部门尽快修复路灯。",
        ),
    ],
]


def near_duplicates(ctx) -> None:
    from zhengxie.search.services import rebuild

    from .models import _search_documents

    rebuild("suggestion", _search_documents())  # the demo's bulk-made suggestions, in the index
    for group in NEAR_DUPLICATES:
        for name, title, content in group:
            services.submit(organisation=ctx["county"], title=title, content=content, name=name, consent=True)
