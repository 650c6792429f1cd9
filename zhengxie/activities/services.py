"""Every state change of meetings and invitations: permission check -> one transaction -> change ->
audit entry -> notification. Attendance becomes duty records only in `meeting_close` (and in a staff
correction after closing), through performance's `record_act` / `revoke_act`.
"""

from __future__ import annotations

import json

from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from zhengxie.core import audit, orgsettings
from zhengxie.core.errors import Conflict, Forbidden, Invalid
from zhengxie.core.models import Organisation, Role
from zhengxie.core.notifications import notify, sentence
from zhengxie.core.uploads import DOCUMENTS, IMAGES, save_attachment
from zhengxie.members.models import GroupMembership, Member, MemberGroup, Sector, SpecialCommittee

from .acts import act_for
from .models import Invitation, Meeting, new_secret
from .rules import manages_meeting

S = Meeting.Status
A = Invitation.Attendance
L = Invitation.LeaveStatus
R = Invitation.Reply

MEETING_FIELDS = [
    "kind",
    "title",
    "starts_at",
    "ends_at",
    "place",
    "agenda",
    "committee",
    "status",
    "checkin_before_minutes",
    "checkin_after_minutes",
    "cancel_reason",
]
INVITATION_FIELDS = [
    "reply",
    "leave_reason",
    "leave_status",
    "leave_decision_reason",
    "attendance",
    "checkin_method",
]
CHECKIN_SALT = "activities.checkin"


def fmt(dt) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%d %H:%M")


def hm(dt) -> str:
    return timezone.localtime(dt).strftime("%H:%M")


def meeting_url(meeting) -> str:
    return reverse("activities:detail", args=[meeting.pk])


def _snap(obj, fields):
    return audit.snapshot(obj, fields)


def _require_manager(user, meeting):
    if not manages_meeting(user, meeting):
        raise Forbidden("只有本会机关工作人员可以管理会议活动。")


def _require_open(meeting, doing="修改"):
    if meeting.status == S.CLOSED:
        raise Conflict(f"会议已结束归档，不能再{doing}。", code="closed")
    if meeting.status == S.CANCELLED:
        raise Conflict(f"会议已取消，不能再{doing}。", code="cancelled")


def _lock(meeting) -> Meeting:
    return Meeting.objects.select_for_update().select_related("organisation").get(pk=meeting.pk)


# ---------------------------------------------------------------- meetings


def _clean_meeting(organisation, data: dict) -> dict:
    title = (data.get("title") or "").strip()
    if not title:
        raise Invalid("请填写会议名称。", field="title")
    if data.get("kind") not in Meeting.Kind.values:
        raise Invalid("请选择会议类型。", field="kind")
    starts_at, ends_at = data.get("starts_at"), data.get("ends_at")
    if not starts_at:
        raise Invalid("请填写开始时间。", field="starts_at")
    if not ends_at:
        raise Invalid("请填写结束时间。", field="ends_at")
    if ends_at < starts_at:
        raise Invalid("结束时间不能早于开始时间。", field="ends_at")
    committee = data.get("committee")
    if committee is not None and committee.organisation_id != organisation.pk:
        raise Invalid("所选专委会不属于本会。", field="committee")
    for key in ("checkin_before_minutes", "checkin_after_minutes"):
        v = data.get(key)
        if v is None:
            data[key] = orgsettings.get(organisation, f"activities.{key}")
        elif not 0 <= int(v) <= 24 * 60:
            raise Invalid("签到时间须在 0 到 1440 分钟之间。", field=key)
    data["title"] = title
    data["place"] = (data.get("place") or "").strip()
    data["agenda"] = (data.get("agenda") or "").strip()
    return data


