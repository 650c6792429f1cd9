"""The online hall (网络议政): comments and replies by members and staff during the window, citizens'
comments held for moderation, staff's moderation (pin, hide, approve, merge) and the summary (综述).

Counters: Consultation.comment_count (visible comments whose thread is visible), participant_count
(distinct authors with a visible comment; each citizen's comment counts as its own author) and
Comment.reply_count on a thread's root (its visible replies) move with F() expressions in the action's
transaction. Locks, always in this order so that no two actions wait on each other: the authors' user rows
(an author's first visible comment and the credit cap are decided one action at a time per author), then
comment rows (a reply takes its thread's root: hiding the thread waits for it, or it sees the thread
hidden), then the members' score rows (record_act / revoke_act), and last the consultation's row — the
counters' UPDATE, which also checks the window — just before the audit entry: a burst of comments in one
hall queues on that row only for its last two statements and the commit.

Duty points: the first `consultation.comment_credit_cap` visible comments of a member in one consultation
each earn a `hall_comment` DutyRecord; a hidden comment's record is voided (performance.revoke_act) and
the member's next visible comment, if any, takes its place."""

from __future__ import annotations

import re

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from zhengxie.core import orgsettings, ratelimit
from zhengxie.core.errors import Conflict, Forbidden, Invalid, NotFound
from zhengxie.core.notifications import notify
from zhengxie.performance import acts
from zhengxie.performance.services import record_act, revoke_act

from .. import rules
from ..models import Comment, Consultation
from ..selectors_hall import forget_pinned, get_hall
from .common import lock, must_manage, record

V = Comment.Status.VISIBLE
P = Comment.Status.PENDING
H = Comment.Status.HIDDEN
STAFF_LABEL = "工作人员"
CITIZEN_LABEL = "网友"
REASON_MAX = 200
NAME_MAX = 40
CONSENT_MISSING = "请阅读并勾选同意留言公开说明后再提交。"

# --- the window -----------------------------------------------------------------------------------------

WINDOW_LABELS = {"unset": "未设置", "pending": "未开始", "open": "进行中", "closed": "已结束"}


def window_state(c: Consultation, now=None) -> str:
    """unset | pending (未开始) | open (进行中) | closed (已结束)."""
    if not (c.opens_at and c.closes_at):
        return "unset"
    now = now or timezone.now()
    if now < c.opens_at:
        return "pending"
    return "open" if now < c.closes_at else "closed"


def _window_conflict(c: Consultation) -> Conflict:
    state = window_state(c)
    if state == "pending":
        msg = f"网络议政尚未开始（{timezone.localtime(c.opens_at):%Y-%m-%d %H:%M} 开始），暂不能留言。"
    elif state == "closed":
        msg = "网络议政已结束，不能再留言。"
    else:
        msg = "该协商活动未开放网络议政，不能留言。"
    return Conflict(msg, code="hall_closed")


# --- checks ---------------------------------------------------------------------------------------------


# An HTML tag or comment: "<", a tag name of ASCII letters, then ">" or attributes ("<停车>", "a<b且c>d"
# and a lone "<" are text).
MARKUP = re.compile(r"<\s*/?\s*[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?\s*>|<!--")


def clean_content(organisation, content) -> str:
    """The comment's text, stripped; not empty and at most `consultation.comment_max_chars` characters.
    Markup (`<script>`, `<a href=…>`) is refused with a Chinese message, as issue 11 asks; a lone "<" or
    "a<b" is ordinary text, stored as typed and escaped by the templates and the API."""
    if content is None:
        content = ""
    if not isinstance(content, str):
        raise Invalid("留言内容格式不正确。", field="content")
    content = content.strip()
    if not content:
        raise Invalid("请填写留言内容。", field="content")
    limit = int(orgsettings.get(organisation, "consultation.comment_max_chars"))
    if len(content) > limit:
        raise Invalid(f"留言不能超过{limit}字（现为{len(content)}字）。", field="content")
    if MARKUP.search(content):
        raise Invalid("留言不能包含网页代码（如 <script>、<a> 标签），请直接输入文字。", field="content")
    return content


