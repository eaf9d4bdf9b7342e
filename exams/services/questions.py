"""Questions and their versions: what a parsed or edited question stores, and
revising a question (a new version; past attempts keep the one they showed)."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from org.models import User

from ..importers import ParsedQuestion, QuestionType, RichText
from ..models import Question, QuestionVersion
from .banks import require_bank_examiner

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _text(value: RichText | None) -> str:
    return value.text if value else ""


def version_fields(parsed: ParsedQuestion, stem: str | None = None) -> dict:
    """The ``QuestionVersion`` fields for a parsed question (see the model)."""
    kind = QuestionType(parsed.type)
    choices: list[dict] = []
    answer: object = []
    if kind in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        choices = [
            {
                "key": LETTERS[i],
                "text": c.text,
                "fraction": str(c.fraction),
                "feedback": c.feedback,
            }
            for i, c in enumerate(parsed.choices)
        ]
        if kind == QuestionType.SINGLE:
            best = max(parsed.choices, key=lambda c: c.fraction)
            answer = [LETTERS[parsed.choices.index(best)]]
        else:
            answer = [
                LETTERS[i] for i, c in enumerate(parsed.choices) if c.fraction > 0
            ]
    elif kind == QuestionType.TRUEFALSE:
        answer = bool(parsed.correct)
    elif kind == QuestionType.BLANK:
        answer = {
            "blanks": [
                [{"text": a.text, "fraction": str(a.fraction)} for a in blank]
                for blank in parsed.blanks
            ],
            "case_sensitive": parsed.case_sensitive,
        }
    else:
        answer = {"reference": parsed.reference_answer, "keywords": parsed.keywords}
    feedback = {
        key: text
        for key, text in (
            ("true", _text(parsed.feedback_true)),
            ("false", _text(parsed.feedback_false)),
            ("correct", _text(parsed.correct_feedback)),
            ("partially_correct", _text(parsed.partially_correct_feedback)),
            ("incorrect", _text(parsed.incorrect_feedback)),
        )
        if text
    }
    if parsed.hints:
        feedback["hints"] = [h.text for h in parsed.hints]
    return {
        "stem": parsed.stem if stem is None else stem,
        "stem_format": parsed.stem_format,
        "choices": choices,
        "answer": answer,
        "explanation": parsed.explanation,
        "feedback": feedback,
    }


@transaction.atomic
def question_revise(*, question: Question, by: User, **changes) -> QuestionVersion:
    """A new version of ``question`` with ``changes`` (stem, choices, answer,
    explanation, feedback) over the current one; the old version is kept as it
    was, so the attempts that showed it still show and score the same."""
    question = Question.objects.select_for_update().get(pk=question.pk)
    current = question.current
    allowed = {"stem", "stem_format", "choices", "answer", "explanation", "feedback"}
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"not version fields: {sorted(unknown)}")
    fields = {name: getattr(current, name) for name in allowed} if current else {}
    fields.update(changes)
    number = (question.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = QuestionVersion.objects.create(
        question=question, number=number, created_by=by, **fields
    )
    question.current = version
    question.save(update_fields=["current"])
    return version


def _fraction_text(value: Decimal) -> str:
    return format(value.quantize(Decimal("0.0000001")).normalize(), "f")


def question_key_correct(
    *, by: User, question: Question, keys=None, truth=None, explanation=None
) -> QuestionVersion:
    """A corrected key as the next version: the right options of a 单选 / 多选
    (``keys``, stored option keys) or the answer of a 判断 (``truth``), and the
    解析. Past attempts keep what they showed until an examiner regrades an exam
    (``attempts.exam_regrade``)."""
    require_bank_examiner(by, question.bank)
    current = question.current
    changes: dict = {}
    if question.type in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        known = [c["key"] for c in current.choices]
        chosen = [k for k in known if k in set(keys or [])]
        if not chosen or (question.type == QuestionType.SINGLE and len(chosen) != 1):
            raise ValidationError(
                _("Choose the right option.")
                if question.type == QuestionType.SINGLE
                else _("Choose at least one right option.")
            )
        right = Decimal(1) / len(chosen)
        wrong = Decimal(-1) if question.type == QuestionType.MULTIPLE else Decimal(0)
        changes["choices"] = [
            {**c, "fraction": _fraction_text(right if c["key"] in chosen else wrong)}
            for c in current.choices
        ]
        changes["answer"] = chosen
    elif question.type == QuestionType.TRUEFALSE:
        if not isinstance(truth, bool):
            raise ValidationError(_("Choose true or false."))
        changes["answer"] = truth
    if explanation is not None:
        changes["explanation"] = explanation.strip()
    return question_revise(question=question, by=by, **changes)
