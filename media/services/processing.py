"""Processing an uploaded asset: probe, transcode, publish the renditions.

``uploaded → processing → ready | failed``. Output goes to a fresh work folder and
is renamed into place only when complete, so a run that dies (a killed worker; the
task is ``acks_late``, so it runs again) leaves nothing half-written that a player
could find, and the next run removes the leftovers first. A delivery that finds a
run still alive (its heartbeat within :func:`stuck_after`) leaves it alone: Redis
redelivers unacknowledged tasks after its ``visibility_timeout``, and a redelivery
may race the sweeper's requeue.
"""

from __future__ import annotations

import logging
import secrets
import shutil
import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ..models import MediaAsset, MediaStatus
from .probe import MediaRejected, lesson_warning
from .subtitles import VTT_NAME, write_vtt
from .transcode import transcode_file

logger = logging.getLogger(__name__)

#: Under PROTECTED_MEDIA_ROOT: lessons/<id>/v<attempt>/ (master.m3u8, rungs, …)
OUTPUT_ROOT = "lessons"
#: Progress is written at most this often (seconds) …
PROGRESS_INTERVAL = 1.0
#: … and at least this often, as the job's sign of life for the sweeper.
HEARTBEAT_INTERVAL = 30.0


def protected_root() -> Path:
    return Path(settings.PROTECTED_MEDIA_ROOT)


def asset_folder(asset_id: int) -> Path:
    return protected_root() / OUTPUT_ROOT / str(asset_id)


def media_queue_processing(*, asset_id: int) -> None:
    """Process the asset once the current transaction has committed."""
    from ..tasks import media_process_task

    transaction.on_commit(lambda: media_process_task.delay(asset_id))


def _requeue(asset: MediaAsset) -> MediaAsset:
    """Back to ``uploaded`` (caller holds the row lock), processed after commit."""
    asset.status, asset.failure_reason, asset.progress = MediaStatus.UPLOADED, "", 0
    asset.queued_at = timezone.now()
    asset.save(update_fields=["status", "failure_reason", "progress", "queued_at"])
    media_queue_processing(asset_id=asset.pk)
    return asset


@transaction.atomic
def media_file_uploaded(*, asset_id: int) -> MediaAsset:
    """A new or replaced file: forget the old renditions' state, process anew."""
    return _requeue(MediaAsset.objects.select_for_update().get(pk=asset_id))


@transaction.atomic
def media_retry(*, asset_id: int) -> MediaAsset:
    """A failed asset goes back to ``uploaded`` and is processed again."""
    asset = MediaAsset.objects.select_for_update().get(pk=asset_id)
    if asset.status != MediaStatus.FAILED:
        return asset
    return _requeue(asset)


#: Processing runs (counting those a dead worker left) before an asset fails.
MAX_ATTEMPTS = 3


def stuck_after() -> timedelta:
    """How long a running job may go without a sign of life (it reports at least
    every :data:`HEARTBEAT_INTERVAL`) before the sweeper calls it stuck."""
    return timedelta(minutes=getattr(settings, "ZHIXUE_MEDIA_STUCK_MINUTES", 10))


def _alive_since(cutoff) -> bool:
    """Is any run showing a sign of life since ``cutoff`` (a worker is busy)?"""
    return (
        MediaAsset.objects.filter(status=MediaStatus.PROCESSING)
        .annotate(alive_at=Coalesce("progress_at", "processing_started_at"))
        .filter(alive_at__gte=cutoff)
        .exists()
    )


