"""Demo 视察/调研 of 青川县 for the current year, made through the services (audit, notices, meetings of
the activities app, duty acts, cases on the handling spine):

- 调研 义务教育学校布局 (教科卫体委员会; two held visits; findings and photos; an uploaded .docx report
  written by member1; recommendations to 县教育局 and one turned into member1's draft 社情民意);
- 调研 老旧小区改造 (a held visit; a generated report; a recommendation to 县住建局, one still to send);
- 调研 农村养老服务 (in progress with member1 and member2; a visit to come);
- 调研 民营经济发展 (planned);
- 主席集体视察 重点项目建设 (past its end, no report yet: the staff's to-do);
- 视察 城区交通秩序整治 (in progress, a held visit).
"""

from __future__ import annotations

import datetime
import io
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from zhengxie.activities import services as meetings
from zhengxie.core.demo import scene_photo
from zhengxie.core.models import User
from zhengxie.members.models import Member, SpecialCommittee

from . import services
from .models import ResearchTopic

K = ResearchTopic.Kind


def _photo(n: int) -> SimpleUploadedFile:
    """A generated on-site photo (the generated report sets it across the page)."""
    return SimpleUploadedFile(f"现场照片{n}.jpg", scene_photo(random.Random(n)), "image/jpeg")


def _uploaded_report(title: str, lines: list[str]) -> SimpleUploadedFile:
    from zhengxie.core.documents import docx_document

    doc = docx_document("仿宋_GB2312")
    doc.add_paragraph(title)
    for line in lines:
        doc.add_paragraph(line)
    buf = io.BytesIO()
    doc.save(buf)
    return SimpleUploadedFile(f"{title}.docx", buf.getvalue(), "application/octet-stream")


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=timezone.get_current_timezone())


def _held_visit(office, topic, day, site, absent=()):
    """A visit in the past: invited and told, the members present ticked by staff, then closed (the
    meetings module credits attendance)."""
    v = services.add_visit(office, topic, starts_at=_at(day, 9), ends_at=_at(day, 12), site=site)
    for inv in v.meeting.invitations.select_related("member"):
        if inv.member_id not in absent:
            meetings.invitation_set_attendance(user=office, invitation=inv, present=True)
    meetings.meeting_close(user=office, meeting=v.meeting)
    return v


