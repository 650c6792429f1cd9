"""Every state change of a proposal, from draft to 办结 (domain.md, "Proposals").

Each service: keyword-only arguments; the proposal is re-read (and row-locked) inside one transaction;
who may act is checked (Forbidden, 403), then the state (Conflict, 409), then the input (Invalid, 422);
the change is written with an audit entry, a timeline Event, notifications, duty records and the search
index. Proposals the user may not see raise Http404. The caller's instance is refreshed afterwards.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from zhengxie.core import audit, orgsettings
from zhengxie.core.errors import Conflict, Forbidden, Invalid
from zhengxie.core.models import HandlingUnit, Role, User
from zhengxie.core.notifications import notify
from zhengxie.core.numbering import next_number
from zhengxie.core.uploads import DOCUMENTS, save_attachment
from zhengxie.members.models import Member, Session

from . import rules as r
from .lights import HANDLING_STATES, light_of
from .models import Assignment, Contact, Evaluation, Event, Extension, Proposal, Reply, Signer
from .rules import second_matter
from .selectors import ACCEPTED_OR_LATER, change_window_open, closable, cosign_open, raters, visible_proposals

S = Proposal.Status
REPLYING_ROLES = (Assignment.Role.LEAD, Assignment.Role.PARALLEL)
TEXT_FIELDS = ("title", "reasons", "suggestions", "category", "research_note", "collective_body")
UPDATABLE = set(TEXT_FIELDS) | {"cosigner_ids", "kind"}


# --- small helpers ------------------------------------------------------------------------------------


def _now():
    return timezone.now()


def _today():
    return timezone.localdate()


def proposal_url(p) -> str:
    try:
        return reverse("proposals:detail", args=[p.pk])
    except NoReverseMatch:
        return f"/proposals/{p.pk}/"


def _snapshot(p) -> dict:
    return {
        "status": p.status, "number": p.number, "category": p.category, "kind": p.kind,
        "deadline": p.deadline.isoformat() if p.deadline else None, "light": p.light or None,
        "is_key": p.is_key, "is_excellent": p.is_excellent, "round": p.rehandle_round,
    }


def _load(user, proposal) -> Proposal:
    """The proposal, freshly read and row-locked, if the user may see it; else Http404."""
    pk = getattr(proposal, "pk", proposal)
    if pk is None or not visible_proposals(user).filter(pk=pk).exists():
        raise Http404("未找到")
    return Proposal.objects.select_related("session", "organisation").select_for_update(of=("self",)).get(pk=pk)


def _sync(caller, fresh: Proposal) -> Proposal:
    if isinstance(caller, Proposal) and caller is not fresh:
        caller.refresh_from_db()
    return fresh


def _state(p, allowed: Iterable[str], verb: str):
    if p.status not in allowed:
        raise Conflict(f"该提案当前状态为「{p.get_status_display()}」，不能{verb}。", code="bad_state")


def _event(p, user, action: str, label: str, detail: str = "") -> Event:
    return Event.objects.create(proposal=p, actor=user if user is not None and user.pk else None,
                                actor_label=(getattr(user, "name", "") or getattr(user, "username", ""))[:100]
                                if user else "系统",
                                action=action, label=label[:200], detail=detail)


def _done(user, p, action: str, label: str, before: dict, *, detail: str = "", extra: dict | None = None):
    """Write the audit entry and the timeline event of a successful transition."""
    after = _snapshot(p)
    if extra:
        after.update(extra)
    audit.record(user, f"proposals.{action}", p, before=before, after=after)
    _event(p, user, action, label, detail)


def _text(value, name: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Invalid(f"{name}格式不正确。")
    return value.strip()


def _as_date(value, label: str, field: str) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise Invalid(f"{label}格式不正确（应为 YYYY-MM-DD）。", field=field)


def _signer_users(p, statuses=(Signer.Status.AGREED,)) -> list[User]:
    return list(User.objects.filter(member__signatures__proposal=p, member__signatures__status__in=statuses,
                                    is_active=True).distinct())


def _office_users(p) -> list[User]:
    return list(User.objects.filter(organisation_id=p.organisation_id, office="proposal", groups__name=Role.STAFF,
                                    is_active=True).distinct())


def _unit_users(unit_ids, roles=(Role.UNIT_HANDLER,)) -> list[User]:
    return list(User.objects.filter(handling_unit_id__in=list(unit_ids), groups__name__in=list(roles),
                                    is_active=True).distinct())


def _index(p):
    from zhengxie.search.services import index_document

    index_document(kind="proposal", object_id=p.pk, organisation_id=p.organisation_id, title=p.title,
                   body=f"{p.reasons}\n{p.suggestions}", year=p.session.year)


def _refresh_light(p):
    p.light = light_of(p.pk)
    Proposal.objects.filter(pk=p.pk).update(light=p.light)


# --- duty records (performance.services.record_act) --------------------------------------------------


def _shares(p) -> list[tuple[Member, float]]:
    """Credit split among a proposal's own agreed signers: the first proposer half, the rest the other half."""
    own = list(Signer.objects.filter(proposal=p, via_merge__isnull=True, status=Signer.Status.AGREED)
               .select_related("member").order_by("order", "id"))
    lead = [s for s in own if s.role == Signer.Role.LEAD]
    others = [s for s in own if s.role != Signer.Role.LEAD]
    if not lead and not others:
        return []
    if not others:
        return [(lead[0].member, 1.0)]
    if not lead:
        return [(s.member, round(1.0 / len(others), 4)) for s in others]
    return [(lead[0].member, 0.5)] + [(s.member, round(0.5 / len(others), 4)) for s in others]


def _credit_groups(p) -> list[tuple[Proposal, list]]:
    """(source proposal, [(member, share)]) for the proposal and every proposal merged into it (并案)."""
    groups = [(p, _shares(p))]
    for m in Proposal.objects.filter(merged_into=p).order_by("id"):
        groups.extend(_credit_groups(m))
    return groups


def _credit(act: str, groups, occurred_on=None, *, revoke: bool = False):
    from zhengxie.performance import services as perf

    for source, pairs in groups:
        for member, share in pairs:
            if revoke:
                perf.revoke_act(member=member, act=act, source=source)
            else:
                perf.record_act(member=member, act=act, source=source, occurred_on=occurred_on or _today(),
                                share=share)


# --- validation of the text ---------------------------------------------------------------------------


def _categories(org) -> list[str]:
    return list(orgsettings.get(org, "proposals.categories"))


