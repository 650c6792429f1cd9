from django.db.models import Q, QuerySet

from .models import AuditEntry, Notification


def audit_entries(user, *, q: str = "", action: str = "", date_from=None, date_to=None) -> QuerySet:
    from .permissions import org_scope_q

    qs = AuditEntry.objects.filter(org_scope_q(user) | Q(organisation__isnull=True)).select_related(
        "organisation"
    )
    if q:
        qs = qs.filter(Q(actor_name__icontains=q) | Q(target_repr__icontains=q) | Q(action__icontains=q))
    if action:
        qs = qs.filter(action__startswith=action)
    if date_from:
        qs = qs.filter(created_at__date__gte=date_from)
    if date_to:
        qs = qs.filter(created_at__date__lte=date_to)
    return qs


def inbox(user, unread_only: bool = False) -> QuerySet:
    qs = Notification.objects.filter(user=user)
    return qs.filter(read_at__isnull=True) if unread_only else qs
