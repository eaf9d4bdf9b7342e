"""The processing screen: status, progress, reasons and retry, for media editors."""

from media.models import MediaAsset, MediaStatus
from media.services.processing import media_process


def test_editors_see_each_lesson_with_its_status_progress_and_reason(
    tree, client_for, clips, upload
):
    ready = media_process(asset_id=upload(clips["small"], title="可以播放的课").pk)
    failed = media_process(asset_id=upload(clips["text"], title="坏文件").pk)
    running = upload(clips["small"], title="正在转码的课")
    MediaAsset.objects.filter(pk=running.pk).update(
        status=MediaStatus.PROCESSING, progress=42
    )
    client = client_for(tree.editor)
    html = client.get("/admin/lesson-media/").content.decode()
    assert "微党课处理进度" in html
    assert "可以播放的课" in html and "360p" in html and "可播放" in html
    assert failed.failure_reason in html and "重试" in html
    assert 'value="42"' in html
    status = client.get(
        "/admin/lesson-media/status/", {"ids": f"{running.pk},{ready.pk}"}
    ).json()
    assert status[str(running.pk)]["progress"] == 42
    assert status[str(ready.pk)]["status"] == "ready"


def test_retry_sends_a_failed_lesson_back_to_processing(
    tree, client_for, clips, upload, django_capture_on_commit_callbacks
):
    failed = media_process(asset_id=upload(clips["text"]).pk)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client_for(tree.editor).post(
            f"/admin/lesson-media/{failed.pk}/retry/"
        )
    assert response.status_code == 302
    assert MediaAsset.objects.get(pk=failed.pk).status == MediaStatus.UPLOADED
    assert len(callbacks) == 1


def test_members_cannot_open_the_processing_screen(tree, client_for):
    client = client_for(tree.member_a.user)
    assert client.get("/admin/lesson-media/").status_code in (302, 403)
    assert client.get("/admin/lesson-media/status/").status_code in (302, 403)


def test_retrying_an_unknown_lesson_is_not_found(tree, client_for):
    response = client_for(tree.editor).post("/admin/lesson-media/999999/retry/")
    assert response.status_code == 404
