"""Background tasks of the core: notification delivery by email and SMS, and every module's exports."""

from django.core.mail import send_mail
from django_tasks import task

from . import sms


@task()
def send_email_task(to: list[str], subject: str, body: str) -> int:
    return send_mail(subject, body, None, to, fail_silently=False)


@task()
def send_sms_task(phone: str, text: str) -> None:
    sms.get_backend().send(phone, text)


@task()
def run_export_task(export_id: str) -> str:
    """Build the file of one queued export, whatever its kind (see core.exports.run)."""
    from .exports import run

    return run(export_id)