def _validate_text(org, data: dict, *, complete: bool):
    title = data.get("title", "")
    if not title:
        raise Invalid("请填写案由（提案标题）。", field="title")
    if len(title) > 200:
        raise Invalid(f"案由不能超过 200 字（现为 {len(title)} 字）。", field="title")
    if data.get("category") not in _categories(org):
        raise Invalid("请选择有效的提案类别：" + "、".join(_categories(org)) + "。", field="category")
    cap = int(orgsettings.get(org, "proposals.max_chars"))
    body = len(data.get("reasons", "")) + len(data.get("suggestions", ""))
    if body > cap:
        raise Invalid(f"提案正文（理由和建议）共 {body} 字，超过上限 {cap} 字，请精简。", field="reasons")
    if len(data.get("research_note", "")) > cap:
        raise Invalid(f"调研情况不能超过 {cap} 字。", field="research_note")
    if len(data.get("collective_body", "")) > 100:
        raise Invalid("提案单位名称不能超过 100 字。", field="collective_body")
    if complete:
        if not data.get("reasons"):
            raise Invalid("请填写提案理由（案据）。", field="reasons")
        if not data.get("suggestions"):
            raise Invalid("请填写具体的办法和建议。", field="suggestions")


def _resolve_cosigners(org, lead_member, ids) -> list[Member]:
    try:
        wanted = list(dict.fromkeys(int(getattr(i, "pk", i)) for i in (ids or ())))
    except (TypeError, ValueError):
        raise Invalid("附议人编号格式不正确。", field="cosigner_ids")
    found = {m.pk: m for m in Member.objects.filter(pk__in=wanted)}
    out = []
    for pk in wanted:
        m = found.get(pk)
        if m is None or m.organisation_id != org.pk:
            raise Invalid("附议人须为本级政协的委员，不能邀请其他政协组织的委员联名。", field="cosigner_ids")
        if m.status != Member.Status.ACTIVE:
            raise Invalid(f"委员「{m.name}」目前不在任，不能作为附议人。", field="cosigner_ids")
        if lead_member is not None and m.pk == lead_member.pk:
            raise Invalid("第一提案人不能同时作为附议人。", field="cosigner_ids")
        out.append(m)
    return out


def _set_cosigners(p, members: list[Member]):
    Signer.objects.filter(proposal=p, role=Signer.Role.COSIGNER).delete()
    Signer.objects.bulk_create([
        Signer(proposal=p, member=m, role=Signer.Role.COSIGNER, status=Signer.Status.INVITED, order=i)
        for i, m in enumerate(members, 1)
    ])


def _check_kind(user, kind, cosigners, collective_body):
    if kind not in Proposal.Kind.values:
        raise Invalid("提案类型须为个人提案、联名提案或集体提案。", field="kind")
    if kind == Proposal.Kind.COLLECTIVE:
        if not user.has_role(Role.STAFF):
            raise Forbidden("集体提案由政协机关工作人员以提案单位名义录入。")
        if not collective_body:
            raise Invalid("集体提案须填写提案单位（党派、人民团体、专委会或界别等）。", field="collective_body")
        if cosigners:
            raise Invalid("集体提案不邀请个人附议。", field="cosigner_ids")
        return None
    member = r.member_of(user)
    if member is None:
        raise Forbidden("只有委员可以提交个人提案或联名提案。")
    if member.status != Member.Status.ACTIVE:
        raise Forbidden("您的委员身份目前不在任，不能提交提案。")
    if kind == Proposal.Kind.JOINT and not cosigners:
        raise Invalid("联名提案至少需要邀请一位附议人。", field="cosigner_ids")
    if kind == Proposal.Kind.INDIVIDUAL and cosigners:
        raise Invalid("个人提案不能邀请附议人；如需联名，请选择“联名提案”。", field="kind")
    return member


# --- drafting and submission --------------------------------------------------------------------------


def proposal_create(*, user, title, reasons, suggestions, category, kind="individual", cosigner_ids=(),
                    collective_body="", research_note="", session=None) -> Proposal:
    """A new draft (草稿). A member drafts an individual or joint proposal; staff draft collective ones."""
    if not getattr(user, "is_authenticated", False) or user.organisation_id is None:
        raise Forbidden("请先登录。")
    org = user.organisation.committee
    data = {"title": _text(title, "案由"), "reasons": _text(reasons, "理由"),
            "suggestions": _text(suggestions, "建议"), "category": _text(category, "类别"),
            "research_note": _text(research_note, "调研情况"), "collective_body": _text(collective_body, "提案单位")}
    cosigner_ids = list(cosigner_ids or ())
    member = _check_kind(user, kind, cosigner_ids, data["collective_body"])
    if session is None:
        session = Session.objects.filter(organisation=org, is_current=True).first()
        if session is None:
            raise Invalid("当前没有开放的会次，暂不能起草提案。", field="session")
    else:
        session = session if isinstance(session, Session) else Session.objects.filter(pk=session).first()
        if session is None or session.organisation_id != org.pk:
            raise Invalid("请选择本级政协的会次。", field="session")
    _validate_text(org, data, complete=False)
    cosigners = _resolve_cosigners(org, member, cosigner_ids)
    with transaction.atomic():
        p = Proposal.objects.create(organisation=org, session=session, kind=kind, author=user, lead_member=member,
                                    **data)
        if member is not None:
            Signer.objects.create(proposal=p, member=member, role=Signer.Role.LEAD, status=Signer.Status.AGREED,
                                  order=0, responded_at=_now())
        _set_cosigners(p, cosigners)
        _done(user, p, "create", "起草提案", {}, extra={"title": p.title})
        _index(p)
    return p


def proposal_update(*, user, proposal, **fields) -> Proposal:
    """Edit a draft: only its author, only while it is a draft."""
    unknown = set(fields) - UPDATABLE
    if unknown:
        raise Invalid("不能修改这些字段：" + "、".join(sorted(unknown)) + "。")
    with transaction.atomic():
        p = _load(user, proposal)
        if not r.is_author(user, p):
            raise Forbidden("只有起草人可以修改提案。")
        _state(p, [S.DRAFT], "修改（只有草稿可以修改）")
        before = _snapshot(p)
        data = {k: getattr(p, k) for k in TEXT_FIELDS}
        for k in TEXT_FIELDS:
            if k in fields:
                data[k] = _text(fields[k], k)
        kind = fields.get("kind", p.kind)
        if (kind == Proposal.Kind.COLLECTIVE) != (p.kind == Proposal.Kind.COLLECTIVE):
            raise Invalid("集体提案与个人/联名提案之间不能互相转换，请重新起草。", field="kind")
        if "cosigner_ids" in fields:
            cosigner_ids = list(fields["cosigner_ids"] or ())
        else:
            cosigner_ids = list(Signer.objects.filter(proposal=p, role=Signer.Role.COSIGNER)
                                .values_list("member_id", flat=True))
        if "kind" not in fields and "cosigner_ids" in fields and p.kind != Proposal.Kind.COLLECTIVE:
            kind = Proposal.Kind.JOINT if cosigner_ids else Proposal.Kind.INDIVIDUAL
        member = _check_kind(user, kind, cosigner_ids, data["collective_body"])
        _validate_text(p.organisation, data, complete=False)
        cosigners = _resolve_cosigners(p.organisation, member, cosigner_ids)
        for k, v in data.items():
            setattr(p, k, v)
        p.kind = kind
        p.save()
        if "cosigner_ids" in fields or "kind" in fields:
            _set_cosigners(p, cosigners)
        _done(user, p, "update", "修改草稿", before)
        _index(p)
    return _sync(proposal, p)


