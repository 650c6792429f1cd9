"""Background tasks of the core: notification delivery by email and SMS, and every module's exports."""

from django_tasks import task


@task()
def deliver_notifications_task(ids: list[int]) -> dict:
    """Send the email / SMS owed for these in-app messages (core.notifications.deliver)."""
    from .notifications import deliver

    return deliver(ids)


@task()
def run_export_task(export_id: str) -> str:
    """Build the file of one queued export, whatever its kind (see core.exports.run)."""
    from .exports import run

    return run(export_id)
