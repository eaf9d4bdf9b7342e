"""Reads for 学习任务 (study tasks).

Who is assigned is worked out when asked, from the task's targets: a unit means
its whole subtree (``path__startswith``), a post means the members of the owner
unit's subtree whose post contains it, a user means that member. Everyone must
be in the owner unit's subtree, so a member who moves away loses the task and one
who joins a targeted unit later has it at once.

Progress in a task:

- with ``required_hours``: the 学时 booked from sessions in lessons of the task's
  courses (and corrections of them), dated within [starts_on, due_on], over the
  hours required, capped at 1;
- otherwise: the live lessons of the courses the member completed, over all of
  them.

Admins see the tasks whose owner unit they manage (``org.scope.managed_units``);
a member sees the tasks assigned to them. Anything else is "not found".
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from functools import reduce
from operator import or_

from django.core.paginator import Page, Paginator
from django.db.models import CharField, Count, F, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from org import scope
from org.models import Member, Unit, User

from ..models import (
    Assignment,
    AssignmentReminder,
    AssignmentTarget,
    CoursePage,
    LessonPage,
    LessonProgress,
    StudyHourEntry,
)
from . import visible_courses

#: a task stays on the member's list this many days after its due date
RECENT_DAYS = 30
PAGE_SIZE = 20
ZERO = Decimal(0)


# --- who is assigned ----------------------------------------------------------


def _paths_q(paths, prefix: str = "") -> Q:
    """Within any of the subtrees at ``paths`` (nothing when there are none)."""
    if not paths:
        return Q(pk__in=[])
    return reduce(or_, (Q(**{f"{prefix}path__startswith": p}) for p in paths))


def _chain(path: str) -> list[str]:
    """The paths of the unit at ``path`` and of all its ancestors."""
    step = Unit.steplen
    return [path[:i] for i in range(step, len(path) + 1, step)]


def assigned_members(*, assignment: Assignment) -> QuerySet[Member]:
    """Every active member the task is given to, as of now."""
    targets = list(assignment.targets.select_related("unit"))
    parts = []
    for target in targets:
        if target.unit_id:
            parts.append(Q(unit__path__startswith=target.unit.path))
        elif target.user_id:
            parts.append(Q(user_id=target.user_id))
        elif target.post:
            parts.append(Q(post__contains=target.post))
    if not parts:
        return Member.objects.none()
    return Member.objects.filter(
        reduce(or_, parts),
        unit__path__startswith=assignment.owner_unit.path,
        user__is_active=True,
    )


def _assigned_to_q(member: Member) -> Q:
    """Tasks given to ``member`` (the same rules as :func:`assigned_members`)."""
    chain = _chain(member.unit.path)
    given = Q(unit__path__in=chain) | Q(user_id=member.user_id)
    if member.post:  # the member's post contains the target's
        given |= ~Q(post="") & Q(member_post__contains=F("post"))
    targets = AssignmentTarget.objects.annotate(
        member_post=Value(member.post, output_field=CharField())
    ).filter(given)
    return Q(owner_unit__path__in=chain, pk__in=targets.values("assignment_id"))


def _assignments_of(viewer: User) -> QuerySet[Assignment]:
    member = (
        Member.objects.select_related("unit").filter(user_id=viewer.pk).first()
        if viewer.is_authenticated and viewer.is_active
        else None
    )
    if member is None:
        return Assignment.objects.none()
    return Assignment.objects.filter(_assigned_to_q(member), cancelled_at__isnull=True)


# --- progress -----------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    hours: Decimal = ZERO
    lessons_done: int = 0
    lessons_total: int = 0
    required_hours: Decimal | None = None

    @property
    def share(self) -> float:
        """0 … 1."""
        if self.required_hours is not None:
            if self.required_hours <= 0:
                return 1.0
            return float(min(max(self.hours, ZERO) / self.required_hours, 1))
        if not self.lessons_total:
            return 0.0
        return min(self.lessons_done / self.lessons_total, 1.0)

    @property
    def done(self) -> bool:
        return self.share >= 1.0

    @property
    def percent(self) -> int:
        return int(self.share * 100)


def course_paths(assignment: Assignment) -> list[str]:
    return sorted(course.path for course in assignment.courses.all())


def _hours_q(paths) -> Q:
    """Ledger entries from sessions in these subtrees, and corrections of them."""
    return _paths_q(paths, "session__lesson__") | _paths_q(
        paths, "corrects__session__lesson__"
    )


def _course_lessons(paths) -> list[tuple[int, str]]:
    if not paths:
        return []
    return list(
        LessonPage.objects.live().filter(_paths_q(paths)).values_list("pk", "path")
    )


class ProgressTable:
    """Progress of many members in one task; members with nothing yet get an
    empty record."""

    def __init__(self, assignment: Assignment, hours, lessons_done, lessons_total):
        self._hours, self._lessons_done = hours, lessons_done
        self._empty = Progress(
            lessons_total=lessons_total, required_hours=assignment.required_hours
        )

    def of(self, user_id: int) -> Progress:
        return Progress(
            hours=self._hours.get(user_id, ZERO),
            lessons_done=self._lessons_done.get(user_id, 0),
            lessons_total=self._empty.lessons_total,
            required_hours=self._empty.required_hours,
        )


def member_progress(
    *, assignment: Assignment, members: QuerySet[Member]
) -> ProgressTable:
    """Progress of many members in one task, in two to four queries whatever
    their number (``members`` is used as a subquery)."""
    paths = course_paths(assignment)
    users = members.values("user_id")
    hours = dict(
        StudyHourEntry.objects.filter(
            _hours_q(paths),
            user_id__in=users,
            studied_on__gte=assignment.starts_on,
            studied_on__lte=assignment.due_on,
        )
        .values_list("user_id")
        .annotate(total=Sum("hours"))
        .order_by()
    )
    lessons_done: dict[int, int] = {}
    lessons_total = 0
    if assignment.required_hours is None:
        lesson_ids = [pk for pk, _path in _course_lessons(paths)]
        lessons_total = len(lesson_ids)
        if lesson_ids:
            lessons_done = dict(
                LessonProgress.objects.filter(
                    user_id__in=users,
                    lesson_id__in=lesson_ids,
                    completed_at__isnull=False,
                )
                .values_list("user_id")
                .annotate(n=Count("pk"))
                .order_by()
            )
    return ProgressTable(assignment, hours, lessons_done, lessons_total)


@dataclass
class TaskCourse:
    course: CoursePage
    lessons_total: int
    lessons_done: int
    #: may the member open it (a course limited to another unit may not be)
    openable: bool = True


@dataclass
class Task:
    """A task as the member sees it."""

    assignment: Assignment
    progress: Progress
    today: datetime.date
    courses: list[TaskCourse] = field(default_factory=list)

    @property
    def due_on(self) -> datetime.date:
        return self.assignment.due_on

    @property
    def days_left(self) -> int:
        return (self.assignment.due_on - self.today).days

    @property
    def days_overdue(self) -> int:
        return max(-self.days_left, 0)

    @property
    def overdue(self) -> bool:
        return self.days_left < 0 and not self.progress.done

    @property
    def upcoming(self) -> bool:
        return self.assignment.starts_on > self.today


def _tasks(viewer: User, assignments: list[Assignment]) -> list[Task]:
    """The viewer's progress in each task, in a fixed number of queries."""
    today = timezone.localdate()
    if not assignments:
        return []
    every_path = sorted({p for a in assignments for p in course_paths(a)})
    lessons = _course_lessons(every_path)
    done = set(
        LessonProgress.objects.filter(
            user_id=viewer.pk,
            lesson_id__in=[pk for pk, _path in lessons],
            completed_at__isnull=False,
        ).values_list("lesson_id", flat=True)
    )
    entries = list(
        StudyHourEntry.objects.filter(
            _hours_q(every_path),
            user_id=viewer.pk,
            studied_on__gte=min(a.starts_on for a in assignments),
            studied_on__lte=max(a.due_on for a in assignments),
        ).values_list(
            "hours",
            "studied_on",
            Coalesce("session__lesson__path", "corrects__session__lesson__path"),
        )
    )
    tasks = []
    for assignment in assignments:
        paths = course_paths(assignment)
        mine = [pk for pk, path in lessons if path.startswith(tuple(paths))]
        hours = sum(
            (
                h
                for h, studied_on, path in entries
                if assignment.starts_on <= studied_on <= assignment.due_on
                and path.startswith(tuple(paths))
            ),
            ZERO,
        )
        progress = Progress(
            hours=hours,
            lessons_done=sum(1 for pk in mine if pk in done),
            lessons_total=len(mine),
            required_hours=assignment.required_hours,
        )
        task = Task(assignment=assignment, progress=progress, today=today)
        for course in sorted(assignment.courses.all(), key=lambda c: c.path):
            ids = [pk for pk, path in lessons if path.startswith(course.path)]
            task.courses.append(
                TaskCourse(course, len(ids), sum(1 for pk in ids if pk in done))
            )
        tasks.append(task)
    return tasks