def _become_submitted(user, p):
    p.status = S.SUBMITTED
    p.submitted_at = _now()
    s = p.session
    p.during_plenary = s.start_date <= _today() <= (s.proposal_deadline or s.end_date)
    p.save()
    _credit("proposal_submit", [(p, _shares(p))], _today())
    notify(_office_users(p), f"新提案待审查：《{p.title}》", "请在规定时限内完成立案审查。", url=proposal_url(p),
           category="proposal")


def proposal_submit(*, user, proposal, confirm_single_matter: bool = False) -> Proposal:
    """Submit a draft: individual/collective → submitted; joint → awaiting the co-signers' 附议."""
    with transaction.atomic():
        p = _load(user, proposal)
        if not r.is_author(user, p):
            raise Forbidden("只有起草人可以提交提案。")
        _state(p, [S.DRAFT], "提交")
        before = _snapshot(p)
        _validate_text(p.organisation, {k: getattr(p, k) for k in TEXT_FIELDS}, complete=True)
        if p.kind == Proposal.Kind.COLLECTIVE and not p.collective_body:
            raise Invalid("集体提案须填写提案单位。", field="collective_body")
        if not confirm_single_matter:
            matters = second_matter(p.title, p.suggestions)
            if matters:
                raise Invalid(
                    f"该提案似乎包含多个事项（{'、'.join(matters)}），不符合“一事一案”的要求。"
                    "请拆分为多件提案；如确属同一事项，请确认后再提交。",
                    code="multiple_matters", field="suggestions")
        if p.kind == Proposal.Kind.JOINT:
            cosigners = list(Signer.objects.filter(proposal=p, role=Signer.Role.COSIGNER).select_related("member"))
            if not cosigners:
                raise Invalid("联名提案至少需要邀请一位附议人。", field="cosigner_ids")
            now = _now()
            Signer.objects.filter(pk__in=[s.pk for s in cosigners]).update(
                status=Signer.Status.INVITED, invited_at=now, responded_at=None)
            p.status = S.AWAITING_COSIGNERS
            p.submitted_at = now
            p.save()
            days = orgsettings.get(p.organisation, "proposals.cosign_days")
            notify([s.member.user for s in cosigners], f"联名提案邀请您附议：《{p.title}》",
                   f"{user.name}邀请您作为联名提案的附议人，请在 {days} 天内确认是否附议。",
                   url=proposal_url(p), category="proposal", sms=True)
            _done(user, p, "submit", "提交提案，邀请附议", before)
        else:
            _become_submitted(user, p)
            _done(user, p, "submit", "提交提案", before)
        _index(p)
    return _sync(proposal, p)


def proposal_cosign(*, user, proposal, agree: bool) -> Proposal:
    """A co-signer confirms (附议) or declines; when everyone agreed the proposal is submitted."""
    with transaction.atomic():
        p = _load(user, proposal)
        member = r.member_of(user)
        signer = (Signer.objects.filter(proposal=p, member=member, role=Signer.Role.COSIGNER).first()
                  if member else None)
        if signer is None:
            raise Forbidden("只有受邀附议的委员可以确认附议。")
        _state(p, [S.AWAITING_COSIGNERS], "附议")
        if signer.status != Signer.Status.INVITED:
            raise Conflict("您已经答复过该附议邀请。", code="already_answered")
        if not cosign_open(p, signer):
            raise Conflict("已超过附议确认期限，不能再附议。", code="cosign_expired")
        before = _snapshot(p)
        signer.status = Signer.Status.AGREED if agree else Signer.Status.DECLINED
        signer.responded_at = _now()
        signer.save(update_fields=["status", "responded_at"])
        author = [p.author]
        if agree:
            label = f"{member.name}同意附议"
            pending = Signer.objects.filter(proposal=p, role=Signer.Role.COSIGNER).exclude(
                status=Signer.Status.AGREED).exists()
            if not pending:
                _become_submitted(user, p)
                label += "，全部附议人已确认，提案已提交"
                notify(author, f"联名提案已全部附议并提交：《{p.title}》", url=proposal_url(p), category="proposal")
        else:
            label = f"{member.name}不同意附议"
            notify(author, f"{member.name}不同意附议您的提案《{p.title}》",
                   "您可以移除未附议的委员后直接提交。", url=proposal_url(p), category="proposal")
        _done(user, p, "cosign", label, before, extra={"signer": member.pk, "agree": bool(agree)})
    return _sync(proposal, p)


def proposal_drop_decliners(*, user, proposal) -> Proposal:
    """The first proposer removes co-signers who declined or did not answer, and submits."""
    with transaction.atomic():
        p = _load(user, proposal)
        if not r.is_author(user, p):
            raise Forbidden("只有第一提案人可以移除未附议的委员。")
        _state(p, [S.AWAITING_COSIGNERS], "移除未附议委员")
        before = _snapshot(p)
        dropped = list(Signer.objects.filter(proposal=p, role=Signer.Role.COSIGNER)
                       .exclude(status=Signer.Status.AGREED).select_related("member__user"))
        Signer.objects.filter(pk__in=[s.pk for s in dropped]).update(status=Signer.Status.DROPPED,
                                                                     responded_at=_now())
        if not Signer.objects.filter(proposal=p, role=Signer.Role.COSIGNER, status=Signer.Status.AGREED).exists():
            p.kind = Proposal.Kind.INDIVIDUAL
        _become_submitted(user, p)
        if dropped:
            notify([s.member.user for s in dropped], f"您未附议提案《{p.title}》，已不再列为附议人",
                   url="", category="proposal")
        names = "、".join(s.member.name for s in dropped) or "无"
        _done(user, p, "drop_decliners", f"移除未附议委员（{names}）并提交", before)
    return _sync(proposal, p)


# --- review (立案审查) ---------------------------------------------------------------------------------


def _reject_reason(org, reason: str) -> tuple[str, str]:
    reasons = list(orgsettings.get(org, "proposals.reject_reasons"))
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("不予立案须选择理由。", field="reason")
    if reason in reasons and reason != "其他":
        return reason, ""
    if reason.startswith("其他"):
        text = reason[2:].lstrip("：:，, ").strip()
        if text:
            return "其他", text
        raise Invalid("选择“其他”时请写明不予立案的具体理由。", field="reason")
    raise Invalid("不予立案理由须从列表中选择；列表之外的理由请选择“其他”并写明。", field="reason")