def media_sweep_stuck() -> int:
    """Assets stuck in ``processing`` (their worker died and the task was lost),
    and assets left in ``uploaded`` (the queued task was lost, e.g. ``delay()``
    failed after the commit): queued again, or failed after :data:`MAX_ATTEMPTS`.
    Returns how many.

    A run counts as an attempt when it starts; a lost task never started, so its
    requeue counts one here. Waiting assets are left alone while another run is
    alive: the worker is busy and they wait their turn in the queue."""
    cutoff = timezone.now() - stuck_after()
    stuck = list(
        MediaAsset.objects.filter(status=MediaStatus.PROCESSING)
        .annotate(alive_at=Coalesce("progress_at", "processing_started_at"))
        .filter(alive_at__lt=cutoff)
        .values_list("pk", flat=True)
    )
    if not _alive_since(cutoff):
        stuck += (
            MediaAsset.objects.filter(status=MediaStatus.UPLOADED)
            .annotate(waiting_since=Coalesce("queued_at", "created_at"))
            .filter(waiting_since__lt=cutoff)
            .values_list("pk", flat=True)
        )
    swept = 0
    for asset_id in stuck:
        with transaction.atomic():
            asset = MediaAsset.objects.select_for_update().get(pk=asset_id)
            if asset.status == MediaStatus.UPLOADED:
                waiting_since = asset.queued_at or asset.created_at
                if waiting_since >= cutoff:
                    continue  # queued again meanwhile
                asset.attempts += 1  # the lost task's attempt
                asset.save(update_fields=["attempts"])
            elif asset.status != MediaStatus.PROCESSING:
                continue
            if asset.attempts >= MAX_ATTEMPTS:
                with translation.override(settings.LANGUAGE_CODE):
                    asset.failure_reason = _(
                        "Processing was interrupted %(count)d times; upload the "
                        "file again or ask the administrator."
                    ) % {"count": asset.attempts}
                asset.status = MediaStatus.FAILED
                asset.save(update_fields=["status", "failure_reason"])
            else:
                _requeue(asset)
            swept += 1
    return swept


@transaction.atomic
def _begin(asset_id: int) -> MediaAsset | None:
    """The asset, locked and marked as this run's; None if there is nothing to do:
    finished already, or another run of it is alive (killing that run's work
    folder would break both)."""
    asset = MediaAsset.objects.select_for_update().get(pk=asset_id)
    if asset.status in (MediaStatus.READY, MediaStatus.FAILED):
        return None  # done already: a repeated task is harmless
    if asset.status == MediaStatus.PROCESSING:
        alive_at = asset.progress_at or asset.processing_started_at
        if alive_at is not None and alive_at >= timezone.now() - stuck_after():
            return None  # a live run: the sweeper requeues it if it dies
    asset.status = MediaStatus.PROCESSING
    asset.progress = 0
    asset.attempts += 1
    asset.processing_started_at = timezone.now()
    asset.progress_at = None
    asset.save(
        update_fields=[
            "status",
            "progress",
            "attempts",
            "processing_started_at",
            "progress_at",
        ]
    )
    return asset


def media_process(*, asset_id: int) -> MediaAsset:
    """Probe and transcode the asset; the end state is ``ready`` or ``failed``."""
    asset = _begin(asset_id)
    if asset is None:
        return MediaAsset.objects.get(pk=asset_id)
    folder = asset_folder(asset.pk)
    _remove_work_folders(folder)
    work = folder / f"work-{secrets.token_hex(4)}"
    with translation.override(settings.LANGUAGE_CODE):
        try:
            result = _transcode(asset, work)
        except MediaRejected as rejected:
            shutil.rmtree(work, ignore_errors=True)
            return _fail(asset.pk, asset.attempts, rejected.reason)
        except Exception:
            shutil.rmtree(work, ignore_errors=True)
            logger.exception("Processing media asset %s failed", asset.pk)
            return _fail(
                asset.pk,
                asset.attempts,
                _("Processing failed on the server; try again."),
            )
    final = folder / f"v{asset.attempts}"
    shutil.rmtree(final, ignore_errors=True)
    work.rename(final)
    return _finish(asset.pk, asset.attempts, final, **result)


def _transcode(asset: MediaAsset, work: Path) -> dict:
    reporter = _ProgressReporter(asset.pk, asset.attempts)
    return transcode_file(Path(asset.file.path), work, reporter)