def _with_courses(assignments: QuerySet[Assignment]) -> QuerySet[Assignment]:
    return assignments.prefetch_related(
        Prefetch("courses", queryset=CoursePage.objects.order_by("path"))
    )


def tasks_for(*, viewer: User) -> list[Task]:
    """The viewer's active tasks (started, not cancelled, due at most
    ``RECENT_DAYS`` ago): unfinished first, the nearest deadline first."""
    today = timezone.localdate()
    assignments = list(
        _with_courses(
            _assignments_of(viewer).filter(
                starts_on__lte=today,
                due_on__gte=today - datetime.timedelta(days=RECENT_DAYS),
            )
        )
    )
    tasks = _tasks(viewer, assignments)
    return sorted(tasks, key=lambda t: (t.progress.done, t.due_on, t.assignment.pk))


def task_detail(*, viewer: User, assignment_id) -> Task:
    """One task of the viewer's with its courses (404 if not given to them)."""
    try:
        assignment = _with_courses(_assignments_of(viewer)).get(pk=assignment_id)
    except (Assignment.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    (task,) = _tasks(viewer, [assignment])
    openable = set(
        visible_courses(viewer=viewer)
        .filter(pk__in=[item.course.pk for item in task.courses])
        .values_list("pk", flat=True)
    )
    for item in task.courses:
        item.openable = item.course.pk in openable
    return task


# --- admin --------------------------------------------------------------------


def visible_assignments(viewer: User) -> QuerySet[Assignment]:
    """Tasks whose owner unit the viewer manages."""
    return Assignment.objects.filter(owner_unit__in=scope.managed_units(viewer))


def access_assignment(*, viewer: User, assignment_id) -> Assignment:
    try:
        return (
            visible_assignments(viewer)
            .select_related("owner_unit", "created_by")
            .prefetch_related(
                Prefetch("courses", queryset=CoursePage.objects.order_by("path")),
                Prefetch(
                    "targets",
                    queryset=AssignmentTarget.objects.select_related(
                        "unit", "user"
                    ).order_by("pk"),
                ),
            )
            .get(pk=assignment_id)
        )
    except (Assignment.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def assignment_page(*, viewer: User, page_number) -> Page:
    """A page of the viewer's tasks, with their courses and targets."""
    assignments = (
        visible_assignments(viewer)
        .select_related("owner_unit")
        .prefetch_related(
            Prefetch("courses", queryset=CoursePage.objects.order_by("path")),
            Prefetch(
                "targets",
                queryset=AssignmentTarget.objects.select_related("unit").order_by("pk"),
            ),
        )
        .order_by("cancelled_at", "-due_on", "-pk")
    )
    page = Paginator(assignments, PAGE_SIZE).get_page(page_number)
    today = timezone.localdate()
    items = list(page.object_list)
    for assignment in items:
        targets = list(assignment.targets.all())
        assignment.target_units = [t.unit for t in targets if t.unit_id]
        assignment.target_posts = [t.post for t in targets if t.post]
        assignment.target_member_count = sum(1 for t in targets if t.user_id)
        assignment.status = assignment_status(assignment, today)
    page.object_list = items
    return page


def assignment_status(assignment: Assignment, today: datetime.date) -> str:
    """cancelled, upcoming, open or ended."""
    if assignment.cancelled_at:
        return "cancelled"
    if assignment.starts_on > today:
        return "upcoming"
    return "open" if assignment.due_on >= today else "ended"


def form_courses() -> QuerySet[CoursePage]:
    """Courses a task may hold: the live ones."""
    return CoursePage.objects.live().order_by("path")


def form_members(*, viewer: User) -> QuerySet[Member]:
    """Members an admin may give a task to one by one."""
    return (
        scope.managed_members(viewer)
        .filter(user__is_active=True)
        .select_related("user", "unit")
        .order_by("unit__path", "name_pinyin", "employee_no")
    )


@dataclass
class UnitRow:
    unit: Unit
    assigned: int = 0
    done: int = 0
    #: members of this very unit, not of the units below it
    direct: bool = False

    @property
    def rate(self) -> float:
        return self.done / self.assigned if self.assigned else 0.0

    @property
    def percent(self) -> int:
        return round(self.rate * 100)


@dataclass
class MemberRow:
    member: Member
    progress: Progress


@dataclass
class AssignmentReport:
    assignment: Assignment
    unit: Unit
    #: the owner unit down to ``unit``
    trail: list[Unit]
    rows: list[UnitRow]
    members: list[MemberRow]
    reminders: list[AssignmentReminder]

    @property
    def assigned(self) -> int:
        return len(self.members)

    @property
    def done(self) -> int:
        return sum(1 for row in self.members if row.progress.done)

    @property
    def rate(self) -> float:
        return self.done / self.assigned if self.assigned else 0.0

    @property
    def percent(self) -> int:
        return round(self.rate * 100)

    @property
    def behind(self) -> list[MemberRow]:
        """The members who have not finished, least progress first."""
        return sorted(
            (row for row in self.members if not row.progress.done),
            key=lambda row: (row.progress.share, row.member.unit.path),
        )


def assignment_report(
    *, viewer: User, assignment: Assignment, unit: Unit | int | str | None = None
) -> AssignmentReport:
    """Completion of a task in ``unit`` (default: the owner unit), per child unit,
    and every assigned member there. ``unit`` must be in the owner unit's subtree
    and managed by the viewer, or it is "not found"."""
    if not visible_assignments(viewer).filter(pk=assignment.pk).exists():
        raise Http404
    owner = assignment.owner_unit
    if unit is None:
        unit = owner
    else:
        unit_id = unit.pk if isinstance(unit, Unit) else unit
        unit = scope.access_unit(user=viewer, unit_id=unit_id, for_change=True)
        if not unit.path.startswith(owner.path):
            raise Http404
    members_qs = assigned_members(assignment=assignment).filter(
        unit__path__startswith=unit.path
    )
    members = list(
        members_qs.select_related("user", "unit").order_by(
            "unit__path", "name_pinyin", "employee_no"
        )
    )
    progress = member_progress(assignment=assignment, members=members_qs)
    member_rows = [MemberRow(m, progress.of(m.user_id)) for m in members]

    children = list(
        Unit.objects.filter(path__startswith=unit.path, depth=unit.depth + 1).order_by(
            "path"
        )
    )
    by_path = {child.path: UnitRow(child) for child in children}
    direct = UnitRow(unit, direct=True)
    cut = len(unit.path) + Unit.steplen
    for row in member_rows:
        bucket = by_path.get(row.member.unit.path[:cut], direct)
        bucket.assigned += 1
        bucket.done += int(row.progress.done)
    rows = [r for r in ([direct, *by_path.values()]) if r.assigned]
    trail_paths = [p for p in _chain(unit.path) if len(p) >= len(owner.path)]
    return AssignmentReport(
        assignment=assignment,
        unit=unit,
        trail=list(Unit.objects.filter(path__in=trail_paths).order_by("path")),
        rows=rows,
        members=member_rows,
        reminders=list(
            assignment.reminders.select_related("sent_by").order_by("-sent_at")[:5]
        ),
    )


def members_behind(*, assignment: Assignment) -> list[Member]:
    """Assigned members who have not finished (for reminders), with their
    accounts loaded."""
    members_qs = assigned_members(assignment=assignment)
    progress = member_progress(assignment=assignment, members=members_qs)
    return [
        m for m in members_qs.select_related("user") if not progress.of(m.user_id).done
    ]


def tasks_completed(
    *, due_from: datetime.date, due_to: datetime.date, unit_path: str
) -> dict[int, int]:
    """``{user_id: tasks done}`` among the members of the subtree at
    ``unit_path``, over the (not cancelled) 学习任务 due between two days: what
    the leaderboards rank by "tasks completed". A few queries per task."""
    done: dict[int, int] = {}
    tasks = Assignment.objects.filter(
        due_on__gte=due_from, due_on__lte=due_to, cancelled_at__isnull=True
    ).select_related("owner_unit")
    for assignment in tasks:
        members = assigned_members(assignment=assignment).filter(
            unit__path__startswith=unit_path
        )
        table = member_progress(assignment=assignment, members=members)
        for user_id in members.values_list("user_id", flat=True):
            if table.of(user_id).done:
                done[user_id] = done.get(user_id, 0) + 1
    return done
