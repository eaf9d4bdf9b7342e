"""Rules shared by the GIFT, Moodle XML and Aiken importers, as Moodle applies them.

Sources (Moodle 4.5): ``question/format.php`` (``qformat_default``: ``importprocess``,
``create_category_path``, ``split_category_path``, ``clean_question_name``),
``lib/questionlib.php`` (``match_grade_options``), ``question_bank::
fraction_options_full`` and the multichoice/shortanswer sanity checks on grades.
"""

import re
from decimal import Decimal, InvalidOperation

from .text import collapse_spaces, strip_tags
from .types import ParsedCategory, ParsedQuestion, ParseResult, QuestionType

_RAW_FRACTIONS = [
    "0.9",
    "0.8333333",
    "0.8",
    "0.75",
    "0.7",
    "0.6666667",
    "0.6",
    "0.5",
    "0.4",
    "0.3333333",
    "0.3",
    "0.25",
    "0.2",
    "0.1666667",
    "0.1428571",
    "0.125",
    "0.1111111",
    "0.1",
    "0.05",
]
# question_bank::fraction_options_full(): 1, the list above, 0 and their negatives.
FRACTION_OPTIONS: tuple[Decimal, ...] = tuple(
    [Decimal(1), *(Decimal(f) for f in _RAW_FRACTIONS), Decimal(0)]
    + [-Decimal(f) for f in reversed(_RAW_FRACTIONS)]
    + [Decimal(-1)]
)
_GRADE_TOLERANCE = Decimal("0.00001")

DEFAULT_PENALTY = Decimal("0.3333333")
DEFAULT_QUESTION_NAME = "Question name"  # get_string('questionname', 'question')


def decimal(text, default: Decimal | None = None) -> Decimal | None:
    """A number from the file, without trailing zeros (1.0000000 → 1)."""
    try:
        value = Decimal(str(text).strip())
    except (InvalidOperation, ValueError):
        return default
    if not value.is_finite():
        return default
    try:
        if value == value.to_integral_value():
            return value.quantize(Decimal(1))
    except InvalidOperation:  # too many digits to write without an exponent
        pass
    return value.normalize()


def match_grade(fraction: Decimal) -> Decimal | None:
    """match_grade_options(…, 'error'): the allowed grade within 0.00001, or None."""
    for option in FRACTION_OPTIONS:
        if abs(fraction - option) < _GRADE_TOLERANCE:
            return option
    return None


def _fractions(question: ParsedQuestion) -> list:
    if question.type in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        return question.choices
    if question.type == QuestionType.BLANK:
        return [answer for blank in question.blanks for answer in blank]
    return []


def _percent(value: Decimal) -> str:
    return format((value * 100).normalize(), "f")


def check_question(
    question: ParsedQuestion, result: ParseResult, *, line: int | None
) -> bool:
    """Moodle's import-time checks on grades. Adds errors; False if any failed.

    The question stays in ``result.questions`` either way (it was read completely);
    the error is what stops the file from importing, as in Moodle's importprocess.

    1. Every fraction must be one of the allowed grades (importprocess with
       matchgrades = 'error'); valid ones are snapped to the exact option.
    2. A single-answer multichoice needs a 100 % choice, a multi-answer one
       positive grades adding up to 100 %, a shortanswer a 100 % answer.
    """
    items = _fractions(question)
    invalid = []
    for item in items:
        snapped = match_grade(item.fraction)
        if snapped is None:
            invalid.append(item.fraction)
        else:
            item.fraction = snapped
    if invalid:
        grades = ", ".join(format(f.normalize(), "f") for f in invalid)
        result.error(
            f"Grades ({grades}) do not match grade options - question "
            f"'{question.name}' skipped.",
            line=line,
            code="invalid_grade",
            question=question.name,
        )
        return False
    if not items:
        return True
    best = max(item.fraction for item in items)
    if question.type == QuestionType.MULTIPLE:
        total = sum((i.fraction for i in items if i.fraction > 0), Decimal(0))
        total = total.quantize(Decimal("0.01"))
        if total != 1:
            result.error(
                "The positive grades you have chosen do not add up to 100%. "
                f"Instead, they add up to {_percent(total)}%",
                line=line,
                code="fractions_add_wrong",
                question=question.name,
            )
            return False
    elif best != 1:
        message = (
            "One of the choices should be 100%, so that it is possible to get a "
            "full grade for this question."
            if question.type == QuestionType.SINGLE
            else "One of the answers should have a score of 100% so it is possible "
            "to get full marks for this question."
        )
        result.error(
            message, line=line, code="fractions_no_max", question=question.name
        )
        return False
    return True


def clean_question_name(name: str) -> str:
    """clean_question_name(): tags stripped (PARAM_TEXT), trimmed, ≤ 255 chars."""
    name = strip_tags(name).strip()
    return name[:255]


def default_question_name(text: str) -> str:
    """create_default_question_name(): the opening words of the text, ≤ 80 chars."""
    plain = collapse_spaces(strip_tags(text))
    if len(plain) > 80:
        cut = plain[:80]
        space = cut.rfind(" ")
        plain = (cut[:space] if space > 40 else cut) + "..."
    return clean_question_name(plain) or DEFAULT_QUESTION_NAME


def split_category_path(path: str) -> list[str]:
    """Category names from "$course$/top/Alpha/Be//ta": ["Alpha", "Be/ta"].

    Names are split on single slashes ("//" is a slash inside a name); the
    context token ($course$, $system$ …) and Moodle's "top" root are dropped,
    as create_category_path() does.
    """
    names = [
        collapse_spaces(strip_tags(raw.replace("//", "/")))
        for raw in re.split(r"(?<!/)/(?!/)", path.strip())
    ]
    if names and re.fullmatch(r"\$[a-z]+\$", names[0]):
        names.pop(0)
    while names and names[0] == "top":
        names.pop(0)
    return [n for n in names if n]


def assemble_category_path(names: list[str]) -> str:
    return "/".join(name.replace("/", "//") for name in names)


class CategoryTracker:
    """create_category_path(): categories as a file creates them, in order.

    A category named in a path but not declared yet is created without info; when
    its own declaration comes later (a child before its parent), the info, format
    and idnumber are filled in then — what Moodle does for categories_reverse_order.
    """

    def __init__(self, result: ParseResult):
        self.result = result
        self.by_path: dict[tuple[str, ...], ParsedCategory] = {}
        self.current: list[str] = []

    def declare(
        self,
        path: list[str],
        *,
        info: str = "",
        info_format: str = "moodle",
        idnumber: str = "",
        line: int | None = None,
    ) -> None:
        for depth in range(1, len(path) + 1):
            key = tuple(path[:depth])
            last = depth == len(path)
            category = self.by_path.get(key)
            if category is None:
                category = ParsedCategory(path=list(key), line=line)
                if last:
                    category.info, category.idnumber = info, idnumber
                    if info:
                        category.info_format = info_format
                self.by_path[key] = category
                self.result.categories.append(category)
            elif last:
                if info and not category.info:
                    category.info, category.info_format = info, info_format
                if idnumber and not category.idnumber:
                    category.idnumber = idnumber
        self.current = list(path)


def utf8_text(data: bytes, result: ParseResult, *, format_name: str) -> str | None:
    """The file as text, or None (with Moodle's error) when it is not UTF-8."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        result.error(
            "The file you selected does not use UTF-8 character encoding. "
            f"{format_name} format files must use UTF-8.",
            code="not_utf8",
        )
        return None
    return text.removeprefix("\ufeff")
