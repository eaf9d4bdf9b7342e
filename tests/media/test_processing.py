"""The pipeline end to end, with Debian's ffmpeg on clips it generates."""

import subprocess
from pathlib import Path

from django.conf import settings

from media.models import MediaAsset, MediaStatus
from media.services.processing import (
    asset_folder,
    media_file_uploaded,
    media_process,
    media_retry,
)


def process(asset) -> MediaAsset:
    return media_process(asset_id=asset.pk)


def ffprobe(path: Path, entries: str) -> str:
    return subprocess.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-show_entries",
            entries,
            "-of",
            "csv=p=0",
            str(path),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def output(asset) -> Path:
    return Path(settings.PROTECTED_MEDIA_ROOT) / asset.output_dir


def test_a_720p_video_becomes_a_ladder_up_to_its_own_height(clips, upload):
    asset = process(upload(clips["hd"]))
    assert asset.status == MediaStatus.READY, asset.failure_reason
    assert asset.progress == 100
    assert [r["name"] for r in asset.renditions] == ["360p", "540p", "720p"]
    assert [r["height"] for r in asset.renditions] == [360, 540, 720]
    assert (asset.width, asset.height, asset.video_codec) == (1280, 720, "h264")
    assert 2.9 < asset.duration < 3.2
    master = output(asset) / "master.m3u8"
    assert master.read_text().startswith("#EXTM3U")
    for rendition in asset.renditions:
        playlist = output(asset) / rendition["playlist"]
        assert "#EXT-X-ENDLIST" in playlist.read_text()
        # ffmpeg itself reads every variant back: h264 + AAC stereo
        streams = ffprobe(playlist, "stream=codec_name,channels")
        assert "h264" in streams and "aac,2" in streams
    fallback = output(asset) / asset.fallback
    assert asset.fallback == "fallback.mp4"
    assert "540" in ffprobe(fallback, "stream=height")
    assert (output(asset) / "poster.jpg").stat().st_size > 0
    assert asset.thumbnail.size > 0  # a copy for wagtailmedia's admin
    # Nothing of the lesson lies where a web server serves MEDIA_ROOT to anyone.
    assert not list(Path(settings.MEDIA_ROOT).rglob("*.m3u8"))


def test_a_small_video_is_never_upscaled(clips, upload):
    asset = process(upload(clips["small"]))
    assert asset.status == MediaStatus.READY, asset.failure_reason
    assert [r["name"] for r in asset.renditions] == ["360p"]
    assert asset.fallback == "fallback.mp4"


def test_a_portrait_phone_video_keeps_its_orientation(clips, upload):
    asset = process(upload(clips["portrait"]))
    assert asset.status == MediaStatus.READY, asset.failure_reason
    [rendition] = asset.renditions
    assert (rendition["width"], rendition["height"]) == (360, 640)


def test_surround_sound_is_downmixed_to_stereo(clips, upload):
    asset = process(upload(clips["surround"]))
    assert asset.status == MediaStatus.READY, asset.failure_reason
    assert asset.audio_channels == 6
    playlist = output(asset) / asset.renditions[0]["playlist"]
    assert "aac,2" in ffprobe(playlist, "stream=codec_name,channels")


def test_an_audio_file_gets_an_aac_stream_and_an_m4a(clips, upload):
    asset = process(upload(clips["audio"], media_type="video"))
    assert asset.status == MediaStatus.READY, asset.failure_reason
    assert asset.type == "audio"  # by content, not by what the editor picked
    assert [r["name"] for r in asset.renditions] == ["audio"]
    assert asset.fallback == "audio.m4a"
    assert "aac" in ffprobe(output(asset) / "audio.m4a", "stream=codec_name")
    assert not asset.thumbnail


def test_a_text_file_named_mp4_fails_with_a_reason(clips, upload):
    asset = process(upload(clips["text"]))
    assert asset.status == MediaStatus.FAILED
    assert "不是可读取的视频或音频文件" in asset.failure_reason
    assert not list(asset_folder(asset.pk).glob("*"))


