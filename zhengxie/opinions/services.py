"""Every state change of a 社情民意 item: permission check, one transaction, audit entry, timeline event,
duty records and notifications. Messages are Chinese; errors are core.errors (422/403/404/409).

    draft ─submit→ submitted ─review: accept→ accepted ─(issue, forward, adoption, 批示)
      ↑                │ ├─ file → filed (留存未录用, reason shown to the author)
      └── returned ←───┘ └─ merge → merged (into another item; its authors keep their credit)
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone

from zhengxie.core import audit, orgsettings
from zhengxie.core.errors import Conflict, Forbidden, Invalid, NotFound
from zhengxie.core.models import Office, Organisation, Role, User
from zhengxie.core.notifications import notify
from zhengxie.core.numbering import next_number
from zhengxie.core.textinput import plain_text
from zhengxie.handling.services import flow
from zhengxie.handling.services.units import as_date, check_deadline, resolve_unit
from zhengxie.members.models import Member
from zhengxie.members.selectors import member_of
from zhengxie.performance import acts as A
from zhengxie.search.services import index_document

from . import rules as r
from .models import (
    LEVEL_LABELS,
    LEVEL_RANK,
    Adoption,
    Instruction,
    Opinion,
    OpinionAuthor,
    OpinionEvent,
    OpinionIssue,
)

S = Opinion.Status

orgsettings.register("opinions.max_chars", 1500, "社情民意信息正文字数上限")
orgsettings.register(
    "opinions.categories",
    [
        "经济发展",
        "社会民生",
        "教育科技",
        "医疗卫生",
        "生态环境",
        "乡村振兴",
        "城乡建设",
        "社会治理",
        "文化旅游",
        "其他",
    ],
    "社情民意信息类别",
)

EDITABLE = (S.DRAFT, S.RETURNED)
DECISIONS = ("accept", "file", "return", "merge")


# --- helpers -----------------------------------------------------------------------------------------


def _today() -> datetime.date:
    return timezone.localdate()


def opinion_url(o: Opinion | int) -> str:
    from django.urls import reverse

    return reverse("opinions:detail", args=[getattr(o, "pk", o)])


def _snapshot(o: Opinion) -> dict:
    return {
        "status": o.status,
        "title": o.title,
        "edited_title": o.edited_title,
        "issue": o.issue_id,
        "merged_into": o.merged_into_id,
    }


def _event(o: Opinion, user, action: str, label: str, detail: str = "") -> None:
    OpinionEvent.objects.create(
        opinion=o,
        actor=user if user is not None and user.pk else None,
        action=action,
        label=label[:200],
        detail=detail,
    )


def _done(user, o: Opinion, action: str, label: str, before: dict | None, *, detail="", extra=None) -> None:
    after = _snapshot(o)
    if extra:
        after.update(extra)
    audit.record(user, f"opinions.{action}", o, before=before, after=after, organisation=o.organisation)
    _event(o, user, action, label, detail)


def _load(user, opinion, *, lock=True) -> Opinion:
    """The item, locked for the change; 404 when the user may not see it."""
    pk = getattr(opinion, "pk", opinion)
    qs = Opinion.objects.select_related("organisation")
    if lock:
        qs = qs.select_for_update(of=("self",))
    try:
        o = qs.get(pk=pk)
    except (Opinion.DoesNotExist, ValueError, TypeError):
        raise NotFound("未找到该社情民意信息。")
    if not r.can_view(user, o):
        raise NotFound("未找到该社情民意信息。")
    return o


def _state(o: Opinion, allowed, verb: str) -> None:
    if o.status not in allowed:
        raise Conflict(f"该信息当前状态为「{o.get_status_display()}」，不能{verb}。", code="bad_state")


def _office_users(organisation) -> list[User]:
    staff = User.objects.filter(organisation=organisation, groups__name=Role.STAFF, is_active=True).distinct()
    return [u for u in staff if u.works_in(Office.INFORMATION)]


def _author_users(o: Opinion) -> list[User]:
    users = {a.member.user for a in o.authors.select_related("member__user") if a.member.user_id}
    if o.created_by_id:
        users.add(o.created_by)
    return list(users)


def check_text(o_org, title, content) -> tuple[str, str]:
    """The title and text, stripped; a Chinese message when empty or too long (the write form uses it too)."""
    title = plain_text(title, "标题")
    content = plain_text(content, "正文")
    if not title:
        raise Invalid("请填写标题。", field="title")
    if len(title) > 200:
        raise Invalid("标题不能超过200字。", field="title")
    if not content:
        raise Invalid("请填写正文。", field="content")
    limit = int(orgsettings.get(o_org, "opinions.max_chars"))
    if len(content) > limit:
        raise Invalid(
            f"正文不能超过{limit}字（现为{len(content)}字），社情民意信息应一事一报、简明扼要。",
            field="content",
        )
    return title, content


def check_category(organisation, category) -> str:
    category = plain_text(category, "类别")
    if category and category not in orgsettings.get(organisation, "opinions.categories"):
        raise Invalid("请从列表中选择类别。", field="category")
    return category


def _members(organisation, ids, field: str) -> list[Member]:
    """Members of this committee by id, in the order given; a clear message for an unknown one."""
    out, seen = [], set()
    ids = list(ids or [])
    found = {
        m.pk: m
        for m in Member.objects.filter(
            pk__in=[i for i in ids if isinstance(i, int)], organisation=organisation
        )
    }
    for i in ids:
        m = found.get(i) if isinstance(i, int) else None
        if m is None:
            raise Invalid("所选委员不存在或不属于本级政协。", field=field)
        if m.pk not in seen:
            seen.add(m.pk)
            out.append(m)
    return out


def _index(o: Opinion) -> None:
    index_document(
        kind="opinion",
        object_id=o.pk,
        organisation_id=o.organisation_id,
        title=o.display_title,
        body=o.display_content,
        year=o.year,
    )


# --- duty records ------------------------------------------------------------------------------------


def _shares(o: Opinion, own_only=False) -> list[tuple[Member, float]]:
    """The credit split of an item (and every item merged into it, unless `own_only`): per item, the first
    author half and the others the rest, as for joint proposals; a single author takes it all."""
    groups: dict[int | None, list[OpinionAuthor]] = {}
    rows = o.authors.select_related("member").order_by("order", "id")
    for a in rows.filter(via_merge__isnull=True) if own_only else rows:
        groups.setdefault(a.via_merge_id, []).append(a)
    out: list[tuple[Member, float]] = []
    for rows in groups.values():
        if len(rows) == 1:
            out.append((rows[0].member, 1.0))
        else:
            out.append((rows[0].member, 0.5))
            out.extend((a.member, round(0.5 / (len(rows) - 1), 4)) for a in rows[1:])
    return out


def _credit(o: Opinion, act: str, source, occurred_on=None, *, revoke=False) -> None:
    from zhengxie.performance import services as perf

    for member, share in _shares(o):
        if revoke:
            perf.revoke_act(member=member, act=act, source=source)
        else:
            perf.record_act(
                member=member, act=act, source=source, occurred_on=occurred_on or _today(), share=share
            )


def _recredit(o: Opinion, act: str, source, *, own_only=False) -> None:
    """Credit that follows the authors as they are now (co-authors changed before a resubmission): the
    records of members who left or whose share changed are voided, then everyone is credited."""
    from zhengxie.performance import services as perf
    from zhengxie.performance.models import DutyRecord

    shares = _shares(o, own_only)
    now = {m.pk: Decimal(str(share)).quantize(Decimal("0.0001")) for m, share in shares}
    ct = ContentType.objects.get_for_model(source)
    for rec in DutyRecord.objects.filter(
        act=act, source_ct=ct, source_id=str(source.pk), voided=False
    ).select_related("member"):
        if now.get(rec.member_id) != rec.share:
            perf.revoke_act(member=rec.member, act=act, source=source)
    for member, share in shares:
        perf.record_act(member=member, act=act, source=source, occurred_on=_today(), share=share)


# --- writing (members, or staff on their behalf) ----------------------------------------------------


def opinion_create(
    *,
    user,
    title,
    content,
    category="",
    co_author_ids=(),
    author_ids=None,
    source="",
    source_body="",
    attachments=(),
) -> Opinion:
    """暂存 a new item. A member writes as the first author (co-authors after); staff write on behalf of
    members (`author_ids`) or of a body (`source_body`, e.g. 民盟县委会)."""
    if not r.may_write(user):
        raise Forbidden("只有委员或机关工作人员可以撰写社情民意信息。")
    member = member_of(user)
    organisation = member.organisation if member is not None else user.organisation
    if organisation is None:
        raise Forbidden("您的账号未关联政协组织。")
    title, content = check_text(organisation, title, content)
    category = check_category(organisation, category)
    source_body = plain_text(source_body, "报送单位")[:100]
    if member is not None and author_ids is None:
        authors = [member] + [
            m for m in _members(organisation, co_author_ids, "co_author_ids") if m.pk != member.pk
        ]
        source = source or Opinion.Source.MEMBER
    else:
        authors = _members(organisation, list(author_ids or []) + list(co_author_ids or []), "author_ids")
        if not authors and not source_body:
            raise Invalid("请选择作者委员，或填写报送单位。", field="author_ids")
        source = source or (Opinion.Source.MEMBER if authors else Opinion.Source.STAFF)
    if source not in Opinion.Source.values or source == Opinion.Source.FORWARDED:
        raise Invalid("来源不正确。", field="source")
    with transaction.atomic():
        now = timezone.now()
        o = Opinion.objects.create(
            organisation=organisation,
            year=_today().year,
            title=title,
            content=content,
            category=category,
            source=source,
            source_body=source_body,
            created_by=user,
            created_at=now,
            updated_at=now,
        )
        Opinion.objects.filter(pk=o.pk).update(root=o)
        o.root_id = o.pk
        OpinionAuthor.objects.bulk_create(
            [OpinionAuthor(opinion=o, member=m, order=i) for i, m in enumerate(authors)]
        )
        _save_attachments(user, o, attachments)
        _done(user, o, "create", "暂存", None)
    return o


def _save_attachments(user, o, attachments) -> None:
    from zhengxie.core.uploads import save_attachment

    for upload in attachments or ():
        save_attachment(upload, target=o, user=user, purpose="opinion")


def opinion_update(
    *, user, opinion, title=None, content=None, category=None, co_author_ids=None, attachments=()
):
    """The writer edits a draft or a returned item (after submission only the 信息科 edits, see opinion_edit)."""
    with transaction.atomic():
        o = _load(user, opinion)
        if not r.is_writer(user, o):
            raise Forbidden("只有作者可以修改该信息。")
        _state(o, EDITABLE, "修改")
        before = _snapshot(o)
        o.title, o.content = check_text(
            o.organisation, o.title if title is None else title, o.content if content is None else content
        )
        if category is not None:
            o.category = check_category(o.organisation, category)
        if co_author_ids is not None:
            # The item's own authors change; those who joined through a merge stay.
            own = o.authors.filter(via_merge__isnull=True)
            first = own.order_by("order", "id").first()
            keep = [first.member] if first is not None else []
            merged = set(o.authors.filter(via_merge__isnull=False).values_list("member_id", flat=True))
            extra = [
                m
                for m in _members(o.organisation, co_author_ids, "co_author_ids")
                if m not in keep and m.pk not in merged
            ]
            own.delete()
            OpinionAuthor.objects.bulk_create(
                [OpinionAuthor(opinion=o, member=m, order=i) for i, m in enumerate(keep + extra)]
            )
            if o.submitted_at is not None and o.source != Opinion.Source.FORWARDED:
                _recredit(o, A.OPINION_SUBMIT, o, own_only=True)  # 报送 follows the authors
        o.updated_at = timezone.now()
        o.save()
        _save_attachments(user, o, attachments)
        _done(user, o, "update", "修改", before)
    return o


def opinion_submit(*, user, opinion) -> Opinion:
    """提交 to the 信息科 (again, after a return). Credits 报送 to the authors once (after a change of
    co-authors, to the authors as they now are)."""
    with transaction.atomic():
        o = _load(user, opinion)
        if not r.is_writer(user, o):
            raise Forbidden("只有作者可以提交该信息。")
        _state(o, EDITABLE, "提交")
        check_text(o.organisation, o.title, o.content)
        before = _snapshot(o)
        first = o.submitted_at is None
        o.status = S.SUBMITTED
        o.submitted_at = timezone.now()
        o.year = timezone.localdate(o.submitted_at).year
        o.review_note = ""
        o.save()
        _index(o)
        # 报送 credits the item's own authors as they are now (a copy from below was not submitted here).
        if o.source != Opinion.Source.FORWARDED:
            _recredit(o, A.OPINION_SUBMIT, o, own_only=True)
        _done(user, o, "submit", "提交" if first else "修改后重新提交", before)
        notify(
            _office_users(o.organisation),
            f"新报送社情民意信息：《{o.title}》",
            "请在信息工作台处理。",
            url=opinion_url(o),
            category="opinion",
        )
    return o


# --- the 信息科 ----------------------------------------------------------------------------------


def _office(user, o: Opinion, verb: str) -> None:
    if not r.can_review(user, o):
        raise Forbidden(f"只有本级信息科工作人员可以{verb}。")


def opinion_edit(*, user, opinion, edited_title=None, edited_content=None, category=None) -> Opinion:
    """The 信息科's edit (编辑): the published title and text; the author's original stays readable."""
    with transaction.atomic():
        o = _load(user, opinion)
        _office(user, o, "编辑信息")
        _state(o, (S.SUBMITTED, S.ACCEPTED), "编辑")
        if o.issue_id and o.issue.status == OpinionIssue.Status.PUBLISHED:
            raise Conflict("该信息所在期刊已印发，不能再编辑。", code="published")
        before = _snapshot(o)
        shown = o.display_title
        _apply_edit(o, user, edited_title, edited_content)
        if category is not None:
            o.category = check_category(o.organisation, category)
        o.save()
        # A draft 专报 still headed by its item's title (the default) follows the new one; a title of its
        # own stays (documents.item_heading prints it).
        if o.issue_id and o.display_title != shown:
            OpinionIssue.objects.filter(
                pk=o.issue_id, kind=OpinionIssue.Kind.SPECIAL, status=OpinionIssue.Status.DRAFT, title=shown
            ).update(title=o.display_title[:200])
        _index(o)
        _done(user, o, "edit", "编辑", before)
    return o


def _apply_edit(o: Opinion, user, edited_title, edited_content) -> None:
    if edited_title is None and edited_content is None:
        return
    title = o.edited_title if edited_title is None else plain_text(edited_title, "编辑后标题")
    content = o.edited_content if edited_content is None else plain_text(edited_content, "编辑后正文")
    if len(title) > 200:
        raise Invalid("标题不能超过200字。", field="edited_title")
    limit = int(orgsettings.get(o.organisation, "opinions.max_chars"))
    if len(content) > limit:
        raise Invalid(f"编辑后正文不能超过{limit}字（现为{len(content)}字）。", field="edited_content")
    o.edited_title, o.edited_content = title, content
    o.edited_by = user
    o.updated_at = timezone.now()


def opinion_review(
    *, user, opinion, decision, edited_title=None, edited_content=None, reason="", merge_into=None
) -> Opinion:
    """录用 (accept), 留存未录用 (file, with a reason the author sees), 退回修改 (return, with a reason), or
    合并 (merge into another item of this organisation; every author keeps credit)."""
    if decision not in DECISIONS:
        raise Invalid("请选择处理方式：录用、留存、退回或合并。", field="decision")
    with transaction.atomic():
        o = _load(user, opinion)
        _office(user, o, "处理信息")
        _state(o, (S.SUBMITTED,), "处理")
        before = _snapshot(o)
        reason = plain_text(reason, "处理意见")
        o.reviewed_by, o.reviewed_at = user, timezone.now()
        if decision == "accept":
            _apply_edit(o, user, edited_title, edited_content)
            o.status, o.review_note = S.ACCEPTED, reason
            o.save()
            _index(o)
            _credit(o, A.OPINION_ACCEPT, o)
            _done(user, o, "accept", "录用", before, detail=reason)
            _tell_authors(o, f"您报送的社情民意信息《{o.title}》已被{o.organisation.name}录用", reason)
        elif decision in ("file", "return"):
            if decision == "return" and o.forwarded_from_id:
                raise Conflict("下级报送的信息不能退回修改，可录用、留存或合并。", code="forwarded")
            if not reason:
                raise Invalid("请填写理由（作者可见）。", field="reason")
            o.status = S.FILED if decision == "file" else S.RETURNED
            o.review_note = reason
            o.save()
            label = "留存未录用" if decision == "file" else "退回修改"
            _done(user, o, decision, label, before, detail=reason)
            _tell_authors(o, f"您报送的社情民意信息《{o.title}》：{o.organisation.name}{label}", reason)
        else:
            target = _merge_target(user, o, merge_into)
            _merge(user, o, target, reason)
    return o


def _merge_target(user, o: Opinion, merge_into) -> Opinion:
    pk = getattr(merge_into, "pk", merge_into)
    if pk in (None, ""):
        raise Invalid("请选择合并到哪一篇信息。", field="merge_into")
    try:
        t = Opinion.objects.select_for_update(of=("self",)).get(pk=pk, organisation=o.organisation)
    except (Opinion.DoesNotExist, ValueError, TypeError):
        raise Invalid("要合并到的信息不存在或不属于本级。", field="merge_into")
    if t.pk == o.pk:
        raise Invalid("不能合并到自身。", field="merge_into")
    if t.status not in (S.SUBMITTED, S.ACCEPTED):
        raise Invalid("只能合并到已提交或已录用的信息。", field="merge_into")
    return t


def _merge(user, o: Opinion, t: Opinion, reason: str) -> None:
    """Merge o into t: o's authors join t (marked via_merge) so that t's adoptions credit them too."""
    before_t = _snapshot(t)
    before = _snapshot(o)
    have = set(t.authors.values_list("member_id", flat=True))
    order = (t.authors.aggregate(m=Max("order"))["m"] or 0) + 1
    rows = []
    for a in o.authors.order_by("order", "id"):
        if a.member_id not in have:
            rows.append(OpinionAuthor(opinion=t, member_id=a.member_id, order=order, via_merge=o))
            have.add(a.member_id)
            order += 1
    OpinionAuthor.objects.bulk_create(rows)
    o.status, o.merged_into, o.review_note = S.MERGED, t, reason
    o.save()
    _done(
        user, o, "merge", f"合并到《{t.display_title}》", before, detail=reason, extra={"merged_into": t.pk}
    )
    _done(user, t, "merge_in", f"合并了同类信息《{o.title}》", before_t)
    _tell_authors(o, f"您报送的社情民意信息《{o.title}》已与同类信息合并编发", reason)
    # Credit already earned on t (录用, and on its chain 采用 and 批示) extends to the newly joined authors.
    if t.status == S.ACCEPTED:
        _credit(t, A.OPINION_ACCEPT, t)
    if t.root_id == t.pk:
        live = Adoption.objects.filter(root_id=t.pk, revoked_at__isnull=True)
        for row in live.values("level").annotate(day=Min("adopted_on")).order_by():
            _credit(t, A.OPINION_ADOPT_BY_LEVEL[row["level"]], t, row["day"])
        for i in Instruction.objects.filter(root_id=t.pk):
            _credit(t, A.OPINION_INSTRUCTION, i, i.instructed_on)


def _tell_authors(o: Opinion, title: str, body: str = "") -> None:
    """The item's authors and whoever wrote it. On a copy forwarded from below its writer is the office
    that forwarded it, which may not open the copy above: it is sent to its own item (the copy's
    adoptions and 批示 show there)."""
    users = _author_users(o)
    forwarder = [u for u in users if u.pk == o.created_by_id] if o.forwarded_from_id else []
    notify([u for u in users if u not in forwarder], title, body, url=opinion_url(o), category="opinion")
    if forwarder:
        notify(forwarder, title, body, url=opinion_url(o.forwarded_from_id), category="opinion")


# --- issues of 《社情民意》 ----------------------------------------------------------------------------


def _issue_items(user, organisation, opinion_ids, kind: str, issue=None) -> list[Opinion]:
    ids = []
    for i in opinion_ids or []:
        if not isinstance(i, int) or isinstance(i, bool):
            raise Invalid("所选信息编号不正确。", field="opinion_ids")
        if i not in ids:
            ids.append(i)
    if not ids:
        raise Invalid("请至少选择一篇已录用的信息。", field="opinion_ids")
    if kind == OpinionIssue.Kind.SPECIAL and len(ids) != 1:
        raise Invalid("专报每期编发一篇信息；多篇请编为摘报。", field="opinion_ids")
    items = {o.pk: o for o in Opinion.objects.select_for_update(of=("self",)).filter(pk__in=ids)}
    out = []
    for i in ids:
        o = items.get(i)
        if o is None or o.organisation_id != organisation.pk:
            raise Invalid(f"信息 {i} 不存在或不属于本级。", field="opinion_ids")
        if o.status != S.ACCEPTED:
            raise Invalid(f"《{o.display_title}》尚未录用，不能编入期刊。", field="opinion_ids")
        if o.issue_id and (issue is None or o.issue_id != issue.pk):
            raise Conflict(f"《{o.display_title}》已编入其他一期。", code="in_issue")
        out.append(o)
    return out


def issue_create(
    *, user, kind, opinion_ids, title="", signer="", recipients="", organisation=None
) -> OpinionIssue:
    """Compose an issue (专报 of one item, 摘报 of several) with the next number of the year (gap-free)."""
    organisation = organisation or user.organisation
    if not r.is_info_office(user, organisation):
        raise Forbidden("只有本级信息科工作人员可以编发《社情民意》。")
    if kind not in OpinionIssue.Kind.values:
        raise Invalid("请选择期刊类型：专报或摘报。", field="kind")
    title = plain_text(title, "标题")[:200]
    signer = plain_text(signer, "签发人")[:40]
    recipients = plain_text(recipients, "报送")[:200]
    year = _today().year
    with transaction.atomic():
        items = _issue_items(user, organisation, opinion_ids, kind)
        number = next_number(organisation, f"opinions.issue.{year}")
        if not title:
            title = items[0].display_title if kind == OpinionIssue.Kind.SPECIAL else "社情民意摘报"
        issue = OpinionIssue.objects.create(
            organisation=organisation,
            year=year,
            number=number,
            kind=kind,
            title=title,
            signer=signer,
            recipients=recipients,
            created_by=user,
        )
        _place(user, issue, items)
        audit.record(
            user, "opinions.issue_create", issue, after={"number": number, "items": [o.pk for o in items]}
        )
    return issue


def _place(user, issue: OpinionIssue, items: list[Opinion]) -> None:
    Opinion.objects.filter(issue=issue).exclude(pk__in=[o.pk for o in items]).update(
        issue=None, issue_order=0
    )
    for n, o in enumerate(items, start=1):
        if o.issue_id != issue.pk:
            _event(o, user, "issue", f"编入《社情民意》{issue.label}")
        Opinion.objects.filter(pk=o.pk).update(issue=issue, issue_order=n)


def _load_issue(user, issue) -> OpinionIssue:
    pk = getattr(issue, "pk", issue)
    try:
        i = OpinionIssue.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=pk)
    except (OpinionIssue.DoesNotExist, ValueError, TypeError):
        raise NotFound("未找到该期《社情民意》。")
    if not r.can_view_issue(user, i):
        raise NotFound("未找到该期《社情民意》。")
    return i


def issue_update(*, user, issue, opinion_ids=None, title=None, signer=None, recipients=None) -> OpinionIssue:
    with transaction.atomic():
        i = _load_issue(user, issue)
        if not r.is_info_office(user, i.organisation):
            raise Forbidden("只有本级信息科工作人员可以编辑期刊。")
        if i.status == OpinionIssue.Status.PUBLISHED:
            raise Conflict("该期已印发，不能再修改。", code="published")
        if opinion_ids is not None:
            _place(user, i, _issue_items(user, i.organisation, opinion_ids, i.kind, issue=i))
        if title is not None:
            i.title = plain_text(title, "标题")[:200] or i.title
        if signer is not None:
            i.signer = plain_text(signer, "签发人")[:40]
        if recipients is not None:
            i.recipients = plain_text(recipients, "报送")[:200]
        i.save()
        audit.record(user, "opinions.issue_update", i)
    return i


def issue_publish(*, user, issue) -> OpinionIssue:
    """印发: the issue is fixed (no more edits of it or its items) and the authors are told."""
    with transaction.atomic():
        i = _load_issue(user, issue)
        if not r.is_info_office(user, i.organisation):
            raise Forbidden("只有本级信息科工作人员可以印发期刊。")
        if i.status == OpinionIssue.Status.PUBLISHED:
            raise Conflict("该期已印发。", code="published")
        if not i.signer:
            raise Invalid("请填写签发人后再印发。", field="signer")
        items = list(i.items.order_by("issue_order"))
        if not items:
            raise Invalid("该期没有信息，不能印发。", field="opinion_ids")
        i.status, i.published_at, i.published_by = OpinionIssue.Status.PUBLISHED, timezone.now(), user
        i.save()
        for o in items:
            _event(o, user, "publish", f"《社情民意》{i.label}印发（{i.get_kind_display()}）")
            _tell_authors(o, f"您的社情民意信息《{o.display_title}》已编入《社情民意》{i.label}")
        audit.record(
            user, "opinions.issue_publish", i, after={"number": i.number, "items": [o.pk for o in items]}
        )
    return i


# --- forwarding upward ---------------------------------------------------------------------------


def opinion_forward(*, user, opinion, organisation) -> Opinion:
    """报送上级: a copy lands in the queue of an organisation above (市, 省), marked with where it came from."""
    with transaction.atomic():
        o = _load(user, opinion)
        _office(user, o, "报送上级")
        _state(o, (S.ACCEPTED,), "报送上级")
        pk = getattr(organisation, "pk", organisation)
        try:
            target = Organisation.objects.get(pk=pk)
        except (Organisation.DoesNotExist, ValueError, TypeError):
            raise Invalid("请选择上级政协。", field="organisation_id")
        own = o.organisation.committee
        if not (own.path.startswith(target.path) and len(target.path) < len(own.path)):
            raise Invalid("只能报送上级政协。", field="organisation_id")
        if Opinion.objects.filter(root_id=o.root_id, organisation=target).exists():
            raise Conflict(f"该信息已报送{target.name}。", code="already_forwarded")
        now = timezone.now()
        copy = Opinion.objects.create(
            organisation=target,
            year=timezone.localdate(now).year,
            title=o.display_title,
            content=o.display_content,
            category=o.category,
            source=Opinion.Source.FORWARDED,
            source_body=o.organisation.name,
            status=S.SUBMITTED,
            created_by=user,
            created_at=now,
            updated_at=now,
            submitted_at=now,
            forwarded_from=o,
            root_id=o.root_id,
        )
        OpinionAuthor.objects.bulk_create(
            [
                OpinionAuthor(opinion=copy, member_id=a.member_id, order=a.order)
                for a in o.authors.order_by("order", "id")
            ]
        )
        _index(copy)
        if o.forwarded_at is None:
            o.forwarded_at = now
            o.save(update_fields=["forwarded_at"])
        _done(user, o, "forward", f"报送{target.name}", None, extra={"copy": copy.pk, "to": target.pk})
        _done(user, copy, "received", f"收到{o.organisation.name}报送", None, extra={"from": o.pk})
        notify(
            _office_users(target),
            f"{o.organisation.name}报送社情民意信息：《{copy.title}》",
            "请在信息工作台处理。",
            url=opinion_url(copy),
            category="opinion",
        )
    return copy


# --- 采用 and 批示 ---------------------------------------------------------------------------------


def _check_level(o: Opinion, level, field="level") -> str:
    if level not in LEVEL_RANK:
        raise Invalid("请选择层级：县级、市级、省级或全国。", field=field)
    if not r.level_allowed(o.organisation, level):
        raise Invalid(
            f"层级不能低于本级（{LEVEL_LABELS[r.organisation_level(o.organisation)]}）。", field=field
        )
    return level


def _past_date(value, label: str, field: str) -> datetime.date:
    day = as_date(value, label, field)
    if day is None:
        raise Invalid(f"请填写{label}。", field=field)
    if day > _today():
        raise Invalid(f"{label}不能晚于今天。", field=field)
    return day


def adoption_add(*, user, opinion, level, body, used_as="single", adopted_on=None) -> Adoption:
    """登记采用. The authors earn the level's points once per item chain, whoever records it."""
    with transaction.atomic():
        o = _load(user, opinion)
        _office(user, o, "登记采用情况")
        _state(o, (S.ACCEPTED,), "登记采用")
        level = _check_level(o, level)
        body = plain_text(body, "采用单位")[:100]
        if not body:
            raise Invalid("请填写采用单位（如：县委办公室、省政协办公厅）。", field="body")
        if used_as not in Adoption.UsedAs.values:
            raise Invalid("请选择采用方式：单篇采用或综合采用。", field="used_as")
        day = _past_date(adopted_on or _today(), "采用日期", "adopted_on")
        a = Adoption.objects.create(
            opinion=o,
            root_id=o.root_id,
            organisation=o.organisation,
            level=level,
            body=body,
            used_as=used_as,
            adopted_on=day,
            year=day.year,
            recorded_by=user,
        )
        root = Opinion.objects.get(pk=o.root_id)
        _credit(root, A.OPINION_ADOPT_BY_LEVEL[level], root, day)
        _done(
            user,
            o,
            "adopt",
            f"{LEVEL_LABELS[level]}采用：{body}（{a.get_used_as_display()}）",
            None,
            extra={"adoption": a.pk},
        )
        # The level it is recorded at (what it counts as, and its points), beside the adopting body.
        _tell_authors(o, f"您的社情民意信息《{o.display_title}》被{body}采用（{LEVEL_LABELS[level]}采用）")
    return a


