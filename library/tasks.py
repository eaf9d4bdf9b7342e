from celery import shared_task

from .services.attachments import page_attachments_index


@shared_task(acks_late=True, reject_on_worker_lost=True)
def page_attachments_index_task(page_id: int) -> int:
    return len(page_attachments_index(page_id=page_id))
