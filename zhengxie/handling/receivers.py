"""Items follow their cases: after a step on the spine (a timeline event such as 签收, 答复, 签发, 评价),
the case's kind's `on_step(case_id)` runs in the same transaction, so a module copies what it shows (its
item's status, the latest reply, the rating) without a receiver of its own."""

from django.db import transaction
from django.db.models.signals import post_save

from . import kinds
from .models import Case, Event

# The steps after which an item's status, answer or unit can change (decide_change: a granted 申请调整
# gives the item to another unit, whose name the item shows).
STEPS = ("acknowledge", "reply", "rate", "sign", "approve", "decide_change")


def _case_event(sender, instance: Event, created: bool, **kwargs) -> None:
    if not created or instance.action not in STEPS:
        return
    if not any(k.on_step for k in kinds.KINDS.values()):
        return
    kind = kinds.KINDS.get(Case.objects.values_list("kind", flat=True).get(pk=instance.case_id))
    if kind is None or kind.on_step is None:
        return
    with transaction.atomic():
        kind.on_step(instance.case_id)


def connect() -> None:
    post_save.connect(_case_event, sender=Event, dispatch_uid="handling.on_step")
