"""Read API: organisations, sectors, special committees, handling units and members.

Lists are paginated ({"items", "count"}), searchable by name with `?q=`, and scoped like the pages:
a user sees their organisation and its subtree; anything else answers 404 with a Chinese `detail`.
"""

from __future__ import annotations

import datetime

from ninja import Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from . import selectors

router = Router(tags=["组织与委员"])


class OrganisationOut(Schema):
    id: int
    name: str
    short_name: str
    kind: str
    kind_label: str
    code: str
    depth: int
    parent_id: int | None = None
    is_active: bool

    @staticmethod
    def resolve_kind_label(obj):
        return obj.get_kind_display()


class NamedOut(Schema):
    id: int
    name: str
    organisation_id: int
    order: int


class UnitOut(Schema):
    id: int
    name: str
    short_name: str
    kind: str
    kind_label: str
    organisation_id: int
    phone: str
    leader_name: str
    is_active: bool

    @staticmethod
    def resolve_kind_label(obj):
        return obj.get_kind_display()


class RefOut(Schema):
    id: int
    name: str


class MemberRowOut(Schema):
    id: int
    name: str
    gender: str
    organisation: RefOut
    sector: RefOut
    committees: list[RefOut]
    liaison_group: RefOut | None = None
    party: str | None = None
    position: str
    is_standing: bool
    entry_term_number: int | None = None
    status: str
    employer: str
    phone: str

    @staticmethod
    def resolve_committees(obj):
        return list(obj.committees.all())

    @staticmethod
    def resolve_party(obj):
        return str(obj.party) if obj.party_id else None

    @staticmethod
    def resolve_phone(obj, context):
        user = context["request"].user
        return obj.phone if selectors.can_see_sensitive(user) else obj.masked_phone


class MemberDetailOut(MemberRowOut):
    ethnicity: str
    birth_date: datetime.date | None = None
    job_title: str
    education: str
    code: str
    id_number: str | None = None
    address: str | None = None

    @staticmethod
    def resolve_birth_date(obj, context):
        return obj.birth_date if selectors.can_see_sensitive(context["request"].user) else None

    @staticmethod
    def resolve_id_number(obj, context):
        user = context["request"].user
        return obj.id_number if user.has_perm("members.view_member_sensitive", obj) else None

    @staticmethod
    def resolve_address(obj, context):
        user = context["request"].user
        return obj.address if user.has_perm("members.view_member_sensitive", obj) else None


@router.get("/organisations", response=list[OrganisationOut], summary="可见的政协组织（本级及下级）")
@paginate(PageNumberPagination, page_size=20)
def list_organisations(request, q: str = "", kind: str = ""):
    return selectors.organisations(request.user, q=q.strip(), kind=kind)


@router.get("/sectors", response=list[NamedOut], summary="界别")
@paginate(PageNumberPagination, page_size=20)
def list_sectors(request, q: str = "", organisation: int | None = None):
    qs = selectors.sectors(request.user, q=q.strip())
    return qs.filter(organisation_id=organisation) if organisation else qs


@router.get("/committees", response=list[NamedOut], summary="专门委员会")
@paginate(PageNumberPagination, page_size=20)
def list_committees(request, q: str = "", organisation: int | None = None):
    qs = selectors.committees(request.user, q=q.strip())
    return qs.filter(organisation_id=organisation) if organisation else qs


@router.get("/units", response=list[UnitOut], summary="承办单位")
@paginate(PageNumberPagination, page_size=20)
def list_units(request, q: str = "", active: bool | None = None):
    return selectors.units(request.user, q=q.strip(), active=active)


@router.get("/members", response=list[MemberRowOut], summary="委员（非工作人员只返回脱敏字段）")
@paginate(PageNumberPagination, page_size=20)
def list_members(
    request,
    q: str = "",
    sector: int | None = None,
    committee: int | None = None,
    liaison: int | None = None,
    status: str = "",
):
    return selectors.member_directory(
        request.user, q=q.strip(), sector=sector, committee=committee, liaison=liaison, status=status
    )


@router.get("/members/{member_id}", response=MemberDetailOut, summary="委员详情")
def get_member(request, member_id: int):
    return selectors.get_member(request.user, member_id, directory=True)


# --- 界别召集人, 委员小组, 履职承诺 (issue 15) --------------------------------------------------------------


class ConvenersIn(Schema):
    member_ids: list[int] = []


class ConvenersOut(Schema):
    sector_id: int
    members: list[RefOut]


class GroupIn(Schema):
    name: str
    leader_id: int
    member_ids: list[int] = []
    committee_id: int | None = None


class GroupOut(Schema):
    id: int
    name: str
    organisation_id: int
    committee: RefOut | None = None
    leader: RefOut
    members: list[RefOut]

    @staticmethod
    def resolve_members(obj):
        from .selectors_groups import group_members

        return group_members(obj)


class PledgeIn(Schema):
    text: str
    target_proposals: int | None = None
    target_activities: int | None = None
    target_opinions: int | None = None