def load(ctx):
    county = ctx["county"]
    today = timezone.localdate()
    year = today.year
    d = datetime.timedelta
    office = User.objects.get(username="office")
    leader = User.objects.get(username="leader")
    committees = {c.name: c for c in SpecialCommittee.objects.filter(organisation=county)}
    units = {u.short_name: u for u in ctx["units"]}
    fixed = {
        m.user.username: m
        for m in Member.objects.filter(user__username__in=["member1", "member2", "member3"]).select_related(
            "user"
        )
    }
    others = list(
        Member.objects.filter(organisation=county, status=Member.Status.ACTIVE)
        .exclude(pk__in=[m.pk for m in fixed.values()])
        .order_by("id")[:12]
    )
    m1, m2, m3 = fixed["member1"], fixed["member2"], fixed["member3"]

    def topic(kind, title, committee, members, start, end, sites, background, chair=False, writers=()):
        return services.create(
            office,
            organisation=county,
            kind=kind,
            year=year,
            title=title,
            leader=leader,
            committee=committees.get(committee),
            member_ids=[m.pk for m in members],
            writer_ids=[m.pk for m in writers],
            starts_on=start,
            ends_on=end,
            sites=sites,
            background=background,
            chair_collective=chair,
        )

    # 1. 义务教育学校布局: reported with an uploaded report; recommendations to 县教育局, one to 社情民意.
    t1 = topic(
        K.RESEARCH,
        "全县义务教育阶段学校布局优化",
        "教科卫体委员会",
        [m1, m3, *others[:4]],
        today - d(100),
        today - d(40),
        ["城关镇中心小学", "青山乡九年一贯制学校"],
        "随着城镇化推进，城区学校大班额与农村学校“空心化”并存，需统筹优化学校布局。",
        writers=[m3],
    )
    services.set_status(office, t1, "in_progress")
    # member1 was away for the school visits and did not write the report: their 履职活动 keeps room under
    # the demo scheme's cap (the self-report journey shows a rise).
    _held_visit(office, t1, today - d(90), "城关镇中心小学", absent={others[3].pk, m1.pk})
    _held_visit(office, t1, today - d(60), "青山乡九年一贯制学校", absent={m1.pk})
    services.add_finding(m1.user, t1, content="城区三所小学平均班额超过55人，功能教室被挪作普通教室。")
    services.add_finding(
        m3.user, t1, content="青山乡学校在校生五年间减少近四成，部分校舍闲置。", photo=_photo(1)
    )
    services.add_finding(office, t1, content="乡村教师周转房不足，年轻教师留不住。", photo=_photo(2))
    recs1 = [
        "科学编制中小学布局专项规划，分年度新建、扩建城区学校，化解大班额。",
        "稳妥推进农村小规模学校撤并，保留必要的教学点并配齐师资。",
        "加快建设乡村教师周转宿舍，落实乡村教师生活补助。",
    ]
    services.submit_report(
        m1.user,
        t1,
        file=_uploaded_report("关于全县义务教育阶段学校布局优化的调研报告", recs1),
        recommendations=recs1,
    )
    r1 = list(t1.recommendations.order_by("number"))
    services.route(office, r1[0], unit=units["教育局"])
    services.route(office, r1[1], unit=units["教育局"])
    services.route(m1.user, r1[2], as_="opinion")

    # 2. 老旧小区改造: a generated report; one recommendation to 县住建局, one still to send.
    t2 = topic(
        K.RESEARCH,
        "城区老旧小区改造推进情况",
        "人口资源环境委员会",
        [m2, *others[4:8]],
        today - d(80),
        today - d(30),
        ["幸福里小区", "纺织厂宿舍区"],
        "老旧小区改造是重大民生工程，了解改造进度、群众满意度和长效管理情况。",
    )
    services.set_status(office, t2, "in_progress")
    _held_visit(office, t2, today - d(70), "幸福里小区")
    services.add_finding(
        m2.user, t2, content="部分小区加装电梯意见难统一，低层住户顾虑较多。", photo=_photo(3)
    )
    services.add_finding(others[4].user, t2, content="改造后缺乏物业管理，绿化和停车又回到原样。")
    services.submit_report(
        office,
        t2,
        generate=True,
        writer_ids=[m2.pk],
        recommendations=[
            "建立加装电梯协商议事机制，发挥社区和委员工作室作用，推动居民达成共识。",
            "同步引入物业服务或居民自治管理，建立改造后的长效管护机制。",
        ],
        summary="课题组建议将老旧小区改造与完整社区建设结合推进。",
    )
    services.route(office, t2.recommendations.order_by("number").first(), unit=units["住建局"])

    # 3. 农村养老服务: in progress, member1 and member2 take part; a visit to come.
    t3 = topic(
        K.RESEARCH,
        "农村养老服务体系建设",
        "社会和法制委员会",
        [m1, m2, *others[8:11]],
        today - d(20),
        today + d(25),
        ["青山乡敬老院", "河口村互助幸福院"],
        "农村老龄化程度高，留守老人多，调研农村养老服务设施和服务供给情况。",
    )
    services.set_status(office, t3, "in_progress")
    services.add_visit(
        office, t3, starts_at=_at(today + d(7), 9), ends_at=_at(today + d(7), 17), site="青山乡敬老院"
    )
    services.add_finding(m2.user, t3, content="互助幸福院建成后缺少运营经费，日常开放时间不足。")

    # 4. 民营经济发展: planned.
    topic(
        K.RESEARCH,
        "县域民营经济高质量发展",
        "经济委员会",
        [m3, *others[:3]],
        today + d(30),
        today + d(60),
        ["县经济开发区"],
        "围绕优化营商环境、破解融资难题开展调研。",
    )

    # 5. 主席集体视察: past its end without a report (the to-do).
    t5 = topic(
        K.INSPECTION,
        "全县重点项目建设推进情况",
        None,
        [m3, *others[:6]],
        today - d(35),
        today - d(5),
        ["县医院新院区", "城南污水处理厂"],
        "主席集体视察全县重点项目建设，督促项目按期建成投用。",
        chair=True,
    )
    services.set_status(office, t5, "in_progress")
    _held_visit(office, t5, today - d(30), "县医院新院区")
    services.add_finding(m3.user, t5, content="县医院新院区主体完工，医疗设备采购进度滞后。", photo=_photo(4))

    # 6. 视察 城区交通秩序: in progress with a held visit.
    t6 = topic(
        K.INSPECTION,
        "城区交通秩序整治",
        "社会和法制委员会",
        [m1, *others[6:10]],
        today - d(15),
        today + d(15),
        ["人民路", "汽车站片区"],
        "视察城区交通秩序整治和停车设施建设情况。",
    )
    services.set_status(office, t6, "in_progress")
    _held_visit(office, t6, today - d(10), "人民路")

    # 会前调研: the consultations on school balance and old residential areas build on the two reported topics.
    from zhengxie.consultation.models import Consultation

    for word, t in (("义务教育", t1), ("老旧小区", t2)):
        for c in Consultation.objects.filter(organisation=county, title__contains=word):
            c.research_topics.add(t)