def _resolve_merge_target(user, p, merge_into) -> Proposal:
    if merge_into in (None, ""):
        raise Invalid("并案须选择要并入的提案。", field="merge_into")
    pk = getattr(merge_into, "pk", merge_into)
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Invalid("并入的提案编号不正确。", field="merge_into")
    target = (Proposal.objects.select_related("session").select_for_update(of=("self",))
              .filter(pk=pk, organisation_id=p.organisation_id).first())
    if target is None or not visible_proposals(user).filter(pk=pk).exists():
        raise Invalid("要并入的提案不存在。", field="merge_into")
    if target.pk == p.pk:
        raise Invalid("不能并入提案自身。", field="merge_into")
    if target.session_id != p.session_id:
        raise Invalid("只能并入同一会次的提案。", field="merge_into")
    if target.status not in (S.SUBMITTED, S.ACCEPTED, S.ASSIGNED, S.HANDLING):
        raise Invalid(f"只能并入待审查或已立案的提案（该提案为「{target.get_status_display()}」）。",
                      field="merge_into")
    return target


def proposal_review(*, user, proposal, decision, reason="", merge_into=None, category=None) -> Proposal:
    """立案审查: accept (with a gap-free session number), reject (with a listed reason), convert or merge."""
    with transaction.atomic():
        p = _load(user, proposal)
        if not r.is_proposal_office(user, p):
            raise Forbidden("只有本级提案委员会（提案科）工作人员可以审查立案。")
        _state(p, [S.SUBMITTED], "审查（只有待审查的提案可以审查）")
        before = _snapshot(p)
        reason = _text(reason, "审查意见")
        url = proposal_url(p)
        proposers = _signer_users(p)
        if category not in (None, ""):
            if category not in _categories(p.organisation):
                raise Invalid("请选择有效的提案类别。", field="category")
            p.category = category
        if decision == "accept":
            p.number = next_number(p.organisation, f"proposal:{p.session_id}")
            p.status = S.ACCEPTED
            p.accepted_at = _now()
            p.review_note = reason
            p.save()
            _credit("proposal_accept", _credit_groups(p), _today())
            notify(proposers + _signer_users_of_merged(p), f"您的提案已立案：{p.number_label}《{p.title}》",
                   "提案已立案，将交有关单位办理。", url=url, category="proposal")
            _done(user, p, "accept", f"立案，案号{p.number_label}", before)
        elif decision == "reject":
            listed, text = _reject_reason(p.organisation, reason)
            p.status = S.REJECTED
            p.reject_reason = listed
            p.review_note = text
            p.save()
            shown = text if listed == "其他" else listed
            notify(proposers, f"您的提案《{p.title}》不予立案", f"理由：{shown}", url=url, category="proposal")
            _done(user, p, "reject", f"不予立案：{shown}", before)
        elif decision in ("to_suggestion", "to_opinion"):
            p.status = S.CONVERTED
            p.converted_to = Proposal.ConvertedTo.SUGGESTION if decision == "to_suggestion" else \
                Proposal.ConvertedTo.OPINION
            p.review_note = reason
            p.save()
            what = p.get_converted_to_display()
            notify(proposers, f"您的提案《{p.title}》{what}", reason, url=url, category="proposal")
            _done(user, p, "convert", what + (f"：{reason}" if reason else ""), before)
        elif decision == "merge":
            target = _resolve_merge_target(user, p, merge_into)
            _merge(user, p, target, reason)
        else:
            raise Invalid("审查决定须为：立案、不予立案、转为意见建议、转社情民意信息或并案。", field="decision")
    return _sync(proposal, p)


def _signer_users_of_merged(p) -> list[User]:
    return list(User.objects.filter(member__signatures__proposal__merged_into=p,
                                    member__signatures__status=Signer.Status.AGREED).distinct())


def _merge(user, p, target, reason):
    before = _snapshot(p)
    target_before = _snapshot(target)
    p.status = S.MERGED
    p.merged_into = target
    p.review_note = reason
    p.save()
    have = set(Signer.objects.filter(proposal=target).values_list("member_id", flat=True))
    order = (Signer.objects.filter(proposal=target).aggregate(m=Max("order"))["m"] or 0) + 1
    carried = []
    for s in Signer.objects.filter(proposal=p, status=Signer.Status.AGREED).select_related("member"):
        if s.member_id in have:
            continue
        carried.append(Signer(proposal=target, member=s.member, role=Signer.Role.COSIGNER,
                              status=Signer.Status.AGREED, order=order, responded_at=_now(),
                              via_merge=s.via_merge or p))
        order += 1
    Signer.objects.bulk_create(carried)
    if target.status in ACCEPTED_OR_LATER:
        _credit("proposal_accept", _credit_groups(p), _today())
    notify(_signer_users(p), f"您的提案《{p.title}》已并案",
           f"已并入{target.number_label}《{target.title}》一并办理，您仍为提案人之一，将收到答复并参与评价。",
           url=proposal_url(target), category="proposal")
    _done(user, p, "merge", f"并入{target.number_label}《{target.title}》", before,
          extra={"merged_into": target.pk})
    audit.record(user, "proposals.merged_in", target, before=target_before,
                 after={**_snapshot(target), "merged": p.pk})
    _event(target, user, "merged_in", f"并入提案《{p.title}》（提案人随案合并）")


# --- assignment (交办) ---------------------------------------------------------------------------------


def _resolve_unit(org, unit, field="lead_unit") -> HandlingUnit:
    pk = getattr(unit, "pk", unit)
    u = None
    if pk not in (None, ""):
        try:
            u = HandlingUnit.objects.filter(pk=int(pk), organisation_id=org.pk, is_active=True).first()
        except (TypeError, ValueError):
            u = None
    if u is None:
        raise Invalid("请选择本级政协的承办单位。", field=field)
    return u


