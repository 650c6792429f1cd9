"""重点工作 JSON API under /api/v1 (stable contract of issue 12):

    GET  /key-tasks?year=&category=&light=&owner=&status=&q=&page=   the list (paged)
    POST /key-tasks   {year, category, title, owner, due_on, milestones: [{title, due_on}]} → 201
    GET  /key-tasks/{id}
    POST /key-tasks/{id}/progress   {percent, note}  (+ reason when going back, milestones_done)
    POST /key-tasks/{id}/progress/upload   the same as multipart/form-data with an evidence file

Extensions: description, owner_unit, leader, starts_on on POST; PATCH /key-tasks/{id} (the 办公室);
GET /key-tasks/board?year= (the leader's board). A task exposes `expected_percent` (序时进度 today) and
`light` (green / yellow / red). Invisible → 404, forbidden → 403, bad input → 422, a done task reported
done again → 409.
"""

from __future__ import annotations

import datetime
from typing import Literal

from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import PageNumberPagination, paginate

from zhengxie.core.pagination import Rows

from . import rules, selectors, services
from .models import KeyTask

router = Router(tags=["重点工作"])

LightName = Literal["green", "yellow", "red"]


class KeyTaskMilestoneIn(Schema):
    title: str
    due_on: datetime.date
    # Extension (PATCH): keep an existing milestone (and its done date) by its id.
    id: int | None = None


class KeyTaskIn(Schema):
    year: int
    category: str
    title: str
    owner: int
    due_on: datetime.date
    milestones: list[KeyTaskMilestoneIn] = []
    # Extensions.
    description: str | None = None
    owner_unit: str | None = None
    leader: int | None = None
    starts_on: datetime.date | None = None


class KeyTaskPatch(Schema):
    category: str | None = None
    title: str | None = None
    owner: int | None = None
    due_on: datetime.date | None = None
    milestones: list[KeyTaskMilestoneIn] | None = None
    description: str | None = None
    owner_unit: str | None = None
    leader: int | None = None
    starts_on: datetime.date | None = None


class KeyTaskProgressIn(Schema):
    percent: int
    note: str
    # Extensions: why the percent goes back (required then), milestones now done.
    reason: str | None = None
    milestones_done: list[int] = []


class KeyTaskProgressForm(Schema):
    percent: int
    note: str
    reason: str = ""
    # Comma-separated milestone ids.
    milestones_done: str = ""


class KeyTaskUser(Schema):
    id: int
    name: str


class KeyTaskMilestone(Schema):
    id: int
    title: str
    due_on: datetime.date
    done_on: datetime.date | None = None
    overdue: bool


class KeyTaskReport(Schema):
    id: int
    percent: int
    previous: int
    note: str
    reason: str
    expected_percent: int
    light: LightName
    reported_by: KeyTaskUser
    at: datetime.datetime
    evidence: str | None = None


class KeyTaskRow(Schema):
    id: int
    organisation_id: int
    year: int
    number: int
    category: str
    category_id: int
    title: str
    owner: int
    owner_name: str
    owner_unit: str
    leader: int | None = None
    leader_name: str = ""
    starts_on: datetime.date
    due_on: datetime.date
    percent: int
    expected_percent: int
    status: Literal["in_progress", "done"]
    light: LightName
    last_reported_at: datetime.datetime | None = None
    done_at: datetime.datetime | None = None


class KeyTaskDetail(KeyTaskRow):
    description: str
    milestones: list[KeyTaskMilestone]
    reports: list[KeyTaskReport]
    actions: list[str]


class KeyTaskBoardCategory(Schema):
    name: str
    total: int
    done: int
    green: int
    yellow: int
    red: int
    behind: int


class KeyTaskBoard(Schema):
    year: int
    categories: list[KeyTaskBoardCategory]
    totals: dict[str, int]
    sentence: str


def row(t: KeyTask) -> dict:
    return {
        "id": t.pk,
        "organisation_id": t.organisation_id,
        "year": t.year,
        "number": t.number,
        "category": t.category.name,
        "category_id": t.category_id,
        "title": t.title,
        "owner": t.owner_id,
        "owner_name": t.owner.name,
        "owner_unit": t.owner_unit,
        "leader": t.leader_id,
        "leader_name": t.leader.name if t.leader_id else "",
        "starts_on": t.starts_on,
        "due_on": t.due_on,
        "percent": t.percent,
        "expected_percent": t.expected_percent,
        "status": t.status,
        "light": t.light,
        "last_reported_at": t.last_reported_at,
        "done_at": t.done_at,
    }


