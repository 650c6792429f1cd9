"""Proposals' copies of other apps' facts, kept when those change."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from zhengxie.members.models import Session


@receiver(post_save, sender=Session, dispatch_uid="proposals.session_saved")
def session_saved(sender, instance, created, update_fields=None, **kwargs):
    """A session's year or number changed (members.services.session_update, the admin): its proposals'
    order key (Proposal.session_year/session_number) follows, in the same transaction. One UPDATE that
    touches nothing when they did not change; none on creation or a save of other fields."""
    if created or (update_fields is not None and not {"year", "number"} & set(update_fields)):
        return
    from .models import Proposal

    Proposal.objects.filter(session_id=instance.pk).exclude(
        session_year=instance.year, session_number=instance.number
    ).update(session_year=instance.year, session_number=instance.number)
