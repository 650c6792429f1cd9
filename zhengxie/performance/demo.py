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
from zhengxie.core.errors import ServiceError
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
    # Last year's assessment, confirmed.
    assessment = services.assessment_create(user=staff, organisation=county, year=year - 1)
    services.assessment_confirm(user=staff, assessment=assessment)
    _warning_cases(county, year, staff)


def _warning_cases(county, year, staff):
    """动态退出: a few members in each stage of a warning case this year — two who missed two plenary
    meetings without leave (one 劝辞 after a talk, one 视为辞去), a 继续履职 after a talk, a 撤销预警, two
    talked to and waiting for a decision; the other warned members stay 预警."""
    from zhengxie.members.models import Session

    from . import selectors
    from . import services_warnings as cases

    sessions = list(Session.objects.filter(organisation=county).order_by("-year")[:2])
    pool = list(
        Member.objects.filter(organisation=county, status=Member.Status.ACTIVE, year_scores__year=year)
        .exclude(user__username__in=["member1", "member2", "member3"])
        .select_related("user", "sector", "organisation")
        .order_by("year_scores__total", "pk")
    )
    found = selectors.warnings(county.pk, year)
    warned = [m for m in pool if m.pk in found]
    others = [m for m in pool if m.pk not in found] + warned[4:]
    if len(warned) < 4 or len(others) < 3 or len(sessions) < 2:
        return
    today = timezone.localdate()
    talk = {
        "talk_by": "convener",
        "talk_on": max(today - datetime.timedelta(days=20), datetime.date(year, 1, 1)),
        "talk_summary": "通报本年度履职情况，督促按时参加全体会议、提交提案和社情民意信息。",
    }
    # two who missed both plenary meetings without leave (that makes their warning); four warned already
    leaver, deemed = others[:2]
    kept, withdrawn, waiting1, waiting2 = warned[:4]
    for m in (leaver, deemed):
        for i, session in enumerate(sessions):
            services.record_act(
                member=m,
                act=A.PLENARY_ABSENT,
                source=session,
                occurred_on=datetime.date(year, 1, 10 + i),
                note="未请假缺席全体会议",
            )
    # The sector's convener who talks: the best-scoring member left (not one of the named demo logins).
    convener = ([m for m in pool if m.pk not in found] or others)[-1]
    talked = {}
    for m, response in (
        (leaver, "表示工作繁忙，难以保证履职时间"),
        (kept, "表示今后按时参加会议，年内提交提案"),
        (waiting1, "表示接受提醒，将积极参加界别活动"),
        (waiting2, "表示近期身体原因缺席，今后改进"),
    ):
        talked[m.pk] = cases.warning_talk(
            user=staff,
            member=m,
            year=year,
            talk_convener=convener,
            talk_by_name="",
            member_response=response,
            **talk,
        )
    cases.warning_decide(
        user=staff,
        member=leaver,
        year=year,
        decision="advise",
        rule="plenary_absent",
        grounds="一年内两次无故缺席全体会议，经谈话提醒后表示难以保证履职时间，经主席会议研究予以劝辞。",
    )
    cases.warning_decide(
        user=staff,
        member=deemed,
        year=year,
        decision="deem",
        rule="plenary_absent",
        grounds="一年内两次未请假缺席全体会议，多次联系未果，按规定视为辞去委员职务。",
    )
    cases.warning_decide(
        user=staff,
        member=kept,
        year=year,
        decision="continue",
        rule=talked[kept.pk].rules[0]["code"],
        grounds="谈话后已补交提案并参加界别活动，继续履职，年底复核。",
    )
    try:
        cases.warning_decide(
            user=staff,
            member=withdrawn,
            year=year,
            decision="withdraw",
            grounds="该委员因公派驻外地，已按程序请假，预警所依据的缺席记录不应计入。",
        )
    except ServiceError:  # not warned after all: nothing to withdraw
        pass


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
