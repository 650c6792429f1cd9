"""Demo duty performance: the county's scheme for this year (桐城 style), confirmed and pending
self-reports with evidence, a warning step, last year's confirmed assessment. Deterministic and fast.

Activities and proposals load first and record their acts through record_act; saving the scheme here
re-values those records. Confirmed self-reports become records built exactly as record_act builds them
(services.build_record), bulk-created, and a final recompute gives every member their score.
"""

import datetime
import random
import struct
import zlib
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from zhengxie.core import uploads
from zhengxie.core.models import Attachment, User
from zhengxie.members.models import Member

from . import acts as A
from . import schemes, scoring, services
from .models import DutyRecord, ScoringRule, ScoringScheme, SelfReport

DESCRIPTIONS = {
    A.PUBLIC_WELFARE: ["参加“关爱留守儿童”志愿服务活动", "参加城关镇义诊进社区活动", "参加植树护绿公益活动"],
    A.RESEARCH: ["参与县域茶产业发展专题调研", "赴清河镇调研农村养老服务情况"],
    A.SPEECH_WRITTEN: ["在界别协商会上提交书面发言《关于加快县城停车设施建设的建议》"],
    A.ONLINE_DUTY: ["在“委员线上值班”平台值班半天，答复群众咨询 6 条"],
    A.LECTURE: ["在委员讲堂主讲《基层医疗卫生服务体系建设》"],
    A.SECTOR_ACTIVITY: ["参加教育界别“送教下乡”活动"],
    A.SELF_REPORT: ["参与县政协文史资料征集工作，撰稿两篇"],
}


def _png() -> bytes:
    """A tiny valid PNG (evidence photo placeholder)."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    raw = b"".join(b"\x00" + b"\xc0\x39\x2b" * 8 for _ in range(8))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def save_template(organisation, year: int, key: str, user=None) -> ScoringScheme:
    data = schemes.TEMPLATES[key]
    scheme = ScoringScheme.objects.create(
        organisation=organisation,
        year=year,
        name=data["name"],
        template=key,
        base_points=data["base_points"],
        pass_mark=data["pass_mark"],
        grades=data["grades"],
        categories=data["categories"],
        warning_rules=data["warning_rules"],
        updated_by=user,
    )
    ScoringRule.objects.bulk_create(
        [
            ScoringRule(
                scheme=scheme,
                act=r["act"],
                category=r["category"],
                points=r["points"],
                cap=r["cap"],
                unit=r["unit"],
                order=i,
            )
            for i, r in enumerate(data["rules"])
        ]
    )
    return scheme


def load(ctx):
    rnd = random.Random(2026)
    county = ctx["county"]
    today = timezone.localdate()
    year = today.year
    staff = User.objects.get(username="staff")
    admin = User.objects.get(username="admin")
    save_template(county, year, "tongcheng", admin)
    scoring.revalue_records(county.pk, year)
    members = list(Member.objects.filter(organisation=county).select_related("user").order_by("pk"))
    acts = list(DESCRIPTIONS)
    now = timezone.now()
    reports = []  # (report, confirmed?)
    for i, m in enumerate(members):
        for y in (year - 1, year):
            for _ in range(rnd.choice([0, 0, 1, 1, 2])):
                act = rnd.choice(acts)
                last = today if y == year else datetime.date(y, 12, 31)
                day = last - datetime.timedelta(days=rnd.randint(1, 200 if y == year else 330))
                reports.append(
                    SelfReport(
                        member=m,
                        organisation=county,
                        act=act,
                        occurred_on=day,
                        description=rnd.choice(DESCRIPTIONS[act]),
                        status=SelfReport.Status.CONFIRMED,
                        reviewer=staff,
                        reviewed_at=now,
                    )
                )
        # Some pending self-reports for the review queue (member1 and member2 always have one).
        if i in (0, 1) or (i % 7 == 3):
            act = acts[i % len(acts)]
            reports.append(
                SelfReport(
                    member=m,
                    organisation=county,
                    act=act,
                    occurred_on=today - datetime.timedelta(days=3 + i % 20),
                    description=rnd.choice(DESCRIPTIONS[act]),
                )
            )
    SelfReport.objects.bulk_create(reports)
    _evidence(reports)
    # Confirmed reports become records exactly as record_act builds them; one recompute gives the totals.
    resolved = {y: scoring.resolve(county.pk, y) for y in (year - 1, year)}
    ct = ContentType.objects.get_for_model(SelfReport)
    DutyRecord.objects.bulk_create(
        [
            services.build_record(
                member=r.member,
                act=r.act,
                source=r,
                source_key=(ct, str(r.pk)),
                day=r.occurred_on,
                scheme=resolved[r.occurred_on.year],
                points=None,
                share=Decimal(1),
                confirmed_by=staff,
                note=r.description,
            )
            for r in reports
            if r.status == SelfReport.Status.CONFIRMED
        ],
        batch_size=1000,
    )
    for y in (year - 1, year):
        scoring.recompute_year(county.pk, y)
    # Last year's assessment, confirmed; a warning step for a low scorer this year.
    assessment = services.assessment_create(user=staff, organisation=county, year=year - 1)
    services.assessment_confirm(user=staff, assessment=assessment)
    low = (
        Member.objects.filter(organisation=county, year_scores__year=year)
        .exclude(user__username__in=["member1", "member2", "member3"])
        .order_by("year_scores__total", "pk")
        .first()
    )
    if low is not None:
        services.warning_record_step(
            user=staff,
            member=low,
            year=year,
            rule="below_pass",
            step="谈话提醒",
            note="由界别召集人谈话提醒，督促参加全体会议和提交提案",
        )


def _evidence(reports):
    """One evidence photo stored once (through the upload checks), attached to every demo report."""
    if not reports:
        return
    first = reports[0]
    att = uploads.save_attachment(
        SimpleUploadedFile("现场照片.png", _png(), content_type="image/png"),
        target=first,
        user=first.member.user,
        purpose="evidence",
    )
    Attachment.objects.bulk_create(
        [
            Attachment(
                content_type=att.content_type,
                object_id=str(r.pk),
                purpose="evidence",
                organisation=r.organisation,
                file=att.file.name,
                original_name=att.original_name,
                mime_type=att.mime_type,
                size=att.size,
                sha256=att.sha256,
                uploaded_by=r.member.user,
                uploaded_at=att.uploaded_at,
            )
            for r in reports[1:]
        ],
        batch_size=1000,
    )