def _assign(user, p, lead_unit, co_units, deadline, batch) -> Proposal:
    if not r.is_proposal_office(user, p):
        raise Forbidden("只有本级提案委员会（提案科）工作人员可以交办提案。")
    _state(p, [S.ACCEPTED], "交办（只有已立案的提案可以交办）")
    before = _snapshot(p)
    lead = _resolve_unit(p.organisation, lead_unit)
    cos = []
    for u in co_units or ():
        cu = _resolve_unit(p.organisation, u, field="co_units")
        if cu.pk == lead.pk:
            raise Invalid("主办单位不能同时作为会办单位。", field="co_units")
        if cu.pk not in {c.pk for c in cos}:
            cos.append(cu)
    today = _today()
    deadline = _as_date(deadline, "办理期限", "deadline")
    if deadline is None:
        deadline = today + datetime.timedelta(days=int(orgsettings.get(p.organisation, "proposals.reply_days")))
    if deadline <= today:
        raise Invalid("办理期限须晚于今天。", field="deadline")
    co_deadline = min(deadline, today + datetime.timedelta(
        days=int(orgsettings.get(p.organisation, "proposals.co_opinion_days"))))
    now = _now()
    # A unit may have been assigned before and released by a granted change request: keep only active rows unique.
    Assignment.objects.bulk_create(
        [Assignment(proposal=p, unit=lead, role=Assignment.Role.LEAD, assigned_at=now, assigned_by=user,
                    deadline=deadline, batch=batch)]
        + [Assignment(proposal=p, unit=u, role=Assignment.Role.CO, assigned_at=now, assigned_by=user,
                      deadline=co_deadline, batch=batch) for u in cos])
    p.status = S.ASSIGNED
    p.assigned_at = now
    p.deadline = deadline
    p.save()
    _refresh_light(p)
    url = proposal_url(p)
    notify(_unit_users([lead.pk]), f"新交办提案（主办）：{p.number_label}《{p.title}》",
           f"请及时签收，并于 {deadline:%Y年%m月%d日} 前答复。", url=url, category="proposal")
    if cos:
        notify(_unit_users([u.pk for u in cos]), f"新交办提案（会办）：{p.number_label}《{p.title}》",
               f"主办单位为{lead.name}，请于 {co_deadline:%Y年%m月%d日} 前提出会办意见。", url=url,
               category="proposal")
    co_label = f"，会办：{'、'.join(u.name for u in cos)}" if cos else ""
    _done(user, p, "assign", f"交办：主办 {lead.name}{co_label}，期限 {deadline:%Y-%m-%d}", before,
          extra={"lead_unit": lead.pk, "co_units": [u.pk for u in cos], "batch": batch})
    return p


def proposal_assign(*, user, proposal, lead_unit, co_units=(), deadline=None, batch="") -> Proposal:
    """交办 to one lead unit (主办) and optional co-units (会办); deadline defaults to "proposals.reply_days"."""
    with transaction.atomic():
        p = _load(user, proposal)
        _assign(user, p, lead_unit, co_units, deadline, batch or "")
    return _sync(proposal, p)


def proposals_assign_batch(*, user, proposals, lead_unit, co_units=(), deadline=None) -> list[Proposal]:
    """打包交办: several proposals to the same units in one transaction (all or nothing)."""
    proposals = list(proposals or ())
    if not proposals:
        raise Invalid("请至少选择一件提案。", field="proposals")
    if not r.is_proposal_office(user):
        raise Forbidden("只有提案委员会（提案科）工作人员可以交办提案。")
    out = []
    with transaction.atomic():
        org = user.organisation
        n = next_number(org, f"proposal-batch:{_today().year}")
        batch = f"{_today():%Y%m%d}-{n:03d}"
        for item in proposals:
            p = _load(user, item)
            out.append(_assign(user, p, lead_unit, co_units, deadline, batch))
    for item, p in zip(proposals, out, strict=True):
        _sync(item, p)
    return out


# --- handling (办理) -----------------------------------------------------------------------------------


def _my_assignment(user, p, *roles) -> Assignment | None:
    if not r.is_unit_user(user):
        return None
    qs = Assignment.objects.filter(proposal=p, unit_id=user.handling_unit_id, is_active=True).select_related("unit")
    if roles:
        qs = qs.filter(role__in=roles)
    return qs.first()


def assignment_acknowledge(*, user, proposal) -> Proposal:
    """签收: a handler of an assigned unit confirms receipt; the lead unit's receipt starts the handling."""
    with transaction.atomic():
        p = _load(user, proposal)
        a = _my_assignment(user, p)
        if a is None:
            raise Forbidden("只有承办单位的工作人员可以签收提案。")
        _state(p, HANDLING_STATES, "签收")
        if a.acknowledged_at is not None:
            raise Conflict("本单位已签收该提案。", code="already_acknowledged")
        before = _snapshot(p)
        a.acknowledged_at = _now()
        a.acknowledged_by = user
        a.save(update_fields=["acknowledged_at", "acknowledged_by"])
        if a.role in REPLYING_ROLES and p.status == S.ASSIGNED:
            p.status = S.HANDLING
            p.save()
        _refresh_light(p)
        _done(user, p, "acknowledge", f"{a.unit.name}签收（{a.get_role_display()}）", before,
              extra={"assignment": a.pk})
    return _sync(proposal, p)


def assignment_request_change(*, user, proposal, reason) -> Proposal:
    """申请调整/退回: within "proposals.change_request_days" working days of receipt."""
    with transaction.atomic():
        p = _load(user, proposal)
        a = _my_assignment(user, p)
        if a is None:
            raise Forbidden("只有承办单位的工作人员可以申请调整。")
        _state(p, [S.ASSIGNED, S.HANDLING], "申请调整")
        if a.change_status == Assignment.ChangeStatus.PENDING:
            raise Conflict("本单位已申请调整，正在等待审核。", code="change_pending")
        reason = _text(reason, "理由")
        if not reason:
            raise Invalid("请说明申请调整的理由。", field="reason")
        if not change_window_open(p, a):
            days = orgsettings.get(p.organisation, "proposals.change_request_days")
            raise Invalid(f"已超过申请调整期限（签收后 {days} 个工作日内），请与提案委员会联系。", field="reason")
        before = _snapshot(p)
        a.change_status = Assignment.ChangeStatus.PENDING
        a.change_reason = reason
        a.save(update_fields=["change_status", "change_reason"])
        notify(_office_users(p), f"{a.unit.name}申请调整提案：{p.number_label}《{p.title}》", reason,
               url=proposal_url(p), category="proposal")
        _done(user, p, "request_change", f"{a.unit.name}申请调整承办单位", before, detail=reason,
              extra={"assignment": a.pk})
    return _sync(proposal, p)