def meeting_create(
    *,
    user,
    kind,
    title,
    starts_at,
    ends_at,
    place="",
    agenda="",
    committee=None,
    checkin_before_minutes=None,
    checkin_after_minutes=None,
) -> Meeting:
    if not user.has_role(Role.STAFF) or user.organisation_id is None:
        raise Forbidden("只有机关工作人员可以新建会议活动。")
    org = user.organisation
    data = _clean_meeting(
        org,
        dict(
            kind=kind,
            title=title,
            starts_at=starts_at,
            ends_at=ends_at,
            place=place,
            agenda=agenda,
            committee=committee,
            checkin_before_minutes=checkin_before_minutes,
            checkin_after_minutes=checkin_after_minutes,
        ),
    )
    with transaction.atomic():
        meeting = Meeting.objects.create(organisation=org, organiser=user, **data)
        audit.record(user, "activities.meeting_create", meeting, after=_snap(meeting, MEETING_FIELDS))
    return meeting


def meeting_update(*, user, meeting, **changes) -> Meeting:
    _require_manager(user, meeting)
    with transaction.atomic():
        meeting = _lock(meeting)
        _require_open(meeting)
        before = _snap(meeting, MEETING_FIELDS)
        data = {
            f: getattr(meeting, f)
            for f in (
                "kind",
                "title",
                "starts_at",
                "ends_at",
                "place",
                "agenda",
                "committee",
                "checkin_before_minutes",
                "checkin_after_minutes",
            )
        }
        data.update(changes)
        data = _clean_meeting(meeting.organisation, data)
        for k, v in data.items():
            setattr(meeting, k, v)
        meeting.save()
        after = _snap(meeting, MEETING_FIELDS)
        audit.record(user, "activities.meeting_update", meeting, before=before, after=after)
        moved = any(before[k] != after[k] for k in ("starts_at", "ends_at", "place"))
        if meeting.status == S.NOTIFIED and moved:
            users = [
                i.member.user
                for i in meeting.invitations.filter(notified_at__isnull=False).select_related("member__user")
            ]
            notify(
                users,
                f"会议变更：{meeting.title}",
                f"时间：{fmt(meeting.starts_at)} 至 {fmt(meeting.ends_at)}\n地点：{meeting.place or '另行通知'}",
                url=meeting_url(meeting),
                category="activities",
                sms=True,
            )
    return meeting


def _members_for(
    meeting,
    *,
    sectors=(),
    committees=(),
    liaison_groups=(),
    standing=False,
    members=(),
    everyone=False,
    groups=(),
):
    org = meeting.organisation
    base = Member.objects.filter(organisation=org, status=Member.Status.ACTIVE)
    q = Q(pk__in=[])
    chosen = everyone
    if sectors:
        ids = [getattr(s, "pk", s) for s in sectors]
        if Sector.objects.filter(pk__in=ids, organisation=org).count() != len(set(ids)):
            raise Invalid("所选界别不属于本会。", field="sectors")
        q |= Q(sector_id__in=ids)
        chosen = True
    if committees:
        ids = [getattr(c, "pk", c) for c in committees]
        if SpecialCommittee.objects.filter(pk__in=ids, organisation=org).count() != len(set(ids)):
            raise Invalid("所选专委会不属于本会。", field="committees")
        q |= Q(
            pk__in=Member.committees.through.objects.filter(specialcommittee_id__in=ids).values("member_id")
        )
        chosen = True
    if liaison_groups:
        ids = [getattr(g, "pk", g) for g in liaison_groups]
        found = Organisation.objects.filter(
            pk__in=ids, kind=Organisation.Kind.LIAISON, path__startswith=org.path
        )
        if found.count() != len(set(ids)):
            raise Invalid("所选联络组不属于本会。", field="liaison_groups")
        q |= Q(liaison_group_id__in=ids)
        chosen = True
    if groups:
        # 委员小组 (issue 15): a group's members, as one pick (the base keeps the active ones only)
        ids = [getattr(g, "pk", g) for g in groups]
        if MemberGroup.objects.filter(pk__in=ids, organisation=org).count() != len(set(ids)):
            raise Invalid("所选委员小组不属于本会。", field="groups")
        q |= Q(pk__in=GroupMembership.objects.filter(group_id__in=ids).values("member_id"))
        chosen = True
    if standing:
        q |= Q(is_standing=True)
        chosen = True
    if members:
        ids = {getattr(m, "pk", m) for m in members}
        if base.filter(pk__in=ids).count() != len(ids):
            raise Invalid("所选委员不属于本会或已不在任。", field="members")
        q |= Q(pk__in=ids)
        chosen = True
    if not chosen:
        raise Invalid("请至少选择一种邀请方式：全体委员、界别、专委会、委员小组、联络组、常委或具体委员。")
    return base if everyone else base.filter(q)


