"""Reads of proposals, scoped to what the user may see. Invisible proposals are 404, never 403.

- members: proposals they sign (any state), but drafts only their own; and every proposal of their own
  committee once it is accepted (立案 proposals are public to the committee's members, so a member can
  read the case a similar-proposal hint points to);
- staff, leaders, system administrators: their organisation's subtree, except other people's drafts;
- handling-unit users: proposals with an active assignment to their unit;
- anybody else (another county, the auditor ...): nothing.
"""

from __future__ import annotations

import datetime
import functools

from django.db import connection
from django.db.models import Case, F, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.db.models.query import ModelIterable
from django.http import Http404
from django.utils import timezone

from zhengxie.core import listing, orgsettings
from zhengxie.core.errors import ServiceError
from zhengxie.core.keyedread import KeyedRead, attach
from zhengxie.core.models import Role, User
from zhengxie.core.permissions import org_scope_in, org_scope_q, visible_organisations
from zhengxie.core.selectors import the_row
from zhengxie.handling import kinds
from zhengxie.handling import selectors as spine
from zhengxie.handling.models import ROLE_ORDER, Contact, Event, Extension, FollowUp, FollowUpReport
from zhengxie.handling.selectors import UnitAnswer, ratable  # noqa: F401  (re-exported for this app)
from zhengxie.handling.services import signoff, supervision
from zhengxie.members.models import Member
from zhengxie.search.services import match_sql, similar

from .. import rules as r
from .. import workflow as wf
from ..lights import review_late_before
from ..models import Assignment, Evaluation, Proposal, Reply, Signer
from ..workflow import ACCEPTED_OR_LATER, HANDLING_STATES, rating_states  # noqa: F401  (one set of states)

S = Proposal.Status
ACTION_CODES = (
    "edit",
    "submit",
    "cosign",
    "drop_decliners",
    "review",
    "assign",
    "acknowledge",
    "request_change",
    "decide_change",
    "record_contact",
    "co_opinion",
    "reply",
    "sign",
    "evaluate",
    "extend",
    "mark_key",
    "mark_excellent",
    "remind",
    "close",
    "decide_join",
    "withdraw",
    "delete",
)


def visible_proposals(user) -> QuerySet[Proposal]:
    """Every condition below is AND-ed with the user's subtree, written as `organisation_id IN (the subtree's
    ids)` (core.permissions.org_scope_in), so the planner can read the organisation index (a county) or the
    lists' order index (a city, the province) instead of joining every proposal to its organisation."""
    if not getattr(user, "is_authenticated", False) or user.organisation_id is None:
        return Proposal.objects.none()
    scope = org_scope_in(user)
    q = Q(pk__in=[])
    if user.has_role(Role.STAFF, Role.LEADER, Role.SYSADMIN):
        q |= ~Q(status=S.DRAFT)  # (within the subtree, as everything here)
    member = r.member_of(user)
    if member is not None:
        signed = Signer.objects.filter(member_id=member.pk).exclude(status=Signer.Status.DROPPED)
        q |= Q(pk__in=signed.values("proposal_id")) & (~Q(status=S.DRAFT) | Q(author_id=user.pk))
        q |= Q(organisation_id=member.organisation_id, status__in=ACCEPTED_OR_LATER)
    if r.is_unit_user(user):
        assigned = Assignment.objects.filter(unit_id=user.handling_unit_id, is_active=True)
        q |= Q(case_id__in=assigned.values("case_id"))
    q |= Q(author_id=user.pk)
    return Proposal.objects.filter(q & scope)


# A member's encrypted fields (身份证号, 通讯地址): no proposal page or API shows them, and each read one
# costs a decryption (core.fields) — about a tenth of a list request's CPU (issue 16). Deferred where a
# proposal's read brings members along.
MEMBER_SECRETS = ("id_number", "address")


def _no_secrets(*paths: str) -> list[str]:
    return [f"{path}__{name}" for path in paths for name in MEMBER_SECRETS]


# The proposal a merged one went into is named (its number and title), never shown: its long texts stay
# in the database.
MERGED_INTO_UNREAD = ("reasons", "suggestions", "research_note", "review_note")


def _detail_qs(qs):
    return qs.select_related(
        "session", "organisation", "author", "lead_member", "key_leader", "merged_into", "case"
    ).defer(*_no_secrets("lead_member"), *(f"merged_into__{f}" for f in MERGED_INTO_UNREAD))