def _reason(reason) -> str:
    reason = (reason or "").strip() if isinstance(reason, str | type(None)) else ""
    if not reason:
        raise Invalid("请填写隐藏原因。", field="reason")
    if len(reason) > REASON_MAX:
        raise Invalid(f"隐藏原因不能超过{REASON_MAX}字。", field="reason")
    return reason


def _as_id(value, field: str):
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise Invalid("编号格式不正确。", field=field)
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Invalid("编号格式不正确。", field=field)


def _parent(c: Consultation, parent_id):
    """The comment replied to and its thread's root: both visible comments of this hall."""
    pid = _as_id(parent_id, "parent_id")
    if pid is None:
        return None, None
    parent = Comment.objects.filter(pk=pid, consultation_id=c.pk).first()
    if parent is None or parent.status == P:
        raise Invalid("要回复的留言不存在。", field="parent_id")
    if parent.status == H:
        raise Conflict("该留言已被隐藏，不能回复。", code="comment_hidden")
    root = parent
    if parent.root_id and parent.root_id != parent.pk:
        root = Comment.objects.get(pk=parent.root_id)
        if root.status != V:
            raise Conflict("该主题已被隐藏，不能回复。", code="comment_hidden")
    return parent, root


def _lock_authors(user_ids) -> None:
    """Row locks on the authors' accounts, in id order (PostgreSQL; SQLite has one writer anyway)."""
    from zhengxie.core.models import User

    ids = sorted({i for i in user_ids if i})
    if ids:
        list(User.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))


def _cap(c: Consultation) -> int:
    return max(0, int(orgsettings.get(c.organisation, "consultation.comment_credit_cap")))


def _credit(c: Consultation, member, author_id) -> None:
    """Credit the member's first N visible comments in this hall (record_act is idempotent)."""
    if member is None or author_id is None:
        return
    cap = _cap(c)
    if not cap:
        return
    first = Comment.objects.filter(consultation_id=c.pk, author_id=author_id, status=V).order_by("id")[:cap]
    for comment in first:
        record_act(member=member, act=acts.HALL_COMMENT, source=comment, occurred_on=comment.created_at)


def _hall_url(c: Consultation) -> str:
    return reverse("consultation:hall", args=[c.pk])


# --- members and staff ----------------------------------------------------------------------------------


def _taken_number(c: Consultation) -> int:
    """The number this transaction just took (it holds the hall's row since its update)."""
    return Consultation.objects.filter(pk=c.pk).values_list("comment_seq", flat=True).get()


def number_comments(consultation_ids) -> None:
    """Number the comments written in bulk (demo, benches) that have none, in order of posting, after the
    hall's last number; the halls' counters follow."""
    for cid in consultation_ids:
        last = Consultation.objects.filter(pk=cid).values_list("comment_seq", flat=True).get()
        rows = list(
            Comment.objects.filter(consultation_id=cid, number__isnull=True)
            .order_by("created_at", "id")
            .only("id")
        )
        for n, cm in enumerate(rows, last + 1):
            cm.number = n
        Comment.objects.bulk_update(rows, ["number"], batch_size=1000)
        Consultation.objects.filter(pk=cid).update(comment_seq=last + len(rows))


