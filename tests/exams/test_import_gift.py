from decimal import Decimal

import pytest

from exams.importers.gift import GiftExportError, parse_gift, questions_to_gift
from exams.importers.types import (
    ParsedChoice,
    ParsedQuestion,
    QuestionType,
    RichText,
)

from .conftest import assert_matches_moodle, expectation_cases

SUPPORTED = {"essay", "multichoice", "truefalse", "shortanswer"}
FIXTURES = "moodle_formats/question/format/gift/tests/fixtures"


@pytest.mark.parametrize("case", expectation_cases("gift_import_expectations.json"))
def test_moodle_unit_case_parses_as_moodle_expects(case):
    expected = case["expected"]
    numbering = case["args"][0] if case["args"] else "abc"

    result = parse_gift(case["source"], numbering=numbering)

    assert result.errors == []
    if expected["qtype"] in SUPPORTED:
        (question,) = result.questions
        assert result.unsupported == []
        assert_matches_moodle(question, expected)
    else:
        assert result.questions == []
        (skipped,) = result.unsupported
        assert skipped.moodle_type == expected["qtype"]
        assert skipped.name == expected["name"]
        assert skipped.message == f"unsupported question type: {expected['qtype']}"


def test_sample_file_has_moodles_nine_records_seven_of_them_supported(corpus):
    result = parse_gift((corpus / FIXTURES / "questions.gift.txt").read_bytes())

    assert result.ok
    assert len(result.questions) + len(result.unsupported) == 9
    assert {t.value: n for t, n in result.counts().items()} == {
        "single": 1,
        "multiple": 1,
        "truefalse": 3,
        "blank": 1,
        "essay": 1,
    }
    assert [(u.moodle_type, u.name, u.line) for u in result.unsupported] == [
        ("match", "Moodle activities", 4),
        ("numerical", "Q5", 30),
    ]
    stems = [q.stem for q in result.questions]
    assert "What's between orange and green in the spectrum?" in stems
    assert "colours" in [q.name for q in result.questions]


def test_sample_file_truefalse_with_general_feedback(corpus):
    result = parse_gift((corpus / FIXTURES / "questions.gift.txt").read_bytes())

    (q1,) = [q for q in result.questions if q.name == "Q1"]
    assert q1.type == QuestionType.TRUEFALSE
    assert q1.correct is False
    assert q1.feedback_true == RichText("42 is the Ultimate Answer.", "moodle")
    assert q1.feedback_false == RichText("You gave the right answer.", "moodle")
    assert q1.explanation == (
        "This is, of course, a Hitchiker's Guide to the Galaxy reference."
    )
    # The stray '";' after the braces makes it a missing-word question in Moodle.
    assert q1.stem == '42 is the Absolute Answer to everything._____";'


def test_sample_file_exports_back_to_gift_with_the_question_text(corpus):
    result = parse_gift((corpus / FIXTURES / "questions.gift.txt").read_bytes())

    exported = questions_to_gift(result.questions)

    assert "What's between orange and green in the spectrum?" in exported


def test_category_switch_puts_the_questions_in_that_category(corpus):
    result = parse_gift(
        (corpus / FIXTURES / "questions_in_category.gift.txt").read_bytes()
    )

    assert result.ok
    assert len(result.questions) + len(result.unsupported) == 4
    assert [(c.path, c.parent) for c in result.categories] == [
        (["Default for New Features"], "top")
    ]
    assert {q.name for q in result.questions} == {
        "Greeting",
        "Moodle user",
        "Moodle acronym",
    }
    assert all(q.category == ["Default for New Features"] for q in result.questions)
    (match,) = result.unsupported
    assert match.name == "Moodle activities"  # "Match the activity to the …"


def test_category_file_unescapes_html_stems(corpus):
    result = parse_gift(
        (corpus / FIXTURES / "questions_in_category.gift.txt").read_bytes()
    )

    greeting = next(q for q in result.questions if q.name == "Greeting")
    assert greeting.stem_format == "html"
    assert greeting.stem.startswith(
        '<a href="http://demo.moodle.net/file.php/5/media/bonjour.mp3">'
        "Listen to this greeting:</a>"
    )
    assert greeting.correct_letters == "B"
    user = next(q for q in result.questions if q.name == "Moodle user")
    assert user.type == QuestionType.BLANK
    assert [[a.text for a in b] for b in user.blanks] == [["Moodler"]]


