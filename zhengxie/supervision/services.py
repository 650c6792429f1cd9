"""Every change to 委派民主监督. Each service checks, in this order: the user may see the object (NotFound,
404), may act (Forbidden, 403), the state allows it (Conflict, 409), then the input (Invalid, 422); it runs
in one transaction, tells whoever must act next and writes its audit entry last.

票决 (`open_selection` → `vote` / `enter_paper` → `close_selection` → `pick` on a tie at the cut), the
groups (`create` → `add_item` / `confirm` / `rate` → `finish_rating` → `close`), and `follow_case`, by
which a rectification item follows its case on the handling spine (the kind's on_step / on_close)."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.urls import reverse
from django.utils import timezone

from zhengxie.consultation.services.outcomes import standing_members
from zhengxie.core import audit, orgsettings, verdicts
from zhengxie.core.errors import Conflict, Forbidden, Invalid, NotFound
from zhengxie.core.models import Role, User
from zhengxie.core.notifications import notify
from zhengxie.core.uploads import EVIDENCE, save_attachment
from zhengxie.core.verdicts import Verdict
from zhengxie.handling.models import Case, Evaluation
from zhengxie.handling.services import flow
from zhengxie.handling.services.units import as_date, check_deadline, resolve_unit
from zhengxie.keytasks.services import _text, check_year
from zhengxie.members.models import Member
from zhengxie.members.selectors import member_of
from zhengxie.performance import acts as A
from zhengxie.performance.services import record_act

from . import rules
from .handling_kind import KIND
from .models import Ballot, Candidate, Item, Rating, Selection, Supervision

orgsettings.register(
    "supervision.vote_quorum_percent", 50, "民主监督票决：参加投票的常委须超过该比例方为有效"
)
orgsettings.register(
    "supervision.rating_aspects",
    ["工作作风", "依法履职", "整改落实", "服务成效"],
    "民主监督小组评议被监督单位的方面",
)

MAX_CANDIDATES = 30
MAX_MEMBERS = 30
SS = Supervision.Status
VS = Selection.Status
IS = Item.Status
# The item's status for each status of its case (handling.services.flow).
CASE_TO_ITEM = {
    flow.ASSIGNED: IS.ROUTED,
    flow.ACKNOWLEDGED: IS.ROUTED,
    flow.REPLIED: IS.REPLIED,
    flow.REHANDLING: IS.REHANDLING,
    flow.CLOSED: IS.RECTIFIED,
}


# --- checks --------------------------------------------------------------------------------------------


def _pk(value):
    pk = getattr(value, "pk", value)
    if isinstance(pk, bool):
        return None
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return pk if 0 < pk < 2**53 else None


def _ids(values, name: str, field: str) -> list[int]:
    if values is None:
        values = []
    if isinstance(values, str | int) or not hasattr(values, "__iter__"):
        values = [values]
    out = []
    for v in values:
        pk = _pk(v)
        if pk is None:
            raise Invalid(f"{name}格式不正确。", field=field)
        if pk not in out:
            out.append(pk)
    return out


def _member(organisation, value, name: str, field: str) -> Member:
    pk = _pk(value)
    m = None
    if pk is not None:
        m = (
            Member.objects.select_related("user")
            .filter(pk=pk, organisation_id=organisation.committee.pk, status=Member.Status.ACTIVE)
            .first()
        )
    if m is None:
        raise Invalid(f"{name}须为本级政协在任委员。", field=field)
    return m


def _staff(organisation, value):
    if value in (None, "", 0):
        return None
    pk = _pk(value)
    u = User.objects.filter(pk=pk, organisation_id=organisation.pk, is_active=True).first() if pk else None
    if u is None or not u.has_role(Role.STAFF):
        raise Invalid("联络员须为本级政协机关工作人员。", field="staff_contact_id")
    return u


def aspects(organisation) -> list[str]:
    return [str(a) for a in orgsettings.get(organisation, "supervision.rating_aspects")]


def quorum_percent(organisation) -> int:
    return int(orgsettings.get(organisation, "supervision.vote_quorum_percent"))


def url(s) -> str:
    return reverse("supervision:detail", args=[s.pk])


def vote_url(sel) -> str:
    return reverse("supervision:vote", args=[sel.pk])


def _users(members) -> list:
    return [m.user for m in members]


# --- 票决 ------------------------------------------------------------------------------------------------


def _load_selection(user, selection, lock=True) -> Selection:
    pk = _pk(selection)
    sel = None
    if pk is not None:
        qs = Selection.objects.select_related("organisation")
        if lock:
            qs = qs.select_for_update(of=("self",))
        sel = qs.filter(pk=pk).first()
    if sel is None or not rules.can_view_selection(user, sel):
        raise NotFound("未找到该票决。")
    return sel


def _must_office(user, organisation, what: str) -> None:
    if not rules.is_office(user, organisation):
        raise Forbidden(f"只有本级政协办公室工作人员可以{what}。")


def _open(sel: Selection, what: str) -> None:
    if sel.status != VS.OPEN:
        raise Conflict(f"该票决{sel.get_status_display()}，不能{what}。", code="vote_not_open")


def open_selection(user, *, year, title="", choose, candidates, organisation=None) -> Selection:
    """The 办公室 puts candidate units ({unit_id, reason}) to the standing members, who are told."""
    organisation = organisation or user.organisation
    _must_office(user, organisation, "组织民主监督票决")
    year = check_year(year)
    title = (
        _text(title, "名称", field="title", required=False, limit=200) or f"{year}年度委派民主监督单位票决"
    )
    try:
        choose = int(choose)
    except (TypeError, ValueError):
        raise Invalid("拟选单位数须为整数。", field="choose")
    rows = list(candidates or [])
    if not rows:
        raise Invalid("请至少填写一个候选单位。", field="candidates")
    if len(rows) > MAX_CANDIDATES:
        raise Invalid(f"候选单位最多{MAX_CANDIDATES}个。", field="candidates")
    if not 1 <= choose <= len(rows):
        raise Invalid(f"拟选单位数须在1至{len(rows)}之间（不超过候选单位数）。", field="choose")
    clean, seen = [], set()
    for i, row in enumerate(rows, 1):
        if not isinstance(row, dict):
            raise Invalid(f"第{i}个候选单位格式不正确。", field="candidates")
        unit = resolve_unit(organisation, row.get("unit_id", row.get("unit")), field="candidates")
        if unit.pk in seen:
            raise Invalid(f"候选单位“{unit.name}”重复。", field="candidates")
        seen.add(unit.pk)
        reason = _text(row.get("reason"), f"“{unit.name}”的推荐理由", field="candidates", limit=1000)
        clean.append((unit, reason))
    with transaction.atomic():
        sel = Selection.objects.create(
            organisation=organisation, year=year, title=title, choose=choose, created_by=user
        )
        Candidate.objects.bulk_create(
            [Candidate(selection=sel, unit=u, reason=r, order=i) for i, (u, r) in enumerate(clean, 1)]
        )
        voters = User.objects.filter(pk__in=standing_members(organisation).values("user_id"))
        notify(
            voters,
            f"请参加民主监督单位票决：{title}",
            f"候选单位{len(clean)}个，每位常委限投一次，最多选{choose}个。",
            url=vote_url(sel),
            category="supervision",
        )
        audit.record(
            user,
            "supervision.vote_open",
            sel,
            after={"year": year, "choose": choose, "candidates": [u.pk for u, _ in clean]},
            organisation=organisation,
        )
    return sel


def vote(user, selection, unit_ids) -> Ballot:
    """A standing member's ballot, once: up to `choose` of the candidate units."""
    with transaction.atomic():
        sel = _load_selection(user, selection)
        if not rules.is_standing(user, sel.organisation):
            raise Forbidden("只有本级政协常委可以参加民主监督票决。")
        _open(sel, "投票")
        member = member_of(user)
        if Ballot.objects.filter(selection=sel, member=member).exists():
            raise Conflict("您已参加过本次票决，每位常委限投一次。", code="already_voted")
        ids = _ids(unit_ids, "所选单位", "unit_ids")
        if not ids:
            raise Invalid("请至少选择一个单位。", field="unit_ids")
        if len(ids) > sel.choose:
            raise Invalid(f"最多选择{sel.choose}个单位。", field="unit_ids")
        cands = list(Candidate.objects.filter(selection=sel, unit_id__in=ids))
        if len(cands) != len(ids):
            raise Invalid("所选单位不在本次票决的候选单位中。", field="unit_ids")
        try:
            with transaction.atomic():
                b = Ballot.objects.create(selection=sel, member=member)
        except IntegrityError:
            raise Conflict("您已参加过本次票决，每位常委限投一次。", code="already_voted")
        b.candidates.set(cands)
        # The ballot's content stays out of the audit log: only that the member voted.
        audit.record(
            user, "supervision.vote", sel, after={"member": member.pk}, organisation=sel.organisation
        )
    return b


