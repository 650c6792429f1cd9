"""Demo 民主评议 of 青川县: a published park-rating round (30 parks, 15 members rating with notes and small
generated photos, ranked, top three 满意 and bottom three 重点监督), and an open round on the county's
handling units (four aspects, the four-grade vote) where some members have voted and member1 is invited
but has not rated yet (so the workbench to-do shows). Rounds, targets and raters go through the services;
the ratings of the past are written in bulk with their dates, and their duty records as record_act builds
them."""

from __future__ import annotations

import datetime
import hashlib
import random
import uuid
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.utils import timezone

from zhengxie.core.demo import scene_photo
from zhengxie.core.models import Attachment, Organisation, User
from zhengxie.core.verdicts import Verdict
from zhengxie.members.models import Member
from zhengxie.performance import acts as A
from zhengxie.performance.services import Credit, bulk_record

from . import services
from .models import Rater, Rating, RatingPhoto, Round, Score

PARK_WORDS = "人民 滨江 青川 凤凰 文昌 龙潭 翠屏 桃源 清溪 东湖 西山 南门 北城 柳岸 竹林".split()
PARK_KINDS = ["公园", "广场", "游园"]
NOTES = [
    "环境整洁，绿化养护到位，群众满意度高。",
    "部分健身器材老化，建议尽快更换。",
    "公厕保洁不够及时，夜间照明不足。",
    "步道有积水，排水设施需要改造。",
    "管理人员服务热情，设施齐全。",
    "停车位紧张，周末人流量大，建议增设停车场。",
    "儿童游乐区地面破损，存在安全隐患。",
    "",
    "",
]


def _attachment(rating: Rating, member_user, data: bytes, n: int, ct) -> Attachment:
    att = Attachment(
        content_type=ct,
        object_id=str(rating.pk),
        purpose="appraisal_photo",
        organisation_id=rating.round.organisation_id,
        original_name=f"现场照片{n}.jpg",
        mime_type="image/jpeg",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=member_user,
        uploaded_at=rating.rated_at,
    )
    att.file.save(f"{uuid.uuid4().hex}.jpg", ContentFile(data), save=False)
    return att


def _parks(rng: random.Random) -> list[dict]:
    names = []
    for w in PARK_WORDS:
        for k in PARK_KINDS:
            names.append(f"{w}{k}")
    rng.shuffle(names)
    return [{"name": n, "address": f"青川县城关镇{n[:2]}路{rng.randint(1, 199)}号"} for n in names[:30]]


def _published_parks(county, office, members, rng, now, credits):
    year = timezone.localdate().year
    opens = now - datetime.timedelta(days=40)
    r = services.create(
        office,
        organisation=county,
        year=year,
        title=f"{year}年城区公园广场民主评议",
        kind=Round.Kind.PLACES,
        description="组织委员实地察看城区公园、广场和游园，从环境卫生、设施维护、管理服务三方面评分，并拍摄现场照片。",
        opens_at=opens,
        closes_at=now - datetime.timedelta(days=20),
        photo_required=True,
        items=[
            {"name": "环境卫生", "weight": 30, "guidance": "地面、绿化、公厕的整洁程度"},
            {"name": "设施维护", "weight": 40, "guidance": "健身器材、座椅、照明、步道是否完好"},
            {"name": "管理服务", "weight": 30, "guidance": "管理人员在岗、秩序、群众反映"},
        ],
    )
    services.add_targets(office, r, rows=_parks(rng))
    # member1 does not rate parks: their 履职活动 keeps room under the demo scheme's cap, so the browser
    # journey of a confirmed self-report shows the total rise.
    raters = [m for m in members if m.user.username != "member1"][:15]
    services.invite(office, r, members=[m.pk for m in raters])
    items = list(r.items.all())
    targets = list(r.targets.all())
    quality = {t.pk: rng.randint(58, 95) for t in targets}
    rater_rows = {x.member_id: x for x in Rater.objects.filter(round=r)}
    ratings, scores, per_rater = [], [], {}
    for m in raters:
        for t in rng.sample(targets, rng.randint(6, 12)):
            at = opens + datetime.timedelta(
                days=rng.randint(0, 18), hours=rng.randint(8, 10), minutes=rng.randint(0, 59)
            )
            values = [max(0, min(100, quality[t.pk] + rng.randint(-8, 8))) for _ in items]
            total = sum(Decimal(v) * i.weight for v, i in zip(values, items, strict=False)) / 100
            ratings.append(
                Rating(
                    round=r,
                    target=t,
                    rater=rater_rows[m.pk],
                    member=m,
                    score=total.quantize(Decimal("0.01")),
                    note=rng.choice(NOTES),
                    latitude=Decimal("32.586000") + Decimal(rng.randint(0, 9999)) / 1000000,
                    longitude=Decimal("105.228000") + Decimal(rng.randint(0, 9999)) / 1000000,
                    accuracy=rng.randint(5, 30),
                    rated_at=at,
                    updated_at=at,
                )
            )
            scores.append(values)
            per_rater[m.pk] = per_rater.get(m.pk, 0) + 1
    Rating.objects.bulk_create(ratings)
    Score.objects.bulk_create(
        [
            Score(rating=x, item=i, value=v)
            for x, values in zip(ratings, scores, strict=False)
            for i, v in zip(items, values, strict=False)
        ]
    )
    ct = ContentType.objects.get_for_model(Rating)
    users = {m.pk: m.user for m in raters}
    photo_pool = [scene_photo(rng) for _ in range(8)]
    photo_rows, first_of = [], set()
    for x in ratings:
        if x.target_id in first_of and rng.random() < 0.7:
            continue
        first_of.add(x.target_id)
        att = _attachment(x, users[x.member_id], rng.choice(photo_pool), 1, ct)
        photo_rows.append((x, att))
    Attachment.objects.bulk_create([a for _, a in photo_rows])
    RatingPhoto.objects.bulk_create(
        [RatingPhoto(rating=x, target_id=x.target_id, attachment=a) for x, a in photo_rows]
    )
    counted = {}
    for x, _ in photo_rows:
        counted[x.pk] = counted.get(x.pk, 0) + 1
    for x in ratings:
        x.photo_count = counted.get(x.pk, 0)
    Rating.objects.bulk_update(ratings, ["photo_count"])
    for x in Rater.objects.filter(round=r):
        x.rated = per_rater.get(x.member_id, 0)
        x.finished_at = now - datetime.timedelta(days=21) if x.rated else None
        x.save(update_fields=["rated", "finished_at"])
    for t in targets:
        services.refresh_target(t)
    seen = set()
    for x in ratings:
        if (x.member_id, x.target_id) not in seen:
            seen.add((x.member_id, x.target_id))
            credits.append(Credit(x.member, A.APPRAISAL, x.target, timezone.localdate(x.rated_at)))
    Round.objects.filter(pk=r.pk).update(
        status=Round.Status.PUBLISHED,
        rating_count=len(ratings),
        opened_at=opens,
        closed_at=now - datetime.timedelta(days=20),
        published_at=now - datetime.timedelta(days=15),
    )
    r.refresh_from_db()
    services.apply_ranking(r)
    return r


