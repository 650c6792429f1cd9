"""Demo duty performance: the county's scheme for this year (桐城 style), confirmed and pending
self-reports with evidence, a warning step, last year's confirmed assessment. Deterministic and fast.

Activities and proposals load first and record their acts through record_act; saving the scheme here
re-values those records, and a final recompute gives every member a score row.
"""

import datetime
import random
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from zhengxie.core import uploads
from zhengxie.core.models import User
from zhengxie.members.models import Member

from . import acts as A
from . import schemes, scoring, services
from .models import ScoringRule, ScoringScheme, SelfReport

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
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + b"\xc0\x39\x2b" * 8 for _ in range(8))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def save_template(organisation, year: int, key: str, user=None) -> ScoringScheme:
    data = schemes.TEMPLATES[key]
    scheme = ScoringScheme.objects.create(
        organisation=organisation, year=year, name=data["name"], template=key, base_points=data["base_points"],
        pass_mark=data["pass_mark"], grades=data["grades"], categories=data["categories"],
        warning_rules=data["warning_rules"], updated_by=user)
    ScoringRule.objects.bulk_create([
        ScoringRule(scheme=scheme, act=r["act"], category=r["category"], points=r["points"], cap=r["cap"],
                    unit=r["unit"], order=i) for i, r in enumerate(data["rules"])])
    return scheme


def _report(member, act, day, png, user, rnd):
    report = SelfReport.objects.create(member=member, organisation_id=member.organisation_id, act=act,
                                       occurred_on=day, description=rnd.choice(DESCRIPTIONS[act]))
    uploads.save_attachment(SimpleUploadedFile("现场照片.png", png, content_type="image/png"), target=report,
                            user=user, purpose="evidence")
    return report


def load(ctx):
    rnd = random.Random(2026)
    county = ctx["county"]
    today = timezone.localdate()
    year = today.year
    staff = User.objects.get(username="staff")
    admin = User.objects.get(username="admin")
    save_template(county, year, "tongcheng", admin)
    scoring.revalue_records(county.pk, year, scoring.resolve(county.pk, year))
    png = _png()
    members = list(Member.objects.filter(organisation=county).select_related("user").order_by("pk"))
    acts = list(DESCRIPTIONS)
    for i, m in enumerate(members):
        for y in (year - 1, year):
            for _ in range(rnd.choice([0, 1, 1, 2])):
                act = rnd.choice(acts)
                last = today if y == year else datetime.date(y, 12, 31)
                day = last - datetime.timedelta(days=rnd.randint(1, 200 if y == year else 330))
                report = _report(m, act, day, png, m.user, rnd)
                report.status = SelfReport.Status.CONFIRMED
                report.reviewer, report.reviewed_at = staff, timezone.now()
                report.save(update_fields=["status", "reviewer", "reviewed_at"])
                services.record_act(member=m, act=act, source=report, occurred_on=day, confirmed_by=staff,
                                    note=report.description[:200])
        # Some pending self-reports for the review queue (member1 and member2 always have one).
        if i in (0, 1) or (i % 7 == 3):
            _report(m, acts[i % len(acts)], today - datetime.timedelta(days=3 + i % 20), png, m.user, rnd)
    for y in (year - 1, year):
        scoring.recompute_year(county.pk, y)
    # Last year's assessment, confirmed; a warning step for a low scorer this year.
    assessment = services.assessment_create(user=staff, organisation=county, year=year - 1)
    services.assessment_confirm(user=staff, assessment=assessment)
    low = (Member.objects.filter(organisation=county, year_scores__year=year)
           .exclude(user__username__in=["member1", "member2", "member3"]).order_by("year_scores__total", "pk").first())
    if low is not None:
        services.warning_record_step(user=staff, member=low, year=year, rule="below_pass", step="谈话提醒",
                                     note="由界别召集人谈话提醒，督促参加全体会议和提交提案")
    if ctx.get("stdout"):
        ctx["stdout"].write(f"    履职：{ScoringScheme.objects.filter(organisation=county).count()} 个方案，"
                            f"{SelfReport.objects.filter(organisation=county).count()} 份自报")
