"""The suggestion follows its case: after a reply or a rating on the spine (a timeline event of a
`public_suggestion` case), services.follow_case updates its status and copies the answer."""

from django.db import transaction
from django.db.models.signals import post_save

from zhengxie.handling.models import Event as CaseEvent

FOLLOWED = ("acknowledge", "reply", "rate", "sign", "approve")


def _case_event(sender, instance: CaseEvent, created: bool, **kwargs) -> None:
    if not created or instance.action not in FOLLOWED:
        return
    from .services import follow_case

    with transaction.atomic():
        follow_case(instance.case_id)


def connect() -> None:
    post_save.connect(_case_event, sender=CaseEvent, dispatch_uid="suggestions.follow_case")