def meeting_invite(
    *,
    user,
    meeting,
    sectors=(),
    committees=(),
    liaison_groups=(),
    standing=False,
    members=(),
    everyone=False,
    groups=(),
) -> int:
    """Invite the union of the chosen groups; members already invited are left as they are.
    Returns how many were newly invited (they are notified at once if the notice has gone out)."""
    _require_manager(user, meeting)
    with transaction.atomic():
        meeting = _lock(meeting)
        _require_open(meeting, "邀请委员")
        candidates = _members_for(
            meeting,
            sectors=sectors,
            committees=committees,
            liaison_groups=liaison_groups,
            standing=standing,
            members=members,
            everyone=everyone,
            groups=groups,
        )
        existing = set(meeting.invitations.values_list("member_id", flat=True))
        new_ids = [pk for pk in candidates.values_list("pk", flat=True) if pk not in existing]
        now = timezone.now()
        notified = meeting.status == S.NOTIFIED
        Invitation.objects.bulk_create(
            [
                Invitation(meeting=meeting, member_id=pk, notified_at=now if notified else None)
                for pk in new_ids
            ]
        )
        if new_ids:
            audit.record(user, "activities.meeting_invite", meeting, after={"member_ids": new_ids})
        if notified and new_ids:
            _send_notice(meeting, Member.objects.filter(pk__in=new_ids).select_related("user"))
    return len(new_ids)


def invitation_remove(*, user, invitation) -> None:
    meeting = invitation.meeting
    _require_manager(user, meeting)
    with transaction.atomic():
        meeting = _lock(meeting)
        _require_open(meeting, "调整参会人员")
        inv = Invitation.objects.select_for_update().select_related("member__user").get(pk=invitation.pk)
        if inv.attendance == A.PRESENT:
            raise Conflict(f"{inv.member.name} 已签到，不能移出参会名单。")
        before = _snap(inv, INVITATION_FIELDS)
        audit.record(
            user, "activities.invitation_remove", meeting, before={"member_id": inv.member_id, **before}
        )
        was_notified = inv.notified_at is not None
        inv.delete()
        if was_notified and meeting.status == S.NOTIFIED:
            notify(
                [inv.member.user],
                f"参会安排调整：{meeting.title}",
                "您无需参加本次会议/活动。",
                url=reverse("activities:list"),
                category="activities",
            )


def _send_notice(meeting, members):
    body = (
        f"{meeting.get_kind_display()}：{meeting.title}\n时间：{fmt(meeting.starts_at)} 至 {fmt(meeting.ends_at)}\n"
        f"地点：{meeting.place or '另行通知'}\n请登录平台回复是否参加；不能参加的请提出请假申请。"
    )
    notify(
        [m.user for m in members],
        f"会议通知：{meeting.title}",
        body,
        url=meeting_url(meeting),
        category="activities",
        sms=True,
    )


def meeting_notify(*, user, meeting) -> int:
    """Send the notice to every invitee not yet notified; the meeting becomes 已通知. Returns how many."""
    _require_manager(user, meeting)
    with transaction.atomic():
        meeting = _lock(meeting)
        _require_open(meeting, "发送通知")
        pending = list(meeting.invitations.filter(notified_at__isnull=True).select_related("member__user"))
        if not pending:
            if not meeting.invitations.exists():
                raise Invalid("尚未邀请任何委员，请先邀请参会人员。")
            raise Conflict("所有受邀委员均已通知，没有需要发送的通知。", code="already_notified")
        before = meeting.status
        now = timezone.now()
        Invitation.objects.filter(pk__in=[i.pk for i in pending]).update(notified_at=now)
        meeting.status = S.NOTIFIED
        if meeting.notified_at is None:
            meeting.notified_at = now
        meeting.save(update_fields=["status", "notified_at", "updated_at"])
        audit.record(
            user,
            "activities.meeting_notify",
            meeting,
            before={"status": before},
            after={"status": meeting.status, "notified": len(pending)},
        )
        _send_notice(meeting, [i.member for i in pending])
    return len(pending)


