from celery import shared_task

from .services.import_jobs import import_files_cleanup, import_job_run


@shared_task(acks_late=True, reject_on_worker_lost=True)
def import_job_run_task(job_id: int) -> str:
    return import_job_run(job_id=job_id).status


@shared_task
def import_files_cleanup_task() -> int:
    return import_files_cleanup()
