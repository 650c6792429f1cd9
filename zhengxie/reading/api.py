"""书香政协 JSON API under /api/v1:

GET  /reading/books?year=        this year's recommended books of the caller's committee
POST /reading/books              {title, author?, category?, summary?, year?} (staff) → 201
POST /reading/check-ins          {book_id, read_on?, minutes?, note?, shared?} (a member) → 201
GET  /reading/check-ins          the caller's own check-ins (latest first)
"""

from __future__ import annotations

import datetime

from django.utils import timezone
from ninja import Router, Schema

from . import selectors, services

router = Router(tags=["书香政协"])


class BookIn(Schema):
    title: str
    author: str = ""
    category: str = ""
    summary: str = ""
    year: int | None = None


class BookOut(Schema):
    id: int
    year: int
    title: str
    author: str
    category: str
    summary: str
    readers: int = 0


class CheckInIn(Schema):
    book_id: int
    read_on: datetime.date | None = None
    minutes: int = 0
    note: str = ""
    shared: bool = True


class CheckInOut(Schema):
    id: int
    book_id: int
    book: str
    read_on: datetime.date
    minutes: int
    is_note: bool
    shared: bool

    @staticmethod
    def resolve_book(obj):
        return obj.book.title


@router.get("/reading/books", response=list[BookOut], summary="书香政协：本级政协的推荐书目")
def list_books(request, year: int | None = None):
    this = timezone.localdate().year
    y = year if year is not None and 2000 <= year <= this + 1 else this
    return list(selectors.books(request.user, y)[:500])


@router.post("/reading/books", response={201: BookOut}, summary="添加推荐书目（机关工作人员）")
def add_book(request, payload: BookIn):
    return 201, services.add_book(request.user, **payload.dict())


@router.post(
    "/reading/check-ins", response={201: CheckInOut}, summary="读书打卡（委员本人；笔记达到字数计入履职）"
)
def check_in(request, payload: CheckInIn):
    d = payload.dict()
    return 201, services.check_in(request.user, book=d.pop("book_id"), **d)


@router.get("/reading/check-ins", response=list[CheckInOut], summary="我的读书打卡")
def my_check_ins(request):
    return selectors.my_logs(services.member_of(request.user), limit=200)