def post_comment(*, user, consultation, content, parent_id=None) -> Comment:
    """A member's (or staff's) comment, or a reply when `parent_id` is given. 409 outside the window."""
    c = get_hall(user, getattr(consultation, "pk", consultation))
    if not rules.can_comment(user, c):
        raise Forbidden("只有本级政协委员和工作人员可以参与网络议政。")
    content = clean_content(c.organisation, content)
    member = rules.committee_member(user, c.organisation)
    now = timezone.now()
    if not c.hall_open(now):
        raise _window_conflict(c)
    with transaction.atomic():
        _lock_authors([user.pk])
        parent, root = _parent(c, parent_id)
        if root is not None and not Comment.objects.filter(pk=root.pk, status=V).update(
            reply_count=F("reply_count") + 1
        ):
            raise Conflict("该主题已被隐藏，不能回复。", code="comment_hidden")
        earlier = Comment.objects.filter(consultation_id=c.pk, author_id=user.pk, status=V).count()
        comment = Comment(
            consultation_id=c.pk,
            parent=parent,
            author=user,
            member=member,
            author_label=(member.name if member is not None else STAFF_LABEL)[:NAME_MAX],
            content=content,
            created_at=now,
        )
        comment.save()
        comment.root_id = root.pk if root is not None else comment.pk
        if member is not None and earlier < _cap(c):
            record_act(member=member, act=acts.HALL_COMMENT, source=comment, occurred_on=now)
        # The hall's row last, the window checked in the same statement (a comment that raced the close
        # is refused and rolled back).
        taken = Consultation.objects.filter(pk=c.pk, opens_at__lte=now, closes_at__gt=now).update(
            comment_count=F("comment_count") + 1,
            participant_count=F("participant_count") + (1 if earlier == 0 else 0),
            comment_seq=F("comment_seq") + 1,
        )
        if not taken:
            raise _window_conflict(c)
        comment.number = _taken_number(c)
        Comment.objects.filter(pk=comment.pk).update(root_id=comment.root_id, number=comment.number)
        record(user, "hall_comment", comment, c.organisation, consultation=c.pk, parent=comment.parent_id)
    return comment


# --- the public -----------------------------------------------------------------------------------------


def public_consultation(organisation, pk) -> Consultation:
    """A consultation of this organisation open to the public (404 otherwise)."""
    c = None
    if str(pk).isdigit():
        c = (
            Consultation.objects.select_related("organisation")
            .filter(pk=int(pk), organisation_id=organisation.pk, public=True)
            .first()
        )
    if c is None:
        raise NotFound("未找到该网络议政。")
    return c


def public_throttle(ip, c: Consultation) -> None:
    limit = int(orgsettings.get(c.organisation, "consultation.public_rate_per_hour"))
    if ratelimit.hit(ip, "consultation.public_comment") > limit:
        raise ratelimit.RateLimited(
            f"提交过于频繁：每小时最多提交{limit}条留言，请稍后再试。", code="rate_limited"
        )


def submit_public(*, consultation, content, name="", consent=False, ip=None, honeypot="") -> Comment | None:
    """A citizen's comment on a public hall: counted against the address's hourly limit, held as pending
    until staff approve it. A filled honeypot stores nothing (None: the caller pretends success)."""
    c = consultation
    if not c.public:
        raise NotFound("未找到该网络议政。")
    if not c.hall_open():
        raise _window_conflict(c)
    public_throttle(ip, c)
    if honeypot:
        return None
    content = clean_content(c.organisation, content)
    name = (name or "").strip() if isinstance(name, str | type(None)) else ""
    if len(name) > NAME_MAX:
        raise Invalid(f"署名不能超过{NAME_MAX}字。", field="name")
    if consent is not True:
        raise Invalid(CONSENT_MISSING, field="consent")
    with transaction.atomic():
        comment = Comment.objects.create(
            consultation_id=c.pk,
            author_label=name or CITIZEN_LABEL,
            is_public=True,
            content=content,
            status=P,
        )
        Consultation.objects.filter(pk=c.pk).update(comment_seq=F("comment_seq") + 1)
        comment.root_id, comment.number = comment.pk, _taken_number(c)
        Comment.objects.filter(pk=comment.pk).update(root_id=comment.pk, number=comment.number)
        record(None, "hall_public_comment", comment, c.organisation, consultation=c.pk)
    return comment


# --- moderation -----------------------------------------------------------------------------------------


def _load(user, comment, what: str, authors: bool = False) -> tuple[Consultation, Comment]:
    """The hall and the comment (locked; with `authors`, first the accounts of its thread's authors), if the
    user may see it (404) and manage the hall (403)."""
    pk = _as_id(getattr(comment, "pk", comment), "comment_id")
    found = Comment.objects.filter(pk=pk).only("id", "consultation_id").first() if pk else None
    if found is None:
        raise NotFound("未找到该留言。")
    c = get_hall(user, found.consultation_id)
    must_manage(user, c, what)
    if authors:
        first = Comment.objects.filter(pk=pk).values_list("author_id", "parent_id").get()
        ids = [first[0]]
        if first[1] is None:
            ids += list(Comment.objects.filter(root_id=pk).values_list("author_id", flat=True).distinct())
        _lock_authors(ids)
    return c, Comment.objects.select_for_update().get(pk=pk)