def meeting_cancel(*, user, meeting, reason: str) -> Meeting:
    _require_manager(user, meeting)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("请填写取消原因。", field="reason")
    with transaction.atomic():
        meeting = _lock(meeting)
        _require_open(meeting, "取消")
        before = meeting.status
        meeting.status, meeting.cancel_reason = S.CANCELLED, reason[:200]
        meeting.save(update_fields=["status", "cancel_reason", "updated_at"])
        audit.record(
            user,
            "activities.meeting_cancel",
            meeting,
            before={"status": before},
            after={"status": meeting.status, "reason": reason},
        )
        if before == S.NOTIFIED:
            users = [
                i.member.user
                for i in meeting.invitations.filter(notified_at__isnull=False).select_related("member__user")
            ]
            notify(
                users,
                f"会议取消：{meeting.title}",
                f"原定于 {fmt(meeting.starts_at)} 的会议/活动已取消。原因：{reason}",
                url=meeting_url(meeting),
                category="activities",
                sms=True,
            )
    return meeting


def meeting_add_material(*, user, meeting, upload):
    _require_manager(user, meeting)
    if meeting.status == S.CANCELLED:
        raise Conflict("会议已取消，不能再上传材料。")
    with transaction.atomic():
        att = save_attachment(
            upload, target=meeting, user=user, purpose="material", allowed=DOCUMENTS + IMAGES
        )
        audit.record(
            user, "activities.material_add", meeting, after={"attachment": att.pk, "name": att.original_name}
        )
    return att


def meeting_remove_material(*, user, meeting, attachment) -> None:
    _require_manager(user, meeting)
    if attachment.object_id != str(meeting.pk) or attachment.purpose != "material":
        raise Invalid("该文件不是本会议的材料。")
    with transaction.atomic():
        audit.record(
            user,
            "activities.material_remove",
            meeting,
            before={"attachment": attachment.pk, "name": attachment.original_name},
        )
        attachment.file.delete(save=False)
        attachment.delete()


# ---------------------------------------------------------------- check-in codes


def checkin_token(meeting) -> str:
    """A signed, time-stamped code for the on-site QR; valid for `activities.checkin_code_minutes`."""
    return signing.dumps({"m": meeting.pk}, salt=f"{CHECKIN_SALT}:{meeting.checkin_secret}")


def _token_meeting_id(token: str):
    """The meeting id a token claims (unverified; only to word the error message)."""
    try:
        payload = signing.b64_decode(token.split(":", 1)[0].encode())
        return json.loads(payload).get("m")
    except Exception:
        return None


def verify_checkin_token(meeting, token: str) -> None:
    minutes = int(orgsettings.get(meeting.organisation, "activities.checkin_code_minutes"))
    token = (token or "").strip()
    if not token:
        raise Invalid("缺少签到码，请扫描会场二维码签到。", field="token", code="bad_token")
    try:
        data = signing.loads(token, salt=f"{CHECKIN_SALT}:{meeting.checkin_secret}", max_age=minutes * 60)
    except signing.SignatureExpired:
        raise Invalid("签到码已过期，请重新扫描会场大屏上的二维码。", field="token", code="expired")
    except signing.BadSignature:
        claimed = _token_meeting_id(token)
        if claimed is not None and claimed != meeting.pk:
            raise Invalid("该签到码属于其他会议，不能用于本次会议签到。", field="token", code="wrong_meeting")
        raise Invalid("签到码无效或已更换，请重新扫描会场二维码。", field="token", code="bad_token")
    if data.get("m") != meeting.pk:
        raise Invalid("该签到码属于其他会议，不能用于本次会议签到。", field="token", code="wrong_meeting")


def meeting_rotate_code(*, user, meeting) -> Meeting:
    """Replace the signing secret: every code shown so far stops working."""
    _require_manager(user, meeting)
    with transaction.atomic():
        meeting = _lock(meeting)
        _require_open(meeting, "更换签到码")
        meeting.checkin_secret = new_secret()
        meeting.save(update_fields=["checkin_secret", "updated_at"])
        audit.record(user, "activities.checkin_code_rotate", meeting)
    return meeting


