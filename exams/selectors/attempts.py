"""What a candidate may see of an attempt, and when.

``attempt_sheet`` is the one place that turns an attempt into what the page and
the API show. The answer key (right options, accepted blanks, reference answers,
explanations and per-question marks) is added only when the exam's review policy
allows it, and scores only once results are released: a candidate's client never
receives a key before that.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from org.models import Member, Unit, User

from ..models import (
    Attempt,
    Exam,
    ExamOverride,
    QuestionType,
    QuestionVersion,
    ResultsRelease,
    ReviewAnswers,
)
from ..services.attempts import (
    attempt_submit,
    exam_closed_at,
    exam_grade,
    exam_rank,
    is_overdue,
)
from ..services.papers import CHOICE_TYPES, DrawnQuestion, drawn_questions
from . import display_html


def results_visible(exam: Exam, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    if exam.results_release == ResultsRelease.IMMEDIATELY:
        return True
    if exam.results_release == ResultsRelease.AFTER_CLOSE:
        return now >= exam_closed_at(exam)
    return exam.results_released_at is not None


def answers_visible(attempt: Attempt, now: datetime | None = None) -> bool:
    """Whether the candidate may see the key of this (submitted) attempt."""
    now = now or timezone.now()
    exam = attempt.exam
    if attempt.submitted_at is None or exam.review_answers == ReviewAnswers.NEVER:
        return False
    if exam.review_answers == ReviewAnswers.AFTER_CLOSE and now < exam_closed_at(exam):
        return False
    return results_visible(exam, now)


def shown_response(drawn: DrawnQuestion, qtype: str, response):
    """A stored response in the letters the candidate saw."""
    if response is None or qtype not in CHOICE_TYPES:
        return response
    return sorted(drawn.original_to_display(key) for key in response)


def answer_key(drawn: DrawnQuestion, qtype: str, version: QuestionVersion):
    if qtype in CHOICE_TYPES:
        return sorted(drawn.original_to_display(key) for key in version.answer)
    if qtype == QuestionType.BLANK:
        return [[alt["text"] for alt in blank] for blank in version.answer["blanks"]]
    if qtype == QuestionType.ESSAY:
        return version.answer.get("reference", "")
    return version.answer


def answered_count(attempt: Attempt) -> int:
    """How many questions have an answer (one query, nothing rendered)."""
    responses = attempt.answers.values_list("response", flat=True)
    return sum(1 for response in responses if response not in (None, "", []))


def _rendered(version) -> tuple[str, dict[str, str]]:
    """The stem and options as safe HTML, rendered once per cached version
    (versions never change: see ``services.versions``)."""
    face = getattr(version, "_rendered_face", None)
    if face is None:
        face = (
            str(display_html(version.stem, version.stem_format)),
            {c["key"]: str(display_html(c["text"])) for c in version.choices},
        )
        version._rendered_face = face
    return face


def question_face(position: int, drawn: DrawnQuestion, version) -> dict:
    """What anyone answering sees of a drawn question: no key, no 解析."""
    qtype = version.question.type
    stem, option_html = _rendered(version)
    options = []
    if qtype in CHOICE_TYPES:
        options = [
            {"letter": drawn.original_to_display(key), "text": option_html[key]}
            for key in drawn.option_order
        ]
    blanks = version.answer.get("blanks", []) if qtype == QuestionType.BLANK else []
    return {
        "position": position,
        "type": qtype,
        "stem": stem,
        "options": options,
        "blanks": len(blanks),
    }


def attempt_sheet(*, attempt: Attempt, viewer: User, now=None) -> dict:
    """The attempt as its candidate sees it (``viewer`` must be the candidate)."""
    if attempt.user_id != viewer.pk:
        raise Attempt.DoesNotExist
    now = now or timezone.now()
    exam = attempt.exam
    drawn = drawn_questions(attempt.draw)
    answers = {a.position: a for a in attempt.answers.all()}
    reveal = answers_visible(attempt, now)
    questions = []
    for position, (question, version) in enumerate(drawn, start=1):
        qtype = version.question.type
        answer = answers.get(position)
        item = question_face(position, question, version)
        item["score"] = str(question.score)
        item["response"] = (
            shown_response(question, qtype, answer.response) if answer else None
        )
        item["revision"] = answer.revision if answer else 0
        if reveal:
            item["correct"] = answer_key(question, qtype, version)
            item["explanation"] = str(display_html(version.explanation))
            item["earned"] = (
                str(answer.score) if answer and answer.score is not None else None
            )
            item["comment"] = answer.comment if answer else ""
        questions.append(item)
    submitted = attempt.submitted_at is not None
    sheet = {
        "attempt": attempt.pk,
        "exam": exam.pk,
        "title": exam.title,
        "number": attempt.number,
        "started_at": attempt.started_at.isoformat(),
        "deadline": attempt.deadline.isoformat(),
        "server_now": now.isoformat(),
        "submitted": submitted,
        "time_up": not submitted and is_overdue(attempt, now),
        "answered": sum(
            1 for a in answers.values() if a.response not in (None, "", [])
        ),
        "total": len(drawn),
        "questions": questions,
        "result": None,
        "review": reveal,
    }
    if submitted and results_visible(exam, now):
        sheet["result"] = {
            "score": str(attempt.score),
            "max_score": str(attempt.max_score),
            "passed": attempt.score >= exam.pass_mark
            if attempt.pending_marks == 0
            else None,
            "pending_marks": attempt.pending_marks,
            "rank": exam_rank(exam=exam, user=viewer),
            "time_used_seconds": int(
                (attempt.submitted_at - attempt.started_at).total_seconds()
            ),
        }
    return sheet


# --- the candidate's exams ----------------------------------------------------


class ExamState:
    UPCOMING = "upcoming"
    OPEN = "open"
    CLOSED = "closed"


def _chain(path: str) -> list[str]:
    step = Unit.steplen
    return [path[:i] for i in range(step, len(path) + 1, step)]


def exams_for(*, viewer: User, now: datetime | None = None) -> list[dict]:
    """The published exams the viewer may sit, open ones first, with their
    attempts: ``{"exam", "state", "closes_at", "attempts_used", "attempts_left"
    (None: unlimited), "open_attempt", "grade" (None until released), "passed"}``."""
    now = now or timezone.now()
    member = Member.objects.select_related("unit").filter(user_id=viewer.pk).first()
    given = Q(target_users=viewer)
    if member is not None:
        given |= Q(target_units__path__in=_chain(member.unit.path))
    exams = list(
        Exam.objects.filter(given, published_at__isnull=False)
        .distinct()
        .select_related("paper")
    )
    attempts: dict[int, list[Attempt]] = {}
    for attempt in Attempt.objects.filter(user=viewer, exam__in=exams).order_by(
        "number"
    ):
        attempts.setdefault(attempt.exam_id, []).append(attempt)
    overrides = {
        o.exam_id: o for o in ExamOverride.objects.filter(user=viewer, exam__in=exams)
    }
    rows = []
    for exam in exams:
        override = overrides.get(exam.pk)
        closes_at = exam.closes_at
        if override and override.closes_at and override.closes_at > closes_at:
            closes_at = override.closes_at
        mine = attempts.get(exam.pk, [])
        state = (
            ExamState.UPCOMING
            if now < exam.opens_at
            else ExamState.OPEN
            if now < closes_at
            else ExamState.CLOSED
        )
        allowed = exam.attempts_allowed
        if allowed and override:
            allowed += override.extra_attempts
        open_attempt = next(
            (a for a in mine if a.submitted_at is None and not is_overdue(a, now)),
            None,
        )
        grade = passed = None
        done = [a for a in mine if a.submitted_at is not None]
        if done and results_visible(exam, now):
            grade = exam_grade(exam=exam, user=viewer)
            passed = grade is not None and grade >= exam.pass_mark
        rows.append(
            {
                "exam": exam,
                "state": state,
                "closes_at": closes_at,
                "attempts_used": len(mine),
                "attempts_left": None if not allowed else max(allowed - len(mine), 0),
                "open_attempt": open_attempt,
                "grade": grade,
                "passed": passed,
            }
        )
    order = {ExamState.OPEN: 0, ExamState.UPCOMING: 1, ExamState.CLOSED: 2}
    rows.sort(key=lambda r: (order[r["state"]], r["exam"].closes_at))
    return rows


def access_exam(*, viewer: User, exam_id) -> dict:
    """The viewer's row of ``exams_for`` for one exam, or Http404."""
    for row in exams_for(viewer=viewer):
        if str(row["exam"].pk) == str(exam_id):
            return row
    raise Http404


def access_attempt(*, viewer: User, attempt_id, now=None) -> Attempt:
    """The viewer's own attempt (Http404 for anyone else's). One whose time ran out
    is submitted on the spot, before anything reads it."""
    try:
        attempt = Attempt.objects.select_related("exam").get(
            pk=int(attempt_id), user_id=viewer.pk
        )
    except (Attempt.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404 from exc
    if is_overdue(attempt, now):
        attempt = attempt_submit(attempt=attempt, now=now, timed_out=True)
    return attempt
