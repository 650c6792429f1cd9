"""Demo proposals of 青川县: this session (in every state) and last year's (mostly closed).

Rows are written directly (fast) keeping the invariants the services keep: numbers gap-free per session
(and the session counter set to match), one active lead assignment while assigned/handling/replied,
signers for every member proposal, a timeline per proposal, duty records through record_act, and the
search index rebuilt once. Dates are relative to today so that the traffic lights show green, yellow
and red. Deterministic: random is seeded by the loader.
"""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from zhengxie.core.models import Counter, Role, User
from zhengxie.handling.services.ratings import rehandle_due
from zhengxie.handling.services.supervision import latest_deadline
from zhengxie.members.models import Member

from . import reporting
from .handling_kind import PROPOSAL
from .models import Assignment, Contact, Evaluation, Event, FollowUp, FollowUpReport, Proposal, Reply, Signer

S = Proposal.Status

# (category, title, reasons, suggestions, lead unit short name, co-unit short name or "")
TOPICS = [
    (
        "科教文卫",
        "关于加强乡村学校教师队伍建设的建议",
        "乡村学校教师流失严重，音体美等学科教师短缺，教师年龄结构老化。",
        "一是提高乡村教师生活补助标准；二是建设教师周转宿舍；三是建立城乡教师交流轮岗机制。",
        "教育局",
        "人社局",
    ),
    (
        "科教文卫",
        "关于规范中小学课后服务的建议",
        "部分学校课后服务内容单一，以看管和写作业为主，家长满意度不高。",
        "一是引入优质社会资源丰富课后服务内容；二是完善课后服务经费保障；三是建立课后服务质量评价制度。",
        "教育局",
        "",
    ),
    (
        "科教文卫",
        "关于加快城区学前教育资源扩容的建议",
        "城区幼儿园学位紧张，新建小区配套幼儿园移交滞后。",
        "一是加快新建小区配套幼儿园建设移交；二是扩大普惠性幼儿园覆盖面；三是加强幼儿教师培养。",
        "教育局",
        "住建局",
    ),
    (
        "科教文卫",
        "关于加强校园周边交通安全管理的建议",
        "上下学高峰期校园周边车辆拥堵，学生通行存在安全隐患。",
        "一是设置校园周边临时停车区；二是在上下学时段加强护学岗；三是完善校园周边交通标志标线。",
        "教育局",
        "公安局",
    ),
    (
        "科教文卫",
        "关于完善县域医共体建设的建议",
        "基层医疗机构服务能力不足，群众看病仍向县城集中。",
        "一是推进县乡医疗资源统筹；二是加强乡镇卫生院人才队伍建设；三是完善远程会诊体系。",
        "卫健局",
        "医保局",
    ),
    (
        "科教文卫",
        "关于加强乡镇卫生院全科医生培养的建议",
        "乡镇卫生院全科医生数量不足，招不来、留不住问题突出。",
        "一是落实全科医生定向培养；二是提高基层医生待遇；三是畅通基层医生职称晋升渠道。",
        "卫健局",
        "人社局",
    ),
    (
        "科教文卫",
        "关于推进公共图书馆总分馆建设的建议",
        "乡镇图书室藏书陈旧，利用率低。",
        "一是建立县图书馆总分馆制；二是推动图书通借通还；三是开展全民阅读进乡村活动。",
        "文旅局",
        "",
    ),
    (
        "城乡建设",
        "关于加快老旧小区改造的建议",
        "县城部分老旧小区管网老化、缺少停车位和养老设施，居民改造意愿强烈。",
        "一是统筹推进老旧小区水电气管网改造；二是同步增设停车位和无障碍设施；三是建立改造后长效管理机制。",
        "住建局",
        "财政局",
    ),
    (
        "城乡建设",
        "关于规范住宅小区物业管理的建议",
        "部分小区物业服务不规范，业主委员会成立难，矛盾纠纷多。",
        "一是加强物业服务企业信用管理；二是指导小区依法成立业主委员会；三是建立物业纠纷调解机制。",
        "住建局",
        "",
    ),
    (
        "城乡建设",
        "关于加快城区停车设施建设的建议",
        "城区停车位缺口大，占道停车现象普遍。",
        "一是规划建设公共停车场；二是挖掘机关单位停车位错时共享；三是推广智慧停车管理。",
        "住建局",
        "城管局",
    ),
    (
        "城乡建设",
        "关于推进城镇燃气管道更新改造的建议",
        "部分城镇燃气管道使用年限长，存在安全隐患。",
        "一是开展燃气管道全面排查；二是分年度推进老化管道更新；三是落实燃气企业安全主体责任。",
        "住建局",
        "应急局",
    ),
    (
        "城乡建设",
        "关于加强农村自建房质量安全管理的建议",
        "农村自建房缺少设计和监管，部分房屋存在结构安全隐患。",
        "一是推广农房标准图集；二是加强农村建筑工匠培训；三是开展农村自建房安全排查整治。",
        "住建局",
        "自然资源局",
    ),
    (
        "农业农村",
        "关于推动茶产业高质量发展的建议",
        "我县茶叶品牌知名度不高，精深加工能力弱，产业链条短。",
        "一是打造区域公用品牌；二是扶持龙头企业发展精深加工；三是推进茶旅融合。",
        "农业农村局",
        "商务局",
    ),
    (
        "农业农村",
        "关于加强高标准农田建设后期管护的建议",
        "部分已建成的高标准农田设施损毁后无人管护。",
        "一是明确管护主体和责任；二是落实管护资金；三是建立管护考核机制。",
        "农业农村局",
        "财政局",
    ),
    (
        "农业农村",
        "关于发展壮大村级集体经济的建议",
        "部分村集体经济收入来源单一，空壳村仍然存在。",
        "一是盘活村集体闲置资产；二是发展乡村特色产业；三是加强村集体经济组织人才培养。",
        "农业农村局",
        "",
    ),
    (
        "农业农村",
        "关于加强农村人居环境整治的建议",
        "农村生活污水收集处理率低，部分村庄垃圾清运不及时。",
        "一是推进农村生活污水治理；二是完善农村垃圾收运体系；三是建立村庄保洁长效机制。",
        "农业农村局",
        "生态环境分局",
    ),
    (
        "资源环境",
        "关于加强县城河道综合治理的建议",
        "县城段河道存在淤积和排污口，汛期行洪能力不足。",
        "一是开展河道清淤疏浚；二是排查整治入河排污口；三是落实河长制巡查责任。",
        "水利局",
        "生态环境分局",
    ),
    (
        "资源环境",
        "关于推进生活垃圾分类的建议",
        "垃圾分类设施配置不足，居民分类意识不强。",
        "一是完善分类投放和收运设施；二是开展垃圾分类宣传进社区；三是建立分类激励机制。",
        "城管局",
        "",
    ),
    (
        "资源环境",
        "关于加强饮用水水源地保护的建议",
        "部分乡镇饮用水水源地保护区划定后管理不到位。",
        "一是完善水源地保护设施；二是加强水质监测；三是整治保护区内违法建设。",
        "生态环境分局",
        "水利局",
    ),
    (
        "资源环境",
        "关于加强森林防火能力建设的建议",
        "林区防火通道和取水设施不足，护林员年龄偏大。",
        "一是完善林区防火通道和蓄水池；二是充实专业扑火队伍；三是推广防火监测预警系统。",
        "林业局",
        "应急局",
    ),
    (
        "经济建设",
        "关于优化营商环境助力民营企业发展的建议",
        "企业反映审批环节多、融资难、惠企政策知晓率低。",
        "一是推进审批事项一网通办；二是搭建银企对接平台；三是建立惠企政策直达机制。",
        "发改委",
        "市场监管局",
    ),
    (
        "经济建设",
        "关于加快县域电子商务发展的建议",
        "农产品电商规模小，物流成本高，缺少专业人才。",
        "一是建设县级电商公共服务中心；二是完善农村物流配送网络；三是加强电商人才培训。",
        "商务局",
        "",
    ),
    (
        "经济建设",
        "关于推进工业园区提档升级的建议",
        "园区基础设施配套不足，标准厂房利用率不高。",
        "一是完善园区道路和供水供电配套；二是盘活闲置厂房；三是强化产业链招商。",
        "工信局",
        "发改委",
    ),
    (
        "经济建设",
        "关于加大小微企业融资支持的建议",
        "小微企业缺少抵押物，贷款难、贷款贵问题依然存在。",
        "一是扩大政府性融资担保规模；二是推广信用贷款产品；三是建立续贷过桥资金池。",
        "财政局",
        "",
    ),
    (
        "社会法制",
        "关于完善农村养老服务体系的建议",
        "农村老年人口比重高，留守老人照料服务缺乏。",
        "一是建设村级互助养老点；二是发展居家上门养老服务；三是培育养老护理员队伍。",
        "民政局",
        "卫健局",
    ),
    (
        "社会法制",
        "关于加强未成年人网络保护的建议",
        "未成年人沉迷网络游戏、遭遇网络诈骗的问题增多。",
        "一是开展网络素养进校园；二是加强网吧等场所监管；三是建立家校社协同保护机制。",
        "公安局",
        "教育局",
    ),
    (
        "社会法制",
        "关于推进基层矛盾纠纷多元化解的建议",
        "基层矛盾纠纷类型多样，调解力量分散。",
        "一是建设县级矛盾纠纷调处中心；二是壮大专职人民调解员队伍；三是推进诉调对接。",
        "司法局",
        "法院",
    ),
    (
        "社会法制",
        "关于加强困难群众临时救助的建议",
        "临时救助审批时间长，急难群众得不到及时救助。",
        "一是下放临时救助审批权限；二是建立急难救助先行机制；三是加强部门信息共享。",
        "民政局",
        "",
    ),
    (
        "社会法制",
        "关于加强退役军人就业创业服务的建议",
        "退役军人就业渠道窄，创业扶持政策落实不够。",
        "一是开展退役军人专场招聘；二是落实创业贷款贴息；三是加强职业技能培训。",
        "退役军人局",
        "人社局",
    ),
    (
        "党派团体",
        "关于发挥新的社会阶层人士作用的建议",
        "新的社会阶层人士参与社会治理的渠道不多。",
        "一是搭建新的社会阶层人士实践平台；二是加强教育培训；三是建立联系服务机制。",
        "发改委",
        "",
    ),
    (
        "其他",
        "关于推进政务服务“一网通办”的建议",
        "部分事项线上办理不畅，数据共享不足，群众仍需多次跑腿。",
        "一是梳理高频事项实现全程网办；二是打通部门数据壁垒；三是完善帮办代办服务。",
        "数据局",
        "",
    ),
    (
        "其他",
        "关于加强县城公共文化体育设施建设的建议",
        "县城缺少全民健身场地，现有设施开放时间短。",
        "一是规划建设社区健身广场；二是推动学校体育场地错时开放；三是加强设施日常维护。",
        "体育中心",
        "文旅局",
    ),
]

