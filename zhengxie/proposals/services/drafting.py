"""Drafting, 一事一案 and length checks, submission and co-signing (附议)."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from zhengxie.core import audit, orgsettings
from zhengxie.core.errors import Conflict, Forbidden, Invalid
from zhengxie.core.models import Attachment, Role
from zhengxie.core.notifications import notify
from zhengxie.core.textinput import plain_text
from zhengxie.core.uploads import save_attachment
from zhengxie.handling.models import Case as SpineCase
from zhengxie.handling.services import open_case
from zhengxie.members.models import Member, Session
from zhengxie.members.selectors_groups import collective_bodies
from zhengxie.search.services import remove_document

from .. import reporting
from .. import rules as r
from ..models import Proposal, Signer
from ..rules import second_matter
from ..selectors import cosign_open
from .common import (
    TEXT_FIELDS,
    UPDATABLE,
    S,
    _categories,
    _credit,
    _done,
    _index,
    _load,
    _now,
    _office_users,
    _shares,
    _snapshot,
    _state,
    _sync,
    _today,
    proposal_url,
)

# --- validation of the text ---------------------------------------------------------------------------


def check_length(org, reasons: str, suggestions: str) -> None:
    """The text (理由 and 建议 together) stays within "proposals.max_chars"."""
    cap = int(orgsettings.get(org, "proposals.max_chars"))
    body = len(reasons or "") + len(suggestions or "")
    if body > cap:
        raise Invalid(f"提案正文（理由和建议）共 {body} 字，超过上限 {cap} 字，请精简。", field="reasons")


def check_kind(kind, has_cosigners: bool, collective_body: str) -> None:
    """What the kind of proposal asks for: co-signers for a joint one, none otherwise, and the body's
    name for a collective one."""
    if kind not in Proposal.Kind.values:
        raise Invalid("提案类型须为个人提案、联名提案或集体提案。", field="kind")
    if kind == Proposal.Kind.COLLECTIVE:
        if not collective_body:
            raise Invalid(
                "集体提案须填写提案单位（党派、人民团体、专委会或界别等）。", field="collective_body"
            )
        if has_cosigners:
            raise Invalid("集体提案不邀请个人附议。", field="cosigner_ids")
    elif kind == Proposal.Kind.JOINT and not has_cosigners:
        raise Invalid("联名提案至少需要邀请一位附议人。", field="cosigner_ids")
    elif kind == Proposal.Kind.INDIVIDUAL and has_cosigners:
        raise Invalid("个人提案不能邀请附议人；如需联名，请选择“联名提案”。", field="kind")


def _validate_text(org, data: dict, *, complete: bool):
    title = data.get("title", "")
    if not title:
        raise Invalid("请填写案由（提案标题）。", field="title")
    if len(title) > 200:
        raise Invalid(f"案由不能超过 200 字（现为 {len(title)} 字）。", field="title")
    if data.get("category") not in _categories(org):
        raise Invalid("请选择有效的提案类别：" + "、".join(_categories(org)) + "。", field="category")
    check_length(org, data.get("reasons", ""), data.get("suggestions", ""))
    cap = int(orgsettings.get(org, "proposals.max_chars"))
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
    Signer.objects.bulk_create(
        [
            Signer(proposal=p, member=m, role=Signer.Role.COSIGNER, status=Signer.Status.INVITED, order=i)
            for i, m in enumerate(members, 1)
        ]
    )


def _check_kind(user, kind, cosigners, collective_body):
    if kind == Proposal.Kind.COLLECTIVE and kind in Proposal.Kind.values and not user.has_role(Role.STAFF):
        # A 界别召集人 or a 委员小组's 组长 sends one in the name of the sector or group (issue 15).
        bodies = collective_bodies(r.member_of(user))
        if not bodies:
            raise Forbidden(
                "集体提案由政协机关工作人员以提案单位名义录入（界别召集人、委员小组组长可以本界别、本小组名义提出）。"
            )
        if collective_body not in bodies:
            raise Invalid(
                "提案单位须为您召集的界别或担任组长的委员小组：" + "、".join(bodies) + "。",
                field="collective_body",
            )
    member = None
    if kind != Proposal.Kind.COLLECTIVE:
        member = r.member_of(user)
        if member is None:
            raise Forbidden("只有委员可以提交个人提案或联名提案。")
        if member.status != Member.Status.ACTIVE:
            raise Forbidden("您的委员身份目前不在任，不能提交提案。")
    check_kind(kind, bool(cosigners), collective_body)
    return member


# --- drafting and submission --------------------------------------------------------------------------


def proposal_create(
    *,
    user,
    title,
    reasons,
    suggestions,
    category,
    kind="individual",
    cosigner_ids=(),
    collective_body="",
    research_note="",
    session=None,
    attachments=(),
) -> Proposal:
    """A new draft (草稿). A member drafts an individual or joint proposal; staff draft collective ones.
    `attachments`: uploaded supporting files (PDF, Word, images), saved in the same transaction."""
    if not getattr(user, "is_authenticated", False) or user.organisation_id is None:
        raise Forbidden("请先登录。")
    org = user.organisation.committee
    data = {
        "title": plain_text(title, "案由"),
        "reasons": plain_text(reasons, "理由"),
        "suggestions": plain_text(suggestions, "建议"),
        "category": plain_text(category, "类别"),
        "research_note": plain_text(research_note, "调研情况"),
        "collective_body": plain_text(collective_body, "提案单位"),
    }
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
        p = Proposal.objects.create(
            organisation=org, session=session, kind=kind, author=user, lead_member=member, **data
        )
        open_case(kind="proposal", item=p, organisation_id=org.pk, **reporting.facts(p))
        if member is not None:
            Signer.objects.create(
                proposal=p,
                member=member,
                role=Signer.Role.LEAD,
                status=Signer.Status.AGREED,
                order=0,
                responded_at=_now(),
            )
        _set_cosigners(p, cosigners)
        _attach(user, p, attachments)
        _index(p)  # before the audit entry: see _done
        _done(user, p, "create", "起草提案", {}, extra={"title": p.title})
    return p


def _attach(user, p, files):
    for f in files or ():
        save_attachment(f, target=p, user=user, purpose="proposal", allowed=("pdf", "docx", "png", "jpg"))


def proposal_update(*, user, proposal, attachments=(), **fields) -> Proposal:
    """Edit a draft: only its author, only while it is a draft (`attachments`: files added to it)."""
    unknown = set(fields) - UPDATABLE
    if unknown:
        raise Invalid("不能修改这些字段：" + "、".join(sorted(unknown)) + "。")
    with transaction.atomic():
        p = _load(user, proposal)
        if not r.is_author(user, p):
            raise Forbidden("只有起草人可以修改提案。")
        _state(p, "edit")
        before = _snapshot(p)
        data = {k: getattr(p, k) for k in TEXT_FIELDS}
        for k in TEXT_FIELDS:
            if k in fields:
                data[k] = plain_text(fields[k], k)
        kind = fields.get("kind", p.kind)
        if (kind == Proposal.Kind.COLLECTIVE) != (p.kind == Proposal.Kind.COLLECTIVE):
            raise Invalid("集体提案与个人/联名提案之间不能互相转换，请重新起草。", field="kind")
        if "cosigner_ids" in fields:
            cosigner_ids = list(fields["cosigner_ids"] or ())
        else:
            cosigner_ids = list(
                Signer.objects.filter(proposal=p, role=Signer.Role.COSIGNER).values_list(
                    "member_id", flat=True
                )
            )
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
        _attach(user, p, attachments)
        _index(p)  # before the audit entry: see _done
        _done(user, p, "update", "修改草稿", before)
    return _sync(proposal, p)


def _become_submitted(user, p):
    p.status = S.SUBMITTED
    p.submitted_at = _now()
    s = p.session
    p.during_plenary = s.start_date <= _today() <= (s.proposal_deadline or s.end_date)
    p.save()
    _credit("proposal_submit", [(p, _shares(p))], _today())
    notify(
        _office_users(p),
        f"新提案待审查：《{p.title}》",
        "请在规定时限内完成立案审查。",
        url=proposal_url(p),
        category="proposal",
    )


def proposal_submit(*, user, proposal, confirm_single_matter: bool = False) -> Proposal:
    """Submit a draft: individual/collective → submitted; joint → awaiting the co-signers' 附议."""
    with transaction.atomic():
        p = _load(user, proposal)
        if not r.is_author(user, p):
            raise Forbidden("只有起草人可以提交提案。")
        _state(p, "submit")
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
                    code="multiple_matters",
                    field="suggestions",
                )
        if p.kind == Proposal.Kind.JOINT:
            cosigners = list(
                Signer.objects.filter(proposal=p, role=Signer.Role.COSIGNER).select_related("member")
            )
            if not cosigners:
                raise Invalid("联名提案至少需要邀请一位附议人。", field="cosigner_ids")
            now = _now()
            Signer.objects.filter(pk__in=[s.pk for s in cosigners]).update(
                status=Signer.Status.INVITED, invited_at=now, responded_at=None
            )
            p.status = S.AWAITING_COSIGNERS
            p.submitted_at = now
            p.save()
            days = orgsettings.get(p.organisation, "proposals.cosign_days")
            notify(
                [s.member.user for s in cosigners],
                f"联名提案邀请您附议：《{p.title}》",
                f"{user.name}邀请您作为联名提案的附议人，请在 {days} 天内确认是否附议。",
                url=proposal_url(p),
                category="proposal",
                sms=True,
            )
            _index(p)  # before the audit entry: see _done
            _done(user, p, "submit", "提交提案，邀请附议", before)
        else:
            _become_submitted(user, p)
            _index(p)
            _done(user, p, "submit", "提交提案", before)
    return _sync(proposal, p)


