"""Demo 协商成果 of 青川县: two held consultations get an outcome each, written and sent through the
services. The education one (常委会专题协商) has four recommendations: the first waits in 县教育局's inbox
(handler1), the second was answered by 县财政局 and rated 满意 (closed) and adopted (the members who spoke
are credited), the third is answered and waits for the office's rating, the fourth went to no unit; a
县委书记's 批示; its 票评 closed and valid (most standing members voted). The second outcome's recommendations
are with their units and its 票评 is open. Nothing is made when the consultations demo made no held ones."""

from __future__ import annotations

from django.utils import timezone

from zhengxie.core.models import HandlingUnit, Role, User
from zhengxie.handling.services import flow

from ..models import Consultation, Outcome, Recommendation
from ..services import outcomes as services

EDUCATION = {
    "summary": (
        "县政协围绕“推进县域义务教育优质均衡发展”召开常委会专题协商会。会前，教科卫体委员会组织委员赴县教育局、"
        "城区学校和6个乡镇中心校调研；会上，县教育局通报了全县义务教育发展情况，委员们围绕城区大班额、乡村教师"
        "队伍、集团化办学等问题提问和发言，有关部门现场作了回应。\n"
        "委员们认为，近年来我县义务教育投入持续加大，办学条件明显改善，但城乡之间、校际之间差距仍然较大，城区"
        "学位供给紧张与乡村学校生源流失并存，教师结构性缺编问题突出。现将主要建议报送如下。"
    ),
    "rows": [
        (
            "教育局",
            "加快城区学校扩容建设。科学预测学龄人口变化，三年内新建两所九年一贯制学校，2026年秋季学期前消除56人以上大班额。",
        ),
        (
            "财政局",
            "建立义务教育经费稳定增长机制。将乡村小规模学校公用经费按不低于100人核定，确保教师工资不低于当地公务员平均水平。",
        ),
        (
            "人社局",
            "完善乡村教师补充和激励机制。实行乡村教师生活补助按距离远近分档发放，职称评聘向乡村一线教师倾斜。",
        ),
        (
            "",
            "推进集团化办学和城乡学校共同体建设。以城区优质学校为龙头组建教育集团，实行教师统一调配、资源共享、捆绑考核。",
        ),
    ],
}
LOGISTICS = {
    "summary": (
        "县政协召开双月协商座谈会，围绕“加快农村寄递物流体系建设”协商议政。委员们认为，我县快递进村覆盖率已达"
        "85%，但村级网点经营困难、农产品上行成本偏高、冷链设施不足等问题制约了农村电商发展。"
    ),
    "rows": [
        ("商务局", "整合邮政、快递、供销资源，推广“一点多能、多站合一”的村级综合服务站，给予运营补贴。"),
        ("交通局", "结合农村客运班线开展客货邮融合，利用客运车辆捎带快件，降低末端配送成本。"),
        (
            "农业农村局",
            "在重点产业村建设产地预冷和冷藏设施，支持合作社对接电商平台，打造县域农产品公共品牌。",
        ),
    ],
}


def _handler(unit):
    return (
        User.objects.filter(handling_unit=unit, groups__name=Role.UNIT_HANDLER, is_active=True)
        .order_by("pk")
        .first()
    )


def _write(office, c, spec, units) -> Outcome:
    rows = [{"content": text, "unit_id": units[u].pk if u in units else None} for u, text in spec["rows"]]
    o = services.save(user=office, consultation=c, summary=spec["summary"], recommendations=rows)
    return services.send(user=office, outcome=o)


def _vote(office, o, share: float, close: bool) -> None:
    services.open_vote(user=office, outcome=o)
    standing = list(
        services.standing_members(o.consultation.organisation).select_related("user").order_by("pk")
    )
    ratings = ["good", "fair", "good", "average", "fair", "good", "good", "fair"]
    for m, rating in zip(standing[: max(1, int(len(standing) * share))], ratings * 10, strict=False):
        services.vote(user=m.user, outcome=o, rating=rating)
    if close:
        services.close_vote(user=office, outcome=o)


def load(ctx) -> None:
    county = ctx.get("county")
    if county is None:
        return
    held = list(
        Consultation.objects.filter(
            organisation=county, status=Consultation.Status.HELD, year=timezone.localdate().year
        ).order_by("pk")
    )
    if not held:
        return
    office = User.objects.get(username="office")
    units = {u.short_name: u for u in HandlingUnit.objects.filter(organisation=county, is_active=True)}
    education = next((c for c in held if "义务教育" in c.title), held[0])
    logistics = next((c for c in held if "寄递物流" in c.title and c != education), None)
    logistics = logistics or next((c for c in held if c != education), None)

    o = _write(office, education, EDUCATION, units)
    recs = list(Recommendation.objects.filter(outcome=o).select_related("unit").order_by("number"))
    # 2: answered by its unit and rated 满意 (closed), adopted; 3: answered, waiting for the rating.
    for r, rate in ((recs[1], True), (recs[2], False)):
        handler = _handler(r.unit) if r.unit_id else None
        if handler is None:
            continue
        flow.acknowledge(user=handler, case=r.case_id)
        flow.reply(
            user=handler,
            case=r.case_id,
            content=f"关于协商成果第{r.number}条建议：我单位已会同有关部门研究，制定了落实方案，相关工作正在推进。",
        )
        if rate:
            flow.rate(user=office, case=r.case_id, rating="satisfied", comment="答复具体，措施有力。")
    services.set_adoption(
        user=office, recommendation=recs[1], adoption="adopted", note="已纳入县政府2027年度财政预算安排"
    )
    services.set_adoption(
        user=office, recommendation=recs[3], adoption="partly", note="县教育局已在城区试点组建两个教育集团"
    )
    services.add_instruction(
        user=office,
        outcome=o,
        leader="县委书记",
        level="county",
        content="县政协的协商成果针对性强，请县政府牵头研究，有关部门逐条抓好落实，年底前报告落实情况。",
        given_on=timezone.localdate(),
    )
    _vote(office, o, share=0.8, close=True)

    if logistics is not None:
        o2 = _write(office, logistics, LOGISTICS, units)
        _vote(office, o2, share=0.3, close=False)
