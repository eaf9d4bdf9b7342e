from celery import shared_task
from django.core.management import call_command


@shared_task
def publish_scheduled_task() -> None:
    """Publish pages whose scheduled time has come, unpublish expired ones
    (Wagtail's scheduled publishing needs something to run this every minute)."""
    call_command("publish_scheduled", verbosity=0)


@shared_task(acks_late=True)
def notifications_deliver_task(ids: list[int]) -> None:
    """Send committed notifications through the extra channels (SMS, email).
    A channel that fails is logged, the in-site notifications are already there."""
    from .notifications import notifications_deliver

    notifications_deliver(ids=ids)
