"""The Excel question template: import, export, and the blank template.

Columns (headers are matched after full-width folding and without spaces or "*";
the first column that matches a name wins, unknown columns such as 干扰列 are
ignored):

=============  ===================================================================
题型 *          单选/单选题/单项选择题 · 多选/多选题/多项选择题/不定项选择题 ·
               判断/判断题/是非题 · 填空/填空题 · 简答/简答题/问答题/论述题
题干 *          the stem; HTML (``<p>``, ``<img>`` …) stays HTML, other text is plain
选项A … 选项H   the options, in order and without gaps (also headed just A … H)
答案            单选/多选: letters — "A", "AC", "A,C", "A、C", "a c", "ＡＣ";
 (正确答案)     判断: 对/错, 正确/错误, √/×, T/F, true/false, 是/否, Y/N (or the letter
               of an option reading 正确/错误); 填空: see below; 简答: the reference
               answer (optional)
解析            the explanation shown after answering
难度            1–5, or 简单(1) 较易(2) 中等(3) 较难(4) 困难(5); also 易/低/低难度,
               中/一般/中难度, 难/高/高难度
分值            a positive number (a trailing 分 is allowed); blank = the bank's default
知识点          free text
分类            the category path, levels separated by "/" or ">" (escape as \\/)
标签            separated by , ， 、 ; ； | or spaces
关键词          简答: the scoring keywords (same separators); other types: more tags
 (关键字)
选项乱序        是/否 (also 对/错, Y/N): whether options may be shuffled
=============  ===================================================================

填空 answers: blanks are separated by "|" or ";" (full-width ｜ ； too), and the
accepted alternatives of one blank by "/"; write ``\\|``, ``\\;``, ``\\/`` for a
literal one. "北京|长江/扬子江" is two blanks, the second accepting two answers.
When the stem marks its blanks (``____`` or empty brackets ``（ ）``), their number
must match the answer's.

A 多选's right options share the mark equally (1/n, as Moodle's fraction list has
it) and wrong ones get 0; how a wrong pick is penalised is the exam's scoring rule,
not something the sheet says.

Every problem is an error naming the row and the column; a sheet with any error
imports nothing (``ParseResult.to_import`` is empty). Things worth a look that are
not wrong (an Excel error value such as ``#VALUE!`` as an option, two identical
options, a 多选 with one right answer) are warnings.

The magicodes_ie bank layout (干扰列 | 题干 | 题型 | 难度 | 正确答案 | A … H |
选项是否支持乱序 | 解析 | 知识点 | 关键字) and ExamStack's template (题目, 类型, 答案,
选项A…F, 分值, 难度, 所属知识点 …) are read through the same header names.
"""

import io
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.utils.translation import gettext as _
from openpyxl.cell.cell import Cell

from org.services.excel import (
    Column,
    SheetError,
    SheetRow,
    build_workbook,
    read_rows,
)

from ._moodle import CategoryTracker, decimal, default_question_name, match_grade
from .text import (
    clean_cell,
    clean_text,
    escape_separators,
    fold_width,
    looks_like_html,
    split_escaped,
)
from .types import ParsedChoice, ParsedQuestion, ParseResult, QuestionType

FORMAT = "xlsx"
LETTERS = "ABCDEFGH"

TYPE_WORDS: dict[str, QuestionType] = {}
for _type, _words in {
    QuestionType.SINGLE: "单选 单选题 单项选择 单项选择题 single",
    QuestionType.MULTIPLE: "多选 多选题 多项选择 多项选择题 不定项 不定项选择 "
    "不定项选择题 multiple",
    QuestionType.TRUEFALSE: "判断 判断题 是非题 truefalse",
    QuestionType.BLANK: "填空 填空题 blank",
    QuestionType.ESSAY: "简答 简答题 问答 问答题 论述题 essay",
}.items():
    TYPE_WORDS.update(dict.fromkeys(_words.split(), _type))

TYPE_EXPORT = {
    QuestionType.SINGLE: "单选题",
    QuestionType.MULTIPLE: "多选题",
    QuestionType.TRUEFALSE: "判断题",
    QuestionType.BLANK: "填空题",
    QuestionType.ESSAY: "简答题",
}

TRUE_WORDS = frozenset("对 正确 √ ✓ ✔ 是 T TRUE Y YES".split())
FALSE_WORDS = frozenset("错 错误 × ✗ ✘ X 否 F FALSE N NO".split())

