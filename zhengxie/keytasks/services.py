"""Every change to 重点工作: the 办公室 creates and edits the year's list (category, owner, leader, time
table, milestones); the owner (or the 办公室) reports progress; the light follows each report and the
daily job (`refresh`). Each service checks who may (rules.py), runs in one transaction, writes its audit
entry last and tells whoever must act next."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from zhengxie.core import audit, orgsettings
from zhengxie.core.errors import Conflict, Forbidden, Invalid, NotFound
from zhengxie.core.models import Counter, Office, Role, User
from zhengxie.core.notifications import notify
from zhengxie.core.numbering import next_number
from zhengxie.core.uploads import save_attachment

from . import progress, rules
from .models import Category, KeyTask, Light, Milestone, ProgressReport

orgsettings.register("keytasks.yellow_gap", 10, "重点工作：落后序时进度超过该百分点亮黄灯")
orgsettings.register("keytasks.red_gap", 25, "重点工作：落后序时进度超过该百分点亮红灯")

MAX_MILESTONES = 20
LIGHT_WORDS = {Light.YELLOW: "黄灯（落后于序时进度）", Light.RED: "红灯（严重滞后或已超期）"}


# --- checks the forms call too --------------------------------------------------------------------------


def _text(value, name: str, *, field: str, required=True, limit: int | None = None) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise Invalid(f"{name}格式不正确。", field=field)
    value = value.strip()
    if required and not value:
        raise Invalid(f"请填写{name}。", field=field)
    if limit and len(value) > limit:
        raise Invalid(f"{name}不能超过{limit}字。", field=field)
    return value


def check_year(year) -> int:
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise Invalid("年度格式不正确。", field="year")
    if not 2000 <= year <= 2100:
        raise Invalid("年度须在2000至2100年之间。", field="year")
    return year


def _date(value, name: str, field: str) -> datetime.date:
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str) and value.strip():
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise Invalid(f"请填写{name}（格式 YYYY-MM-DD）。", field=field)


def check_percent(value) -> int:
    if isinstance(value, bool):
        raise Invalid("进度须为0至100之间的整数。", field="percent")
    try:
        value = int(value)
    except (TypeError, ValueError):
        raise Invalid("进度须为0至100之间的整数。", field="percent")
    if value > 100:
        raise Invalid("进度不能超过100%。", field="percent")
    if value < 0:
        raise Invalid("进度不能小于0。", field="percent")
    return value


def _user(value, organisation, *, role: str, name: str, field: str, required=True):
    if value in (None, "", 0):
        if required:
            raise Invalid(f"请选择{name}。", field=field)
        return None
    pk = getattr(value, "pk", value)
    found = None
    if str(pk).isdigit():
        found = User.objects.filter(pk=int(pk), is_active=True, organisation_id=organisation.pk).first()
    if found is None or not found.has_role(role):
        who = "本级政协机关工作人员" if role == Role.STAFF else "本级政协领导"
        raise Invalid(f"{name}须为{who}。", field=field)
    return found


def default_unit(owner) -> str:
    """The owner's unit when none is given: 办公室, or the office they work in."""
    if owner.works_in(Office.GENERAL):
        return "办公室"
    if owner.office:
        return Office(owner.office).label.split("/")[0]
    return "办公室"


def check_milestones(rows, starts_on, due_on) -> list[dict]:
    """[{id?, title, due_on, done_on?}] cleaned: each with a title and a date within the time table."""
    rows = list(rows or [])
    out = []
    for i, row in enumerate(rows, 1):
        if not isinstance(row, dict):
            raise Invalid(f"第{i}个节点格式不正确。", field="milestones")
        title = row.get("title")
        if not (title or "").strip() and not row.get("due_on"):
            continue  # an empty row of the form
        title = _text(title, f"第{i}个节点的名称", field="milestones", limit=200)
        day = _date(row.get("due_on"), f"第{i}个节点的时间", "milestones")
        if day < starts_on or day > due_on:
            raise Invalid(
                f"第{i}个节点“{title}”的时间须在任务的开始日期与完成时限之间"
                f"（{starts_on:%Y-%m-%d} 至 {due_on:%Y-%m-%d}）。",
                field="milestones",
            )
        done_on = row.get("done_on")
        out.append(
            {
                "id": row.get("id"),
                "title": title,
                "due_on": day,
                "done_on": _date(done_on, "节点完成日期", "milestones") if done_on else None,
            }
        )
    if len(out) > MAX_MILESTONES:
        raise Invalid(f"节点最多{MAX_MILESTONES}个。", field="milestones")
    return out


# --- helpers ---------------------------------------------------------------------------------------------


def url(task) -> str:
    return reverse("keytasks:detail", args=[task.pk])


