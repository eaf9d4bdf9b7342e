import io
from collections import Counter
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from exams.importers.gift import parse_gift, questions_to_gift
from exams.importers.types import ParsedChoice, ParsedQuestion, QuestionType
from exams.importers.xlsx import (
    XlsxExportError,
    parse_xlsx,
    questions_to_xlsx,
    template_xlsx,
)

MAGICODES = "question_banks_zh/magicodes_ie/题库导入模板.xlsx"
HEADER = ["题型", "题干", "选项A", "选项B", "选项C", "选项D", "答案", "解析"]
HEADER += ["难度", "分值", "知识点", "分类", "标签", "关键词"]


def _sheet(rows: list[list], header: list[str] | None = None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header or HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _row(type_, stem, options=(), answer="", **extra) -> list:
    options = [*options, "", "", "", ""][:4]
    return [
        type_,
        stem,
        *options,
        answer,
        extra.get("explanation", ""),
        extra.get("difficulty", ""),
        extra.get("score", ""),
        extra.get("knowledge_point", ""),
        extra.get("category", ""),
        extra.get("tags", ""),
        extra.get("keywords", ""),
    ]


def _one(row: list):
    result = parse_xlsx(_sheet([row]))
    assert result.ok, [str(e) for e in result.errors]
    (question,) = result.questions
    return question


def _errors(rows: list[list]) -> list[tuple]:
    result = parse_xlsx(_sheet(rows))
    assert result.to_import == []
    return [(e.row, e.column, e.code) for e in result.errors]


# --- the real banks -----------------------------------------------------------


def test_magicodes_bank_imports_all_404_questions_without_errors(corpus):
    result = parse_xlsx((corpus / MAGICODES).read_bytes())

    assert result.errors == []
    assert len(result.to_import) == 404
    assert result.counts() == {QuestionType.SINGLE: 404}
    assert Counter(q.difficulty for q in result.questions) == {3: 196, 5: 159, 1: 49}
    assert Counter(len(q.choices) for q in result.questions) == {4: 388, 3: 16}
    assert all(len(q.correct_letters) == 1 for q in result.questions)


def test_magicodes_bank_rows_keep_their_content(corpus):
    result = parse_xlsx((corpus / MAGICODES).read_bytes())

    first = result.questions[0]
    assert first.row == 2
    assert first.stem == "零件图的幅面是（ ）号图纸。"
    assert [c.text for c in first.choices] == ["A0", "A1", "A3", "A4"]  # trailing " "
    assert first.correct_letters == "D"
    assert first.explanation == "了解零件图的规格"
    assert first.tags == ["幅面"]  # 关键字, for a 单选, is a tag
    assert first.shuffle is True  # 选项是否支持乱序 = 是
    ideographic = next(q for q in result.questions if q.row == 50)
    assert ideographic.stem == "组合体视图中的定位尺寸，指的是物体的（\u3000）尺寸。"


def test_magicodes_bank_quirks_are_warnings(corpus):
    result = parse_xlsx((corpus / MAGICODES).read_bytes())

    assert ("excel_error_value", 177, "选项C（H）") in {
        (w.code, w.row, w.column) for w in result.warnings
    }
    assert {w.code for w in result.warnings} <= {
        "excel_error_value",
        "duplicate_options",
    }


def test_magicodes_bank_round_trips_through_our_template(corpus):
    first = parse_xlsx((corpus / MAGICODES).read_bytes())

    again = parse_xlsx(questions_to_xlsx(first.questions))

    assert again.ok
    assert [_view(q) for q in again.questions] == [_view(q) for q in first.questions]


def test_examstack_template_imports_its_one_sample(corpus):
    path = corpus / "question_banks_zh/examstack/question.xlsx"

    result = parse_xlsx(path.read_bytes())

    assert result.ok
    (question,) = result.questions
    assert question.type == QuestionType.BLANK
    assert [[a.text for a in blank] for blank in question.blanks] == [["5"]]
    assert question.knowledge_point == "安全行车、文明驾驶基础知识"  # 所属知识点
    assert [w.code for w in result.warnings] == ["no_blank_marker"]


# --- tolerance ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "letters"),
    [
        ("AC", "AC"),
        ("A,C", "AC"),
        ("A、C", "AC"),
        ("A，C", "AC"),
        ("a c", "AC"),
        ("ＡＣ", "AC"),
        (" CA ", "AC"),
        ("A;C", "AC"),
    ],
)
def test_choice_answers_in_the_ways_people_write_them(answer, letters):
    question = _one(_row("多选题", "选出", ["甲", "乙", "丙"], answer))

    assert question.correct_letters == letters
    assert [c.fraction for c in question.choices] == [
        Decimal("0.5"),
        0,
        Decimal("0.5"),
    ]


@pytest.mark.parametrize(
    ("word", "truth"),
    [
        ("对", True),
        ("错", False),
        ("正确", True),
        ("错误", False),
        ("√", True),
        ("×", False),
        ("T", True),
        ("f", False),
        ("true", True),
        ("FALSE", False),
        ("是", True),
        ("否", False),
        ("Ｔ", True),
        (" 对 ", True),
    ],
)
def test_truefalse_answers_in_the_ways_people_write_them(word, truth):
    assert _one(_row("判断题", "地球是圆的。", answer=word)).correct is truth