DIFFICULTY_WORDS = {
    **dict.fromkeys("简单 容易 易 低 低难度 很简单 1".split(), 1),
    **dict.fromkeys("较易 较简单 较低 2".split(), 2),
    **dict.fromkeys("中等 中 一般 适中 中难度 3".split(), 3),
    **dict.fromkeys("较难 较高 4".split(), 4),
    **dict.fromkeys("困难 难 高 高难度 很难 5".split(), 5),
}
DIFFICULTY_EXPORT = {1: "简单", 2: "较易", 3: "中等", 4: "较难", 5: "困难"}

_EXCEL_ERRORS = frozenset(
    "#VALUE! #N/A #REF! #DIV/0! #NAME? #NULL! #NUM! #GETTING_DATA".split()
)
_LIST_SEPARATORS = re.compile(r"[,、;|\s]+")
_BLANK_MARKERS = re.compile(r"_{3,}|[（(][\s\u3000]*[）)]")
_SEPARATOR_WIDTH = str.maketrans({"｜": "|", "；": ";", "／": "/", "＞": ">"})


def _option_aliases(letter: str) -> tuple[str, ...]:
    return (letter, letter.lower(), f"选项{letter.lower()}", f"{letter}选项")


COLUMNS: list[Column] = [
    Column(
        "type",
        "题型",
        required=True,
        aliases=("类型", "题目类型", "试题类型"),
        choices=tuple(TYPE_EXPORT.values()),
        width=10,
    ),
    Column(
        "stem",
        "题干",
        required=True,
        aliases=("题目", "题目内容", "试题内容", "试题", "问题"),
        width=50,
    ),
    *(
        Column(f"option_{letter}", f"选项{letter}", aliases=_option_aliases(letter))
        for letter in LETTERS
    ),
    Column(
        "answer",
        "答案",
        aliases=("正确答案", "标准答案", "参考答案"),
        width=16,
    ),
    Column(
        "explanation", "解析", aliases=("答案解析", "试题解析", "题目解析"), width=30
    ),
    Column(
        "difficulty",
        "难度",
        aliases=("难易度", "难易程度", "难度系数"),
        choices=tuple(DIFFICULTY_EXPORT.values()),
        width=8,
    ),
    Column("score", "分值", aliases=("分数", "默认分值"), width=8),
    Column("knowledge_point", "知识点", aliases=("所属知识点",), width=16),
    Column(
        "category",
        "分类",
        aliases=("题目分类", "试题分类", "所属分类", "题库分类"),
        width=20,
    ),
    Column("tags", "标签", aliases=("题目标签",), width=16),
    Column(
        "keywords", "关键词", aliases=("关键字", "评分关键词", "得分关键词"), width=16
    ),
    Column(
        "shuffle",
        "选项乱序",
        aliases=("乱序", "选项是否支持乱序", "是否乱序"),
        choices=("是", "否"),
        width=10,
    ),
]
_BY_KEY = {c.key: c for c in COLUMNS}


class XlsxExportError(ValueError):
    """A question the template cannot express (more than 8 options)."""


class _Row:
    """One sheet row being read: cell access plus errors tied to its columns."""

    def __init__(self, sheet_row: SheetRow, result: ParseResult):
        self.sheet_row = sheet_row
        self.result = result
        self.failed = False

    @property
    def number(self) -> int:
        return self.sheet_row.number

    def raw(self, key: str):
        return self.sheet_row.values.get(key)

    def cell(self, key: str) -> str:
        return clean_cell(self.raw(key))

    def text(self, key: str) -> str:
        return clean_text(self.raw(key))

    def column(self, key: str) -> str:
        return self.sheet_row.letters.get(key, _BY_KEY[key].header)

    def error(self, key: str, message: str, code: str) -> None:
        self.failed = True
        self.result.error(message, row=self.number, column=self.column(key), code=code)

    def warn(self, key: str, message: str, code: str) -> None:
        self.result.warn(message, row=self.number, column=self.column(key), code=code)


def _words(text: str) -> list[str]:
    seen: dict[str, None] = {}
    for word in _LIST_SEPARATORS.split(fold_width(text)):
        if word:
            seen.setdefault(word)
    return list(seen)


def _letters(answer: str) -> list[str] | None:
    """Option letters: "A,C", "A、C", "ａｃ", "AC" → ["A", "C"]; None if not letters."""
    compact = re.sub(r"[\s,、;|/和及与]+", "", fold_width(answer)).upper()
    if not compact or not re.fullmatch(r"[A-Z]+", compact):
        return None
    return list(compact)