def _load(user, task, *, lock=True) -> KeyTask:
    """The task, row-locked, if the user may see it; else 404."""
    pk = getattr(task, "pk", task)
    t = None
    if str(pk).isdigit() and int(pk) < 2**53:
        qs = KeyTask.objects.select_related("organisation", "category", "owner", "leader")
        if lock:
            qs = qs.select_for_update(of=("self",))
        t = qs.filter(pk=int(pk)).first()
    if t is None or not rules.can_view(user, t):
        raise NotFound("未找到该重点工作任务。")
    return t


def _category(organisation, year: int, name) -> Category:
    name = _text(name, "类别", field="category", limit=60)
    cat = Category.objects.filter(organisation=organisation, year=year, name=name).first()
    if cat is None:
        last = Category.objects.filter(organisation=organisation, year=year).aggregate(m=Max("order"))["m"]
        cat = Category.objects.create(organisation=organisation, year=year, name=name, order=(last or 0) + 1)
    return cat


def _next_number(organisation, year: int) -> int:
    """The next number of the organisation's year (core.numbering: concurrent creators queue on the
    counter's row); past any number given otherwise (rows loaded in bulk)."""
    key = f"keytasks.{year}"
    n = next_number(organisation, key)
    last = KeyTask.objects.filter(organisation=organisation, year=year).aggregate(m=Max("number"))["m"] or 0
    if n <= last:
        n = last + 1
        Counter.objects.filter(organisation=organisation, key=key).update(value=n)
    return n


def _gaps(organisation) -> tuple[int, int]:
    return (
        int(orgsettings.get(organisation, "keytasks.yellow_gap")),
        int(orgsettings.get(organisation, "keytasks.red_gap")),
    )


def compute_light(task: KeyTask, milestones, today, gaps=None) -> str:
    yellow, red = gaps or _gaps(task.organisation)
    return progress.light(
        percent=task.percent,
        done=task.is_done,
        starts_on=task.starts_on,
        due_on=task.due_on,
        today=today,
        overdue_milestones=sum(1 for m in milestones if m.overdue(today)),
        yellow_gap=yellow,
        red_gap=red,
    )


def apply_light(task: KeyTask, milestones, today, gaps=None) -> bool:
    """Set the task's light for today; when it turned worse than what its owner and leader were last told,
    tell them (once per change). Returns whether the row changed (the caller saves it)."""
    new = compute_light(task, milestones, today, gaps)
    before = (task.light, task.notified_light, task.light_checked_on)
    task.light, task.light_checked_on = new, today
    if progress.SEVERITY[new] > progress.SEVERITY[task.notified_light]:
        notify(
            [task.owner, task.leader],
            f"重点工作亮{'红' if new == Light.RED else '黄'}灯：{task.title}",
            f"当前进度 {task.percent}%，序时进度 {progress.expected_percent(task.starts_on, task.due_on, today)}%，"
            f"完成时限 {task.due_on:%Y年%m月%d日}。已亮{LIGHT_WORDS[new]}，请加快推进并及时报送进展。",
            url=url(task),
            category="keytasks",
        )
    task.notified_light = new
    return before != (task.light, task.notified_light, task.light_checked_on)


def _save(task: KeyTask, *fields) -> None:
    task.updated_at = timezone.now()
    task.save(update_fields=[*fields, "updated_at"])


def _sync_milestones(task: KeyTask, rows: list[dict]) -> list[Milestone]:
    """Make the task's milestones these rows: rows with an id update that milestone, the others are new,
    milestones not named are removed."""
    existing = {m.pk: m for m in task.milestones.all()}
    keep = []
    for row in rows:
        m = existing.get(int(row["id"])) if str(row.get("id") or "").isdigit() else None
        if m is None:
            m = Milestone(task=task)
        m.title, m.due_on = row["title"], row["due_on"]
        if "done_on" in row and row["done_on"] is not None:
            m.done_on = row["done_on"]
        m.save()
        keep.append(m)
    kept = {m.pk for m in keep}
    Milestone.objects.filter(task=task).exclude(pk__in=kept).delete()
    return sorted(keep, key=lambda m: (m.due_on, m.pk))


def _snapshot(task: KeyTask) -> dict:
    return {
        "year": task.year,
        "number": task.number,
        "category": task.category.name,
        "title": task.title,
        "owner": task.owner_id,
        "owner_unit": task.owner_unit,
        "leader": task.leader_id,
        "starts_on": str(task.starts_on),
        "due_on": str(task.due_on),
        "percent": task.percent,
        "status": task.status,
        "light": task.light,
    }


# --- the list --------------------------------------------------------------------------------------------


