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
        found = _querydict(request.POST)
        if found is None:
            for key, files in request.FILES.lists():
                if any(has_control(f.name) for f in files):
                    return key
        return found
    return None


class ControlCharactersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        api = request.path.startswith("/api/")
        field = find_in_request(request, body=api)
        if field is None:
            return self.get_response(request)
        if api:
            from django.http import JsonResponse

            return JsonResponse(
                {"detail": MESSAGE, "code": CODE, "field": field},
                status=422,
                json_dumps_params={"ensure_ascii": False},
            )
        from django.shortcuts import render

        return render(request, "400.html", {"message": MESSAGE}, status=400)
