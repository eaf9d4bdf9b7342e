"""wagtailmedia's own admin pages with our lessons: the processing status in its list
and edit page, the upload script's configuration, and the upload limit
(``media/upload_handlers.py``), which must refuse a file before its bytes are kept."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.core.files.uploadhandler import (
    MemoryFileUploadHandler,
    TemporaryFileUploadHandler,
)
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape
from wagtail.models import Collection

from media.models import MediaAsset, MediaStatus
from media.services.processing import media_process
from media.upload_handlers import UPLOAD_HEADER

MB = 1024 * 1024
MIDDLEWARE = "media.upload_handlers.MediaUploadMiddleware"


def add_url(kind: str = "video") -> str:
    return reverse("wagtailmedia:add", args=(kind,))


def form_data(file, title: str = "党史微课") -> dict:
    return {
        "title": title,
        "file": file,
        "collection": Collection.get_first_root_node().pk,
    }


def big_file(size: int, name: str = "big.mp4") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"\0" * size, content_type="video/mp4")


def files_under(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()]


def status_cell(html: str, asset: MediaAsset) -> str:
    """The element carrying the asset's live status, up to the end of the page."""
    start = html.index(f'data-zhixue-media-status="{asset.pk}"')
    return html[start:]


@pytest.fixture
def upload_dirs(settings, tmp_path):
    """Temporary upload files in a folder of the test's own; a low memory limit,
    so that files of a few hundred KB already go to a temporary file."""
    temp = tmp_path / "upload-tmp"
    temp.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(temp)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024
    return {"temp": temp, "media": Path(settings.MEDIA_ROOT)}


@pytest.fixture
def downstream(monkeypatch):
    """What Django's own upload handlers (after ours) receive and hand back."""
    seen = {"bytes": {}, "files": [], "paths": []}
    for cls in (MemoryFileUploadHandler, TemporaryFileUploadHandler):
        seen["bytes"][cls.__name__] = 0

        def receive(self, raw_data, start, _cls=cls, _original=cls.receive_data_chunk):
            seen["bytes"][_cls.__name__] += len(raw_data)
            return _original(self, raw_data, start)

        def complete(self, file_size, _original=cls.file_complete):
            result = _original(self, file_size)
            if result is not None:
                seen["files"].append(result)
                if isinstance(result, TemporaryUploadedFile):
                    seen["paths"].append(Path(result.temporary_file_path()))
            return result

        monkeypatch.setattr(cls, "receive_data_chunk", receive)
        monkeypatch.setattr(cls, "file_complete", complete)
    return seen


# --- the processing status in wagtailmedia's pages -----------------------------


def test_the_edit_page_shows_a_failed_lessons_reason_and_a_retry_button(
    tree, client_for, clips, upload
):
    failed = media_process(asset_id=upload(clips["text"], title="坏文件").pk)
    assert failed.status == MediaStatus.FAILED and failed.failure_reason

    response = client_for(tree.editor).get(
        reverse("wagtailmedia:edit", args=(failed.pk,))
    )

    assert response.status_code == 200
    # Ours, extending wagtailmedia's template of the same name (once: no recursion).
    edits = [
        Path(t.origin.name).relative_to(Path(t.origin.name).parents[4])
        for t in response.templates
        if t.name == "wagtailmedia/media/edit.html"
    ]
    assert edits == [
        Path("media/templates/wagtailmedia/media/edit.html"),
        Path("wagtailmedia/templates/wagtailmedia/media/edit.html"),
    ]
    html = response.content.decode()
    # wagtailmedia's own page is still there around our block …
    assert 'name="title"' in html and "坏文件" in html
    cell = status_cell(html, failed)
    assert cell.startswith(
        f'data-zhixue-media-status="{failed.pk}" data-status="failed"'
    )
    assert "处理状态" in html
    assert re.search(r"data-zhixue-status-label>\s*失败\s*<", cell)
    assert failed.failure_reason in cell
    retry = reverse("media_processing_retry", args=(failed.pk,))
    form = re.search(rf'<form method="post" action="{retry}"[^>]*>', cell).group(0)
    assert "hidden" not in form
    assert 'name="csrfmiddlewaretoken"' in cell.split(retry, 1)[1]
    assert "重试" in cell
    # The progress bar belongs to pending lessons only.
    assert re.search(r"data-zhixue-when-pending hidden", cell)