# 跟踪落实 progress reports, in the order a unit would write them.
PROGRESS = [
    "已制定落实方案，明确了责任股室和时间节点。",
    "已完成前期调研和方案设计，所需资金已列入年度预算。",
    "项目已开工，完成计划工作量约四成，预计按期完成。",
]
DONE_REPORT = "所承诺的工作已全部完成，已向提案人通报落实情况。"
# Stages of this session's closed B replies' follow-ups, in turn.
FOLLOWUP_STAGES = ["overdue", "reported_done", "done", "progress", "done", "progress"]

REJECT = ["个人或家庭问题", "内容空泛、无具体建议", "属于信访事项"]
RESULT = ["A", "A", "B", "B", "B", "C"]


def _dt(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


class _Builder:
    def __init__(self, ctx):
        self.county = ctx["county"]
        self.today = timezone.localdate()
        users = ctx["member_users"]
        self.members = list(
            Member.objects.filter(organisation=self.county).select_related("user").order_by("id")
        )
        self.m = {u: users[u].member for u in ("member1", "member2", "member3")}
        self.units = {u.short_name: u for u in ctx["units"]}
        named = {u.username: u for u in User.objects.filter(username__in=["staff", "leader"])}
        self.staff, self.leader = named["staff"], named["leader"]
        self.handler = {}
        for u in User.objects.filter(handling_unit__organisation=self.county, groups__name=Role.UNIT_HANDLER):
            self.handler.setdefault(u.handling_unit_id, u)
        self.proposals: list[Proposal] = []
        self.signers: list[Signer] = []
        self.assignments: list[Assignment] = []
        self.events: list[Event] = []
        self.plan = []  # (proposal, spec dict)
        self.session = ctx["session"]

    def lead_for(self, i):
        # member1 leads a good share, so the demo login has plenty to see.
        if i % 7 == 0:
            return self.m["member1"]
        if i % 11 == 0:
            return self.m["member3"]
        return self.members[(i * 5) % len(self.members)]

    def new(self, session, i, state, *, days_ago: int, light=None, kind=None, lead=None, cos=(), topic=None):
        topic = topic or TOPICS[i % len(TOPICS)]
        cat, title, reasons, suggestions, unit, co_unit = topic
        lead = lead or self.lead_for(i)
        if kind is None:
            kind = "joint" if i % 6 == 1 else "individual"
        if kind == "joint" and not cos:
            pool = [m for m in self.members if m.pk != lead.pk]
            cos = random.sample(pool, k=min(len(pool), random.choice([1, 2, 3])))
        if kind == "collective":
            lead, cos = None, ()
        created = self.today - datetime.timedelta(days=days_ago)
        p = Proposal(
            organisation=self.county,
            session=session,
            title=title,
            reasons=reasons,
            suggestions=suggestions,
            category=cat,
            kind=kind,
            status=state,
            author=lead.user if lead else self.staff,
            lead_member=lead,
            collective_body="民盟青川县委员会" if kind == "collective" else "",
            created_at=_dt(created, 9),
            research_note="赴相关乡镇和部门开展实地调研，召开座谈会 2 次。" if i % 3 == 0 else "",
        )
        spec = {
            "created": created,
            "unit": unit,
            "co_unit": co_unit,
            "lead": lead,
            "cos": list(cos),
            "i": i,
            "light": light,
        }
        self.plan.append((p, spec))
        return p

    # -- second pass: dates, nodes and related rows -----------------------------------------------------------

    def build(self):
        Proposal.objects.bulk_create([p for p, _ in self.plan])
        reporting.open_cases([p for p, _ in self.plan])
        numbered = {}
        for p, spec in self.plan:
            self._signers(p, spec)
            self._nodes(p, spec)
        # Numbers: gap-free per session, in order of acceptance.
        for p, _spec in sorted(
            ((p, s) for p, s in self.plan if p.accepted_at), key=lambda x: (x[0].accepted_at, x[0].pk)
        ):
            numbered.setdefault(p.session_id, 0)
            numbered[p.session_id] += 1
            p.number = numbered[p.session_id]
        Proposal.objects.bulk_update(
            [p for p, _ in self.plan],
            [
                "number",
                "status",
                "submitted_at",
                "accepted_at",
                "assigned_at",
                "deadline",
                "replied_at",
                "closed_at",
                "reject_reason",
                "review_note",
                "converted_to",
                "is_key",
                "key_leader",
                "is_excellent",
                "rehandle_round",
                "light",
                "during_plenary",
            ],
        )
        for session_id, n in numbered.items():
            Counter.objects.update_or_create(
                organisation=self.county, key=f"proposal:{session_id}", defaults={"value": n}
            )
        Signer.objects.bulk_create(self.signers)
        Assignment.objects.bulk_create(self.assignments)
        self._replies()
        self._parallel_replies()
        self._followups()
        self._merges()
        self._lights()
        Event.objects.bulk_create(self.events)
        reporting.sync([p.pk for p, _ in self.plan])  # rows made in bulk: fill the statistics copies

    def ev(self, p, day, action, label, actor=None, hour=10, detail=""):
        self.events.append(
            Event(
                case_id=p.case_id,
                at=_dt(day, hour),
                actor=actor,
                actor_label=actor.name if actor else "系统",
                action=action,
                label=label,
                detail=detail,
            )
        )

    def _signers(self, p, spec):
        lead = spec["lead"]
        if lead is None:
            return
        self.signers.append(
            Signer(
                proposal=p,
                member=lead,
                role=Signer.Role.LEAD,
                status=Signer.Status.AGREED,
                order=0,
                invited_at=_dt(spec["created"]),
                responded_at=_dt(spec["created"]),
            )
        )
        for n, m in enumerate(spec["cos"], 1):
            status = (
                Signer.Status.INVITED if p.status in (S.DRAFT, S.AWAITING_COSIGNERS) else Signer.Status.AGREED
            )
            self.signers.append(
                Signer(
                    proposal=p,
                    member=m,
                    role=Signer.Role.COSIGNER,
                    status=status,
                    order=n,
                    invited_at=_dt(spec["created"] + datetime.timedelta(days=1)),
                    responded_at=None
                    if status == Signer.Status.INVITED
                    else _dt(spec["created"] + datetime.timedelta(days=2)),
                )
            )

    def _nodes(self, p, spec):
        c = spec["created"]
        author = spec["lead"].user if spec["lead"] else self.staff
        self.ev(p, c, "create", "起草提案", author, 9)
        if p.status == S.DRAFT:
            return
        submitted = c + datetime.timedelta(days=1)
        p.submitted_at = _dt(submitted)
        p.during_plenary = (
            p.session.start_date <= submitted <= (p.session.proposal_deadline or p.session.end_date)
        )
        if p.status == S.AWAITING_COSIGNERS:
            self.ev(p, submitted, "submit", "提交提案，邀请附议", author)
            return
        self.ev(p, submitted, "submit", "提交提案", author)
        if p.status == S.SUBMITTED:
            return
        reviewed = submitted + datetime.timedelta(days=6)
        if p.status == S.REJECTED:
            p.reject_reason = REJECT[spec["i"] % len(REJECT)]
            self.ev(p, reviewed, "reject", f"不予立案：{p.reject_reason}", self.staff)
            return
        if p.status == S.CONVERTED:
            p.converted_to = Proposal.ConvertedTo.SUGGESTION
            p.review_note = "转有关部门参考。"
            self.ev(p, reviewed, "convert", "转为意见建议：转有关部门参考。", self.staff)
            return
        if p.status == S.MERGED:
            return  # completed in _merges (needs the target)
        p.accepted_at = _dt(reviewed)
        self.ev(p, reviewed, "accept", "立案", self.staff)
        if spec.get("key"):
            p.is_key, p.key_leader = True, self.leader
            self.ev(
                p,
                reviewed + datetime.timedelta(days=3),
                "mark_key",
                f"确定为重点提案，{self.leader.name}领衔督办",
                self.staff,
            )
        if p.status == S.ACCEPTED:
            return
        assigned = reviewed + datetime.timedelta(days=4)
        p.assigned_at = _dt(assigned)
        # Never later than 交办 and 延期 could set it (交办之日起 180 天: the spine's latest_deadline).
        p.deadline = min(
            max(
                spec.get("deadline") or assigned + datetime.timedelta(days=90),
                assigned + datetime.timedelta(days=10),
            ),
            latest_deadline(PROPOSAL, self.county, assigned)[0],
        )
        if spec.get("parallel"):
            return self._parallel_nodes(p, spec, assigned)
        lead_unit = self.units[spec["unit"]]
        lead = Assignment(
            case_id=p.case_id,
            unit=lead_unit,
            role=Assignment.Role.LEAD,
            assigned_at=p.assigned_at,
            assigned_by=self.staff,
            deadline=p.deadline,
        )
        self.assignments.append(lead)
        spec["assignment"] = lead
        label = f"交办：主办 {lead_unit.name}"
        if spec["co_unit"]:
            co = Assignment(
                case_id=p.case_id,
                unit=self.units[spec["co_unit"]],
                role=Assignment.Role.CO,
                assigned_at=p.assigned_at,
                assigned_by=self.staff,
                deadline=min(p.deadline, assigned + datetime.timedelta(days=30)),
            )
            self.assignments.append(co)
            spec["co"] = co
            label += f"，会办：{co.unit.name}"
        self.ev(p, assigned, "assign", f"{label}，期限 {p.deadline:%Y-%m-%d}", self.staff)
        handler = self.handler.get(lead_unit.pk)
        if p.status == S.ASSIGNED:
            return
        ack = assigned + datetime.timedelta(days=2)
        lead.acknowledged_at, lead.acknowledged_by = _dt(ack, 15), handler
        self.ev(p, ack, "acknowledge", f"{lead_unit.name}签收（主办）", handler, 15)
        if spec.get("co"):
            co = spec["co"]
            co_handler = self.handler.get(co.unit_id)
            co.acknowledged_at, co.acknowledged_by = _dt(ack, 16), co_handler
            if p.status != S.HANDLING or spec["i"] % 2:
                co.co_opinion = "我单位同意主办单位的办理意见，将在职责范围内予以配合。"
                co.co_opinion_at = _dt(ack + datetime.timedelta(days=10))
        spec["handler"] = handler
        if not spec.get("no_contact"):
            contact_day = min(ack + datetime.timedelta(days=7), self.today)
            spec["contact"] = Contact(
                contacted_on=contact_day,
                method=random.choice(Contact.Method.values),
                summary="与提案人当面沟通了办理思路和计划，提案人表示认可。",
                recorded_by=handler,
            )
            self.ev(p, contact_day, "contact", f"{lead_unit.name}与提案人沟通", handler, 16)

    def _replies(self):
        contacts, replies, plan_replies = [], [], []
        self.replied = plan_replies  # (proposal, spec, reply): the follow-ups of B replies read them
        for p, spec in self.plan:
            if spec.get("parallel"):
                continue  # _parallel_replies
            if spec.get("contact"):
                spec["contact"].assignment = spec["assignment"]
                contacts.append(spec["contact"])
            if p.status not in (S.REPLIED, S.CLOSED, S.REHANDLING):
                continue
            a = spec["assignment"]
            replied = a.acknowledged_at.date() + datetime.timedelta(days=spec.get("reply_after", 60))
            replied = min(replied, self.today - datetime.timedelta(days=spec.get("replied_days_ago", 0)))
            rc = RESULT[spec["i"] % len(RESULT)]
            reply = Reply(
                case_id=p.case_id,
                assignment=a,
                result_class=rc,
                round=1,
                replied_by=spec["handler"],
                replied_at=_dt(replied, 11),
                on_time=replied <= p.deadline,
                content=f"您提出的《{p.title}》收悉。我单位高度重视，经认真研究，现答复如下："
                f"{'所提建议已被采纳并落实。' if rc == 'A' else '已列入年度工作计划逐步解决。' if rc == 'B' else '因条件限制，留作今后工作参考。'}",
            )
            replies.append(reply)
            plan_replies.append((p, spec, reply))
            p.replied_at = reply.replied_at
            self.ev(
                p,
                replied,
                "reply",
                f"{a.unit.name}答复（{rc}类，{'按期' if reply.on_time else '逾期'}）",
                spec["handler"],
                11,
            )
        Contact.objects.bulk_create(contacts)
        Reply.objects.bulk_create(replies)
        evaluations, second = [], []
        by_proposal = {}
        for s in self.signers:
            by_proposal.setdefault(s.proposal_id, []).append(s)
        for p, spec, reply in plan_replies:
            raters = [s for s in by_proposal.get(p.pk, []) if s.status == Signer.Status.AGREED]
            day = reply.replied_at.date() + datetime.timedelta(days=5)
            if p.status == S.CLOSED:
                for s in raters:
                    rating = "satisfied" if (spec["i"] + s.order) % 3 else "basically_satisfied"
                    evaluations.append(
                        Evaluation(
                            case_id=p.case_id,
                            reply=reply,
                            member=s.member,
                            rating=rating,
                            recorded_by=s.member.user,
                            created_at=_dt(day, 14),
                        )
                    )
                    self.ev(
                        p,
                        day,
                        "evaluate",
                        f"{s.member.name}评价：{dict(Evaluation.Rating.choices)[rating]}",
                        s.member.user,
                        14,
                    )
                p.closed_at = _dt(day + datetime.timedelta(days=3))
                self.ev(p, day + datetime.timedelta(days=3), "close", "办结", self.staff, 15)
            elif p.status == S.REPLIED and spec.get("rated") and raters:
                s = raters[0]
                evaluations.append(
                    Evaluation(
                        case_id=p.case_id,
                        reply=reply,
                        member=s.member,
                        rating="basically_satisfied",
                        comment="基本满意，希望加快落实。",
                        recorded_by=s.member.user,
                        created_at=_dt(day, 14),
                    )
                )
                self.ev(p, day, "evaluate", f"{s.member.name}评价：基本满意", s.member.user, 14)
            elif p.status == S.REHANDLING and raters:
                s = raters[0]
                day = self.today - datetime.timedelta(days=2)
                evaluations.append(
                    Evaluation(
                        case_id=p.case_id,
                        reply=reply,
                        member=s.member,
                        rating="unsatisfied",
                        comment="答复内容空泛，未提出具体措施和时间表。",
                        recorded_by=s.member.user,
                        created_at=_dt(day, 14),
                    )
                )
                p.rehandle_round = 2
                # The spine's re-handling rule (rehandle_days from the rating, never shortened).
                p.deadline = rehandle_due(PROPOSAL, self.county, day, p.deadline)
                spec["assignment"].deadline = p.deadline
                second.append(spec["assignment"])
                self.ev(
                    p,
                    day,
                    "evaluate",
                    f"{s.member.name}评价：不满意，退回重新办理（第2轮）",
                    s.member.user,
                    14,
                )
        Evaluation.objects.bulk_create(evaluations)
        Assignment.objects.bulk_update(second, ["deadline"])
        Proposal.objects.bulk_update(
            [p for p, _ in self.plan], ["replied_at", "closed_at", "rehandle_round", "deadline"]
        )

    # -- 分办: several units, each answering its own part -------------------------------------------------

    def _parallel_nodes(self, p, spec, assigned):
        """Every unit is a parallel one; each acknowledges and contacts the proposer on its own."""
        rows = []
        for part in spec["parallel"]:
            a = Assignment(
                case_id=p.case_id,
                unit=self.units[part["unit"]],
                role=Assignment.Role.PARALLEL,
                assigned_at=p.assigned_at,
                assigned_by=self.staff,
                deadline=p.deadline,
            )
            part["assignment"] = a
            rows.append(a)
        self.assignments += rows
        spec["assignment"] = rows[0]
        names = "、".join(a.unit.name for a in rows)
        self.ev(p, assigned, "assign", f"交办：分办 {names}，期限 {p.deadline:%Y-%m-%d}", self.staff)
        if p.status == S.ASSIGNED:
            return
        for k, part in enumerate(spec["parallel"]):
            a = part["assignment"]
            handler = self.handler.get(a.unit_id)
            ack = assigned + datetime.timedelta(days=1 + k)
            a.acknowledged_at, a.acknowledged_by = _dt(ack, 15), handler
            self.ev(p, ack, "acknowledge", f"{a.unit.name}签收（分办）", handler, 15)
            day = min(ack + datetime.timedelta(days=6), self.today)
            part["contact"] = Contact(
                contacted_on=day,
                method=Contact.Method.values[k % len(Contact.Method.values)],
                summary="就本单位职责范围内的事项与提案人沟通了办理思路，提案人表示认可。",
                recorded_by=handler,
            )
            self.ev(p, day, "contact", f"{a.unit.name}与提案人沟通", handler, 16)

    def _parallel_replies(self):
        """Each unit's reply, rated on its own; 不满意 sends only that unit back (next round, new deadline),
        as services.proposal_reply and proposal_evaluate do. The proposal is replied when every unit has."""
        contacts, replies, evaluations, moved, changed = [], [], [], [], []
        for p, spec in self.plan:
            if not spec.get("parallel"):
                continue
            changed.append(p)
            for part in spec["parallel"]:
                if part.get("contact"):
                    part["contact"].assignment = part["assignment"]
                    contacts.append(part["contact"])
            answered = sorted(
                (x for x in spec["parallel"] if x.get("reply") is not None), key=lambda x: -x["reply"]
            )
            for k, part in enumerate(answered, 1):
                a, cls = part["assignment"], part["class"]
                day = self.today - datetime.timedelta(days=part["reply"])
                handler = self.handler.get(a.unit_id)
                reply = Reply(
                    case_id=p.case_id,
                    assignment=a,
                    result_class=cls,
                    round=1,
                    replied_by=handler,
                    replied_at=_dt(day, 11),
                    on_time=day <= a.deadline,
                    content=f"您提出的《{p.title}》中涉及我单位职责的部分，经认真研究，现答复如下："
                    f"{'所提建议已被采纳并落实。' if cls == 'A' else '已列入年度工作计划逐步解决。' if cls == 'B' else '因条件限制，留作今后工作参考。'}",
                )
                part["reply_row"] = reply
                replies.append(reply)
                self.replied.append((p, spec, reply))
                self.ev(
                    p,
                    day,
                    "reply",
                    f"{a.unit.name}答复（{cls}类，{'按期' if reply.on_time else '逾期'}）"
                    f"（分办 {k}/{len(spec['parallel'])} 个单位已答复）",
                    handler,
                    11,
                )
                if k == len(spec["parallel"]):
                    p.replied_at = reply.replied_at
            raters = [s for s in self.signers if s.proposal_id == p.pk and s.status == Signer.Status.AGREED]
            for part in answered:
                how, a, reply = part.get("rated"), part["assignment"], part["reply_row"]
                day = min(reply.replied_at.date() + datetime.timedelta(days=3), self.today)
                if how == "unsatisfied":
                    s = raters[0]
                    day = self.today - datetime.timedelta(days=part.get("rated_ago", 2))
                    evaluations.append(
                        Evaluation(
                            case_id=p.case_id,
                            reply=reply,
                            member=s.member,
                            rating="unsatisfied",
                            comment="答复未涉及具体改造计划和资金安排，请重新办理。",
                            recorded_by=s.member.user,
                            created_at=_dt(day, 14),
                        )
                    )
                    p.rehandle_round = 2
                    p.deadline = a.deadline = rehandle_due(PROPOSAL, self.county, day, a.deadline, p.deadline)
                    moved.append(a)
                    self.ev(
                        p,
                        day,
                        "evaluate",
                        f"{s.member.name}评价（{a.unit.name}的答复）：不满意，{a.unit.name}重新办理（第2轮）",
                        s.member.user,
                        14,
                    )
                    continue
                for n, s in enumerate(raters if how == "all" else raters[:1] if how == "first" else []):
                    rating = "basically_satisfied" if n % 2 else "satisfied"
                    evaluations.append(
                        Evaluation(
                            case_id=p.case_id,
                            reply=reply,
                            member=s.member,
                            rating=rating,
                            recorded_by=s.member.user,
                            created_at=_dt(day, 14),
                        )
                    )
                    self.ev(
                        p,
                        day,
                        "evaluate",
                        f"{s.member.name}评价（{a.unit.name}的答复）："
                        f"{dict(Evaluation.Rating.choices)[rating]}",
                        s.member.user,
                        14,
                    )
        Contact.objects.bulk_create(contacts)
        Reply.objects.bulk_create(replies)
        Evaluation.objects.bulk_create(evaluations)
        Assignment.objects.bulk_update(moved, ["deadline"])
        Proposal.objects.bulk_update(changed, ["replied_at", "rehandle_round", "deadline"])

    # -- 跟踪落实 of B replies ---------------------------------------------------------------------------

    def _followups(self):
        """Every B reply opened a follow-up (services.followup.open_for_reply), at the stage its age suggests:
        last session's confirmed; this session's with plans and progress reports, one overdue, one reported
        done and waiting for the office, some confirmed; the newest just opened."""
        made, closed = [], 0
        for p, _spec, reply in self.replied:
            if reply.result_class != "B":
                continue
            f = FollowUp(
                case_id=p.case_id, assignment=reply.assignment, reply=reply, opened_at=reply.replied_at
            )
            opened = reply.replied_at.date()
            self.ev(
                p,
                opened,
                "followup_open",
                f"{reply.assignment.unit.name}答复为B类，转入跟踪落实",
                reply.replied_by,
                11,
            )
            if p.session_id != self.session.pk:
                stage = "done" if p.status == S.CLOSED else "progress"
            elif p.status == S.CLOSED:
                stage = FOLLOWUP_STAGES[closed % len(FOLLOWUP_STAGES)]
                closed += 1
            else:
                stage = "progress" if (self.today - opened).days >= 7 else "new"
            made.append((f, p, stage))
        FollowUp.objects.bulk_create([f for f, _, _ in made])
        reports = []
        for f, p, stage in made:
            reports += self._followup_stage(f, p, stage)
        FollowUpReport.objects.bulk_create(reports)
        FollowUp.objects.bulk_update(
            [f for f, _, _ in made],
            [
                "status",
                "planned_date",
                "last_report_at",
                "done_at",
                "confirmed_at",
                "confirmed_by",
                "reminded_on",
            ],
        )

    def _followup_stage(self, f, p, stage) -> list[FollowUpReport]:
        today, unit, handler = self.today, f.assignment.unit.name, f.reply.replied_by
        opened = f.opened_at.date()

        def day(n):  # n days after the opening, not in the future
            return min(opened + datetime.timedelta(days=max(n, 0)), today)

        if stage == "new":
            return []
        if stage == "overdue":
            plan, steps = (
                max(opened + datetime.timedelta(days=1), today - datetime.timedelta(days=12)),
                [(10, 0)],
            )
        elif stage == "reported_done":
            plan, steps = today + datetime.timedelta(days=20), [(10, 0), (None, None)]
        elif stage == "done":
            plan = day(90)
            steps = [(15, 1), ((plan - opened).days - 3, None)]
        else:  # progress: a plan half a year out, reports no older than the reminder period
            spread = f.pk % 4  # not every plan and report on the same day
            plan = max(
                opened + datetime.timedelta(days=180), today + datetime.timedelta(days=30 + 25 * spread)
            )
            steps = [(3, 0)] + (
                [((today - opened).days - 8 - 9 * spread, 1 + spread % 2)]
                if (today - opened).days > 60
                else []
            )
        f.planned_date = plan
        self.ev(p, day(2), "followup_plan", f"{unit}确定计划完成时间：{plan:%Y-%m-%d}", handler, 15)
        out = []
        for after, text in steps:
            final = text is None
            when = today - datetime.timedelta(days=3) if after is None else day(after)
            content = DONE_REPORT if final else PROGRESS[text]
            out.append(
                FollowUpReport(
                    followup=f, content=content, is_final=final, reported_by=handler, at=_dt(when, 16)
                )
            )
            f.last_report_at = _dt(when, 16)
            if final:
                f.status, f.done_at = FollowUp.Status.REPORTED_DONE, _dt(when, 16)
                self.ev(p, when, "followup_done", f"{unit}报告已落实，待提案委员会确认", handler, 16, content)
            else:
                self.ev(p, when, "followup_report", f"{unit}报告落实进展", handler, 16, content)
        if stage == "done":
            when = min(f.done_at.date() + datetime.timedelta(days=5), today)
            f.status, f.confirmed_at, f.confirmed_by = FollowUp.Status.DONE, _dt(when, 17), self.staff
            self.ev(p, when, "followup_confirm", f"确认{unit}办结落实", self.staff, 17)
        if f.status == FollowUp.Status.OPEN:
            self._reminded(f, p)
        return out

    def _reminded(self, f, p):
        """The daily job (jobs.check_followups) has already reminded what was silent or late, as it would have."""
        period = datetime.timedelta(days=90)  # "proposals.followup_report_days"
        last = timezone.localdate(f.last_report_at or f.opened_at)
        due = [last + period] + ([f.planned_date + datetime.timedelta(days=1)] if f.planned_date else [])
        latest = []
        for on in due:  # the last time each reason reminded, once per period
            if on <= self.today:
                while on + period <= self.today:
                    on += period
                latest.append(on)
        if not latest:
            return
        on = max(latest)
        f.reminded_on = on
        late = f.planned_date is not None and f.planned_date < on
        why = f"计划完成时间 {f.planned_date:%Y年%m月%d日} 已过" if late else "已超过 90 天未报告落实进展"
        self.ev(p, on, "followup_reminder", f"跟踪落实提醒：{f.assignment.unit.name}（{why}）", None, 8)

    def _merges(self):
        changed, carried = [], []
        for p, spec in self.plan:
            target = spec.get("merge_into")
            if p.status != S.MERGED or target is None:
                continue
            p.merged_into = target
            p.review_note = "与同类提案并案办理。"
            changed.append(p)
            day = p.submitted_at.date() + datetime.timedelta(days=6)
            self.ev(p, day, "merge", f"并入第{target.number:04d}号《{target.title}》", self.staff)
            self.ev(target, day, "merged_in", f"并入提案《{p.title}》（提案人随案合并）", self.staff)
            have = {s.member_id for s in self.signers if s.proposal_id == target.pk}
            if spec["lead"].pk not in have:
                carried.append(
                    Signer(
                        proposal=target,
                        member=spec["lead"],
                        role=Signer.Role.COSIGNER,
                        status=Signer.Status.AGREED,
                        order=20,
                        via_merge=p,
                        responded_at=_dt(day),
                    )
                )
        Proposal.objects.bulk_update(changed, ["merged_into", "review_note"])
        Signer.objects.bulk_create(carried)

    def _lights(self):
        """The lights as the daily job would set them today (on the cases, copied to the proposals)."""
        from zhengxie.handling.lights import refresh_lights

        reporting.sync([p.pk for p, _ in self.plan])
        refresh_lights(today=self.today, organisation=self.county)


def _credit(b: _Builder):
    """Duty records through performance.record_act, as the services would have written them."""
    from zhengxie.performance.services import record_act

    from .services import _shares

    for p, _spec in b.plan:
        if p.status in (S.DRAFT, S.AWAITING_COSIGNERS):
            continue
        shares = _shares(p)
        for member, share in shares:
            record_act(
                member=member, act="proposal_submit", source=p, occurred_on=p.submitted_at.date(), share=share
            )
            if p.accepted_at:
                record_act(
                    member=member,
                    act="proposal_accept",
                    source=p,
                    occurred_on=p.accepted_at.date(),
                    share=share,
                )
            if p.status == S.MERGED:
                record_act(
                    member=member,
                    act="proposal_accept",
                    source=p,
                    occurred_on=p.submitted_at.date(),
                    share=share,
                )
            if p.is_key:
                record_act(
                    member=member, act="proposal_key", source=p, occurred_on=p.accepted_at.date(), share=share
                )
            if p.is_excellent:
                record_act(
                    member=member,
                    act="proposal_excellent",
                    source=p,
                    occurred_on=p.closed_at.date(),
                    share=share,
                )


def _index(b: _Builder):
    from zhengxie.search.services import rebuild

    from .models import _search_documents

    rebuild("proposal", _search_documents())


def load(ctx):
    sessions = ctx["sessions"]
    this, last = ctx["session"], sessions[-2]
    b = _Builder(ctx)
    today = b.today
    # This session's window: from its opening (or 300 days back) to today.
    span = max(40, min(300, (today - this.start_date).days))
    i = 0

    def add(state, n, **kw):
        nonlocal i
        out = []
        fixed = kw.pop("days_ago", None)
        for _ in range(n):
            i += 1
            p = b.new(this, i, state, days_ago=fixed or random.randint(span // 2, span), **kw)
            out.append(p)
        return out

    def spec(p):
        return next(s for q, s in b.plan if q is p)

    # Drafts and 附议: member1's own drafts, and member1's joint proposal awaiting member2.
    add(S.DRAFT, 2, lead=b.m["member1"], days_ago=3)
    add(S.DRAFT, 2, days_ago=5)
    add(
        S.AWAITING_COSIGNERS,
        1,
        lead=b.m["member1"],
        kind="joint",
        cos=[b.m["member2"]],
        days_ago=2,
        topic=TOPICS[1],
    )
    add(S.AWAITING_COSIGNERS, 1, kind="joint", days_ago=4)
    # Waiting for review by staff, and review outcomes.
    add(S.SUBMITTED, 5, days_ago=8)
    add(S.SUBMITTED, 1, kind="collective", days_ago=6)
    add(S.REJECTED, 3)
    add(S.CONVERTED, 2)
    accepted = add(S.ACCEPTED, 4, days_ago=12)
    # Handling, with lights: (state, unit, assigned days ago, deadline days from today, no contact).
    handling_plan = [
        ("handling", "教育局", 30, 60, False),
        ("handling", "教育局", 80, 10, False),  # green, yellow (near)
        ("handling", "教育局", 100, -8, False),
        ("handling", "教育局", 40, 50, True),  # red, yellow (no contact)
        ("assigned", "教育局", 12, 78, True),  # yellow: not acknowledged after 5 working days
        ("handling", "住建局", 25, 65, False),
        ("handling", "住建局", 85, 5, False),
        ("handling", "住建局", 110, -20, False),
        ("assigned", "住建局", 2, 88, True),
        ("handling", "住建局", 95, -3, True),
    ]
    for k, (state, unit, ago, due, no_contact) in enumerate(handling_plan):
        mine = [t for t in TOPICS if t[4] == unit]
        topic = mine[k % len(mine)]
        p = add(state, 1, days_ago=ago + 11, topic=topic)[0]
        s = spec(p)
        s["deadline"] = today + datetime.timedelta(days=due)
        s["no_contact"] = no_contact
    for k, p in enumerate(add(S.HANDLING, 16, days_ago=None)):
        s = spec(p)
        # Assigned within the last 170 days: an item assigned earlier in its first round could only be
        # overdue (its deadline at most 180 days after 交办, _nodes), and the board would be mostly red.
        ago = min((today - s["created"]).days - 11, 40 + 8 * k)
        s["created"] = today - datetime.timedelta(days=ago + 11)
        p.created_at = _dt(s["created"], 9)
        s["deadline"] = today + datetime.timedelta(
            days=random.choice([-15, 8, 30, 45, 60, max(20, 90 - ago)])
        )
    add(S.ASSIGNED, 4, days_ago=15)
    for p in add(S.REPLIED, 10):
        s = spec(p)
        s["rated"] = s["i"] % 2 == 0
        s["replied_days_ago"] = 3 + s["i"] % 10
    # One unsatisfied rating sent back for re-handling (member1's), and one more.
    for k, p in enumerate(add(S.REHANDLING, 2)):
        if k == 0:
            p.lead_member = b.m["member1"]
            p.author = b.m["member1"].user
            spec(p)["lead"] = b.m["member1"]
    add(S.CLOSED, 12)
    # Key proposals led by the leader (this session).
    keyed = [p for p, s in b.plan if p.status in (S.HANDLING, S.ASSIGNED, S.CLOSED)][:4]
    for p in keyed:
        spec(p)["key"] = True
    # Merges into an accepted proposal of the same session.
    for target in accepted[:2]:
        i += 1
        m = b.new(
            this,
            i,
            S.MERGED,
            days_ago=(today - spec(target)["created"]).days + 1,
            topic=next(t for t in TOPICS if t[1] == target.title),
            kind="individual",
        )
        spec(m)["merge_into"] = target

    # Last year's session: closed for the most part.
    base = max(300, (today - last.start_date).days - 30)
    for k in range(36):
        i += 1
        state = S.CLOSED if k < 28 else (S.REPLIED if k < 31 else S.REJECTED if k < 34 else S.ACCEPTED)
        if state == S.ACCEPTED:
            state = S.CLOSED
        p = b.new(last, i, state, days_ago=base - k)
        s = spec(p)
        s["reply_after"] = 70
        if k in (0, 5):
            s["key"] = True
        if k in (1, 2, 3):
            p.is_excellent = True
    for target in [p for p, s in b.plan if p.session_id == last.pk and p.status == S.CLOSED][:2]:
        i += 1
        m = b.new(
            last,
            i,
            S.MERGED,
            days_ago=(today - spec(target)["created"]).days + 1,
            topic=next(t for t in TOPICS if t[1] == target.title),
            kind="individual",
        )
        spec(m)["merge_into"] = target

    # 分办 (this session): member1's proposals answered by two and three units, and one unit sent back.
    parallel = [
        (
            S.HANDLING,
            "关于加快城区学前教育资源扩容的建议",
            "member1",
            (),
            75,
            [{"unit": "教育局", "reply": 12, "class": "A", "rated": "first"}, {"unit": "住建局"}],
        ),
        (
            S.REPLIED,
            "关于加快城区停车设施建设的建议",
            "member1",
            ("member2",),
            100,
            [
                {"unit": "住建局", "reply": 9, "class": "B", "rated": "all"},
                {"unit": "城管局", "reply": 15, "class": "A", "rated": "all"},
                {"unit": "公安局", "reply": 6, "class": "A", "rated": "all"},
            ],
        ),
        (
            S.REHANDLING,
            "关于推进城镇燃气管道更新改造的建议",
            "member2",
            (),
            120,
            [
                {"unit": "住建局", "reply": 35, "class": "C", "rated": "unsatisfied", "rated_ago": 5},
                {"unit": "应急局", "reply": 40, "class": "A", "rated": "all"},
            ],
        ),
    ]
    for state, title, lead, cos, ago, parts in parallel:
        i += 1
        p = b.new(
            this,
            i,
            state,
            days_ago=ago,
            lead=b.m[lead],
            kind="joint" if cos else "individual",
            cos=[b.m[c] for c in cos],
            topic=next(t for t in TOPICS if t[1] == title),
        )
        spec(p)["parallel"] = parts

    b.build()
    _credit(b)
    _index(b)
    ctx["proposals"] = [p for p, _ in b.plan]
    near_duplicates(ctx)


# 疑似重复 (issue 17): proposals on the same matter by different members, waiting for 立案审查, so that the
# 提案委's queue shows groups at once (made through the services: indexed as members' proposals are).
NEAR_DUPLICATES = [
    [
        (
            "member1",
            "关于解决城区学校大班额问题的建议",
            "城区小学班级人数普遍超过55人，教室拥挤，教师难以照顾每个学生，城区学位供给不足，农村学生向城区集中。",
            "一是新建扩建城区学校；二是合理划分学区；三是严格控制班额，增加教师编制。",
        ),
        (
            "member2",
            "关于缓解城区学校大班额的建议",
            "城区学校大班额问题突出，小学一个班超过55人，学位紧张，教学质量受影响。",
            "加快新建扩建城区学校，合理划分学区，严格控制班额。",
        ),
        (
            "member3",
            "关于化解城区中小学大班额的建议",
            "近年城区中小学大班额现象严重，部分班级学生超过60人，城区学位严重不足，教师负担重。",
            "科学规划新建扩建城区中小学校，优化学区划分，逐年压减大班额。",
        ),
    ],
    [
        (
            "member2",
            "关于推进农村生活垃圾分类处理的建议",
            "农村生活垃圾随意堆放，分类收集设施不足，清运不及时，影响村容村貌和群众健康。",
            "一是配齐村组垃圾分类收集设施；二是建立村收集、乡转运、县处理体系；三是开展垃圾分类宣传。",
        ),
        (
            "member3",
            "关于加强农村生活垃圾分类收运的建议",
            "不少村庄生活垃圾分类收集设施缺乏，垃圾随意堆放，清运不及时，村容村貌差。",
            "完善农村垃圾分类收集设施，健全村收集、乡转运、县处理的收运体系，加强宣传引导。",
        ),
    ],
]


def near_duplicates(ctx) -> None:
    from zhengxie.core.models import User

    from . import services

    for group, category in zip(NEAR_DUPLICATES, ("科教文卫", "农业农村"), strict=True):
        for username, title, reasons, suggestions in group:
            user = User.objects.get(username=username)
            p = services.proposal_create(
                user=user,
                kind="individual",
                title=title,
                reasons=reasons,
                suggestions=suggestions,
                category=category,
            )
            services.proposal_submit(user=user, proposal=p, confirm_single_matter=True)