def enter_paper(user, selection, *, voters, votes) -> Selection:
    """The paper result entered by the 办公室: how many took part on paper and the votes per candidate unit
    ({unit_id: n} or [{unit_id, votes}]); added to the platform's ballots when the vote closes."""
    with transaction.atomic():
        sel = _load_selection(user, selection)
        _must_office(user, sel.organisation, "录入纸质票决结果")
        _open(sel, "录入结果")
        if isinstance(votes, list):
            votes = {(r or {}).get("unit_id"): (r or {}).get("votes") for r in votes if isinstance(r, dict)}
        if not isinstance(votes, dict):
            raise Invalid("请填写各候选单位的得票数。", field="votes")
        try:
            voters = int(voters)
        except (TypeError, ValueError):
            raise Invalid("参加投票人数须为整数。", field="voters")
        online = Ballot.objects.filter(selection=sel).count()
        standing = standing_members(sel.organisation).count()
        if voters < 0 or voters + online > standing:
            raise Invalid(
                f"纸质投票人数须在0至{max(standing - online, 0)}之间（常委{standing}人，已在平台投票{online}人）。",
                field="voters",
            )
        cands = {c.unit_id: c for c in Candidate.objects.filter(selection=sel).select_related("unit")}
        counts = {}
        for key, n in votes.items():
            c = cands.get(_pk(key))
            if c is None:
                raise Invalid("得票单位不在本次票决的候选单位中。", field="votes")
            try:
                n = int(n or 0)
            except (TypeError, ValueError):
                raise Invalid(f"“{c.unit.name}”的得票数须为整数。", field="votes")
            if n < 0 or n > voters:
                raise Invalid(f"“{c.unit.name}”的得票数须在0至{voters}之间。", field="votes")
            counts[c.pk] = n
        if sum(counts.values()) > voters * sel.choose:
            raise Invalid(
                f"纸质票合计{sum(counts.values())}票，超过了{voters}人每人最多选{sel.choose}个单位的上限"
                f"（{voters * sel.choose}票）。",
                field="votes",
            )
        for c in cands.values():
            c.paper_votes = counts.get(c.pk, 0)
        Candidate.objects.bulk_update(list(cands.values()), ["paper_votes"])
        sel.paper_voters = voters
        sel.save(update_fields=["paper_voters"])
        audit.record(
            user,
            "supervision.vote_paper",
            sel,
            after={"voters": voters, "votes": {str(k): v for k, v in counts.items()}},
            organisation=sel.organisation,
        )
    return sel


