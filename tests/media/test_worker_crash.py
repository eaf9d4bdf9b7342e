"""A worker killed in the middle of a transcode: the next run finishes the lesson
and nothing of the interrupted run is left (a real worker, real ffmpeg)."""

import importlib
import os
import time
from pathlib import Path

import pytest
from django.core.files import File
from django.db import transaction

from media.models import MediaAsset, MediaStatus
from media.services.processing import (
    asset_folder,
    media_file_uploaded,
    media_sweep_stuck,
)
from tests.factories import root_collection
from tests.workers import purge_broker, start_worker

TIMEOUT = 120


def _ffmpeg_pids_reading(path: Path) -> list[int]:
    pids = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                argv = (proc / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if argv and argv[0].endswith(b"ffmpeg") and str(path).encode() in argv:
                pids.append(int(proc.name))
    return pids


def _wait(asset_id, until, worker, what: str) -> MediaAsset:
    deadline = time.monotonic() + TIMEOUT
    while True:
        asset = MediaAsset.objects.get(pk=asset_id)
        if until(asset):
            return asset
        assert worker.alive(), f"the worker died. {worker.describe()}"
        assert time.monotonic() < deadline, (
            f"not {what} after {TIMEOUT}s: {asset.status} {asset.progress}% "
            f"{asset.failure_reason}. {worker.describe()}"
        )
        time.sleep(0.2)


@pytest.fixture
def long_clip(tmp_path_factory):
    """20 s of 720p: a few seconds of work even on a fast machine."""
    import subprocess

    path = tmp_path_factory.mktemp("crash") / "long-1080p.mp4"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
         "testsrc2=size=1280x720:rate=25:duration=20", "-f", "lavfi", "-i",
         "sine=frequency=440:duration=20", "-c:v", "libx264", "-preset",
         "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", str(path)],
        check=True,
    )  # fmt: skip
    return path


@pytest.mark.worker
def test_a_worker_killed_mid_transcode_leaves_one_complete_ladder(
    transactional_db, settings, tmp_path, long_clip
):
    # The worker reads the settings module (and the environment), not this
    # process's per-test overrides: both sides use one protected folder.
    settings_module = importlib.import_module(os.environ["DJANGO_SETTINGS_MODULE"])
    settings.MEDIA_ROOT = settings_module.MEDIA_ROOT
    env = {"PROTECTED_MEDIA_ROOT": str(settings.PROTECTED_MEDIA_ROOT)}
    purge_broker()
    first = start_worker(tmp_path / "first.log", env)
    second = None
    try:
        first.wait_ready()
        with long_clip.open("rb") as handle, transaction.atomic():
            asset = MediaAsset.objects.create(
                title="被中断的微党课",
                type="video",
                collection=root_collection(),
                file=File(handle, name=long_clip.name),
            )
            media_file_uploaded(asset_id=asset.pk)  # queued on commit
        source = Path(asset.file.path)
        busy = _wait(
            asset.pk,
            lambda a: a.status == MediaStatus.PROCESSING and a.progress >= 5,
            first,
            "transcoding",
        )
        assert busy.progress < 90, "the clip is too short to interrupt"
        assert list(asset_folder(asset.pk).glob("work-*")), "no partial output yet"
        first.kill()

        time.sleep(0.5)  # the kernel delivers the parent-death signal to ffmpeg
        assert _ffmpeg_pids_reading(source) == [], "ffmpeg outlived its worker"
        interrupted = MediaAsset.objects.get(pk=asset.pk)
        assert interrupted.status == MediaStatus.PROCESSING  # nobody finished it

        second = start_worker(tmp_path / "second.log", env)
        second.wait_ready()
        settings.ZHIXUE_MEDIA_STUCK_MINUTES = 0  # the sweeper, without the wait
        assert media_sweep_stuck() == 1
        done = _wait(
            asset.pk,
            lambda a: a.status in (MediaStatus.READY, MediaStatus.FAILED),
            second,
            "finished",
        )
    finally:
        first.stop()
        if second is not None:
            second.stop()

    assert done.status == MediaStatus.READY, done.failure_reason
    assert done.attempts == 2
    folder = asset_folder(asset.pk)
    assert sorted(p.name for p in folder.iterdir()) == ["v2"]  # no work-*, no v1
    output = folder / "v2"
    heights = [r["height"] for r in done.renditions]
    assert heights == [360, 540, 720]
    for rendition in done.renditions:
        playlist = (output / rendition["playlist"]).read_text()
        assert playlist.rstrip().endswith("#EXT-X-ENDLIST")
        segments = [line for line in playlist.splitlines() if line.endswith(".ts")]
        assert segments and all(
            (output / rendition["playlist"]).parent.joinpath(s).stat().st_size > 0
            for s in segments
        )
    assert (output / "fallback.mp4").stat().st_size > 0
