from celery import shared_task

from .services.processing import media_process, media_sweep_stuck


@shared_task(acks_late=True, reject_on_worker_lost=True)
def media_process_task(asset_id: int) -> str:
    """Idempotent: a second delivery (after a worker died) finishes the job."""
    return media_process(asset_id=asset_id).status


@shared_task
def media_sweep_stuck_task() -> int:
    return media_sweep_stuck()
