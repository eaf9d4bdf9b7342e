"""What a candidate may see of an attempt, and when.

``attempt_sheet`` is the one place that turns an attempt into what the page and
the API show. The answer key (right options, accepted blanks, reference answers,
explanations and per-question marks) is added only when the exam's review policy
allows it, and scores only once results are released: a candidate's client never
receives a key before that.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from org.models import User

from ..models import (
    Attempt,
    Exam,
    Question,
    QuestionType,
    QuestionVersion,
    ResultsRelease,
    ReviewAnswers,
)
from ..services.attempts import exam_closed_at, is_overdue
from ..services.papers import CHOICE_TYPES, DrawnQuestion
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


def _shown(drawn: DrawnQuestion, qtype: str, response):
    """A stored response in the letters the candidate saw."""
    if response is None or qtype not in CHOICE_TYPES:
        return response
    return sorted(drawn.original_to_display(key) for key in response)


def _key(drawn: DrawnQuestion, qtype: str, version: QuestionVersion):
    if qtype in CHOICE_TYPES:
        return sorted(drawn.original_to_display(key) for key in version.answer)
    if qtype == QuestionType.BLANK:
        return [[alt["text"] for alt in blank] for blank in version.answer["blanks"]]
    if qtype == QuestionType.ESSAY:
        return version.answer.get("reference", "")
    return version.answer


def attempt_sheet(*, attempt: Attempt, viewer: User, now=None) -> dict:
    """The attempt as its candidate sees it (``viewer`` must be the candidate)."""
    if attempt.user_id != viewer.pk:
        raise Attempt.DoesNotExist
    now = now or timezone.now()
    exam = attempt.exam
    drawn = [DrawnQuestion.from_dict(d) for d in attempt.draw]
    versions = QuestionVersion.objects.in_bulk([d.version_id for d in drawn])
    types = dict(
        Question.objects.filter(pk__in=[d.question_id for d in drawn]).values_list(
            "pk", "type"
        )
    )
    answers = {a.position: a for a in attempt.answers.all()}
    reveal = answers_visible(attempt, now)
    questions = []
    for position, question in enumerate(drawn, start=1):
        version, qtype = versions[question.version_id], types[question.question_id]
        answer = answers.get(position)
        item = {
            "position": position,
            "type": qtype,
            "stem": str(display_html(version.stem, version.stem_format)),
            "score": str(question.score),
            "options": [],
            "blanks": len(version.answer.get("blanks", []))
            if qtype == QuestionType.BLANK
            else 0,
            "response": _shown(question, qtype, answer.response) if answer else None,
            "revision": answer.revision if answer else 0,
        }
        if qtype in CHOICE_TYPES:
            by_key = {c["key"]: c for c in version.choices}
            item["options"] = [
                {
                    "letter": question.original_to_display(key),
                    "text": str(display_html(by_key[key]["text"])),
                }
                for key in question.option_order
            ]
        if reveal:
            item["correct"] = _key(question, qtype, version)
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
            "time_used_seconds": int(
                (attempt.submitted_at - attempt.started_at).total_seconds()
            ),
        }
    return sheet