# ---------------------------------------------------------------- member actions


def _own_invitation(user, meeting, *, lock=False) -> Invitation:
    qs = Invitation.objects.filter(meeting=meeting, member__user=user).select_related("member")
    if lock:
        qs = qs.select_for_update()
    inv = qs.first()
    if inv is None:
        raise Forbidden("您不在本次会议的邀请名单中。如需参加，请联系会务工作人员。", code="not_invited")
    return inv


def _require_replyable(meeting, what: str):
    if meeting.status == S.DRAFT:
        raise Conflict("会议通知尚未发出。", code="draft")
    _require_open(meeting, what)
    if timezone.now() >= meeting.starts_at:
        raise Conflict(
            f"会议已于 {fmt(meeting.starts_at)} 开始，不能再{what}；如有特殊情况请联系会务工作人员。",
            code="started",
        )


def invitation_reply(*, user, meeting, reply: str, reason: str = "") -> Invitation:
    """The member's own answer: 'attend', or 'leave' with a reason (a leave request, see below)."""
    if reply == "leave":
        return invitation_request_leave(user=user, meeting=meeting, reason=reason)
    if reply != "attend":
        raise Invalid("回复只能是“参加”或“请假”。", field="reply")
    with transaction.atomic():
        meeting = _lock(meeting)
        inv = _own_invitation(user, meeting, lock=True)
        _require_replyable(meeting, "回复")
        if inv.reply == R.ATTEND:
            return inv
        before = _snap(inv, INVITATION_FIELDS)
        inv.reply, inv.replied_at = R.ATTEND, timezone.now()
        inv.leave_status = L.NONE  # a pending or granted leave is withdrawn
        inv.save(update_fields=["reply", "replied_at", "leave_status"])
        audit.record(
            user,
            "activities.reply_attend",
            inv,
            organisation=meeting.organisation,
            before=before,
            after=_snap(inv, INVITATION_FIELDS),
        )
    return inv


def invitation_request_leave(*, user, meeting, reason: str) -> Invitation:
    reason = (reason or "").strip()
    with transaction.atomic():
        meeting = _lock(meeting)
        inv = _own_invitation(user, meeting, lock=True)
        _require_replyable(meeting, "请假")
        if not reason:
            raise Invalid("请填写请假事由。", field="reason")
        if len(reason) > 300:
            raise Invalid("请假事由不能超过 300 字。", field="reason")
        if inv.attendance == A.PRESENT:
            raise Conflict("您已签到，不能再请假。")
        if inv.leave_status == L.APPROVED:
            raise Conflict("您的请假已获批准，无需再次申请。", code="leave_approved")
        before = _snap(inv, INVITATION_FIELDS)
        inv.reply, inv.replied_at = R.LEAVE_REQUESTED, timezone.now()
        inv.leave_reason, inv.leave_status = reason, L.PENDING
        inv.leave_decided_by, inv.leave_decided_at, inv.leave_decision_reason = None, None, ""
        inv.save()
        audit.record(
            user,
            "activities.leave_request",
            inv,
            organisation=meeting.organisation,
            before=before,
            after=_snap(inv, INVITATION_FIELDS),
        )
        notify(
            [meeting.organiser],
            f"请假申请：{inv.member.name}（{meeting.title}）",
            f"事由：{reason}",
            url=reverse("activities:replies", args=[meeting.pk]) + "?filter=leave",
            category="activities",
        )
    return inv


