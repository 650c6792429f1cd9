"""Background tasks of the studios app: the SMS a citizen is owed when a member answers their booking."""

from django_tasks import task


@task()
def send_booking_sms_task(booking_id: int) -> bool:
    """Send the booking's owed SMS (studios.services.market.send_booking_sms)."""
    from .services.market import send_booking_sms

    return send_booking_sms(booking_id)
