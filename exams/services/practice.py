"""Practice: the daily quiz (每日答题), practice by category, and the wrong-answer
book (错题本).

- **Which questions:** live questions of the banks opened for practice
  (``QuestionBank.practice``) whose owning unit is the member's unit or above it.
  Exam banks stay closed unless an examiner opens them.
- **A round** is a draw like an exam's (versions and option order kept), answered
  one question at a time; each answer is graded at once (essays are not
  practised) and the right answer and 解析 are shown after it: it is practice.
- **The daily quiz:** ``ZHIXUE_EXAM["daily_quiz_size"]`` (5) questions a day, the
  same for the member all day (one round per member and day, a database
  constraint); answering the last one awards the ``daily_quiz`` points once a day
  (event key ``quiz:<date>``).
- **错题本:** every objective question got wrong in a submitted exam attempt or in
  practice is collected (with how often); answering it right in practice clears
  it. Exam questions appear there only once that attempt's review shows answers.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from org.models import Member, Unit, User

from ..models import (
    Attempt,
    PracticeRound,
    Question,
    QuestionCategory,
    QuestionType,
    RoundKind,
    WrongAnswer,
)
from .grading import response_fraction
from .papers import CHOICE_TYPES, DrawnQuestion, drawn_questions
from .versions import versions_by_id

PRACTISED = [QuestionType.SINGLE, QuestionType.MULTIPLE, QuestionType.TRUEFALSE,
             QuestionType.BLANK]  # fmt: skip
ROUND_SIZE = 10


def _size() -> int:
    configured = getattr(settings, "ZHIXUE_EXAM", {}) or {}
    return int(configured.get("daily_quiz_size", 5))


def practice_questions(*, user: User):
    """The live questions the member may practise with."""
    member = Member.objects.select_related("unit").filter(user=user).first()
    if member is None:
        return Question.objects.none()
    step = Unit.steplen
    path = member.unit.path
    chain = [path[:i] for i in range(step, len(path) + 1, step)]
    return Question.objects.filter(
        bank__practice=True,
        bank__owner_unit__path__in=chain,
        archived_at__isnull=True,
        current__isnull=False,
        type__in=PRACTISED,
    )


def _drawn(questions: list[Question], rng: random.Random) -> list[dict]:
    draw = []
    for order, question in enumerate(questions, start=1):
        keys = []
        if question.type in CHOICE_TYPES:
            keys = [c["key"] for c in question.current.choices]
            rng.shuffle(keys)
        draw.append(
            DrawnQuestion(
                question_id=question.pk,
                version_id=question.current_id,
                score=Decimal(1),
                order=order,
                option_order=keys,
            ).as_dict()
        )
    return draw


def daily_quiz(*, user: User, day: datetime.date | None = None) -> PracticeRound:
    """Today's quiz (the same all day), made on first use; ValidationError when
    there is nothing to practise."""
    day = day or timezone.localdate()
    existing = PracticeRound.objects.filter(user=user, kind=RoundKind.DAILY, day=day)
    if (found := existing.first()) is not None:
        return found
    rng = random.Random(f"daily:{user.pk}:{day.isoformat()}")  # noqa: S311 (a draw)
    pool = list(practice_questions(user=user).select_related("current").order_by("pk"))
    if not pool:
        raise ValidationError(_("There are no practice questions for you yet."))
    picked = rng.sample(pool, min(_size(), len(pool)))
    try:
        with transaction.atomic():
            return PracticeRound.objects.create(
                user=user, kind=RoundKind.DAILY, day=day, draw=_drawn(picked, rng)
            )
    except IntegrityError:  # made by a request at the same moment
        return existing.get()


def category_round(*, user: User, category: QuestionCategory) -> PracticeRound:
    """Up to ``ROUND_SIZE`` questions of a category (with its descendants)."""
    pool = list(
        practice_questions(user=user)
        .filter(category__path__startswith=category.path, bank=category.bank)
        .select_related("current")
    )
    if not pool:
        raise ValidationError(_("This category has no practice questions."))
    rng = random.Random()  # noqa: S311 (a practice draw)
    picked = rng.sample(pool, min(ROUND_SIZE, len(pool)))
    return PracticeRound.objects.create(
        user=user, kind=RoundKind.CATEGORY, draw=_drawn(picked, rng)
    )


def wrong_book_round(*, user: User) -> PracticeRound:
    """The member's wrong answers that are still open, most recent first."""
    entries = wrong_book(user=user)[:ROUND_SIZE]
    if not entries:
        raise ValidationError(_("Your wrong-answer book is empty."))
    rng = random.Random()  # noqa: S311 (a practice draw)
    return PracticeRound.objects.create(
        user=user,
        kind=RoundKind.WRONG_BOOK,
        draw=_drawn([e.question for e in entries], rng),
    )