def invitation_check_in(*, user, meeting, token: str) -> Invitation:
    """Check the user in to their own invitation with the on-site code. Never for anybody else."""
    with transaction.atomic():
        meeting = _lock(meeting)
        if meeting.status == S.DRAFT:
            raise Conflict("会议通知尚未发出，暂不能签到。", code="draft")
        if meeting.status == S.CANCELLED:
            raise Conflict("会议已取消。", code="cancelled")
        if meeting.status == S.CLOSED:
            raise Conflict("会议已结束归档，签到已关闭。", code="closed")
        inv = _own_invitation(user, meeting, lock=True)
        if inv.attendance == A.PRESENT:
            raise Conflict(
                f"您已于 {hm(inv.checked_in_at)} 签到成功，无需重复签到。", code="already_checked_in"
            )
        verify_checkin_token(meeting, token)
        now = timezone.now()
        window = f"签到时间为 {fmt(meeting.checkin_opens_at)} 至 {hm(meeting.checkin_closes_at)}"
        if now < meeting.checkin_opens_at:
            raise Conflict(f"签到尚未开始：{window}。", code="too_early")
        if now > meeting.checkin_closes_at:
            raise Conflict(f"签到已截止：{window}。如确已到会，请联系会务工作人员登记。", code="too_late")
        before = _snap(inv, INVITATION_FIELDS)
        inv.attendance, inv.checked_in_at, inv.checkin_method, inv.checked_in_by = A.PRESENT, now, "qr", user
        inv.save(update_fields=["attendance", "checked_in_at", "checkin_method", "checked_in_by"])
        audit.record(
            user,
            "activities.check_in",
            inv,
            organisation=meeting.organisation,
            before=before,
            after=_snap(inv, INVITATION_FIELDS),
        )
    return inv


# ---------------------------------------------------------------- staff actions on invitations


def _final_attendance(inv) -> str:
    if inv.attendance == A.PRESENT:
        return A.PRESENT
    return A.ON_LEAVE if inv.leave_status == L.APPROVED else A.ABSENT


def invitation_decide_leave(*, user, invitation, approve: bool, reason: str = "") -> Invitation:
    meeting = invitation.meeting
    _require_manager(user, meeting)
    reason = (reason or "").strip()
    if not approve and not reason:
        raise Invalid("不同意请假时请填写理由。", field="reason")
    with transaction.atomic():
        meeting = _lock(meeting)
        _require_open(meeting, "审批请假")
        inv = Invitation.objects.select_for_update().select_related("member__user").get(pk=invitation.pk)
        if inv.leave_status != L.PENDING:
            raise Conflict("该请假申请已处理或已撤回。", code="not_pending")
        before = _snap(inv, INVITATION_FIELDS)
        inv.leave_status = L.APPROVED if approve else L.REFUSED
        inv.leave_decided_by, inv.leave_decided_at, inv.leave_decision_reason = (
            user,
            timezone.now(),
            reason[:300],
        )
        inv.save(
            update_fields=["leave_status", "leave_decided_by", "leave_decided_at", "leave_decision_reason"]
        )
        audit.record(
            user,
            "activities.leave_decide",
            inv,
            organisation=meeting.organisation,
            before=before,
            after=_snap(inv, INVITATION_FIELDS),
        )
        if approve:
            title, body = f"请假已批准：{meeting.title}", reason or "您的请假申请已获批准。"
        else:
            title, body = f"请假未获批准：{meeting.title}", f"理由：{sentence(reason)}请按时参加会议。"
        notify(
            [inv.member.user], title, body, url=meeting_url(meeting), category="activities", sms=not approve
        )
    return inv


def invitation_set_attendance(*, user, invitation, present: bool) -> Invitation:
    """Staff tick a member present (or untick). After closing this is a correction: the duty record
    of the old attendance is revoked and the new one recorded."""
    meeting = invitation.meeting
    _require_manager(user, meeting)
    with transaction.atomic():
        meeting = _lock(meeting)
        if meeting.status == S.DRAFT:
            raise Conflict("会议通知尚未发出，不能登记签到。", code="draft")
        if meeting.status == S.CANCELLED:
            raise Conflict("会议已取消。", code="cancelled")
        inv = Invitation.objects.select_for_update().select_related("member__user").get(pk=invitation.pk)
        before = _snap(inv, INVITATION_FIELDS)
        old = inv.attendance
        if present:
            if old == A.PRESENT:
                return inv
            inv.attendance, inv.checked_in_at, inv.checkin_method, inv.checked_in_by = (
                A.PRESENT,
                timezone.now(),
                "staff",
                user,
            )
        else:
            if old != A.PRESENT:
                return inv
            inv.checked_in_at, inv.checkin_method, inv.checked_in_by = None, "", None
            inv.attendance = A.UNKNOWN
            if meeting.status == S.CLOSED:
                inv.attendance = _final_attendance(inv)
        inv.save(update_fields=["attendance", "checked_in_at", "checkin_method", "checked_in_by"])
        action = (
            "activities.attendance_correct" if meeting.status == S.CLOSED else "activities.attendance_set"
        )
        audit.record(
            user,
            action,
            inv,
            organisation=meeting.organisation,
            before=before,
            after=_snap(inv, INVITATION_FIELDS),
        )
        if meeting.status == S.CLOSED:
            from zhengxie.performance.services import record_act, revoke_act

            old_act, new_act = act_for(meeting.kind, old), act_for(meeting.kind, inv.attendance)
            if old_act and old_act != new_act:
                revoke_act(member=inv.member, act=old_act, source=inv)
            if new_act and old_act != new_act:
                record_act(
                    member=inv.member,
                    act=new_act,
                    source=inv,
                    occurred_on=timezone.localdate(meeting.starts_at),
                    confirmed_by=user,
                    note=f"{meeting.title}（出勤更正）",
                )
    return inv