def assignment_decide_change(*, user, assignment, grant: bool, note="", new_unit=None) -> Proposal:
    """The office grants or refuses a unit's change request; granting with new_unit reassigns that part."""
    pk = getattr(assignment, "pk", assignment)
    a0 = Assignment.objects.filter(pk=pk).only("proposal_id").first()
    if a0 is None:
        raise Http404("未找到")
    with transaction.atomic():
        p = _load(user, a0.proposal_id)
        if not r.is_proposal_office(user, p):
            raise Forbidden("只有本级提案委员会（提案科）工作人员可以审核调整申请。")
        _state(p, HANDLING_STATES, "审核调整申请")
        a = Assignment.objects.select_related("unit").select_for_update(of=("self",)).get(pk=pk)
        if not a.is_active or a.change_status != Assignment.ChangeStatus.PENDING:
            raise Conflict("该调整申请不在待审核状态。", code="no_pending_change")
        before = _snapshot(p)
        note = _text(note, "意见")
        a.change_decided_by = user
        a.change_decision_note = note
        url = proposal_url(p)
        old_users = _unit_users([a.unit_id], (Role.UNIT_HANDLER, Role.UNIT_HEAD))
        if not grant:
            a.change_status = Assignment.ChangeStatus.REFUSED
            a.save(update_fields=["change_status", "change_decided_by", "change_decision_note"])
            notify(old_users, f"调整申请未获同意：{p.number_label}《{p.title}》", note or "请继续办理。", url=url,
                   category="proposal")
            _done(user, p, "decide_change", f"不同意{a.unit.name}的调整申请", before, detail=note)
        else:
            target = None
            if new_unit not in (None, ""):
                target = _resolve_unit(p.organisation, new_unit, field="new_unit")
                if Assignment.objects.filter(proposal=p, unit=target, is_active=True).exists():
                    raise Invalid(f"{target.name}已承办该提案。", field="new_unit")
            a.change_status = Assignment.ChangeStatus.GRANTED
            a.is_active = False
            a.save(update_fields=["change_status", "change_decided_by", "change_decision_note", "is_active"])
            label = f"同意{a.unit.name}的调整申请"
            if target is not None:
                Assignment.objects.create(proposal=p, unit=target, role=a.role, assigned_by=user,
                                          deadline=a.deadline, batch=a.batch)
                label += f"，改由{target.name}{a.get_role_display()}"
                if a.role in REPLYING_ROLES:
                    p.status = S.ASSIGNED
                    p.save()
                notify(_unit_users([target.pk]), f"新交办提案（{a.get_role_display()}）：{p.number_label}《{p.title}》",
                       f"请及时签收，并于 {a.deadline:%Y年%m月%d日} 前办理。", url=url, category="proposal")
            elif a.role == Assignment.Role.LEAD:
                # No lead unit any more: back to the office to assign again.
                p.status = S.ACCEPTED
                p.deadline = None
                p.assigned_at = None
                p.save()
                label += "，待重新交办"
            notify(old_users, f"调整申请已同意：{p.number_label}《{p.title}》", note, url=url, category="proposal")
            _refresh_light(p)
            _done(user, p, "decide_change", label, before, detail=note,
                  extra={"assignment": a.pk, "new_unit": getattr(target, "pk", None)})
    return p


def assignment_record_contact(*, user, proposal, contacted_on, method, summary) -> Proposal:
    """沟通协商: the unit records a contact with the proposer."""
    with transaction.atomic():
        p = _load(user, proposal)
        a = _my_assignment(user, p)
        if a is None:
            raise Forbidden("只有承办单位的工作人员可以记录沟通情况。")
        _state(p, HANDLING_STATES, "记录沟通情况")
        day = _as_date(contacted_on, "联系日期", "contacted_on")
        if day is None:
            raise Invalid("请填写联系日期。", field="contacted_on")
        if day > _today():
            raise Invalid("联系日期不能晚于今天。", field="contacted_on")
        if day < timezone.localdate(a.assigned_at):
            raise Invalid("联系日期不能早于交办日期。", field="contacted_on")
        if method not in Contact.Method.values:
            raise Invalid("请选择沟通方式：" + "、".join(Contact.Method.labels) + "。", field="method")
        summary = _text(summary, "沟通情况")
        if not summary:
            raise Invalid("请填写沟通情况。", field="summary")
        before = _snapshot(p)
        c = Contact.objects.create(assignment=a, contacted_on=day, method=method, summary=summary,
                                   recorded_by=user)
        _refresh_light(p)
        _done(user, p, "contact", f"{a.unit.name}与提案人沟通（{c.get_method_display()}）", before,
              detail=summary, extra={"contact": c.pk})
    return _sync(proposal, p)


def assignment_co_opinion(*, user, proposal, opinion) -> Proposal:
    """会办意见: a co-unit sends its opinion to the lead unit."""
    with transaction.atomic():
        p = _load(user, proposal)
        a = _my_assignment(user, p, Assignment.Role.CO)
        if a is None:
            raise Forbidden("只有会办单位可以提交会办意见。")
        _state(p, HANDLING_STATES, "提交会办意见")
        opinion = _text(opinion, "会办意见")
        if not opinion:
            raise Invalid("请填写会办意见。", field="opinion")
        before = _snapshot(p)
        a.co_opinion = opinion
        a.co_opinion_at = _now()
        if a.acknowledged_at is None:
            a.acknowledged_at, a.acknowledged_by = a.co_opinion_at, user
        a.save(update_fields=["co_opinion", "co_opinion_at", "acknowledged_at", "acknowledged_by"])
        lead_ids = Assignment.objects.filter(proposal=p, is_active=True, role__in=REPLYING_ROLES).values_list(
            "unit_id", flat=True)
        notify(_unit_users(lead_ids), f"{a.unit.name}已提交会办意见：{p.number_label}《{p.title}》",
               url=proposal_url(p), category="proposal")
        _done(user, p, "co_opinion", f"{a.unit.name}提交会办意见", before, detail=opinion)
    return _sync(proposal, p)


def _result_classes(org) -> list[str]:
    return list(orgsettings.get(org, "proposals.result_classes"))


def proposal_reply(*, user, proposal, result_class, content, letter=None) -> Proposal:
    """答复: the lead unit replies with a class (A/B/C...) and its letter; every proposer is asked to rate it."""
    with transaction.atomic():
        p = _load(user, proposal)
        a = _my_assignment(user, p, *REPLYING_ROLES)
        if a is None:
            raise Forbidden("只有主办单位可以答复该提案。")
        _state(p, HANDLING_STATES, "答复")
        classes = _result_classes(p.organisation)
        if result_class not in classes:
            raise Invalid(f"答复类别须为 {'、'.join(classes)} 之一。", field="result_class")
        content = _text(content, "答复内容")
        if not content:
            raise Invalid("请填写答复内容。", field="content")
        before = _snapshot(p)
        att = None
        if letter is not None:
            att = save_attachment(letter, target=p, user=user, purpose="reply_letter", allowed=DOCUMENTS)
        now = _now()
        if a.acknowledged_at is None:
            a.acknowledged_at, a.acknowledged_by = now, user
            a.save(update_fields=["acknowledged_at", "acknowledged_by"])
        on_time = p.deadline is None or timezone.localdate(now) <= p.deadline
        reply = Reply.objects.create(proposal=p, assignment=a, result_class=result_class, content=content,
                                     letter=att, round=p.rehandle_round, replied_by=user, replied_at=now,
                                     on_time=on_time)
        p.status = S.REPLIED
        p.replied_at = now
        p.light = ""
        p.save()
        url = proposal_url(p)
        days = orgsettings.get(p.organisation, "proposals.evaluation_days")
        notify(_signer_users(p), f"您的提案已答复，请评价：{p.number_label}《{p.title}》",
               f"{a.unit.name}已答复（{result_class}类），请在 {days} 个工作日内评价。", url=url,
               category="proposal", sms=True)
        notify(_office_users(p), f"{a.unit.name}已答复提案：{p.number_label}《{p.title}》", url=url,
               category="proposal")
        timing = "按期" if on_time else "逾期"
        _done(user, p, "reply", f"{a.unit.name}答复（{result_class}类，{timing}）", before,
              extra={"reply": reply.pk, "result_class": result_class})
    return _sync(proposal, p)


