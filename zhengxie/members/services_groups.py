"""界别召集人, 委员小组 and 履职承诺 (issue 15): every change checks `members.manage_groups` /
`members.edit_pledge`, runs in one transaction, writes an audit entry and tells the members concerned."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from zhengxie.core import audit
from zhengxie.core.errors import Forbidden, Invalid
from zhengxie.core.notifications import notify

from .models import GroupMembership, Member, MemberGroup, Pledge, Sector, SectorConvener, SpecialCommittee

PLEDGE_MAX_CHARS = 1000
TARGET_MAX = 99


def _require(user, perm: str, obj=None, message: str = "无权执行此操作。") -> None:
    if not user.has_perm(perm, obj):
        raise Forbidden(message)


def _ids(values, field: str) -> list[int]:
    try:
        return list(dict.fromkeys(int(getattr(v, "pk", v)) for v in (values or ())))
    except (TypeError, ValueError):
        raise Invalid("委员编号格式不正确。", field=field)


def _active_members(organisation, ids, field: str, label: str) -> list[Member]:
    found = {
        m.pk: m
        for m in Member.objects.filter(pk__in=ids, organisation=organisation, status=Member.Status.ACTIVE)
        .select_related("user")
        .prefetch_related("committees")
    }
    missing = [i for i in ids if i not in found]
    if missing:
        raise Invalid(f"所选{label}须为本会在任委员。", field=field)
    return [found[i] for i in ids]


# --- 界别召集人 -----------------------------------------------------------------------------------------


def sector_conveners_set(*, user, sector: Sector, member_ids) -> list[Member]:
    """The sector's conveners become exactly these members (each an active member of the sector)."""
    _require(user, "members.manage_groups", sector.organisation, "只有本会机关工作人员可以设置界别召集人。")
    ids = _ids(member_ids, "member_ids")
    with transaction.atomic():
        sector = Sector.objects.select_for_update().select_related("organisation").get(pk=sector.pk)
        chosen = _active_members(sector.organisation, ids, "member_ids", "召集人")
        outside = [m.name for m in chosen if m.sector_id != sector.pk]
        if outside:
            raise Invalid(
                f"召集人须为本界别委员：{'、'.join(outside)} 不属于{sector.name}。", field="member_ids"
            )
        before = sorted(SectorConvener.objects.filter(sector=sector).values_list("member_id", flat=True))
        SectorConvener.objects.filter(sector=sector).exclude(member_id__in=ids).delete()
        new = [m for m in chosen if m.pk not in before]
        SectorConvener.objects.bulk_create([SectorConvener(sector=sector, member=m) for m in new])
        audit.record(
            user,
            "members.sector_conveners",
            sector,
            before={"conveners": before},
            after={"conveners": sorted(ids)},
            organisation=sector.organisation,
        )
        if new:
            notify(
                [m.user for m in new],
                f"您已被确定为{sector.name}界别召集人",
                "界别召集人负责召集本界别委员活动，可以本界别名义提出集体提案。",
                url=reverse("performance:me"),
                category="members",
            )
    return chosen


# --- 委员小组 ------------------------------------------------------------------------------------------


def _clean_group(organisation, *, name, committee, leader, member_ids, exclude_pk=None):
    name = (name or "").strip()
    if not name:
        raise Invalid("请填写小组名称。", field="name")
    if len(name) > 60:
        raise Invalid("小组名称不能超过 60 字。", field="name")
    clash = MemberGroup.objects.filter(organisation=organisation, name=name).exclude(pk=exclude_pk)
    if clash.exists():
        raise Invalid(f"本会已有名为「{name}」的委员小组。", field="name")
    if committee not in (None, ""):
        cid = getattr(committee, "pk", committee)
        committee = SpecialCommittee.objects.filter(pk=cid, organisation=organisation).first()
        if committee is None:
            raise Invalid("所选专委会不属于本会。", field="committee")
    else:
        committee = None
    if leader in (None, ""):
        raise Invalid("请选择组长。", field="leader")
    (leader,) = _active_members(organisation, _ids([leader], "leader"), "leader", "组长")
    ids = _ids(member_ids, "member_ids")
    if leader.pk not in ids:
        ids.insert(0, leader.pk)
    members = _active_members(organisation, ids, "member_ids", "成员")
    if committee is not None:
        outside = [m.name for m in members if committee.pk not in {c.pk for c in m.committees.all()}]
        if outside:
            raise Invalid(
                f"专委会内的小组成员须为{committee.name}委员：{'、'.join(outside)} 不是。", field="member_ids"
            )
    return name, committee, leader, members


def _group_snapshot(group, member_ids) -> dict:
    return {
        "name": group.name,
        "committee_id": group.committee_id,
        "leader_id": group.leader_id,
        "member_ids": sorted(member_ids),
    }


def _tell_new(group, members) -> None:
    if members:
        notify(
            [m.user for m in members],
            f"您已加入委员小组：{group.name}",
            f"所属：{group.scope_label}；组长：{group.leader.name}。",
            url=reverse("performance:me"),
            category="members",
        )