def proposal_cosign(*, user, proposal, agree: bool) -> Proposal:
    """A co-signer confirms (附议) or declines; when everyone agreed the proposal is submitted."""
    with transaction.atomic():
        p = _load(user, proposal)
        member = r.member_of(user)
        signer = (
            Signer.objects.filter(proposal=p, member=member, role=Signer.Role.COSIGNER).first()
            if member
            else None
        )
        if signer is None:
            raise Forbidden("只有受邀附议的委员可以确认附议。")
        _state(p, "cosign")
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
            # Requests to join (申请加入) are not invitations: they do not hold the submission back.
            pending = (
                Signer.objects.filter(proposal=p, role=Signer.Role.COSIGNER)
                .exclude(status__in=(Signer.Status.AGREED, Signer.Status.REQUESTED))
                .exists()
            )
            if not pending:
                _become_submitted(user, p)
                label += "，全部附议人已确认，提案已提交"
                notify(
                    author,
                    f"联名提案已全部附议并提交：《{p.title}》",
                    url=proposal_url(p),
                    category="proposal",
                )
        else:
            label = f"{member.name}不同意附议"
            notify(
                author,
                f"{member.name}不同意附议您的提案《{p.title}》",
                "您可以移除未附议的委员后直接提交。",
                url=proposal_url(p),
                category="proposal",
            )
        _done(user, p, "cosign", label, before, extra={"signer": member.pk, "agree": bool(agree)})
    return _sync(proposal, p)


