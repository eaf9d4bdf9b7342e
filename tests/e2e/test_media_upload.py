"""Uploading a lesson through wagtailmedia's add form in a real browser: the progress
bar of media/static/media/admin_upload.js, cancelling, the size limit checked before
sending, and landing where wagtailmedia redirects after saving."""

import re
import shutil
import subprocess

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files import File
from playwright.sync_api import Page, expect
from wagtail.models import Collection, GroupCollectionPermission

from media.models import MediaAsset, MediaStatus
from tests.factories import PASSWORD

from .conftest import DESKTOP

ADD_VIDEO = "/admin/media/video/add/"
INDEX = "/admin/media/"


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    """A few MB of H.264: big enough that a throttled upload takes seconds."""
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is not installed (scripts/test installs it)")
    path = tmp_path_factory.mktemp("upload") / "党史微课.mp4"
    subprocess.run(
        [
            "ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-y",
            "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=25:duration=4",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
            "-b:v", "8M", "-maxrate", "8M", "-bufsize", "8M",
            str(path),
        ],
        check=True,
    )  # fmt: skip
    assert 2_000_000 < path.stat().st_size < 8_000_000
    return path


@pytest.fixture
def queued(monkeypatch):
    """Asset ids handed to the processing task (the broker is not ours to fill)."""
    ids = []
    monkeypatch.setattr(
        "media.tasks.media_process_task.delay", lambda asset_id: ids.append(asset_id)
    )
    return ids


@pytest.fixture
def progress() -> list[int]:
    """The percentages the upload-progress events reported, in order."""
    return []


@pytest.fixture
def editor(site, tree):
    """林编辑, with what the data migrations give the Editors group for media.

    A transactional test (any live-server test) ends with a flush, which also drops
    the groups, their permissions and the root collection that migrations made;
    put back what wagtailmedia's views and our processing screen check.
    """
    root = Collection.get_first_root_node() or Collection.add_root(name="Root")
    editors, _ = Group.objects.get_or_create(name="Editors")
    media = list(
        Permission.objects.filter(
            content_type__app_label="wagtailmedia",
            codename__in=["add_media", "change_media", "delete_media"],
        )
    )
    editors.permissions.add(
        Permission.objects.get(
            content_type__app_label="wagtailadmin", codename="access_admin"
        ),
        *media,
    )
    for permission in media:
        GroupCollectionPermission.objects.get_or_create(
            group=editors, collection=root, permission=permission
        )
    tree.editor.groups.add(editors)
    return tree.editor


@pytest.fixture
def editor_page(open_page, site, editor, progress) -> Page:
    """林编辑 on the add-video form. Every upload-progress event is recorded in
    ``progress`` through an exposed function, which outlives the navigation that
    ends the upload."""
    page = open_page(DESKTOP)
    page.expose_function("zhixueProgress", lambda percent: progress.append(percent))
    page.add_init_script(
        "document.addEventListener('zhixue:upload-progress',"
        " (event) => window.zhixueProgress(event.detail.percent));"
    )
    page.goto(f"/accounts/login/?next={ADD_VIDEO}")
    page.fill("input[name=identifier]", editor.username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form").get_by_role("button", name="登录").click()
    expect(page).to_have_url(site.url + ADD_VIDEO)
    return page


def throttle_upload(page: Page, bytes_per_second: float) -> None:
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": 0,
            "downloadThroughput": -1,
            "uploadThroughput": bytes_per_second,
        },
    )


def submit_button(page: Page):
    return page.locator('form[enctype="multipart/form-data"] button[type="submit"]')


def choose_file(page: Page, path, title: str = "党史微课第一讲") -> None:
    page.fill("#id_title", title)
    page.set_input_files("#id_file", str(path))


