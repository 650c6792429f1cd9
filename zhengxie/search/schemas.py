"""API schemas of the 疑似重复 groups (search.duplicates), shared by the proposals, opinions and suggestions
routers: GET /api/v1/{proposals|opinions|suggestions}/duplicate-groups."""

from __future__ import annotations

import datetime

from ninja import Schema
from pydantic import Field


class DuplicateItemOut(Schema):
    id: int
    title: str
    author: str = Field("", description="提案人/作者/建议人（微建议为称呼，可为空）")
    at: datetime.datetime | None = Field(None, description="提交时间")
    status: str
    status_label: str
    detail: str = ""
    score: float = Field(description="与组内其他事项的最高相似度（0..1）")
    url: str


class DuplicateGroupOut(Schema):
    main: int = Field(description="建议的主事项（其余并入它）")
    main_reason: str
    phrases: list[str] = Field(description="共同关键词")
    score: float
    items: list[DuplicateItemOut]
    references: list[DuplicateItemOut] = Field(description="往年或已处理的相近事项，仅供参考，不能合并")


class DuplicateGroupsOut(Schema):
    groups: list[DuplicateGroupOut]
    pending: int = Field(description="尚未比对的待处理事项数（稍后再取）")
    waiting: int = Field(description="待处理事项总数")


class MergeGroupIn(Schema):
    main: int
    others: list[int]
    reason: str = ""
