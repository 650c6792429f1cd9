"""Meetings API: /api/v1/meetings... Same rules as the pages: invisible -> 404, illegal state -> 409,
bad input -> 422 with a Chinese `detail`."""

from __future__ import annotations

import datetime
from typing import Literal

from django.http import Http404
from ninja import Field, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from zhengxie.core.errors import Invalid
from zhengxie.members.models import SpecialCommittee

from . import selectors, services

router = Router(tags=["会议活动"])


class MyInvitationOut(Schema):
    id: int
    reply: str
    leave_status: str
    attendance: str


class MeetingOut(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    status: str
    status_label: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    place: str
    agenda: str
    organisation_id: int
    organisation: str
    committee_id: int | None = None
    checkin_opens_at: datetime.datetime
    checkin_closes_at: datetime.datetime
    my_invitation: MyInvitationOut | None = None
    counts: dict | None = Field(
        None, description="工作人员/领导可见：邀请、参加、请假、待审批、待回复、已签到人数"
    )

    @staticmethod
    def resolve_kind_label(obj):
        return obj.get_kind_display()

    @staticmethod
    def resolve_status_label(obj):
        return obj.get_status_display()

    @staticmethod
    def resolve_organisation(obj):
        return obj.organisation.name

    @staticmethod
    def resolve_my_invitation(obj):
        if getattr(obj, "my_invitation_id", None) is None:
            return None
        return {
            "id": obj.my_invitation_id,
            "reply": obj.my_reply,
            "leave_status": obj.my_leave_status,
            "attendance": obj.my_attendance,
        }

    @staticmethod
    def resolve_counts(obj, context):
        from .rules import OVERSEERS

        if not context["request"].user.has_role(*OVERSEERS) or not hasattr(obj, "n_invited"):
            return None
        return {
            "invited": obj.n_invited,
            "attend": obj.n_attend,
            "leave": obj.n_leave,
            "leave_pending": obj.n_leave_pending,
            "pending": obj.n_pending,
            "present": obj.n_present,
        }


class InvitationOut(Schema):
    id: int
    member_id: int
    member_name: str = Field(..., alias="member.name")
    sector: str = Field(..., alias="member.sector.name")
    reply: str
    leave_reason: str
    leave_status: str
    leave_decision_reason: str
    attendance: str
    checked_in_at: datetime.datetime | None
    checkin_method: str


class MeetingIn(Schema):
    kind: str
    title: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    place: str = ""
    agenda: str = ""
    committee_id: int | None = None
    checkin_before_minutes: int | None = None
    checkin_after_minutes: int | None = None


class MeetingReplyIn(Schema):
    reply: Literal["attend", "leave"]
    reason: str = ""


class LeaveIn(Schema):
    reason: str


class CheckinIn(Schema):
    token: str


class InviteIn(Schema):
    everyone: bool = False
    standing: bool = False
    sector_ids: list[int] = []
    committee_ids: list[int] = []
    liaison_group_ids: list[int] = []
    member_ids: list[int] = []
    group_ids: list[int] = []  # 委员小组


class CountOut(Schema):
    count: int


class DecideIn(Schema):
    approve: bool
    reason: str = ""


class AttendanceIn(Schema):
    member_id: int
    present: bool


class CloseOut(Schema):
    present: int
    on_leave: int
    absent: int
    never_replied: int  # of the absent, those who never replied to the notice


def _reload(request, pk):
    return selectors.get_meeting(request.user, pk)


@router.get("/meetings", response=list[MeetingOut], summary="会议活动列表（委员：受邀的；工作人员：本会的）")
@paginate(PageNumberPagination, page_size=20)
def list_meetings(request, status: str = "", kind: str = "", when: str = "", q: str = ""):
    return selectors.meetings_for(request.user, status=status, kind=kind, when=when, q=q)


@router.get("/meetings/{int:meeting_id}", response=MeetingOut, summary="会议详情")
def get_meeting(request, meeting_id: int):
    return selectors.get_meeting(request.user, meeting_id)


@router.post("/meetings", response={201: MeetingOut}, summary="新建会议（工作人员）")
def create_meeting(request, payload: MeetingIn):
    data = payload.dict()
    committee_id = data.pop("committee_id")
    committee = None
    if committee_id is not None:
        committee = SpecialCommittee.objects.filter(pk=committee_id).first()
        if committee is None:
            raise Invalid("专委会不存在。", field="committee_id")
    meeting = services.meeting_create(user=request.user, committee=committee, **data)
    return 201, _reload(request, meeting.pk)


@router.get(
    "/meetings/{int:meeting_id}/invitations",
    response=list[InvitationOut],
    summary="受邀委员及回复、请假、签到情况（工作人员/领导）",
)
@paginate(PageNumberPagination, page_size=50)
def list_invitations(request, meeting_id: int, filter: str = ""):
    from .rules import OVERSEERS

    meeting = selectors.get_meeting(request.user, meeting_id)
    if not request.user.has_role(*OVERSEERS):
        raise Http404
    return selectors.invitations(meeting, filter=filter)


@router.post("/meetings/{int:meeting_id}/reply", response=MeetingOut, summary="回复参加或请假（委员本人）")
def reply(request, meeting_id: int, payload: MeetingReplyIn):
    meeting = selectors.get_meeting(request.user, meeting_id)
    services.invitation_reply(user=request.user, meeting=meeting, reply=payload.reply, reason=payload.reason)
    return _reload(request, meeting_id)


@router.post("/meetings/{int:meeting_id}/leave", response=MeetingOut, summary="请假（委员本人，会议开始前）")
def leave(request, meeting_id: int, payload: LeaveIn):
    meeting = selectors.get_meeting(request.user, meeting_id)
    services.invitation_request_leave(user=request.user, meeting=meeting, reason=payload.reason)
    return _reload(request, meeting_id)


@router.post("/meetings/{int:meeting_id}/checkin", response=MeetingOut, summary="扫码签到（委员本人）")
def checkin(request, meeting_id: int, payload: CheckinIn):
    meeting = selectors.meeting_for_checkin(request.user, meeting_id)
    services.invitation_check_in(user=request.user, meeting=meeting, token=payload.token)
    return _reload(request, meeting_id)


@router.post(
    "/meetings/{int:meeting_id}/invite", response=CountOut, summary="邀请委员（工作人员）：返回新邀请人数"
)
def invite(request, meeting_id: int, payload: InviteIn):
    meeting = selectors.get_managed_meeting(request.user, meeting_id)
    n = services.meeting_invite(
        user=request.user,
        meeting=meeting,
        everyone=payload.everyone,
        standing=payload.standing,
        sectors=payload.sector_ids,
        committees=payload.committee_ids,
        liaison_groups=payload.liaison_group_ids,
        members=payload.member_ids,
        groups=payload.group_ids,
    )
    return {"count": n}


@router.post("/meetings/{int:meeting_id}/notify", response=CountOut, summary="发送会议通知（工作人员）")
def notify(request, meeting_id: int):
    meeting = selectors.get_managed_meeting(request.user, meeting_id)
    return {"count": services.meeting_notify(user=request.user, meeting=meeting)}


@router.post(
    "/meetings/{int:meeting_id}/leave-requests/{int:invitation_id}/decide",
    response=InvitationOut,
    summary="审批请假（工作人员）",
)
def decide(request, meeting_id: int, invitation_id: int, payload: DecideIn):
    meeting = selectors.get_managed_meeting(request.user, meeting_id)
    inv = selectors.get_invitation(meeting, invitation_id)
    services.invitation_decide_leave(
        user=request.user, invitation=inv, approve=payload.approve, reason=payload.reason
    )
    return selectors.invitations(meeting).get(pk=inv.pk)


@router.post("/meetings/{int:meeting_id}/attendance", response=InvitationOut, summary="登记出勤（工作人员）")
def attendance(request, meeting_id: int, payload: AttendanceIn):
    meeting = selectors.get_managed_meeting(request.user, meeting_id)
    inv = selectors.invitation_by_member(meeting, payload.member_id)
    if inv is None:
        raise Invalid("该委员不在本次会议的邀请名单中。", field="member_id")
    services.invitation_set_attendance(user=request.user, invitation=inv, present=payload.present)
    return selectors.invitations(meeting).get(pk=inv.pk)


@router.post(
    "/meetings/{int:meeting_id}/close", response=CloseOut, summary="结束归档并生成履职记录（工作人员）"
)
def close(request, meeting_id: int):
    meeting = selectors.get_managed_meeting(request.user, meeting_id)
    return services.meeting_close(user=request.user, meeting=meeting)


# --- editing and cancelling (the edit page's fields; same service as the pages) ---------------------


class MeetingPatchIn(Schema):
    """Only the fields sent change; `committee_id: null` clears the committee, a null check-in time
    takes the organisation's default (as on creation)."""

    kind: str | None = None
    title: str | None = None
    starts_at: datetime.datetime | None = None
    ends_at: datetime.datetime | None = None
    place: str | None = None
    agenda: str | None = None
    committee_id: int | None = None
    checkin_before_minutes: int | None = None
    checkin_after_minutes: int | None = None


class CancelIn(Schema):
    reason: str


@router.patch(
    "/meetings/{int:meeting_id}",
    response=MeetingOut,
    summary="修改会议（工作人员）：只改所传字段；已通知的会议改了时间或地点会通知受邀委员",
)
def update_meeting(request, meeting_id: int, payload: MeetingPatchIn):
    meeting = selectors.get_managed_meeting(request.user, meeting_id)
    changes = payload.dict(exclude_unset=True)
    if "committee_id" in changes:
        committee_id = changes.pop("committee_id")
        changes["committee"] = None
        if committee_id is not None:
            changes["committee"] = SpecialCommittee.objects.filter(pk=committee_id).first()
            if changes["committee"] is None:
                raise Invalid("专委会不存在。", field="committee_id")
    services.meeting_update(user=request.user, meeting=meeting, **changes)
    return _reload(request, meeting_id)


@router.post(
    "/meetings/{int:meeting_id}/cancel",
    response=MeetingOut,
    summary="取消会议（工作人员）：已通知的受邀委员会收到取消通知",
)
def cancel_meeting(request, meeting_id: int, payload: CancelIn):
    meeting = selectors.get_managed_meeting(request.user, meeting_id)
    services.meeting_cancel(user=request.user, meeting=meeting, reason=payload.reason)
    return _reload(request, meeting_id)