def test_the_upload_shows_its_progress_and_lands_on_the_media_list(
    editor_page, progress, site, clip, queued
):
    page = editor_page
    size = clip.stat().st_size
    throttle_upload(page, size / 2.5)  # about two and a half seconds
    choose_file(page, clip)
    submit_button(page).click()

    panel = page.locator("form .zhixue-upload")
    expect(panel.locator("progress")).to_be_visible()
    expect(panel).to_contain_text("正在上传 党史微课.mp4")
    expect(panel.get_by_role("button", name="取消上传")).to_be_visible()
    expect(submit_button(page)).to_be_disabled()
    # Under way: MB sent of the total (the whole request), the speed, the time left.
    detail = panel.locator(".zhixue-upload__detail")
    expect(detail).to_contain_text(
        re.compile(r"已上传 \d+\.\d MB，共 \d+\.\d MB · \d+\.\d MB/秒 · 剩余约 \d+ 秒")
    )
    total = float(re.search(r"共 (\d+\.\d) MB", detail.inner_text()).group(1))
    assert total == pytest.approx(size / 1024 / 1024, abs=0.11)

    expect(page).to_have_url(site.url + INDEX, timeout=20_000)
    # wagtailmedia's success message is still there (see MediaUploadMiddleware).
    expect(page.locator(".messages[role=status]")).to_contain_text("党史微课第一讲")
    asset = MediaAsset.objects.get(title="党史微课第一讲")
    row = page.locator(f'[data-zhixue-media-status="{asset.pk}"]')
    expect(row).to_contain_text("待处理")
    assert asset.file.size == size
    assert asset.status == MediaStatus.UPLOADED
    assert queued == [asset.pk]

    assert progress[-1] == 100
    assert any(0 < percent < 100 for percent in progress), progress
    assert progress == sorted(progress)


def test_cancelling_an_upload_keeps_the_editor_on_the_form(editor_page, clip, queued):
    page = editor_page
    throttle_upload(page, clip.stat().st_size / 20)  # slow enough to catch
    choose_file(page, clip)
    submit_button(page).click()
    panel = page.locator("form .zhixue-upload")
    expect(panel.locator("progress")).to_be_visible()

    panel.get_by_role("button", name="取消上传").click()

    expect(panel).to_contain_text("已取消上传。")
    expect(submit_button(page)).to_be_enabled()
    expect(page.locator("#id_title")).to_have_value("党史微课第一讲")
    assert not MediaAsset.objects.exists()
    assert queued == []


def test_a_file_over_the_limit_is_refused_before_sending(
    editor_page, clip, settings, queued
):
    settings.ZHIXUE_MEDIA_MAX_UPLOAD_MB = 1
    page = editor_page
    page.reload()  # the limit comes with the page
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    choose_file(page, clip)

    submit_button(page).click()

    expect(page.locator("form .zhixue-upload")).to_contain_text(
        "文件超过上传上限（1 MB）"
    )
    expect(submit_button(page)).to_be_enabled()
    assert posts == []
    assert not MediaAsset.objects.exists()


def lesson(title: str, clip, **state) -> MediaAsset:
    with clip.open("rb") as handle:
        asset = MediaAsset.objects.create(
            title=title,
            type="video",
            collection=Collection.get_first_root_node(),
            file=File(handle, name="lesson.mp4"),
        )
    MediaAsset.objects.filter(pk=asset.pk).update(**state)
    return asset


def test_the_media_list_follows_processing_live(editor_page, site, clip):
    page = editor_page
    asset = lesson("转码中的课", clip, status=MediaStatus.PROCESSING, progress=10)
    page.goto(INDEX)
    cell = page.locator(f'[data-zhixue-media-status="{asset.pk}"]')
    expect(cell).to_contain_text("处理中")
    expect(cell.locator("progress")).to_have_attribute("value", "10")

    MediaAsset.objects.filter(pk=asset.pk).update(progress=60)
    expect(cell.locator("progress")).to_have_attribute("value", "60")
    expect(cell).to_contain_text("60%")

    MediaAsset.objects.filter(pk=asset.pk).update(
        status=MediaStatus.FAILED, failure_reason="文件无法解码（测试）。"
    )
    expect(cell.locator("[data-zhixue-status-label]")).to_have_text("失败")
    expect(cell).to_contain_text("文件无法解码（测试）。")
    expect(cell.locator("progress")).to_be_hidden()


