from django.shortcuts import render


def forbidden(request, exception=None):
    return render(request, "403.html", status=403)


def not_found(request, exception=None):
    # An API path that matches no route (say a negative id against {int:pk}) answers in the API's shape.
    if request.path.startswith("/api/"):
        from django.http import JsonResponse

        return JsonResponse({"detail": "未找到。"}, status=404, json_dumps_params={"ensure_ascii": False})
    return render(request, "404.html", status=404)


def lockout(request, original_response=None, credentials=None):
    """django-axes' answer once an account is locked: JSON for the API, the lockout page otherwise."""
    from django.conf import settings
    from django.http import JsonResponse

    minutes = round(float(settings.AXES_COOLOFF_TIME or 0) * 60)
    if request.path.startswith("/api/"):
        return JsonResponse(
            {
                "detail": f"登录失败次数过多，账号已被临时锁定，请 {minutes} 分钟后再试，或联系安全管理员解锁。",
                "code": "locked",
            },
            status=429,
            json_dumps_params={"ensure_ascii": False},
        )
    return render(request, settings.AXES_LOCKOUT_TEMPLATE, {"minutes": minutes}, status=429)
