"""Retried creates create one object: a POST to the API with an `Idempotency-Key` header is answered once;
a retry with the same key (same user, within 24 hours) gets the stored answer again, with the header
`Idempotent-Replayed: true`. Applied to every API operation by core.apicontract (only POSTs with the
header are affected). Only successful answers are kept: after a 4xx the same key may be tried again. A
retry while the first request still runs answers 409. The same key on another path, or with another body,
answers 422 `idempotency_key_reused` (as Stripe does): each record keeps a fingerprint of its request
(`fingerprint`: sha256 of the method, path, query and the body in canonical form — JSON with sorted keys,
a form's fields and files by content, so a client's key order or multipart boundary does not matter)."""

from __future__ import annotations

import datetime
import hashlib
import json
from functools import wraps

from django.db import IntegrityError, transaction
from django.http import HttpResponse, JsonResponse
from django.utils import timezone

HEADER = "Idempotency-Key"
KEEP = datetime.timedelta(hours=24)


def _error(message: str, status: int, code: str) -> JsonResponse:
    return JsonResponse(
        {"detail": message, "code": code, "field": HEADER},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


REUSED = "该 Idempotency-Key 已用于另一个请求：内容不同的请求请使用新的 Idempotency-Key。"


def _file_digest(f) -> list:
    h = hashlib.sha256()
    for chunk in f.chunks():
        h.update(chunk)
    f.seek(0)
    return [f.name, f.size, h.hexdigest()]


def fingerprint(request) -> str:
    """sha256 of the request's method, path, query and body, the body in canonical form."""
    from django.http.request import RawPostDataException

    content_type = request.content_type or ""
    data: dict = {
        "method": request.method,
        "path": request.path,
        "query": sorted(request.GET.lists()),
        "content_type": content_type,
    }
    if content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        data["form"] = sorted(request.POST.lists())
        data["files"] = sorted([k, [_file_digest(f) for f in fs]] for k, fs in request.FILES.lists())
    else:
        try:
            raw = request.body
        except RawPostDataException:  # read as a stream by a parser: nothing else to compare
            raw = b""
        try:
            data["json"] = json.loads(raw) if content_type.endswith("json") and raw else None
        except ValueError:
            data["json"] = None
        if data["json"] is None:
            data["raw"] = hashlib.sha256(raw).hexdigest()
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def idempotent(run):
    """A NinjaAPI "view" decorator: wraps the operation's whole run (authentication included)."""

    @wraps(run)
    def wrapper(request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if request.method != "POST" or key is None:
            return run(request, *args, **kwargs)
        if not key.strip() or len(key) > 200:
            return _error("Idempotency-Key 须为 1 至 200 个字符。", 422, "invalid_idempotency_key")
        request._idempotency_key = key
        response = run(request, *args, **kwargs)
        record = getattr(request, "_idempotency_record", None)
        if record is not None:
            from .models import IdempotencyKey

            if 200 <= response.status_code < 300 and not getattr(response, "streaming", False):
                IdempotencyKey.objects.filter(pk=record).update(
                    status=response.status_code,
                    body=response.content,
                    content_type=response.get("Content-Type", ""),
                )
            else:
                IdempotencyKey.objects.filter(pk=record).delete()
        return response

    return wrapper


def replay(operation_func):
    """A NinjaAPI "operation" decorator (runs after authentication, so the key is the user's own)."""

    @wraps(operation_func)
    def wrapper(request, *args, **kwargs):
        key = getattr(request, "_idempotency_key", None)
        user = getattr(request, "user", None) or getattr(request, "auth", None)
        if key is None or user is None or not user.is_authenticated:
            return operation_func(request, *args, **kwargs)
        from .models import IdempotencyKey

        now = timezone.now()
        IdempotencyKey.objects.filter(user=user, created_at__lt=now - KEEP).delete()
        fp = fingerprint(request)
        try:
            with transaction.atomic():
                record = IdempotencyKey.objects.create(
                    user=user,
                    key=key,
                    method=request.method,
                    path=request.path[:500],
                    fingerprint=fp,
                    created_at=now,
                )
        except IntegrityError:
            old = IdempotencyKey.objects.filter(user=user, key=key).first()
            if old is None:  # taken and released at the same moment: run as a fresh request
                return operation_func(request, *args, **kwargs)
            if (
                old.path != request.path[:500]
                or old.method != request.method
                or (old.fingerprint and old.fingerprint != fp)  # none on records made before it
            ):
                return _error(REUSED, 422, "idempotency_key_reused")
            if not old.status:
                return _error(
                    "相同 Idempotency-Key 的请求正在处理，请稍后重试。", 409, "idempotency_in_progress"
                )
            response = HttpResponse(bytes(old.body), status=old.status, content_type=old.content_type)
            response["Idempotent-Replayed"] = "true"
            return response
        request._idempotency_record = record.pk
        return operation_func(request, *args, **kwargs)

    return wrapper