def test_retry_on_the_edit_page_requeues_and_the_page_shows_the_result(
    editor_page, site, clip, queued
):
    page = editor_page
    asset = lesson(
        "坏掉的课", clip, status=MediaStatus.FAILED, failure_reason="文件不完整。"
    )
    edit = f"/admin/media/edit/{asset.pk}/"
    page.goto(edit)
    status = page.locator(f'[data-zhixue-media-status="{asset.pk}"]')
    expect(status).to_contain_text("文件不完整。")

    status.get_by_role("button", name="重试").click()

    expect(status.locator("[data-zhixue-status-label]")).to_have_text("待处理")
    expect(status.get_by_role("button", name="重试")).to_be_hidden()
    expect(status).not_to_contain_text("文件不完整。")
    expect(page).to_have_url(site.url + edit)  # stayed on the page
    assert queued == [asset.pk]

    # The worker finishes: the page reloads and shows what processing found.
    MediaAsset.objects.filter(pk=asset.pk).update(
        status=MediaStatus.READY,
        progress=100,
        duration=4,
        width=1280,
        height=720,
        renditions=[{"name": "720p"}, {"name": "360p"}],
    )
    expect(status.locator("[data-zhixue-status-label]")).to_have_text("可播放")
    expect(page.locator("dl")).to_contain_text("1280 × 720")
    expect(page.locator("dl")).to_contain_text("720p · 360p")


def test_a_form_the_server_refuses_comes_back_with_its_errors(
    editor_page, site, clip, settings, queued
):
    page = editor_page  # loaded with the default limit, which the script checks
    settings.ZHIXUE_MEDIA_MAX_UPLOAD_MB = 1  # … and lowered on the server meanwhile
    choose_file(page, clip)

    submit_button(page).click()

    expect(page.locator(".error-message")).to_contain_text("文件超过上传上限（1 MB）")
    # wagtailmedia's own message, in the page that came back
    expect(page.locator(".messages[role=status]")).to_contain_text(
        "由于出现错误，无法保存媒体文件。"
    )
    expect(page).to_have_url(site.url + ADD_VIDEO)
    expect(page.locator("#id_title")).to_have_value("党史微课第一讲")
    expect(submit_button(page)).to_be_enabled()
    assert not MediaAsset.objects.exists()
    assert queued == []


def test_the_chooser_modals_upload_tab_shows_the_progress_too(
    editor_page, progress, site, clip, queued
):
    """wagtailmedia's modal, opened the way its chooser widget opens it (no page
    type with a media chooser is needed for that)."""
    page = editor_page
    page.goto(INDEX)
    page.add_script_tag(url="/static/wagtailadmin/js/modal-workflow.js")
    page.add_script_tag(url="/static/wagtailmedia/js/media-chooser-modal.js")
    page.evaluate(
        """() => ModalWorkflow({
            url: "/admin/media/chooser/video/",
            onload: MEDIA_CHOOSER_MODAL_ONLOAD_HANDLERS,
            responses: {mediaChosen: (media) => { window.chosenMedia = media; }},
        })"""
    )
    modal = page.locator(".modal-content")
    modal.get_by_role("tab", name="上传视频").click()
    form = modal.locator("form.media-upload")
    form.locator("#id_media-chooser-upload-title").fill("弹窗里上传的课")
    form.locator("#id_media-chooser-upload-file").set_input_files(str(clip))
    throttle_upload(page, clip.stat().st_size / 2.5)

    form.get_by_role("button", name="上传").click()

    expect(form.locator(".zhixue-upload progress")).to_be_visible()
    expect(form.locator(".zhixue-upload")).to_contain_text("MB/秒")
    page.wait_for_function("() => window.chosenMedia", timeout=20_000)
    chosen = page.evaluate("() => window.chosenMedia")
    asset = MediaAsset.objects.get(title="弹窗里上传的课")
    assert chosen["id"] == asset.pk
    assert asset.file.size == clip.stat().st_size
    assert queued == [asset.pk]
    assert progress[-1] == 100 and any(0 < p < 100 for p in progress)