# ---------------------------------------------------------------- closing


def meeting_close(*, user, meeting) -> dict:
    """End the meeting: final attendance for everybody, duty records through record_act, absentees told.
    A second call is refused (409); record_act is idempotent per (member, act, invitation) anyway."""
    _require_manager(user, meeting)
    with transaction.atomic():
        meeting = _lock(meeting)
        if meeting.status == S.CLOSED:
            raise Conflict("会议已结束归档，不能重复操作。", code="already_closed")
        if meeting.status == S.CANCELLED:
            raise Conflict("会议已取消，不能结束归档。", code="cancelled")
        if meeting.status == S.DRAFT:
            raise Conflict("会议通知尚未发出，不能结束归档。", code="draft")
        if timezone.now() < meeting.starts_at:
            raise Conflict(
                f"会议将于 {fmt(meeting.starts_at)} 开始，开始之后才能结束归档。", code="not_started"
            )
        pending = meeting.invitations.filter(leave_status=L.PENDING).exclude(attendance=A.PRESENT).count()
        if pending:
            raise Conflict(f"还有 {pending} 条请假申请未审批，请先处理后再结束会议。", code="leave_pending")
        result = apply_close(meeting, user)
        audit.record(
            user,
            "activities.meeting_close",
            meeting,
            before={"status": S.NOTIFIED},
            after={"status": S.CLOSED, **result},
        )
    return result


def apply_close(meeting, actor) -> dict:
    """The closing itself, without checks (also used by the demo loader). Call inside a transaction."""
    from zhengxie.performance.services import record_act

    invitations = list(meeting.invitations.select_related("member__user"))
    counts = {A.PRESENT.value: 0, A.ON_LEAVE.value: 0, A.ABSENT.value: 0}
    on = timezone.localdate(meeting.starts_at)
    for inv in invitations:
        inv.attendance = _final_attendance(inv)
        counts[inv.attendance] += 1
    Invitation.objects.bulk_update(invitations, ["attendance"])
    for inv in invitations:
        act = act_for(meeting.kind, inv.attendance)
        if act:
            record_act(
                member=inv.member, act=act, source=inv, occurred_on=on, confirmed_by=actor, note=meeting.title
            )
    meeting.status, meeting.closed_at, meeting.closed_by = S.CLOSED, timezone.now(), actor
    meeting.save(update_fields=["status", "closed_at", "closed_by", "updated_at"])
    # of the absent, those who never replied to the notice (the confirmation and the result name them)
    counts["never_replied"] = sum(1 for i in invitations if i.attendance == A.ABSENT and i.reply == R.PENDING)
    absentees = [i.member.user for i in invitations if i.attendance == A.ABSENT]
    if absentees:
        notify(
            absentees,
            f"缺席提醒：{meeting.title}",
            f"您未出席 {fmt(meeting.starts_at)} 的{meeting.get_kind_display()}，且未获准请假，已记为缺席。"
            "如有异议请联系会务工作人员。",
            url=meeting_url(meeting),
            category="activities",
        )
    return counts
