"""Stored questions back out as files: the Excel template and Moodle GIFT.

:func:`parsed_question` is the inverse of ``questions.version_fields``: it turns a
``Question`` and its current version back into the ``ParsedQuestion`` the
importers produce, so the exporters in ``exams/importers`` write it and a file
exported here imports again as the same questions. What the stored version does
not keep (per-option text formats, Moodle's idnumber, shuffle, penalty) is left
at the parsers' defaults.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from ..importers import (
    ParsedChoice,
    ParsedHint,
    ParsedQuestion,
    QuestionType,
    RichText,
)
from ..importers.gift import questions_to_gift
from ..importers.xlsx import questions_to_xlsx
from ..models import Question, QuestionVersion
from ..selectors import category_paths


def _fraction(value, default: Decimal = Decimal(0)) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return default


def _rich(feedback: dict, key: str, fmt: str) -> RichText | None:
    text = feedback.get(key, "")
    return RichText(text, fmt) if text else None


def _choices(version: QuestionVersion, fmt: str) -> list[ParsedChoice]:
    choices = [
        ParsedChoice(
            text=c.get("text", ""),
            fraction=_fraction(c.get("fraction")),
            feedback=c.get("feedback", ""),
            format=fmt,
            feedback_format=fmt,
        )
        for c in version.choices
    ]
    if choices and not any(c.fraction > 0 for c in choices):
        # A version whose answer keys were revised without the fractions: the keys
        # say which options are right, sharing the mark.
        keys = [c.get("key") for c in version.choices]
        right = [i for i, key in enumerate(keys) if key in (version.answer or [])]
        for i in right:
            choices[i].fraction = Decimal(1) / len(right)
    return choices


def parsed_question(
    question: Question,
    *,
    version: QuestionVersion | None = None,
    category: list[str] | None = None,
) -> ParsedQuestion:
    """The question (its current version unless ``version`` is given) as the
    importers would have parsed it; ``category`` is its category path."""
    version = version or question.current
    kind = QuestionType(question.type)
    fmt = version.stem_format
    feedback = version.feedback or {}
    answer = version.answer
    parsed = ParsedQuestion(
        type=kind,
        stem=version.stem,
        stem_format=fmt,
        name=question.name,
        explanation=version.explanation,
        explanation_format=fmt,
        difficulty=question.difficulty,
        default_score=question.default_score,
        knowledge_point=question.knowledge_point,
        tags=list(question.tags or []),
        category=list(category or []),
        correct_feedback=_rich(feedback, "correct", fmt),
        partially_correct_feedback=_rich(feedback, "partially_correct", fmt),
        incorrect_feedback=_rich(feedback, "incorrect", fmt),
        hints=[ParsedHint(text, fmt) for text in feedback.get("hints", [])],
    )
    if kind in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        parsed.choices = _choices(version, fmt)
    elif kind == QuestionType.TRUEFALSE:
        parsed.correct = bool(answer)
        parsed.feedback_true = _rich(feedback, "true", fmt)
        parsed.feedback_false = _rich(feedback, "false", fmt)
    elif kind == QuestionType.BLANK:
        answer = answer if isinstance(answer, dict) else {}
        parsed.blanks = [
            [
                ParsedChoice(
                    text=a.get("text", ""),
                    fraction=_fraction(a.get("fraction"), Decimal(1)),
                    format="plain",
                )
                for a in blank
            ]
            for blank in answer.get("blanks", [])
        ]
        parsed.case_sensitive = bool(answer.get("case_sensitive"))
    else:
        answer = answer if isinstance(answer, dict) else {}
        parsed.reference_answer = answer.get("reference", "")
        parsed.reference_answer_format = fmt
        parsed.keywords = list(answer.get("keywords", []))
    return parsed


def parsed_questions(questions: Iterable[Question]) -> list[ParsedQuestion]:
    """The questions (with ``current`` and ``category`` loaded, as the bank's
    selectors give them) as parsed questions; category paths in one query."""
    questions = [q for q in questions if q.current_id]
    paths = category_paths([q.category for q in questions if q.category])
    return [
        parsed_question(q, category=paths.get(q.category_id, [])) for q in questions
    ]


def questions_export_xlsx(questions: Iterable[Question]) -> bytes:
    """The questions in the Excel import template (raises ``XlsxExportError`` for
    a question with more than eight options)."""
    return questions_to_xlsx(parsed_questions(questions))


def questions_export_gift(questions: Iterable[Question]) -> str:
    """The questions as Moodle GIFT (raises ``GiftExportError`` for a 填空 with
    more than one blank, which GIFT cannot hold)."""
    return questions_to_gift(parsed_questions(questions))