def adoption_revoke(*, user, adoption, reason="") -> Adoption:
    """撤销 a wrongly recorded adoption; its points go unless another live record of that level remains."""
    with transaction.atomic():
        try:
            a = Adoption.objects.select_for_update(of=("self",)).get(pk=getattr(adoption, "pk", adoption))
        except (Adoption.DoesNotExist, ValueError, TypeError):
            raise NotFound("未找到该采用记录。")
        o = _load(user, a.opinion_id)
        _office(user, o, "撤销采用记录")
        if a.revoked_at is not None:
            raise Conflict("该采用记录已撤销。", code="revoked")
        reason = plain_text(reason, "撤销理由")
        if not reason:
            raise Invalid("请填写撤销理由。", field="reason")
        a.revoked_at, a.revoked_by, a.revoke_reason = timezone.now(), user, reason[:200]
        a.save()
        if not Adoption.objects.filter(root_id=a.root_id, level=a.level, revoked_at__isnull=True).exists():
            root = Opinion.objects.get(pk=a.root_id)
            _credit(root, A.OPINION_ADOPT_BY_LEVEL[a.level], root, revoke=True)
        _done(user, o, "adopt_revoke", f"撤销{a.get_level_display()}采用记录：{a.body}", None, detail=reason)
    return a


def instruction_add(
    *, user, opinion, leader, level, content, instructed_on=None, unit=None, deadline=None
) -> Instruction:
    """登记批示. With a unit, the 批示落实 goes to that unit's inbox through the handling spine."""
    with transaction.atomic():
        o = _load(user, opinion)
        _office(user, o, "登记领导批示")
        _state(o, (S.ACCEPTED,), "登记批示")
        leader = plain_text(leader, "批示领导")[:60]
        if not leader:
            raise Invalid("请填写批示领导（如：县委书记 张三）。", field="leader")
        level = _check_level(o, level)
        content = plain_text(content, "批示内容")
        if not content:
            raise Invalid("请填写批示内容。", field="content")
        day = _past_date(instructed_on or _today(), "批示日期", "instructed_on")
        handling_unit = None
        if unit not in (None, ""):
            handling_unit = resolve_unit(o.organisation.committee, unit, field="unit_id")
            deadline = check_deadline(deadline)
        elif deadline not in (None, ""):
            raise Invalid("填写落实期限时请同时选择落实单位。", field="unit_id")
        i = Instruction.objects.create(
            opinion=o,
            root_id=o.root_id,
            organisation=o.organisation,
            leader=leader,
            level=level,
            content=content,
            instructed_on=day,
            year=day.year,
            unit=handling_unit,
            recorded_by=user,
        )
        if handling_unit is not None:
            case = flow.route(
                user=user,
                kind="opinion_instruction",
                item=i,
                organisation=o.organisation,
                title=f"关于落实{leader}批示：{o.display_title}",
                label=f"批示{i.pk}",
                category=o.category,
                unit=handling_unit,
                deadline=deadline,
                note=content,
            )
            i.deadline = case.deadline
            i.save(update_fields=["deadline"])
        root = Opinion.objects.get(pk=o.root_id)
        _credit(root, A.OPINION_INSTRUCTION, i, day)
        unit_label = f"，交{handling_unit.name}落实（期限 {i.deadline:%Y-%m-%d}）" if handling_unit else ""
        _done(
            user,
            o,
            "instruct",
            f"{leader}批示{unit_label}",
            None,
            detail=content,
            extra={"instruction": i.pk},
        )
        _tell_authors(o, f"您的社情民意信息《{o.display_title}》获{leader}批示", content)
    return i


