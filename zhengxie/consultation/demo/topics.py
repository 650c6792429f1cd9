"""Demo of 选题 and the year's plan for 青川县 this year: twelve candidate topics from the four sources
(党政点题 entered by 办公室, 委员荐题 by member1..3 and others, 调研访题, one 群众建言 through the call),
grouped and ranked; the chair's meeting chose some (linked to the consultations the consultations demo
made) and set others aside; an open call for next year's topics; the year's plan created and approved.

Fast: bulk inserts for the topics, the plan through its services (approval records the rows' snapshot)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from zhengxie.core.models import User
from zhengxie.members.models import Member

from ..models import Consultation, Topic, TopicCall
from ..services import topics as services

S = Topic.Source
T = Topic.Status

# (source, title, reason, group, rank, status, note, proposer: member username or None, title of the
# consultation it became, if any)
TOPICS = [
    (
        S.PARTY_GOV,
        "推进县域义务教育优质均衡发展",
        "县委将义务教育优质均衡创建列为今年重点工作，请县政协围绕城区大班额、乡村教师队伍开展专题协商。",
        "社会民生",
        1,
        T.CHOSEN,
        "列入常委会专题协商。",
        None,
        "推进县域义务教育优质均衡发展",
    ),
    (
        S.PARTY_GOV,
        "优化营商环境、提升政务服务效能",
        "县政府请政协就“一件事一次办”改革、涉企审批提速开展对口协商。",
        "经济发展",
        1,
        T.CHOSEN,
        "",
        None,
        "优化营商环境、提升政务服务效能",
    ),
    (
        S.MEMBER,
        "破解城区停车难问题",
        "城区停车泊位缺口大，老城区占道停车普遍，建议通过网络议政广泛听取群众意见。",
        "城乡建设",
        1,
        T.CHOSEN,
        "以网络议政形式开展。",
        "member1",
        "破解城区停车难",
    ),
    (
        S.MEMBER,
        "加快农村寄递物流体系建设",
        "农产品上行“最初一公里”成本高，村级寄递网点覆盖不足，建议开展双月协商。",
        "乡村振兴",
        1,
        T.CHOSEN,
        "",
        "member2",
        "加快农村寄递物流体系建设",
    ),
    (
        S.RESEARCH,
        "民营企业人才引进与留用",
        "经济委员会调研发现，县内规上民营企业技术人才流失率偏高，住房、子女入学是主要原因。",
        "经济发展",
        2,
        T.CHOSEN,
        "以界别协商形式开展。",
        None,
        "民营企业人才引进与留用",
    ),
    (
        S.MEMBER,
        "推进城乡生活垃圾分类",
        "城区试点一年来居民参与率约四成，建议围绕分类收运体系开展协商。",
        "城乡建设",
        2,
        T.CHOSEN,
        "",
        "member3",
        "推进城乡生活垃圾分类",
    ),
    (
        S.RESEARCH,
        "县域医共体建设成效评估",
        "教科卫体委员会在乡镇卫生院调研时发现，医共体内部人员、药品统一管理落实不到位。",
        "社会民生",
        2,
        T.CANDIDATE,
        "",
        None,
        None,
    ),
    (
        S.MEMBER,
        "发展农村养老互助服务",
        "农村留守老人多，村级互助养老点运营经费不稳定，建议协商建立长效机制。",
        "社会民生",
        3,
        T.CANDIDATE,
        "",
        "member1",
        None,
    ),
    (
        S.MEMBER,
        "打造县域文旅融合品牌",
        "我县文旅资源分散，缺少叫得响的品牌线路。",
        "经济发展",
        3,
        T.NOT_CHOSEN,
        "与去年全域旅游专题协商内容重复，建议以提案形式提出。",
        None,
        None,
    ),
    (
        S.PARTY_GOV,
        "河长制落实与中小河流治理",
        "县委请政协关注中小河流治理中的群众反映问题。",
        "生态环境",
        1,
        T.CANDIDATE,
        "",
        None,
        None,
    ),
    (
        S.RESEARCH,
        "高标准农田建设后期管护",
        "农业农村委员会调研发现，部分已建高标准农田管护主体不明确。",
        "乡村振兴",
        2,
        T.NOT_CHOSEN,
        "纳入明年民主监督计划。",
        None,
        None,
    ),
]
PUBLIC = (
    "老旧小区加装电梯",
    "我住的小区是九十年代建的六层楼，老人上下楼困难，加装电梯邻里意见难统一，希望政协帮助协商。",
    "城乡建设",
    3,
    "王女士",
)


def load(ctx) -> None:
    county = ctx["county"]
    office = User.objects.get(username="office")
    today = timezone.localdate()
    year = today.year
    members = list(
        Member.objects.filter(organisation=county, status=Member.Status.ACTIVE)
        .select_related("user")
        .order_by("pk")[:12]
    )
    by_username = {m.user.username: m for m in members if m.user_id}
    spare = [m for m in members if m.user_id and m.user.username not in ("member1", "member2", "member3")]
    now = timezone.now()
    # Dates within this year whatever today is: proposals early on, the decision a little later.
    start = timezone.make_aware(datetime.datetime(year, 1, 2, 9))
    span = max(now - start, datetime.timedelta(hours=1))

    def at(fraction: float):
        return start + span * fraction

    # A call for this year's topics that ran early in the year, and an open one for next year's.
    past_call = TopicCall.objects.create(
        organisation=county,
        year=year,
        title=f"{year}年度政协协商议题公开征集",
        description="围绕全县经济社会发展中群众关心的问题，征集年度协商议题。",
        opens_on=datetime.date(year, 1, 5),
        closes_on=datetime.date(year, 1, 31),
        created_by=office,
    )
    TopicCall.objects.create(
        organisation=county,
        year=year + 1,
        title=f"{year + 1}年度政协协商议题公开征集",
        description="欢迎广大群众围绕民生实事、发展难题建言献策，提出您希望县政协协商的议题。",
        opens_on=today - datetime.timedelta(days=5),
        closes_on=today + datetime.timedelta(days=25),
        created_by=office,
    )

    rows = []
    for i, (source, title, reason, group, rank, status, note, username, _c) in enumerate(TOPICS):
        member = None
        if source == S.MEMBER:
            member = by_username.get(username) if username else (spare[i % len(spare)] if spare else None)
        decided = status != T.CANDIDATE
        rows.append(
            Topic(
                organisation=county,
                year=year,
                title=title,
                reason=reason,
                source=source,
                member=member,
                created_by=member.user if member is not None else office,
                group_label=group,
                rank=rank,
                status=status,
                decision_note=note,
                decided_at=at(0.12) if decided else None,
                decided_by=office if decided else None,
                created_at=at(0.01 * i),
            )
        )
    title, reason, group, rank, name = PUBLIC
    rows.append(
        Topic(
            organisation=county,
            year=year,
            title=title,
            reason=reason,
            source=S.PUBLIC,
            call=past_call,
            citizen_name=name,
            group_label=group,
            rank=rank,
            created_at=min(at(0.05), timezone.make_aware(datetime.datetime(year, 1, 20, 10))),
        )
    )
    topics = Topic.objects.bulk_create(rows)

    # Link the chosen topics to the consultations of the plan.
    by_title = {t.title: t for t in topics}
    wanted = {spec[8]: by_title[spec[1]] for spec in TOPICS if spec[8]}
    for c in Consultation.objects.filter(organisation=county, year=year, title__in=list(wanted)):
        Consultation.objects.filter(pk=c.pk).update(topic=wanted[c.title])

    # The year's plan, created and approved (issuing is left to try in the demo).
    if services.plan_rows(county, year):
        services.create_plan(
            user=office,
            organisation=county,
            year=year,
            document_number=f"青政协发〔{year}〕3号",
            note="根据中共青川县委年度协商工作计划，经县政协主席会议研究，确定本年度协商议题如下。"
            "各专委会要牵头做好会前调研，确保协商取得实效。",
        )
        services.approve_plan(user=office, organisation=county, year=year)
