"""Reads of 界别召集人, 委员小组 and 履职承诺 (issue 15), scoped like the roster: out of scope -> Http404.
Every function runs a constant number of queries whatever the number of rows."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q
from django.http import Http404

from zhengxie.core.permissions import org_scope_q

from .models import GroupMembership, Member, MemberGroup, Pledge, Sector, SectorConvener


def sectors_with_conveners(organisation) -> list[Sector]:
    """The committee's sectors, each with `convener_list` (members) and `active_count` (two queries)."""
    return list(
        Sector.objects.filter(organisation=organisation)
        .annotate(active_count=Count("member", filter=Q(member__status=Member.Status.ACTIVE)))
        .prefetch_related(
            Prefetch(
                "conveners",
                queryset=SectorConvener.objects.select_related("member").order_by("id"),
                to_attr="convener_list",
            )
        )
    )


def groups_of(organisation) -> list[MemberGroup]:
    """The committee's groups with committee, leader and `active_count` (one query)."""
    return list(
        MemberGroup.objects.filter(organisation=organisation)
        .select_related("committee", "leader")
        .annotate(
            active_count=Count(
                "memberships", filter=Q(memberships__member__status=Member.Status.ACTIVE), distinct=True
            )
        )
        .order_by("order", "id")
    )


def get_sector(user, pk) -> Sector:
    try:
        return Sector.objects.select_related("organisation").filter(org_scope_q(user)).get(pk=pk)
    except (Sector.DoesNotExist, ValueError, TypeError):
        raise Http404("未找到")


def get_group(user, pk) -> MemberGroup:
    try:
        return (
            MemberGroup.objects.select_related("organisation", "committee", "leader")
            .filter(org_scope_q(user))
            .get(pk=pk)
        )
    except (MemberGroup.DoesNotExist, ValueError, TypeError):
        raise Http404("未找到")


def group_members(group) -> list[Member]:
    return list(
        Member.objects.filter(group_memberships__group=group)
        .select_related("sector")
        .order_by("sector__order", "name", "id")
    )


def active_member_ids_of_groups(group_ids) -> set[int]:
    """The active members of these groups (one query): what an invitation to a group expands to."""
    return set(
        GroupMembership.objects.filter(
            group_id__in=group_ids, member__status=Member.Status.ACTIVE
        ).values_list("member_id", flat=True)
    )


def roles_of(member: Member) -> dict:
    """A member's own places: sectors they convene (`body_name`: 经济界别), groups they lead or belong to with
    their active members counted (two queries)."""
    convened = [c.sector for c in SectorConvener.objects.filter(member=member).select_related("sector")]
    for s in convened:
        s.body_name = sector_body_name(s)
    groups = list(
        # the member's groups by id: filtering on memberships__member and counting memberships in one join
        # counted the member alone (every group read 1 人)
        MemberGroup.objects.filter(pk__in=GroupMembership.objects.filter(member=member).values("group_id"))
        .select_related("committee", "leader")
        .annotate(
            active_count=Count(
                "memberships", filter=Q(memberships__member__status=Member.Status.ACTIVE), distinct=True
            )
        )
        .order_by("order", "id")
    )
    for g in groups:
        g.is_leader = g.leader_id == member.pk
    return {"convened": convened, "groups": groups}


def convened_member_ids(convener: Member | None) -> set[int]:
    """The active members a member looks after as 界别召集人 (the sectors they convene) or 组长 (the groups they
    lead), themself excluded; empty for anyone not an active member (one query)."""
    if convener is None or convener.status != Member.Status.ACTIVE:
        return set()
    ids = set(
        Member.objects.filter(organisation_id=convener.organisation_id, status=Member.Status.ACTIVE)
        .filter(Q(sector__conveners__member=convener) | Q(group_memberships__group__leader=convener))
        .exclude(pk=convener.pk)
        .values_list("pk", flat=True)
    )
    return ids


def sector_body_name(sector) -> str:
    """The name a sector signs a collective proposal with ("经济界别", "民盟界别")."""
    name = sector.name
    return f"{name}别" if name.endswith("界") else f"{name}界别"


def collective_bodies(member: Member | None) -> list[str]:
    """The bodies a member may send a collective proposal for: each sector they convene and each group they
    lead (active members only; two queries)."""
    if member is None or member.status != Member.Status.ACTIVE:
        return []
    sectors = Sector.objects.filter(conveners__member=member).order_by("order", "id")
    groups = MemberGroup.objects.filter(leader=member).order_by("order", "id").values_list("name", flat=True)
    return [sector_body_name(s) for s in sectors] + list(groups)


def pledge_of(member: Member, year: int) -> Pledge | None:
    return Pledge.objects.filter(member=member, year=year).select_related("written_by").first()


def look_after_role(convener: Member, member: Member) -> str:
    """Whose hat a 界别召集人 / 组长 wears towards this member: 「经济界别召集人」, 「…第一委员小组组长」 (both,
    joined with 、, when they hold both); "" when they hold neither (two queries at most)."""
    roles = []
    convened = (
        SectorConvener.objects.filter(sector_id=member.sector_id, member=convener)
        .select_related("sector")
        .first()
        if member.sector_id
        else None
    )
    if convened is not None:
        roles.append(f"{sector_body_name(convened.sector)}召集人")
    led = MemberGroup.objects.filter(leader=convener, memberships__member=member).order_by("order", "id")
    for name in led.values_list("name", flat=True):
        if f"{name}组长" not in roles:
            roles.append(f"{name}组长")
    return "、".join(roles)
