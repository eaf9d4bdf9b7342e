"""Sitting an exam: start, save answers, submit, and close what time ran out on.

- **The deadline is the server's**, fixed at the start: min(start + duration (+ the
  member's extra minutes), the window's close (or the member's later close)).
  Nothing the client says moves it.
- **Saves** arrive one per question, debounced, each with the client's revision
  counter; the page keeps unsent saves in a local queue and retries them. A save
  is accepted until the deadline plus ``ZHIXUE_EXAM["grace_seconds"]`` (network
  latency), never after submit, and a late retry of an older revision never
  overwrites a newer answer. A saved answer is never lost: a dropped connection
  only delays the saves still queued on the phone.
- **Submit** is idempotent: the second submit (a double tap, a retry) returns the
  attempt as the first left it. Time running out submits the attempt too: the
  sweeper (``exams.tasks.attempts_close_overdue_task``, every minute) or, sooner,
  the next request that touches the attempt.
- **Grading** happens at submit (``grading.py`` for each question); essays wait
  for a mark (``essay_mark``); ``exam_regrade`` applies a corrected key.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from org import scope
from org.models import User

from ..models import (
    Attempt,
    AttemptAnswer,
    AttemptEvent,
    Exam,
    ExamOverride,
    GradingMethod,
    Question,
    QuestionType,
)
from .exams import exam_is_for
from .grading import response_fraction, scored
from .papers import CHOICE_TYPES, DrawnQuestion, drawn_questions, paper_draw
from .practice import wrong_book_collect
from .versions import versions_by_id

MAX_ESSAY_CHARS = 10_000
MAX_BLANK_CHARS = 200


class AttemptClosed(ValidationError):
    """The attempt was submitted, or its time ran out: nothing more is saved."""


def _grace() -> timedelta:
    configured = getattr(settings, "ZHIXUE_EXAM", {}) or {}
    return timedelta(seconds=configured.get("grace_seconds", 30))


def _override(exam: Exam, user: User) -> ExamOverride | None:
    return ExamOverride.objects.filter(exam=exam, user=user).first()


def _closes_at(exam: Exam, override: ExamOverride | None) -> datetime:
    if override and override.closes_at and override.closes_at > exam.closes_at:
        return override.closes_at
    return exam.closes_at


def exam_closed_at(exam: Exam) -> datetime:
    """When the last member's window closes (overrides included)."""
    later = exam.overrides.aggregate(last=Max("closes_at"))["last"]
    return max(exam.closes_at, later) if later else exam.closes_at


