"""A course with one chapter and lessons of each kind, and a clock for heartbeats."""

import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from courses.models import (
    ChapterPage,
    CourseIndexPage,
    CoursePage,
    LessonKind,
    LessonPage,
)
from media.models import MediaAsset, MediaStatus
from tests.factories import home_page_ensure, root_collection


def publish(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    return type(page).objects.get(pk=page.pk)


def video_asset(seconds: float = 120, title: str = "测试视频") -> MediaAsset:
    return MediaAsset.objects.create(
        title=title,
        type="video",
        duration=seconds,
        file="lessons/sources/x.mp4",
        collection=root_collection(),
        status=MediaStatus.READY,
        output_dir="lessons/1/v1",
        fallback="fallback.mp4",
    )


@dataclass
class Course:
    index: CourseIndexPage
    course: CoursePage
    chapter: ChapterPage
    video: LessonPage
    article: LessonPage


@pytest.fixture
def course(tree) -> Course:
    index = publish(home_page_ensure(), CourseIndexPage(title="课程中心"))
    course = publish(
        index, CoursePage(title="学习贯彻党章", credit_hours=2, required=True)
    )
    chapter = publish(course, ChapterPage(title="第一章 总纲"))
    video = publish(
        chapter,
        LessonPage(
            title="第一讲 党的性质", kind=LessonKind.MEDIA, media=video_asset(120)
        ),
    )
    article = publish(
        chapter,
        LessonPage(
            title="第二讲 阅读材料",
            kind=LessonKind.ARTICLE,
            body="<p>党章原文</p>",
            reading_minutes=2,
        ),
    )
    return Course(index, course, chapter, video, article)


class Clock:
    """Server time under the test's control (heartbeats measure real time)."""

    def __init__(self) -> None:
        self.now = timezone.now()

    def __call__(self):
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += datetime.timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(timezone, "now", clock)
    return clock
