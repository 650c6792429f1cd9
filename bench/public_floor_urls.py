"""The platform's URLs plus the floor of the public submit benchmark (bench/public_bench.py):
POST /bench-floor/insert/ {organisation_id, title, content} writes one 微建议 row with a single INSERT and
answers 201 {id} — no validation, rate limit, event, audit entry or notification."""

import json

from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from zhengxie.urls import urlpatterns as platform_urlpatterns


@csrf_exempt
def insert_floor(request):
    from zhengxie.suggestions.models import Suggestion

    data = json.loads(request.body)
    s = Suggestion.objects.create(
        organisation_id=data["organisation_id"], title=data["title"], content=data["content"], consent=True
    )
    return JsonResponse({"id": s.pk, "tracking_code": s.tracking_code}, status=201)


urlpatterns = [path("bench-floor/insert/", insert_floor), *platform_urlpatterns]
