"""Reads of the online hall, each a constant number of indexed queries whatever the hall's size:

- a page of threads newest first (keyset on the id through the partial index consult_thread_idx; the
  pinned threads are a second, tiny read on the first page),
- their replies (the reply index on root: the first REPLIES_SHOWN of each thread in one query, a window
  function numbering them per thread),
- one whole thread, the moderation queue (the status index) and the summary's rows and credits.

Counts come from Consultation.comment_count / participant_count and Comment.reply_count, never from a
COUNT over the comments."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import F, Window
from django.db.models.functions import RowNumber

from .models import Comment, Consultation

V = Comment.Status.VISIBLE
P = Comment.Status.PENDING
THREADS_PER_PAGE = 20
REPLIES_SHOWN = 10
THREAD_MAX = 500  # replies of one thread shown at most (its own page)
QUEUE_SIZE = 50
SUMMARY_PAGE = 100
FIELDS = (
    "id",
    "number",
    "consultation_id",
    "parent_id",
    "root_id",
    "author_label",
    "member_id",
    "is_public",
    "content",
    "status",
    "pinned",
    "reply_count",
    "used_in_summary",
    "created_at",
)


@dataclass
class Thread:
    root: Comment
    replies: list[Comment] = field(default_factory=list)

    @property
    def more(self) -> int:
        """Visible replies not shown on the page."""
        return max(0, self.root.reply_count - len(self.replies))


@dataclass
class HallPage:
    pinned: list[Thread]
    threads: list[Thread]
    next_before: int | None  # the keyset of the next page (threads with a smaller id)
    before: int | None


def get_hall(user, pk) -> Consultation:
    """The consultation (with its organisation only: the hall's reads and writes need no more) if the user
    may see it, else 404 — selectors.get_consultation's answer, lighter for a burst of comments."""
    from zhengxie.core.errors import NotFound

    from . import rules

    c = None
    if isinstance(pk, int) or str(pk).isdigit():
        c = Consultation.objects.select_related("organisation").filter(pk=int(pk)).first()
    if c is None or not rules.can_view(user, c):
        raise NotFound("未找到该协商活动。")
    return c


def _pinned_key(consultation_id) -> str:
    return f"consultation:pinned:{consultation_id}"


def pinned_ids(c: Consultation) -> list[int]:
    """The ids of the hall's pinned threads. Finding them reads every thread of the hall (no index has
    `pinned`), so the answer is cached a minute; pinning, hiding and merging forget it (forget_pinned)."""
    key = _pinned_key(c.pk)
    ids = cache.get(key)
    if ids is None:
        ids = list(
            Comment.objects.filter(consultation_id=c.pk, status=V, parent__isnull=True, pinned=True)
            .order_by("-id")
            .values_list("id", flat=True)[:20]
        )
        cache.set(key, ids, 60)
    return ids


def forget_pinned(consultation_id) -> None:
    """Now and again after the transaction commits (meanwhile a concurrent page may cache the old answer)."""
    from django.db import transaction

    cache.delete(_pinned_key(consultation_id))
    transaction.on_commit(lambda: cache.delete(_pinned_key(consultation_id)))


def _cursor(value) -> int | None:
    value = str(value or "").strip()
    return int(value) if value.isdigit() and 0 < int(value) < 2**53 else None


def _with_replies(roots: list[Comment], limit: int | None = REPLIES_SHOWN) -> list[Thread]:
    threads = [Thread(r) for r in roots]
    ids = [r.pk for r in roots if r.reply_count]
    if not ids:
        return threads
    qs = Comment.objects.filter(root_id__in=ids, status=V).exclude(pk__in=ids).only(*FIELDS)
    if limit is not None:
        qs = qs.annotate(n=Window(RowNumber(), partition_by=[F("root_id")], order_by=F("id").asc())).filter(
            n__lte=limit
        )
    by_root = {t.root.pk: t for t in threads}
    qs = qs.order_by("root_id", "id")
    if limit is None:
        qs = qs[: THREAD_MAX * len(ids)]
    for reply in qs:
        by_root[reply.root_id].replies.append(reply)
    return threads


def hall_page(c: Consultation, before=None, size: int = THREADS_PER_PAGE, offset: int = 0) -> HallPage:
    """Threads newest first, `size` a page (keyset: `before` the smallest id of the previous page; the API's
    page numbers give an `offset` instead); pinned threads on top of the first page. Three queries (two
    with no replies on the page)."""
    before = _cursor(before)
    threads_qs = Comment.objects.filter(consultation_id=c.pk, status=V, parent__isnull=True)
    pinned = []
    if before is None and not offset:
        ids = pinned_ids(c)
        if ids:
            pinned = list(threads_qs.filter(pk__in=ids, pinned=True).only(*FIELDS).order_by("-id"))
    rest = threads_qs.filter(pinned=False)
    if before is not None:
        rest = rest.filter(id__lt=before)
    roots = list(rest.only(*FIELDS).order_by("-id")[offset : offset + size + 1])
    next_before = None
    if len(roots) > size:
        roots = roots[:size]
        next_before = roots[-1].pk
    threads = _with_replies(pinned + roots)
    return HallPage(
        pinned=threads[: len(pinned)], threads=threads[len(pinned) :], next_before=next_before, before=before
    )


def thread(c: Consultation, root_id) -> Thread | None:
    """One visible thread with all its visible replies (None if not a visible thread of this hall)."""
    rid = _cursor(root_id)
    if rid is None:
        return None
    root = (
        Comment.objects.filter(pk=rid, consultation_id=c.pk, status=V, parent__isnull=True)
        .only(*FIELDS)
        .first()
    )
    if root is None:
        return None
    return _with_replies([root], limit=None)[0]


def pending_queue(c: Consultation, size: int = QUEUE_SIZE) -> list[Comment]:
    """Citizens' comments waiting for moderation, oldest first."""
    return list(Comment.objects.filter(consultation_id=c.pk, status=P).only(*FIELDS).order_by("id")[:size])


def pending_count(c: Consultation, cap: int = QUEUE_SIZE + 1) -> int:
    """How many wait (counted up to `cap`: the queue shows the first QUEUE_SIZE)."""
    return len(Comment.objects.filter(consultation_id=c.pk, status=P).values_list("id", flat=True)[:cap])


def summary_rows(c: Consultation, after=None, size: int = SUMMARY_PAGE) -> tuple[list[Comment], int | None]:
    """Visible comments oldest first, `size` a page (keyset: `after` the last id of the previous page)."""
    after = _cursor(after)
    qs = Comment.objects.filter(consultation_id=c.pk, status=V)
    if after is not None:
        qs = qs.filter(id__gt=after)
    rows = list(qs.only(*FIELDS).annotate(parent_number=F("parent__number")).order_by("id")[: size + 1])
    if len(rows) > size:
        rows = rows[:size]
        return rows, rows[-1].pk
    return rows, None


def summary_credits(c: Consultation) -> dict:
    """Whose comments the summary used: members' names (first appearance order) and citizens' count."""
    rows = list(
        Comment.objects.filter(consultation_id=c.pk, status=V, used_in_summary=True)
        .order_by("id")
        .values_list("member_id", "author_label", "is_public")
    )
    names, seen = [], set()
    for member_id, label, _public in rows:
        if member_id and member_id not in seen:
            seen.add(member_id)
            names.append(label)
    return {"members": names, "citizens": sum(1 for r in rows if r[2]), "used": len(rows)}