def test_a_truncated_upload_fails_with_a_reason(clips, upload):
    asset = process(upload(clips["truncated"]))
    assert asset.status == MediaStatus.FAILED
    assert "不完整" in asset.failure_reason
    assert not list(asset_folder(asset.pk).glob("*"))


def test_a_rerun_after_a_crash_leaves_one_complete_ladder(clips, upload):
    asset = upload(clips["small"])
    # A worker died mid-transcode: the asset says processing, half a folder is left.
    MediaAsset.objects.filter(pk=asset.pk).update(status=MediaStatus.PROCESSING)
    partial = asset_folder(asset.pk) / "work-dead0001" / "360p"
    partial.mkdir(parents=True)
    (partial / "seg_000.ts").write_bytes(b"half a segment")
    asset = process(asset)  # the task is delivered again (acks_late)
    assert asset.status == MediaStatus.READY, asset.failure_reason
    assert [p.name for p in asset_folder(asset.pk).iterdir()] == [
        Path(asset.output_dir).name
    ]
    again = process(asset)  # a further delivery changes nothing
    assert again.output_dir == asset.output_dir and again.status == MediaStatus.READY


def test_a_failed_asset_can_be_retried(
    clips, upload, django_capture_on_commit_callbacks
):
    asset = process(upload(clips["text"]))
    with django_capture_on_commit_callbacks() as callbacks:
        retried = media_retry(asset_id=asset.pk)
    assert retried.status == MediaStatus.UPLOADED and not retried.failure_reason
    assert len(callbacks) == 1  # the processing task is queued after commit


def test_an_over_long_file_is_rejected(clips, upload, settings):
    settings.ZHIXUE_MEDIA_MAX_MINUTES = 0.05  # three seconds
    asset = process(upload(clips["long"]))
    assert asset.status == MediaStatus.FAILED
    assert "分钟" in asset.failure_reason


def test_an_upload_in_the_admin_queues_processing(
    tree, client_for, clips, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse
    from wagtail.models import Collection

    client = client_for(tree.editor)  # Editors may add media (wagtailmedia's data)
    url = reverse("wagtailmedia:add", args=("video",))
    assert client.get(url).status_code == 200
    upload = SimpleUploadedFile("lesson.mp4", clips["small"].read_bytes())
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            url,
            {
                "title": "党史微课第一讲",
                "file": upload,
                "collection": Collection.get_first_root_node().pk,
            },
        )
    assert response.status_code == 302, response.content.decode()[:1500]
    asset = MediaAsset.objects.get(title="党史微课第一讲")
    assert asset.status == MediaStatus.UPLOADED
    assert len(callbacks) == 1  # media_process_task, after the commit
    assert process(asset).status == MediaStatus.READY


