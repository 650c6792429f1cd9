"""Control characters are refused at the edge, once, for every app.

A NUL is refused by PostgreSQL (a 500), the other C0 controls break every document written from the
text (.xlsx, .docx: "cannot be used in worksheets"), and a lone surrogate cannot even be encoded. None of
them is anything a person types, so input carrying one is refused with a Chinese message (rather than
silently changed): tab, line feed and carriage return are allowed.

- The API (`/api/`): `ControlCharactersMiddleware` answers 422 `{"detail", "code": "control_characters",
  "field"}` for a control character anywhere in the path, the query, a form or JSON body (keys and values)
  or an uploaded file's name.
- Pages: every form's text fields (`forms.CharField` and its subclasses, installed once by
  `install()` from the core app's `ready`) show the message next to the field; a control character in a
  page's path or query string (filters, search) answers the 400 page with the message.

The same edge refuses two more kinds of input no view can use: an API JSON body that is not an object
(`[null, null]`, `null`: 422, never "all fields left out") and an uploaded file name over 200
characters (422, where Django would answer its HTML 400); and a page's query parameter that is an
integer beyond 64 bits (`?unit=100000000000000000000`: the 400 page, no database can hold it; the API
bounds its integers in its schemas, core.apicontract).
"""

from __future__ import annotations

import json
import re

from django.core.exceptions import ValidationError

MESSAGE = "内容含有不可见的控制字符，请删除后重试。"
CODE = "control_characters"
# C0 controls except \t \n \r, lone surrogates, and the non-characters U+FFFE/U+FFFF.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
JSON_TYPES = ("application/json", "application/merge-patch+json")
MAX_FILENAME = 200
BIG_NUMBER = re.compile(r"-?\d{19,}")
INT64 = 2**63 - 1
NOT_OBJECT = "输入有误：请求体须为 JSON 对象。"
NUMBER = "参数超出范围，请检查后重试。"


def printable(value) -> str:
    """The text without the characters refused here (tab, LF and CR kept): for text stored before they
    were refused, or restored from an old backup, on its way into a document (core.documents, core.xlsx)
    or cleaned in place (`manage.py strip_control_chars`)."""
    return CONTROL.sub("", value or "")


def has_control(value) -> bool:
    return isinstance(value, str) and CONTROL.search(value) is not None


def validate_text(value) -> None:
    """A form field validator (installed on every CharField by `install`)."""
    if has_control(value):
        raise ValidationError(MESSAGE, code=CODE)


def install() -> None:
    from django import forms

    if validate_text not in forms.CharField.default_validators:
        forms.CharField.default_validators = [*forms.CharField.default_validators, validate_text]


def find(data, name: str = "") -> str | None:
    """The name (dotted path) of the first key or text in `data` (JSON-like) holding a control character,
    "" for the top level, None when there is none."""
    if isinstance(data, str):
        return name if has_control(data) else None
    if isinstance(data, dict):
        for key, value in data.items():
            if has_control(key):
                return name or str(key).encode("unicode_escape").decode()
            inner = f"{name}.{key}" if name else str(key)
            found = find(value, inner)
            if found is not None:
                return found
    elif isinstance(data, (list, tuple)):
        for i, value in enumerate(data):
            found = find(value, f"{name}.{i}" if name else str(i))
            if found is not None:
                return found
    return None


def _querydict(qd) -> str | None:
    for key, values in qd.lists():
        found = find({key: values})
        if found is not None:
            return key if not has_control(key) else found
    return None


def find_in_request(request, *, body: bool) -> str | None:
    """Where the request carries a control character ("path", a parameter's name), or None."""
    if has_control(request.path):
        return "path"
    found = _querydict(request.GET)
    if found is not None or not body or request.method in ("GET", "HEAD", "OPTIONS"):
        return found
    content_type = request.content_type or ""
    if content_type in JSON_TYPES:
        try:
            data = json.loads(request.body or b"null")
        except ValueError:  # not JSON (or not UTF-8): the API's own parser answers 422
            return None
        return find(data)
    if request.method == "POST" and content_type in (
        "multipart/form-data",
        "application/x-www-form-urlencoded",
    ):
        from django.conf import settings

        if int(request.META.get("CONTENT_LENGTH") or 0) <= settings.FILE_UPLOAD_MAX_MEMORY_SIZE:
            request.body  # noqa: B018 - read first, so that a view may still read the body after POST
        found = _querydict(request.POST)
        if found is None:
            for key, files in request.FILES.lists():
                if any(has_control(f.name) for f in files):
                    return key
        return found
    return None


def _api_body_problem(request) -> tuple[str, str, str] | None:
    """(message, code, field) for an API body no operation can use, else None."""
    if request.method not in ("POST", "PUT", "PATCH"):
        return None
    if (request.content_type or "") in JSON_TYPES and request.body:
        try:
            data = json.loads(request.body)
        except ValueError:
            return "输入有误：JSON 格式有误。", "json_invalid", ""
        if not isinstance(data, dict):
            return NOT_OBJECT, "dict_type", ""
    elif request.method == "POST" and request.content_type == "multipart/form-data":
        for key, files in request.FILES.lists():
            if any(len(f.name or "") > MAX_FILENAME for f in files):
                return f"文件名过长：不能超过 {MAX_FILENAME} 个字符。", "filename_too_long", key
    return None


def _big_number(request) -> str | None:
    for key, values in request.GET.lists():
        if any(BIG_NUMBER.fullmatch(v.strip()) and abs(int(v)) > INT64 for v in values):
            return key
    return None


def _json(message: str, code: str, field: str, status: int = 422):
    from django.http import JsonResponse

    return JsonResponse(
        {"detail": message, "code": code, "field": field},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


class ControlCharactersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.shortcuts import render

        api = request.path.startswith("/api/")
        try:
            field = find_in_request(request, body=api)
            problem = _api_body_problem(request) if api and field is None else None
        except Exception as exc:  # a body Django cannot parse (multipart, too big): JSON for the API
            from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
            from django.http.multipartparser import MultiPartParserError

            if not api or not isinstance(exc, (MultiPartParserError, SuspiciousOperation, OSError)):
                raise
            if isinstance(exc, RequestDataTooBig):
                return _json("请求过大。", "too_large", "", 413)
            return _json("请求格式有误。", "bad_request", "", 400)
        if field is not None:
            if api:
                return _json(MESSAGE, CODE, field)
            return render(request, "400.html", {"message": MESSAGE}, status=400)
        if problem is not None:
            return _json(*problem)
        if not api and _big_number(request) is not None:
            return render(request, "400.html", {"message": NUMBER}, status=400)
        return self.get_response(request)