def _truth(word: str) -> bool | None:
    key = fold_width(word).strip().upper()
    if key in TRUE_WORDS:
        return True
    if key in FALSE_WORDS:
        return False
    return None


def _read_options(row: _Row) -> list[str]:
    options = [row.text(f"option_{letter}") for letter in LETTERS]
    last = max((i for i, text in enumerate(options) if text), default=-1)
    for index in range(last):
        if not options[index]:
            row.error(
                f"option_{LETTERS[index]}",
                _("Option %(letter)s is empty but a later option is filled in.")
                % {"letter": LETTERS[index]},
                "option_gap",
            )
    return options[: last + 1]


def _choice_question(row: _Row, question: ParsedQuestion, options: list[str]) -> None:
    if len(options) < 2:
        row.error(
            "option_B" if options else "option_A",
            _("A choice question needs at least two options."),
            "too_few_options",
        )
        return
    for index, text in enumerate(options):
        if text.upper() in _EXCEL_ERRORS:
            row.warn(
                f"option_{LETTERS[index]}",
                _("The option is the Excel error value “%(value)s”.") % {"value": text},
                "excel_error_value",
            )
    if len(set(options)) < len(options):
        row.warn("option_A", _("Two options have the same text."), "duplicate_options")
    answer = row.cell("answer")
    if not answer:
        row.error("answer", _("The answer is empty."), "no_answer")
        return
    letters = _letters(answer)
    if letters is None:
        row.error(
            "answer",
            _("“%(value)s” is not a list of option letters (such as A or AC).")
            % {"value": answer},
            "bad_answer",
        )
        return
    for letter in letters:
        if letter not in LETTERS[: len(options)]:
            row.error(
                "answer",
                _("The answer %(letter)s is not one of the options A–%(last)s.")
                % {"letter": letter, "last": LETTERS[len(options) - 1]},
                "answer_not_an_option",
            )
            return
    correct = sorted(set(letters))
    if question.type == QuestionType.SINGLE and len(correct) != 1:
        row.error(
            "answer",
            _("A 单选 question has exactly one answer, not “%(value)s”.")
            % {"value": answer},
            "single_needs_one",
        )
        return
    if question.type == QuestionType.MULTIPLE and len(correct) == 1:
        row.warn("answer", _("This 多选 question has only one right answer."), "one")
    share = match_grade(Decimal(1) / len(correct))
    for index, text in enumerate(options):
        right = LETTERS[index] in correct
        question.choices.append(
            ParsedChoice(
                text=text,
                fraction=share if right else Decimal(0),
                format="html" if looks_like_html(text) else "plain",
            )
        )


def _truefalse_question(row: _Row, question: ParsedQuestion, options: list[str]):
    answer = row.cell("answer")
    truth = _truth(answer) if answer else None
    letters = _letters(answer) if truth is None and answer else None
    if truth is None and letters and len(letters) == 1:
        # 判断 written as two options 正确/错误 and the answer letter.
        index = ord(letters[0]) - ord("A")
        if index < len(options):
            truth = _truth(options[index])
    if truth is None:
        row.error(
            "answer",
            _("“%(value)s” is not a 判断 answer (对/错, 正确/错误, √/×, T/F).")
            % {"value": answer},
            "bad_truefalse",
        )
        return
    question.correct = truth


def _blank_question(row: _Row, question: ParsedQuestion) -> None:
    answer = row.text("answer").translate(_SEPARATOR_WIDTH)
    if not answer:
        row.error("answer", _("The answer is empty."), "no_answer")
        return
    blanks = []
    groups = split_escaped(answer, "|;", escapable="/", unescape=False)
    for number, group in enumerate(groups, start=1):
        alternatives = [
            a.strip() for a in split_escaped(group, "/", escapable="|;") if a.strip()
        ]
        if not alternatives:
            row.error(
                "answer",
                _("Blank %(number)s has no answer.") % {"number": number},
                "empty_blank",
            )
            return
        blanks.append(
            [
                ParsedChoice(text=a, fraction=Decimal(1), format="plain")
                for a in alternatives
            ]
        )
    markers = len(_BLANK_MARKERS.findall(question.stem))
    if markers and markers != len(blanks):
        row.error(
            "answer",
            _("The stem has %(markers)s blanks but the answer fills %(blanks)s.")
            % {"markers": markers, "blanks": len(blanks)},
            "blank_count",
        )
        return
    if not markers:
        row.warn(
            "stem",
            _("The stem does not mark where the blanks are (____ or （ ）)."),
            "no_blank_marker",
        )
    question.blanks = blanks


