from urllib.parse import urlencode

from django.db.models import Case as DbCase
from django.db.models import Count, F, Max, Q, QuerySet, Value, When
from django.db.models.functions import StrIndex, Substr
from django.db.models.lookups import Exact, GreaterThan, LessThan
from django.urls import reverse

from .models import AuditEntry, Notification


def audit_entries(user, *, q: str = "", action: str = "", date_from=None, date_to=None) -> QuerySet:
    from .permissions import org_scope_q

    qs = AuditEntry.objects.filter(org_scope_q(user) | Q(organisation__isnull=True)).select_related(
        "organisation"
    )
    if q:
        qs = qs.filter(Q(actor_name__icontains=q) | Q(target_repr__icontains=q) | Q(action__icontains=q))
    if action:
        qs = qs.filter(action__startswith=action)
    if date_from:
        qs = qs.filter(created_at__date__gte=date_from)
    if date_to:
        qs = qs.filter(created_at__date__lte=date_to)
    return qs


# --- 消息中心: unread messages of the same kind read as one digest ------------------------------------------
#
# Modules title their messages "<kind>：<subject>" (新交办微建议：城关镇路灯损坏多日未修), some with a note in
# brackets before the subject (微建议已办结（评价：满意）：…). The kind is the title up to its first "：" or
# "（" (the whole title without either). Unread messages of the same kind make one digest entry "N条<kind>"
# once there are DIGEST_MIN of them; it opens the messages of that kind, each a link to its item.

SEP, NOTE = "：", "（"
DIGEST_MIN = 2


def kind_of(title: str) -> str:
    """The kind of a message: its title up to the first "：" or "（"."""
    cut = [i for i in (title.find(SEP), title.find(NOTE)) if i >= 0]
    return title[: min(cut)] if cut else title


def kind_q(kind: str) -> Q:
    """Messages of this kind (kind_of(title) == kind)."""
    return Q(title__startswith=kind + SEP) | Q(title__startswith=kind + NOTE) | Q(title=kind)


def _kind_expr():
    """kind_of in SQL."""
    sep, note = StrIndex("title", Value(SEP)), StrIndex("title", Value(NOTE))
    return DbCase(
        When(
            GreaterThan(sep, Value(0)) & (Exact(note, Value(0)) | LessThan(sep, note)),
            then=Substr("title", 1, sep - 1),
        ),
        When(GreaterThan(note, Value(0)), then=Substr("title", 1, note - 1)),
        default=F("title"),
    )


def digest_label(kind: str, n: int) -> str:
    """ "5条新交办微建议"; a kind that reads as a sentence ("您有一项重点工作任务") keeps its words: "…（11条）"."""
    return f"{kind}（{n}条）" if kind.startswith("您") else f"{n}条{kind}"


def digests(user) -> list[dict]:
    """The user's unread messages grouped by kind, the kinds with DIGEST_MIN or more, newest first: each
    {kind, count, label "N条<kind>", latest (time), url (the messages of that kind)}. One query."""
    rows = (
        Notification.objects.filter(user=user, read_at__isnull=True)
        .annotate(kind=_kind_expr())
        .values("kind")
        .annotate(n=Count("id"), latest=Max("created_at"))
        .filter(n__gte=DIGEST_MIN)
        .order_by("-latest")
    )
    base = reverse("core:inbox")
    return [
        {
            "kind": r["kind"],
            "count": r["n"],
            "label": digest_label(r["kind"], r["n"]),
            "latest": r["latest"],
            "url": f"{base}?{urlencode({'kind': r['kind']})}",
        }
        for r in rows
    ]


def inbox(user, unread_only: bool = False, *, kind: str = "", digested=()) -> QuerySet:
    """The user's messages, newest first; `kind`: only that kind's; `digested`: kinds whose unread
    messages are shown as a digest instead (left out here)."""
    qs = Notification.objects.filter(user=user)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    if kind:
        qs = qs.filter(kind_q(kind))
    if digested:
        grouped = Q(pk__in=[])
        for k in digested:
            grouped |= kind_q(k)
        qs = qs.exclude(Q(read_at__isnull=True) & grouped)
    return qs


def the_row(qs):
    """The one row of a read by a unique key (a primary key, a token's hash), or None: the query without
    ORDER BY and without LIMIT. `first()` orders by the model's ordering or the pk, and compiling an ORDER
    BY beside a wide select_related makes Django hash every selected column (Col.identity, through
    inspect) — about a millisecond a read on the API's detail and token lookups (issue 16), for an order
    of one row. And a LIMIT makes PostgreSQL plan a many-table join for a fraction of its rows: the
    proposal's detail read (8 joined tables and the scope's subquery) took 40 ms to plan with `LIMIT 1`
    and 3 ms without, for the same single row (issue 16). The key is unique: at most one row comes back."""
    return next(iter(qs.order_by()), None)
