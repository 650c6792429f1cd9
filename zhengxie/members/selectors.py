"""Reads for the administrators' pages, the roster and the API, scoped to what the user may see.

Every function takes the requesting user first; objects out of scope raise Http404 (never 403).
List selectors select/prefetch what their pages show, so the number of queries does not grow with rows.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Length, Substr
from django.http import Http404
from django.utils import timezone

from zhengxie.core.models import HandlingUnit, Organisation, Role, User
from zhengxie.core.permissions import get_scoped_or_404, org_scope_q

from .models import Member, Party, RosterImport, Sector, Session, SpecialCommittee, Term

NOTHING = Q(pk__in=[])


# --- organisations ------------------------------------------------------------------------------


def committee_path(org: Organisation) -> str:
    """The tree path of the committee an organisation belongs to (a liaison group's parent), no query."""
    if org.kind == Organisation.Kind.LIAISON and len(org.path) > Organisation.steplen:
        return org.path[: -Organisation.steplen]
    return org.path


def reference_scope_q(user, field: str = "organisation") -> Q:
    """Reference data (界别, 专委会, 承办单位) of the user's committee and its subtree.

    The same as `org_scope_q` except for a liaison group's user, who sees their committee's lists.
    """
    if not user.is_authenticated or user.organisation_id is None:
        return NOTHING
    return Q(**{f"{field}__path__startswith": committee_path(user.organisation)})


def _with_parent_id(qs: QuerySet) -> QuerySet:
    parent = Organisation.objects.filter(
        path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - Value(Organisation.steplen))
    ).values("pk")[:1]
    return qs.annotate(parent_id=Subquery(parent))


def organisations(user, *, q: str = "", kind: str = "", active: bool | None = None) -> QuerySet:
    """The user's organisation and its subtree, in tree order, each with `parent_id`."""
    qs = Organisation.objects.filter(_org_q(user))
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(short_name__icontains=q))
    if kind:
        qs = qs.filter(kind=kind)
    if active is not None:
        qs = qs.filter(is_active=active)
    return _with_parent_id(qs).order_by("path")


def _org_q(user) -> Q:
    if not user.is_authenticated or user.organisation_id is None:
        return NOTHING
    return Q(path__startswith=user.organisation.path)


def get_organisation(user, pk) -> Organisation:
    try:
        return Organisation.objects.filter(_org_q(user)).get(pk=pk)
    except (Organisation.DoesNotExist, ValueError):
        raise Http404("未找到")


def committee_organisations(user) -> QuerySet:
    """Visible committees (not liaison groups): where terms, sectors, committees and units live."""
    return (
        Organisation.objects.filter(_org_q(user), is_active=True)
        .exclude(kind=Organisation.Kind.LIAISON)
        .order_by("path")
    )


def liaison_groups(user, organisation: Organisation | None = None) -> QuerySet:
    """Liaison groups of one committee, or of the user's committee and its subtree."""
    qs = Organisation.objects.filter(kind=Organisation.Kind.LIAISON)
    if organisation is not None:
        qs = qs.filter(path__startswith=organisation.path)
    else:
        qs = qs.filter(_ref_path_q(user))
    return qs.order_by("path")


def _ref_path_q(user) -> Q:
    if not user.is_authenticated or user.organisation_id is None:
        return NOTHING
    return Q(path__startswith=committee_path(user.organisation))


# --- terms and sessions ---------------------------------------------------------------------------


def terms(user) -> QuerySet:
    return (
        Term.objects.filter(org_scope_q(user))
        .select_related("organisation")
        .prefetch_related(Prefetch("sessions", queryset=Session.objects.order_by("-year", "-number")))
        .order_by("organisation__path", "-number")
    )


def get_term(user, pk) -> Term:
    return get_scoped_or_404(Term.objects.select_related("organisation"), user, pk=pk)


def get_session(user, pk) -> Session:
    return get_scoped_or_404(Session.objects.select_related("organisation", "term"), user, pk=pk)


# --- sectors, committees, parties -----------------------------------------------------------------


def sectors(user, *, q: str = "", organisation=None) -> QuerySet:
    qs = Sector.objects.filter(reference_scope_q(user)).select_related("organisation")
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    if q:
        qs = qs.filter(name__icontains=q)
    return qs.order_by("organisation__path", "order", "id")


def committees(user, *, q: str = "", organisation=None) -> QuerySet:
    qs = SpecialCommittee.objects.filter(reference_scope_q(user)).select_related("organisation")
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    if q:
        qs = qs.filter(name__icontains=q)
    return qs.order_by("organisation__path", "order", "id")


