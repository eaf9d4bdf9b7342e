"""Aiken import, following ``qformat_aiken`` (Moodle 4.5).

One single-answer multiple-choice question per block::

    Question text (one line)
    A) First choice          ← a capital letter, then ")" or ".", then text
    B. Second choice
    ANSWER: B

The stem and choices are HTML-escaped (``&``, ``<``, ``>``) and stored as HTML. Line
numbers in errors are the lines of the file. Errors, with Moodle's wording:
"Question must have at least 2 answers on line N", "Question not started on line N"
(a choice or ANSWER line outside a question), "Question not completed before next
question start on line N".

Two checks Moodle does not make, because it silently produces a broken or lost
question there: an ANSWER letter that is not one of the choices, and a question
still open at the end of the file, are errors here too.
"""

import re
from decimal import Decimal
from pathlib import Path

from ._moodle import DEFAULT_PENALTY, check_question, default_question_name, utf8_text
from .text import escape_html
from .types import ParsedChoice, ParsedQuestion, ParseResult, QuestionType, RichText

FORMAT = "aiken"
_CHOICE = re.compile(r"^[A-Z][).][ \t]?")


def _new_question(line_text: str, line: int) -> ParsedQuestion:
    empty = RichText("", "html")
    return ParsedQuestion(
        type=QuestionType.SINGLE,
        stem=escape_html(line_text.strip()),
        stem_format="html",
        name=default_question_name(line_text),
        explanation_format="html",
        default_score=Decimal(1),
        penalty=DEFAULT_PENALTY,
        numbering="abc",
        correct_feedback=empty,
        partially_correct_feedback=empty,
        incorrect_feedback=empty,
        source_type="multichoice",
        line=line,
    )


def parse_aiken(source: bytes | str | Path) -> ParseResult:
    """Parse an Aiken file (bytes or a path; ``str`` is already-decoded text)."""
    result = ParseResult(format=FORMAT)
    if isinstance(source, Path):
        source = source.read_bytes()
    if isinstance(source, bytes):
        text = utf8_text(source, result, format_name="Aiken")
        if text is None:
            return result
    else:
        text = source.removeprefix("\ufeff")

    question: ParsedQuestion | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if len(line) < 2:
            continue
        if _CHOICE.match(line):
            if question is None:
                result.error(
                    f"Question not started on line {number}",
                    line=number,
                    code="question_not_started",
                )
                continue
            choice = escape_html(line[2:].strip())
            question.choices.append(ParsedChoice(text=choice, format="html"))
        elif line.startswith("ANSWER:"):
            if question is None:
                result.error(
                    f"Question not started on line {number}",
                    line=number,
                    code="question_not_started",
                )
                continue
            letter = line[line.find(":") + 1 :].strip()[:1]
            if len(question.choices) < 2:
                result.error(
                    f"Question must have at least 2 answers on line {number}",
                    line=number,
                    code="question_missing_answers",
                    question=question.name,
                )
                question = None
                continue
            index = ord(letter) - ord("A") if letter else -1
            if not 0 <= index < len(question.choices):
                result.error(
                    f"The answer “{letter}” is not one of the choices on line {number}",
                    line=number,
                    code="answer_not_a_choice",
                    question=question.name,
                )
                question = None
                continue
            question.choices[index].fraction = Decimal(1)
            result.questions.append(question)
            check_question(question, result, line=question.line)
            question = None
        else:
            if question is not None:
                result.error(
                    "Question not completed before next question start on line "
                    f"{number}",
                    line=number,
                    code="question_not_completed",
                    question=question.name,
                )
            question = _new_question(line, number)
    if question is not None:
        result.error(
            "Question not completed at the end of the file (no ANSWER: line)",
            line=question.line,
            code="question_not_completed",
            question=question.name,
        )
    return result
