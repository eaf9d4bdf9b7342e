from celery import shared_task
from django.core.management import call_command


@shared_task
def publish_scheduled_task() -> None:
    """Publish pages whose scheduled time has come, unpublish expired ones
    (Wagtail's scheduled publishing needs something to run this every minute)."""
    call_command("publish_scheduled", verbosity=0)