def tally(sel: Selection, candidates=None) -> dict:
    """{rows: [{candidate, votes}], voters, standing, quorum_percent, quorum_met} (two queries; the
    numbers fixed at closing once the vote has closed)."""
    if candidates is None:
        candidates = (
            Candidate.objects.filter(selection=sel).select_related("unit").annotate(n=Count("ballots"))
        )
    rows = []
    for c in candidates:
        total = c.votes if sel.status != VS.OPEN else c.n + c.paper_votes
        rows.append({"candidate": c, "votes": total})
    rows.sort(key=lambda r: (-r["votes"], r["candidate"].order, r["candidate"].pk))
    if sel.status == VS.OPEN:
        voters = Ballot.objects.filter(selection=sel).count() + sel.paper_voters
        standing = standing_members(sel.organisation).count()
        percent = quorum_percent(sel.organisation)
    else:
        voters, standing, percent = sel.voters or 0, sel.standing or 0, sel.quorum_percent or 50
    return {
        "rows": rows,
        "voters": voters,
        "standing": standing,
        "quorum_percent": percent,
        "quorum_met": verdicts.quorum_met(voters, standing, percent),
    }


def close_selection(user, selection) -> Selection:
    """End the vote: valid only when more than `supervision.vote_quorum_percent` percent of the standing
    members took part (platform and paper); the top `choose` units are chosen. A tie at the cut leaves
    the vote 平票待定 for the 办公室 to pick among the tied (`pick`)."""
    with transaction.atomic():
        sel = _load_selection(user, selection)
        _must_office(user, sel.organisation, "结束票决")
        _open(sel, "结束")
        t = tally(sel)
        sel.voters, sel.standing, sel.quorum_percent = t["voters"], t["standing"], t["quorum_percent"]
        sel.valid = t["quorum_met"]
        rows = t["rows"]
        for r in rows:
            r["candidate"].votes = r["votes"]
        status = VS.CLOSED
        if sel.valid:
            if len(rows) <= sel.choose:
                for r in rows:
                    r["candidate"].chosen = True
            else:
                cut = rows[sel.choose - 1]["votes"]
                above = [r for r in rows if r["votes"] > cut]
                at = [r for r in rows if r["votes"] == cut]
                for r in above:
                    r["candidate"].chosen = True
                if len(above) + len(at) == sel.choose:
                    for r in at:
                        r["candidate"].chosen = True
                else:
                    status = VS.TIE
                    for r in at:
                        r["candidate"].tied = True
        Candidate.objects.bulk_update([r["candidate"] for r in rows], ["votes", "chosen", "tied"])
        sel.status, sel.closed_at = status, timezone.now()
        sel.save(update_fields=["voters", "standing", "quorum_percent", "valid", "status", "closed_at"])
        audit.record(
            user,
            "supervision.vote_close",
            sel,
            after={
                "voters": sel.voters,
                "standing": sel.standing,
                "valid": sel.valid,
                "status": status,
                "chosen": [r["candidate"].unit_id for r in rows if r["candidate"].chosen],
            },
            organisation=sel.organisation,
        )
    return sel