def _current_run(asset_id: int, attempt: int) -> MediaAsset | None:
    """The locked asset if this run is still the one it waits for: a file
    replaced (or a newer run started) meanwhile makes this run's result stale."""
    asset = MediaAsset.objects.select_for_update().get(pk=asset_id)
    if asset.status != MediaStatus.PROCESSING or asset.attempts != attempt:
        return None
    return asset


def _finish(asset_id, attempt, final: Path, *, probe, renditions, fallback, poster):
    relative = final.relative_to(protected_root()).as_posix()
    with transaction.atomic():
        asset = _current_run(asset_id, attempt)
        if asset is None:
            shutil.rmtree(final, ignore_errors=True)
            return MediaAsset.objects.get(pk=asset_id)
        asset.status = MediaStatus.READY
        asset.progress = 100
        asset.failure_reason = ""
        asset.warning = lesson_warning(probe)
        asset.type = probe.kind
        asset.duration = round(probe.duration, 3)
        asset.width = probe.width or None
        asset.height = probe.height or None
        asset.video_codec = probe.video_codec
        asset.audio_codec = probe.audio_codec
        asset.audio_channels = probe.audio_channels
        asset.renditions = renditions
        asset.output_dir = relative
        asset.fallback = fallback
        try:
            write_vtt(asset, final)
        except (OSError, MediaRejected):
            # A missing or unreadable subtitle file costs the subtitles, not the
            # lesson (the admin form checked them; the file may be gone since).
            logger.exception("Subtitles of media asset %s not written", asset_id)
            (final / VTT_NAME).unlink(missing_ok=True)
        _copy_thumbnail(asset, final / poster if poster else None)
        asset.processed_at = timezone.now()
        asset.save()
    for old in final.parent.glob("v*"):
        if old != final:
            shutil.rmtree(old, ignore_errors=True)
    return asset


def _copy_thumbnail(asset: MediaAsset, poster: Path | None) -> None:
    """wagtailmedia's admin shows ``thumbnail`` (under the public MEDIA_ROOT): a
    copy of the poster, under a name nobody can guess, since the lesson itself
    may be limited to a unit. Members' pages link the scope-checked poster."""
    previous = asset.thumbnail.name if asset.thumbnail else ""
    if poster is None:
        asset.thumbnail = ""
    else:
        try:
            with poster.open("rb") as image:
                name = f"{secrets.token_hex(8)}.jpg"
                asset.thumbnail.save(name, File(image), save=False)
        except OSError:
            logger.exception("Poster of media asset %s not copied", asset.pk)
            return
    if previous:
        storage = asset.thumbnail.storage
        transaction.on_commit(lambda: storage.delete(previous))


def _fail(asset_id: int, attempt: int, reason: str) -> MediaAsset:
    with transaction.atomic():
        asset = _current_run(asset_id, attempt)
        if asset is None:
            return MediaAsset.objects.get(pk=asset_id)
        asset.status = MediaStatus.FAILED
        asset.failure_reason = reason
        asset.processed_at = timezone.now()
        asset.save(update_fields=["status", "failure_reason", "processed_at"])
    return asset


def _remove_work_folders(folder: Path) -> None:
    for leftover in folder.glob("work-*"):
        shutil.rmtree(leftover, ignore_errors=True)


class _ProgressReporter:
    """Writes the percentage (never backwards, at most once a second) and, while
    the percentage stands still, a heartbeat every :data:`HEARTBEAT_INTERVAL`."""

    def __init__(self, asset_id: int, attempt: int) -> None:
        self.asset_id = asset_id
        self.attempt = attempt  # a stale run must not keep a newer one alive
        self.last = -1
        self.at = 0.0

    def __call__(self, percent: int) -> None:
        now = time.monotonic()
        moved = percent > self.last and now - self.at >= PROGRESS_INTERVAL
        if not moved and now - self.at < HEARTBEAT_INTERVAL:
            return
        self.last, self.at = max(percent, self.last), now
        MediaAsset.objects.filter(
            pk=self.asset_id, status=MediaStatus.PROCESSING, attempts=self.attempt
        ).update(progress=self.last, progress_at=timezone.now())
