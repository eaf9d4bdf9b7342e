"""What every importer produces: parsed questions, not yet model instances.

The parsers (GIFT, Moodle XML, Aiken, the Excel template) never raise for bad
content; they return a ``ParseResult`` whose ``errors`` say what is wrong and where.
A result with any error imports nothing (Moodle's "stop on error", and our rule for
Excel): callers take ``result.to_import``, which is empty unless ``result.ok``.
``result.questions`` lists every question that was read completely — including one
that then failed a check such as Moodle's grade rules — so a preview can show it
next to its error; an Excel row with an error is not listed.

Fractions are Moodle's: the share of the mark a choice or an accepted answer earns,
as a ``Decimal`` from -1 to 1 (0.5 = 50 %). A choice is *correct* when its fraction
is positive.
"""

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

# Moodle's text-format codes (FORMAT_MOODLE, FORMAT_HTML, …) and our names for them.
MOODLE_FORMATS: dict[int, str] = {
    0: "moodle",
    1: "html",
    2: "plain",
    3: "wiki",
    4: "markdown",
}
TEXT_FORMATS = tuple(MOODLE_FORMATS.values())


class QuestionType(StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    TRUEFALSE = "truefalse"
    BLANK = "blank"
    ESSAY = "essay"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    QuestionType.SINGLE: "单选",
    QuestionType.MULTIPLE: "多选",
    QuestionType.TRUEFALSE: "判断",
    QuestionType.BLANK: "填空",
    QuestionType.ESSAY: "简答",
}


@dataclass(frozen=True)
class RichText:
    text: str = ""
    format: str = "html"


@dataclass
class ParsedChoice:
    """An option of a 单选/多选, or one accepted answer of a 填空 blank."""

    text: str
    fraction: Decimal = Decimal(0)
    feedback: str = ""
    format: str = "html"
    feedback_format: str = "html"

    @property
    def is_correct(self) -> bool:
        return self.fraction > 0


@dataclass(frozen=True)
class ParsedHint:
    text: str
    format: str = "html"
    clear_wrong: bool = False
    show_num_correct: bool = False


@dataclass
class ParsedQuestion:
    type: QuestionType
    stem: str
    stem_format: str = "html"
    name: str = ""
    # 单选/多选: the options in order (A, B, C …).
    choices: list[ParsedChoice] = field(default_factory=list)
    # 填空: one list per blank, each holding the accepted answers (with fractions;
    # the answer "*" is Moodle's catch-all).
    blanks: list[list[ParsedChoice]] = field(default_factory=list)
    case_sensitive: bool = False
    # 判断
    correct: bool | None = None
    feedback_true: RichText | None = None
    feedback_false: RichText | None = None
    # Moodle's combined feedback for choice questions.
    correct_feedback: RichText | None = None
    partially_correct_feedback: RichText | None = None
    incorrect_feedback: RichText | None = None
    show_num_correct: bool = False
    shuffle: bool | None = None
    numbering: str = ""
    # 解析 (Moodle's general feedback).
    explanation: str = ""
    explanation_format: str = "html"
    # 简答: the reference answer (Moodle's grader information) and scoring keywords.
    reference_answer: str = ""
    reference_answer_format: str = "html"
    keywords: list[str] = field(default_factory=list)
    difficulty: int | None = None  # 1 (easiest) … 5
    default_score: Decimal | None = None
    penalty: Decimal | None = None
    knowledge_point: str = ""
    tags: list[str] = field(default_factory=list)
    idnumber: str = ""
    category: list[str] = field(default_factory=list)  # path below the bank root
    hints: list[ParsedHint] = field(default_factory=list)
    attachments: dict[str, bytes] = field(default_factory=dict)
    source_type: str = ""  # as written in the file: "multichoice", "单选题" …
    line: int | None = None
    row: int | None = None

    @property
    def correct_letters(self) -> str:
        """The right options' letters: "AC" when the first and third are right."""
        return "".join(
            chr(ord("A") + i) for i, c in enumerate(self.choices) if c.is_correct
        )


@dataclass
class ParsedCategory:
    """A question category, as Moodle's XML and GIFT files declare them."""

    path: list[str]  # names from the bank root down, without Moodle's "top"
    info: str = ""
    info_format: str = "moodle"
    idnumber: str = ""
    line: int | None = None

    @property
    def name(self) -> str:
        return self.path[-1]

    @property
    def parent(self) -> str:
        """The parent's name; "top" (Moodle's root category) for the first level."""
        return self.path[-2] if len(self.path) > 1 else "top"


@dataclass
class ParseError:
    message: str
    line: int | None = None
    row: int | None = None
    column: str = ""
    code: str = ""
    question: str = ""  # the question's name or opening words, when known

    def __str__(self) -> str:
        where = []
        if self.line:
            where.append(f"line {self.line}")
        if self.row:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        prefix = ", ".join(where)
        if self.question:
            prefix = f"{prefix} ({self.question})" if prefix else self.question
        return f"{prefix}: {self.message}" if prefix else self.message


@dataclass
class UnsupportedQuestion:
    """A record of a question type we do not import (matching, numerical, cloze …)."""

    moodle_type: str
    line: int | None = None
    name: str = ""

    @property
    def message(self) -> str:
        return f"unsupported question type: {self.moodle_type}"

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else ""
        if self.name:
            where = f"{where} ({self.name})" if where else self.name
        return f"{where}: {self.message}" if where else self.message


@dataclass
class ParseResult:
    format: str
    questions: list[ParsedQuestion] = field(default_factory=list)
    errors: list[ParseError] = field(default_factory=list)
    warnings: list[ParseError] = field(default_factory=list)
    categories: list[ParsedCategory] = field(default_factory=list)
    unsupported: list[UnsupportedQuestion] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def to_import(self) -> list[ParsedQuestion]:
        """The questions to save: none at all when the file has any error."""
        return self.questions if self.ok else []

    @property
    def nothing_to_import(self) -> bool:
        return not self.to_import

    def counts(self) -> dict[QuestionType, int]:
        """Parsed questions per type, in QuestionType order."""
        counter = Counter(q.type for q in self.questions)
        return {t: counter[t] for t in QuestionType if counter[t]}

    def error(self, message: str, **where) -> ParseError:
        error = ParseError(message, **where)
        self.errors.append(error)
        return error

    def warn(self, message: str, **where) -> ParseError:
        warning = ParseError(message, **where)
        self.warnings.append(warning)
        return warning