def pick(user, selection, unit_ids) -> Selection:
    """On a tie at the cut, the 办公室 picks among the tied units as many as are still to be chosen."""
    with transaction.atomic():
        sel = _load_selection(user, selection)
        _must_office(user, sel.organisation, "确定平票单位")
        if sel.status != VS.TIE:
            raise Conflict("该票决没有待定的平票单位。", code="no_tie")
        cands = list(Candidate.objects.filter(selection=sel).select_related("unit"))
        left = sel.choose - sum(1 for c in cands if c.chosen)
        ids = _ids(unit_ids, "所选单位", "unit_ids")
        tied = {c.unit_id: c for c in cands if c.tied and not c.chosen}
        if any(i not in tied for i in ids):
            raise Invalid("只能在平票的单位中选择。", field="unit_ids")
        if len(ids) != left:
            raise Invalid(f"请在平票单位中选择{left}个。", field="unit_ids")
        for i in ids:
            tied[i].chosen = True
        Candidate.objects.bulk_update([tied[i] for i in ids], ["chosen"])
        sel.status = VS.CLOSED
        sel.save(update_fields=["status"])
        audit.record(user, "supervision.vote_pick", sel, after={"chosen": ids}, organisation=sel.organisation)
    return sel


# --- the groups ------------------------------------------------------------------------------------------


def _load(user, supervision, lock=True) -> Supervision:
    pk = _pk(supervision)
    s = None
    if pk is not None:
        qs = Supervision.objects.select_related("organisation", "unit", "leader")
        if lock:
            qs = qs.select_for_update(of=("self",))
        s = qs.filter(pk=pk).first()
    if s is None or not rules.can_view(user, s):
        raise NotFound("未找到该民主监督小组。")
    return s


def _snapshot(s: Supervision) -> dict:
    return {
        "year": s.year,
        "unit": s.unit_id,
        "title": s.title,
        "leader": s.leader_id,
        "members": sorted(m.pk for m in s.members.all()),
        "staff_contact": s.staff_contact_id,
        "starts_on": str(s.starts_on),
        "ends_on": str(s.ends_on),
        "status": s.status,
    }


