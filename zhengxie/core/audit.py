"""Append-only audit entries: who, acting for which organisation, what, before and after, when, from where."""

from __future__ import annotations

from django.db import transaction
from django.forms.models import model_to_dict

from . import auditchain
from .context import current_ip
from .models import AuditEntry


def snapshot(obj, fields: list[str] | None = None) -> dict:
    """A JSON-safe dict of a model instance's fields, for before/after."""
    data = model_to_dict(obj, fields=fields)
    return {k: (v if isinstance(v, (str, int, float, bool, type(None))) else str(v)) for k, v in data.items()}


def record(actor, action: str, target=None, *, before=None, after=None, organisation=None) -> AuditEntry:
    if organisation is None:
        organisation = getattr(target, "organisation", None) or getattr(actor, "organisation", None)
    entry = AuditEntry(
        actor=actor if actor is not None and actor.pk else None,
        actor_name=(getattr(actor, "name", "") or getattr(actor, "username", "")) if actor else "",
        organisation=organisation if getattr(organisation, "pk", None) else None,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:200] if target is not None else "",
        before=before,
        after=after,
        ip=current_ip.get(),
    )
    # The hash chain (core.auditchain): link to the last entry, one insert at a time.
    with transaction.atomic(using=AuditEntry.objects.db):
        connection = transaction.get_connection(AuditEntry.objects.db)
        auditchain.lock(connection)
        prev = AuditEntry.objects.order_by("-id").values_list("hash", flat=True).first()
        entry.hash = auditchain.link(prev, entry)
        entry.save(force_insert=True)
    return entry
