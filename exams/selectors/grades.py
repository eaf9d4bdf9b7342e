"""Members' exam grades as other apps read them (assessments' boards and awards):
only published exams whose results the candidates may see, graded by each exam's
grading method, as a percentage of the paper's total so that exams of different
sizes average fairly."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.utils import timezone

from ..models import Attempt, Exam
from ..services.attempts import grade_of
from .attempts import results_visible

HUNDRED = Decimal(100)


def _day_bounds(first: datetime.date, last: datetime.date):
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(first, datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(
        last + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
    )
    return start, end


def exam_percentages(
    *,
    closed_from: datetime.date | None = None,
    closed_to: datetime.date | None = None,
    exam_id: int | None = None,
    user_ids=None,
) -> dict[int, list[Decimal]]:
    """``{user_id: [grade in % of the paper, one per exam]}`` for one exam
    (``exam_id``) or the exams that closed between two local dates."""
    exams = Exam.objects.filter(published_at__isnull=False)
    if exam_id is not None:
        exams = exams.filter(pk=exam_id)
    if closed_from is not None and closed_to is not None:
        start, end = _day_bounds(closed_from, closed_to)
        exams = exams.filter(closes_at__gte=start, closes_at__lt=end)
    now = timezone.now()
    shown = {exam.pk: exam for exam in exams if results_visible(exam, now)}
    attempts = Attempt.objects.filter(
        exam_id__in=shown, submitted_at__isnull=False
    ).order_by("number")
    if user_ids is not None:
        attempts = attempts.filter(user_id__in=user_ids)
    scores: dict[tuple[int, int], list[Decimal]] = defaultdict(list)
    totals: dict[tuple[int, int], Decimal] = {}
    for user_id, exam_pk, score, max_score in attempts.values_list(
        "user_id", "exam_id", "score", "max_score"
    ):
        scores[(user_id, exam_pk)].append(score)
        totals[(user_id, exam_pk)] = max_score
    out: dict[int, list[Decimal]] = defaultdict(list)
    for (user_id, exam_pk), marks in scores.items():
        grade = grade_of(marks, shown[exam_pk].grading_method)
        total = totals[(user_id, exam_pk)]
        if grade is not None and total:
            out[user_id].append((grade * HUNDRED / total).quantize(Decimal("0.01")))
    return dict(out)