def test_the_edit_page_follows_a_lesson_being_processed(
    tree, client_for, clips, upload
):
    running = upload(clips["small"], title="正在转码的课")
    MediaAsset.objects.filter(pk=running.pk).update(
        status=MediaStatus.PROCESSING, progress=42
    )
    client = client_for(tree.editor)

    html = client.get(reverse("wagtailmedia:edit", args=(running.pk,))).content.decode()

    cell = status_cell(html, running)
    assert cell.startswith(
        f'data-zhixue-media-status="{running.pk}" data-status="processing"'
    )
    assert "data-zhixue-reload-when-done" in cell.split(">", 1)[0]
    assert re.search(r"data-zhixue-status-label>\s*处理中\s*<", cell)
    assert '<progress max="100" value="42"' in cell
    assert re.search(r"data-zhixue-when-pending>", cell)  # shown, not hidden
    assert re.search(r"<form [^>]*data-zhixue-when-failed hidden>", cell)
    # What the page polls answers for this lesson (the script's configuration
    # names the endpoint).
    config = page_config(html)
    assert config["statusUrl"] == reverse("media_processing_status")
    state = client.get(config["statusUrl"], {"ids": str(running.pk)}).json()
    assert state[str(running.pk)] == {
        "status": "processing",
        "progress": 42,
        "failure_reason": "",
    }


def test_the_edit_page_of_a_ready_lesson_shows_duration_resolution_and_renditions(
    tree, client_for, clips, upload
):
    ready = media_process(asset_id=upload(clips["small"], title="可以播放的课").pk)
    assert ready.status == MediaStatus.READY, ready.failure_reason

    html = (
        client_for(tree.editor)
        .get(reverse("wagtailmedia:edit", args=(ready.pk,)))
        .content.decode()
    )

    assert re.search(r"data-zhixue-status-label>\s*可播放\s*<", html)
    assert "时长" in html and "3 秒" in html
    assert "分辨率" in html and "640 × 360" in html
    assert "清晰度版本" in html and "360p" in html
    assert re.search(r"<form [^>]*data-zhixue-when-failed hidden>", html)


def test_the_list_shows_every_lessons_status_without_a_query_per_row(
    tree, client_for, clips, upload
):
    failed = media_process(asset_id=upload(clips["text"], title="坏文件").pk)
    running = upload(clips["small"], title="正在转码的课")
    MediaAsset.objects.filter(pk=running.pk).update(
        status=MediaStatus.PROCESSING, progress=42
    )
    client = client_for(tree.editor)
    index = reverse("wagtailmedia:index")

    response = client.get(index)

    assert response.status_code == 200
    html = response.content.decode()
    assert "media/templates/wagtailmedia/media/list.html" in str(
        [t.origin.name for t in response.templates]
    )
    headers = re.findall(r"<th>\s*(?:<a [^>]*>)?\s*([^<\s]+)", html)
    assert headers == ["标题", "文件", "类型", "状态", "上传时间"]
    # wagtailmedia's ordering links, newest first by default
    assert f'href="{index}?ordering=title"' in html
    assert f'href="{index}?ordering=created_at"' in html
    running_cell = status_cell(html, running)
    assert running_cell.startswith(
        f'data-zhixue-media-status="{running.pk}" data-status="processing"'
    )
    assert '<progress max="100" value="42"' in running_cell.split("</td>")[0]
    failed_cell = status_cell(html, failed).split("</td>")[0]
    assert "失败" in failed_cell and failed.failure_reason in failed_cell
    assert f'href="{reverse("wagtailmedia:edit", args=(running.pk,))}"' in html

    with CaptureQueriesContext(connection) as two_rows:
        client.get(index)
    for number in range(4):
        upload(clips["small"], title=f"又一课 {number}")
    with CaptureQueriesContext(connection) as six_rows:
        html = client.get(index).content.decode()
    assert html.count("data-zhixue-media-status=") == 6
    assert len(six_rows) == len(two_rows)


def test_the_list_shows_a_collection_column_when_there_are_collections(
    tree, client_for, clips, upload
):
    Collection.get_first_root_node().add_child(name="党史专题")
    upload(clips["small"], title="有集合的课")

    html = client_for(tree.editor).get(reverse("wagtailmedia:index")).content.decode()

    headers = re.findall(r"<th>\s*(?:<a [^>]*>)?\s*([^<\s]+)", html)
    assert headers == ["标题", "文件", "类型", "集合", "状态", "上传时间"]


