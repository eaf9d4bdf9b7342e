"""A member plays a micro-lesson in the browser: hls.js over the protected files,
two qualities chosen in the player, speed, and the resume position saved."""

import shutil
import subprocess

import pytest
from django.core.files import File
from playwright.sync_api import expect
from wagtail.models import Collection

from media.models import MediaAsset, MediaStatus, PlaybackPosition
from media.services.processing import media_process

from .conftest import DESKTOP
from .test_login_and_home import log_in

if shutil.which("ffmpeg") is None:
    pytest.skip(
        "ffmpeg is not installed (scripts/test installs it)", allow_module_level=True
    )

PLAYER = "(window.zhixuePlayers && window.zhixuePlayers[0])"


@pytest.fixture
def lesson(site, tmp_path) -> MediaAsset:
    source = tmp_path / "lesson.mp4"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
         "testsrc2=size=1280x720:rate=25:duration=16", "-f", "lavfi", "-i",
         "sine=frequency=440:duration=16", "-c:v", "libx264", "-preset",
         "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", str(source)],
        check=True,
    )  # fmt: skip
    with source.open("rb") as handle:
        asset = MediaAsset.objects.create(
            title="党章学习微党课",
            type="video",
            # a flush by an earlier live-server test removes the root collection
            collection=Collection.get_first_root_node()
            or Collection.add_root(name="Root"),
            file=File(handle, name=source.name),
        )
    asset = media_process(asset_id=asset.pk)
    assert asset.status == MediaStatus.READY, asset.failure_reason
    return asset


def _level_index(page, height: int) -> int:
    levels = page.evaluate(f"{PLAYER}.levels()")
    return next(level["index"] for level in levels if level["height"] == height)


def _switch_and_play(page, requests: list[str], height: int) -> None:
    index = _level_index(page, height)
    before = len(requests)
    start = page.evaluate(f"{PLAYER}.video.currentTime")
    page.select_option("[data-zx-quality]", label=f"{height}p")
    page.wait_for_function(f"{PLAYER}.currentLevel() === {index}", timeout=15_000)
    page.wait_for_function(
        f"() => {PLAYER}.video.currentTime > {start + 1.0}", timeout=15_000
    )
    assert any(f"/{height}p/seg_" in url for url in requests[before:]), requests


def test_a_member_plays_a_lesson_at_two_qualities(open_page, site, tree, lesson):
    page = open_page(DESKTOP)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    log_in(page, tree.member_a.user.username, "Test-pass-2026")
    page.goto(f"/lesson-media/{lesson.pk}/")
    expect(page.locator("h1")).to_have_text("党章学习微党课")

    page.wait_for_function(
        f"() => {{ const p = {PLAYER}; "
        "return p && p.source() === 'hls' && p.levels().length === 3; }"
    )
    quality_labels = page.locator("[data-zx-quality] option").all_inner_texts()
    assert quality_labels[0].startswith("自动")
    assert quality_labels[1:] == ["720p", "540p", "360p"]
    page.evaluate(
        f"() => {{ const v = {PLAYER}.video; v.muted = true; return v.play(); }}"
    )
    page.wait_for_function(
        f"() => !{PLAYER}.video.paused && {PLAYER}.video.currentTime > 0.3"
    )

    _switch_and_play(page, requests, 360)
    _switch_and_play(page, requests, 720)
    assert all("/lesson-media/" in url for url in requests if url.endswith(".ts"))

    page.select_option("[data-zx-speed]", "1.5")
    assert page.evaluate(f"{PLAYER}.video.playbackRate") == 1.5

    page.evaluate(f"{PLAYER}.video.pause()")
    position = page.evaluate(f"{PLAYER}.video.currentTime")
    for _ in range(50):  # the pause handler posts the position
        saved = PlaybackPosition.objects.filter(
            user=tree.member_a.user, asset=lesson
        ).first()
        if saved is not None and abs(saved.position - position) < 1:
            break
        page.wait_for_timeout(100)
    assert saved is not None and abs(saved.position - position) < 1


def test_the_player_resumes_where_the_member_stopped(open_page, site, tree, lesson):
    PlaybackPosition.objects.create(user=tree.member_a.user, asset=lesson, position=9)
    page = open_page(DESKTOP)
    log_in(page, tree.member_a.user.username, "Test-pass-2026")
    page.goto(f"/lesson-media/{lesson.pk}/")
    page.wait_for_function(f"() => {PLAYER} && {PLAYER}.video.readyState >= 1")
    page.wait_for_function(f"() => Math.abs({PLAYER}.video.currentTime - 9) < 1")
    expect(page.get_by_text("已从上次位置")).to_be_visible()


HIDE_PAGE = """() => {
    Object.defineProperty(document, "hidden", { configurable: true, get: () => true });
    document.dispatchEvent(new Event("visibilitychange"));
    window.dispatchEvent(new Event("pagehide"));
    delete document.hidden;  // back to the real (visible) state
}"""


def _stored_position(tree, lesson) -> float:
    return PlaybackPosition.objects.get(user=tree.member_a.user, asset=lesson).position


def test_leaving_before_playback_keeps_the_saved_position(
    open_page, site, tree, lesson
):
    PlaybackPosition.objects.create(user=tree.member_a.user, asset=lesson, position=9)
    page = open_page(DESKTOP)
    saves: list[str] = []
    page.on(
        "request",
        lambda r: saves.append(r.url) if r.url.endswith("/position/") else None,
    )
    log_in(page, tree.member_a.user.username, "Test-pass-2026")
    held = []  # the playlist is held back: the member leaves while it loads

    def hold(route) -> None:
        held.append(route)

    page.route("**/master.m3u8", hold)
    page.goto(f"/lesson-media/{lesson.pk}/")
    page.wait_for_function(f"() => {PLAYER} && {PLAYER}.source() === 'hls'")
    assert page.evaluate(f"{PLAYER}.video.readyState") == 0
    page.evaluate(HIDE_PAGE)  # switching apps, or closing the tab
    page.wait_for_timeout(1000)
    assert saves == [] and _stored_position(tree, lesson) == 9

    # Loaded and sought to 9 s, but not played: still nothing to save.
    for route in held:
        route.continue_()
    page.unroute("**/master.m3u8", hold)
    page.wait_for_function(f"() => Math.abs({PLAYER}.video.currentTime - 9) < 1")
    page.evaluate(HIDE_PAGE)
    page.wait_for_timeout(1000)
    assert saves == [] and _stored_position(tree, lesson) == 9

    # Once it played, leaving saves where the member is.
    page.evaluate(
        f"() => {{ const v = {PLAYER}.video; v.muted = true; return v.play(); }}"
    )
    page.wait_for_function(f"() => {PLAYER}.video.currentTime > 10.2")
    page.evaluate(HIDE_PAGE)
    for _ in range(50):
        if _stored_position(tree, lesson) > 10:
            break
        page.wait_for_timeout(100)
    assert _stored_position(tree, lesson) > 10