def is_overdue(attempt: Attempt, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return attempt.submitted_at is None and now > attempt.deadline + _grace()


# --- starting -------------------------------------------------------------------


def attempt_start(*, user: User, exam: Exam, now: datetime | None = None) -> Attempt:
    """The member's open attempt, or a new one with its draw and deadline.

    Starting twice (two tabs, a retry) gives the same attempt: one open attempt
    per member and exam is a database constraint."""
    now = now or timezone.now()
    if not exam_is_for(exam, user):
        raise PermissionDenied
    current = Attempt.objects.filter(exam=exam, user=user, submitted_at__isnull=True)
    open_attempt = current.first()
    if open_attempt is not None:
        if not is_overdue(open_attempt, now):
            return open_attempt
        attempt_submit(attempt=open_attempt, now=now, timed_out=True)
    override = _override(exam, user)
    closes_at = _closes_at(exam, override)
    if now < exam.opens_at:
        raise ValidationError(_("The exam has not opened yet."), code="not_open")
    if now >= closes_at:
        raise ValidationError(_("The exam has closed."), code="closed")
    used = Attempt.objects.filter(exam=exam, user=user).count()
    allowed = exam.attempts_allowed
    if allowed and used >= allowed + (override.extra_attempts if override else 0):
        # a start at the same moment (a double tap) may have just made the attempt
        just_made = current.first()
        if just_made is not None and not is_overdue(just_made, now):
            return just_made
        raise ValidationError(
            _("You have used all your attempts at this exam."), code="no_attempts"
        )
    extra = override.extra_minutes if override else 0
    deadline = min(now + timedelta(minutes=exam.duration_minutes + extra), closes_at)
    number = used + 1
    drawn = paper_draw(paper=exam.paper, seed=f"{exam.pk}:{user.pk}:{number}")
    try:
        with transaction.atomic():
            return Attempt.objects.create(
                exam=exam,
                user=user,
                number=number,
                started_at=now,
                deadline=deadline,
                draw=[d.as_dict() for d in drawn],
                max_score=sum((d.score for d in drawn), Decimal(0)),
            )
    except IntegrityError:  # the same member started at the same moment
        return current.get()


# --- saving ---------------------------------------------------------------------


def _drawn(attempt: Attempt, position: int) -> DrawnQuestion:
    if not isinstance(position, int) or not 1 <= position <= len(attempt.draw):
        raise ValidationError({"position": _("There is no such question.")})
    return DrawnQuestion.from_dict(attempt.draw[position - 1])


def response_clean(drawn: DrawnQuestion, qtype: str, version, raw):
    """The candidate's response in stored keys, or ValidationError. ``None``
    clears the answer. Choices arrive in the letters the candidate saw."""
    if raw is None:
        return None
    invalid = ValidationError({"response": _("This answer does not fit the question.")})
    if qtype in CHOICE_TYPES:
        letters = [raw] if isinstance(raw, str) else raw
        if not isinstance(letters, list) or not all(
            isinstance(x, str) for x in letters
        ):
            raise invalid
        if len(letters) == 1 and len(letters[0]) > 1:  # "AC"
            letters = list(letters[0])
        if qtype == QuestionType.SINGLE and len(letters) > 1:
            raise invalid
        try:
            keys = {drawn.display_to_original(x.strip().upper()) for x in letters}
        except ValueError as exc:
            raise invalid from exc
        return sorted(keys)
    if qtype == QuestionType.TRUEFALSE:
        if not isinstance(raw, bool):
            raise invalid
        return raw
    if qtype == QuestionType.BLANK:
        blanks = len(version.answer.get("blanks", []))
        if (
            not isinstance(raw, list)
            or len(raw) != blanks
            or not all(isinstance(x, str) and len(x) <= MAX_BLANK_CHARS for x in raw)
        ):
            raise invalid
        return raw
    if not isinstance(raw, str) or len(raw) > MAX_ESSAY_CHARS:
        raise invalid
    return raw


def answer_save(
    *,
    attempt: Attempt,
    position: int,
    response,
    revision: int,
    now: datetime | None = None,
) -> AttemptAnswer:
    """Save one answer (``response`` as the candidate gave it). AttemptClosed
    after submit, or past the deadline (the attempt is submitted then)."""
    now = now or timezone.now()
    if isinstance(revision, bool) or not isinstance(revision, int) or revision < 1:
        raise ValidationError({"revision": _("A positive revision number is needed.")})
    if is_overdue(attempt, now):  # the deadline is fixed at the start
        attempt_submit(attempt=attempt, now=now, timed_out=True)
        raise AttemptClosed(_("Time is up: the attempt was submitted."), code="time_up")
    drawn = _drawn(attempt, position)  # the draw too
    version = versions_by_id([drawn.version_id])[drawn.version_id]
    stored = response_clean(drawn, version.question.type, version, response)
    with transaction.atomic():
        # the attempt's row lock orders this save against a submit
        submitted = (
            Attempt.objects.select_for_update()
            .filter(pk=attempt.pk)
            .values_list("submitted_at", flat=True)
            .get()
        )
        if submitted is not None:
            raise AttemptClosed(_("This attempt has been submitted."), code="submitted")
        newer = AttemptAnswer.objects.filter(
            attempt=attempt, position=position, revision__lt=revision
        )
        if newer.update(response=stored, revision=revision, saved_at=now):
            return AttemptAnswer(
                attempt=attempt,
                position=position,
                response=stored,
                revision=revision,
                saved_at=now,
            )
        # new, or a newer revision is saved already (a late retry): that one stays
        answer, _created = AttemptAnswer.objects.get_or_create(
            attempt=attempt,
            position=position,
            defaults={"response": stored, "revision": revision, "saved_at": now},
        )
        return answer


MAX_EVENTS = 500


def attempt_event_log(*, attempt: Attempt, kind: str, now=None) -> bool:
    """Record that the candidate left the sheet or came back (while the attempt
    is open; at most ``MAX_EVENTS`` per attempt). False when nothing was kept."""
    if kind not in AttemptEvent.Kind.values:
        raise ValidationError({"kind": _("Choose one of the listed options.")})
    now = now or timezone.now()
    if attempt.submitted_at is not None or is_overdue(attempt, now):
        return False
    if attempt.events.count() >= MAX_EVENTS:
        return False
    AttemptEvent.objects.create(attempt=attempt, kind=kind, at=now)
    return True


# --- submitting and grading -----------------------------------------------------


def _grade(attempt: Attempt) -> None:
    """Grade every drawn question (an unanswered one gets a row with 0), keeping
    essays' marks; then the attempt's score and pending marks."""
    exam = attempt.exam
    answers = {a.position: a for a in attempt.answers.all()}
    changed: list[AttemptAnswer] = []
    new: list[AttemptAnswer] = []
    for position, (question, version) in enumerate(
        drawn_questions(attempt.draw), start=1
    ):
        answer = answers.get(position) or AttemptAnswer(
            attempt=attempt, position=position, response=None, saved_at=timezone.now()
        )
        qtype = version.question.type
        if qtype == QuestionType.ESSAY:
            if answer.marked_at is None:
                answer.fraction = answer.score = None
                if answer.response in (None, ""):  # nothing to mark
                    answer.fraction, answer.score = Decimal(0), Decimal(0)
        else:
            answer.fraction = response_fraction(
                version,
                qtype,
                answer.response,
                policy=exam.multiple_policy,
                partial_credit=exam.partial_credit,
            )
            answer.score = scored(answer.fraction, question.score)
        (changed if answer.pk else new).append(answer)
    AttemptAnswer.objects.bulk_update(changed, ["fraction", "score"])
    AttemptAnswer.objects.bulk_create(new)
    _total(attempt)


def _total(attempt: Attempt) -> None:
    scores = list(attempt.answers.values_list("score", flat=True))
    attempt.pending_marks = sum(1 for s in scores if s is None)
    attempt.score = sum((s for s in scores if s is not None), Decimal(0))
    attempt.save(update_fields=["score", "pending_marks"])


@transaction.atomic
def attempt_submit(
    *, attempt: Attempt, now: datetime | None = None, timed_out: bool = False
) -> Attempt:
    """Submit and grade; a second submit returns the attempt unchanged."""
    now = now or timezone.now()
    attempt = (
        Attempt.objects.select_for_update(of=("self",))
        .select_related("exam")
        .get(pk=attempt.pk)
    )
    if attempt.submitted_at is not None:
        return attempt
    attempt.submitted_at = min(now, attempt.deadline + _grace())
    attempt.timed_out = timed_out or now > attempt.deadline + _grace()
    attempt.save(update_fields=["submitted_at", "timed_out"])
    _grade(attempt)
    wrong_book_collect(attempt)
    _award_if_passed(attempt)
    return attempt


def _award_if_passed(attempt: Attempt) -> None:
    if attempt.pending_marks == 0 and attempt.score >= attempt.exam.pass_mark:
        transaction.on_commit(partial(_exam_passed, attempt.user_id, attempt.exam_id))


def _exam_passed(user_id: int, exam_id: int) -> None:
    """积分 for passing, once per exam (the points engine ignores a second award
    for the same event key; a later attempt that passes again earns nothing)."""
    from courses.models import PointsAction
    from courses.services.points import points_award

    points_award(
        user=User.objects.get(pk=user_id),
        action=PointsAction.EXAM_PASSED,
        event_key=f"exam:{exam_id}",
        source=f"exam:{exam_id}",
    )


def attempts_close_overdue(now: datetime | None = None) -> int:
    """Submit every open attempt whose time ran out (the sweeper)."""
    now = now or timezone.now()
    overdue = Attempt.objects.filter(
        submitted_at__isnull=True, deadline__lt=now - _grace()
    ).values_list("pk", flat=True)
    closed = 0
    for pk in overdue:
        attempt = attempt_submit(attempt=Attempt(pk=pk), now=now, timed_out=True)
        closed += attempt.timed_out
    return closed


def _require_examiner(by: User, exam: Exam) -> None:
    if not scope.examiner_units(by).filter(pk=exam.unit_id).exists():
        raise PermissionDenied


@transaction.atomic
def essay_mark(
    *, by: User, answer: AttemptAnswer, score, comment: str = ""
) -> AttemptAnswer:
    """An examiner's mark for an essay (0 … the question's score)."""
    answer = (
        AttemptAnswer.objects.select_for_update(of=("self",))
        .select_related("attempt__exam")
        .get(pk=answer.pk)
    )
    attempt = answer.attempt
    _require_examiner(by, attempt.exam)
    if attempt.submitted_at is None:
        raise ValidationError(_("The attempt has not been submitted yet."))
    drawn = _drawn(attempt, answer.position)
    try:
        value = Decimal(str(score)).quantize(Decimal("0.01"))
    except ArithmeticError as exc:
        raise ValidationError({"score": _("Give a number.")}) from exc
    if not value.is_finite() or not 0 <= value <= drawn.score:
        raise ValidationError(
            {"score": _("The mark is between 0 and %s.") % drawn.score}
        )
    answer.score = value
    answer.fraction = (value / drawn.score).quantize(Decimal("0.0001"))
    answer.comment = comment.strip()
    answer.marked_by, answer.marked_at = by, timezone.now()
    answer.save()
    _total(attempt)
    _award_if_passed(attempt)
    return answer


@transaction.atomic
def exam_regrade(*, by: User, exam: Exam, question: Question) -> int:
    """After a corrected key (``question_revise``): every submitted attempt that
    drew ``question`` is graded against its current version. The options keep
    their keys, so the letters each candidate saw stay theirs. Returns the
    number of attempts regraded."""
    _require_examiner(by, exam)
    current = question.current_id
    changed = 0
    attempts = exam.attempts.select_for_update().filter(submitted_at__isnull=False)
    for attempt in attempts:
        hit = False
        for entry in attempt.draw:
            if entry["question_id"] == question.pk and entry["version_id"] != current:
                entry["version_id"], hit = current, True
        if hit:
            attempt.save(update_fields=["draw"])
            _grade(attempt)
            _award_if_passed(attempt)
            changed += 1
    return changed


def grade_of(scores: list[Decimal], method: str) -> Decimal | None:
    """A grade from the scores of a member's submitted attempts, in order."""
    if not scores:
        return None
    if method == GradingMethod.FIRST:
        return scores[0]
    if method == GradingMethod.LAST:
        return scores[-1]
    if method == GradingMethod.AVERAGE:
        return (sum(scores, Decimal(0)) / len(scores)).quantize(Decimal("0.01"))
    return max(scores)


def exam_grade(*, exam: Exam, user: User) -> Decimal | None:
    """The member's grade for the exam by its grading method (None: no
    submitted attempt). Attempts with essays still unmarked count as they are."""
    scores = list(
        Attempt.objects.filter(exam=exam, user=user, submitted_at__isnull=False)
        .order_by("number")
        .values_list("score", flat=True)
    )
    return grade_of(scores, exam.grading_method)


def exam_rank(*, exam: Exam, user: User) -> int | None:
    """The member's rank among everyone who sat (equal grades share a rank)."""
    scores: dict[int, list[Decimal]] = {}
    for user_id, score in (
        Attempt.objects.filter(exam=exam, submitted_at__isnull=False)
        .order_by("number")
        .values_list("user_id", "score")
    ):
        scores.setdefault(user_id, []).append(score)
    grades = {u: grade_of(s, exam.grading_method) for u, s in scores.items()}
    mine = grades.get(user.pk)
    if mine is None:
        return None
    return 1 + sum(1 for grade in grades.values() if grade > mine)