def _open_units(county, office, members, rng, now, credits):
    year = timezone.localdate().year
    r = services.create(
        office,
        organisation=county,
        year=year,
        title=f"{year}年县直部门民主评议",
        kind=Round.Kind.UNITS,
        description="委员对县直承办单位的工作作风、服务质量、提案办理和依法行政逐项评价；参评人数过半方为有效。",
        opens_at=now - datetime.timedelta(days=5),
        closes_at=now + datetime.timedelta(days=25),
        items=[{"name": n} for n in ("工作作风", "服务质量", "提案办理", "依法行政")],
    )
    services.add_targets(office, r, all_units=True)
    raters = members[:20]
    services.invite(office, r, members=[m.pk for m in raters])
    services.open_round(office, r)
    items = list(r.items.all())
    targets = list(r.targets.all())
    lean = {t.pk: rng.random() for t in targets}
    rater_rows = {x.member_id: x for x in Rater.objects.filter(round=r)}
    voters = [m for m in raters if m.user.username not in ("member1", "member2", "member3")][:12]
    ratings, verdicts = [], []
    for m in voters:
        for t in targets:
            if rng.random() < 0.15:
                continue
            at = now - datetime.timedelta(days=rng.randint(0, 4), hours=rng.randint(0, 8))
            row = []
            for _ in items:
                p = rng.random()
                good = 0.45 + 0.5 * lean[t.pk]
                row.append(
                    Verdict.SATISFIED
                    if p < good
                    else Verdict.BASICALLY_SATISFIED
                    if p < good + 0.25
                    else Verdict.UNSATISFIED
                    if p < 0.97
                    else Verdict.UNKNOWN
                )
            ratings.append(
                Rating(
                    round=r, target=t, rater=rater_rows[m.pk], member=m, note="", rated_at=at, updated_at=at
                )
            )
            verdicts.append(row)
    Rating.objects.bulk_create(ratings)
    Score.objects.bulk_create(
        [
            Score(rating=x, item=i, verdict=v)
            for x, row in zip(ratings, verdicts, strict=False)
            for i, v in zip(items, row, strict=False)
        ]
    )
    per_rater = {}
    for x in ratings:
        per_rater[x.member_id] = per_rater.get(x.member_id, 0) + 1
    for x in Rater.objects.filter(round=r):
        x.rated = per_rater.get(x.member_id, 0)
        x.finished_at = now if x.rated >= len(targets) else None
        x.save(update_fields=["rated", "finished_at"])
    for t in targets:
        services.refresh_target(t)
    Round.objects.filter(pk=r.pk).update(rating_count=len(ratings))
    for x in ratings:
        credits.append(Credit(x.member, A.APPRAISAL, x.target, timezone.localdate(x.rated_at)))
    return r


def load(ctx):
    county = Organisation.objects.get(code="demo-county")
    office = User.objects.get(username="office")
    rng = random.Random(2026_12)
    now = timezone.now()
    named = list(
        Member.objects.filter(
            organisation=county,
            status=Member.Status.ACTIVE,
            user__username__in=["member1", "member2", "member3"],
        )
        .select_related("user")
        .order_by("user__username")
    )
    others = list(
        Member.objects.filter(organisation=county, status=Member.Status.ACTIVE)
        .exclude(pk__in=[m.pk for m in named])
        .select_related("user")
        .order_by("pk")[:25]
    )
    members = named + others
    credits = []
    _published_parks(county, office, members, rng, now, credits)
    _open_units(county, office, members, rng, now, credits)
    bulk_record(credits)