def test_windows_1252_file_is_refused_with_moodles_message(corpus):
    data = (corpus / FIXTURES / "questions_encoding_windows-1252.gift.txt").read_bytes()

    result = parse_gift(data)

    assert result.questions == []
    (error,) = result.errors
    assert error.code == "not_utf8"
    assert error.message == (
        "The file you selected does not use UTF-8 character encoding. "
        "GIFT format files must use UTF-8."
    )


def test_ordering_plugin_syntax_is_unsupported(corpus):
    path = corpus / "moodle_formats/question/type/ordering/tests/fixtures"
    result = parse_gift((path / "testimport.gift.txt").read_bytes())

    assert result.questions == []
    assert [(u.moodle_type, u.name) for u in result.unsupported] == [
        ("ordering", "Moodle")
    ]


def test_percent_weights_outside_moodles_grade_list_fail_the_file():
    result = parse_gift("::Q:: Pick {~%33%a ~%33%b ~%34%c}")

    assert not result.ok
    assert result.to_import == []
    (error,) = result.errors
    assert error.code == "invalid_grade"
    assert error.message == (
        "Grades (0.33, 0.33, 0.34) do not match grade options - question 'Q' skipped."
    )


def test_thirds_snap_to_moodles_exact_fraction():
    result = parse_gift("::Q:: Pick {~%33.33333%a ~%33.33333%b ~%33.33333%c ~%-100%d}")

    (question,) = result.questions
    assert [c.fraction for c in question.choices] == [
        Decimal("0.3333333"),
        Decimal("0.3333333"),
        Decimal("0.3333333"),
        Decimal(-1),
    ]


def test_equals_sign_means_full_marks_whatever_follows():
    result = parse_gift("::Q:: Pick {=%50%a ~%50%b}")

    # As in Moodle: "=" makes it single-answer and "=%50%a" is the text "%50%a"
    # worth 100 %.
    (question,) = result.questions
    assert question.type == QuestionType.SINGLE
    assert [(c.text, c.fraction) for c in question.choices] == [
        ("%50%a", Decimal(1)),
        ("b", Decimal("0.5")),
    ]


def test_multi_answer_grades_must_add_up_to_100_percent():
    result = parse_gift("::Q:: Pick {~%50%a ~%25%b ~c}")

    (error,) = result.errors
    assert error.code == "fractions_add_wrong"
    assert error.message.endswith("Instead, they add up to 75%")


def test_one_answer_is_not_enough_for_multichoice():
    result = parse_gift("::Q:: Pick {~a}")

    (error,) = result.errors
    assert error.code == "not_enough_answers"
    assert error.line == 1


def test_unbalanced_braces_are_an_error_with_the_line():
    result = parse_gift("// first\n::A:: ok {T}\n\n\n::B:: broken {=x")

    (error,) = result.errors
    assert (error.line, error.code) == (5, "braces")
    assert error.message == "Could not find {...} around answers"


def test_missing_word_question_gets_a_blank_in_the_stem():
    result = parse_gift("Grant is {~buried =entombed ~living} in Grant's tomb.")

    (question,) = result.questions
    assert question.stem == "Grant is _____ in Grant's tomb."
    assert question.name == "Grant is _____ in Grant's tomb."
    assert question.correct_letters == "B"


def test_escaped_specials_stay_in_the_text():
    result = parse_gift(r"::a\:b:: 1 \= 1 \{ok\} \~ \# {=x\=y ~z}")

    (question,) = result.questions
    assert question.name == "a:b"
    assert question.stem == "1 = 1 {ok} ~ #"
    assert [c.text for c in question.choices] == ["x=y", "z"]


def test_blank_line_separates_questions_and_comments_carry_tags():
    text = "// [tag:党章] [tag:总纲] [id:q-1]\n::A:: x {T}\n\n::B:: y {F}\n"

    result = parse_gift(text)

    first, second = result.questions
    assert (first.tags, first.idnumber, first.line) == (["党章", "总纲"], "q-1", 1)
    assert (second.tags, second.line) == ([], 4)