def get_proposal(user, pk, *, full: bool = False, followups: bool = False) -> Proposal:
    """The proposal if the user may see it, else 404. With `full`, read once with everything the detail page
    or the API's full representation shows (detail_prefetch, _read_detail_rows) and, with `followups`, its
    follow-ups (跟踪落实) with their reports, instead of a second read of the same row after the visibility
    check."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("未找到")
    qs = visible_proposals(user).filter(pk=pk)
    qs = detail_prefetch(qs) if full else _detail_qs(qs)
    p = the_row(qs)
    if p is None:
        raise Http404("未找到")
    if full:
        _read_detail_rows(p, followups=followups)
        _in_detail_order(p)
    if full and p.lead_member_id:
        # The first proposer is among the signers just read: no join and no query of its own.
        lead = next((s.member for s in p.signers.all() if s.member_id == p.lead_member_id), None)
        if lead is not None:
            p.lead_member = lead
    return p


def _rows_by(model, key: str, build):
    """Every row of `model` whose `key` is a given id (KeyedRead(many): compiled once per process)."""
    return KeyedRead(
        lambda id: build(model.objects.filter(**{key: id})), many=True, id=(model._meta.label, key)
    )


# The detail's rows of the proposal and its case, each read by its key with SQL compiled once per process
# (core.keyedread) and put where prefetch_related would put them: as seven prefetches they cost three times
# as much, most of it building and compiling the queries — half of the API detail's CPU (issue 16). No
# ORDER BY: _in_detail_order sorts them. The signers' members without their users: no detail shows a
# signer's account (the services that notify signers read them again with their users).
DETAIL_ROWS = {
    "signers": _rows_by(
        Signer, "proposal", lambda q: q.select_related("member").defer(*_no_secrets("member"))
    ),
    "assignments": _rows_by(Assignment, "case", lambda q: q.select_related("unit")),
    "replies": _rows_by(Reply, "case", lambda q: q.select_related("letter", "signed_by")),
    "evaluations": _rows_by(
        Evaluation, "case", lambda q: q.select_related("member").defer(*_no_secrets("member"))
    ),
    # The events with their actor in one query.
    "events": _rows_by(Event, "case", lambda q: q.select_related("actor")),
    "extensions": _rows_by(Extension, "case", lambda q: q),
}
CASE_CONTACTS = KeyedRead(
    lambda id: Contact.objects.filter(assignment__case_id=id), many=True, id=("handling.Assignment", "case")
)
CASE_FOLLOWUPS = _rows_by(FollowUp, "case", lambda q: q.select_related("assignment__unit", "confirmed_by"))
FOLLOWUP_REPORTS = KeyedRead(
    lambda ids: FollowUpReport.objects.filter(followup_id__in=ids).select_related(
        "attachment", "reported_by"
    ),
    many=True,
    ids=("handling.FollowUpReport", "followup"),
)


def _read_detail_rows(p, *, followups: bool = False) -> None:
    # The 领衔督办 leader and the proposal a merged one went into: a query only when set (most have neither).
    if p.key_leader_id:
        p.key_leader = the_row(User.objects.filter(pk=p.key_leader_id))
    if p.merged_into_id:
        p.merged_into = the_row(Proposal.objects.filter(pk=p.merged_into_id).defer(*MERGED_INTO_UNREAD))
    attach(p, "signers", DETAIL_ROWS["signers"](id=p.pk))
    case = p.case if p.case_id else None
    if case is None:
        return
    for name in ("assignments", "replies", "evaluations", "events", "extensions"):
        attach(case, name, DETAIL_ROWS[name](id=case.pk))
    assignments = case._prefetched_objects_cache["assignments"]
    contacts = _grouped(CASE_CONTACTS(id=case.pk) if assignments else [], "assignment_id")
    for a in assignments:
        attach(a, "contacts", contacts.get(a.pk, []))
    if followups:
        rows = sorted(CASE_FOLLOWUPS(id=case.pk), key=lambda f: (f.opened_at, f.pk))
        attach(case, "followups", rows)
        reports = _grouped(
            sorted(FOLLOWUP_REPORTS(ids=[f.pk for f in rows]), key=lambda x: (x.at, x.pk)), "followup_id"
        )
        for f in rows:
            attach(f, "reports", reports.get(f.pk, []))


def _grouped(rows, key: str) -> dict[int, list]:
    """`rows` by the value of their `key` column (each group in the rows' order)."""
    groups: dict[int, list] = {}
    for row in rows:
        groups.setdefault(getattr(row, key), []).append(row)
    return groups


# The detail's rows are read without ORDER BY and put in their order here (a handful of rows each): the keys
# are the models' Meta.ordering (non-null columns), and the assignments' order of the detail: active first,
# then the lead unit (主办), 分办, 会办 — the page and the API list them alike.
_DETAIL_ORDER = {
    "signers": lambda s: (s.order, s.pk),
    "assignments": lambda a: (not a.is_active, ROLE_ORDER.get(a.role, 9), a.pk),
    "contacts": lambda c: (c.contacted_on, c.pk),
    "replies": lambda rp: (rp.replied_at, rp.pk),
    "evaluations": lambda e: (e.created_at, e.pk),
    "events": lambda ev: (ev.at, ev.pk),
}


def _sort_prefetched(obj, name):
    rows = getattr(obj, "_prefetched_objects_cache", {}).get(name)
    if rows is not None and rows._result_cache is not None:
        rows._result_cache.sort(key=_DETAIL_ORDER[name])


def _in_detail_order(p) -> None:
    _sort_prefetched(p, "signers")
    case = p.case if p.case_id else None
    if case is None:
        return
    for name in ("assignments", "replies", "evaluations", "events"):
        _sort_prefetched(case, name)
    assignments = {a.pk: a for a in case._prefetched_objects_cache.get("assignments", ())}
    for a in assignments.values():
        _sort_prefetched(a, "contacts")
    # A reply's assignment (and its unit) is one of the case's, just read: no join of its own.
    for rp in case._prefetched_objects_cache.get("replies", ()):
        if rp.assignment_id in assignments:
            rp.assignment = assignments[rp.assignment_id]


# The detail's own read joins only what every detail shows; the first proposer comes from the signers, and
# the 领衔督办 leader and the proposal a merged one went into are read after it (a query only when set: most
# proposals have neither). Each table joined more made PostgreSQL's planning of this one-row read about
# twice as long: 7 joined tables cost ~3 ms to plan, 4 under 1 ms (issue 16).
DETAIL_JOINS = ("session", "organisation", "author", "case")


def detail_prefetch(qs):
    """The detail's read of the proposal and its joins; get_proposal then reads its rows (_read_detail_rows)."""
    return qs.select_related(*DETAIL_JOINS)


class PagedQuerySet(QuerySet):
    """A list whose pages are read in two steps: first the ids of the page, sorted and filtered on the
    narrow index "proposal_list_idx" without reading the rows and their long texts, then those rows
    with their related objects. Sorting whole rows costs ten times more at 100,000 proposals
    (bench/proposals_bench.py). Slicing answers a list, which the paginators take."""

    def __getitem__(self, k):
        if (
            not isinstance(k, slice)
            or self._result_cache is not None
            or self._iterable_class is not ModelIterable
        ):
            return super().__getitem__(k)
        all_ids = getattr(self, "_all_ids", None)
        ids = (
            all_ids[k]
            if all_ids is not None
            else list(self.prefetch_related(None).values_list("pk", flat=True)[k])
        )
        if not ids:
            return []
        if _is_plain_list(self):
            return _list_rows(ids)
        # The rows by primary key alone (the filters were applied to the ids), with the same related data;
        # no ORDER BY (they are put in the ids' order below, and ordering beside the wide select_related
        # made Django hash every selected column: see core.selectors.the_row).
        rows = self.model._default_manager.filter(pk__in=ids).order_by()
        rows.query.select_related = self.query.select_related
        rows.query.deferred_loading = self.query.deferred_loading
        rows._prefetch_related_lookups = self._prefetch_related_lookups
        by_pk = {p.pk: p for p in rows}
        return [by_pk[pk] for pk in ids]


class SearchPagedQuerySet(PagedQuerySet):
    """A list filtered by a text search: count() reads the ids of every match in list order once and the
    page is cut from them, instead of a count and a page query that each evaluate the search again
    (the matches are a few thousand at most in practice; the full list keeps PagedQuerySet's count)."""

    def count(self):
        if self._result_cache is not None or self._iterable_class is not ModelIterable:
            return super().count()
        self._all_ids = list(self.prefetch_related(None).values_list("pk", flat=True))
        return len(self._all_ids)


# A list row's proposal without its long texts and review notes, its signers' and lead unit's names
# without the rest of their rows: a page of 20 proposals read every column of 9 tables (some 220 rows), the
# texts of 20 proposals and the members' encrypted fields among them, for the few a row shows (issue 16).
LIST_UNREAD = ("reasons", "suggestions", "research_note", "reject_reason", "review_note")
LIST_SIGNER = ("proposal_id", "member_id", "role", "status", "order", "member__name")
LIST_ASSIGNMENT = ("case_id", "unit_id", "role", "is_active", "deadline", "light")
LIST_UNIT = ("name", "short_name")


def _all_but(path: str, model, *keep: str) -> list[str]:
    """The columns of `model` (joined as `path`) other than its key and `keep`, to defer."""
    return [
        f"{path}__{f.name}" for f in model._meta.concrete_fields if not f.primary_key and f.name not in keep
    ]


def _list_read(qs):
    return qs.select_related("session", "lead_member", "organisation", "key_leader", "case").defer(
        *LIST_UNREAD, *_all_but("lead_member", Member, "name")
    )


def _active_assignments(qs):
    return (
        qs.filter(is_active=True)
        .select_related("unit")
        .only(*LIST_ASSIGNMENT, *(f"unit__{f}" for f in LIST_UNIT))
    )


def _list_signers(qs):
    return qs.select_related("member").only(*LIST_SIGNER)


def list_prefetch(qs):
    """What a list row shows (lead unit, signers), in a constant number of queries; pages read in two steps."""
    qs = _list_read(qs).prefetch_related(
        Prefetch(
            "case__assignments",
            queryset=_active_assignments(Assignment.objects),
            to_attr="active_assignments",
        ),
        Prefetch("signers", queryset=_list_signers(Signer.objects)),
    )
    qs.__class__ = PagedQuerySet
    return qs


# A page of a list as list_prefetch reads it, in three queries compiled once per process and page length
# (core.keyedread): the rows, their signers and their active assignments put where the prefetches would put
# them. Built and compiled on each request (two of them prefetches) they were two fifths of the API list's
# CPU (issue 16).
LIST_ROWS = KeyedRead(
    lambda ids: _list_read(Proposal.objects.filter(pk__in=ids)), many=True, ids=("proposals.Proposal", "id")
)
LIST_SIGNERS = KeyedRead(
    lambda ids: _list_signers(Signer.objects.filter(proposal_id__in=ids)),
    many=True,
    ids=("proposals.Signer", "proposal"),
)
LIST_ACTIVE_ASSIGNMENTS = KeyedRead(
    lambda ids: _active_assignments(Assignment.objects.filter(case_id__in=ids)),
    many=True,
    ids=("handling.Assignment", "case"),
)


def _is_plain_list(qs) -> bool:
    """Whether `qs` reads its rows as list_prefetch left it (not widened since): then _list_rows reads them."""
    return (
        qs.query.select_related,
        qs.query.deferred_loading,
        tuple(qs._prefetch_related_lookups),
    ) == _plain_list()


@functools.cache
def _plain_list() -> tuple:
    plain = list_prefetch(Proposal.objects.all())
    return plain.query.select_related, plain.query.deferred_loading, tuple(plain._prefetch_related_lookups)


def _list_rows(ids: list[int]) -> list[Proposal]:
    """The proposals of `ids`, in that order, with what list_prefetch gives them."""
    rows = LIST_ROWS(ids=ids)
    signers = _grouped(
        sorted(LIST_SIGNERS(ids=[p.pk for p in rows]), key=_DETAIL_ORDER["signers"]), "proposal_id"
    )
    # The assignments in the order of the prefetch this replaces (Assignment's Meta.ordering).
    case_ids = [p.case_id for p in rows if p.case_id]
    assignments = _grouped(
        sorted(LIST_ACTIVE_ASSIGNMENTS(ids=case_ids), key=lambda a: (a.role, a.pk)), "case_id"
    )
    for p in rows:
        attach(p, "signers", signers.get(p.pk, []))
        if p.case_id:
            p.case.active_assignments = assignments.get(p.case_id, [])
            for a in p.case.active_assignments:
                Assignment.case.field.set_cached_value(a, p.case)
    by_pk = {p.pk: p for p in rows}
    return [by_pk[pk] for pk in ids if pk in by_pk]


def _text_filter(user, q: str) -> Q:
    """The proposals a search box entry finds: a case number (57, 第0057号), or every proposal whose
    title or text holds all its words (Chinese segmentation: 养老服务 finds 养老……服务 and back); only
    when no text holds them, titles holding the entry as it was typed (a fragment such as 老服)."""
    digits = q.lstrip("第").rstrip("号").lstrip("0")
    found = Q(number=int(digits)) if digits.isdigit() else Q(pk__in=[])
    match = match_sql(kind="proposal", query=q, organisation_ids=list(_org_ids(user)))
    if match is not None:
        sql, params = match
        with connection.cursor() as cur:  # one probe: does any text hold the words?
            cur.execute(f"SELECT 1 FROM ({sql}) m LIMIT 1", params)
            if cur.fetchone() is not None:
                return found | Q(pk__in=RawSQL(sql, params))
    # Chinese has no letter case: LIKE without UPPER() on both sides (PostgreSQL's icontains) is twice as fast.
    return found | (Q(title__icontains=q) if q.lower() != q.upper() else Q(title__contains=q))


def _org_ids(user):
    return visible_organisations(user).values_list("pk", flat=True)


# Sortable columns of the proposal lists (core.listing: "?sort=deadline", "-deadline" descending).
_STATUS_ORDER = Case(
    *(When(status=v, then=Value(i)) for i, v in enumerate(S.values)), output_field=IntegerField()
)
LIST_SORTS = {
    "number": "number",
    "title": "title",
    "proposer": Coalesce("lead_member__name", "collective_body"),
    "category": "category",
    "deadline": "deadline",
    "status": _STATUS_ORDER,
    "submitted": "submitted_at",
}
QUEUE_SORTS = {k: LIST_SORTS[k] for k in ("submitted", "title", "proposer", "category")}
# The lists' default order: newest session first, then by number (unnumbered last), newest first.
DEFAULT_ORDER = ("-session_year", "-session_number", F("number").asc(nulls_last=True), "-created_at", "-id")


def _proposer_q(name: str) -> Q:
    """Proposals one of whose proposers' names (lead or co-signer still on it) holds `name`, or whose
    collective body does."""
    signed = Signer.objects.filter(member__name__contains=name).exclude(status=Signer.Status.DROPPED)
    return Q(pk__in=signed.values("proposal_id")) | Q(collective_body__contains=name)


def proposal_list(
    user,
    *,
    session=None,
    status=None,
    category=None,
    unit=None,
    light=None,
    key=None,
    q: str = "",
    proposer: str = "",
    sort: str = "",
    mine: bool = False,
) -> QuerySet[Proposal]:
    """The proposals the user sees, filtered; ordered by session and number unless `sort` names one of
    LIST_SORTS ("-" for descending)."""
    qs = visible_proposals(user)
    if session:
        qs = qs.filter(session_id=getattr(session, "pk", session))
    if status:
        statuses = (
            status if isinstance(status, (list, tuple, set)) else [s for s in str(status).split(",") if s]
        )
        qs = qs.filter(status__in=statuses)
    if category:
        qs = qs.filter(category=category)
    if unit:
        unit_id = getattr(unit, "pk", unit)
        qs = qs.filter(
            case_id__in=Assignment.objects.filter(unit_id=unit_id, is_active=True).values("case_id")
        )
    if light:
        qs = qs.filter(light="" if light in ("none", "null") else light)
    if key is not None and key != "":
        qs = qs.filter(is_key=str(key).lower() in ("1", "true", "yes", "on"))
    if mine:
        mine_q = Q(author_id=user.pk)
        member = r.member_of(user)
        if member is not None:
            mine_q |= Q(pk__in=Signer.objects.filter(member_id=member.pk).values("proposal_id"))
        if r.is_unit_user(user):
            mine_q |= Q(
                case_id__in=Assignment.objects.filter(unit_id=user.handling_unit_id, is_active=True).values(
                    "case_id"
                )
            )
        if r.is_proposal_office(user):
            mine_q |= Q(organisation_id=user.organisation_id)
        qs = qs.filter(mine_q)
    proposer = (proposer or "").strip()
    if proposer:
        qs = qs.filter(_proposer_q(proposer))
    q = (q or "").strip()
    if q:
        qs = qs.filter(_text_filter(user, q))
    qs = list_prefetch(qs)
    sort = listing.sort_key(sort, LIST_SORTS)
    if sort:
        qs = listing.order_by(qs, sort, LIST_SORTS)
    else:
        # The session's year and number copied on the proposal: one index (proposal_order_idx), no join.
        qs = qs.order_by(*DEFAULT_ORDER)
    if q:
        qs.__class__ = SearchPagedQuerySet
    return qs


def review_queue(user, *, proposer: str = "", sort: str = "", overdue: bool = False) -> QuerySet[Proposal]:
    """Submitted proposals waiting for 立案审查 by this proposal office, the oldest first unless `sort` names
    one of QUEUE_SORTS; `proposer` filters by a proposer's name, `overdue` keeps those past the review time."""
    if not r.is_proposal_office(user):
        return Proposal.objects.none()
    qs = visible_proposals(user).filter(organisation_id=user.organisation_id, status=S.SUBMITTED)
    proposer = (proposer or "").strip()
    if proposer:
        qs = qs.filter(_proposer_q(proposer))
    if overdue:
        qs = qs.filter(submitted_at__lt=review_late_before(user.organisation))
    return listing.order_by(list_prefetch(qs), listing.sort_key(sort, QUEUE_SORTS, "submitted"), QUEUE_SORTS)


def next_in_queue(user, order: list[int], current: int, **queue) -> tuple[int | None, int]:
    """After a decision on `current`: the proposal that came after it in the queue's order (`order`, the
    ids as the queue listed them before), wrapping round to the start, among those still waiting in the
    same queue (`queue`: review_queue's filters); with how many still wait. (None, 0) when none does."""
    qs = review_queue(user, **queue).prefetch_related(None)
    waiting = [pk for pk in qs.values_list("pk", flat=True) if pk != current]
    if not waiting:
        return None, 0
    later = set(order[order.index(current) + 1 :]) if current in order else set()
    return next((pk for pk in waiting if pk in later), waiting[0]), len(waiting)


def owing_assignments(unit_id) -> QuerySet[Assignment]:
    """A unit's parts in proposals it still owes (the spine's Assignment.owes: in handling, and no standing
    reply — a 分办 unit whose reply stands owes nothing more while the other units answer theirs); the
    assignment's copy of the case's kind, so no case is joined."""
    return Assignment.objects.filter(unit_id=unit_id, owes=True, kind="proposal")


def unit_inbox(user) -> QuerySet[Proposal]:
    """Proposals the user's unit must act on: assigned, in handling or sent back for re-handling."""
    if not r.is_unit_user(user):
        return Proposal.objects.none()
    ids = owing_assignments(user.handling_unit_id).values("case_id")
    return list_prefetch(
        Proposal.objects.filter(case_id__in=ids, status__in=HANDLING_STATES).filter(org_scope_q(user))
    ).order_by("deadline", "id")


def key_proposals_for_leader(user) -> QuerySet[Proposal]:
    """重点提案 this leader leads (领衔督办); staff see all key proposals of their organisation."""
    qs = visible_proposals(user).filter(is_key=True)
    if not r.is_proposal_office(user):
        qs = qs.filter(key_leader_id=user.pk)
    return list_prefetch(qs).order_by("-session_year", "number")


# --- what the user may do now -------------------------------------------------------------------------


def unit_answers(proposal, *, assignments=None, replies=None, evaluations=None) -> list[UnitAnswer]:
    """Where each replying unit of the proposal stands (handling.selectors.unit_answers on its case)."""
    if not proposal.case_id:
        return []
    return spine.unit_answers(
        proposal.case, assignments=assignments, replies=replies, evaluations=evaluations
    )


def unit_draft(user, proposal):
    """The user's unit's reply draft waiting for its head's 签发, or returned to the handler
    (handling.services.signoff), or None. Read only when the unit's (prefetched) assignment says it has one."""
    if not r.is_unit_user(user) or not proposal.case_id:
        return None
    a = next(
        (
            a
            for a in proposal.assignments.all()
            if a.is_active and a.unit_id == user.handling_unit_id and a.signoff
        ),
        None,
    )
    return signoff.open_draft(a) if a is not None else None


def is_parallel(proposal, assignments=None) -> bool:
    return bool(proposal.case_id) and spine.is_parallel(proposal.case, assignments)


def raters(proposal, signers=None) -> list[Signer]:
    """The signers who rate a reply: every agreed signer (including those carried over by 并案)."""
    signers = (
        signers if signers is not None else Signer.objects.filter(proposal=proposal).select_related("member")
    )
    return [s for s in signers if s.status == Signer.Status.AGREED]


def evaluation_deadline(proposal, reply) -> datetime.date:
    return spine.evaluation_deadline(proposal.case, reply)


def closable(proposal, *, signers=None, answers=None, today=None) -> tuple[bool, str]:
    """Whether the office may close (办结) a replied proposal now, and if not why (Chinese): every unit's
    reply rated positively by every proposer, or none rated 不满意 and the evaluation time is over. The
    reason names who has not rated yet, which unit was rated 不满意, and from which day closing is open."""
    if proposal.status != S.REPLIED:
        return False, "只有已答复的提案可以办结。"
    answers = answers if answers is not None else unit_answers(proposal)
    if not answers or any(a.reply is None for a in answers):
        waiting = "、".join(a.assignment.unit.name for a in answers if a.reply is None)
        return False, f"尚无答复，不能办结{f'（待{waiting}答复）' if waiting else ''}。"
    back = [a.assignment.unit.name for a in answers if a.sent_back]
    if back:
        return False, f"提案人对{'、'.join(back)}的答复不满意，需重新办理后再评价。"
    rating = raters(proposal, signers)
    if spine.all_rated(answers, [s.member_id for s in rating]):
        return True, ""
    today = today or timezone.localdate()
    last = max((a.reply for a in answers), key=lambda x: x.replied_at)
    until = evaluation_deadline(proposal, last)
    if today > until:
        return True, ""
    missing = [s.member.name for s in rating if not all(a.rated_by(s.member_id) for a in answers)]
    who = "、".join(missing) or "—"
    return (
        False,
        f"提案人尚未全部评价（未评价：{who}）；可请其评价，或在评价期限（{until:%Y年%m月%d日}）届满后办结。",
    )


def silent_co_units(proposal, assignments=None) -> list:
    """The active 会办 units that never gave their 会办意见: 办结 then needs a recorded reason."""
    rows = (
        assignments
        if assignments is not None
        else Assignment.objects.filter(case_id=proposal.case_id, is_active=True).select_related("unit")
    )
    return [a.unit for a in rows if a.is_active and a.role == Assignment.Role.CO and not a.co_opinion]


def change_window_open(proposal, assignment, today=None) -> bool:
    return spine.change_window_open(proposal.case, assignment, today)


def extension_limit(p) -> tuple:
    """(the latest deadline an extension may set, the number of days): the spine's rule for the proposal
    kind ("proposals.max_extension_days" after the day of 交办, handling.services.supervision)."""
    return supervision.latest_deadline(kinds.get("proposal"), p.organisation, p.assigned_at)


def extension_open(p) -> bool:
    """延期 is still possible: the deadline is not already at the limit (the service's own check)."""
    try:
        supervision.check_not_at_limit(p.deadline, extension_limit(p))
    except ServiceError:
        return False
    return True


def cosign_open(proposal, signer, now=None) -> bool:
    now = now or timezone.now()
    days = int(orgsettings.get(proposal.organisation, "proposals.cosign_days"))
    return now <= signer.invited_at + datetime.timedelta(days=days)


def allowed_actions(user, proposal) -> set[str]:
    """The action codes the user may take on this proposal now (pages and API clients show only these):
    who may act (rules), in which states (workflow.TRANSITIONS, the services' own guard) and the facts the
    services check (an open invitation, a unit that still owes a reply …)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    f = r.facts(user, proposal)
    office = r.is_proposal_office(user, proposal)
    author = proposal.author_id == user.pk
    s = f.signer
    agreed = s is not None and s.status == Signer.Status.AGREED
    out = set()

    def offer(action, allowed=True):
        if allowed and wf.may(action, proposal):
            out.add(action)

    offer("edit", author)
    offer("submit", author)
    offer("withdraw", author)
    offer("delete", author)
    offer("drop_decliners", author)
    # 申请加入 waiting for the first proposer's answer
    offer("decide_join", author and any(x.status == Signer.Status.REQUESTED for x in f.signers))
    offer(
        "cosign",
        s is not None
        and s.role == Signer.Role.COSIGNER
        and s.status == Signer.Status.INVITED
        and cosign_open(proposal, s),
    )
    for action in ("review", "assign", "remind", "mark_excellent"):
        offer(action, office)
    # 延期: the board's rule too (handling.services.supervision.check_extend) — not once at the limit.
    offer("extend", office and wf.may("extend", proposal) and extension_open(proposal))
    offer(
        "decide_change",
        office and any(a.change_status == Assignment.ChangeStatus.PENDING for a in f.assignments),
    )
    offer("mark_key", office or r.is_committee_leader(user, proposal))
    mine = f.my_assignments if r.is_unit_user(user) else []
    if mine:
        answers = unit_answers(proposal, assignments=f.assignments) if wf.may("acknowledge", proposal) else []
        replied = {x.assignment.pk for x in answers if x.reply is not None}
        offer("acknowledge", any(a.acknowledged_at is None for a in mine))
        offer("record_contact")
        offer(
            "request_change",
            any(
                a.change_status != Assignment.ChangeStatus.PENDING
                and a.pk not in replied
                and change_window_open(proposal, a)
                for a in mine
            ),
        )
        offer("co_opinion", any(a.role == Assignment.Role.CO for a in mine))
        ours = [x for x in answers if x.assignment.unit_id == user.handling_unit_id]
        offer("reply", any(x.awaited and x.assignment.signoff != "pending" for x in ours))
        # 签发: the head of a unit whose handler's reply draft waits (handling.services.signoff).
        offer("sign", r.is_unit_head(user) and any(x.assignment.signoff == "pending" for x in ours))
    if wf.may("evaluate", proposal) and (office or agreed):
        answers = unit_answers(proposal, assignments=f.assignments)
        pending = [x for x in raters(proposal, f.signers) if ratable(answers, x.member_id)]
        offer("evaluate", (agreed and ratable(answers, s.member_id)) or (office and pending))
        if office:
            offer("close", closable(proposal, signers=f.signers, answers=answers)[0])
    return out


def similar_proposals(
    user, *, text: str, exclude_id=None, limit: int = 10, is_title: bool = False
) -> list[dict]:
    """Near-duplicates (并案 candidates) among this and past sessions' proposals of the user's committee;
    `is_title`: the text is a title (the form's title box), see search.services.similar."""
    text = (text or "").strip()
    committee = r.committee_id(user)
    if not text or committee is None:
        return []
    exclude = [exclude_id] if exclude_id else []
    hits = similar(
        kind="proposal",
        text=text,
        organisation_ids=[committee],
        exclude_ids=exclude,
        limit=limit * 3,
        min_score=0.1,
        is_title=is_title,
    )
    scores = {int(pk): float(score) for pk, score in hits}
    if not scores:
        return []
    from .join import joinable_proposals

    # Only what the user may open (the detail endpoint's own visibility) or could ask to join now (申请加入
    # needs the title); nothing else, not even a title: a handler sees only the proposals assigned to it,
    # a member nobody's rejected, merged or unreviewed proposals but those open to joining.
    # Each subquery is limited to the found ids itself: left open, SQLite built the list of every proposal
    # the user sees (all of a county's for the office: 85 ms a call at 100,000 proposals) to test 30 ids.
    ids = list(scores)
    may_see = Q(pk__in=visible_proposals(user).filter(pk__in=ids).values("pk")) | Q(
        pk__in=joinable_proposals(user).filter(pk__in=ids).values("pk")
    )
    rows = (
        Proposal.objects.filter(pk__in=ids, organisation_id=committee)
        # Drafts are their author's alone; a proposal waiting for co-signers is shown (it can be joined).
        .filter(~Q(status=S.DRAFT) | Q(author_id=user.pk))
        .filter(may_see)
        .select_related("session")
        .only("id", "title", "status", "number", "session_id", "session__name")
    )
    out = [
        {
            "id": p.pk,
            "title": p.title,
            "score": round(scores[p.pk], 3),
            "status": p.status,
            "status_label": p.get_status_display(),
            "session": p.session.name,
            "session_id": p.session_id,
            "number": p.number,
        }
        for p in rows
    ]
    out.sort(key=lambda d: -d["score"])
    return out[:limit]