def test_truefalse_answer_can_be_the_letter_of_a_correct_option():
    question = _one(_row("判断", "地球是圆的。", ["正确", "错误"], "B"))

    assert question.correct is False


@pytest.mark.parametrize(
    ("word", "qtype"),
    [
        ("单选", QuestionType.SINGLE),
        ("单选题", QuestionType.SINGLE),
        ("单项选择题", QuestionType.SINGLE),
        ("多选", QuestionType.MULTIPLE),
        ("多选题", QuestionType.MULTIPLE),
        ("不定项选择题", QuestionType.MULTIPLE),
        ("判断", QuestionType.TRUEFALSE),
        ("判断题", QuestionType.TRUEFALSE),
        ("填空", QuestionType.BLANK),
        ("填空题", QuestionType.BLANK),
        ("简答", QuestionType.ESSAY),
        ("简答题", QuestionType.ESSAY),
        ("问答题", QuestionType.ESSAY),
        (" 单选题 ", QuestionType.SINGLE),
    ],
)
def test_question_type_words(word, qtype):
    answers = {
        QuestionType.TRUEFALSE: "对",
        QuestionType.BLANK: "x",
        QuestionType.ESSAY: "",
    }
    question = _one(_row(word, "题目____", ["甲", "乙"], answers.get(qtype, "A")))

    assert question.type == qtype


@pytest.mark.parametrize(
    ("word", "level"),
    [
        ("简单", 1),
        ("较易", 2),
        ("中等", 3),
        ("较难", 4),
        ("困难", 5),
        ("低难度", 1),
        ("中难度", 3),
        ("高难度", 5),
        (3, 3),
        ("5", 5),
        ("", None),
    ],
)
def test_difficulty_words_and_numbers(word, level):
    question = _one(_row("单选", "题", ["甲", "乙"], "A", difficulty=word))

    assert question.difficulty == level


def test_headers_tolerate_spaces_full_width_and_required_marks():
    header = ["题 型*", "题干 ", "选项Ａ", "Ｂ", "答 案", "分值"]
    data = _sheet([["单选题", "  两个空格后的题干  ", "甲 ", "乙", "ｂ", 2.0]], header)

    result = parse_xlsx(data)

    assert result.ok
    (question,) = result.questions
    assert question.stem == "两个空格后的题干"
    assert [c.text for c in question.choices] == ["甲", "乙"]
    assert question.correct_letters == "B"
    assert question.default_score == Decimal(2)


def test_blank_answers_split_into_blanks_and_alternatives():
    question = _one(
        _row("填空题", "首都是____，最长的河是____。", answer="北京｜长江/扬子江")
    )

    assert [[a.text for a in blank] for blank in question.blanks] == [
        ["北京"],
        ["长江", "扬子江"],
    ]
    assert all(a.fraction == 1 for blank in question.blanks for a in blank)


def test_blank_answers_with_semicolons_and_escapes():
    question = _one(_row("填空", "（ ）与（ ）", answer=r"1\/2；km\|h / 千米每小时"))

    assert [[a.text for a in blank] for blank in question.blanks] == [
        ["1/2"],
        ["km|h", "千米每小时"],
    ]


def test_essay_keeps_reference_answer_and_keywords():
    question = _one(
        _row(
            "简答题",
            "简述党的宗旨。",
            answer="全心全意为人民服务。",
            keywords="全心全意，为人民服务、宗旨",
            tags="党章",
        )
    )

    assert question.type == QuestionType.ESSAY
    assert question.reference_answer == "全心全意为人民服务。"
    assert question.keywords == ["全心全意", "为人民服务", "宗旨"]
    assert question.tags == ["党章"]


def test_category_path_knowledge_point_tags_and_score():
    row = _row(
        "单选",
        "题",
        ["甲", "乙"],
        "A",
        category="党章 / 总纲＞第一条",
        knowledge_point=" 党的性质 ",
        tags="党章, 总纲；必考",
        score="2.5分",
        explanation="解析文字",
    )
    question = _one(row)

    assert question.category == ["党章", "总纲", "第一条"]
    assert [(c.name, c.parent) for c in parse_xlsx(_sheet([row])).categories] == [
        ("党章", "top"),
        ("总纲", "党章"),
        ("第一条", "总纲"),
    ]
    assert question.knowledge_point == "党的性质"
    assert question.tags == ["党章", "总纲", "必考"]
    assert question.default_score == Decimal("2.5")
    assert question.explanation == "解析文字"
    assert question.stem_format == "plain"


def test_html_stem_is_kept_as_html():
    question = _one(_row("单选", "<p>看图<img src='a.png'></p>", ["甲", "乙"], "A"))

    assert question.stem_format == "html"


# --- errors -------------------------------------------------------------------


