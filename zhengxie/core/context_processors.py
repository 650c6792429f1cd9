from django.conf import settings

from .navigation import menu_for


def platform(request):
    user = getattr(request, "user", None)
    ctx = {"PLATFORM_NAME": settings.PLATFORM_NAME}
    if user is not None and user.is_authenticated:
        from .models import Notification

        ctx["unread_count"] = Notification.objects.filter(user=user, read_at__isnull=True).count()
        ctx["nav_menu"] = menu_for(user)
    return ctx
