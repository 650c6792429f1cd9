"""Staff's final choice becomes training data: after the audited act that files or routes an item
(立案 with its category, 交办 and 调整 of units, 社情民意 录用/编辑, 微建议 交办), the item's category and units
are stored as a RoutingChoice beside what the model suggested. Read from the audit entry each of those
services already writes, so no module calls routing itself."""

from __future__ import annotations

import logging

from django.db.models.signals import post_save

logger = logging.getLogger("zhengxie.routing")

ACTS = {
    "proposals.accept": "proposal",
    "proposals.assign": "proposal",
    "proposals.decide_change": "proposal",
    "opinions.accept": "opinion",
    "opinions.edit": "opinion",
    "suggestions.route": "public_suggestion",
}


def _load(kind: str, pk: int):
    if kind == "proposal":
        from zhengxie.proposals.models import Proposal as M
    elif kind == "opinion":
        from zhengxie.opinions.models import Opinion as M
    else:
        from zhengxie.suggestions.models import Suggestion as M
    return M.objects.filter(pk=pk).first()


def _on_audit(sender, instance, created, **kwargs) -> None:
    kind = ACTS.get(instance.action) if created else None
    if kind is None or not str(instance.target_id).isdigit():
        return
    from django.db import transaction

    from . import services

    try:  # training data is a by-product: it never fails the act that was audited
        with transaction.atomic():
            item = _load(kind, int(instance.target_id))
            if item is not None:
                services.record_choice(kind=kind, item=item, user=instance.actor)
    except Exception:
        logger.exception("routing: the choice on %s %s was not recorded", kind, instance.target_id)


def connect() -> None:
    post_save.connect(_on_audit, sender="core.AuditEntry", dispatch_uid="routing.on_audit")
