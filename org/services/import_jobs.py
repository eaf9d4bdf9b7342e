"""Running an uploaded sheet through the importer in the background."""

import datetime
import logging

from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from org.models import ImportJob, ImportKind, ImportStatus, User

from .imports import members_import_xlsx, units_import_xlsx

logger = logging.getLogger(__name__)

IMPORTERS = {
    ImportKind.MEMBERS: members_import_xlsx,
    ImportKind.UNITS: units_import_xlsx,
}
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class UploadRejected(ValueError):
    pass


@transaction.atomic
def import_job_create(*, kind: str, upload: UploadedFile, by: User) -> ImportJob:
    if kind not in IMPORTERS:
        raise UploadRejected(_("Unknown import kind."))
    if not upload.name.lower().endswith(".xlsx"):
        raise UploadRejected(_("Upload an Excel (.xlsx) file."))
    if upload.size > MAX_UPLOAD_BYTES:
        raise UploadRejected(_("The file is larger than 20 MB."))
    job = ImportJob.objects.create(
        kind=kind, file=upload, original_name=upload.name[:255], created_by=by
    )
    from org.tasks import import_job_run_task

    transaction.on_commit(lambda: import_job_run_task.delay(job.pk))
    return job


def _progress_key(job_id: int) -> str:
    return f"import-progress:{job_id}"


def _set_progress(job_id: int, percent: int) -> None:
    # The rows are written inside one transaction, so progress goes through the
    # shared cache, where the status page can see it before the commit.
    cache.set(_progress_key(job_id), percent, timeout=6 * 3600)


def import_job_progress(job: ImportJob) -> tuple[str, int]:
    """(status, percent) as the user should see them, while running too."""
    if job.finished_at is not None:
        return job.status, job.progress
    running = cache.get(_progress_key(job.pk))
    if running is None:
        return job.status, job.progress
    return ImportStatus.PROCESSING, running


def import_job_run(*, job_id: int) -> ImportJob:
    """Run one uploaded sheet through its importer.

    The whole run holds the job's row lock inside one transaction: a duplicate
    delivery waits and then finds the job finished; a worker that dies mid-run
    leaves nothing behind, and the redelivered task starts again from scratch.
    """
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if job.finished_at is not None:
            return job
        _set_progress(job.pk, 1)
        try:
            with transaction.atomic(), job.file.open("rb") as handle:
                report = IMPORTERS[job.kind](
                    file=handle,
                    by=job.created_by,
                    progress=lambda percent: _set_progress(job.pk, percent),
                )
        except Exception as exc:  # a bug or I/O failure: keep the job, say why
            logger.exception("import job %s failed", job.pk)
            job.status, job.failure_reason = ImportStatus.FAILED, str(exc)[:2000]
        else:
            job.status = ImportStatus.DONE if report.ok else ImportStatus.REJECTED
            job.created_count, job.updated_count = report.created, report.updated
            job.errors = [e.as_dict() for e in report.errors]
        job.progress = 100
        job.finished_at = timezone.now()
        job.save()
    cache.delete(_progress_key(job.pk))
    return job


def import_files_cleanup(*, older_than_days: int | None = None) -> int:
    """Delete uploaded sheets (and their job records) past the retention period."""
    days = older_than_days or settings.ORG_IMPORT_RETENTION_DAYS
    cutoff = timezone.now() - datetime.timedelta(days=days)
    removed = 0
    for job in ImportJob.objects.filter(created_at__lt=cutoff).exclude(
        status__in=[ImportStatus.PENDING, ImportStatus.PROCESSING]
    ):
        job.file.delete(save=False)
        job.delete()
        removed += 1
    return removed