def test_the_chooser_still_lists_lessons_to_choose_with_their_status(
    tree, client_for, clips, upload
):
    asset = upload(clips["small"], title="可选的课")
    client = client_for(tree.editor)

    # The modal as it opens (a modal-workflow JSON answer) …
    response = client.get(reverse("wagtailmedia:chooser"))
    assert response.status_code == 200
    payload = response.json()
    assert payload["step"] == "chooser"
    chosen = reverse("wagtailmedia:media_chosen", args=(asset.pk,))
    assert f'<a href="{chosen}" class="media-choice">可选的课</a>' in payload["html"]
    assert (
        f'data-zhixue-media-status="{asset.pk}" data-status="uploaded"'
        in (payload["html"])
    )
    assert 'data-ordering="title"' in payload["html"]
    # … and its results when paging or searching (plain HTML).
    results = client.get(reverse("wagtailmedia:chooser"), {"p": "1"}).content.decode()
    assert f'href="{chosen}" class="media-choice"' in results
    assert reverse("wagtailmedia:edit", args=(asset.pk,)) not in results
    # Choosing still works.
    assert client.get(chosen).json()["result"]["id"] == asset.pk


def test_admin_pages_carry_the_upload_script_and_its_configuration(
    tree, client_for, settings
):
    settings.ZHIXUE_MEDIA_MAX_UPLOAD_MB = 300

    html = client_for(tree.editor).get(add_url()).content.decode()

    assert 'src="/static/media/admin_upload.js"' in html
    assert 'href="/static/media/admin_media.css"' in html
    config = page_config(html)
    assert config["maxBytes"] == 300 * MB
    assert config["text"]["tooLarge"] == "文件超过上传上限（300 MB）"
    assert add_url() in config["addUrls"]
    assert config["editUrl"] == reverse("wagtailmedia:edit", args=(0,))
    assert (
        reverse("wagtailmedia:chooser_upload", args=("video",))
        in (config["chooserUploadUrls"])
    )
    assert config["statuses"]["failed"] == "失败"
    assert config["text"]["cancel"] == "取消上传"
    assert config["uploadHeader"] == UPLOAD_HEADER


def page_config(html: str) -> dict:
    found = re.search(
        r'<script id="zhixue-media-admin-config" type="application/json">'
        r"(.*?)</script>",
        html,
        re.S,
    )
    assert found, "the admin script's configuration is missing"
    return json.loads(found.group(1))


# --- the upload limit -------------------------------------------------------


def test_the_limit_is_installed_before_csrf_reads_the_body():
    middleware = django_settings.MIDDLEWARE
    assert MIDDLEWARE in middleware, f"add {MIDDLEWARE} to MIDDLEWARE"
    assert middleware.index(MIDDLEWARE) < middleware.index(
        "django.middleware.csrf.CsrfViewMiddleware"
    )


def test_an_upload_over_the_limit_is_refused_before_its_bytes_are_kept(
    tree, client_for, settings, upload_dirs, downstream
):
    settings.ZHIXUE_MEDIA_MAX_UPLOAD_MB = 1

    response = client_for(tree.editor).post(add_url(), form_data(big_file(3 * MB)))

    assert response.status_code == 200  # the form again, with the error
    html = response.content.decode()
    assert "文件超过上传上限（1 MB）" in html
    assert re.search(r"error-message[^>]*>\s*(<[^>]+>\s*)*文件超过上传上限", html)
    assert not MediaAsset.objects.exists()
    # Known from the Content-Length: no byte went to memory or a temporary file.
    assert downstream["bytes"] == {
        "MemoryFileUploadHandler": 0,
        "TemporaryFileUploadHandler": 0,
    }
    assert files_under(upload_dirs["temp"]) == []
    assert files_under(upload_dirs["media"]) == []
    # The title survived; the editor only has to pick a smaller file.
    assert 'value="党史微课"' in html


def test_a_file_that_passes_the_limit_while_streaming_is_dropped(
    tree, client_for, settings, upload_dirs, downstream
):
    settings.ZHIXUE_MEDIA_MAX_UPLOAD_MB = 1
    # Within the Content-Length allowance for the other fields, over the limit.
    size = MB + 300 * 1024

    response = client_for(tree.editor).post(add_url(), form_data(big_file(size)))

    assert "文件超过上传上限（1 MB）" in response.content.decode()
    assert not MediaAsset.objects.exists()
    received = downstream["bytes"]["TemporaryFileUploadHandler"]
    assert 0 < received <= MB  # it had begun; it stopped at the limit
    assert downstream["files"] == []
    assert files_under(upload_dirs["temp"]) == []  # the partial file is gone
    assert files_under(upload_dirs["media"]) == []


def test_replacing_the_file_with_one_over_the_limit_keeps_the_old_file(
    tree, client_for, settings, clips, upload, upload_dirs
):
    asset = upload(clips["small"], title="原来的课")
    original = asset.file.name
    settings.ZHIXUE_MEDIA_MAX_UPLOAD_MB = 1

    response = client_for(tree.editor).post(
        reverse("wagtailmedia:edit", args=(asset.pk,)),
        form_data(big_file(3 * MB), title="改过的标题"),
    )

    # The edit form's file is optional: without the refusal this would have saved.
    assert response.status_code == 200
    assert "文件超过上传上限（1 MB）" in response.content.decode()
    asset.refresh_from_db()
    assert (asset.title, asset.file.name) == ("原来的课", original)
    assert asset.file.read() == clips["small"].read_bytes()


