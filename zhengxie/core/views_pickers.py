"""GET /pick/<name>/?q=… : the searchable pickers' options (core.pickers), as JSON."""

from django.http import Http404, JsonResponse
from django.views.decorators.http import require_GET

from . import pickers


@require_GET
def picker(request, name: str):
    """At most pickers.LIMIT rows the user may pick that match `q`, in one query after the session's user."""
    if not request.user.is_authenticated:
        return JsonResponse({"detail": "请先登录。"}, status=401)
    try:
        answer = pickers.search(name, request.user, request.GET.get("q", ""), request.GET)
    except KeyError:
        raise Http404("没有这个选择列表。")
    response = JsonResponse(answer, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "private, no-store"
    return response
