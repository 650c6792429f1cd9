"""JSON API of duty performance (mounted under /api/v1). Same permission rules as the pages."""

import datetime
from typing import Annotated, Any, Literal

from django.http import Http404
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import PageNumberPagination, paginate
from pydantic import WithJsonSchema

from zhengxie.core.errors import Forbidden, Invalid
from zhengxie.members.models import Member

from . import acts as A
from . import renomination, schemes, scoring, selectors, services, services_warnings
from . import workflow as W

router = Router(tags=["履职"])


class RecordOut(Schema):
    id: int
    act: str
    act_label: str
    category: str
    points: float
    source: str
    occurred_on: datetime.date


class MemberDutyOut(Schema):
    member_id: int
    name: str
    year: int
    total: float
    grade: str
    passed: bool
    by_category: dict[str, float]
    # None while the member has no points this year (not ranked among zeros).
    rank_in_sector: int | None
    rank_in_committee: int | None
    records: list[RecordOut]


@router.get("/members/{member_id}/duty", response=MemberDutyOut, summary="委员年度履职档案（一员一档）")
def member_duty(request, member_id: int, year: int | None = None):
    member = selectors.get_member(request.user, member_id)
    data = selectors.archive(member, selectors.parse_year(year))
    score = data["score"]
    return {
        "member_id": member.pk,
        "name": member.name,
        "year": data["year"],
        "total": float(score.total),
        "grade": score.grade,
        "passed": score.passed,
        "by_category": score.by_category_json(),
        "rank_in_sector": data["ranks"]["sector"],
        "rank_in_committee": data["ranks"]["committee"],
        "records": [
            {
                "id": r.pk,
                "act": r.act,
                "act_label": A.label(r.act),
                "category": r.category,
                "points": float(r.points),
                "source": r.source_repr or r.note,
                "occurred_on": r.occurred_on,
            }
            for r in data["records"]
        ],
    }


class RankingOut(Schema):
    rank: int
    member_id: int
    name: str
    sector: str
    liaison_group: str
    total: float
    grade: str

    @staticmethod
    def resolve_name(obj):
        return obj.member.name

    @staticmethod
    def resolve_sector(obj):
        return obj.sector.name if obj.sector_id else ""

    @staticmethod
    def resolve_liaison_group(obj):
        return obj.liaison_group.short_name if obj.liaison_group_id else ""


@router.get("/rankings", response=list[RankingOut], summary="履职积分排名")
@paginate(PageNumberPagination, page_size=20)
def rankings(
    request,
    year: int | None = None,
    by: Literal["sector", "committee", "group", "liaison"] = "sector",
    group: int | None = None,
    org: int | None = None,
):
    if not request.user.has_perm("performance.view_rankings"):
        raise Http404("未找到")
    organisation, _ = selectors.pick_organisation(request.user, org)
    return selectors.ranking_members(organisation, selectors.parse_year(year), by, group)


class CategoryIn(Schema):
    code: str
    label: str
    cap: float | None = None


class RuleIn(Schema):
    act: str
    category: str
    points: float
    cap: float | None = None
    unit: str = "次"


# A grade is [lowest score, name], e.g. [90, "优秀"]. Declared as an array of two items, each a number or a
# text: pydantic's tuple schema ("prefixItems") is not valid OpenAPI 3.0 and many clients refuse it.
Grade = Annotated[
    tuple[float, str],
    WithJsonSchema(
        {
            "type": "array",
            "items": {"anyOf": [{"type": "number"}, {"type": "string"}]},
            "minItems": 2,
            "maxItems": 2,
            "description": '[最低分, 等次名称]，如 [90, "优秀"]',
        }
    ),
]


class SchemeIn(Schema):
    name: str
    base_points: float = 0
    pass_mark: float = 60
    grades: list[Grade]
    categories: list[CategoryIn]
    rules: list[RuleIn]
    warning_rules: list[dict[str, Any]] = []


class SchemeOut(Schema):
    organisation_id: int
    year: int
    saved: bool
    name: str
    base_points: float
    pass_mark: float
    grades: list[Grade]
    categories: list[dict[str, Any]]
    rules: list[dict[str, Any]]
    warning_rules: list[dict[str, Any]]
    templates: dict[str, str]


def _scheme_out(organisation, year):
    saved = scoring.saved_scheme(organisation.pk, year)
    data = saved.as_data() if saved else dict(schemes.DEFAULT)
    return {
        "organisation_id": organisation.pk,
        "year": year,
        "saved": saved is not None,
        **{
            k: data[k]
            for k in ("name", "base_points", "pass_mark", "grades", "categories", "rules", "warning_rules")
        },
        "templates": dict(schemes.TEMPLATE_CHOICES),
    }


