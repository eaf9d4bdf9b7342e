"""Subtitles (.srt or .vtt; UTF-8, GBK or UTF-16) become WebVTT and searchable
words."""

import codecs

import pytest
from django.core.files.base import ContentFile

from media.models import MediaStatus
from media.services.probe import MediaRejected
from media.services.processing import media_process, protected_root
from media.services.subtitles import (
    VTT_NAME,
    media_subtitles_changed,
    subtitles_to_vtt,
)

SRT = """1
00:00:00,500 --> 00:00:02,000
同志们好，今天学习<i>党章</i>。

2
00:00:02,000 --> 00:00:03,900
坚持和加强党的全面领导
第二行
"""


def test_an_srt_becomes_webvtt_with_dotted_times():
    vtt, words = subtitles_to_vtt(SRT.encode("utf-8"))
    assert vtt.startswith("WEBVTT\n\n00:00:00.500 --> 00:00:02.000\n同志们好")
    assert "00:00:02.000 --> 00:00:03.900\n坚持和加强党的全面领导\n第二行" in vtt
    assert "1\n00:00:00" not in vtt  # cue numbers dropped
    assert words == "同志们好，今天学习党章。 坚持和加强党的全面领导 第二行"


def test_a_gbk_file_from_a_windows_tool_is_read_correctly():
    _vtt, words = subtitles_to_vtt(SRT.replace("\n", "\r\n").encode("gbk"))
    assert "坚持和加强党的全面领导" in words


def test_a_vtt_file_is_kept_as_webvtt():
    source = "WEBVTT\n\n00:01.000 --> 00:02.500 align:start\n学习强国\n"
    vtt, words = subtitles_to_vtt(source.encode())
    assert "00:00:01.000 --> 00:00:02.500 align:start\n学习强国" in vtt
    assert words == "学习强国"


@pytest.mark.parametrize(
    "data", [b"", "只是一段文字，没有时间轴".encode(), b"\xff\xfe\x00"]
)
def test_a_file_without_cues_is_refused_with_a_reason(data):
    with pytest.raises(MediaRejected) as refused:
        subtitles_to_vtt(data)
    assert refused.value.reason


def test_subtitles_reach_the_rendition_folder_and_the_search(clips, upload):
    asset = upload(clips["small"])
    asset.subtitles.save("lesson.srt", ContentFile(SRT.encode()), save=True)
    media_subtitles_changed(asset_id=asset.pk)
    asset = media_process(asset_id=asset.pk)
    assert asset.status == MediaStatus.READY
    vtt = protected_root() / asset.output_dir / VTT_NAME
    assert vtt.read_text(encoding="utf-8").startswith("WEBVTT")
    assert "全面领导" in asset.subtitle_text

    asset.subtitles.delete(save=True)  # the editor clears them on a ready lesson
    media_subtitles_changed(asset_id=asset.pk)
    asset.refresh_from_db()
    assert asset.subtitle_text == "" and not vtt.exists()


def test_the_admin_form_refuses_unreadable_subtitles(tree, client_for, clips, upload):
    asset = media_process(asset_id=upload(clips["small"], title="有字幕").pk)
    client = client_for(tree.editor)
    form = {
        "title": asset.title,
        "collection": asset.collection_id,
        "subtitles": ContentFile("没有时间轴".encode(), name="bad.srt"),
    }
    response = client.post(f"/admin/media/edit/{asset.pk}/", form)
    assert response.status_code == 200
    assert "没有" in response.content.decode()  # the form shows the reason
    form["subtitles"] = ContentFile(SRT.encode(), name="good.srt")
    response = client.post(f"/admin/media/edit/{asset.pk}/", form)
    assert response.status_code == 302
    asset.refresh_from_db()
    assert asset.status == MediaStatus.READY  # no new transcode for subtitles
    assert (protected_root() / asset.output_dir / VTT_NAME).is_file()


@pytest.mark.parametrize(
    "data",
    [
        codecs.BOM_UTF16_LE + SRT.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + SRT.replace("\n", "\r\n").encode("utf-16-be"),
    ],
    ids=["utf-16-le", "utf-16-be"],
)
def test_a_utf16_file_with_a_byte_order_mark_is_read(data):
    _vtt, words = subtitles_to_vtt(data)  # Notepad's "Unicode" encodings
    assert "坚持和加强党的全面领导" in words