def _difficulty(row: _Row) -> int | None:
    text = row.cell("difficulty").replace(" ", "")
    if not text:
        return None
    value = DIFFICULTY_WORDS.get(text)
    if value is None:
        row.error(
            "difficulty",
            _("Unknown difficulty “%(value)s” (use 1–5 or 简单/中等/困难).")
            % {"value": text},
            "bad_difficulty",
        )
    return value


def _score(row: _Row) -> Decimal | None:
    text = row.cell("score").removesuffix("分").strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value <= 0:
        row.error(
            "score",
            _("The score must be a positive number, not “%(value)s”.")
            % {"value": text},
            "bad_score",
        )
        return None
    return decimal(value)


def _shuffle(row: _Row) -> bool | None:
    text = row.cell("shuffle")
    if not text:
        return None
    value = _truth(text)
    if value is None:
        row.error(
            "shuffle",
            _("“%(value)s” is not 是 or 否.") % {"value": text},
            "bad_shuffle",
        )
    return value


def _category(row: _Row) -> list[str]:
    text = row.cell("category").translate(_SEPARATOR_WIDTH)
    return [part.strip() for part in split_escaped(text, "/>") if part.strip()]


def _parse_row(sheet_row: SheetRow, result: ParseResult) -> None:
    row = _Row(sheet_row, result)
    type_text = row.cell("type").replace(" ", "")
    qtype = TYPE_WORDS.get(type_text.lower()) or TYPE_WORDS.get(type_text)
    if not type_text:
        row.error("type", _("The question type is empty."), "no_type")
    elif qtype is None:
        row.error(
            "type",
            _("Unknown question type “%(value)s”.") % {"value": type_text},
            "bad_type",
        )
    stem = row.text("stem")
    if not stem:
        row.error("stem", _("The stem is empty."), "no_stem")
    explanation = row.text("explanation")
    question = ParsedQuestion(
        type=qtype or QuestionType.SINGLE,
        stem=stem,
        stem_format="html" if looks_like_html(stem) else "plain",
        name=default_question_name(stem) if stem else "",
        explanation=explanation,
        explanation_format="html" if looks_like_html(explanation) else "plain",
        difficulty=_difficulty(row),
        default_score=_score(row),
        knowledge_point=row.cell("knowledge_point"),
        category=_category(row),
        tags=_words(row.cell("tags")),
        shuffle=_shuffle(row),
        source_type=type_text,
        row=row.number,
    )
    keywords = _words(row.cell("keywords"))
    if qtype is None or not stem:
        return
    if qtype in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        _choice_question(row, question, _read_options(row))
    elif qtype == QuestionType.TRUEFALSE:
        _truefalse_question(row, question, _read_options(row))
    elif qtype == QuestionType.BLANK:
        _blank_question(row, question)
    else:
        reference = row.text("answer")
        question.reference_answer = reference
        question.reference_answer_format = (
            "html" if looks_like_html(reference) else "plain"
        )
    if qtype == QuestionType.ESSAY:
        question.keywords = keywords
    else:
        question.tags += [k for k in keywords if k not in question.tags]
    if not row.failed:
        result.questions.append(question)


def parse_xlsx(source: bytes | Path) -> ParseResult:
    """Read the question sheet (the first one) of an .xlsx file."""
    result = ParseResult(format=FORMAT)
    data = source.read_bytes() if isinstance(source, Path) else source
    try:
        rows = read_rows(io.BytesIO(data), COLUMNS)
    except SheetError as exc:
        result.error(str(exc), code="bad_sheet")
        return result
    except Exception:  # a damaged workbook is bad content: report it, don't raise
        result.error(
            _("This Excel file is damaged and cannot be read."), code="bad_sheet"
        )
        return result
    if not rows:
        result.error(_("The sheet has no data rows."), code="no_rows")
        return result
    for sheet_row in rows:
        _parse_row(sheet_row, result)
    categories = CategoryTracker(result)
    for question in result.questions:
        if question.category:
            categories.declare(question.category, line=None)
    return result


# ---------------------------------------------------------------------- export

