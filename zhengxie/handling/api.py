"""The spine over the API: the unit inbox across kinds, the 督办 board figures and the unit figures.

`GET /api/v1/inbox?kind=&light=&status=&q=&page=` → {items: [{kind, id, title, deadline, light, status, url,
…}], count}: for a unit user what their unit owes; for staff, leaders and system administrators the same
across their organisation's subtree, or one unit with `unit=`.
"""

from __future__ import annotations

import datetime

from ninja import Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from zhengxie.core.errors import Forbidden

from . import rules as r
from . import selectors, services

router = Router(tags=["交办"])


class UnitRef(Schema):
    id: int
    name: str


class InboxRow(Schema):
    kind: str
    kind_label: str
    id: int
    case_id: int
    assignment_id: int
    label: str
    title: str
    deadline: datetime.date | None
    overdue: bool
    light: str | None
    status: str
    stage: str
    role: str
    role_label: str
    unit: UnitRef
    acknowledged: bool
    change_pending: bool
    url: str


class _Rows:
    def __init__(self, qs):
        self.qs = qs

    def count(self):
        return self.qs.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, item):
        return [selectors.InboxItem(a).as_dict() for a in self.qs[item]]


def _need_inbox(user):
    if not (r.is_unit_user(user) or r.can_supervise(user)):
        raise Forbidden("只有承办单位、督办部门和领导可以查看交办事项。")


@router.get("/inbox", response=list[InboxRow], summary="承办工作台：本单位待办的各类交办事项（分页，可筛选）")
@paginate(PageNumberPagination, page_size=20)
def inbox(
    request,
    kind: str = "",
    light: str = "",
    status: str = "",
    q: str = "",
    unit: int | None = None,
    sort: str = "deadline",
):
    _need_inbox(request.user)
    qs = selectors.inbox(request.user, kind=kind, light=light, status=status, q=q, unit=unit, sort=sort)
    return _Rows(qs)


class BoardTotals(Schema):
    red: int
    yellow: int
    green: int
    none: int
    total: int
    unacknowledged: int


class BoardUnit(BoardTotals):
    unit_id: int
    name: str
    short_name: str


class BoardKind(Schema):
    kind: str
    label: str
    count: int


class BoardOut(Schema):
    totals: BoardTotals
    units: list[BoardUnit]
    kinds: list[BoardKind]


@router.get("/handling/board", response=BoardOut, summary="督办台：在办事项按督办灯、承办单位、类型统计")
def board(request, kind: str = "", unit: int | None = None):
    if not r.can_supervise(request.user):
        raise Forbidden("只有督办部门、领导和系统管理员可以查看督办台。")
    return selectors.board(request.user, kind=kind, unit=unit)


class UnitFigure(Schema):
    unit_id: int
    name: str
    assigned: int
    owed: int
    replied: int
    on_time: int
    on_time_rate: float | None
    rehandled: int
    rated: int
    good: int
    satisfaction: float | None


@router.get(
    "/handling/units", response=list[UnitFigure], summary="各承办单位办理情况（按期答复率、满意率、重新办理）"
)
def unit_figures(request, kind: str = "", year: int | None = None):
    if not r.can_supervise(request.user):
        raise Forbidden("只有督办部门、领导和系统管理员可以查看承办单位办理情况。")
    return selectors.unit_figures(request.user, kind=kind, year=year)


class RemindIn(Schema):
    case_ids: list[int]
    note: str = ""


class RemindOut(Schema):
    reminded: int


@router.post("/handling/remind", response=RemindOut, summary="批量催办（督办台）")
def remind(request, payload: RemindIn):
    return {
        "reminded": services.cases_remind(user=request.user, case_ids=payload.case_ids, note=payload.note)
    }