class PledgeLine(Schema):
    kind: str
    label: str
    target: int | None = None
    done: int
    met: bool | None = None


class PledgeOut(Schema):
    member_id: int
    year: int
    pledged: bool
    text: str = ""
    target_proposals: int | None = None
    target_activities: int | None = None
    target_opinions: int | None = None
    written_by: str = ""
    updated_at: datetime.datetime | None = None
    progress: list[PledgeLine]
    met: bool | None = None


def _conveners(sector):
    from .models import Member

    return {"sector_id": sector.pk, "members": list(Member.objects.filter(convened_sectors__sector=sector))}


def _need(user, perm, obj=None):
    from zhengxie.core.errors import Forbidden

    if not user.has_perm(perm, obj):
        raise Forbidden("无权执行此操作。")


@router.get("/sectors/{int:sector_id}/conveners", response=ConvenersOut, summary="界别召集人")
def get_conveners(request, sector_id: int):
    from .selectors_groups import get_sector

    return _conveners(get_sector(request.user, sector_id))


@router.put(
    "/sectors/{int:sector_id}/conveners", response=ConvenersOut, summary="设置界别召集人（本会机关工作人员）"
)
def put_conveners(request, sector_id: int, payload: ConvenersIn):
    from .selectors_groups import get_sector
    from .services_groups import sector_conveners_set

    sector = get_sector(request.user, sector_id)
    sector_conveners_set(user=request.user, sector=sector, member_ids=payload.member_ids)
    return _conveners(sector)


@router.get("/member-groups", response=list[GroupOut], summary="委员小组（本级及下级）")
@paginate(PageNumberPagination, page_size=20)
def list_groups(request, organisation: int | None = None, committee: int | None = None):
    from zhengxie.core.permissions import org_scope_q

    from .models import MemberGroup

    qs = MemberGroup.objects.filter(org_scope_q(request.user)).select_related("committee", "leader")
    if organisation:
        qs = qs.filter(organisation_id=organisation)
    if committee:
        qs = qs.filter(committee_id=committee)
    return qs.order_by("organisation_id", "order", "id")


@router.get("/member-groups/{int:group_id}", response=GroupOut, summary="委员小组详情")
def get_group(request, group_id: int):
    from .selectors_groups import get_group as _get

    return _get(request.user, group_id)


@router.post("/member-groups", response={201: GroupOut}, summary="设立委员小组（本会机关工作人员）")
def create_group(request, payload: GroupIn):
    from .services_groups import group_create

    org = request.user.organisation.committee if request.user.organisation_id else None
    _need(request.user, "members.manage_groups", org)
    return 201, group_create(
        user=request.user,
        organisation=org,
        name=payload.name,
        leader=payload.leader_id,
        member_ids=payload.member_ids,
        committee=payload.committee_id,
    )


@router.put("/member-groups/{int:group_id}", response=GroupOut, summary="调整委员小组（本会机关工作人员）")
def update_group(request, group_id: int, payload: GroupIn):
    from .selectors_groups import get_group as _get
    from .services_groups import group_update

    return group_update(
        user=request.user,
        group=_get(request.user, group_id),
        name=payload.name,
        leader=payload.leader_id,
        member_ids=payload.member_ids,
        committee=payload.committee_id,
    )


@router.delete(
    "/member-groups/{int:group_id}", response={204: None}, summary="撤销委员小组（本会机关工作人员）"
)
def delete_group(request, group_id: int):
    from .selectors_groups import get_group as _get
    from .services_groups import group_delete

    group_delete(user=request.user, group=_get(request.user, group_id))
    return 204, None


def _pledge_out(member, year):
    from zhengxie.performance.selectors_pledges import member_pledge

    data = member_pledge(member, year)
    p = data["pledge"]
    out = {
        "member_id": member.pk,
        "year": year,
        "pledged": p is not None,
        "progress": data["rows"],
        "met": data["met"],
    }
    if p is not None:
        out |= {
            "text": p.text,
            "target_proposals": p.target_proposals,
            "target_activities": p.target_activities,
            "target_opinions": p.target_opinions,
            "written_by": p.written_by.name,
            "updated_at": p.updated_at,
        }
    return out


@router.get(
    "/members/{int:member_id}/pledges/{int:year}",
    response=PledgeOut,
    summary="委员某年度的履职承诺及完成情况",
)
def get_pledge(request, member_id: int, year: int):
    from zhengxie.performance.selectors import get_member as archive_member

    return _pledge_out(archive_member(request.user, member_id), year)


@router.put(
    "/members/{int:member_id}/pledges/{int:year}",
    response=PledgeOut,
    summary="填写或修改履职承诺（本人，或本会机关工作人员代填）",
)
def put_pledge(request, member_id: int, year: int, payload: PledgeIn):
    from zhengxie.performance.selectors import get_member as archive_member

    from .services_groups import pledge_save

    member = archive_member(request.user, member_id)
    pledge_save(user=request.user, member=member, year=year, **payload.dict())
    return _pledge_out(member, year)