def test_the_chooser_upload_refuses_a_file_over_the_limit(
    tree, client_for, settings, upload_dirs
):
    settings.ZHIXUE_MEDIA_MAX_UPLOAD_MB = 1
    data = {
        "media-chooser-upload-title": "弹窗里上传",
        "media-chooser-upload-file": big_file(3 * MB),
        "media-chooser-upload-collection": Collection.get_first_root_node().pk,
    }

    response = client_for(tree.editor).post(
        reverse("wagtailmedia:chooser_upload", args=("video",)), data
    )

    payload = response.json()
    assert payload["step"] == "chooser"  # not "media_chosen"
    assert "文件超过上传上限（1 MB）" in payload["html"]
    assert not MediaAsset.objects.exists()
    assert files_under(upload_dirs["media"]) == []


def test_the_limit_holds_with_csrf_checks_on(tree, settings, upload_dirs, downstream):
    """A real browser's request: CsrfViewMiddleware reads the body before the view,
    so this only passes if the handler was in place before it."""
    settings.ZHIXUE_MEDIA_MAX_UPLOAD_MB = 1
    client = Client(enforce_csrf_checks=True)
    client.force_login(tree.editor)
    client.get(add_url())
    token = client.cookies[settings.CSRF_COOKIE_NAME].value

    response = client.post(
        add_url(), {**form_data(big_file(3 * MB)), "csrfmiddlewaretoken": token}
    )

    assert response.status_code == 200
    assert "文件超过上传上限（1 MB）" in response.content.decode()
    assert downstream["bytes"]["TemporaryFileUploadHandler"] == 0
    assert not MediaAsset.objects.exists()


def test_the_middleware_placed_after_csrf_fails_loudly(tree, settings):
    """After CsrfViewMiddleware the body is parsed already: a limit installed then
    would never apply, so it refuses to run rather than let uploads through."""
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != MIDDLEWARE] + [
        MIDDLEWARE
    ]
    client = Client(enforce_csrf_checks=True)
    client.force_login(tree.editor)
    client.get(add_url())
    token = client.cookies[settings.CSRF_COOKIE_NAME].value

    with pytest.raises(ImproperlyConfigured, match="before CsrfViewMiddleware"):
        client.post(
            add_url(), {**form_data(big_file(1024)), "csrfmiddlewaretoken": token}
        )


def test_an_upload_under_the_limit_is_saved_through_a_temporary_file(
    tree,
    client_for,
    settings,
    clips,
    upload_dirs,
    downstream,
    django_capture_on_commit_callbacks,
):
    settings.ZHIXUE_MEDIA_MAX_UPLOAD_MB = 1
    data = clips["small"].read_bytes()
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE < len(data) < MB

    with django_capture_on_commit_callbacks() as callbacks:
        response = client_for(tree.editor).post(
            add_url(), form_data(SimpleUploadedFile("lesson.mp4", data))
        )

    assert response.status_code == 302, response.content.decode()[:1000]
    asset = MediaAsset.objects.get(title="党史微课")
    assert asset.status == MediaStatus.UPLOADED
    assert asset.file.read() == data
    assert len(callbacks) == 1  # processing is queued
    # Streamed to disk, not held in memory …
    assert [type(f) for f in downstream["files"]] == [TemporaryUploadedFile]
    assert downstream["bytes"]["TemporaryFileUploadHandler"] == len(data)
    assert [p.parent for p in downstream["paths"]] == [upload_dirs["temp"]]
    # … and that temporary file is gone once the request is over.
    assert not downstream["paths"][0].exists()


def test_the_upload_scripts_redirect_hop_leaves_the_success_message_for_the_browser(
    tree, client_for, clips
):
    client = client_for(tree.editor)
    upload_headers = {UPLOAD_HEADER: "1"}
    file = SimpleUploadedFile("lesson.mp4", clips["small"].read_bytes())

    response = client.post(add_url(), form_data(file), headers=upload_headers)
    assert response.status_code == 302
    index = response["Location"]
    assert index == reverse("wagtailmedia:index")

    # XMLHttpRequest follows the redirect with the script's header: nothing rendered …
    hop = client.get(index, headers=upload_headers)
    assert hop.status_code == 204 and hop.content == b""
    # … so the page the browser then opens still says what happened.
    html = client.get(index).content.decode()
    assert escape("媒体文件 '党史微课' 已添加") in html
