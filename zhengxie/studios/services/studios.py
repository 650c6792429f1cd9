"""Studios (委员工作室): the 办公室 creates and edits them and assigns their members."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.urls import reverse

from zhengxie.core.errors import Conflict, Forbidden, Invalid
from zhengxie.core.notifications import notify
from zhengxie.members.models import Member

from .. import rules as r
from ..models import DutySlot, Studio
from .common import load, record, text, today
from .rota import REMOVABLE

FIELDS = ("name", "place", "opening_hours", "contact_rules", "active", "swap_needs_approval")


def check_studio(*, name, place="", opening_hours="", contact_rules="") -> dict:
    """The studio's texts, checked (the form calls this too)."""
    return {
        "name": text(name, "工作室名称", field="name", max_len=100),
        "place": text(place, "地点", field="place", max_len=200, required=False),
        "opening_hours": text(opening_hours, "开放时间", field="opening_hours", max_len=200, required=False),
        "contact_rules": text(
            contact_rules, "联系方式与接待规则", field="contact_rules", max_len=2000, required=False
        ),
    }


def check_members(organisation, member_ids) -> list[Member]:
    """The members named, all of this committee (a liaison group's studio takes its committee's members)."""
    try:
        ids = {int(i) for i in (member_ids or []) if str(i).strip()}
    except (TypeError, ValueError):
        raise Invalid("入驻委员有误。", field="member_ids")
    committee = getattr(organisation, "committee", organisation)
    found = list(
        Member.objects.filter(
            pk__in=ids, organisation_id__in={organisation.pk, committee.pk}, status=Member.Status.ACTIVE
        ).select_related("user")
    )
    if len(found) != len(ids):
        raise Invalid("入驻委员须为本级政协的在任委员。", field="member_ids")
    return found


def _snapshot(s: Studio, member_ids=None) -> dict:
    data = {f: getattr(s, f) for f in FIELDS}
    if member_ids is not None:
        data["members"] = sorted(member_ids)
    return data


def studio_create(*, user, member_ids=(), active=True, swap_needs_approval=False, **fields) -> Studio:
    if not r.is_studio_office(user, user.organisation):
        raise Forbidden("只有办公室工作人员可以新建委员工作室。")
    data = check_studio(**fields)
    organisation = user.organisation
    members = check_members(organisation, member_ids)
    with transaction.atomic():
        if Studio.objects.filter(organisation=organisation, name=data["name"]).exists():
            raise Conflict("本级已有同名的委员工作室。", field="name")
        try:
            with transaction.atomic():
                s = Studio.objects.create(
                    organisation=organisation,
                    created_by=user,
                    active=bool(active),
                    swap_needs_approval=bool(swap_needs_approval),
                    **data,
                )
        except IntegrityError:
            raise Conflict("本级已有同名的委员工作室。", field="name")
        s.members.set(members)
        record(user, "studio_create", s, after=_snapshot(s, [m.pk for m in members]))
        _tell_members(s, members, "您已入驻委员工作室")
    return s


def studio_update(
    *, user, studio, member_ids=None, active=None, swap_needs_approval=None, **fields
) -> Studio:
    with transaction.atomic():
        s = load(Studio, user, studio, may=r.can_view_studio)
        if not r.can_manage_studio(user, s):
            raise Forbidden("只有本级办公室工作人员可以修改委员工作室。")
        before_ids = set(s.members.values_list("pk", flat=True))
        before = _snapshot(s, before_ids)
        data = check_studio(
            **{f: fields.get(f, getattr(s, f)) for f in ("name", "place", "opening_hours", "contact_rules")}
        )
        if (
            data["name"] != s.name
            and Studio.objects.filter(organisation=s.organisation, name=data["name"]).exists()
        ):
            raise Conflict("本级已有同名的委员工作室。", field="name")
        for k, v in data.items():
            setattr(s, k, v)
        if active is not None:
            s.active = bool(active)
        if swap_needs_approval is not None:
            s.swap_needs_approval = bool(swap_needs_approval)
        s.save()
        after_ids = before_ids
        if member_ids is not None:
            members = check_members(s.organisation, member_ids)
            after_ids = {m.pk for m in members}
            s.members.set(members)
            _tell_members(s, [m for m in members if m.pk not in before_ids], "您已入驻委员工作室")
            # Members who left keep their past duty days; their coming ones at this studio are taken off.
            DutySlot.objects.filter(
                studio=s, member_id__in=before_ids - after_ids, day__gte=today(), status__in=REMOVABLE
            ).delete()
        record(user, "studio_update", s, before=before, after=_snapshot(s, after_ids))
    return s


def _tell_members(s: Studio, members, title: str) -> None:
    if members:
        notify(
            [m.user for m in members],
            f"{title}：{s.name}",
            "可在“我的工作室”查看值班安排和为民服务预约。",
            url=reverse("studios:mine"),
            category="studios",
        )
