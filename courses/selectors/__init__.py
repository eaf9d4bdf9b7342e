"""Reads of courses and study records, always through the viewer's scope.

A course limited to a unit (``audience_unit``) is seen by that unit's subtree and
the admins who manage it (``org.scope.audience_q``); its chapters and lessons
follow the course. Anything else is "not found".
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from media.selectors import access_playable_asset, player_context
from org import scope
from org.models import User

from ..models import (
    ChapterPage,
    CourseCategory,
    CoursePage,
    LessonKind,
    LessonPage,
    LessonProgress,
    StudyHourEntry,
    WatchSession,
)
from ..services import intervals as timeline
from ..services.rules import study_rules

PAGE_SIZE = 12


def visible_courses(*, viewer: User) -> QuerySet[CoursePage]:
    if not viewer.is_authenticated:
        return CoursePage.objects.none()
    return CoursePage.objects.live().filter(scope.audience_q(viewer))


def access_course(*, viewer: User, course: CoursePage) -> CoursePage:
    if not visible_courses(viewer=viewer).filter(pk=course.pk).exists():
        raise Http404
    return course


def access_course_id(*, viewer: User, course_id) -> CoursePage:
    """The course by id if the viewer may see it, else 404 (the API's entry)."""
    try:
        return visible_courses(viewer=viewer).get(pk=course_id)
    except (CoursePage.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def visible_lessons(*, viewer: User) -> QuerySet[LessonPage]:
    courses = visible_courses(viewer=viewer)
    paths = list(courses.values_list("path", flat=True))
    if not paths:
        return LessonPage.objects.none()
    within = Q()
    for path in paths:
        within |= Q(path__startswith=path)
    return LessonPage.objects.live().filter(within)


def access_lesson(*, viewer: User, lesson_id) -> LessonPage:
    try:
        return visible_lessons(viewer=viewer).select_related("media").get(pk=lesson_id)
    except (LessonPage.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def _lesson_counts(courses: list[CoursePage], viewer: User) -> dict[int, tuple]:
    """{course id: (lessons, lessons completed by the viewer)} in two queries."""
    if not courses:
        return {}
    within = Q()
    for course in courses:
        within |= Q(path__startswith=course.path)
    lessons = list(LessonPage.objects.live().filter(within).values_list("pk", "path"))
    done = set(
        LessonProgress.objects.filter(
            user=viewer,
            lesson_id__in=[pk for pk, _path in lessons],
            completed_at__isnull=False,
        ).values_list("lesson_id", flat=True)
    )
    counts = {}
    for course in courses:
        mine = [pk for pk, path in lessons if path.startswith(course.path)]
        counts[course.pk] = (len(mine), sum(1 for pk in mine if pk in done))
    return counts


def course_catalogue(*, viewer: User, params) -> dict:
    courses = visible_courses(viewer=viewer).select_related("category", "cover")
    filters = {}
    category = params.get("category", "")
    if category.isdigit():
        courses = courses.filter(category_id=int(category))
        filters["category"] = int(category)
    if params.get("required") in ("1", "0"):
        courses = courses.filter(required=params["required"] == "1")
        filters["required"] = params["required"]
    query = (params.get("q") or "").strip()[:100]
    if query:
        filters["q"] = query
        courses = courses.search(query, operator="and")
    else:
        courses = courses.order_by("-required", "-first_published_at")
    page = Paginator(courses, PAGE_SIZE).get_page(params.get("page"))
    counts = _lesson_counts(list(page.object_list), viewer)
    for course in page.object_list:
        course.lesson_total, course.lesson_done = counts[course.pk]
    return {
        "courses": page,
        "categories": CourseCategory.objects.all(),
        "filters": filters,
    }


@dataclass
class OutlineLesson:
    lesson: LessonPage
    coverage: float
    completed: bool


def course_outline(*, viewer: User, course: CoursePage) -> dict:
    access_course(viewer=viewer, course=course)
    chapters = ChapterPage.objects.live().child_of(course)
    lessons = list(LessonPage.objects.live().descendant_of(course))
    progress = {
        p.lesson_id: p
        for p in LessonProgress.objects.filter(user=viewer, lesson__in=lessons)
    }
    by_chapter: dict[str, list[OutlineLesson]] = {}
    for lesson in lessons:
        record = progress.get(lesson.pk)
        by_chapter.setdefault(lesson.path[: -lesson.steplen], []).append(
            OutlineLesson(
                lesson,
                record.coverage if record else 0.0,
                bool(record and record.completed_at),
            )
        )
    outline = [(chapter, by_chapter.get(chapter.path, [])) for chapter in chapters]
    done = sum(1 for items in by_chapter.values() for item in items if item.completed)
    return {
        "outline": outline,
        "lesson_total": len(lessons),
        "lesson_done": done,
    }


def lesson_view(*, viewer: User, lesson: LessonPage) -> dict:
    """What a lesson page shows; 404 outside the viewer's scope."""
    lesson = access_lesson(viewer=viewer, lesson_id=lesson.pk)
    course = lesson.course
    progress = LessonProgress.objects.filter(user=viewer, lesson=lesson).first()
    player = None
    if lesson.kind == LessonKind.MEDIA and lesson.media_id:
        asset = access_playable_asset(viewer=viewer, asset_id=lesson.media_id)
        player = player_context(viewer=viewer, asset=asset) if asset else None
    siblings = list(LessonPage.objects.live().descendant_of(course)) if course else []
    index = next((i for i, s in enumerate(siblings) if s.pk == lesson.pk), 0)
    study = study_settings(viewer=viewer, lesson=lesson, progress=progress)
    if player and study["seek_limit"] is not None:  # never resume past the limit
        player["resume"] = min(player["resume"], study["seek_limit"])
    return {
        "course": course,
        "progress": progress,
        "player": player,
        "previous_lesson": siblings[index - 1] if index > 0 else None,
        "next_lesson": siblings[index + 1] if index + 1 < len(siblings) else None,
        "study": study,
    }


def study_settings(
    *, viewer: User, lesson: LessonPage, progress: LessonProgress | None
) -> dict:
    """What the study-time script needs to know (no secrets: the session's
    token comes from the start call)."""
    rules = study_rules()
    completed = bool(progress and progress.completed_at)
    free = completed or not rules.block_seek_until_complete
    return {
        "lesson_id": lesson.pk,
        "kind": lesson.kind,
        "max_rate": rules.max_rate,
        "idle_seconds": rules.idle_seconds,
        "heartbeat_seconds": 15,
        "seek_limit": None
        if free
        else timeline.frontier(progress.intervals)
        if progress
        else 0.0,
    }


# --- hours -----------------------------------------------------------------


def annual_target(*, viewer: User) -> Decimal:
    """32 学时 a year for a member; 56 for a secretary or committee member
    (``ZHIXUE_STUDY_TARGETS``: the first keyword found in the member's post)."""
    targets = getattr(
        settings,
        "ZHIXUE_STUDY_TARGETS",
        {"default": 32, "书记": 56, "委员": 56},
    )
    member = getattr(viewer, "member", None)
    post = member.post if member else ""
    for keyword, hours in targets.items():
        if keyword != "default" and keyword in post:
            return Decimal(hours)
    return Decimal(targets.get("default", 32))


def year_param(text) -> int:
    """A year from a query string; anything unusable means this year."""
    text = str(text or "")
    if text.isdigit() and 2000 <= int(text) <= 2100:
        return int(text)
    return timezone.localdate().year


def hours_in_year(*, viewer: User, year: int | None = None) -> Decimal:
    year = year or timezone.localdate().year
    booked = StudyHourEntry.objects.filter(
        user=viewer, studied_on__year=year
    ).aggregate(total=Sum("hours"))["total"] or Decimal(0)
    open_seconds = (
        WatchSession.objects.filter(
            user=viewer, closed_at__isnull=True, started_at__year=year
        ).aggregate(total=Sum("credited_seconds"))["total"]
        or 0
    )
    from ..services.ledger import seconds_to_hours

    return booked + seconds_to_hours(open_seconds)


def study_summary(*, viewer: User) -> dict:
    hours = hours_in_year(viewer=viewer)
    target = annual_target(viewer=viewer)
    by_kind = dict(
        StudyHourEntry.objects.filter(
            user=viewer, studied_on__year=timezone.localdate().year
        )
        .values_list("kind")
        .annotate(total=Sum("hours"))
    )
    in_progress = (
        LessonProgress.objects.filter(
            user=viewer,
            completed_at__isnull=True,
            lesson__in=visible_lessons(viewer=viewer).values("pk"),
        )
        .select_related("lesson")
        .order_by("-updated_at")[:5]
    )
    return {
        "year": timezone.localdate().year,
        "hours": hours,
        "target": target,
        "share": float(min(hours / target, 1)) if target else 1.0,
        "by_kind": by_kind,
        "in_progress": list(in_progress),
        "completed_count": LessonProgress.objects.filter(
            user=viewer, completed_at__isnull=False
        ).count(),
    }


def ledger_entries(*, viewer: User, year: int) -> QuerySet[StudyHourEntry]:
    return StudyHourEntry.objects.filter(user=viewer, studied_on__year=year)