def group_create(*, user, organisation, name, leader, member_ids=(), committee=None) -> MemberGroup:
    _require(user, "members.manage_groups", organisation, "只有本会机关工作人员可以设立委员小组。")
    with transaction.atomic():
        name, committee, leader, members = _clean_group(
            organisation, name=name, committee=committee, leader=leader, member_ids=member_ids
        )
        order = MemberGroup.objects.filter(organisation=organisation).count()
        group = MemberGroup.objects.create(
            organisation=organisation, name=name, committee=committee, leader=leader, order=order
        )
        GroupMembership.objects.bulk_create([GroupMembership(group=group, member=m) for m in members])
        audit.record(
            user,
            "members.group_create",
            group,
            after=_group_snapshot(group, [m.pk for m in members]),
            organisation=organisation,
        )
        _tell_new(group, members)
    return group


def group_update(*, user, group: MemberGroup, name, leader, member_ids=(), committee=None) -> MemberGroup:
    _require(user, "members.manage_groups", group.organisation, "只有本会机关工作人员可以调整委员小组。")
    with transaction.atomic():
        group = MemberGroup.objects.select_for_update().select_related("organisation").get(pk=group.pk)
        before_ids = list(GroupMembership.objects.filter(group=group).values_list("member_id", flat=True))
        before = _group_snapshot(group, before_ids)
        name, committee, leader, members = _clean_group(
            group.organisation,
            name=name,
            committee=committee,
            leader=leader,
            member_ids=member_ids,
            exclude_pk=group.pk,
        )
        group.name, group.committee, group.leader = name, committee, leader
        group.save(update_fields=["name", "committee", "leader"])
        ids = [m.pk for m in members]
        GroupMembership.objects.filter(group=group).exclude(member_id__in=ids).delete()
        new = [m for m in members if m.pk not in before_ids]
        GroupMembership.objects.bulk_create([GroupMembership(group=group, member=m) for m in new])
        audit.record(
            user,
            "members.group_update",
            group,
            before=before,
            after=_group_snapshot(group, ids),
            organisation=group.organisation,
        )
        _tell_new(group, new)
    return group


def group_delete(*, user, group: MemberGroup) -> None:
    _require(user, "members.manage_groups", group.organisation, "只有本会机关工作人员可以撤销委员小组。")
    with transaction.atomic():
        group = MemberGroup.objects.select_for_update().select_related("organisation").get(pk=group.pk)
        ids = list(GroupMembership.objects.filter(group=group).values_list("member_id", flat=True))
        audit.record(
            user,
            "members.group_delete",
            group,
            before=_group_snapshot(group, ids),
            organisation=group.organisation,
        )
        group.delete()


# --- 履职承诺 ------------------------------------------------------------------------------------------


def pledge_years() -> list[int]:
    """The years a pledge may be written or changed for: last year (a late entry), this year and next."""
    y = timezone.localdate().year
    return [y - 1, y, y + 1]


def _target(value, field: str, label: str):
    if value in (None, ""):
        return None
    try:
        n = int(value)
    except (TypeError, ValueError):
        raise Invalid(f"{label}须为整数。", field=field)
    if n < 0 or n > TARGET_MAX:
        raise Invalid(f"{label}须在 0 到 {TARGET_MAX} 之间。", field=field)
    return n


def pledge_save(
    *, user, member: Member, year, text, target_proposals=None, target_activities=None, target_opinions=None
) -> Pledge:
    """Write or change a member's pledge for a year: the member, or the committee's staff on their behalf
    (the member is told). Text required (≤1000 字); targets optional whole numbers 0–99."""
    _require(user, "members.edit_pledge", member, "只能填写本人的履职承诺。")
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise Invalid("年度格式不正确。", field="year")
    if year not in pledge_years():
        raise Invalid(f"只能填写 {pledge_years()[0]}—{pledge_years()[-1]} 年度的履职承诺。", field="year")
    text = (text or "").strip()
    if not text:
        raise Invalid("请填写承诺内容。", field="text")
    if len(text) > PLEDGE_MAX_CHARS:
        raise Invalid(f"承诺内容不能超过 {PLEDGE_MAX_CHARS} 字（现为 {len(text)} 字）。", field="text")
    targets = {
        "target_proposals": _target(target_proposals, "target_proposals", "提交提案目标"),
        "target_activities": _target(target_activities, "target_activities", "参加会议活动目标"),
        "target_opinions": _target(target_opinions, "target_opinions", "报送社情民意目标"),
    }
    fields = ["text", *Pledge.TARGETS]
    with transaction.atomic():
        pledge = Pledge.objects.select_for_update().filter(member=member, year=year).first()
        before = audit.snapshot(pledge, fields) if pledge else {}
        now = timezone.now()
        if pledge is None:
            pledge = Pledge(member=member, organisation_id=member.organisation_id, year=year, created_at=now)
        pledge.text = text
        for k, v in targets.items():
            setattr(pledge, k, v)
        pledge.written_by = user
        pledge.updated_at = now
        pledge.save()
        audit.record(
            user,
            "members.pledge_save",
            pledge,
            before=before,
            after=audit.snapshot(pledge, fields) | {"member_id": member.pk, "year": year},
            organisation=member.organisation,
        )
        if member.user_id != user.pk:
            notify(
                [member.user],
                f"机关工作人员已代您填写{year}年度履职承诺",
                "请在一员一档中查看，如需调整可自行修改。",
                url=reverse("performance:member", args=[member.pk]) + f"?year={year}#pledge",
                category="members",
            )
    return pledge