@router.get("/scoring-scheme", response=SchemeOut, summary="积分方案（机关工作人员可读）")
def scheme_get(request, year: int | None = None, org: int | None = None):
    if not request.user.has_perm("performance.view_scheme"):
        raise Http404("未找到")
    organisation, _ = selectors.pick_organisation(request.user, org)
    return _scheme_out(organisation, selectors.parse_year(year))


@router.put("/scoring-scheme", response=SchemeOut, summary="保存积分方案并重算该年度积分（系统管理员）")
def scheme_put(request, payload: SchemeIn, year: int | None = None, org: int | None = None):
    if not request.user.has_perm("performance.change_scheme"):
        raise Forbidden("只有系统管理员可以修改积分方案。")
    organisation, _ = selectors.pick_organisation(request.user, org)
    year = selectors.parse_year(year)
    data = payload.dict()
    data["grades"] = [list(g) for g in data["grades"]]
    services.scheme_save(user=request.user, organisation=organisation, year=year, data=data)
    return _scheme_out(organisation, year)


class SelfReportOut(Schema):
    id: int
    member_id: int
    act: str
    act_label: str
    occurred_on: datetime.date
    description: str
    status: str
    reason: str


def _report_out(r):
    return {
        "id": r.pk,
        "member_id": r.member_id,
        "act": r.act,
        "act_label": r.act_label,
        "occurred_on": r.occurred_on,
        "description": r.description,
        "status": r.status,
        "reason": r.reason,
    }


class SelfReportIn(Schema):
    act: str
    occurred_on: datetime.date
    description: str


@router.post("/self-reports", response={201: SelfReportOut}, summary="委员履职自报（须附佐证材料）")
def self_report_create(request, payload: Form[SelfReportIn], evidence: File[UploadedFile] = None):
    report = services.self_report_submit(
        user=request.user,
        act=payload.act,
        occurred_on=payload.occurred_on,
        description=payload.description,
        evidence=evidence,
    )
    return 201, _report_out(report)


@router.get("/self-reports", response=list[SelfReportOut], summary="待审核的履职自报（工作人员）")
@paginate(PageNumberPagination, page_size=20)
def self_report_list(request, status: str = "pending"):
    return selectors.review_queue(request.user, status)


class RejectIn(Schema):
    reason: str


@router.post("/self-reports/{report_id}/confirm", response=SelfReportOut, summary="确认履职自报并计分")
def self_report_confirm(request, report_id: int):
    report = selectors.get_self_report(request.user, report_id)
    services.self_report_confirm(user=request.user, report=report)
    report.refresh_from_db()
    return _report_out(report)


@router.post("/self-reports/{report_id}/reject", response=SelfReportOut, summary="退回履职自报")
def self_report_reject(request, report_id: int, payload: RejectIn):
    report = selectors.get_self_report(request.user, report_id)
    report = services.self_report_reject(user=request.user, report=report, reason=payload.reason)
    return _report_out(report)


# --- 动态退出: warning cases ------------------------------------------------------------------------------


class WarningStepOut(Schema):
    step: str
    rule_label: str
    note: str
    by: str
    created_at: datetime.datetime


class WarningCaseOut(Schema):
    member_id: int
    name: str
    year: int
    state: str
    state_label: str
    member_status: str
    rules: list[dict[str, Any]]
    talk_by: str
    talk_by_name: str
    talk_role: str  # 经济界别召集人 / …第一委员小组组长 / 机关工作人员: the talker's role towards this member
    talk_on: datetime.date | None
    talk_summary: str
    member_response: str
    decision_rule: str
    grounds: str
    allowed_actions: list[str]
    steps: list[WarningStepOut]


def _case_out(request, member, year):
    data = selectors.warning_case(member, year)
    case = data["case"]
    may = {
        "talk": request.user.has_perm("performance.manage_warnings", member)
        or request.user.has_perm("performance.talk_as_convener", member),
        **{a: request.user.has_perm("performance.decide_warning", member) for a in W.DECISIONS},
    }
    return {
        "member_id": member.pk,
        "name": member.name,
        "year": year,
        "state": data["state"],
        "state_label": data["state_label"],
        "member_status": member.get_status_display(),
        "rules": data["rules"],
        "talk_by": case.talk_by if case else "",
        "talk_by_name": case.talk_by_name if case else "",
        "talk_role": (case.talk_role or case.get_talk_by_display()) if case else "",
        "talk_on": case.talk_on if case else None,
        "talk_summary": case.talk_summary if case else "",
        "member_response": case.member_response if case else "",
        "decision_rule": case.decision_rule if case else "",
        "grounds": case.grounds if case else "",
        "allowed_actions": [t.action for t in data["actions"] if may.get(t.action)],
        "steps": [
            {
                "step": s.step,
                "rule_label": s.rule_label,
                "note": s.note,
                "by": s.by.name,
                "created_at": s.created_at,
            }
            for s in data["steps"]
        ],
    }