def round_start(*, user: User, kind: str, category_id=None) -> PracticeRound:
    """Today's quiz, a round of a category (of a bank open for practice) or of the
    错题本; ValidationError when there is nothing to practise."""
    if kind == RoundKind.DAILY:
        return daily_quiz(user=user)
    if kind == RoundKind.WRONG_BOOK:
        return wrong_book_round(user=user)
    if kind == RoundKind.CATEGORY:
        try:
            category = QuestionCategory.objects.get(
                pk=int(category_id), bank__practice=True
            )
        except (QuestionCategory.DoesNotExist, TypeError, ValueError) as exc:
            raise ValidationError(
                _("This category has no practice questions.")
            ) from exc
        return category_round(user=user, category=category)
    raise ValidationError({"kind": _("Choose one of the listed options.")})


def _wrong(user_id: int, question_id: int, source: str, at, attempt=None) -> None:
    entry, created = WrongAnswer.objects.get_or_create(
        user_id=user_id,
        question_id=question_id,
        defaults={"last_wrong_at": at, "source": source, "attempt": attempt},
    )
    if not created:
        entry.times += 1
        entry.last_wrong_at, entry.source, entry.cleared_at = at, source, None
        entry.attempt = attempt
        entry.save(
            update_fields=["times", "last_wrong_at", "source", "cleared_at", "attempt"]
        )


@transaction.atomic
def round_answer(*, round: PracticeRound, position: int, response) -> dict:
    """Grade one answer of a round at once: ``{"correct", "fraction", "key",
    "explanation", "completed"}``. An answered question stays answered."""
    from .attempts import response_clean  # the same checks as in an exam

    round = PracticeRound.objects.select_for_update().get(pk=round.pk)
    if not isinstance(position, int) or not 1 <= position <= len(round.draw):
        raise ValidationError({"position": _("There is no such question.")})
    drawn = DrawnQuestion.from_dict(round.draw[position - 1])
    version = versions_by_id([drawn.version_id])[drawn.version_id]
    qtype = version.question.type
    key = str(position)
    if key not in round.answers:
        stored = response_clean(drawn, qtype, version, response)
        fraction = response_fraction(version, qtype, stored)
        round.answers[key] = {"response": stored, "fraction": str(fraction)}
        now = timezone.now()
        if fraction < 1:
            _wrong(round.user_id, drawn.question_id, "practice", now)
        else:
            WrongAnswer.objects.filter(
                user_id=round.user_id, question_id=drawn.question_id
            ).update(cleared_at=now)
        if len(round.answers) == len(round.draw) and round.completed_at is None:
            round.completed_at = now
            if round.kind == RoundKind.DAILY:
                transaction.on_commit(lambda: _quiz_points(round.user_id, round.day))
        round.save(update_fields=["answers", "completed_at"])
    fraction = Decimal(round.answers[key]["fraction"])
    return {
        "correct": fraction == 1,
        "fraction": fraction,
        "completed": round.completed_at is not None,
    }


def _quiz_points(user_id: int, day: datetime.date) -> None:
    from courses.models import PointsAction
    from courses.services.points import points_award

    points_award(
        user=User.objects.get(pk=user_id),
        action=PointsAction.DAILY_QUIZ,
        event_key=f"quiz:{day.isoformat()}",
        source="daily_quiz",
    )


def wrong_book(*, user: User) -> list[WrongAnswer]:
    """Open entries of the member's 错题本 (newest first); one from an exam only
    once that attempt's review shows the answers."""
    from ..selectors.attempts import answers_visible

    entries = (
        WrongAnswer.objects.filter(user=user, cleared_at__isnull=True)
        .select_related("question__current", "attempt__exam", "question__category")
        .order_by("-last_wrong_at")
    )
    return [e for e in entries if e.attempt is None or answers_visible(e.attempt)]


def wrong_book_collect(attempt: Attempt) -> int:
    """Collect the objective questions got wrong in a submitted attempt (called
    at submit, in a few statements however many were wrong; the entries show
    their key only when review allows)."""
    drawn = drawn_questions(attempt.draw)
    wrong: set[int] = set()
    for answer in attempt.answers.all():
        question, version = drawn[answer.position - 1]
        if version.question.type == QuestionType.ESSAY:
            continue
        if answer.fraction is not None and answer.fraction < 1:
            wrong.add(question.question_id)
    if not wrong:
        return 0
    at, source = attempt.submitted_at, f"exam:{attempt.exam_id}"
    known = list(
        WrongAnswer.objects.select_for_update().filter(
            user_id=attempt.user_id, question_id__in=wrong
        )
    )
    for entry in known:
        entry.times += 1
        entry.last_wrong_at, entry.source, entry.cleared_at = at, source, None
        entry.attempt = attempt
    WrongAnswer.objects.bulk_update(
        known, ["times", "last_wrong_at", "source", "cleared_at", "attempt"]
    )
    seen = {entry.question_id for entry in known}
    WrongAnswer.objects.bulk_create(
        [
            WrongAnswer(
                user_id=attempt.user_id,
                question_id=question_id,
                last_wrong_at=at,
                source=source,
                attempt=attempt,
            )
            for question_id in sorted(wrong - seen)
        ],
        ignore_conflicts=True,  # a practice answer made the entry a moment ago
    )
    return len(wrong)