def set_pinned(*, user, comment, pinned: bool = True) -> Comment:
    with transaction.atomic():
        c, cm = _load(user, comment, "置顶留言")
        if cm.parent_id is not None:
            raise Conflict("只能置顶主题留言，不能置顶回复。", code="not_thread")
        if cm.status != V:
            raise Conflict("该留言未显示，不能置顶。", code="comment_hidden")
        cm.pinned = bool(pinned)
        cm.save(update_fields=["pinned"])
        forget_pinned(c.pk)
        record(user, "hall_pin" if pinned else "hall_unpin", cm, c.organisation, consultation=c.pk)
    return cm


def _visible_gone(c: Consultation, gone: list[Comment], root_fix: dict[int, int]) -> None:
    """Counters after visible comments left the lists: the hall's counts, the roots' reply counts, the
    participants who no longer have a visible comment, and the members' duty credits."""
    if not gone:
        return
    for root_id, n in root_fix.items():
        Comment.objects.filter(pk=root_id).update(reply_count=F("reply_count") - n)
    authors = {cm.author_id for cm in gone if cm.author_id}
    left = len([cm for cm in gone if not cm.author_id])  # citizens: one participant each
    still = set(
        Comment.objects.filter(consultation_id=c.pk, author_id__in=authors, status=V)
        .values_list("author_id", flat=True)
        .distinct()
    )
    left += len(authors - still)
    members = {cm.member_id: cm.member for cm in gone if cm.member_id}
    for cm in gone:
        if cm.member_id:
            revoke_act(member=cm.member, act=acts.HALL_COMMENT, source=cm)
    by_member = {cm.member_id: cm.author_id for cm in gone if cm.member_id}
    for member_id, member in members.items():
        _credit(c, member, by_member[member_id])
    Consultation.objects.filter(pk=c.pk).update(
        comment_count=F("comment_count") - len(gone), participant_count=F("participant_count") - left
    )


def _hide(user, c: Consultation, cm: Comment, reason: str) -> list[Comment]:
    """Hide the comment (and, for a thread's root, its replies); return the visible ones that went."""
    now = timezone.now()
    targets = [cm]
    if cm.parent_id is None:
        targets += list(
            Comment.objects.select_for_update(of=("self",))
            .filter(root_id=cm.pk, status__in=(V, P))
            .exclude(pk=cm.pk)
            .select_related("member")
        )
    gone = [t for t in targets if t.status == V]
    root_fix: dict[int, int] = {}
    if cm.parent_id is not None and cm.status == V and cm.root_id:
        root_fix[cm.root_id] = 1
    ids = [t.pk for t in targets]
    Comment.objects.filter(pk=cm.pk).update(status=H, hidden_reason=reason, hidden_by=user, hidden_at=now)
    if len(ids) > 1:
        Comment.objects.filter(pk__in=ids[1:]).update(
            status=H, hidden_reason="所属主题已隐藏", hidden_by=user, hidden_at=now, pinned=False
        )
        Comment.objects.filter(pk=cm.pk).update(reply_count=0, pinned=False)
    elif cm.parent_id is None:
        Comment.objects.filter(pk=cm.pk).update(pinned=False)
    _visible_gone(c, gone, root_fix)
    if cm.parent_id is None:
        forget_pinned(c.pk)
    return gone


def hide(*, user, comment, reason) -> Comment:
    """Hide a comment with a reason: it leaves every list and count (a thread's root takes its replies
    with it); the audit log keeps it. A pending citizen's comment is refused the same way."""
    reason = _reason(reason)
    with transaction.atomic():
        c, cm = _load(user, comment, "隐藏留言", authors=True)
        if cm.status == H:
            raise Conflict("该留言已隐藏。", code="comment_hidden")
        was = cm.status
        gone = _hide(user, c, cm, reason)
        cm.refresh_from_db()
        record(
            user,
            "hall_hide",
            cm,
            c.organisation,
            consultation=c.pk,
            reason=reason,
            was=was,
            hidden=[g.pk for g in gone],
        )
        if cm.author_id and cm.author_id != user.pk and was == V:
            notify(
                [cm.author],
                "您在网络议政中的留言已被隐藏",
                f"「{c.title}」：{reason}",
                url=_hall_url(c),
                category="consultation",
            )
    return cm