_NOTES = [
    "题型：单选题、多选题、判断题、填空题、简答题。",
    "答案：单选/多选填选项字母，如 A 或 AC（也可写 A,C 或 A、C）；判断填 对 或 错；"
    "简答填参考答案。",
    "填空：多个空之间用 | 或 ；分隔，同一空的多个可接受答案用 / 分隔，"
    "如 “北京|长江/扬子江”；答案中本身含 | ； / 时在前面加 \\。"
    "题干中用 ____ 或（ ）标出空的位置，个数须与答案一致。",
    "难度：1–5，或 简单、较易、中等、较难、困难。分值：正数，留空则用题库默认分值。",
    "分类：多级分类用 / 分隔，如 党章/总纲。标签、关键词：用逗号或顿号分隔；"
    "关键词用于简答题评分。",
    "任何一行有错误时整个文件都不会导入，请按错误提示的行号和列修改后重新导入。",
]


def _literal(value):
    """Text starting with "=" would be written as a formula (and read back empty):
    hand openpyxl a cell that is explicitly a string."""
    if isinstance(value, str) and value.startswith("="):
        cell = Cell(None, value=value)
        cell.data_type = "s"
        return cell
    return value


def _export_row(question: ParsedQuestion) -> list:
    if len(question.choices) > len(LETTERS):
        raise XlsxExportError(
            f"“{question.name or question.stem[:20]}” has {len(question.choices)} "
            f"options; the template holds {len(LETTERS)}."
        )
    options = [c.text for c in question.choices]
    options += [""] * (len(LETTERS) - len(options))
    if question.type == QuestionType.SINGLE:
        answer = "".join(
            LETTERS[i] for i, c in enumerate(question.choices) if c.fraction == 1
        )
    elif question.type == QuestionType.MULTIPLE:
        answer = question.correct_letters
    elif question.type == QuestionType.TRUEFALSE:
        answer = "对" if question.correct else "错"
    elif question.type == QuestionType.BLANK:
        # Partial-credit answers have no place in the template: only the answers
        # worth full marks are written.
        answer = "|".join(
            "/".join(escape_separators(a.text, "|;/") for a in blank if a.fraction == 1)
            for blank in question.blanks
        )
    else:
        answer = question.reference_answer
    keywords = question.keywords if question.type == QuestionType.ESSAY else []
    return [
        TYPE_EXPORT[question.type],
        question.stem,
        *options,
        answer,
        question.explanation,
        question.difficulty or "",
        question.default_score if question.default_score is not None else "",
        question.knowledge_point,
        "/".join(escape_separators(name, "/>") for name in question.category),
        ",".join(question.tags),
        ",".join(keywords),
        "" if question.shuffle is None else ("是" if question.shuffle else "否"),
    ]


def questions_to_xlsx(questions: list[ParsedQuestion]) -> bytes:
    """The questions in the import template, so the file imports again as is.

    What the template cannot hold is left out: per-option feedback, partial credit,
    Moodle's combined feedback, hints and attachments. Raises XlsxExportError for a
    question with more than eight options.
    """
    rows = [[_literal(value) for value in _export_row(q)] for q in questions]
    return build_workbook(COLUMNS, rows, title="题库", notes=_NOTES)


def template_xlsx() -> bytes:
    """The empty template, with one example row per question type."""
    examples = [
        ParsedQuestion(
            type=QuestionType.SINGLE,
            stem="中国共产党的最高理想和最终目标是（ ）。",
            choices=[
                ParsedChoice("实现共产主义", Decimal(1)),
                ParsedChoice("全面建成小康社会"),
                ParsedChoice("实现中华民族伟大复兴"),
                ParsedChoice("建设社会主义现代化强国"),
            ],
            explanation="见《中国共产党章程》总纲。",
            difficulty=1,
            default_score=Decimal(2),
            knowledge_point="党章总纲",
            category=["党章"],
            tags=["党章"],
        ),
        ParsedQuestion(
            type=QuestionType.TRUEFALSE,
            stem="党员每年集中学习培训时间一般不少于32学时。",
            correct=True,
            difficulty=2,
            category=["党规"],
        ),
        ParsedQuestion(
            type=QuestionType.BLANK,
            stem="党的根本宗旨是____。",
            blanks=[[ParsedChoice("全心全意为人民服务", Decimal(1))]],
            difficulty=1,
            category=["党章"],
        ),
    ]
    return questions_to_xlsx(examples)
