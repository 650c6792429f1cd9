"""What every consultation service does around its own rule: load and lock, audit, notify."""

from __future__ import annotations

from django.utils import timezone

from zhengxie.core import audit
from zhengxie.core.errors import Conflict, Forbidden

from .. import rules
from ..models import Consultation


def lock(user, consultation) -> Consultation:
    """The consultation, locked for this transaction, if the user may see it (404 otherwise)."""
    from ..selectors import get_consultation

    pk = getattr(consultation, "pk", consultation)
    get_consultation(user, pk)
    return Consultation.objects.select_for_update().select_related("organisation").get(pk=pk)


def must_manage(user, c: Consultation, what: str) -> None:
    if not rules.can_manage(user, c):
        raise Forbidden(f"只有本级政协办公室或专委会的工作人员可以{what}。")


def must_be(c: Consultation, statuses, what: str) -> None:
    if c.status not in statuses:
        raise Conflict(
            f"协商活动当前状态为「{c.get_status_display()}」，不能{what}。", code="illegal_transition"
        )


def record(user, action: str, obj, organisation, **after) -> None:
    """The audit entry (written last in the service, see docs/architecture.md "Audit")."""
    audit.record(user, f"consultation.{action}", obj, after=after, organisation=organisation)


def touch(c: Consultation, *fields) -> None:
    c.updated_at = timezone.now()
    c.save(update_fields=[*fields, "updated_at"])