def create(
    user,
    *,
    year,
    unit,
    leader,
    members=(),
    title="",
    staff_contact=None,
    starts_on=None,
    ends_on=None,
    organisation=None,
) -> Supervision:
    """A supervision group on a unit for a year (the 办公室): linked to the year's 票决 when the unit was
    chosen there; the group is told."""
    organisation = organisation or user.organisation
    _must_office(user, organisation, "组建民主监督小组")
    year = check_year(year)
    unit = resolve_unit(organisation, unit, field="unit_id")
    title = (
        _text(title, "名称", field="title", required=False, limit=200) or f"{year}年度{unit.name}民主监督小组"
    )
    leader = _member(organisation, leader, "组长", "leader_member_id")
    ids = [i for i in _ids(members, "成员", "member_ids") if i != leader.pk]
    if len(ids) > MAX_MEMBERS:
        raise Invalid(f"成员最多{MAX_MEMBERS}人。", field="member_ids")
    group = list(
        Member.objects.select_related("user").filter(
            pk__in=ids, organisation_id=organisation.committee.pk, status=Member.Status.ACTIVE
        )
    )
    if len(group) != len(ids):
        raise Invalid("成员须为本级政协在任委员。", field="member_ids")
    contact = _staff(organisation, staff_contact)
    starts_on = as_date(starts_on, "开始日期", "starts_on") or timezone.localdate()
    ends_on = as_date(ends_on, "结束日期", "ends_on") or datetime.date(year, 12, 31)
    if ends_on < starts_on:
        raise Invalid("结束日期不能早于开始日期。", field="ends_on")
    with transaction.atomic():
        sel = (
            Selection.objects.filter(
                organisation=organisation,
                year=year,
                status=VS.CLOSED,
                valid=True,
                candidates__unit=unit,
                candidates__chosen=True,
            )
            .order_by("-id")
            .first()
        )
        s = Supervision.objects.create(
            organisation=organisation,
            year=year,
            unit=unit,
            title=title,
            leader=leader,
            staff_contact=contact,
            starts_on=starts_on,
            ends_on=ends_on,
            selection=sel,
            created_by=user,
        )
        s.members.set(group)
        notify(
            [leader.user, *_users(group), *([contact] if contact else [])],
            f"您已参加民主监督小组：{title}",
            f"监督单位：{unit.name}；组长：{leader.name}；监督期 {starts_on:%Y年%m月%d日} 至 {ends_on:%Y年%m月%d日}。",
            url=url(s),
            category="supervision",
        )
        audit.record(user, "supervision.create", s, after=_snapshot(s), organisation=organisation)
    return s


def _active(s: Supervision, what: str) -> None:
    if s.status != SS.ACTIVE:
        raise Conflict(f"该民主监督小组{s.get_status_display()}，不能{what}。", code="illegal_transition")


def check_problem(s: Supervision, list, problem) -> Item | None:  # noqa: A002
    """The 问题清单 item of this group a 整改 item rectifies (optional; only for 整改 items)."""
    pk = _pk(problem)
    if problem in (None, "") or list != Item.List.RECTIFICATION:
        return None
    found = Item.objects.filter(pk=pk, supervision_id=s.pk, list=Item.List.PROBLEM).first() if pk else None
    if found is None:
        raise Invalid("对应问题须为本小组问题清单中的事项。", field="problem")
    return found


def add_item(user, supervision, *, list, content, deadline=None, evidence=(), problem=None) -> Item:  # noqa: A002
    """An item of one of the group's three lists, with optional evidence (photos lose their EXIF). A
    rectification item is routed to the supervised unit at once (its inbox; deadline: the one given, or
    `supervision.reply_days` days) and may name the problem it rectifies (`problem`: a 问题清单 item of
    the group), which its unit then reads, with that problem's evidence, on its case page."""
    with transaction.atomic():
        s = _load(user, supervision)
        if not rules.can_add_items(user, s):
            raise Forbidden("只有监督小组的组长、成员和联络员可以填写清单。")
        _active(s, "填写清单")
        if list not in Item.List.values:
            raise Invalid("清单须为问题清单、建议清单或整改清单。", field="list")
        content = _text(content, "内容", field="content", limit=5000)
        day = check_deadline(deadline) if list == Item.List.RECTIFICATION else None
        source = check_problem(s, list, problem)
        last = Item.objects.filter(supervision=s, list=list).aggregate(m=Max("number"))["m"] or 0
        item = Item.objects.create(
            supervision=s,
            list=list,
            number=last + 1,
            content=content,
            deadline=day,
            problem=source,
            created_by=user,
        )
        files = [save_evidence(user, item, f) for f in (evidence or ()) if f]
        if list == Item.List.RECTIFICATION:
            case = flow.route(
                user=user,
                kind=KIND,
                item=item,
                organisation=s.organisation,
                # the unit's inbox row says what to rectify; the timeline keeps the whole text (the
                # unit cannot open the group's page)
                title=content if len(content) <= 80 else content[:79] + "…",
                label=f"整改第{item.number}项",
                unit=s.unit,
                deadline=day,
                note=content,
            )
            item.deadline, item.status = case.deadline, IS.ROUTED
            Item.objects.filter(pk=item.pk).update(deadline=case.deadline, status=IS.ROUTED)
            item.light = Item.objects.values_list("light", flat=True).get(pk=item.pk)
        audit.record(
            user,
            "supervision.item_add",
            item,
            after={
                "list": list,
                "number": item.number,
                "case": item.case_id,
                "problem": item.problem_id,
                "evidence": [a.pk for a in files],
            },
            organisation=s.organisation,
        )
    return item


