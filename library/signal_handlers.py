"""Wagtail announces publishing only through its page_published signal; the handler
does nothing but queue the attachment-text task once the transaction commits."""

from django.db import transaction
from django.dispatch import receiver
from wagtail.signals import page_published


@receiver(page_published)
def queue_attachment_text(sender, instance, **kwargs):
    if not hasattr(instance, "attachment_text"):
        return
    from .tasks import page_attachments_index_task

    page_id = instance.pk
    transaction.on_commit(lambda: page_attachments_index_task.delay(page_id))