def approve(*, user, comment) -> Comment:
    """Show a pending citizen's comment: it enters the lists and the counts."""
    with transaction.atomic():
        c, cm = _load(user, comment, "审核群众留言")
        if cm.status != P:
            raise Conflict(f"该留言当前为「{cm.get_status_display()}」，不需要审核。", code="not_pending")
        if cm.parent_id is not None and not Comment.objects.filter(pk=cm.root_id, status=V).update(
            reply_count=F("reply_count") + 1
        ):
            raise Conflict("该留言所属主题已被隐藏，不能显示。", code="comment_hidden")
        cm.status = V
        cm.save(update_fields=["status"])
        Consultation.objects.filter(pk=c.pk).update(
            comment_count=F("comment_count") + 1, participant_count=F("participant_count") + 1
        )
        record(user, "hall_approve", cm, c.organisation, consultation=c.pk)
    return cm


def merge(*, user, comment, into=None, into_number=None) -> Comment:
    """Merge a comment into another of the same hall (repeats): `merged_into` is set and the comment is
    hidden with the reason 已合并到第N条 (N: the other comment's number). The other comment is given by
    its id (`into`, the API) or by its number in the hall (`into_number`, the page's 第几条)."""
    field = "into_number" if into_number is not None else "into_id"
    key = _as_id(into_number if into_number is not None else getattr(into, "pk", into), field)
    if key is None:
        raise Invalid("请选择要合并到的留言。", field=field)
    with transaction.atomic():
        c, cm = _load(user, comment, "合并留言", authors=True)
        by = {"number": key} if field == "into_number" else {"pk": key}
        target = Comment.objects.filter(consultation_id=c.pk, **by).first()
        if target is None:
            raise Invalid("要合并到的留言不存在。", field=field)
        if target.pk == cm.pk or (cm.parent_id is None and target.root_id == cm.pk):
            raise Invalid("不能合并到自身或自身的回复。", field=field)
        if target.status != V:
            raise Conflict("要合并到的留言未显示。", code="comment_hidden")
        if cm.status == H:
            raise Conflict("该留言已隐藏。", code="comment_hidden")
        reason = f"已合并到第{target.number or target.pk}条"
        Comment.objects.filter(pk=cm.pk).update(merged_into=target)
        gone = _hide(user, c, cm, reason)
        cm.refresh_from_db()
        record(
            user,
            "hall_merge",
            cm,
            c.organisation,
            consultation=c.pk,
            into=target.pk,
            hidden=[g.pk for g in gone],
        )
    return cm


# --- the summary ----------------------------------------------------------------------------------------


def save_summary(*, user, consultation, summary, used_ids=(), shown_ids=()) -> Consultation:
    """Staff's summary of the discussion after the window; of the comments shown on the form (`shown_ids`),
    those ticked (`used_ids`) are marked used in the summary and the others unmarked."""
    summary = (summary or "").strip() if isinstance(summary, str | type(None)) else ""
    if len(summary) > 20000:
        raise Invalid("综述不能超过20000字。", field="hall_summary")
    shown = {i for i in (_as_id(x, "shown") for x in shown_ids) if i is not None}
    used = {i for i in (_as_id(x, "used") for x in used_ids) if i is not None} & shown
    c = get_hall(user, getattr(consultation, "pk", consultation))
    must_manage(user, c, "撰写议政综述")
    with transaction.atomic():
        if window_state(c) != "closed":
            raise Conflict("网络议政结束后才能撰写综述。", code="hall_not_closed")
        base = Comment.objects.filter(consultation_id=c.pk, status=V)
        if used:
            base.filter(pk__in=used).update(used_in_summary=True)
        if shown - used:
            base.filter(pk__in=shown - used).update(used_in_summary=False)
        c = lock(user, c)
        c.hall_summary = summary
        c.updated_at = timezone.now()
        c.save(update_fields=["hall_summary", "updated_at"])
        record(user, "hall_summary", c, c.organisation, used=sorted(used), unmarked=sorted(shown - used))
    return c