def test_the_sweeper_requeues_stuck_assets_and_gives_up_after_three_tries(
    clips, upload, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    from media.services.processing import MAX_ATTEMPTS, media_sweep_stuck, stuck_after

    long_ago = timezone.now() - stuck_after() - timedelta(minutes=1)
    stuck = upload(clips["small"], title="中断一次")
    hopeless = upload(clips["small"], title="中断三次")
    recent = upload(clips["small"], title="正在处理")
    slow = upload(clips["small"], title="长视频，仍有进度")
    MediaAsset.objects.filter(pk=stuck.pk).update(
        status=MediaStatus.PROCESSING, processing_started_at=long_ago, attempts=1
    )
    MediaAsset.objects.filter(pk=hopeless.pk).update(
        status=MediaStatus.PROCESSING,
        processing_started_at=long_ago,
        attempts=MAX_ATTEMPTS,
    )
    MediaAsset.objects.filter(pk=recent.pk).update(
        status=MediaStatus.PROCESSING, processing_started_at=timezone.now()
    )
    MediaAsset.objects.filter(pk=slow.pk).update(  # started long ago, still alive
        status=MediaStatus.PROCESSING,
        processing_started_at=long_ago,
        progress_at=timezone.now(),
    )
    with django_capture_on_commit_callbacks() as callbacks:
        assert media_sweep_stuck() == 2
    assert len(callbacks) == 1
    statuses = dict(MediaAsset.objects.values_list("title", "status"))
    assert statuses == {
        "中断一次": MediaStatus.UPLOADED,
        "中断三次": MediaStatus.FAILED,
        "正在处理": MediaStatus.PROCESSING,
        "长视频，仍有进度": MediaStatus.PROCESSING,
    }
    assert "中断" in MediaAsset.objects.get(pk=hopeless.pk).failure_reason


def test_a_file_replaced_during_processing_makes_that_run_stale(
    clips, upload, monkeypatch, django_capture_on_commit_callbacks
):
    from media.services import processing

    asset = upload(clips["small"])
    real = processing._transcode

    def replaced_meanwhile(asset, work):
        result = real(asset, work)
        with django_capture_on_commit_callbacks(execute=False):
            processing.media_file_uploaded(asset_id=asset.pk)  # the editor's new file
        return result

    monkeypatch.setattr(processing, "_transcode", replaced_meanwhile)
    stale = process(asset)
    assert stale.status == MediaStatus.UPLOADED  # waits for the run of the new file
    assert not stale.renditions
    assert not list(asset_folder(asset.pk).glob("*"))


def _long_ago():
    from datetime import timedelta

    from django.utils import timezone

    from media.services.processing import stuck_after

    return timezone.now() - stuck_after() - timedelta(minutes=1)


def test_a_second_delivery_leaves_a_live_run_alone(clips, upload):
    """Redis redelivers after its visibility timeout, or a redelivery races the
    sweeper: the live run's work folder must survive, and its state too."""
    from django.utils import timezone

    asset = upload(clips["small"])
    MediaAsset.objects.filter(pk=asset.pk).update(
        status=MediaStatus.PROCESSING,
        attempts=1,
        progress=40,
        processing_started_at=_long_ago(),  # a long transcode …
        progress_at=timezone.now(),  # … that reported a moment ago
    )
    live = asset_folder(asset.pk) / "work-live0001"
    live.mkdir(parents=True)
    (live / "seg_000.ts").write_bytes(b"being written")
    again = process(asset)
    assert (again.status, again.attempts, again.progress) == (
        MediaStatus.PROCESSING,
        1,
        40,
    )
    assert (live / "seg_000.ts").read_bytes() == b"being written"


def test_a_delivery_after_the_run_went_silent_starts_over(clips, upload):
    asset = upload(clips["small"])
    MediaAsset.objects.filter(pk=asset.pk).update(
        status=MediaStatus.PROCESSING,
        attempts=1,
        processing_started_at=_long_ago(),
        progress_at=_long_ago(),
    )
    dead = asset_folder(asset.pk) / "work-dead0001"
    dead.mkdir(parents=True)
    done = process(asset)
    assert done.status == MediaStatus.READY and done.attempts == 2
    assert not dead.exists()


def test_a_stale_runs_progress_does_not_keep_a_newer_run_alive(clips, upload):
    from media.services.processing import _ProgressReporter

    asset = upload(clips["small"])
    MediaAsset.objects.filter(pk=asset.pk).update(
        status=MediaStatus.PROCESSING, attempts=2, progress=10
    )
    _ProgressReporter(asset.pk, 1)(50)  # the first run, still going somewhere
    row = MediaAsset.objects.get(pk=asset.pk)
    assert (row.progress, row.progress_at) == (10, None)
    _ProgressReporter(asset.pk, 2)(50)  # the current run
    row = MediaAsset.objects.get(pk=asset.pk)
    assert row.progress == 50 and row.progress_at is not None


def test_the_sweeper_requeues_uploads_whose_task_was_lost(
    clips, upload, django_capture_on_commit_callbacks
):
    from media.services.processing import MAX_ATTEMPTS, media_sweep_stuck

    lost = upload(clips["small"], title="任务丢失")
    requeued_lost = upload(clips["small"], title="重新排队后又丢失")
    hopeless = upload(clips["small"], title="任务屡次丢失")
    waiting = upload(clips["small"], title="刚刚排队")
    MediaAsset.objects.filter(pk=lost.pk).update(created_at=_long_ago())
    MediaAsset.objects.filter(pk=requeued_lost.pk).update(queued_at=_long_ago())
    MediaAsset.objects.filter(pk=hopeless.pk).update(
        queued_at=_long_ago(), attempts=MAX_ATTEMPTS - 1
    )
    with django_capture_on_commit_callbacks() as callbacks:
        media_file_uploaded(asset_id=waiting.pk)  # queued just now
    MediaAsset.objects.filter(pk=waiting.pk).update(created_at=_long_ago())
    with django_capture_on_commit_callbacks() as callbacks:
        assert media_sweep_stuck() == 3
    assert len(callbacks) == 2  # the processing task, queued again
    rows = {a.title: a for a in MediaAsset.objects.all()}
    for title in ("任务丢失", "重新排队后又丢失"):
        assert rows[title].status == MediaStatus.UPLOADED
        assert rows[title].attempts == 1  # the lost task counts as an attempt
        assert rows[title].queued_at > _long_ago()  # not swept again next time
    assert rows["任务屡次丢失"].status == MediaStatus.FAILED
    assert "中断" in rows["任务屡次丢失"].failure_reason
    assert rows["刚刚排队"].status == MediaStatus.UPLOADED
    assert rows["刚刚排队"].attempts == 0


def test_uploads_wait_their_turn_while_a_run_is_alive(clips, upload):
    from django.utils import timezone

    from media.services.processing import media_sweep_stuck

    queued = upload(clips["small"], title="排在后面")
    busy = upload(clips["small"], title="正在转码")
    MediaAsset.objects.filter(pk=queued.pk).update(queued_at=_long_ago())
    MediaAsset.objects.filter(pk=busy.pk).update(
        status=MediaStatus.PROCESSING, attempts=1, processing_started_at=timezone.now()
    )
    assert media_sweep_stuck() == 0  # the worker is busy, not gone
    queued.refresh_from_db()
    assert (queued.status, queued.attempts) == (MediaStatus.UPLOADED, 0)


def test_a_new_transcode_replaces_the_admin_thumbnail(
    clips, upload, django_capture_on_commit_callbacks
):
    first = process(upload(clips["small"]))
    old = first.thumbnail
    assert old.storage.exists(old.name)
    with django_capture_on_commit_callbacks(execute=False):
        media_file_uploaded(asset_id=first.pk)
    with django_capture_on_commit_callbacks(execute=True):
        second = process(first)
    assert second.thumbnail.name != old.name
    assert second.thumbnail.storage.exists(second.thumbnail.name)
    assert not old.storage.exists(old.name)


def test_a_missing_or_unreadable_subtitle_file_costs_only_the_subtitles(
    clips, upload, caplog
):
    from django.core.files.base import ContentFile

    from media.services.subtitles import VTT_NAME

    gone = upload(clips["small"], title="字幕文件丢失")
    gone.subtitles.save("gone.srt", ContentFile(b"1\n"), save=True)
    Path(gone.subtitles.path).unlink()
    broken = upload(clips["small"], title="字幕文件损坏")
    broken.subtitles.save("broken.srt", ContentFile("没有时间轴".encode()), save=True)
    for asset in (gone, broken):
        done = process(asset)
        assert done.status == MediaStatus.READY, done.failure_reason
        assert MediaAsset.objects.get(pk=asset.pk).status == MediaStatus.READY
        assert not (output(done) / VTT_NAME).exists()
        assert (output(done) / "master.m3u8").is_file()
    assert caplog.text.count("Subtitles of media asset") == 2