NEW_SRT = """1
00:00:00,500 --> 00:00:02,000
新的一版字幕
"""


def test_new_subtitles_replace_the_file_a_player_may_be_reading(clips, upload):
    asset = media_process(asset_id=upload(clips["small"]).pk)
    asset.subtitles.save("first.srt", ContentFile(SRT.encode()), save=True)
    media_subtitles_changed(asset_id=asset.pk)
    vtt = protected_root() / asset.output_dir / VTT_NAME
    with vtt.open(encoding="utf-8") as reading:  # a player's download under way
        asset.subtitles.save("second.srt", ContentFile(NEW_SRT.encode()), save=True)
        media_subtitles_changed(asset_id=asset.pk)
        assert "全面领导" in reading.read()  # the old file, whole, not half of both
    assert "新的一版字幕" in vtt.read_text(encoding="utf-8")
    assert sorted(p.name for p in vtt.parent.iterdir() if p.name.startswith(".")) == []


def _admin_form(asset, user, data, files=None):
    from wagtailmedia.forms import get_media_form

    from media.models import MediaAsset

    form_class = get_media_form(MediaAsset)
    return form_class(
        {"collection": asset.collection_id, **data},
        files or {},
        instance=asset,
        user=user,
    )


def test_an_over_large_subtitle_file_is_refused_before_it_is_read(tree, clips, upload):
    import io

    from django.core.files.uploadedfile import UploadedFile

    from media.services.subtitles import MAX_BYTES

    class CountedReads(io.BytesIO):
        read_bytes = 0

        def read(self, size=-1):
            data = super().read(size)
            self.read_bytes += len(data)
            return data

    data = SRT.encode() * (MAX_BYTES // len(SRT.encode()) + 1)
    assert len(data) > MAX_BYTES
    stream = CountedReads(data)
    big = UploadedFile(stream, name="big.srt", content_type="text/plain")
    big.size = len(data)
    asset = upload(clips["small"])
    form = _admin_form(asset, tree.editor, {"title": asset.title}, {"subtitles": big})
    assert not form.is_valid()
    assert form.errors["subtitles"] == ["字幕文件超过 2 MB。"]
    assert stream.read_bytes == 0  # refused on its size, not after reading 2 MB+


def test_a_form_read_before_processing_finished_keeps_the_workers_result(
    tree, clips, upload, django_capture_on_commit_callbacks
):
    from media.models import MediaAsset

    asset = upload(clips["small"], title="旧标题")
    # The edit page's row, read while the lesson still waits to be processed …
    form = _admin_form(
        MediaAsset.objects.get(pk=asset.pk),
        tree.editor,
        {"title": "新标题", "description": "改了说明"},
    )
    ready = media_process(asset_id=asset.pk)  # … then the worker finishes it.
    assert form.is_valid(), form.errors
    with django_capture_on_commit_callbacks() as callbacks:
        saved = form.save()
    row = MediaAsset.objects.get(pk=asset.pk)
    assert (row.title, row.description) == ("新标题", "改了说明")
    assert row.status == MediaStatus.READY
    assert (row.output_dir, row.renditions, row.fallback, row.duration) == (
        ready.output_dir,
        ready.renditions,
        ready.fallback,
        ready.duration,
    )
    assert row.thumbnail.name == ready.thumbnail.name
    assert callbacks == []  # no file changed: nothing queued
    assert saved.status == MediaStatus.READY  # what the view indexes


def test_replacing_the_file_in_the_form_processes_it_anew(
    tree, clips, upload, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from media.models import MediaAsset

    asset = media_process(asset_id=upload(clips["small"]).pk)
    new_file = SimpleUploadedFile("second.mp4", clips["hd"].read_bytes())
    form = _admin_form(
        MediaAsset.objects.get(pk=asset.pk),
        tree.editor,
        {"title": asset.title},
        {"file": new_file, "subtitles": ContentFile(SRT.encode(), name="s.srt")},
    )
    assert form.is_valid(), form.errors
    with django_capture_on_commit_callbacks() as callbacks:
        saved = form.save()
    assert saved.status == MediaStatus.UPLOADED and saved.queued_at is not None
    assert "全面领导" in saved.subtitle_text
    assert len(callbacks) == 1
    assert media_process(asset_id=asset.pk).height == 720
