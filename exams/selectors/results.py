"""An exam's results and item analysis, for its examiners.

- ``exam_results``: one row per member the exam is for (target units' subtrees and
  named members), sat or not: grade by the exam's grading method, pass, rank
  (equal grades share a rank), attempts and time used. Members who did not sit
  are listed as absent, so a branch sees its participation.
- ``item_analysis``: per question of the paper, over all submitted attempts, as
  Moodle's quiz statistics define them: the **facility index** (mean fraction of
  the score earned, 0…1), the **discrimination index** (the correlation between
  the item's score and the rest of the attempt's score, −1…1) and, for choice
  questions, how often each option was chosen, in the stored keys (so shuffled
  letters add up). A question is flagged when its discrimination is below 0.2
  (weak or negative: strong candidates do no better on it than weak ones, which
  often means a wrong key) or its facility is outside 0.1…0.95.
- ``score_distribution``: counts of grades in ten equal bands of the full mark.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from org import scope
from org.models import Member

from ..models import (
    Attempt,
    AttemptAnswer,
    AttemptEvent,
    Exam,
    Paper,
    Question,
    QuestionVersion,
)
from ..services.attempts import grade_of
from ..services.papers import CHOICE_TYPES, DrawnQuestion, paper_total
from . import display_html

FACILITY_RANGE = (0.1, 0.95)
WEAK_DISCRIMINATION = 0.2


def exam_members(exam: Exam):
    """The members the exam is for."""
    paths = list(exam.target_units.values_list("path", flat=True))
    given = Q(user__in=exam.target_users.all())
    for path in paths:
        given |= Q(unit__path__startswith=path)
    return (
        Member.objects.filter(given, user__is_active=True)
        .select_related("user", "unit")
        .order_by("unit__path", "name_pinyin", "employee_no")
    )


@dataclass
class ResultRow:
    member: Member
    attempts: int
    grade: Decimal | None
    passed: bool | None
    rank: int | None
    seconds_used: int | None
    pending_marks: int
    #: times the candidate left the answer sheet (tab hidden, app switched)
    left_page: int = 0


def exam_results(*, exam: Exam) -> list[ResultRow]:
    submitted: dict[int, list[Attempt]] = defaultdict(list)
    for attempt in exam.attempts.filter(submitted_at__isnull=False).order_by("number"):
        submitted[attempt.user_id].append(attempt)
    left = dict(
        AttemptEvent.objects.filter(attempt__exam=exam, kind=AttemptEvent.Kind.HIDDEN)
        .values("attempt__user_id")
        .annotate(n=Count("pk"))
        .values_list("attempt__user_id", "n")
    )
    rows = []
    for member in exam_members(exam):
        mine = submitted.get(member.user_id, [])
        grade = grade_of([a.score for a in mine], exam.grading_method)
        rows.append(
            ResultRow(
                member=member,
                attempts=len(mine),
                grade=grade,
                passed=None if grade is None else grade >= exam.pass_mark,
                rank=None,
                seconds_used=sum(
                    int((a.submitted_at - a.started_at).total_seconds()) for a in mine
                )
                if mine
                else None,
                pending_marks=sum(a.pending_marks for a in mine),
                left_page=left.get(member.user_id, 0),
            )
        )
    graded = sorted((r for r in rows if r.grade is not None), key=lambda r: -r.grade)
    previous, rank = None, 0
    for index, row in enumerate(graded, start=1):
        if row.grade != previous:
            rank, previous = index, row.grade
        row.rank = rank
    return rows


@dataclass
class ResultSummary:
    members: int
    sat: int
    passed: int
    average: Decimal | None
    pending_marks: int

    @property
    def participation(self) -> float:
        return self.sat / self.members if self.members else 0.0

    @property
    def pass_rate(self) -> float:
        return self.passed / self.sat if self.sat else 0.0


def results_summary(rows: list[ResultRow]) -> ResultSummary:
    grades = [r.grade for r in rows if r.grade is not None]
    return ResultSummary(
        members=len(rows),
        sat=len(grades),
        passed=sum(1 for r in rows if r.passed),
        average=(sum(grades, Decimal(0)) / len(grades)).quantize(Decimal("0.01"))
        if grades
        else None,
        pending_marks=sum(r.pending_marks for r in rows),
    )


@dataclass
class UnitRow:
    unit: object
    summary: ResultSummary


def unit_breakdown(*, exam: Exam, rows: list[ResultRow]) -> list[UnitRow]:
    """Participation, passes and averages per unit directly under the organising
    unit (its own members count under it), for units with members to sit."""
    unit = exam.unit
    children = list(
        type(unit)
        .objects.filter(path__startswith=unit.path, depth=unit.depth + 1)
        .order_by("path")
    )
    groups: dict[int, list[ResultRow]] = defaultdict(list)
    for row in rows:
        path = row.member.unit.path
        home = next((c for c in children if path.startswith(c.path)), exam.unit)
        groups[home.pk].append(row)
    units = {u.pk: u for u in [exam.unit, *children]}
    return [
        UnitRow(unit=units[pk], summary=results_summary(group))
        for pk, group in sorted(groups.items(), key=lambda item: units[item[0]].path)
    ]


def score_distribution(*, exam: Exam, rows: list[ResultRow]) -> list[dict]:
    """Ten bands of the full mark: ``[{"label": "0–10", "count": 3}, …]``."""
    full = paper_total(exam.paper) or Decimal(1)
    counts = [0] * 10
    for row in rows:
        if row.grade is not None:
            counts[min(int(row.grade / full * 10), 9)] += 1
    width = full / 10
    return [
        {
            "label": f"{(width * i).normalize():f}–{(width * (i + 1)).normalize():f}",
            "count": counts[i],
        }
        for i in range(10)
    ]


@dataclass
class ItemStats:
    question: Question
    type: str
    attempts: int
    facility: float | None
    discrimination: float | None
    #: stored option key → times chosen (choice questions)
    options: dict[str, int] = field(default_factory=dict)
    unanswered: int = 0

    @property
    def flagged(self) -> bool:
        if self.attempts < 2:
            return False
        low, high = FACILITY_RANGE
        weak = self.discrimination is not None and (
            self.discrimination < WEAK_DISCRIMINATION
        )
        return weak or not (low <= (self.facility or 0) <= high)


def _correlation(xs: list[float], ys: list[float]) -> float | None:
    n = len(xs)
    if n < 2:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return None
    return sxy / math.sqrt(sxx * syy)


def item_analysis(*, exam: Exam) -> list[ItemStats]:
    """Per question, in the order questions first appear in the attempts."""
    attempts = list(
        exam.attempts.filter(submitted_at__isnull=False).prefetch_related("answers")
    )
    per_question: dict[int, list[tuple[float, float, object]]] = defaultdict(list)
    order: list[int] = []
    for attempt in attempts:
        answers = {a.position: a for a in attempt.answers.all()}
        total = float(attempt.score or 0)
        for position, entry in enumerate(attempt.draw, start=1):
            drawn = DrawnQuestion.from_dict(entry)
            answer = answers.get(position)
            if answer is None or answer.score is None:
                continue  # an essay still waiting for its mark
            if drawn.question_id not in per_question:
                order.append(drawn.question_id)
            fraction = float(answer.fraction or 0)
            rest = total - float(answer.score)
            per_question[drawn.question_id].append((fraction, rest, answer.response))
    questions = Question.objects.select_related("current").in_bulk(order)
    stats = []
    for question_id in order:
        rows = per_question[question_id]
        question = questions[question_id]
        item = ItemStats(
            question=question,
            type=question.type,
            attempts=len(rows),
            facility=sum(r[0] for r in rows) / len(rows),
            discrimination=_correlation([r[0] for r in rows], [r[1] for r in rows]),
        )
        if question.type in CHOICE_TYPES and question.current is not None:
            item.options = {c["key"]: 0 for c in question.current.choices}
        for _fraction, _rest, response in rows:
            if response in (None, "", []):
                item.unanswered += 1
            elif question.type in CHOICE_TYPES:
                for key in response:
                    item.options[key] = item.options.get(key, 0) + 1
        stats.append(item)
    return stats


# --- what examiners manage ------------------------------------------------------


def managed_exams(*, viewer) -> QuerySet[Exam]:
    """Exams whose organising unit lies in the subtrees the viewer examines."""
    return (
        Exam.objects.filter(unit__in=scope.examiner_units(viewer))
        .select_related("paper", "unit")
        .order_by("-opens_at", "-pk")
    )


def access_managed_exam(*, viewer, exam_id) -> Exam:
    try:
        return managed_exams(viewer=viewer).get(pk=int(exam_id))
    except (Exam.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404 from exc


def exam_papers(*, viewer) -> QuerySet[Paper]:
    """Papers an examiner may put in an exam: of banks in their subtrees."""
    return Paper.objects.filter(
        bank__owner_unit__in=scope.examiner_units(viewer)
    ).select_related("bank")


@dataclass
class MarkingItem:
    answer: AttemptAnswer
    stem: str
    reference: str
    keywords: list[str]
    score: Decimal


def marking_queue(*, exam: Exam, limit: int = 50) -> list[MarkingItem]:
    """Essays of submitted attempts still waiting for a mark, oldest first."""
    answers = (
        AttemptAnswer.objects.filter(
            attempt__exam=exam, attempt__submitted_at__isnull=False, score__isnull=True
        )
        .select_related("attempt__user")
        .order_by("attempt__submitted_at", "position")[:limit]
    )
    items = []
    for answer in answers:
        drawn = DrawnQuestion.from_dict(answer.attempt.draw[answer.position - 1])
        version = QuestionVersion.objects.get(pk=drawn.version_id)
        items.append(
            MarkingItem(
                answer=answer,
                stem=str(display_html(version.stem, version.stem_format)),
                reference=version.answer.get("reference", ""),
                keywords=list(version.answer.get("keywords", [])),
                score=drawn.score,
            )
        )
    return items
