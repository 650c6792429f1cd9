"""Who may do what with a proposal: one predicate per question, used by services, selectors, pages and the API.

The predicates here answer "who" (role and relation to the proposal); services add "when" (the state)
and raise Forbidden / Conflict with a Chinese message. `selectors.allowed_actions` combines both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import rules

from zhengxie.core.models import Role
from zhengxie.handling.rules import is_case_office, is_unit_head  # noqa: F401  (签发: the spine's)
from zhengxie.members.selectors import committee_id, member_of  # noqa: F401  (the predicates use them)

from .models import Assignment, Proposal, Signer


def is_proposal_office(user, proposal=None) -> bool:
    """提案委员会/提案科 staff of the proposal's own committee (not a higher level's staff)."""
    # The office that runs the proposal kind on the spine (handling.rules), in the proposal's own committee.
    if not is_case_office(user, kind="proposal"):
        return False
    return proposal is None or user.organisation_id == proposal.organisation_id


def is_committee_leader(user, proposal=None) -> bool:
    if not (getattr(user, "is_authenticated", False) and user.has_role(Role.LEADER)):
        return False
    return proposal is None or user.organisation_id == proposal.organisation_id


def is_unit_user(user) -> bool:
    return (
        getattr(user, "is_authenticated", False)
        and user.handling_unit_id is not None
        and user.has_role(Role.UNIT_HANDLER, Role.UNIT_HEAD)
    )


@dataclass
class Facts:
    """What one user is to one proposal, read with a few queries and reused by every predicate."""

    member: object = None
    signer: Signer | None = None
    signers: list = field(default_factory=list)
    assignments: list = field(default_factory=list)  # active ones
    my_assignments: list = field(default_factory=list)

    @property
    def lead_assignment(self):
        return next((a for a in self.assignments if a.role == Assignment.Role.LEAD), None)

    def my(self, *roles):
        return [a for a in self.my_assignments if not roles or a.role in roles]


def facts(user, proposal) -> Facts:
    f = Facts(member=member_of(user))
    cache = getattr(proposal, "_prefetched_objects_cache", {})
    signers = cache["signers"] if "signers" in cache else Signer.objects.filter(proposal=proposal)
    f.signers = list(signers)
    if f.member is not None:
        f.signer = next((s for s in f.signers if s.member_id == f.member.pk), None)
    rows = proposal.case_cache()
    if "assignments" in rows:
        f.assignments = [a for a in rows["assignments"] if a.is_active]
    else:
        f.assignments = list(
            Assignment.objects.filter(case_id=proposal.case_id, is_active=True).select_related("unit")
        )
    if is_unit_user(user):
        f.my_assignments = [a for a in f.assignments if a.unit_id == user.handling_unit_id]
    return f


# --- "who" predicates (user, proposal) -------------------------------------------------------------


@rules.predicate
def is_author(user, proposal) -> bool:
    return bool(
        getattr(user, "is_authenticated", False) and proposal is not None and proposal.author_id == user.pk
    )


@rules.predicate
def is_agreed_signer(user, proposal) -> bool:
    s = facts(user, proposal).signer
    return s is not None and s.status == Signer.Status.AGREED


@rules.predicate
def can_view_proposal(user, proposal) -> bool:
    if proposal is None or not getattr(user, "is_authenticated", False):
        return False
    from .selectors import visible_proposals

    return visible_proposals(user).filter(pk=proposal.pk).exists()


def may_download_reply_template(user, proposal) -> bool:
    """The 答复函 template: for the units the proposal is assigned to (active assignments) and the proposal
    office, once the proposal has a number (is registered)."""
    if proposal is None or not proposal.number or not getattr(user, "is_authenticated", False):
        return False
    if is_proposal_office(user, proposal):
        return True
    return is_unit_user(user) and any(a.unit_id == user.handling_unit_id for a in proposal.active_assignments)


# Files attached to a proposal are served to whoever may see it (core.views.attachment_download).
rules.add_perm("proposals.view_proposal", can_view_proposal)

__all__ = [
    "Facts",
    "can_view_proposal",
    "committee_id",
    "facts",
    "is_agreed_signer",
    "is_author",
    "is_committee_leader",
    "is_proposal_office",
    "is_unit_head",
    "is_unit_user",
    "may_download_reply_template",
    "member_of",
    "second_matter",
    "Proposal",
]


# --- 一事一案: one matter per proposal ------------------------------------------------------------------
# A heuristic, not a verdict: it flags a likely second matter, and the proposer may confirm it is one.

DOMAINS: dict[str, tuple[str, ...]] = {
    "教育": (
        "教育",
        "学校",
        "校园",
        "教师",
        "学生",
        "幼儿园",
        "中小学",
        "课后服务",
        "学前",
        "职业教育",
        "高校",
        "义务教育",
        "师资",
    ),
    "医疗卫生": ("医疗", "医院", "卫生", "医保", "药品", "诊所", "就医", "疾病", "医生", "护理", "卫生院"),
    "交通": ("交通", "道路", "公路", "公交", "停车", "路口", "红绿灯", "出行", "车辆", "桥梁", "客运"),
    "生态环境": ("环境", "污染", "生态", "垃圾", "河道", "水质", "空气", "环保", "排污", "黑臭"),
    "农业农村": ("农业", "农村", "农民", "种植", "养殖", "耕地", "粮食", "农产品", "乡村", "村庄"),
    "住房城建": ("住房", "小区", "物业", "房地产", "城市更新", "棚户区", "燃气", "供水", "管网", "保障房"),
    "经济产业": ("企业", "营商", "产业", "招商", "金融", "民营经济", "工业园", "税收", "融资", "电商"),
    "社会保障": ("养老", "社保", "就业", "低保", "残疾", "救助", "托育", "退休"),
    "文化旅游": ("旅游", "文化", "文物", "非遗", "体育", "景区", "图书馆"),
    "公共安全": ("治安", "消防", "安全生产", "应急", "防汛", "食品安全", "诈骗"),
}
_NOT_CONNECTORS = (
    "和谐",
    "和平",
    "共和",
    "温和",
    "和美",
    "和睦",
    "饱和",
    "缓和",
    "调和",
    "中和",
    "人和",
    "及时",
    "普及",
    "涉及",
    "危及",
    "波及",
    "及早",
    "顾及",
    "及其",
    "惠及",
    "提及",
    "来不及",
    "不及",
)
_CONNECTOR = re.compile(r"以及|并且|和|及|与")
_ITEM_SPLIT = re.compile(
    r"[一二三四五六七八九十]+是|[（(][一二三四五六七八九十\d]+[）)]|(?:^|\n)\s*\d+\s*[、.．]|[；;。\n]"
)


def domains_of(text: str) -> set[str]:
    return {d for d, words in DOMAINS.items() if any(w in text for w in words)}


def _primary_domain(text: str) -> str | None:
    counts = {d: sum(text.count(w) for w in words) for d, words in DOMAINS.items()}
    best = max(counts.items(), key=lambda kv: kv[1])
    return best[0] if best[1] else None


def second_matter(title: str, suggestions: str = "") -> list[str]:
    """The distinct matters a proposal seems to contain ([] when it looks like one matter).

    Flags a title joined by 和/及/以及/并且/与 whose parts concern unrelated domains, or suggestions whose
    items wander into two or more domains the title does not concern.
    """
    masked = title or ""
    for i, word in enumerate(_NOT_CONNECTORS):
        masked = masked.replace(word, f"\x00{i}\x00")
    parts = [p for p in _CONNECTOR.split(masked) if p.strip()]
    part_domains = [domains_of(p) for p in parts]
    for i, a in enumerate(part_domains):
        for b in part_domains[i + 1 :]:
            if a and b and not (a & b):
                return [sorted(a)[0], sorted(b)[0]]
    title_domains = domains_of(title or "")
    off_topic = []
    for item in _ITEM_SPLIT.split(suggestions or ""):
        item = item.strip()
        if len(item) < 4:
            continue
        ds = domains_of(item)
        if ds and not (ds & title_domains):
            d = _primary_domain(item)
            if d and d not in off_topic:
                off_topic.append(d)
    if (title_domains and len(off_topic) >= 2) or len(off_topic) >= 3:
        return (sorted(title_domains)[:1] + off_topic)[:3]
    return []