def create(
    user,
    *,
    year,
    category,
    title,
    owner,
    due_on,
    milestones=(),
    description="",
    owner_unit="",
    leader=None,
    starts_on=None,
    organisation=None,
) -> KeyTask:
    organisation = organisation or user.organisation
    if not rules.is_office(user, organisation):
        raise Forbidden("只有本级政协办公室工作人员可以制定重点工作任务。")
    year = check_year(year)
    title = _text(title, "任务名称", field="title", limit=200)
    description = _text(description, "目标与要求", field="description", required=False, limit=5000)
    starts_on = _date(starts_on, "开始日期", "starts_on") if starts_on else datetime.date(year, 1, 1)
    due_on = _date(due_on, "完成时限", "due_on")
    if due_on < starts_on:
        raise Invalid("完成时限不能早于开始日期。", field="due_on")
    rows = check_milestones(milestones, starts_on, due_on)
    owner = _user(owner, organisation, role=Role.STAFF, name="责任人", field="owner")
    leader = _user(leader, organisation, role=Role.LEADER, name="分管领导", field="leader", required=False)
    unit = _text(owner_unit, "责任部门", field="owner_unit", required=False, limit=60) or default_unit(owner)
    today = timezone.localdate()
    with transaction.atomic():
        cat = _category(organisation, year, category)
        task = KeyTask.objects.create(
            organisation=organisation,
            year=year,
            category=cat,
            number=_next_number(organisation, year),
            title=title,
            description=description,
            owner=owner,
            owner_unit=unit,
            leader=leader,
            starts_on=starts_on,
            due_on=due_on,
            created_by=user,
        )
        ms = _sync_milestones(task, [{**r, "id": None} for r in rows])
        apply_light(task, ms, today)
        _save(task, "light", "notified_light", "light_checked_on")
        notify(
            [owner],
            f"您有一项重点工作任务：{title}",
            f"{year}年重点工作（{cat.name}），完成时限 {due_on:%Y年%m月%d日}。请按时间表推进并报送进展。",
            url=url(task),
            category="keytasks",
        )
        audit.record(user, "keytasks.create", task, after=_snapshot(task), organisation=organisation)
    return task


UNSET = object()


def update(
    user,
    task,
    *,
    category=UNSET,
    title=UNSET,
    description=UNSET,
    owner=UNSET,
    owner_unit=UNSET,
    leader=UNSET,
    starts_on=UNSET,
    due_on=UNSET,
    milestones=UNSET,
) -> KeyTask:
    """Change what is given (the 办公室); milestones, when given, replace the list (rows with an id keep
    that milestone and its done date)."""
    with transaction.atomic():
        t = _load(user, task)
        if not rules.can_edit(user, t):
            raise Forbidden("只有本级政协办公室工作人员可以修改重点工作任务。")
        before = _snapshot(t)
        if title is not UNSET:
            t.title = _text(title, "任务名称", field="title", limit=200)
        if description is not UNSET:
            t.description = _text(description, "目标与要求", field="description", required=False, limit=5000)
        if starts_on is not UNSET:
            t.starts_on = (
                _date(starts_on, "开始日期", "starts_on") if starts_on else datetime.date(t.year, 1, 1)
            )
        if due_on is not UNSET:
            t.due_on = _date(due_on, "完成时限", "due_on")
        if t.due_on < t.starts_on:
            raise Invalid("完成时限不能早于开始日期。", field="due_on")
        if owner is not UNSET:
            new_owner = _user(owner, t.organisation, role=Role.STAFF, name="责任人", field="owner")
            changed_owner = new_owner.pk != t.owner_id
            t.owner = new_owner
        else:
            changed_owner = False
        if leader is not UNSET:
            t.leader = _user(
                leader, t.organisation, role=Role.LEADER, name="分管领导", field="leader", required=False
            )
        if owner_unit is not UNSET:
            t.owner_unit = _text(
                owner_unit, "责任部门", field="owner_unit", required=False, limit=60
            ) or default_unit(t.owner)
        if category is not UNSET:
            t.category = _category(t.organisation, t.year, category)
        if milestones is not UNSET:
            ms = _sync_milestones(t, check_milestones(milestones, t.starts_on, t.due_on))
        else:
            ms = list(t.milestones.all())
            if any(m.due_on < t.starts_on or m.due_on > t.due_on for m in ms):
                raise Invalid("已有节点的时间超出了新的时间表，请一并调整节点。", field="milestones")
        apply_light(t, ms, timezone.localdate())
        _save(
            t,
            "title",
            "description",
            "starts_on",
            "due_on",
            "owner",
            "leader",
            "owner_unit",
            "category",
            "light",
            "notified_light",
            "light_checked_on",
        )
        if changed_owner:
            notify(
                [t.owner],
                f"您有一项重点工作任务：{t.title}",
                f"{t.year}年重点工作（{t.category.name}）已交由您负责，完成时限 {t.due_on:%Y年%m月%d日}。",
                url=url(t),
                category="keytasks",
            )
        audit.record(
            user, "keytasks.update", t, before=before, after=_snapshot(t), organisation=t.organisation
        )
    return t