def get_sector(user, pk) -> Sector:
    return get_scoped_or_404(Sector.objects.select_related("organisation"), user, pk=pk)


def get_committee(user, pk) -> SpecialCommittee:
    return get_scoped_or_404(SpecialCommittee.objects.select_related("organisation"), user, pk=pk)


def parties() -> QuerySet:
    return Party.objects.order_by("order", "id")


def get_party(pk) -> Party:
    try:
        return Party.objects.get(pk=pk)
    except (Party.DoesNotExist, ValueError):
        raise Http404("未找到")


# --- handling units -------------------------------------------------------------------------------


def units(user, *, q: str = "", active: bool | None = None, organisation=None) -> QuerySet:
    qs = (
        HandlingUnit.objects.filter(reference_scope_q(user))
        .select_related("organisation")
        .annotate(handler_count=Count("handlers", filter=Q(handlers__is_active=True)))
    )
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(short_name__icontains=q))
    if active is not None:
        qs = qs.filter(is_active=active)
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    return qs.order_by("organisation__path", "order", "id")


def get_unit(user, pk) -> HandlingUnit:
    return get_scoped_or_404(HandlingUnit.objects.select_related("organisation"), user, pk=pk)


def unit_handlers(unit: HandlingUnit) -> QuerySet:
    return User.objects.filter(handling_unit=unit).prefetch_related("groups").order_by("-is_active", "id")


# --- users ----------------------------------------------------------------------------------------


def locked_usernames() -> set[str]:
    """Usernames (or phone numbers typed as usernames) django-axes currently locks out."""
    from axes.helpers import get_cool_off
    from axes.models import AccessAttempt

    qs = AccessAttempt.objects.exclude(username__isnull=True)
    cool_off = get_cool_off()
    if cool_off is not None:
        qs = qs.filter(attempt_time__gte=timezone.now() - cool_off)
    rows = (
        qs.values("username")
        .annotate(total=Sum("failures_since_start"))
        .filter(total__gte=settings.AXES_FAILURE_LIMIT)
        .values_list("username", flat=True)
    )
    return set(rows)


def is_locked(user_obj, locked: set[str] | None = None) -> bool:
    locked = locked_usernames() if locked is None else locked
    return user_obj.username in locked or bool(user_obj.phone and user_obj.phone in locked)


def users(
    user, *, q: str = "", role: str = "", locked_only: bool = False, locked: set[str] | None = None
) -> QuerySet:
    qs = (
        User.objects.filter(org_scope_q(user))
        .select_related("organisation", "handling_unit")
        .prefetch_related("groups")
    )
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(username__icontains=q) | Q(phone__icontains=q))
    if role:
        qs = qs.filter(groups__name=role)
    if locked_only:
        names = locked_usernames() if locked is None else locked
        qs = qs.filter(Q(username__in=names) | Q(phone__in=names))
    return qs.order_by("organisation__path", "id")


def get_user(user, pk) -> User:
    return get_scoped_or_404(
        User.objects.select_related("organisation", "handling_unit").prefetch_related("groups"), user, pk=pk
    )


def locked_user_count(user) -> int:
    names = locked_usernames()
    if not names:
        return 0
    return User.objects.filter(org_scope_q(user)).filter(Q(username__in=names) | Q(phone__in=names)).count()


# --- members --------------------------------------------------------------------------------------


def can_view_roster(user) -> bool:
    return user.is_authenticated and user.has_role(Role.SYSADMIN, Role.STAFF, Role.LEADER, Role.LIAISON)


def can_see_sensitive(user) -> bool:
    """Full phone number and ID number: the system administrator and office staff only."""
    return user.is_authenticated and user.has_role(Role.SYSADMIN, Role.STAFF)


def roster_q(user) -> Q:
    """Members a user may see on the roster pages: staff, leaders and administrators their subtree;
    a liaison group's user the members of their group; nobody else anything."""
    if not user.is_authenticated or user.organisation_id is None:
        return NOTHING
    q = NOTHING
    if user.has_role(Role.SYSADMIN, Role.STAFF, Role.LEADER):
        q |= org_scope_q(user)
    if user.has_role(Role.LIAISON):
        q |= Q(liaison_group__path__startswith=user.organisation.path)
    return q