def save_evidence(user, item: Item, upload):
    return save_attachment(
        upload, target=item, user=user, purpose="supervision_evidence", allowed=EVIDENCE, strip_metadata=True
    )


def _load_item(user, item) -> Item:
    pk = _pk(item)
    found = None
    if pk is not None:
        found = (
            Item.objects.select_for_update(of=("self",))
            .select_related("supervision__organisation", "supervision__unit")
            .filter(pk=pk)
            .first()
        )
    if found is None or not rules.can_view(user, found.supervision):
        raise NotFound("未找到该清单事项。")
    return found


def add_evidence(user, item, upload):
    """One more evidence file of an item (the group, while the group works)."""
    with transaction.atomic():
        i = _load_item(user, item)
        if not rules.can_add_items(user, i.supervision):
            raise Forbidden("只有监督小组的组长、成员和联络员可以上传佐证材料。")
        if i.supervision.status == SS.CLOSED:
            raise Conflict("该民主监督小组已结束，不能上传佐证材料。", code="illegal_transition")
        if upload is None:
            raise Invalid("请选择要上传的文件。", field="file")
        att = save_evidence(user, i, upload)
        audit.record(
            user, "supervision.evidence", i, after={"attachment": att.pk}, organisation=i.organisation
        )
    return att


def confirm(user, item, *, accepted, note="") -> Item:
    """The group confirms the unit's rectification (accepted: the case closes, 已整改) or sends it back
    (not accepted, with a note: the unit handles it again). It is the spine's own 评价 (满意 / 不满意)."""
    with transaction.atomic():
        i = _load_item(user, item)
        if not rules.is_group(user, i.supervision):
            raise Forbidden("只有监督小组的组长、成员和联络员可以确认整改情况。")
        if i.list != Item.List.RECTIFICATION or i.case_id is None:
            raise Conflict("只有整改清单事项需要确认整改情况。", code="not_rectification")
        if i.status != IS.REPLIED:
            raise Conflict(
                f"该整改事项当前为「{i.get_status_display()}」，承办单位答复后才能确认。", code="not_replied"
            )
        if not isinstance(accepted, bool):
            raise Invalid("请选择确认已整改或退回重新整改。", field="accepted")
        note = _text(note, "意见", field="note", required=not accepted, limit=2000)
        flow.rate(
            user=user,
            case=i.case_id,
            rating=Evaluation.Rating.SATISFIED if accepted else Evaluation.Rating.UNSATISFIED,
            comment=note,
        )
        i.refresh_from_db()
        audit.record(
            user,
            "supervision.confirm",
            i,
            after={"accepted": accepted, "status": i.status, "case": i.case_id},
            organisation=i.organisation,
        )
    return i


def follow_case(case_id) -> None:
    """After a step on the spine (签收, 答复, 评价, 办结): the rectification item's status follows its case."""
    status = CASE_TO_ITEM.get(Case.objects.values_list("status", flat=True).filter(pk=case_id).first())
    if status is not None:
        Item.objects.filter(case_id=case_id).exclude(status=status).update(status=status)


# --- rating the unit -------------------------------------------------------------------------------------


def rate(user, supervision, ratings: dict) -> dict:
    """A group member rates the unit on one or more aspects ({aspect: satisfied | basically_satisfied |
    unsatisfied | unknown}); rating an aspect again replaces the earlier rating while the group is active.
    Returns the rating summary."""
    with transaction.atomic():
        s = _load(user, supervision)
        if not rules.can_rate(user, s):
            raise Forbidden("只有监督小组的组长和成员可以评议被监督单位。")
        _active(s, "评议")
        if not isinstance(ratings, dict) or not ratings:
            raise Invalid("请选择评议方面和评价。", field="aspect")
        allowed = aspects(s.organisation)
        for aspect, value in ratings.items():
            if aspect not in allowed:
                raise Invalid(f"评议方面须为：{'、'.join(allowed)}。", field="aspect")
            if value not in Verdict.values:
                raise Invalid("评价须为满意、基本满意、不满意或不了解。", field="rating")
        member = member_of(user)
        now = timezone.now()
        for aspect, value in ratings.items():
            Rating.objects.update_or_create(
                supervision=s, member=member, aspect=aspect, defaults={"rating": value, "at": now}
            )
        # Which aspects, not what the member said.
        audit.record(
            user,
            "supervision.rate",
            s,
            after={"member": member.pk, "aspects": sorted(ratings)},
            organisation=s.organisation,
        )
    return rating_summary(s)