def test_every_error_names_its_row_and_column_and_nothing_imports():
    rows = [
        _row("单选题", "好题", ["甲", "乙"], "A"),
        _row("单选题", "答案越界", ["甲", "乙"], "C"),
        _row("单选题", "两个答案", ["甲", "乙"], "AB"),
        _row("连线题", "未知题型", ["甲", "乙"], "A"),
        _row("单选题", "", ["甲", "乙"], "A"),
        _row("单选题", "缺选项", ["甲", "", "丙"], "A"),
        _row("判断题", "判断", answer="也许"),
        _row("填空题", "____和____", answer="只有一个"),
        _row("单选题", "分值", ["甲", "乙"], "A", score="-1"),
        _row("单选题", "难度", ["甲", "乙"], "A", difficulty="超难"),
        _row("单选题", "没答案", ["甲", "乙"], ""),
        _row("单选题", "一个选项", ["甲"], "A"),
    ]

    assert _errors(rows) == [
        (3, "答案（G）", "answer_not_an_option"),
        (4, "答案（G）", "single_needs_one"),
        (5, "题型（A）", "bad_type"),
        (6, "题干（B）", "no_stem"),
        (7, "选项B（D）", "option_gap"),
        (8, "答案（G）", "bad_truefalse"),
        (9, "答案（G）", "blank_count"),
        (10, "分值（J）", "bad_score"),
        (11, "难度（I）", "bad_difficulty"),
        (12, "答案（G）", "no_answer"),
        (13, "选项B（D）", "too_few_options"),
    ]


def test_one_bad_row_means_nothing_to_import():
    result = parse_xlsx(
        _sheet([_row("单选", "好", ["甲", "乙"], "A"), _row("单选", "坏", ["甲"], "A")])
    )

    assert len(result.questions) == 1  # read, but …
    assert result.to_import == []  # … not imported
    assert result.nothing_to_import
    assert "row 3" in str(result.errors[0])


def test_missing_required_column_is_a_file_error():
    result = parse_xlsx(_sheet([["甲"]], header=["题干"]))

    (error,) = result.errors
    assert error.code == "bad_sheet"
    assert "题型" in error.message


def test_not_an_excel_file_is_an_error():
    result = parse_xlsx(b"this is not a zip")

    assert [e.code for e in result.errors] == ["bad_sheet"]


def test_sheet_without_rows_is_an_error():
    assert [e.code for e in parse_xlsx(_sheet([])).errors] == ["no_rows"]


# --- export ----------------------------------------------------------------------


def _view(q: ParsedQuestion) -> tuple:
    return (
        q.type,
        q.stem,
        q.stem_format,
        [(c.text, c.is_correct) for c in q.choices],
        [[a.text for a in b] for b in q.blanks],
        q.correct,
        q.explanation,
        q.difficulty,
        q.default_score,
        q.knowledge_point,
        q.category,
        q.tags,
        q.keywords,
        q.reference_answer,
        q.shuffle,
    )


TRICKY_ROWS = [
    _row("单选题", "党的最高理想是（ ）。", ["共产主义", "小康", "复兴"], "A"),
    _row("多选题", "选出两项", ["甲", "乙", "丙", "丁"], "BD", difficulty=4),
    _row("判断题", "对吗", answer="错", score=3, category="党规/纪律>处分"),
    _row("填空题", "____，____", answer=r"a\/b|c/d\|e\\f"),
    _row("简答题", "谈体会", answer="参考答案", keywords="体会,认识", tags="t1"),
]


def test_export_round_trips_through_the_importer():
    first = parse_xlsx(_sheet(TRICKY_ROWS))
    assert first.ok, [str(e) for e in first.errors]

    again = parse_xlsx(questions_to_xlsx(first.questions))

    assert again.ok, [str(e) for e in again.errors]
    assert [_view(q) for q in again.questions] == [_view(q) for q in first.questions]


def test_sheet_questions_export_to_gift_and_back():
    first = parse_xlsx(_sheet([r for r in TRICKY_ROWS if "____，____" not in r]))

    again = parse_gift(questions_to_gift(first.questions))

    assert again.ok, [str(e) for e in again.errors]
    assert [
        (q.type, q.stem, q.correct_letters, q.correct) for q in again.questions
    ] == [(q.type, q.stem, q.correct_letters, q.correct) for q in first.questions]
    assert [q.category for q in again.questions] == [
        q.category for q in first.questions
    ]


def test_exported_sheet_has_template_headers_and_notes():
    workbook = load_workbook(io.BytesIO(questions_to_xlsx([])))

    header = [c.value for c in workbook.worksheets[0][1]]
    assert header[:3] == ["题型*", "题干*", "选项A"]
    assert "答案" in header
    assert workbook.sheetnames == ["题库", "填写说明"]


def test_template_parses_with_its_examples():
    result = parse_xlsx(template_xlsx())

    assert result.ok
    assert [q.type for q in result.questions] == [
        QuestionType.SINGLE,
        QuestionType.TRUEFALSE,
        QuestionType.BLANK,
    ]


def test_export_refuses_more_than_eight_options():
    question = ParsedQuestion(
        type=QuestionType.SINGLE,
        stem="多",
        choices=[ParsedChoice(str(i), Decimal(i == 0)) for i in range(9)],
    )

    with pytest.raises(XlsxExportError):
        questions_to_xlsx([question])
