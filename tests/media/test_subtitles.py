"""Subtitles (.srt or .vtt, UTF-8 or GBK) become WebVTT and searchable words."""

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