def group_size(s: Supervision) -> int:
    return len(rules.member_ids(s))


def rating_summary(s: Supervision, size: int | None = None) -> dict:
    """Per aspect: the counts on the four-grade scale, the result (a tie goes to the worse), 满意率 and
    whether more than half of the group rated it; the whole is valid when every aspect is (two queries)."""
    size = group_size(s) if size is None else size
    rows = Rating.objects.filter(supervision_id=s.pk).values("aspect", "rating").annotate(n=Count("id"))
    by_aspect: dict[str, list] = {}
    for r in rows:
        by_aspect.setdefault(r["aspect"], []).append((r["rating"], r["n"]))
    labels = dict(Verdict.choices)
    out = []
    for aspect in aspects(s.organisation):
        counts, result = verdicts.tally(by_aspect.get(aspect, []), verdicts.VERDICT_ORDER)
        for v in Verdict.values:
            counts.setdefault(v, 0)
        raters = sum(counts.values())
        out.append(
            {
                "aspect": aspect,
                "counts": counts,
                "raters": raters,
                "result": result,
                "result_label": labels.get(result, ""),
                "satisfaction_rate": verdicts.satisfaction_rate(counts),
                "valid": verdicts.quorum_met(raters, size),
            }
        )
    return {
        "group_size": size,
        "aspects": out,
        "valid": bool(out) and all(a["valid"] for a in out),
    }


def my_ratings(user, s: Supervision) -> dict[str, str]:
    m = member_of(user)
    if m is None:
        return {}
    return dict(Rating.objects.filter(supervision_id=s.pk, member=m).values_list("aspect", "rating"))


def finish_rating(user, supervision) -> Supervision:
    """End the group's rating (active → rated): valid only when more than half of the group rated every
    aspect; the lists stay, the unit's open 整改 goes on."""
    with transaction.atomic():
        s = _load(user, supervision)
        if not rules.can_manage(user, s):
            raise Forbidden("只有本级政协办公室工作人员或小组联络员可以结束评议。")
        _active(s, "结束评议")
        summary = rating_summary(s)
        if not summary["valid"]:
            raise Conflict(
                f"参加评议的成员未超过小组人数（{summary['group_size']}人）的半数，评议无效，不能结束评议。",
                code="quorum_not_met",
            )
        s.status, s.rated_at = SS.RATED, timezone.now()
        s.save(update_fields=["status", "rated_at"])
        results = {a["aspect"]: a["result"] for a in summary["aspects"]}
        audit.record(user, "supervision.rated", s, after={"results": results}, organisation=s.organisation)
    return s


def close(user, supervision) -> Supervision:
    """Close the group (rated → closed): each member of the group (the leader included) is credited once
    with 参加民主监督小组 (performance.acts.SUPERVISION, source: the supervision)."""
    with transaction.atomic():
        s = _load(user, supervision)
        if not rules.can_manage(user, s):
            raise Forbidden("只有本级政协办公室工作人员或小组联络员可以结束监督。")
        if s.status != SS.RATED:
            raise Conflict(
                f"该民主监督小组{s.get_status_display()}，须先结束评议才能结束监督。",
                code="illegal_transition",
            )
        s.status, s.closed_at = SS.CLOSED, timezone.now()
        s.save(update_fields=["status", "closed_at"])
        group = [s.leader, *s.members.all()]
        day = min(s.ends_on, timezone.localdate())
        for m in group:
            record_act(member=m, act=A.SUPERVISION, source=s, occurred_on=day, confirmed_by=user)
        notify(
            _users(Member.objects.select_related("user").filter(pk__in=[m.pk for m in group])),
            f"民主监督小组已结束：{s.title}",
            "感谢参加委派民主监督，已记入履职档案。",
            url=url(s),
            category="supervision",
        )
        audit.record(
            user, "supervision.close", s, after={"credited": len(group)}, organisation=s.organisation
        )
    return s