def proposal_drop_decliners(*, user, proposal) -> Proposal:
    """The first proposer removes co-signers who declined or did not answer, and submits."""
    with transaction.atomic():
        p = _load(user, proposal)
        if not r.is_author(user, p):
            raise Forbidden("只有第一提案人可以移除未附议的委员。")
        _state(p, "drop_decliners")
        before = _snapshot(p)
        # Requests to join (申请加入) stay for the first proposer to answer until the review.
        dropped = list(
            Signer.objects.filter(proposal=p, role=Signer.Role.COSIGNER)
            .exclude(status__in=(Signer.Status.AGREED, Signer.Status.REQUESTED))
            .select_related("member__user")
        )
        Signer.objects.filter(pk__in=[s.pk for s in dropped]).update(
            status=Signer.Status.DROPPED, responded_at=_now()
        )
        if not Signer.objects.filter(
            proposal=p, role=Signer.Role.COSIGNER, status=Signer.Status.AGREED
        ).exists():
            p.kind = Proposal.Kind.INDIVIDUAL
        _become_submitted(user, p)
        if dropped:
            notify(
                [s.member.user for s in dropped],
                f"您未附议提案《{p.title}》，已不再列为附议人",
                url="",
                category="proposal",
            )
        names = "、".join(s.member.name for s in dropped) or "无"
        _done(user, p, "drop_decliners", f"移除未附议委员（{names}）并提交", before)
    return _sync(proposal, p)


