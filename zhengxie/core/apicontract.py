"""The API's contract, applied once to the whole NinjaAPI (`apply(api)` in zhengxie/api.py, after every
app's router is added), so that a new operation gets it without anyone remembering to:

- every integer an operation reads (path, query, form and JSON body, nested schemas, lists, the
  paginator's `page`) is bounded to the JSON-safe range ±(2**53 - 1): a bigger one answers 422 with a
  Chinese detail instead of overflowing the database (a 500);
- every operation declares its error answers in the OpenAPI document ({"detail", "code", "field"}):
  403, 404, 409, 422 always, 401 where it needs a login and on the token endpoint (wrong credentials),
  429 on the token endpoint;
- `Idempotency-Key` (core.idempotency) on every POST.
"""

from __future__ import annotations

import types
from typing import Annotated, Union, get_args, get_origin

import annotated_types as at
from pydantic import BaseModel

MAX_INT = 2**53 - 1

ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "properties": {
        "detail": {"type": "string", "description": "中文说明"},
        "code": {"type": "string", "description": "机器可读的错误代码（如 control_characters）"},
        "field": {"type": "string", "description": "出错的字段"},
    },
    "required": ["detail"],
}
ERRORS = {
    "401": "未登录或令牌无效",
    "403": "无权执行此操作",
    "404": "对象不存在或无权查看",
    "409": "对象当前的状态不允许此操作",
    "422": "输入有误",
    "429": "登录失败次数过多，账号已被临时锁定",
}
BOUNDED = Annotated[int, at.Ge(-MAX_INT), at.Le(MAX_INT)]


def _bound(tp, seen: set):
    if tp is int:
        return BOUNDED
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        return Union[tuple(_bound(a, seen) for a in get_args(tp))]  # noqa: UP007
    if origin in (list, set, tuple, frozenset) and get_args(tp):
        args = tuple(_bound(a, seen) for a in get_args(tp))
        return origin[args] if origin is tuple else origin[args[0]]
    if origin is Annotated:
        inner, *meta = get_args(tp)
        return Annotated[(_bound(inner, seen), *meta)]
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        bound_model(tp, seen)
    return tp


def bound_model(model: type[BaseModel], seen: set | None = None) -> None:
    """Bound every int field of `model` (and of the models it nests), in place."""
    seen = set() if seen is None else seen
    if model in seen:
        return
    seen.add(model)
    for field in model.model_fields.values():
        new = _bound(field.annotation, seen)
        if new != field.annotation:
            field.annotation = new
    model.model_rebuild(force=True)  # nested models may have changed even when this one did not


def operations(api):
    for bound in api._get_bound_routers():
        for view in bound.path_operations.values():
            yield from view.operations


def bound_integers(api) -> None:
    seen: set = set()
    for op in operations(api):
        for model in op.models:
            bound_model(model, seen)


def _declare_errors(doc: dict) -> dict:
    doc.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    ref = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    for path, item in doc.get("paths", {}).items():
        for op in item.values():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            codes = ["403", "404", "409", "422"]
            if op.get("security") or path.endswith("/auth/token"):
                codes.append("401")  # the token endpoint: wrong password or second-factor code
            if path.endswith("/auth/token"):
                codes.append("429")
            for code in codes:
                op["responses"].setdefault(code, {"description": ERRORS[code], **ref})
    return doc


def apply(api) -> None:
    from .idempotency import idempotent, replay

    api.add_decorator(idempotent, mode="view")
    api.add_decorator(replay, mode="operation")
    bound_integers(api)
    original = api.get_openapi_schema

    def get_openapi_schema(*args, **kwargs):
        return _declare_errors(original(*args, **kwargs))

    api.get_openapi_schema = get_openapi_schema
