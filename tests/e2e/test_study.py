"""A member studies a video lesson in the browser: the watch session, heartbeats
that credit the time really watched, and a seek past the watched part undone."""

import shutil
import subprocess

import pytest
from django.core.files import File
from playwright.sync_api import expect
from wagtail.models import Collection

from cms.models import HomePage
from courses.models import (
    ChapterPage,
    CourseIndexPage,
    CoursePage,
    LessonKind,
    LessonPage,
    LessonProgress,
    StudyHourEntry,
    WatchSession,
)
from media.models import MediaAsset, MediaStatus
from media.services.processing import media_process

from .conftest import PHONE
from .test_login_and_home import log_in

if shutil.which("ffmpeg") is None:
    pytest.skip(
        "ffmpeg is not installed (scripts/test installs it)", allow_module_level=True
    )

PLAYER = "(window.zhixuePlayers && window.zhixuePlayers[0])"
VIDEO = f"{PLAYER}.video"
STUDY = "window.zhixueStudy"


def _publish(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    return type(page).objects.get(pk=page.pk)


@pytest.fixture
def lesson(site, tmp_path) -> LessonPage:
    """A published lesson of a 16 s video, transcoded for real."""
    source = tmp_path / "lesson.mp4"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
         "testsrc2=size=640x360:rate=25:duration=16", "-f", "lavfi", "-i",
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
    index = _publish(HomePage.objects.get(), CourseIndexPage(title="课程中心"))
    course = _publish(index, CoursePage(title="学习贯彻党章", required=True))
    chapter = _publish(course, ChapterPage(title="第一章 总纲"))
    return _publish(
        chapter,
        LessonPage(title="第一讲 党的性质", kind=LessonKind.MEDIA, media=asset),
    )


def _progress(page, user, lesson) -> LessonProgress | None:
    for _ in range(50):  # the answer is in the browser; the row is committed
        progress = LessonProgress.objects.filter(user=user, lesson=lesson).first()
        if progress and progress.credited_seconds > 0:
            return progress
        page.wait_for_timeout(100)
    return progress


def test_watching_earns_time_and_skipping_ahead_is_undone(
    open_page, site, tree, lesson
):
    user = tree.member_a.user
    page = open_page(PHONE)
    log_in(page, user.username, "Test-pass-2026")
    page.goto(lesson.url)
    expect(page.locator("h1")).to_have_text("第一讲 党的性质")
    meter = page.locator("[data-zx-session-time]")
    expect(meter).to_have_text("00:00")
    page.wait_for_function(
        f"() => {PLAYER} && {PLAYER}.source() === 'hls' && {VIDEO}.readyState >= 1"
    )
    assert page.evaluate(f"{STUDY}.sessionId()") is None  # not until playing

    page.evaluate(f"() => {{ const v = {VIDEO}; v.muted = true; return v.play(); }}")
    page.wait_for_function(f"() => {STUDY}.sessionId() !== null")
    page.wait_for_function(f"() => {VIDEO}.currentTime > 5", timeout=15_000)
    page.evaluate(f"{VIDEO}.pause()")  # the pause beat credits what was played

    page.wait_for_function(f"() => {STUDY}.sessionSeconds() > 3", timeout=10_000)
    credited = page.evaluate(f"{STUDY}.sessionSeconds()")
    assert page.evaluate(f"{STUDY}.lastResult().status") == "ok"
    expect(meter).not_to_have_text("00:00")
    expect(page.locator("[data-zx-coverage]")).not_to_have_text("0%")
    progress = _progress(page, user, lesson)
    assert progress is not None and progress.credited_seconds > 3
    assert progress.completed_at is None

    limit = page.evaluate(f"{STUDY}.seekLimit()")
    assert 4 < limit < 8, limit
    token = page.evaluate(f"{STUDY}.lastResult().token")
    page.evaluate(f"{VIDEO}.currentTime = 15")  # near the end: not watched yet
    page.wait_for_function(
        f"() => !{VIDEO}.seeking && {VIDEO}.currentTime <= {limit} + 2"
    )
    expect(page.locator('[data-zx-message="seek"]')).to_be_visible()
    # the beat of the seek (put back at the limit) is answered and earns nothing
    page.wait_for_function(f"() => {STUDY}.lastResult().token !== {token!r}")
    assert page.evaluate(f"{STUDY}.sessionSeconds()") <= credited + 1
    assert page.evaluate(f"{VIDEO}.currentTime") <= limit + 2
    progress.refresh_from_db()
    assert progress.credited_seconds <= credited + 1
    assert progress.watched_seconds < 10

    # leaving the page closes the session: its time goes into the 学时 ledger
    session_id = page.evaluate(f"{STUDY}.sessionId()")
    page.goto("/study/")
    session = WatchSession.objects.get(pk=session_id)
    for _ in range(50):
        session.refresh_from_db()
        if session.closed_at is not None:
            break
        page.wait_for_timeout(100)
    assert session.closed_at is not None
    entry = StudyHourEntry.objects.get(session=session)
    assert entry.kind == "online" and entry.hours > 0


def test_an_idle_member_is_asked_whether_they_are_still_there(
    open_page, site, tree, lesson, settings
):
    settings.ZHIXUE_STUDY = {**settings.ZHIXUE_STUDY, "idle_seconds": 3}
    page = open_page(PHONE)
    log_in(page, tree.member_a.user.username, "Test-pass-2026")
    page.goto(lesson.url)
    dialog = page.locator("[data-zx-idle]")
    expect(dialog).to_be_hidden()
    page.wait_for_function(f"() => {PLAYER} && {VIDEO}.readyState >= 1")
    page.evaluate(f"() => {{ const v = {VIDEO}; v.muted = true; return v.play(); }}")
    page.wait_for_function(f"() => {VIDEO}.currentTime > 4", timeout=15_000)
    # a beat without any touch or key since the session began
    page.evaluate(f"{VIDEO}.playbackRate = 1.25")

    expect(dialog).to_be_visible()
    expect(page.locator("#zx-idle-title")).to_be_visible()
    assert page.evaluate(f"{STUDY}.lastResult().status") == "idle"
    page.wait_for_function(f"() => {VIDEO}.paused")

    page.locator("[data-zx-idle-continue]").click()
    expect(dialog).to_be_hidden()
    page.wait_for_function(f"() => !{VIDEO}.paused")
    page.wait_for_function(f"() => {STUDY}.lastResult().status === 'ok'")


def test_a_lost_answer_keeps_the_chain_and_another_tab_takes_over(
    open_page, site, tree, lesson
):
    page = open_page(PHONE)
    log_in(page, tree.member_a.user.username, "Test-pass-2026")
    lost = []

    def lose_the_first_answer(route):
        if lost:
            return route.continue_()
        route.fetch()  # the server records the beat; the page never hears back
        lost.append(route.request.post_data_json)
        route.abort("connectionreset")

    page.route("**/heartbeats/", lose_the_first_answer)
    page.goto(lesson.url)
    page.wait_for_function(f"() => {PLAYER} && {VIDEO}.readyState >= 1")
    page.evaluate(f"() => {{ const v = {VIDEO}; v.muted = true; return v.play(); }}")
    # the retry carries the same seq and token and is answered "duplicate"
    page.wait_for_function(
        f"() => {STUDY}.lastResult() && {STUDY}.lastResult().status === 'duplicate'"
    )
    assert lost[0]["seq"] == 1
    page.wait_for_function(f"() => {VIDEO}.currentTime > 3")
    page.evaluate(f"{VIDEO}.pause()")
    page.wait_for_function(f"() => {STUDY}.sessionSeconds() > 1")
    assert page.evaluate(f"{STUDY}.lastResult().status") == "ok"

    # the member starts the lesson in another tab: this page stops counting
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    other = page.request.post(
        f"/api/v1/lessons/{lesson.pk}/sessions/", headers={"X-CSRFToken": csrf}
    )
    assert other.status == 201
    page.evaluate(f"{VIDEO}.play()")
    expect(page.locator('[data-zx-message="closed"]')).to_be_visible()
    assert page.evaluate(f"{STUDY}.lastResult().status") == "closed"


def test_a_reading_lesson_counts_from_the_start_and_closes_on_leaving(
    open_page, site, tree
):
    index = _publish(HomePage.objects.get(), CourseIndexPage(title="课程中心"))
    course = _publish(index, CoursePage(title="学习贯彻党章"))
    chapter = _publish(course, ChapterPage(title="第一章 总纲"))
    article = _publish(
        chapter,
        LessonPage(title="阅读材料", kind=LessonKind.ARTICLE, body="<p>党章原文</p>"),
    )
    page = open_page(PHONE)
    log_in(page, tree.member_a.user.username, "Test-pass-2026")
    page.goto(article.url)
    expect(page.get_by_text("党章原文")).to_be_visible()
    page.wait_for_function(f"() => {STUDY}.sessionId() !== null")
    session = WatchSession.objects.get(pk=page.evaluate(f"{STUDY}.sessionId()"))
    assert session.lesson_id == article.pk and session.closed_at is None

    page.goto(course.url)  # pagehide: the "close" beat
    for _ in range(50):
        session.refresh_from_db()
        if session.closed_at is not None:
            break
        page.wait_for_timeout(100)
    assert session.closed_at is not None and session.last_seq == 1