def actions(user, t: KeyTask) -> list[str]:
    out = []
    if rules.can_report(user, t):
        out.append("progress")
    if rules.can_edit(user, t):
        out.append("edit")
    return out


def detail(user, t: KeyTask) -> dict:
    from django.urls import reverse
    from django.utils import timezone

    today = timezone.localdate()
    return {
        **row(t),
        "description": t.description,
        "milestones": [
            {
                "id": m.pk,
                "title": m.title,
                "due_on": m.due_on,
                "done_on": m.done_on,
                "overdue": m.overdue(today),
            }
            for m in t.milestones.all()
        ],
        "reports": [
            {
                "id": r.pk,
                "percent": r.percent,
                "previous": r.previous,
                "note": r.note,
                "reason": r.reason,
                "expected_percent": r.expected,
                "light": r.light,
                "reported_by": {"id": r.reported_by_id, "name": r.reported_by.name},
                "at": r.at,
                "evidence": reverse("core:attachment", args=[r.evidence_id]) if r.evidence_id else None,
            }
            for r in t.reports.all()
        ],
        "actions": actions(user, t),
    }


def _full(request, pk) -> dict:
    return detail(request.user, selectors.get(request.user, pk, full=True))


@router.get(
    "/key-tasks",
    response=list[KeyTaskRow],
    summary="重点工作列表（本级及下级；分页；可按年度、类别、亮灯、责任人筛选）",
)
@paginate(PageNumberPagination, page_size=30)
def list_key_tasks(
    request,
    year: int | None = None,
    category: str = "",
    light: str = "",
    owner: int | None = None,
    status: str = "",
    q: str = "",
):
    if year is not None:
        year = services.check_year(year)
    return Rows(
        selectors.task_list(
            request.user, year=year, category=category, light=light, owner=owner, status=status, q=q
        ),
        row,
    )


@router.post("/key-tasks", response={201: KeyTaskDetail}, summary="新建重点工作任务（本级政协办公室）")
def create_key_task(request, payload: KeyTaskIn):
    t = services.create(
        request.user,
        year=payload.year,
        category=payload.category,
        title=payload.title,
        owner=payload.owner,
        due_on=payload.due_on,
        milestones=[m.dict() for m in payload.milestones],
        description=payload.description or "",
        owner_unit=payload.owner_unit or "",
        leader=payload.leader,
        starts_on=payload.starts_on,
    )
    return 201, _full(request, t.pk)


@router.get(
    "/key-tasks/board", response=KeyTaskBoard, summary="重点工作看板：各类别完成、按序时推进、滞后的项数"
)
def key_task_board(request, year: int | None = None):
    from django.utils import timezone

    from zhengxie.core.errors import NotFound

    if not rules.may_list(request.user):
        raise NotFound("未找到。")
    return selectors.board(request.user, services.check_year(year or timezone.localdate().year))


@router.get("/key-tasks/{int:task_id}", response=KeyTaskDetail, summary="重点工作任务详情（节点、进展报送）")
def get_key_task(request, task_id: int):
    return _full(request, task_id)


@router.patch(
    "/key-tasks/{int:task_id}", response=KeyTaskDetail, summary="修改重点工作任务（本级政协办公室）"
)
def update_key_task(request, task_id: int, payload: KeyTaskPatch):
    given = payload.dict(exclude_unset=True)
    if "milestones" in given and given["milestones"] is None:
        given["milestones"] = []
    for key in ("category", "title", "owner", "due_on"):
        if key in given and given[key] is None:
            given.pop(key)
    services.update(request.user, task_id, **given)
    return _full(request, task_id)


@router.post(
    "/key-tasks/{int:task_id}/progress",
    response=KeyTaskDetail,
    summary="报送进展（责任人或本级政协办公室）：进度百分比与进展情况",
)
def report_progress(request, task_id: int, payload: KeyTaskProgressIn):
    services.report(
        request.user,
        task_id,
        percent=payload.percent,
        note=payload.note,
        reason=payload.reason or "",
        milestones_done=payload.milestones_done,
    )
    return _full(request, task_id)


@router.post(
    "/key-tasks/{int:task_id}/progress/upload",
    response=KeyTaskDetail,
    summary="报送进展并上传佐证材料（multipart/form-data；PDF、Word 或图片）",
)
def report_progress_upload(
    request, task_id: int, payload: Form[KeyTaskProgressForm], evidence: File[UploadedFile] = None
):
    ids = [x.strip() for x in (payload.milestones_done or "").split(",") if x.strip()]
    services.report(
        request.user,
        task_id,
        percent=payload.percent,
        note=payload.note,
        reason=payload.reason or "",
        evidence=evidence,
        milestones_done=ids,
    )
    return _full(request, task_id)
