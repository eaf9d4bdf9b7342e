"""Courses and lessons in the site search."""

from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _

from search import sources

from .models import LessonPage
from .selectors import visible_courses, visible_lessons


def _course_facets(course) -> dict:
    year = course.first_published_at.year if course.first_published_at else ""
    return {
        "category": course.category.name if course.category_id else "",
        "year": year,
    }


def _lesson_facets(lesson) -> dict:
    year = lesson.first_published_at.year if lesson.first_published_at else ""
    return {"year": year}


def register_sources() -> None:
    sources.register(
        sources.SearchSource(
            key="course",
            label=_("Course"),
            queryset=lambda viewer: visible_courses(viewer=viewer).select_related(
                "category"
            ),
            snippet_text=lambda course: course.summary,
            facets=_course_facets,
        )
    )
    sources.register(
        sources.SearchSource(
            key="lesson",
            label=_("Lesson"),
            # ids from the database (the scope is a path prefix), then searched
            queryset=lambda viewer: LessonPage.objects.live().filter(
                pk__in=list(visible_lessons(viewer=viewer).values_list("pk", flat=True))
            ),
            snippet_text=lambda lesson: strip_tags(lesson.body),
            facets=_lesson_facets,
        )
    )