# --- progress --------------------------------------------------------------------------------------------


def report(user, task, *, percent, note, reason="", evidence=None, milestones_done=()) -> ProgressReport:
    """The owner's (or the 办公室's) progress report: the new percent (0-100; going back needs a reason),
    what was done, optional evidence and the milestones now done. 100% completes the task; a completed
    task is reopened only by going back with a reason."""
    with transaction.atomic():
        t = _load(user, task)
        if not rules.can_report(user, t):
            raise Forbidden("只有该任务的责任人或本级政协办公室可以报送进展。")
        percent = check_percent(percent)
        note = _text(note, "进展情况", field="note", limit=5000)
        reason = _text(reason, "回退原因", field="reason", required=False, limit=2000)
        if t.is_done and percent >= t.percent:
            raise Conflict("该任务已完成；如需调整进度，请填写回退原因并报送较低的进度。", code="done")
        if percent < t.percent and not reason:
            raise Invalid(
                f"进度由{t.percent}%回退到{percent}%，请说明回退原因。",
                field="reason",
                code="reason_required",
            )
        today = timezone.localdate()
        ms = list(t.milestones.all())
        by_id = {m.pk: m for m in ms}
        done_ids = set()
        for value in milestones_done or ():
            pk = getattr(value, "pk", value)
            if not str(pk).isdigit() or int(pk) not in by_id:
                raise Invalid("所选节点不属于该任务。", field="milestones_done")
            done_ids.add(int(pk))
        attachment = None
        if evidence is not None:
            attachment = save_attachment(evidence, target=t, user=user, purpose="keytask_evidence")
        for pk in done_ids:
            m = by_id[pk]
            if m.done_on is None:
                m.done_on = today
                m.save(update_fields=["done_on"])
        before = {"percent": t.percent, "status": t.status, "light": t.light}
        previous = t.percent
        t.percent = percent
        now = timezone.now()
        if percent == 100:
            t.status, t.done_at = KeyTask.Status.DONE, now
        elif t.is_done:
            t.status, t.done_at = KeyTask.Status.IN_PROGRESS, None
        t.last_reported_at = now
        apply_light(t, ms, today)
        _save(
            t,
            "percent",
            "status",
            "done_at",
            "last_reported_at",
            "light",
            "notified_light",
            "light_checked_on",
        )
        r = ProgressReport.objects.create(
            task=t,
            percent=percent,
            previous=previous,
            note=note,
            reason=reason,
            expected=progress.expected_percent(t.starts_on, t.due_on, today),
            light=t.light,
            evidence=attachment,
            reported_by=user,
            at=now,
        )
        if t.is_done and before["status"] != t.status:
            notify(
                [t.leader, *([t.owner] if t.owner_id != user.pk else [])],
                f"重点工作已完成：{t.title}",
                note[:200],
                url=url(t),
                category="keytasks",
            )
        audit.record(
            user,
            "keytasks.report",
            t,
            before=before,
            after={"percent": t.percent, "status": t.status, "light": t.light, "report": r.pk},
            organisation=t.organisation,
        )
    return r


# --- the daily check ------------------------------------------------------------------------------------


def refresh(today=None) -> dict:
    """Every open task's light for today (and done ones still showing another light); owners and leaders
    are told when a task turns yellow or red. One transaction per 200 tasks."""
    from django.db.models import Prefetch, Q

    today = today or timezone.localdate()
    gaps: dict[int, tuple[int, int]] = {}
    checked = changed = 0
    ids = list(
        KeyTask.objects.filter(
            Q(status=KeyTask.Status.IN_PROGRESS) | ~Q(light=Light.GREEN) | ~Q(notified_light=Light.GREEN)
        )
        .order_by("id")
        .values_list("id", flat=True)
    )
    for start in range(0, len(ids), 200):
        with transaction.atomic():
            tasks = (
                KeyTask.objects.filter(pk__in=ids[start : start + 200])
                .select_related("organisation", "owner", "leader")
                .prefetch_related(Prefetch("milestones", queryset=Milestone.objects.order_by("due_on", "id")))
                .order_by("id")
            )
            dirty = []
            for t in tasks:
                if t.organisation_id not in gaps:
                    gaps[t.organisation_id] = _gaps(t.organisation)
                checked += 1
                old = t.light
                if apply_light(t, list(t.milestones.all()), today, gaps[t.organisation_id]):
                    dirty.append(t)
                    changed += old != t.light
            KeyTask.objects.bulk_update(dirty, ["light", "notified_light", "light_checked_on"])
    return {"checked": checked, "changed": changed}
