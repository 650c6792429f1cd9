"""签发: the unit head signs the reply letter off, for every kind.

A 承办单位 replies on its letterhead, signed off by its responsible leader. When the kind's organisation
setting `<prefix>.head_signoff` is on (default off: a handler's reply is sent at once, as always), a
handler's reply is a draft (ReplyDraft: text, class, letter) that waits for the unit head (Role.UNIT_HEAD of
that unit), who signs it (签发: it becomes the Reply, sent exactly as a direct reply is, recording who signed
and when) or returns it with a reason (the handler edits and submits it again). A head's own reply is
signed by them at once. `Assignment.signoff` copies the open draft's status for the inbox and the to-dos.

The caller (the kind's own service, or services.flow) has loaded and locked its item inside a transaction,
checked its states, and writes its states, timeline, audit entry and notifications.
"""

from __future__ import annotations

from django.utils import timezone

from zhengxie.core.errors import Conflict, Forbidden, Invalid

from .. import kinds
from .. import rules as r
from ..lights import REPLYING_ROLES
from ..models import Assignment, Case, ReplyDraft
from . import units

SIGN, RETURN = "sign", "return"
DECISIONS = {SIGN: "签发", RETURN: "退回修改"}


def required(case: Case) -> bool:
    """Whether a handler's reply waits for the unit head (the kind's `<prefix>.head_signoff`)."""
    return bool(kinds.get(case.kind).setting(case.organisation, "head_signoff"))


def drafts_instead(user, case: Case) -> bool:
    """A reply by this user becomes a draft for the head: sign-off is on and the user is not the head."""
    return required(case) and not r.is_unit_head(user)


def check_decision(decision, reason) -> tuple[str, str]:
    """签发 or 退回修改, the latter with a reason the handler can act on. Returns (decision, reason)."""
    if decision not in DECISIONS:
        raise Invalid("请选择签发或退回修改。", field="decision")
    reason = units.bounded(
        reason,
        "退回理由",
        "reason",
        units.REASON_MAX,
        required="退回修改时请写明理由。" if decision == RETURN else "",
    )
    return decision, reason


def check_sign(user, case: Case, assignment: Assignment | None) -> Assignment:
    """The user heads the unit of this (replying) assignment and a draft of it waits for 签发."""
    if assignment is None or not r.is_unit_head(user, assignment.unit_id):
        raise Forbidden("只有承办单位负责人可以签发答复。")
    if assignment.signoff != ReplyDraft.Status.PENDING:
        raise Conflict("本单位没有待签发的答复稿。", code="nothing_to_sign")
    return assignment


def open_draft(assignment: Assignment, *, lock=False) -> ReplyDraft | None:
    qs = ReplyDraft.objects.filter(assignment_id=assignment.pk, status__in=ReplyDraft.OPEN)
    if lock:
        qs = qs.select_for_update(of=("self",))
    return qs.select_related("assignment__unit", "drafted_by", "letter").first()


def _mark(a: Assignment, status: str) -> None:
    a.signoff = status
    Assignment.objects.filter(pk=a.pk).update(signoff=status)


def draft(*, user, case: Case, result_class, content, letter=None) -> ReplyDraft:
    """A handler's reply, waiting for the head: checked as a reply is; a returned draft is edited and
    submitted again (its letter kept unless a new one comes; where the kind takes several files, those
    given are added). The files hang off the draft, so that only the unit sees them until it is signed
    (rules: handling.view_replydraft)."""
    kind = kinds.get(case.kind)
    a, _answers, result_class, content = units.check_reply(user, case, result_class, content)
    uploads = units.check_reply_files(kind, units.as_uploads(letter))
    now = timezone.now()
    units.acknowledge_by_reply(a, user, now)
    d = open_draft(a, lock=True)
    if d is None:
        d = ReplyDraft(case_id=case.pk, assignment=a)
    d.round = case.round
    d.result_class, d.content = result_class, content
    d.status = ReplyDraft.Status.PENDING
    d.drafted_by, d.drafted_at = user, now
    d.save()
    if uploads:
        saved = units.save_reply_files(kind, uploads, target=d, user=user)
        if kind.reply_file_many:
            d.files.add(*saved)
        else:
            d.letter = saved[0]
            d.save(update_fields=["letter"])
    d.assignment = a
    _mark(a, ReplyDraft.Status.PENDING)
    return d


def decide(*, user, case: Case, decision, reason=""):
    """The head signs (签发: the reply is made from the draft) or returns the draft. Returns (the draft,
    the reply or None, the unit answers before it, the answers still owed by other units)."""
    a = check_sign(user, case, units.my_assignment(user, case, *REPLYING_ROLES))
    decision, reason = check_decision(decision, reason)
    d = open_draft(a, lock=True)
    now = timezone.now()
    d.decided_by, d.decided_at = user, now
    if decision == RETURN:
        d.status, d.return_reason = ReplyDraft.Status.RETURNED, reason
        d.save(update_fields=["status", "return_reason", "decided_by", "decided_at"])
        _mark(a, ReplyDraft.Status.RETURNED)
        return d, None, [], []
    rp, answers, still_owed = units.reply(
        user=user, case=case, result_class="", content="", draft=d, letter_target=None
    )
    d.status, d.reply, d.return_reason = ReplyDraft.Status.SIGNED, rp, ""
    d.save(update_fields=["status", "reply", "return_reason", "decided_by", "decided_at"])
    _mark(a, "")
    return d, rp, answers, still_owed


def view(d: ReplyDraft | None, *, many: bool = False) -> dict | None:
    """The open draft as the case page, the proposal page and the API show it to the unit; `many`: the
    kind takes several files (Kind.reply_file_many), listed under `files`."""
    if d is None:
        return None
    att = d.letter
    files = [{"id": f.pk, "name": f.original_name} for f in d.files.all()] if many else []
    return {
        "id": d.pk,
        "status": d.status,
        "status_label": d.get_status_display(),
        "unit": {"id": d.assignment.unit_id, "name": d.assignment.unit.name},
        "result_class": d.result_class,
        "content": d.content,
        "letter": {"id": att.pk, "name": att.original_name} if att else None,
        "files": files,
        "drafted_by": d.drafted_by.name or d.drafted_by.username,
        "drafted_at": d.drafted_at,
        "return_reason": d.return_reason,
    }
