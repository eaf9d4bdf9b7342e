"""Grading one answer: what fraction of a question's score a response earns.

Responses are in the stored option keys (the candidate's letters are mapped back
when the answer is saved, ``DrawnQuestion.display_to_original``):

- 单选: ``["B"]``: the fraction of the chosen option (1 for the right one; an
  imported Moodle question may give part marks to another option);
- 多选: ``["A", "C"]``: exactly the right options earn everything. With the exam's
  partial policy a non-empty subset of the right options with no wrong one earns
  ``partial_credit`` (e.g. half); anything with a wrong option earns nothing;
- 判断: ``true`` / ``false``;
- 填空: one text per blank, each compared with the blank's accepted alternatives
  after ``normalise_answer`` (width, spaces, and case unless the question is
  case-sensitive); the question earns the mean of its blanks' fractions;
- 简答: ``None``: marked by hand.

An empty response earns 0. Fractions are Decimals in 0…1, rounded to 4 places.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from ..importers.text import normalise_answer
from ..models import MultiplePolicy, QuestionType, QuestionVersion

ZERO, ONE = Decimal(0), Decimal(1)
_PLACES = Decimal("0.0001")


def _clip(value) -> Decimal:
    return min(max(Decimal(str(value)), ZERO), ONE).quantize(_PLACES, ROUND_HALF_UP)


def _single(version: QuestionVersion, response) -> Decimal:
    if not response or len(response) != 1:
        return ZERO
    fractions = {c["key"]: c.get("fraction", "0") for c in version.choices}
    if response[0] in version.answer:
        return ONE
    return _clip(fractions.get(response[0], "0"))


def _multiple(version, response, policy: str, partial_credit: Decimal) -> Decimal:
    chosen, right = set(response or []), set(version.answer)
    if not chosen:
        return ZERO
    if chosen == right:
        return ONE
    if policy == MultiplePolicy.PARTIAL and chosen < right:
        return _clip(partial_credit)
    return ZERO


def _blank(version, response) -> Decimal:
    blanks = version.answer.get("blanks", [])
    if not blanks:
        return ZERO
    case_sensitive = bool(version.answer.get("case_sensitive"))
    typed = list(response or [])
    total = ZERO
    for index, alternatives in enumerate(blanks):
        text = typed[index] if index < len(typed) else ""
        key = normalise_answer(text or "", case_sensitive=case_sensitive)
        if not key:
            continue
        earned = [
            _clip(alt.get("fraction", "1"))
            for alt in alternatives
            if normalise_answer(alt["text"], case_sensitive=case_sensitive) == key
        ]
        total += max(earned, default=ZERO)
    return _clip(total / len(blanks))


def response_fraction(
    version: QuestionVersion,
    qtype: str,
    response,
    *,
    policy: str = MultiplePolicy.ALL_OR_NOTHING,
    partial_credit: Decimal = Decimal("0.5"),
) -> Decimal | None:
    """The fraction of the score ``response`` earns; None for an essay (by hand)."""
    if qtype == QuestionType.ESSAY:
        return None
    if response is None:
        return ZERO
    if qtype == QuestionType.SINGLE:
        return _single(version, response)
    if qtype == QuestionType.MULTIPLE:
        return _multiple(version, response, policy, partial_credit)
    if qtype == QuestionType.TRUEFALSE:
        right = isinstance(response, bool) and response == bool(version.answer)
        return ONE if right else ZERO
    if qtype == QuestionType.BLANK:
        return _blank(version, response)
    raise ValueError(f"unknown question type {qtype!r}")


def scored(fraction: Decimal, score: Decimal) -> Decimal:
    """The points a fraction of ``score`` is worth, to the cent."""
    return (fraction * score).quantize(Decimal("0.01"), ROUND_HALF_UP)
