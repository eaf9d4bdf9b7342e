"""The member pages of the courses app: 课程中心, a course, its lessons of each
kind and 我的学习 — who sees what, and what each page shows."""

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.documents import get_document_model

from courses.models import (
    ChapterPage,
    CourseCategory,
    CoursePage,
    LessonKind,
    LessonPage,
    LessonProgress,
    PointsAction,
    StudyHourEntry,
    StudyKind,
    WatchSession,
)
from courses.services.points import points_award

from .conftest import publish


def html_of(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def study_config(html: str) -> dict:
    found = re.search(
        r'<script id="zx-study" type="application/json">(.*?)</script>', html, re.S
    )
    assert found, "the lesson page hands its study settings to study.js"
    return json.loads(found.group(1))


@pytest.fixture
def course_b(tree, course):
    """A course for company B only, with one article lesson."""
    hidden = publish(
        course.index,
        CoursePage(title="B公司安全生产专题", audience_unit=tree.company_b),
    )
    chapter = publish(hidden, ChapterPage(title="第一章"))
    lesson = publish(
        chapter,
        LessonPage(title="B公司内部讲话", kind=LessonKind.ARTICLE, body="<p>内部</p>"),
    )
    return hidden, lesson


def test_the_catalogue_lists_only_the_courses_the_viewer_may_see(
    tree, course, course_b, client_for
):
    hidden, lesson = course_b
    html_a = html_of(client_for(tree.member_a.user), course.index.url)
    assert "学习贯彻党章" in html_a
    assert "B公司安全生产专题" not in html_a

    html_b = html_of(client_for(tree.member_b.user), course.index.url)
    assert "学习贯彻党章" in html_b and "B公司安全生产专题" in html_b

    client_a = client_for(tree.member_a.user)
    assert client_a.get(hidden.url).status_code == 404
    assert client_a.get(lesson.url).status_code == 404
    assert client_for(tree.member_b.user).get(lesson.url).status_code == 200


def test_a_course_card_shows_its_facts_and_the_viewers_progress(
    tree, course, client_for
):
    LessonProgress.objects.create(
        user=tree.member_a.user,
        lesson=course.video,
        coverage=1,
        completed_at=timezone.now(),
    )
    html = html_of(client_for(tree.member_a.user), course.index.url)
    card = html[html.index('class="card course-card"') :]
    assert 'class="badge badge-required"' in card
    assert 'class="course-cover course-cover--' in card  # no cover: a placeholder
    assert re.search(r'<progress class="course-progress" max="2" value="1"', card)
    assert f'href="{course.course.url}"' in card


def test_the_catalogue_filters_by_category_type_and_search(tree, course, client_for):
    theory = CourseCategory.objects.create(name="理论学习")
    course.course.category = theory
    course.course.save_revision().publish()
    elective = publish(course.index, CoursePage(title="廉洁文化选修课"))
    publish(elective, ChapterPage(title="第一章"))
    client = client_for(tree.member_a.user)

    def titles(query=""):
        html = html_of(client, f"{course.index.url}{query}")
        return {t for t in ("学习贯彻党章", "廉洁文化选修课") if t in html}

    assert titles() == {"学习贯彻党章", "廉洁文化选修课"}
    assert titles(f"?category={theory.pk}") == {"学习贯彻党章"}
    assert titles("?required=1") == {"学习贯彻党章"}
    assert titles("?required=0") == {"廉洁文化选修课"}
    assert titles("?q=廉洁") == {"廉洁文化选修课"}
    html = html_of(client, f"{course.index.url}?category={theory.pk}&required=0")
    assert 'class="empty-state"' in html
    assert f'href="{course.index.url}"' in html  # clear the filters


def test_the_catalogue_paginates_and_keeps_the_filters(tree, course, client_for):
    for n in range(13):  # a page holds 12
        publish(course.index, CoursePage(title=f"选修课{n:02d}"))
    html = html_of(client_for(tree.member_a.user), f"{course.index.url}?required=0")
    assert 'class="pagination"' in html
    assert 'href="?required=0&amp;page=2"' in html


def test_the_catalogue_needs_the_same_queries_for_more_courses(
    tree, course, client_for
):
    client = client_for(tree.member_a.user)
    client.get(course.index.url)  # warm caches (site root, content types)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            html_of(client, course.index.url)
        return len(captured.captured_queries)

    one = queries()
    for n in range(5):
        publish(course.index, CoursePage(title=f"选修课{n}"))
    assert queries() == one


def test_an_empty_catalogue_says_so(tree, course, client_for):
    course.course.unpublish()
    html = html_of(client_for(tree.member_a.user), course.index.url)
    assert 'class="empty-state"' in html
    assert "course-card" not in html


def test_the_course_page_shows_the_outline_and_where_to_continue(
    tree, course, client_for
):
    second = publish(course.course, ChapterPage(title="第二章 党员"))
    link = publish(
        second,
        LessonPage(
            title="第三讲 延伸阅读",
            kind=LessonKind.LINK,
            link_url="https://www.12371.cn/",
        ),
    )
    client = client_for(tree.member_a.user)
    html = html_of(client, course.course.url)
    assert html.index("第一章 总纲") < html.index("第二章 党员")
    for lesson in (course.video, course.article, link):
        assert f'href="{lesson.url}"' in html
    assert "kind-icon--media" in html and "kind-icon--link" in html
    assert "✓" not in html
    resume = re.search(r'<a [^>]*href="([^"]+)" data-course-resume>([^<]+)</a>', html)
    assert resume.group(1) == course.video.url  # 开始学习: the first lesson

    LessonProgress.objects.create(
        user=tree.member_a.user,
        lesson=course.video,
        coverage=1,
        completed_at=timezone.now(),
    )
    LessonProgress.objects.create(
        user=tree.member_a.user, lesson=course.article, coverage=0.25
    )
    html = html_of(client, course.course.url)
    assert html.count("✓") == 1
    assert ">25%<" in html
    assert re.search(r'<progress class="course-progress" max="3" value="1"', html)
    resume = re.search(r'<a [^>]*href="([^"]+)" data-course-resume>', html)
    assert resume.group(1) == course.article.url  # 继续学习: the first not completed


def test_a_media_lesson_shows_the_player_and_the_study_indicator(
    tree, course, client_for
):
    html = html_of(client_for(tree.member_a.user), course.video.url)
    assert f'href="{course.course.url}"' in html  # breadcrumb
    assert "第一讲 党的性质" in html
    assert "data-zx-player" in html and "media/player.js" in html
    assert "courses/study.js" in html
    assert "data-zx-session-time>00:00<" in html
    assert re.search(r"data-zx-idle\s+hidden", html)  # the dialog waits
    assert re.search(r'data-zx-message="seek"[^>]*hidden', html)
    assert re.search(r'data-zx-message="closed"[^>]*hidden', html)
    assert f'data-start-url="/api/v1/lessons/{course.video.pk}/sessions/"' in html
    config = study_config(html)
    assert config["lesson_id"] == course.video.pk
    assert config["kind"] == "media"
    assert config["seek_limit"] == 0.0
    assert f'href="{course.article.url}" rel="next"' in html


def test_a_media_lesson_whose_video_is_not_ready_says_so(tree, course, client_for):
    asset = course.video.media
    asset.status = "processing"
    asset.save()
    html = html_of(client_for(tree.member_a.user), course.video.url)
    assert "data-zx-player" not in html
    assert "data-zx-no-player" in html
    assert "data-zx-meter" not in html


def test_an_article_lesson_shows_its_text(tree, course, client_for):
    html = html_of(client_for(tree.member_a.user), course.article.url)
    assert "<p>党章原文</p>" in html
    assert "data-zx-player" not in html
    assert "data-zx-meter" in html
    assert study_config(html)["kind"] == "article"
    assert f'href="{course.video.url}" rel="prev"' in html


def test_a_document_lesson_shows_the_pdf_with_a_download_link(tree, course, client_for):
    document = get_document_model().objects.create(
        title="党章全文",
        file=ContentFile(b"%PDF-1.4\n%%EOF\n", name="dangzhang.pdf"),
    )
    lesson = publish(
        course.chapter,
        LessonPage(
            title="第三讲 党章全文", kind=LessonKind.DOCUMENT, document=document
        ),
    )
    client = client_for(tree.member_a.user)
    page = client.get(lesson.url)
    html = page.content.decode()
    assert f'<object class="lesson-pdf" data="{document.url}"' in html
    assert f'href="{document.url}" download' in html
    assert study_config(html)["kind"] == "document"
    # our pages are never framed; the PDF may be, by our own pages only
    assert page["X-Frame-Options"] == "DENY"
    pdf = client.get(document.url)
    assert pdf.status_code == 200 and pdf["X-Frame-Options"] == "SAMEORIGIN"


def test_a_link_lesson_opens_the_link_in_a_new_tab(tree, course, client_for):
    lesson = publish(
        course.chapter,
        LessonPage(
            title="第三讲 共产党员网",
            kind=LessonKind.LINK,
            link_url="https://www.12371.cn/special/dangzhang/",
        ),
    )
    html = html_of(client_for(tree.member_a.user), lesson.url)
    assert re.search(
        r'href="https://www.12371.cn/special/dangzhang/" target="_blank" '
        r'rel="noopener noreferrer"',
        html,
    )


def test_a_completed_lesson_allows_free_seeking_and_says_completed(
    tree, course, client_for
):
    LessonProgress.objects.create(
        user=tree.member_a.user,
        lesson=course.video,
        intervals=[[0, 120]],
        coverage=1,
        completed_at=timezone.now(),
    )
    html = html_of(client_for(tree.member_a.user), course.video.url)
    assert study_config(html)["seek_limit"] is None
    assert "data-zx-coverage>100%<" in html
    assert not re.search(r"data-zx-completed\s+hidden", html)


def test_my_study_shows_hours_against_the_target(tree, course, client_for):
    user = tree.member_a.user
    today = timezone.localdate()
    for kind, hours in ((StudyKind.ONLINE, "1.5"), (StudyKind.TRAINING, "6")):
        StudyHourEntry.objects.create(
            user=user, kind=kind, hours=Decimal(hours), studied_on=today, source="测试"
        )
    StudyHourEntry.objects.create(  # last year's hours do not count
        user=user,
        kind=StudyKind.SELF,
        hours=Decimal(9),
        studied_on=today.replace(year=today.year - 1),
        source="去年",
    )
    LessonProgress.objects.create(user=user, lesson=course.article, coverage=0.5)
    LessonProgress.objects.create(
        user=user, lesson=course.video, coverage=1, completed_at=timezone.now()
    )
    client = client_for(user)
    html = html_of(client, "/study/")
    assert "data-study-hours>7.5<" in html
    assert "data-study-target>32<" in html
    assert 'stroke-dasharray="23 100"' in html  # 7.5 / 32
    assert "data-study-completed>1<" in html
    assert f'href="{course.article.url}"' in html  # in progress
    assert f'href="{course.video.url}"' not in html  # completed
    assert f'href="{course.index.url}"' in html  # the catalogue
    kinds = html[html.index('class="study-kinds"') :]
    assert ">1.5<" in kinds and ">6.0<" in kinds and ">9.0<" not in kinds
    # 学习 is the active tab
    assert re.search(r'href="/study/" class="active" aria-current="page"', html)


def test_my_study_for_a_secretary_uses_the_higher_target(tree, client_for):
    member = tree.member_a
    member.post = "支部书记"
    member.save()
    html = html_of(client_for(member.user), "/study/")
    assert "data-study-target>56<" in html
    assert "data-study-hours>0.0<" in html
    assert "study-ring__value" not in html  # nothing to draw yet
    assert html.count('class="empty-state"') == 1  # nothing in progress
    assert 'class="study-kinds"' not in html


def test_my_study_needs_a_login(db, client):
    response = client.get("/study/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_chapter_page_sends_the_member_to_its_course(tree, course, client_for):
    response = client_for(tree.member_a.user).get(course.chapter.url)
    assert response.status_code == 302
    assert response["Location"] == course.course.url


def test_my_study_counts_the_time_of_an_open_session(tree, course, client_for):
    WatchSession.objects.create(
        user=tree.member_a.user,
        lesson=course.video,
        token="x" * 32,
        credited_seconds=1800,
    )
    html = html_of(client_for(tree.member_a.user), "/study/")
    assert "data-study-hours>0.5<" in html


def test_my_study_shows_todays_points_and_links_to_them(tree, client_for):
    user = tree.member_a.user
    points_award(
        user=user, action=PointsAction.EXAM_PASSED, event_key="exam:1", source="考试"
    )
    html = html_of(client_for(user), "/study/")
    # 10 for the exam, 1 for today's first visit (the daily-login middleware)
    assert "data-study-points-today>11<" in html
    assert 'href="/study/points/"' in html


def test_my_study_lists_the_tasks_due(tree, course, client_for):
    from courses.services.assignments import assignment_create

    today = timezone.localdate()
    assignment_create(
        by=tree.admin_a,
        title="二季度必修：学习贯彻党章",
        courses=[course.course],
        starts_on=today,
        due_on=today + datetime.timedelta(days=5),
        owner_unit=tree.company_a,
        units=[tree.company_a],
    )
    html = html_of(client_for(tree.member_a.user), "/study/")
    assert "二季度必修：学习贯彻党章" in html and 'href="/study/tasks/"' in html
    other = html_of(client_for(tree.member_b.user), "/study/")
    assert "二季度必修" not in other and "data-tasks-due" in other


def test_course_pages_belong_to_the_study_section(tree, course, client_for):
    html = html_of(client_for(tree.member_a.user), course.course.url)
    assert re.search(r'href="/study/" class="active" aria-current="page"', html)