def proposal_attach_letter(*, user, proposal, upload) -> Proposal:
    """Attach (or replace) the signed reply letter (答复函, PDF or Word) of the latest reply."""
    with transaction.atomic():
        p = _load(user, proposal)
        a = _my_assignment(user, p, *REPLYING_ROLES)
        if a is None:
            raise Forbidden("只有主办单位可以上传答复函。")
        _state(p, [S.REPLIED], "上传答复函（请先答复）")
        reply = Reply.objects.filter(proposal=p).order_by("-replied_at", "-id").first()
        if reply is None:
            raise Conflict("尚无答复，请先答复。")
        before = _snapshot(p)
        att = save_attachment(upload, target=p, user=user, purpose="reply_letter", allowed=DOCUMENTS)
        reply.letter = att
        reply.save(update_fields=["letter"])
        _done(user, p, "attach_letter", f"{a.unit.name}上传答复函《{att.original_name}》", before,
              extra={"attachment": att.pk})
    return _sync(proposal, p)


def proposal_evaluate(*, user, proposal, rating, comment="", member=None) -> Proposal:
    """评价: each agreed signer rates the latest reply once; staff may record it for a member who is not online.

    不满意 sends the proposal back for re-handling with a new deadline.
    """
    with transaction.atomic():
        p = _load(user, proposal)
        if r.is_unit_user(user) and not r.is_proposal_office(user, p):
            raise Forbidden("承办单位不能代提案人评价。")
        if member not in (None, ""):
            if not r.is_proposal_office(user, p):
                raise Forbidden("只有提案委员会工作人员可以代委员录入评价。")
            mpk = getattr(member, "pk", member)
            member = Member.objects.filter(pk=mpk).first() if str(mpk).isdigit() else None
            if member is None:
                raise Invalid("请选择评价的提案人。", field="member")
        else:
            member = r.member_of(user)
            if member is None:
                raise Forbidden("只有提案人可以评价答复。")
        signer = Signer.objects.filter(proposal=p, member=member, status=Signer.Status.AGREED).first()
        if signer is None:
            raise Forbidden("只有本提案的提案人可以评价答复。")
        _state(p, [S.REPLIED], "评价（只能评价已答复的提案）")
        if rating not in Evaluation.Rating.values:
            raise Invalid("评价须为满意、基本满意或不满意。", field="rating")
        comment = _text(comment, "意见")
        if rating == Evaluation.Rating.UNSATISFIED and not comment:
            raise Invalid("选择“不满意”时请写明意见，以便承办单位重新办理。", field="comment")
        reply = Reply.objects.filter(proposal=p).order_by("-replied_at", "-id").first()
        if reply is None:
            raise Conflict("尚无答复可评价。")
        if Evaluation.objects.filter(reply=reply, member=member).exists():
            raise Conflict("已评价过本次答复，不能重复评价。", code="already_evaluated")
        before = _snapshot(p)
        try:
            with transaction.atomic():
                ev = Evaluation.objects.create(proposal=p, reply=reply, member=member, rating=rating,
                                               comment=comment, recorded_by=user)
        except IntegrityError:
            raise Conflict("已评价过本次答复，不能重复评价。", code="already_evaluated")
        by = "" if r.member_of(user) == member else f"（{user.name}代录）"
        label = f"{member.name}评价：{ev.get_rating_display()}{by}"
        url = proposal_url(p)
        units = list(Assignment.objects.filter(proposal=p, is_active=True, role__in=REPLYING_ROLES)
                     .values_list("unit_id", flat=True))
        if rating == Evaluation.Rating.UNSATISFIED:
            days = int(orgsettings.get(p.organisation, "proposals.rehandle_days"))
            p.status = S.REHANDLING
            p.rehandle_round += 1
            p.deadline = _today() + datetime.timedelta(days=days)
            p.save()
            Assignment.objects.filter(proposal=p, is_active=True, role__in=REPLYING_ROLES).update(
                deadline=p.deadline)
            _refresh_light(p)
            notify(_office_users(p) + _unit_users(units, (Role.UNIT_HANDLER, Role.UNIT_HEAD)),
                   f"提案人对答复不满意，需重新办理：{p.number_label}《{p.title}》",
                   f"{member.name}：{comment}。请于 {p.deadline:%Y年%m月%d日} 前重新答复。", url=url,
                   category="proposal")
            label += f"，退回重新办理（第{p.rehandle_round}轮）"
        else:
            rated = set(Evaluation.objects.filter(reply=reply).values_list("member_id", flat=True))
            need = {s.member_id for s in raters(p)}
            if need <= rated:
                notify(_office_users(p), f"提案人均已评价，可办结：{p.number_label}《{p.title}》", url=url,
                       category="proposal")
        _done(user, p, "evaluate", label, before, detail=comment,
              extra={"member": member.pk, "rating": rating})
    return _sync(proposal, p)


# --- supervision (督办) --------------------------------------------------------------------------------


def proposal_extend(*, user, proposal, new_deadline, reason) -> Proposal:
    """延期: the office moves the deadline, at most "proposals.max_extension_days" after assignment."""
    with transaction.atomic():
        p = _load(user, proposal)
        if not r.is_proposal_office(user, p):
            raise Forbidden("只有本级提案委员会（提案科）工作人员可以批准延期。")
        _state(p, HANDLING_STATES, "延期")
        new = _as_date(new_deadline, "新的办理期限", "new_deadline")
        if new is None:
            raise Invalid("请填写新的办理期限。", field="new_deadline")
        if p.deadline and new <= p.deadline:
            raise Invalid("新的办理期限须晚于原期限。", field="new_deadline")
        days = int(orgsettings.get(p.organisation, "proposals.max_extension_days"))
        start = timezone.localdate(p.assigned_at) if p.assigned_at else _today()
        latest = start + datetime.timedelta(days=days)
        if new > latest:
            raise Invalid(f"延期后的期限不能超过交办之日起 {days} 天（{latest:%Y-%m-%d}）。", field="new_deadline")
        reason = _text(reason, "延期理由")
        if not reason:
            raise Invalid("请填写延期理由。", field="reason")
        before = _snapshot(p)
        Extension.objects.create(proposal=p, old_deadline=p.deadline or new, new_deadline=new, reason=reason,
                                 approved_by=user)
        old = p.deadline
        p.deadline = new
        p.save()
        Assignment.objects.filter(proposal=p, is_active=True, role__in=REPLYING_ROLES).update(deadline=new)
        _refresh_light(p)
        units = Assignment.objects.filter(proposal=p, is_active=True).values_list("unit_id", flat=True)
        notify(_unit_users(units), f"提案办理期限已延至 {new:%Y年%m月%d日}：{p.number_label}《{p.title}》", reason,
               url=proposal_url(p), category="proposal")
        _done(user, p, "extend", f"延期：{old:%Y-%m-%d} → {new:%Y-%m-%d}" if old else f"延期至 {new:%Y-%m-%d}",
              before, detail=reason)
    return _sync(proposal, p)