def _case_member(request, member_id):
    return selectors.get_case_member(request.user, member_id)


@router.get(
    "/members/{member_id}/warning-case", response=WarningCaseOut, summary="委员年度履职预警处理（动态退出）"
)
def warning_case_get(request, member_id: int, year: int | None = None):
    member = _case_member(request, member_id)
    return _case_out(request, member, selectors.parse_year(year))


class TalkIn(Schema):
    talk_by: Literal["convener", "staff"]
    talk_by_name: str = ""
    talk_convener_id: int | None = None
    talk_on: datetime.date
    talk_summary: str
    member_response: str


@router.post(
    "/members/{member_id}/warning-case/talk",
    response=WarningCaseOut,
    summary="登记谈话提醒（机关工作人员；该委员的界别召集人、小组组长登记本人的谈话，谈话人即本人）",
)
def warning_case_talk(request, member_id: int, payload: TalkIn, year: int | None = None):
    member = _case_member(request, member_id)
    year = selectors.parse_year(year)
    convener = None
    if payload.talk_convener_id:
        convener = Member.objects.filter(
            pk=payload.talk_convener_id, organisation_id=member.organisation_id
        ).first()
        if convener is None:
            raise Invalid("请选择本级政协的另一位委员作为谈话的界别召集人。", field="talk_convener_id")
    services_warnings.warning_talk(
        user=request.user,
        member=member,
        year=year,
        talk_by=payload.talk_by,
        talk_by_name=payload.talk_by_name,
        talk_convener=convener,
        talk_on=payload.talk_on,
        talk_summary=payload.talk_summary,
        member_response=payload.member_response,
    )
    return _case_out(request, member, year)


class DecisionIn(Schema):
    decision: Literal["advise", "deem", "continue", "withdraw"]
    rule: str = ""
    grounds: str


@router.post(
    "/members/{member_id}/warning-case/decide",
    response=WarningCaseOut,
    summary="作出预警处理决定：劝辞、视为辞去、继续履职或撤销预警（机关工作人员）",
)
def warning_case_decide(request, member_id: int, payload: DecisionIn, year: int | None = None):
    member = _case_member(request, member_id)
    year = selectors.parse_year(year)
    services_warnings.warning_decide(
        user=request.user,
        member=member,
        year=year,
        decision=payload.decision,
        rule=payload.rule,
        grounds=payload.grounds,
    )
    member.refresh_from_db(fields=["status"])
    return _case_out(request, member, year)


# --- 换届提名参考名单 -------------------------------------------------------------------------------------


class RenominationYearOut(Schema):
    year: int
    scored: bool
    total: float | None
    grade: str
    passed: bool
    three_ones: bool
    met: bool | None
    warnings: list[str]
    case_state: str


class RenominationCaseOut(Schema):
    year: int
    state: str
    rule: str
    grounds: str


class RenominationRowOut(Schema):
    member_id: int
    name: str
    sector: str
    status: str
    years: list[RenominationYearOut]
    cases: list[RenominationCaseOut]
    met_all: bool
    suggest: bool
    suggestion: str
    reasons: list[str]


class RenominationOut(Schema):
    term_id: int
    term: str
    organisation: str
    years: list[int]
    members: int
    suggested: int
    not_suggested: int
    rows: list[RenominationRowOut]


@router.get(
    "/performance/renomination", response=RenominationOut, summary="换届提名参考名单（机关工作人员、领导）"
)
def renomination_get(request, term: int | None = None, suggest: Literal["", "yes", "no"] = ""):
    t = renomination.get_term(request.user, term)
    data = renomination.renomination(t, suggest)
    return {
        "term_id": t.pk,
        "term": t.name,
        "organisation": t.organisation.name,
        "years": data["years"],
        "members": data["counts"]["members"],
        "suggested": data["counts"]["suggest"],
        "not_suggested": data["counts"]["not_suggest"],
        "rows": [{k: v for k, v in r.items() if k != "member"} for r in data["rows"]],
    }