def proposal_delete_draft(*, user, proposal) -> None:
    """Delete a draft (e.g. when its author joins a similar proposal instead): only the author, only while it
    is a draft. The audit entry keeps what was deleted; the timeline goes with the draft. Nobody is told:
    invited co-signers hear of a draft only when it is submitted."""
    with transaction.atomic():
        p = _load(user, proposal)
        if not r.is_author(user, p):
            raise Forbidden("只有起草人可以删除草稿。")
        _state(p, "delete")
        before = {
            **_snapshot(p),
            "title": p.title,
            "session": p.session_id,
            "cosigners": list(
                Signer.objects.filter(proposal=p, role=Signer.Role.COSIGNER).values_list(
                    "member_id", flat=True
                )
            ),
        }
        audit.record(user, "proposals.delete_draft", p, before=before, after=None)
        files = Attachment.objects.filter(
            content_type=ContentType.objects.get_for_model(Proposal), object_id=str(p.pk)
        )
        stored = [a.file for a in files if a.file]
        files.delete()
        remove_document(kind="proposal", object_id=p.pk)
        case_id = p.case_id
        p.delete()
        if case_id:  # the draft's spine case goes with it (an orphan case has no title to sync)
            SpineCase.objects.filter(pk=case_id).delete()

        def remove_files():
            for f in stored:
                f.storage.delete(f.name)

        transaction.on_commit(remove_files)


def proposal_withdraw(*, user, proposal, reason: str = "") -> Proposal:
    """撤回: the first proposer takes a submitted proposal back before the 提案委 reviews it (待附议 or
    待审查); it becomes a draft again, to be edited and submitted anew. The submission's duty credit is
    revoked, co-signers' answers and 申请加入 requests lapse (they are asked again on the next submission),
    and whoever was waiting on it — the 提案委 for a proposal awaiting review, the invited co-signers and
    those who asked to join — is told."""
    reason = (reason or "").strip()
    if len(reason) > 200:
        raise Invalid("撤回说明不能超过 200 字。", field="reason")
    with transaction.atomic():
        p = _load(user, proposal)
        if not r.is_author(user, p):
            raise Forbidden("只有第一提案人可以撤回提案。")
        _state(p, "withdraw")
        before = _snapshot(p)
        was_submitted = p.status == S.SUBMITTED
        if was_submitted:
            _credit("proposal_submit", [(p, _shares(p))], revoke=True)
        signers = list(
            Signer.objects.filter(proposal=p, role=Signer.Role.COSIGNER)
            .exclude(status=Signer.Status.DROPPED)
            .select_related("member__user")
        )
        asked = [s for s in signers if s.status == Signer.Status.REQUESTED]
        invited = [s for s in signers if s.status != Signer.Status.REQUESTED]
        Signer.objects.filter(pk__in=[s.pk for s in asked]).update(
            status=Signer.Status.DROPPED, responded_at=_now()
        )
        Signer.objects.filter(pk__in=[s.pk for s in invited]).update(
            status=Signer.Status.INVITED, responded_at=None
        )
        p.status = S.DRAFT
        p.submitted_at = None
        p.during_plenary = False
        p.save(update_fields=["status", "submitted_at", "during_plenary", "updated_at"])
        note = f"撤回说明：{reason}" if reason else ""
        if was_submitted:
            notify(
                _office_users(p),
                f"提案已由提案人撤回：《{p.title}》",
                note or "该提案已退回草稿，无需审查。",
                url="",
                category="proposal",
            )
        if p.kind == Proposal.Kind.JOINT or asked:
            notify(
                [s.member.user for s in signers if s.member.user_id],
                f"提案人已撤回提案：《{p.title}》",
                (note + "。" if note else "") + "您的附议或加入申请已失效，提案再次提交时将重新邀请。",
                url="",
                category="proposal",
            )
        _index(p)  # before the audit entry: see _done
        _done(user, p, "withdraw", "撤回提案（退回草稿）", before, detail=reason, extra={"reason": reason})
    return _sync(proposal, p)