# --- a proposal turned 社情民意 at review -------------------------------------------------------------


def from_proposal(*, user, proposal) -> Opinion:
    """A proposal converted to 社情民意 at review (转社情民意信息) becomes a submitted item here, with its
    author and co-signers, in the 信息科's queue. Called inside the proposal service's transaction."""
    from zhengxie.proposals.models import Signer

    signers = [
        s.member
        for s in proposal.signers.select_related("member").order_by("order", "id")
        if s.role == Signer.Role.LEAD or s.status == Signer.Status.AGREED
    ]
    if not signers and proposal.lead_member_id:
        signers = [proposal.lead_member]
    limit = int(orgsettings.get(proposal.organisation, "opinions.max_chars"))
    text = (
        "\n".join(x for x in (proposal.reasons, proposal.suggestions) if x).strip()[:limit] or proposal.title
    )
    now = timezone.now()
    o = Opinion.objects.create(
        organisation=proposal.organisation,
        year=timezone.localdate(now).year,
        title=proposal.title[:200],
        content=text,
        source=Opinion.Source.MEMBER if signers else Opinion.Source.STAFF,
        source_body="" if signers else (proposal.collective_body or str(proposal.author))[:100],
        status=S.SUBMITTED,
        created_by=proposal.author,
        created_at=now,
        updated_at=now,
        submitted_at=now,
        source_proposal=proposal,
    )
    Opinion.objects.filter(pk=o.pk).update(root=o)
    o.root_id = o.pk
    OpinionAuthor.objects.bulk_create(
        [OpinionAuthor(opinion=o, member=m, order=n) for n, m in enumerate(signers)]
    )
    _index(o)
    _credit(o, A.OPINION_SUBMIT, o)
    _done(
        user,
        o,
        "from_proposal",
        f"由提案{proposal.number_label if proposal.number else ''}转为社情民意信息",
        None,
        extra={"proposal": proposal.pk},
    )
    notify(
        _office_users(o.organisation),
        f"提案转社情民意信息：《{o.title}》",
        "请在信息工作台处理。",
        url=opinion_url(o),
        category="opinion",
    )
    return o