def directory_q(user) -> Q:
    """Members the JSON directory shows: the roster, plus, for a member, their own committee's members
    (to pick co-signers); non-sensitive fields only for roles that are not staff."""
    q = roster_q(user)
    if user.is_authenticated and user.organisation_id is not None and user.has_role(Role.MEMBER):
        q |= org_scope_q(user)
    return q


def can_use_directory(user) -> bool:
    return can_view_roster(user) or (user.is_authenticated and user.has_role(Role.MEMBER))


def _member_base() -> QuerySet:
    return Member.objects.select_related(
        "organisation", "sector", "party", "liaison_group", "user"
    ).prefetch_related(Prefetch("committees", queryset=SpecialCommittee.objects.order_by("order", "id")))


def _filter_members(
    qs: QuerySet, *, q="", sector=None, committee=None, liaison=None, status="", organisation=None
) -> QuerySet:
    if q:
        qs = qs.filter(name__icontains=q)
    if sector:
        qs = qs.filter(sector_id=sector)
    if committee:
        qs = qs.filter(committees__id=committee)
    if liaison:
        qs = qs.filter(liaison_group_id=liaison)
    if status:
        qs = qs.filter(status=status)
    if organisation:
        qs = qs.filter(organisation_id=organisation)
    return qs


def members(user, **filters) -> QuerySet:
    """The roster as the pages show it (Http404 for a role with no business on it)."""
    if not can_view_roster(user):
        raise Http404("未找到")
    qs = _filter_members(_member_base().filter(roster_q(user)), **filters)
    return qs.distinct().order_by("organisation__path", "sector__order", "id")


def member_directory(user, **filters) -> QuerySet:
    if not can_use_directory(user):
        raise Http404("未找到")
    qs = _filter_members(_member_base().filter(directory_q(user)), **filters)
    return qs.distinct().order_by("organisation__path", "sector__order", "id")


def get_member(user, pk, *, directory: bool = False) -> Member:
    allowed = can_use_directory(user) if directory else can_view_roster(user)
    if not allowed:
        raise Http404("未找到")
    scope = directory_q(user) if directory else roster_q(user)
    try:
        return _member_base().filter(scope).distinct().get(pk=pk)
    except (Member.DoesNotExist, ValueError):
        raise Http404("未找到")


def roster_filter_choices(user) -> dict:
    """Sectors, committees and liaison groups for the roster's filter bar (three queries)."""
    return {
        "sectors": list(sectors(user)),
        "committees": list(committees(user)),
        "liaison_groups": list(liaison_groups(user)),
    }


# --- roster imports -------------------------------------------------------------------------------


def roster_imports(user) -> QuerySet:
    """The user's own roster uploads, newest first (the stored file is never read here)."""
    return (
        RosterImport.objects.filter(user=user)
        .defer("content", "passwords")
        .select_related("organisation")
        .order_by("-created_at")
    )


def get_roster_import(user, pk) -> RosterImport:
    """One of the user's own uploads; anybody else's answers 404."""
    try:
        return roster_imports(user).get(pk=pk)
    except (RosterImport.DoesNotExist, ValueError):
        raise Http404("未找到")


# --- who the user is to the committee: used by every app (one definition each) ------------------------


def liaison_group_of(user) -> Organisation | None:
    """The 乡镇联络组 a liaison user works for (their organisation); None for anybody else."""
    if not getattr(user, "is_authenticated", False) or not user.has_role(Role.LIAISON):
        return None
    org = user.organisation
    return org if org is not None and org.kind == Organisation.Kind.LIAISON else None


def member_of(user):
    """The user's Member (委员) or None, cached on the user object."""
    if not getattr(user, "is_authenticated", False):
        return None
    if "_zx_member" not in user.__dict__:
        try:
            user.__dict__["_zx_member"] = user.member
        except Member.DoesNotExist:
            user.__dict__["_zx_member"] = None
    return user.__dict__["_zx_member"]


def committee_of(user) -> Organisation | None:
    """The committee (政协组织) a user works for: their organisation, or its parent for a liaison group."""
    org = getattr(user, "organisation", None)
    return org.committee if org is not None else None


def committee_id(user) -> int | None:
    org = committee_of(user)
    return org.pk if org is not None else None


def current_session(user) -> Session | None:
    """The user's committee's current session (会次), else the latest one the user may see."""
    org = committee_of(user)
    if org is None:
        return None
    return (
        Session.objects.filter(organisation=org, is_current=True).first()
        or Session.objects.filter(org_scope_q(user)).order_by("-year", "-number").first()
    )
