"""The members app's searchable pickers (core.pickers): sessions, named with their committee; the members a
委员小组 or a sector's 召集人 may be chosen from (issue #13: a committee of hundreds of members)."""

from django.db.models import QuerySet

from zhengxie.core.models import Organisation
from zhengxie.core.permissions import org_scope_q
from zhengxie.core.pickers import Picker, register, scoped_row

from .models import Member, Sector, Session

COMMITTEES = (Organisation.Kind.PROVINCE, Organisation.Kind.CITY, Organisation.Kind.COUNTY)


def _sessions(user) -> QuerySet:
    qs = Session.objects.order_by("-year", "-number", "organisation__path")
    return qs.none() if user is None else qs.filter(org_scope_q(user))


# "青川县政协 第九届第三次会议": a city's or the province's list spans several committees.
register(
    Picker(
        "sessions",
        _sessions,
        label_fields=("organisation__name", "name"),
        label_of=lambda org, name: f"{org} {name}",
        search_fields=("organisation__name", "name"),
        noun="会次",
    )
)


def _members(user, sector=None, org=None) -> QuerySet:
    """The active members of a committee, for whoever may manage its groups (members.manage_groups): the
    user's own committee, or `org` (an administrator's committee below); `sector`: that sector's only.
    Anything the user may not manage, or an id that is not one, gives nothing."""
    none = Member.objects.none()
    if user is None or not user.is_authenticated or user.organisation_id is None:
        return none
    if sector is not None:  # a form passes the rows it has; the endpoint, their ids
        sector = scoped_row(Sector, sector, "organisation")
        committee = sector.organisation if sector is not None else None
    elif org is not None:
        committee = scoped_row(Organisation, org)
        committee = committee if committee is not None and committee.kind in COMMITTEES else None
    else:
        committee = user.organisation.committee
    if committee is None or not user.has_perm("members.manage_groups", committee):
        return none
    qs = Member.objects.filter(organisation=committee, status=Member.Status.ACTIVE)
    return (qs if sector is None else qs.filter(sector=sector)).order_by(
        "sector__order", "sector_id", "name", "id"
    )


def active_members(*organisations) -> QuerySet:
    """The active members of these committees (rows or ids), by name: what the other modules' member fields
    offer (their pickers below each check who may choose first)."""
    ids = {getattr(o, "pk", o) for o in organisations if o is not None}
    return Member.objects.filter(organisation_id__in=ids, status=Member.Status.ACTIVE).order_by("name", "id")


def register_members(name: str, queryset, scope: tuple = ()) -> Picker:
    """A picker of members named 「姓名（界别）」, as members.forms.member_choice_label names a member in every
    other picker, searched by name or sector."""
    return register(
        Picker(
            name,
            queryset,
            label_fields=("name", "sector__name"),
            label_of=lambda name, sector: f"{name}（{sector}）" if sector else name,
            search_fields=("name", "sector__name"),
            noun="委员",
            scope=scope,
        )
    )


register_members("members", _members, scope=("sector", "org"))