def opinion_merge_group(*, user, main, others, reason="") -> Opinion:
    """一键合并 of a group of near-duplicates (the 信息工作台's 疑似重复): every item of `others`, each waiting
    (submitted), is merged into `main` as by opinion_review(decision="merge") — its authors join `main` and
    keep their credit, and are told — all in one transaction (one refused, none merged)."""
    main_pk = getattr(main, "pk", main)
    if isinstance(main_pk, bool) or not str(main_pk or "").isdigit():
        raise Invalid("请选择主信息。", field="main")
    main_pk = int(main_pk)
    if not isinstance(others, (list, tuple)) or not others:
        raise Invalid("请选择要合并的信息。", field="others")
    if any(isinstance(v, bool) or not str(v).isdigit() for v in others):
        raise Invalid("信息编号不正确。", field="others")
    other_pks = list(dict.fromkeys(int(v) for v in others))
    found = {
        o.pk: o for o in Opinion.objects.select_related("organisation").filter(pk__in=[main_pk, *other_pks])
    }
    if any(pk not in found or not r.can_view(user, found[pk]) for pk in [main_pk, *other_pks]):
        raise NotFound("未找到该社情民意信息。")
    if main_pk in other_pks:
        raise Invalid("主信息不能合并到自身。", field="others")
    with transaction.atomic():
        target = _load(user, main_pk)
        _office(user, target, "合并信息")
        _state(target, (S.SUBMITTED, S.ACCEPTED), "作为合并的主信息")
        for pk in other_pks:
            opinion_review(user=user, opinion=pk, decision="merge", merge_into=main_pk, reason=reason)
        target.refresh_from_db()
    return target
