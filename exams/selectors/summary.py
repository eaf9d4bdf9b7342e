"""Exam results in aggregate and per member, as other apps read them (the lobby
display's pass rates, the member card). Only published exams whose results the
candidates may see (``results_visible``) count: a display or a card never shows
a result before its candidates could."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from org.models import Unit, User

from ..models import Attempt, Exam
from ..services.attempts import grade_of
from .attempts import results_visible
from .results import exam_members

HUNDRED = Decimal(100)
TWO = Decimal("0.01")


@dataclass
class ExamPassRate:
    exam_id: int
    title: str
    closes_at: datetime.datetime
    #: members of the subtree the exam is for
    members: int
    #: of them, those with a submitted attempt
    sat: int
    passed: int

    @property
    def pass_rate(self) -> Decimal:
        """Passed in % of those who sat (0 when nobody sat)."""
        if not self.sat:
            return Decimal(0)
        return (Decimal(self.passed) * HUNDRED / self.sat).quantize(TWO)

    @property
    def participation(self) -> Decimal:
        if not self.members:
            return Decimal(0)
        return (Decimal(self.sat) * HUNDRED / self.members).quantize(TWO)


def _ancestor_paths(path: str) -> list[str]:
    step = Unit.steplen
    return [path[:i] for i in range(step, len(path) + 1, step)]


def _grades(exam: Exam, user_ids) -> dict[int, Decimal]:
    """``{user_id: grade}`` of the members with a submitted attempt."""
    scores: dict[int, list[Decimal]] = defaultdict(list)
    for user_id, score in (
        Attempt.objects.filter(
            exam=exam, submitted_at__isnull=False, user_id__in=user_ids
        )
        .order_by("number")
        .values_list("user_id", "score")
    ):
        scores[user_id].append(score)
    grades = {}
    for user_id, marks in scores.items():
        grade = grade_of([m for m in marks if m is not None], exam.grading_method)
        if grade is not None:
            grades[user_id] = grade
    return grades


def exam_pass_rates(
    *,
    unit_path: str,
    since: datetime.datetime,
    now: datetime.datetime | None = None,
    limit: int = 8,
) -> list[ExamPassRate]:
    """The exams for members of the subtree at ``unit_path`` that opened by
    ``now`` and close on or after ``since``, newest first, with released results
    only: how many of the subtree's members each is for, sat and passed."""
    now = now or timezone.now()
    touches = (
        Q(target_units__path__startswith=unit_path)
        | Q(target_units__path__in=_ancestor_paths(unit_path))
        | Q(target_users__member__unit__path__startswith=unit_path)
    )
    candidates = (
        Exam.objects.filter(
            touches,
            published_at__isnull=False,
            opens_at__lte=now,
            closes_at__gte=since,
        )
        .distinct()
        .order_by("-closes_at", "-pk")
    )
    out: list[ExamPassRate] = []
    for exam in candidates:
        if len(out) >= limit:
            break
        if not results_visible(exam, now):
            continue
        user_ids = list(
            exam_members(exam)
            .filter(unit__path__startswith=unit_path)
            .values_list("user_id", flat=True)
        )
        if not user_ids:
            continue
        grades = _grades(exam, user_ids)
        out.append(
            ExamPassRate(
                exam_id=exam.pk,
                title=exam.title,
                closes_at=exam.closes_at,
                members=len(user_ids),
                sat=len(grades),
                passed=sum(1 for g in grades.values() if g >= exam.pass_mark),
            )
        )
    return out


@dataclass
class MemberExamResult:
    exam_id: int
    title: str
    closes_at: datetime.datetime
    grade: Decimal
    pass_mark: Decimal
    passed: bool


def member_exam_results(
    *, user: User, now: datetime.datetime | None = None, limit: int = 20
) -> list[MemberExamResult]:
    """The member's graded exams whose results are released, newest first (the
    caller has checked that the viewer may see this member)."""
    now = now or timezone.now()
    exam_ids = (
        Attempt.objects.filter(user=user, submitted_at__isnull=False)
        .values_list("exam_id", flat=True)
        .distinct()
    )
    exams = Exam.objects.filter(pk__in=exam_ids, published_at__isnull=False).order_by(
        "-closes_at", "-pk"
    )
    out = []
    for exam in exams:
        if len(out) >= limit:
            break
        if not results_visible(exam, now):
            continue
        grade = _grades(exam, [user.pk]).get(user.pk)
        if grade is None:
            continue
        out.append(
            MemberExamResult(
                exam_id=exam.pk,
                title=exam.title,
                closes_at=exam.closes_at,
                grade=grade,
                pass_mark=exam.pass_mark,
                passed=grade >= exam.pass_mark,
            )
        )
    return out