def proposal_mark_key(*, user, proposal, is_key: bool, leader=None) -> Proposal:
    """重点提案: chosen by the office (or a leader), led by a leader (领衔督办)."""
    with transaction.atomic():
        p = _load(user, proposal)
        if not (r.is_proposal_office(user, p) or r.is_committee_leader(user, p)):
            raise Forbidden("只有提案委员会工作人员或政协领导可以确定重点提案。")
        _state(p, ACCEPTED_OR_LATER, "设为重点提案（须已立案）")
        lead_user = None
        if is_key:
            if leader not in (None, ""):
                lpk = getattr(leader, "pk", leader)
                lead_user = User.objects.filter(pk=lpk if str(lpk).isdigit() else None,
                                                organisation_id=p.organisation_id, groups__name=Role.LEADER,
                                                is_active=True).first()
                if lead_user is None:
                    raise Invalid("领衔督办领导须为本级政协的领导。", field="leader")
            elif r.is_committee_leader(user, p):
                lead_user = user
        new_leader_id = (lead_user.pk if lead_user else p.key_leader_id) if is_key else None
        if bool(is_key) == p.is_key and new_leader_id == p.key_leader_id:
            raise Conflict("该提案已是重点提案。" if is_key else "该提案不是重点提案。", code="unchanged")
        before = _snapshot(p)
        was_key = p.is_key
        p.is_key = bool(is_key)
        p.key_leader_id = new_leader_id
        p.save()
        if is_key and not was_key:
            _credit("proposal_key", _credit_groups(p), _today())
        elif was_key and not is_key:
            _credit("proposal_key", _credit_groups(p), revoke=True)
        url = proposal_url(p)
        lead_user = p.key_leader if p.key_leader_id else None
        if is_key:
            if lead_user is not None and lead_user.pk != user.pk:
                notify([lead_user], f"请您领衔督办重点提案：{p.number_label}《{p.title}》", url=url, category="proposal")
            notify(_signer_users(p), f"您的提案被确定为重点提案：{p.number_label}《{p.title}》", url=url,
                   category="proposal")
            label = "确定为重点提案" + (f"，{lead_user.name}领衔督办" if lead_user else "")
        else:
            label = "取消重点提案"
        _done(user, p, "mark_key", label, before, extra={"key_leader": p.key_leader_id})
    return _sync(proposal, p)


def proposal_mark_excellent(*, user, proposal, value: bool) -> Proposal:
    """优秀提案 award (or its withdrawal); credits every proposer's duty record."""
    with transaction.atomic():
        p = _load(user, proposal)
        if not r.is_proposal_office(user, p):
            raise Forbidden("只有本级提案委员会（提案科）工作人员可以评定优秀提案。")
        _state(p, ACCEPTED_OR_LATER, "评为优秀提案（须已立案）")
        if bool(value) == p.is_excellent:
            raise Conflict("该提案已是优秀提案。" if value else "该提案不是优秀提案。", code="unchanged")
        before = _snapshot(p)
        p.is_excellent = bool(value)
        p.save()
        _credit("proposal_excellent", _credit_groups(p), _today(), revoke=not value)
        if value:
            notify(_signer_users(p), f"您的提案被评为优秀提案：{p.number_label}《{p.title}》", url=proposal_url(p),
                   category="proposal")
        _done(user, p, "mark_excellent", "评为优秀提案" if value else "撤销优秀提案", before)
    return _sync(proposal, p)


def proposal_remind(*, user, proposal) -> Proposal:
    """督办提醒 to the handling units' handlers; when the light is red also to the units' heads."""
    with transaction.atomic():
        p = _load(user, proposal)
        if not r.is_proposal_office(user, p):
            raise Forbidden("只有本级提案委员会（提案科）工作人员可以发送督办提醒。")
        _state(p, HANDLING_STATES, "督办提醒")
        before = _snapshot(p)
        active = list(Assignment.objects.filter(proposal=p, is_active=True).select_related("unit"))
        units = [a.unit_id for a in active if a.role in REPLYING_ROLES or not a.co_opinion]
        roles = (Role.UNIT_HANDLER, Role.UNIT_HEAD) if p.light == Proposal.Light.RED else (Role.UNIT_HANDLER,)
        users = _unit_users(units, roles)
        when = f"办理期限 {p.deadline:%Y年%m月%d日}" if p.deadline else ""
        state = {"red": "已超期", "yellow": "临近期限或节点滞后"}.get(p.light, "")
        notify(users, f"督办提醒：{p.number_label}《{p.title}》" + (f"（{state}）" if state else ""),
               f"{when}，请抓紧办理并按时答复。", url=proposal_url(p), category="proposal", sms=p.light == "red")
        names = "、".join(a.unit.name for a in active if a.unit_id in units)
        _done(user, p, "remind", f"督办提醒：{names}", before, extra={"notified": len(users)})
    return _sync(proposal, p)


def proposal_close(*, user, proposal) -> Proposal:
    """办结: from replied, when the proposers rated it positively or the evaluation time has passed."""
    with transaction.atomic():
        p = _load(user, proposal)
        if not r.is_proposal_office(user, p):
            raise Forbidden("只有本级提案委员会（提案科）工作人员可以办结提案。")
        _state(p, [S.REPLIED], "办结")
        ok, why = closable(p)
        if not ok:
            raise Conflict(why, code="not_closable")
        before = _snapshot(p)
        p.status = S.CLOSED
        p.closed_at = _now()
        p.light = ""
        p.save()
        url = proposal_url(p)
        units = Assignment.objects.filter(proposal=p, is_active=True).values_list("unit_id", flat=True)
        notify(_signer_users(p) + _unit_users(units), f"提案已办结：{p.number_label}《{p.title}》", url=url,
               category="proposal")
        _done(user, p, "close", "办结", before)
    return _sync(proposal, p)


__all__ = [
    "assignment_acknowledge", "assignment_co_opinion", "assignment_decide_change", "assignment_record_contact",
    "assignment_request_change", "proposal_assign", "proposal_attach_letter", "proposal_close", "proposal_cosign",
    "proposal_create", "proposal_drop_decliners", "proposal_evaluate", "proposal_extend", "proposal_mark_excellent",
    "proposal_mark_key", "proposal_remind", "proposal_reply", "proposal_review", "proposal_submit",
    "proposal_update", "proposals_assign_batch", "proposal_url", "second_matter",
]
