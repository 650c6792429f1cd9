"""Demo 社情民意 of 青川县: a year of items from members, party and sector bodies, in every state.

Rows are written directly (through the services, the ~1,500 acts of the default demo took ~25 s of CPU),
keeping what the services keep: a timeline event for every act with the services' labels; authors, with a
merged item's authors joining its target (via_merge); issue numbers gap-free per organisation and year in
the order of composition (the counters set to match); forwarded copies in 江州市政协 on the chain of their
root; adoptions and 批示 on the chain; duty records as record_act builds them (shares as services._shares
gives them, one per member, act and source; a revoked adoption's record voided); the search index rebuilt
once. The recent 批示 that send a follow-up to a unit go through services.instruction_add, so the 批示落实 is
routed on the handling spine into the unit's inbox. tests/opinions/test_demo.py checks the result against
an independent recompute.

The count scales with the demo's members (`--members`, 250 → ~350 items; the test database's 30 → ~42),
over this year (at least the last 90 days). member1 owns a draft, a waiting, a returned, a filed, an
adopted (county, city) and an instructed item (批示 with a 县教育局 follow-up in handler1's inbox).
Deterministic (its own seeded Random).
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict

from django.db.models import F, Max
from django.utils import timezone

from zhengxie.core.models import Counter, HandlingUnit, User
from zhengxie.members.models import Member
from zhengxie.performance import acts as A
from zhengxie.performance.services import Credit, bulk_record
from zhengxie.search.services import rebuild

from . import services
from .models import (
    LEVEL_LABELS,
    Adoption,
    Instruction,
    Opinion,
    OpinionAuthor,
    OpinionEvent,
    OpinionIssue,
    _search_documents,
)

S = Opinion.Status

# (category, title as the member wrote it, title as the 信息科 edits it, text, unit for a follow-up).
# {place}: a town of the county or 我县.
TOPICS = [
    (
        "经济发展",
        "{place}小微企业融资难融资贵问题依然突出",
        "关于破解小微企业融资难题的建议",
        "近期走访{place}部分小微企业了解到，受抵押物不足、信用信息不全等因素影响，企业贷款难、贷款贵问题依然突出，"
        "部分企业只能转向民间借贷，综合融资成本超过12%。建议：一是扩大政府性融资担保覆盖面，降低担保费率；"
        "二是推动税务、社保等涉企信用信息向金融机构开放共享，推广纯信用贷款；三是设立续贷过桥资金池，缓解企业转贷压力。",
        "财政局",
    ),
    (
        "经济发展",
        "{place}惠企政策“最后一公里”仍不畅通",
        "关于推动惠企政策直达快享的建议",
        "调研发现，{place}不少中小企业对近年出台的减税降费、稳岗补贴等政策知晓率不高，申报材料多、流程繁，"
        "部分资金兑现周期长达半年。建议：一是建立惠企政策“一张清单”并定期更新；二是推行免申即享、即申即享，"
        "能由部门数据比对的不再要求企业提交；三是明确兑现时限并纳入部门绩效考核。",
        "发改委",
    ),
    (
        "经济发展",
        "{place}农产品电商物流成本偏高制约“出村进城”",
        "关于降低农村电商物流成本的建议",
        "{place}山区农产品电商起步较快，但快递进村“最后一公里”成本高，部分村点单件派送费比县城高出一倍，"
        "鲜果类产品损耗率达15%以上。建议：一是整合邮政、供销和快递企业资源，建设县乡村三级共同配送体系；"
        "二是在重点产区布局产地预冷和小型冷库；三是对农产品寄递给予阶段性运费补贴。",
        "商务局",
    ),
    (
        "经济发展",
        "{place}工业园区标准厂房闲置率较高",
        "关于盘活工业园区闲置厂房的建议",
        "{place}工业集中区现有标准厂房中约三成处于闲置或半闲置状态，同时又有部分入园企业反映找不到合适厂房。"
        "建议：一是全面摸清闲置厂房底数，建立供需对接平台；二是对长期闲置、低效利用的项目依法依约收回或转让；"
        "三是围绕主导产业开展精准招商，提高厂房利用效率。",
        "工信局",
    ),
    (
        "社会民生",
        "{place}独居老人吃饭难问题值得关注",
        "关于加快发展农村老年助餐服务的建议",
        "{place}60岁以上老年人占比已超过25%，其中独居、空巢老人较多，不少老人一日三餐凑合了事。现有老年食堂"
        "主要集中在县城，农村覆盖不足。建议：一是依托村级互助养老点建设老年助餐点；二是探索“中心厨房+配送”模式；"
        "三是对高龄、失能、低保老人给予就餐补贴，鼓励社会力量参与。",
        "民政局",
    ),
    (
        "社会民生",
        "{place}灵活就业人员参保意愿不高",
        "关于提高灵活就业人员社会保险参保率的建议",
        "外卖骑手、网约车司机等灵活就业人员在{place}日益增多，但参加职工养老、医疗保险的比例偏低，"
        "主要原因是缴费负担重、政策不了解、转移接续不便。建议：一是加大政策宣传，推行线上便捷参保；"
        "二是对就业困难的灵活就业人员落实社保补贴；三是推动平台企业为从业人员缴纳职业伤害保障。",
        "人社局",
    ),
    (
        "社会民生",
        "{place}残疾人托养服务供给不足",
        "关于加强残疾人托养服务的建议",
        "目前{place}登记在册的重度残疾人中，有托养需求的家庭较多，但全县仅有1家托养机构，床位不足50张，"
        "很多家庭一人残疾、全家受困。建议：一是将残疾人托养纳入养老服务设施统筹规划；二是推广居家托养和日间照料；"
        "三是落实托养服务补贴，培育专业护理人员队伍。",
        "残联",
    ),
    (
        "社会民生",
        "{place}高校毕业生返乡就业渠道偏窄",
        "关于拓宽高校毕业生返乡就业渠道的建议",
        "近年{place}返乡高校毕业生逐年增加，但本地企业岗位层次不高、薪酬偏低，毕业生“想回来、留不住”。"
        "建议：一是定期举办本地企业专场招聘，建立岗位信息库；二是开发乡村振兴、基层社会治理等公益性岗位；"
        "三是对返乡创业的毕业生给予场地、贷款贴息等扶持。",
        "人社局",
    ),
    (
        "教育科技",
        "{place}乡村小规模学校师资结构性短缺",
        "关于解决乡村小规模学校师资短缺的建议",
        "{place}部分乡村小规模学校教师平均年龄超过50岁，音体美、英语、信息技术等学科缺少专任教师，"
        "一名教师跨年级、跨学科教学现象普遍。建议：一是在编制核定上向乡村小规模学校倾斜；二是推行县域内“走教”和"
        "城乡学校结对共享师资；三是提高乡村教师生活补助，改善周转宿舍条件。",
        "教育局",
    ),
    (
        "教育科技",
        "{place}中小学生近视率呈上升趋势",
        "关于加强中小学生近视防控的建议",
        "据{place}学校体检数据，小学生近视率已超过35%，初中生超过60%，且呈低龄化趋势。户外活动时间不足、"
        "电子产品使用过多是主要原因。建议：一是落实每天两小时综合体育活动；二是改善教室照明，定期开展视力筛查；"
        "三是加强家校协同，引导学生科学使用电子产品。",
        "教育局",
    ),
    (
        "教育科技",
        "{place}课后服务质量参差不齐家长反映较多",
        "关于提升中小学课后服务质量的建议",
        "“双减”实施以来，{place}学校课后服务实现全覆盖，但部分学校以看管和写作业为主，内容单一，"
        "教师负担也明显加重。建议：一是引入体育、艺术、科普等优质社会资源；二是完善课后服务经费保障和教师补助；"
        "三是建立课后服务质量评价和家长满意度调查制度。",
        "教育局",
    ),
    (
        "教育科技",
        "{place}中小企业科技创新能力薄弱",
        "关于支持中小企业开展技术创新的建议",
        "{place}规模以上工业企业中有研发活动的不足三成，企业普遍缺人才、缺平台、缺资金，科技成果转化渠道不畅。"
        "建议：一是落实研发费用加计扣除等政策并加强辅导；二是推动企业与高校院所共建研发平台；"
        "三是设立科技型中小企业创新券，降低企业购买技术服务成本。",
        "科技局",
    ),
    (
        "医疗卫生",
        "{place}村卫生室常用药品配备不足",
        "关于加强村卫生室基本药物保障的建议",
        "在{place}走访发现，部分村卫生室高血压、糖尿病等慢性病常用药品种类少、经常断供，老年患者只能到乡镇或"
        "县城购药。建议：一是由乡镇卫生院统一采购配送村卫生室药品；二是扩大村卫生室慢病用药目录；"
        "三是推进村卫生室纳入医保定点，方便群众就近报销。",
        "卫健局",
    ),
    (
        "医疗卫生",
        "{place}优质医疗资源下沉不到位",
        "关于推动优质医疗资源下沉乡镇的建议",
        "县域医共体建设推进以来，{place}乡镇卫生院服务能力有所提升，但县级医院专家下沉多为短期坐诊，"
        "乡镇群众仍习惯到县城看病。建议：一是建立县级医院医生定期驻点乡镇制度；二是完善远程会诊、远程影像系统；"
        "三是将下沉服务情况与医生职称晋升挂钩。",
        "卫健局",
    ),
    (
        "医疗卫生",
        "{place}异地就医备案结算仍有堵点",
        "关于优化异地就医直接结算服务的建议",
        "{place}外出务工人员较多，群众反映异地就医备案流程不清楚、部分医院不能直接结算、回乡报销材料多、周期长。"
        "建议：一是加大线上备案宣传和指导；二是推动更多定点医疗机构开通跨省直接结算；"
        "三是简化零星报销材料，实行限时办结。",
        "医保局",
    ),
    (
        "医疗卫生",
        "{place}基层心理健康服务力量薄弱",
        "关于加强基层心理健康服务体系建设的建议",
        "近年来青少年、留守老人等群体心理问题增多，但{place}专业心理咨询人员极少，学校心理教师多为兼职。"
        "建议：一是在县级医院设立心理门诊，在乡镇卫生院设心理咨询室；二是配齐配强中小学专职心理健康教师；"
        "三是开通24小时心理援助热线。",
        "卫健局",
    ),
    (
        "生态环境",
        "{place}农村生活污水直排问题仍较突出",
        "关于推进农村生活污水治理的建议",
        "{place}部分村庄生活污水收集管网不完善，已建的小型污水处理设施有的因缺乏运维经费而停运，"
        "污水直排沟渠现象时有发生。建议：一是因地制宜选择治理模式，人口集中村庄接入管网、分散农户推广小型设施；"
        "二是建立设施运维长效机制和资金保障；三是将治理成效纳入乡镇考核。",
        "生态环境分局",
    ),
    (
        "生态环境",
        "{place}秸秆禁烧后综合利用渠道不畅",
        "关于提高秸秆综合利用水平的建议",
        "{place}秸秆禁烧工作成效明显，但秸秆收储运体系不健全，离田利用成本高，农户堆放在田间地头，"
        "既影响耕作又存在火灾隐患。建议：一是扶持秸秆收储运专业合作社；二是发展秸秆饲料化、基料化利用；"
        "三是对秸秆还田和离田利用给予适当补贴。",
        "农业农村局",
    ),
    (
        "生态环境",
        "{place}河道汛期淤积影响行洪安全",
        "关于加强河道清淤疏浚的建议",
        "{place}境内部分河段多年未系统清淤，河床抬高，汛期行洪能力下降，两岸农田和村庄存在安全隐患。"
        "建议：一是编制河道清淤疏浚年度计划，分段实施；二是严厉打击河道乱采乱挖乱堆；"
        "三是压实河长巡河责任，建立问题发现和整改闭环。",
        "水利局",
    ),
    (
        "生态环境",
        "{place}建筑垃圾乱堆乱倒现象时有发生",
        "关于规范建筑垃圾处置管理的建议",
        "随着城镇建设和农房改造加快，{place}建筑垃圾产生量增加，但缺少规范的消纳场所，"
        "路边、河边偷倒乱倒现象时有发生。建议：一是规划建设建筑垃圾消纳场和资源化利用项目；"
        "二是实行建筑垃圾运输车辆备案和全程监管；三是加大对偷倒乱倒行为的查处力度。",
        "城管局",
    ),
    (
        "乡村振兴",
        "{place}茶叶产业链条短附加值低",
        "关于延伸茶产业链提升附加值的建议",
        "{place}茶园面积不断扩大，但多数茶企以初加工为主，品牌杂而不响，夏秋茶资源利用率低，茶农增收受限。"
        "建议：一是整合打造县域公用品牌；二是扶持龙头企业开发茶饮料、茶食品等精深加工产品；"
        "三是推进茶旅融合，发展茶园观光和研学体验。",
        "农业农村局",
    ),
    (
        "乡村振兴",
        "{place}部分村集体经济“空壳”问题仍然存在",
        "关于发展壮大村级集体经济的建议",
        "{place}仍有部分村集体经营性收入不足10万元，主要依靠上级转移支付运转，缺项目、缺人才、缺资金问题突出。"
        "建议：一是盘活村集体闲置校舍、厂房等资产；二是推行“强村带弱村”抱团发展；"
        "三是选派懂经营的人才到村任职，完善村集体经济收益分配和监管机制。",
        "农业农村局",
    ),
    (
        "乡村振兴",
        "{place}高标准农田建成后管护责任不落实",
        "关于加强高标准农田建后管护的建议",
        "{place}近年新建了一批高标准农田，但部分项目建成后管护主体不明确、管护资金不落实，"
        "沟渠淤塞、机耕道损毁无人修复，影响工程效益发挥。建议：一是明确乡镇、村和经营主体的管护责任；"
        "二是按亩落实管护经费；三是将管护情况纳入年度考核。",
        "农业农村局",
    ),
    (
        "乡村振兴",
        "{place}农村留守儿童关爱服务需进一步加强",
        "关于加强农村留守儿童关爱服务的建议",
        "{place}留守儿童多由祖辈隔代抚养，学业辅导和心理关爱不足，部分儿童存在沉迷网络、安全意识薄弱等问题。"
        "建议：一是发挥儿童主任和儿童之家作用，建立留守儿童动态台账；二是组织志愿者开展课业辅导和亲情陪伴；"
        "三是加强学校、家庭和村（社区）协同关爱。",
        "民政局",
    ),
    (
        "城乡建设",
        "{place}老旧小区加装电梯推进缓慢",
        "关于加快老旧小区加装电梯的建议",
        "{place}不少老旧小区居住着大量老年人，加装电梯需求迫切，但存在低层住户意见难统一、审批环节多、"
        "资金筹措难等问题。建议：一是简化加装电梯审批流程，推行联合审查；二是明确费用分摊指导标准，"
        "发挥社区协调作用；三是允许提取住房公积金用于加装电梯。",
        "住建局",
    ),
    (
        "城乡建设",
        "{place}停车难问题日益突出",
        "关于缓解停车难问题的建议",
        "{place}机动车保有量快速增长，公共停车位严重不足，医院、学校、老城区周边占道停车现象普遍。"
        "建议：一是利用边角地、闲置地建设公共停车场和立体车库；二是推动机关企事业单位停车位错时共享；"
        "三是推广智慧停车系统，实行差异化收费。",
        "住建局",
    ),
    (
        "城乡建设",
        "{place}农村自建房安全隐患不容忽视",
        "关于加强农村自建房安全管理的建议",
        "{place}部分农村自建房未经设计、施工不规范，加层改建、用作经营场所的情况较多，存在结构和消防安全隐患。"
        "建议：一是开展农村自建房安全隐患常态化排查；二是推广农房设计通用图集，加强农村建筑工匠培训；"
        "三是对用作经营的自建房严格落实安全鉴定。",
        "住建局",
    ),
    (
        "社会治理",
        "{place}电信网络诈骗向农村老年群体蔓延",
        "关于加强农村老年人防范电信诈骗宣传的建议",
        "近期{place}发生多起以“保健品”“养老投资”为名诈骗老年人的案件，涉案金额较大。农村老年人信息获取渠道少、"
        "防骗意识弱。建议：一是组织民警和网格员入户开展防骗宣传；二是加强银行网点对老年客户大额转账的提醒劝阻；"
        "三是严厉打击针对老年人的诈骗犯罪。",
        "公安局",
    ),
    (
        "社会治理",
        "{place}矛盾纠纷调解力量不足",
        "关于加强基层矛盾纠纷多元化解的建议",
        "{place}土地流转、邻里、婚姻家庭等矛盾纠纷较多，但专职人民调解员少、年龄偏大，调解与诉讼衔接不畅。"
        "建议：一是充实乡镇专职人民调解员队伍；二是发挥“两代表一委员”、乡贤等力量参与调解；"
        "三是推进诉调对接，建设县级矛盾纠纷调处化解中心。",
        "司法局",
    ),
    (
        "社会治理",
        "{place}电动自行车进楼入户充电隐患突出",
        "关于治理电动自行车违规充电的建议",
        "{place}电动自行车保有量大，老旧小区缺少集中充电设施，“飞线充电”、楼道停放充电现象普遍，"
        "火灾风险突出。建议：一是将充电设施纳入老旧小区改造和新建小区配套；二是开展违规充电专项整治；"
        "三是加强物业和网格员日常巡查和安全宣传。",
        "应急局",
    ),
    (
        "社会治理",
        "{place}物业服务纠纷呈多发态势",
        "关于规范住宅小区物业服务的建议",
        "{place}部分住宅小区物业服务质量不高、收费不透明，业主委员会成立难，因物业问题引发的投诉和纠纷逐年增多。"
        "建议：一是建立物业服务企业信用评价和退出机制；二是指导小区依法成立业主委员会；"
        "三是在社区设立物业纠纷调解室。",
        "住建局",
    ),
    (
        "文化旅游",
        "{place}传统村落保护利用不够",
        "关于加强传统村落保护利用的建议",
        "{place}保留有一批明清古民居和传统村落，但部分古建筑年久失修，村民外迁后无人维护，有的已出现坍塌。"
        "建议：一是开展传统村落和古建筑普查建档；二是设立保护专项资金，引导社会资本参与活化利用；"
        "三是挖掘村落历史文化，发展特色民宿和研学旅游。",
        "文旅局",
    ),
    (
        "文化旅游",
        "{place}乡村旅游同质化明显留客能力弱",
        "关于推动乡村旅游特色化发展的建议",
        "{place}乡村旅游以农家乐、采摘为主，产品同质化、季节性强，游客多为“一日游”，过夜消费少。"
        "建议：一是编制全域乡村旅游规划，突出一村一品；二是培育精品民宿和夜间消费场景；"
        "三是完善旅游公路、停车和公厕等配套设施。",
        "文旅局",
    ),
    (
        "文化旅游",
        "{place}综合文化站作用发挥不充分",
        "关于激活乡镇综合文化站功能的建议",
        "{place}综合文化站普遍存在人员被借调、活动开展少、设施闲置等问题，群众文化需求得不到满足。"
        "建议：一是落实文化站专职人员，不得长期挪作他用；二是推行文化站社会化运营试点；"
        "三是建立“群众点单、文化站配送”的服务机制。",
        "文旅局",
    ),
    (
        "其他",
        "{place}政务服务“一网通办”仍存在数据壁垒",
        "关于打通政务数据壁垒提升一网通办效能的建议",
        "群众反映，{place}部分事项虽可线上申请，但仍需线下提交纸质材料，部门间数据不共享、证明材料重复提交。"
        "建议：一是梳理高频事项，推动电子证照互认共享；二是打通部门业务系统数据接口；"
        "三是在乡镇便民服务中心设立帮办代办窗口。",
        "数据局",
    ),
    (
        "其他",
        "{place}退役军人就业创业扶持政策落地不够",
        "关于做好退役军人就业创业服务的建议",
        "{place}每年安置退役士兵数十人，部分退役军人反映就业信息少、技能培训针对性不强、创业贷款办理难。"
        "建议：一是定期举办退役军人专场招聘会；二是开展订单式职业技能培训；"
        "三是落实创业担保贷款贴息政策，建设退役军人创业孵化基地。",
        "退役军人局",
    ),
]

BODIES = [
    (Opinion.Source.PARTY, "民革青川县支部"),
    (Opinion.Source.PARTY, "民盟青川县委员会"),
    (Opinion.Source.PARTY, "民建青川县总支"),
    (Opinion.Source.PARTY, "农工党青川县工委"),
    (Opinion.Source.PARTY, "九三学社青川县支社"),
    (Opinion.Source.ORGANISATION, "青川县工商业联合会"),
    (Opinion.Source.SECTOR, "县政协经济界"),
    (Opinion.Source.SECTOR, "县政协医药卫生界"),
    (Opinion.Source.SECTOR, "县政协教育界"),
    (Opinion.Source.COMMITTEE, "县政协农业农村委员会"),
    (Opinion.Source.COMMITTEE, "县政协社会和法制委员会"),
]
RETURN_REASONS = [
    "请补充具体数据和典型事例，增强说服力。",
    "建议部分请进一步细化，增强针对性和可操作性。",
    "篇幅偏长，请围绕一个问题精简，突出一事一报。",
]
FILE_REASONS = [
    "与已录用信息内容重复，留存参考。",
    "反映问题属个案，建议通过信访渠道反映。",
    "建议内容较为笼统，暂作留存参考。",
    "所反映问题已在推进解决中，留存备查。",
]
SUPPLEMENT = "据初步统计，相关问题涉及群众逾千人，基层干部群众反映较为集中。"
COUNTY_ADOPTERS = ["县委办公室", "县政府办公室", "县委办公室《青川信息》", "县委政策研究室"]
CITY_ADOPTERS = ["江州市政协", "市委办公室", "市政府办公室"]
PROVINCE_ADOPTERS = ["省政协办公厅", "省委办公厅", "省政府办公厅"]
NATIONAL_ADOPTERS = ["全国政协办公厅"]
COUNTY_LEADERS = ["县委书记 刘建华", "县长 王海涛", "县委副书记 陈静", "副县长 李明"]
CITY_LEADERS = ["市委书记 赵振国", "市长 孙立平", "副市长 吴卫东"]
PROVINCE_LEADERS = ["副省长 郭志强"]
INSTRUCTIONS = [
    "请{unit}认真研究，提出切实可行的措施，抓好落实。",
    "所反映问题具有普遍性，请{unit}牵头调研，拿出解决方案。",
    "此建议很好，请{unit}结合年度工作抓好落实，并将落实情况报县委办。",
]
CITY_INSTRUCTIONS = ["建议有价值，请市有关部门研究参考。", "请市直相关部门结合职能认真研究。"]


class _Demo:
    def __init__(self, ctx):
        self.rnd = random.Random(9)
        self.county, self.city = ctx["county"], ctx["city"]
        self.today = timezone.localdate()
        self.now = timezone.now()
        # A year of items: from early January, or at least the last 90 days.
        self.start = min(datetime.date(self.today.year, 1, 5), self.today - datetime.timedelta(days=90))
        self.span = (self.today - self.start).days
        named = {u.username: u for u in User.objects.filter(username__in=["info", "office", "citystaff"])}
        self.info, self.office, self.citystaff = named["info"], named["office"], named["citystaff"]
        users = ctx["member_users"]
        self.m1, self.m2 = users["member1"].member, users["member2"].member
        self.members = list(
            Member.objects.filter(organisation=self.county).select_related("user").order_by("id")
        )
        self.pool = [m for m in self.members if m.pk != self.m1.pk]
        self.units = {u.short_name: u for u in HandlingUnit.objects.filter(organisation=self.county)}
        self.towns = [t.short_name for t in ctx["towns"]]
        self.n = max(12, round(ctx.get("members", 250) * 1.4))
        self.items: list[dict] = []  # every item built (county items and the city's copies)
        self.issue_rows: list[tuple[OpinionIssue, list[dict]]] = []
        self.numbers: dict[tuple[int, int], int] = defaultdict(int)  # (organisation, year) -> last number
        self.adoptions: list[Adoption] = []
        self.instructions: list[Instruction] = []
        self.routed: list[tuple] = []  # 批示 with a unit: through the service once the rows exist
        # (member, act, source item dict or Instruction, day, share, voided)
        self.credits: list[tuple] = []

    # -- helpers --------------------------------------------------------------------------------------------

    def days(self, n: int) -> datetime.timedelta:
        return datetime.timedelta(days=n)

    def at(self, day: datetime.date, hour: int) -> datetime.datetime:
        day = min(day, self.today)
        dt = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, self.rnd.randint(0, 59))))
        return min(dt, self.now - datetime.timedelta(minutes=5))

    def after(self, s, lo: int, hi: int, hour: int) -> datetime.datetime:
        """A moment lo..hi days after the item's last act (never before it, never in the future)."""
        return max(
            s["last"], self.at(timezone.localdate(s["last"]) + self.days(self.rnd.randint(lo, hi)), hour)
        )

    def event(self, s, when, actor, action: str, label: str, detail: str = "") -> None:
        s["events"].append(
            OpinionEvent(actor=actor, action=action, label=label[:200], detail=detail, at=when)
        )
        s["last"] = max(s["last"], when)
        s["o"].updated_at = max(s["o"].updated_at, when)

    def shares(self, s) -> list[tuple[Member, float]]:
        """services._shares on the item's authors: per group (its own, each merged item's) the first author
        half and the others the rest; a single author takes it all."""
        groups: dict[int, list[Member]] = {}
        for member, via in s["authors"]:
            groups.setdefault(id(via) if via else 0, []).append(member)
        out = []
        for rows in groups.values():
            if len(rows) == 1:
                out.append((rows[0], 1.0))
            else:
                out.append((rows[0], 0.5))
                out.extend((m, round(0.5 / (len(rows) - 1), 4)) for m in rows[1:])
        return out

    def credit(self, s, act: str, day: datetime.date, source=None, *, voided=False) -> None:
        for member, share in self.shares(s):
            self.credits.append((member, act, s if source is None else source, day, share, voided))

    def text(self, k: int, topic) -> dict:
        place = "我县" if k % 3 == 0 else self.towns[k % len(self.towns)]
        cat, title, _edited, content, _unit = topic
        return {"title": title.format(place=place), "content": content.format(place=place), "category": cat}

    def lead(self) -> Member:
        # A few prolific writers, many occasional ones.
        return self.pool[min(len(self.pool) - 1, int(len(self.pool) * self.rnd.random() ** 1.8))]

    # -- plan -----------------------------------------------------------------------------------------------

    def plan(self) -> list[dict]:
        rnd = self.rnd
        specs = []
        for k, d in enumerate(sorted(rnd.randint(0, self.span) for _ in range(self.n - 6))):
            created = self.start + self.days(d)
            age = (self.today - created).days
            r = rnd.random()
            if age <= 3:
                fate = "draft" if r < 0.4 else "submitted"
            elif age <= 12:
                fate = "draft" if r < 0.1 else "submitted" if r < 0.7 else "accepted"
            elif r < 0.02:
                fate = "draft"
            elif r < 0.06 and age < 120:
                fate = "returned"
            elif r < 0.22:
                fate = "filed"
            elif r < 0.28:
                fate = "merged"
            else:
                fate = "accepted"
            specs.append(
                {
                    "k": k,
                    "created": created,
                    "fate": fate,
                    "topic": TOPICS[(k * 7 + rnd.randint(0, 3)) % len(TOPICS)],
                    "resubmit": fate in ("accepted", "filed") and rnd.random() < 0.08,
                }
            )
        # member1's own: one in each state, one adopted at county and city level, one with a 批示.
        for j, (fate, ago, mine, topic) in enumerate(
            [
                ("accepted", 200, "adopted", 13),
                ("accepted", 70, "instructed", 8),
                ("filed", 110, "filed", 33),
                ("returned", 24, "returned", 9),
                ("submitted", 4, "submitted", 24),
                ("draft", 1, "draft", 16),
            ]
        ):
            specs.append(
                {
                    "k": self.n + j,
                    "created": self.today - self.days(ago),
                    "fate": fate,
                    "mine": mine,
                    "topic": TOPICS[topic],
                    "resubmit": False,
                }
            )
        specs.sort(key=lambda s: (s["created"], s["k"]))
        return specs

    # -- a county item's life up to the 信息科's decision -------------------------------------------------

    def writer(self, s):
        """(who types it, its authors, source, reporting body)."""
        rnd = self.rnd
        if s.get("mine"):
            return (
                self.m1.user,
                [self.m1] + ([self.m2] if s["mine"] == "adopted" else []),
                Opinion.Source.MEMBER,
                "",
            )
        r = rnd.random()
        lead = self.lead()
        if r < 0.1:
            source, body = rnd.choice(BODIES)
            return self.office, [], source, body
        if r < 0.18:  # the 信息科 types up a member's handwritten item
            return self.info, [lead], Opinion.Source.MEMBER, ""
        authors = [lead]
        if rnd.random() < 0.25:
            authors += [m for m in rnd.sample(self.pool, 2) if m.pk != lead.pk][: rnd.choice([1, 2])]
        return lead.user, authors, Opinion.Source.MEMBER, ""

    def life(self, s) -> None:
        rnd = self.rnd
        user, authors, source, body = self.writer(s)
        created = self.at(s["created"], 9)
        o = Opinion(
            organisation=self.county,
            year=created.year,
            **self.text(s["k"], s["topic"]),
            source=source,
            source_body=body,
            created_by=user,
            created_at=created,
            updated_at=created,
        )
        s.update(o=o, writer=user, events=[], last=created, authors=[(m, None) for m in authors])
        self.items.append(s)
        self.event(s, created, user, "create", "暂存")
        if s["fate"] == "draft":
            return
        when = self.after(s, 0, 2, 10)
        o.status, o.submitted_at, o.year = S.SUBMITTED, when, when.year
        self.event(s, when, user, "submit", "提交")
        self.credit(s, A.OPINION_SUBMIT, when.date())
        if s["resubmit"]:
            reason = rnd.choice(RETURN_REASONS)
            self.event(s, self.after(s, 1, 6, 15), self.info, "return", "退回修改", reason)
            when = self.after(s, 2, 6, 11)
            o.content = o.content[:1400] + SUPPLEMENT
            self.event(s, when, user, "update", "修改")
            self.event(s, when, user, "submit", "修改后重新提交")
            o.submitted_at, o.year = when, when.year
        if s["fate"] in ("submitted", "merged"):
            return  # a merge waits for its target
        when = self.after(s, 1, 6, 15)
        o.reviewed_at, o.reviewed_by = when, self.info
        if s["fate"] == "accepted":
            o.status, o.edited_title, o.edited_by = S.ACCEPTED, s["topic"][2], self.info
            self.event(s, when, self.info, "accept", "录用")
            self.credit(s, A.OPINION_ACCEPT, when.date())
            s["accepted"] = when
        else:
            filed = s["fate"] == "filed"
            o.status = S.FILED if filed else S.RETURNED
            o.review_note = rnd.choice(FILE_REASONS if filed else RETURN_REASONS)
            self.event(
                s,
                when,
                self.info,
                "file" if filed else "return",
                "留存未录用" if filed else "退回修改",
                o.review_note,
            )

    def merge(self, s, accepted) -> None:
        """合并 into an earlier accepted item of the same topic (else the latest earlier one)."""
        others = [a for a in accepted if not a.get("mine") and a["created"] <= s["created"]]
        same = [a for a in others if a["topic"] is s["topic"]]
        if not others:
            s["fate"] = "filed"
            o = s["o"]
            o.status, o.review_note = S.FILED, FILE_REASONS[0]
            o.reviewed_at, o.reviewed_by = self.after(s, 1, 6, 15), self.info
            self.event(s, o.reviewed_at, self.info, "file", "留存未录用", o.review_note)
            return
        t = (same or others)[-1]
        o, reason = s["o"], "与同类信息合并编发。"
        when = max(self.after(s, 1, 6, 15), t["accepted"])
        o.status, o.merged_into, o.review_note = S.MERGED, t["o"], reason
        o.reviewed_at, o.reviewed_by = when, self.info
        self.event(s, when, self.info, "merge", f"合并到《{t['o'].display_title}》", reason)
        self.event(t, when, self.info, "merge_in", f"合并了同类信息《{o.title}》")
        have = {m.pk for m, _ in t["authors"]}
        t["authors"] += [(m, s) for m, _ in s["authors"] if m.pk not in have]
        # The credit the target earned (录用) extends to the authors who joined.
        self.credit(t, A.OPINION_ACCEPT, when.date())

    # -- issues ---------------------------------------------------------------------------------------------

    def issue(self, org, user, kind, items, when, *, signer, recipients, draft=False) -> OpinionIssue:
        """An issue composed at `when` (published the next morning unless a draft); numbered later, in order
        of composition, by number_issues."""
        published = None if draft else max(when, self.at(when.date() + self.days(1), 9))
        i = OpinionIssue(
            organisation=org,
            year=when.year,
            kind=kind,
            title=items[0]["o"].display_title if kind == OpinionIssue.Kind.SPECIAL else "社情民意摘报",
            signer="" if draft else signer,
            recipients=recipients,
            status=OpinionIssue.Status.DRAFT if draft else OpinionIssue.Status.PUBLISHED,
            created_by=user,
            created_at=when,
            published_at=published,
            published_by=None if draft else user,
        )
        self.issue_rows.append((i, items))
        for n, s in enumerate(items, start=1):
            s["o"].issue, s["o"].issue_order, s["in_issue"] = i, n, i
            s["last"] = max(s["last"], published or when)
            if published:
                s["issued"] = i
        return i

    def number_issues(self) -> None:
        """Numbers gap-free per organisation and year in order of composition, and the items' timeline."""
        for i, items in sorted(self.issue_rows, key=lambda r: (r[0].organisation.pk, r[0].created_at)):
            self.numbers[(i.organisation.pk, i.year)] += 1
            i.number = self.numbers[(i.organisation.pk, i.year)]
            for s in items:
                self.event(s, i.created_at, i.created_by, "issue", f"编入《社情民意》{i.label}")
                if i.published_at:
                    label = f"《社情民意》{i.label}印发（{i.get_kind_display()}）"
                    self.event(s, i.published_at, i.created_by, "publish", label)

    def issues(self, org, user, accepted, signer, recipients, share=(0.15, 0.6)) -> None:
        """Accepted items (in order of acceptance) into 专报 and 摘报; the newest issue may still be a draft."""
        rnd = self.rnd
        plan, batch = [], []
        for s in accepted:
            r = rnd.random()
            if r < share[0]:
                plan.append(("special", [s], self.after(s, 1, 4, 16)))
            elif r < share[1]:
                batch.append(s)
                if len(batch) >= rnd.choice([3, 4, 5]):
                    plan.append(("digest", batch, max(self.after(b, 2, 6, 16) for b in batch)))
                    batch = []
        plan.sort(key=lambda x: x[2])
        for n, (kind, items, when) in enumerate(plan):
            draft = n == len(plan) - 1 and when.date() >= self.today - self.days(10)
            self.issue(org, user, kind, items, when, signer=signer, recipients=recipients, draft=draft)

    def digest_with(self, s, accepted) -> None:
        """member1's instructed item: a 摘报 with up to two items accepted within 20 days after it."""
        soon = s["accepted"] + self.days(20)
        others = [a for a in accepted if not a.get("in_issue") and s["last"] <= a["last"] <= soon][:2]
        items = [s] + others
        when = max(self.after(a, 2, 3, 16) for a in items)
        kind = "digest" if others else "special"
        self.issue(
            self.county, self.info, kind, items, when, signer="陈志远", recipients="县委、县政府主要领导"
        )

    # -- forwarding, adoptions and 批示 --------------------------------------------------------------------

    def forward(self, s, when) -> dict:
        src = s["o"]
        copy = Opinion(
            organisation=self.city,
            year=when.year,
            title=src.display_title,
            content=src.display_content,
            category=src.category,
            source=Opinion.Source.FORWARDED,
            source_body=self.county.name,
            status=S.SUBMITTED,
            created_by=self.info,
            created_at=when,
            updated_at=when,
            submitted_at=when,
            forwarded_from=src,
        )
        src.forwarded_at = when
        c = {"o": copy, "topic": s["topic"], "last": when, "events": [], "origin": s, "copy": True}
        c["authors"] = [(m, None) for m, _ in s["authors"]]
        self.items.append(c)
        self.event(s, when, self.info, "forward", f"报送{self.city.name}")
        self.event(c, when, self.info, "received", f"收到{self.county.name}报送")
        return c

    def root(self, s) -> dict:
        return s.get("origin") or s

    def adopt(self, s, user, level, body, used_as, day, *, revoked="") -> None:
        root = self.root(s)
        when = max(s["last"], self.at(day, 14))
        a = Adoption(
            opinion=s["o"],
            root=root["o"],
            organisation=s["o"].organisation,
            level=level,
            body=body,
            used_as=used_as,
            adopted_on=when.date(),
            year=when.year,
            recorded_by=user,
            recorded_at=when,
        )
        self.adoptions.append(a)
        label = f"{LEVEL_LABELS[level]}采用：{body}（{Adoption.UsedAs(used_as).label}）"
        self.event(s, when, user, "adopt", label)
        self.credit(root, A.OPINION_ADOPT_BY_LEVEL[level], when.date(), root, voided=bool(revoked))
        if revoked:
            undone = self.at(when.date() + self.days(1), 9)
            a.revoked_at, a.revoked_by, a.revoke_reason = undone, user, revoked
            self.event(s, undone, user, "adopt_revoke", f"撤销{LEVEL_LABELS[level]}采用记录：{body}", revoked)

    def instruct(self, s, user, leader, level, content, day) -> None:
        root = self.root(s)
        when = max(s["last"], self.at(day, 16))
        i = Instruction(
            opinion=s["o"],
            root=root["o"],
            organisation=s["o"].organisation,
            leader=leader,
            level=level,
            content=content,
            instructed_on=when.date(),
            year=when.year,
            recorded_by=user,
            recorded_at=when,
        )
        self.instructions.append(i)
        self.event(s, when, user, "instruct", f"{leader}批示", content)
        self.credit(root, A.OPINION_INSTRUCTION, when.date(), i)

    def city_work(self, issued, adopted) -> None:
        """The better items go up to 江州市政协; the city accepts most, publishes its own issues, records city,
        province and (once) national adoptions on its copies, and a 市领导 批示 now and then."""
        rnd = self.rnd
        chosen = [adopted] + [s for s in issued if s is not adopted and rnd.random() < 0.22]
        if len(chosen) < 4:
            chosen += [s for s in issued if s not in chosen][: 4 - len(chosen)]
        accepted = []
        for s in chosen:
            when = self.after(s, 1, 5, 11)
            if when.date() >= self.today:
                continue
            c = self.forward(s, when)
            r = rnd.random()
            if s is adopted or r < 0.75:
                when = self.after(c, 1, 6, 15)
                c["o"].status, c["o"].reviewed_at, c["o"].reviewed_by = S.ACCEPTED, when, self.citystaff
                self.event(c, when, self.citystaff, "accept", "录用")
                self.credit(c, A.OPINION_ACCEPT, when.date())
                c["accepted"] = when
                accepted.append(c)
            elif r < 0.9 or when.date() < self.today - self.days(20):
                when = self.after(c, 1, 6, 15)
                c["o"].status, c["o"].reviewed_at, c["o"].reviewed_by = S.FILED, when, self.citystaff
                c["o"].review_note = "已有同类信息，留存参考。"
                self.event(c, when, self.citystaff, "file", "留存未录用", c["o"].review_note)
        accepted.sort(key=lambda c: c["accepted"])
        self.issues(self.city, self.citystaff, accepted, "林涛", "市委、市政府主要领导", share=(0.3, 0.85))
        for n, c in enumerate(accepted):
            if c["origin"] is adopted or n % 2 == 0:
                used = "single" if n % 3 else "summary"
                self.adopt(
                    c,
                    self.citystaff,
                    "city",
                    rnd.choice(CITY_ADOPTERS),
                    used,
                    self.after(c, 3, 15, 14).date(),
                )
            if n % 4 == 1 or (n == 3 and len(accepted) < 8):
                used = "summary" if n % 3 else "single"
                day = self.after(c, 10, 30, 14).date()
                self.adopt(c, self.citystaff, "province", rnd.choice(PROVINCE_ADOPTERS), used, day)
                if n == 1:
                    day = self.after(c, 15, 40, 14).date()
                    self.adopt(c, self.citystaff, "national", NATIONAL_ADOPTERS[0], "summary", day)
            if n % 5 == 2:
                day = self.after(c, 3, 20, 16).date()
                self.instruct(
                    c, self.citystaff, rnd.choice(CITY_LEADERS), "city", rnd.choice(CITY_INSTRUCTIONS), day
                )

    def county_adoptions(self, issued, adopted) -> None:
        """County adoptions (县委办、县政府办 …) of about a third of the issued items; one recorded at the wrong
        level by mistake and revoked."""
        rnd = self.rnd
        chosen = [adopted] + [s for s in issued if s is not adopted and rnd.random() < 0.33]
        for n, s in enumerate(chosen):
            day = self.after(s, 2, 20, 10).date()
            used = "single" if s["issued"].kind == "special" else "summary"
            self.adopt(s, self.info, "county", rnd.choice(COUNTY_ADOPTERS), used, day)
            if n == 1 and not s["o"].forwarded_at:
                self.adopt(
                    s, self.info, "city", "市委办公室", "single", day, revoked="误登记，实为县级采用。"
                )

    def county_instructions(self, issued, instructed) -> None:
        """County 批示 on a few issued items. The three latest (and member1's, to 县教育局 for handler1) send a
        批示落实 to the topic's unit: those go through the service once the rows exist."""
        rnd = self.rnd
        chosen = [s for s in issued if s is not instructed and rnd.random() < 0.07]
        chosen.sort(key=lambda s: s["last"])
        for n, s in enumerate(chosen + [instructed]):
            mine = s is instructed
            day = self.after(s, 2, 12, 16).date()
            unit = self.units["教育局"] if mine else self.units.get(s["topic"][4])
            if mine:
                day = max(day, self.today - self.days(6))
            if unit is not None and (mine or n >= len(chosen) - 3):
                text = rnd.choice(INSTRUCTIONS).format(unit=unit.name)
                leader = "县长 王海涛" if mine else rnd.choice(COUNTY_LEADERS)
                self.routed.append((s, leader, text, day, unit))
            else:
                text = rnd.choice(INSTRUCTIONS).format(unit="有关部门")
                self.instruct(s, self.info, rnd.choice(COUNTY_LEADERS), "county", text, day)

    # -- the run --------------------------------------------------------------------------------------------

    def run(self) -> None:
        specs = self.plan()
        for s in specs:
            self.life(s)
        accepted = sorted((s for s in specs if s["fate"] == "accepted"), key=lambda s: s["accepted"])
        for s in specs:
            if s["fate"] == "merged":
                self.merge(s, accepted)
        mine = {s["mine"]: s for s in specs if s.get("mine")}
        # member1's adopted one gets a 专报 of its own; the instructed one goes into a 摘报.
        adopted, county = mine["adopted"], ("陈志远", "县委、县政府主要领导，县委办、县政府办")
        when = self.after(adopted, 1, 3, 16)
        self.issue(self.county, self.info, "special", [adopted], when, signer=county[0], recipients=county[1])
        self.issues(self.county, self.info, [s for s in accepted if not s.get("mine")], *county)
        self.digest_with(mine["instructed"], accepted)
        issued = [s for s in accepted if s.get("issued")]
        self.city_work(issued, adopted)
        self.county_adoptions(issued, adopted)
        self.county_instructions(issued, mine["instructed"])
        self.write()
        self.route()
        rebuild("opinion", _search_documents())

    def write(self) -> None:
        self.number_issues()
        OpinionIssue.objects.bulk_create([i for i, _ in self.issue_rows])
        for (org, year), n in self.numbers.items():
            Counter.objects.update_or_create(
                organisation_id=org, key=f"opinions.issue.{year}", defaults={"value": n}
            )
        first = [s for s in self.items if not s.get("copy") and s["o"].merged_into is None]
        Opinion.objects.bulk_create([s["o"] for s in first])
        second = [s for s in self.items if s not in first]
        for s in second:
            if s.get("copy"):
                s["o"].root = s["origin"]["o"]
        Opinion.objects.bulk_create([s["o"] for s in second])
        Opinion.objects.filter(pk__in=[s["o"].pk for s in self.items], root__isnull=True).update(root=F("pk"))
        OpinionAuthor.objects.bulk_create(
            [
                OpinionAuthor(opinion=s["o"], member=m, order=n, via_merge=via["o"] if via else None)
                for s in self.items
                for n, (m, via) in enumerate(s["authors"])
            ]
        )
        events = []
        for s in self.items:
            for e in s["events"]:
                e.opinion = s["o"]
                events.append(e)
        OpinionEvent.objects.bulk_create(events, batch_size=1000)
        Adoption.objects.bulk_create(self.adoptions)
        Instruction.objects.bulk_create(self.instructions)
        self.write_records()

    def write_records(self) -> None:
        """The duty records record_act would have written: one per member, act and source (the first)."""
        bulk_record(
            (
                Credit(
                    member,
                    act,
                    source["o"] if isinstance(source, dict) else source,
                    day,
                    share,
                    voided=voided,
                )
                for member, act, source, day, share, voided in sorted(self.credits, key=lambda c: c[3])
            ),
            voided_at=self.now,
        )

    def route(self) -> None:
        """The 批示 that send a follow-up to a unit: through the service (the 批示落实 case lands in the unit's
        inbox); the timeline entry it writes takes the 批示's day."""
        for s, leader, text, day, unit in sorted(self.routed, key=lambda r: r[3]):
            high = OpinionEvent.objects.aggregate(m=Max("id"))["m"] or 0
            services.instruction_add(
                user=self.info,
                opinion=s["o"].pk,
                leader=leader,
                level="county",
                content=text,
                instructed_on=day,
                unit=unit.pk,
            )
            OpinionEvent.objects.filter(pk__gt=high).update(at=max(s["last"], self.at(day, 16)))


