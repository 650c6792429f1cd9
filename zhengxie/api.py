"""The JSON API: /api/v1/..., OpenAPI docs at /api/docs. Each app contributes `router` in its api.py."""

import importlib

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.renderers import JSONRenderer

from zhengxie.core import apicontract
from zhengxie.core.apiauth import BearerAuth, SessionAuth
from zhengxie.core.errors import ServiceError


class ChineseJSONRenderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}


# Pydantic's messages are English; the common ones get a Chinese wording.
PYDANTIC_ZH = {
    "missing": "必填",
    "string_too_long": "过长",
    "string_too_short": "过短或为空",
    "int_parsing": "须为整数",
    "int_type": "须为整数",
    "float_parsing": "须为数字",
    "bool_parsing": "须为 true 或 false",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD",
    "date_parsing": "日期格式应为 YYYY-MM-DD",
    "datetime_parsing": "时间格式有误",
    "enum": "取值不在允许范围内",
    "literal_error": "取值不在允许范围内",
    "list_type": "须为列表",
    "string_type": "须为文本",
    "json_invalid": "JSON 格式有误",
    "model_attributes_type": "格式有误",
    "dict_type": "须为对象",
    "less_than_equal": "数值过大",
    "greater_than_equal": "数值过小",
    "int_from_float": "须为整数",
}


api = NinjaAPI(
    renderer=ChineseJSONRenderer(),
    title="智慧政协履职平台 API",
    version="1",
    description="所有接口位于 /api/v1 之下；先 POST /api/v1/auth/token 取得令牌，"
    "再以 `Authorization: Bearer <token>` 调用。错误以 JSON 返回，`detail` 为中文说明。",
    auth=[BearerAuth(), SessionAuth()],
    docs_url="/docs",
    openapi_url="/openapi.json",
    urls_namespace="api",
)


def _detail(request, message, status, **extra):
    return api.create_response(request, {"detail": message, **extra}, status=status)


@api.exception_handler(ServiceError)
def service_error(request, exc: ServiceError):
    extra = {"code": exc.code} if exc.code else {}
    if exc.field:
        extra["field"] = exc.field
    return _detail(request, exc.message, exc.status, **extra)


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    parts = []
    for e in exc.errors:
        loc = ".".join(str(x) for x in e.get("loc", []) if x not in ("body", "query", "path", "payload"))
        msg = PYDANTIC_ZH.get(e.get("type", ""), e.get("msg", ""))
        parts.append(f"{loc}：{msg}" if loc else msg)
    return _detail(request, "输入有误：" + "；".join(parts), 422, errors=exc.errors)


@api.exception_handler(AuthenticationError)
def auth_error(request, exc):
    return _detail(request, "未登录或令牌无效。", 401)


@api.exception_handler(Http404)
def not_found(request, exc):
    return _detail(request, getattr(exc, "message", "") or "未找到。", 404)


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    return _detail(request, str(exc) or "无权执行此操作。", 403)


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    return _detail(request, str(exc), exc.status_code)


for app in [
    "core",
    "members",
    "handling",
    "proposals",
    "opinions",
    "studios",
    "suggestions",
    "consultation",
    "keytasks",
    "supervision",
    "appraisal",
    "research",
    "yearbook",
    "reading",
    "activities",
    "performance",
    "dashboard",
    "routing",
    "drafting",
    "hottopics",
]:
    try:
        module = importlib.import_module(f"zhengxie.{app}.api")
    except ModuleNotFoundError as exc:
        if exc.name != f"zhengxie.{app}.api":
            raise
        continue
    api.add_router("/v1", module.router)

# The contract every operation gets (core.apicontract): integers bounded, error answers declared in the
# OpenAPI document, Idempotency-Key on POSTs.
apicontract.apply(api)