def _xlsx_like_questions() -> list[ParsedQuestion]:
    return [
        ParsedQuestion(
            type=QuestionType.SINGLE,
            name="单选",
            stem="党的最高理想是（ ）。",
            stem_format="plain",
            choices=[
                ParsedChoice("实现共产主义", Decimal(1), format="plain"),
                ParsedChoice("小康: {a} = #1 ~", format="plain"),
            ],
            explanation="见党章总纲。",
            explanation_format="plain",
            category=["党章", "总纲"],
            tags=["党章"],
        ),
        ParsedQuestion(
            type=QuestionType.MULTIPLE,
            name="多选",
            stem="<p>选出正确的</p>",
            stem_format="html",
            choices=[
                ParsedChoice("甲", Decimal("0.5")),
                ParsedChoice("乙", Decimal("0.5"), feedback="对"),
                ParsedChoice("丙", Decimal(-1)),
            ],
            category=["党章"],
        ),
        ParsedQuestion(
            type=QuestionType.TRUEFALSE,
            name="判断",
            stem="两行\n文字",
            correct=False,
            feedback_true=RichText("错了", "html"),
            feedback_false=RichText("对了", "html"),
            category=["党章"],
        ),
        ParsedQuestion(
            type=QuestionType.BLANK,
            name="填空",
            stem="根本宗旨是____。",
            blanks=[
                [
                    ParsedChoice("全心全意为人民服务", Decimal(1), format="plain"),
                    ParsedChoice("为人民服务", Decimal("0.5"), format="plain"),
                ]
            ],
            category=["党章"],
        ),
        ParsedQuestion(
            type=QuestionType.ESSAY,
            name="简答",
            stem="谈谈体会。",
            explanation="言之有理即可。",
            category=[],
        ),
    ]


def _gift_view(q: ParsedQuestion) -> tuple:
    return (
        q.type,
        q.name,
        q.stem,
        [(c.text, c.fraction, c.feedback) for c in q.choices],
        [[(a.text, a.fraction) for a in b] for b in q.blanks],
        q.correct,
        (q.feedback_true.text if q.feedback_true else ""),
        (q.feedback_false.text if q.feedback_false else ""),
        q.explanation,
        q.category,
        q.tags,
    )


def test_export_round_trips_through_the_parser():
    questions = _xlsx_like_questions()

    parsed = parse_gift(questions_to_gift(questions))

    assert parsed.ok, parsed.errors
    assert [_gift_view(q) for q in parsed.questions] == [
        _gift_view(q) for q in questions
    ]
    assert [q.stem_format for q in parsed.questions] == [
        "plain",
        "html",
        "html",
        "html",
        "html",
    ]


def test_moodle_sample_round_trips_through_export(corpus):
    first = parse_gift((corpus / FIXTURES / "questions.gift.txt").read_bytes())

    again = parse_gift(questions_to_gift(first.questions))

    assert again.ok
    assert [_gift_view(q) for q in again.questions] == [
        _gift_view(q) for q in first.questions
    ]


def test_export_refuses_a_blank_question_with_two_blanks():
    question = ParsedQuestion(
        type=QuestionType.BLANK,
        stem="____和____",
        blanks=[[ParsedChoice("a", Decimal(1))], [ParsedChoice("b", Decimal(1))]],
    )

    with pytest.raises(GiftExportError):
        questions_to_gift([question])


GARBAGE = [
    b"",
    b"\x00\xff\xfe garbage",
    b"PK\x03\x04 not really a zip",
    b"{{{}}} :: ## == ~~ %%% \\",
    b"<quiz><question type='multichoice'><name><text>x</text></name>"
    b"<answer fraction='abc'/><defaultgrade>1e999</defaultgrade></question></quiz>",
    "::名::题{~%--5%甲 ~乙}\n\n$CATEGORY:\n\n{#}\n\n{".encode(),
]


@pytest.mark.parametrize("data", GARBAGE)
@pytest.mark.parametrize("parser", ["gift", "xml", "aiken", "xlsx"])
def test_parsers_report_garbage_instead_of_raising(parser, data):
    from exams.importers import parse_aiken, parse_moodle_xml, parse_xlsx

    parse = {
        "gift": parse_gift,
        "xml": parse_moodle_xml,
        "aiken": parse_aiken,
        "xlsx": parse_xlsx,
    }[parser]

    result = parse(data)

    assert result.format == parser
    assert isinstance(result.errors, list)