def load(ctx):
    _Demo(ctx).run()
    near_duplicates(ctx)


# 疑似重复 (issue 17): items on the same matter by different members, waiting for the 信息科 (made through the
# services, so they are indexed), so that the 信息工作台 shows groups at once.
NEAR_DUPLICATES = [
    [
        (
            "member1",
            "居民小区电动自行车充电难问题亟待解决",
            "城区老旧小区普遍缺少电动自行车集中充电设施，居民飞线充电、楼道充电现象突出，火灾隐患大。建议在老旧小区增设集中充电桩，落实物业管理责任，加强消防检查。",
        ),
        (
            "member2",
            "关于解决老旧小区电动自行车充电难的建议",
            "老旧小区电动自行车充电设施不足，不少居民从楼上拉线充电或把车推进楼道充电，存在严重消防隐患。建议增设集中充电设施，明确物业责任，加强消防安全检查。",
        ),
    ],
    [
        (
            "member2",
            "乡镇卫生院医生留不住问题值得关注",
            "乡镇卫生院待遇低、晋升难，年轻医生留不住，基层群众看病只能往县城跑。建议提高乡镇卫生院医务人员待遇，在职称晋升上给予倾斜，实行县乡医生轮岗。",
        ),
        (
            "member3",
            "关于稳定乡镇卫生院医生队伍的建议",
            "乡镇卫生院医生待遇偏低、职称晋升难，人才流失严重，群众小病也要去县城看。建议提高基层医务人员待遇，职称评定向基层倾斜，推行县乡医生轮岗。",
        ),
    ],
]


def near_duplicates(ctx) -> None:
    from zhengxie.core.models import User

    from . import services

    for group in NEAR_DUPLICATES:
        for username, title, content in group:
            user = User.objects.get(username=username)
            o = services.opinion_create(user=user, title=title, content=content)
            services.opinion_submit(user=user, opinion=o)
