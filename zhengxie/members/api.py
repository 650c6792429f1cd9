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
