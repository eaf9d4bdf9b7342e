from decimal import Decimal

import pytest
from defusedxml.ElementTree import fromstring

from exams.importers.moodle_xml import parse_hints, parse_moodle_xml
from exams.importers.text import strip_tags
from exams.importers.types import QuestionType

from .conftest import CORPUS, assert_matches_moodle, expectation_cases

SUPPORTED = {"essay", "multichoice", "truefalse", "shortanswer"}
# Moodle's reader (import_multichoice) returns this question, which the unit test
# checks; importing it then fails, because its two right answers are each worth
# 100 % (qformat_xml_import_export_test::test_import_invalid_fraction_sum asserts
# that refusal). We read it the same way and report the refusal.
IMPORT_TIME_ERRORS = {"test_import_multichoice_19": ["fractions_add_wrong"]}
FIXTURES = "moodle_formats/question/format/xml/tests/fixtures"


def _fixture(corpus, name: str):
    return parse_moodle_xml((corpus / FIXTURES / name).read_bytes())


def _quiz(fragment: str) -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<quiz>{fragment}</quiz>'


@pytest.mark.parametrize("case", expectation_cases("xml_import_expectations.json"))
def test_moodle_unit_case_parses_as_moodle_expects(case):
    if case["importer_method"] == "import_hints":
        _check_hints(case)
        return
    expected = case["expected"]

    result = parse_moodle_xml(_quiz(case["source"]))

    assert [e.code for e in result.errors] == IMPORT_TIME_ERRORS.get(case["test"], [])
    if expected["qtype"] in SUPPORTED:
        (question,) = result.questions
        assert_matches_moodle(question, expected)
    else:
        assert result.questions == []
        (skipped,) = result.unsupported
        xml_type = fromstring(case["source"].strip()).get("type")
        assert skipped.moodle_type == xml_type
        assert skipped.name == expected["name"]
        assert skipped.message == f"unsupported question type: {xml_type}"


def _check_hints(case):
    element = fromstring(case["source"])
    with_parts = case["test"] == "test_import_hints_with_parts"

    hints = parse_hints(element, "html", with_parts=with_parts)

    asserted = case.get("also_asserted_equal") or []
    if not asserted:  # test_import_no_hints_no_error
        assert hints == []
        return
    texts = [{"text": h.text, "format": h.format} for h in hints]
    assert texts == [{"text": t["text"], "format": "html"} for t in asserted[0]]
    if with_parts:
        assert [int(h.clear_wrong) for h in hints] == asserted[1]
        assert [int(h.show_num_correct) for h in hints] == asserted[2]
    else:
        assert not any(h.clear_wrong or h.show_num_correct for h in hints)


def test_truefalse_fixture_imports_both_questions_with_their_files(corpus):
    result = _fixture(corpus, "truefalse.xml")

    assert result.ok
    by_name = {q.name: q for q in result.questions}
    assert set(by_name) == {"Moodle acronym (True)", "Moodle acronym (False)"}
    assert by_name["Moodle acronym (True)"].correct is True
    assert by_name["Moodle acronym (False)"].correct is False
    plain = strip_tags(by_name["Moodle acronym (True)"].stem).replace("\xa0", " ")
    assert (
        "is an acronym for Modular Object-Oriented Dynamic Learning Environment"
        in plain
    )
    assert "Learning Education" in strip_tags(by_name["Moodle acronym (False)"].stem)
    files = by_name["Moodle acronym (True)"].attachments
    assert set(files) == {"logo.jpg", "infos.jpg", "thumbup.jpg", "thumbdown.jpg"}
    assert all(content.startswith(b"\xff\xd8") for content in files.values())


def test_multichoice_fixture_keeps_audio_and_flag_images(corpus):
    result = _fixture(corpus, "multichoice.xml")

    (question,) = result.questions
    assert question.name == "Greeting"
    assert question.type == QuestionType.SINGLE
    assert "What language is being spoken?" in question.stem
    assert question.correct_letters == "B"
    assert question.shuffle is True
    assert question.numbering == "abc"
    assert question.penalty == Decimal("0.1")
    assert question.attachments["bonjour.mp3"].startswith(b"ID3")
    assert {"flag-uk.jpg", "flag-france.jpg"} <= set(question.attachments)
    assert question.category == ["Default for testhead", "Multichoice"]


def test_cloze_fixture_is_reported_unsupported(corpus):
    result = _fixture(corpus, "multianswer.xml")

    assert result.questions == []
    assert [(u.moodle_type, u.name) for u in result.unsupported] == [
        ("cloze", "cloze with images")
    ]


def test_old_image_tag_becomes_an_attachment_and_an_img(corpus):
    result = _fixture(corpus, "sample_questions_with_old_image_tag.xml")

    (question,) = result.questions
    assert question.name == "mcq with image"
    assert question.stem.startswith(
        "This is a multichoice question with an image in the old"
    )
    assert question.stem.endswith(' <img src="@@PLUGINFILE@@/moodle.png" />')
    assert question.attachments["moodle.png"].startswith(b"\x89PNG")
    assert [c.text for c in question.choices] == [
        "wrong answer",
        "another wrong answer",
        "right answer",
    ]
    (cloze,) = result.unsupported
    assert (cloze.moodle_type, cloze.name) == ("cloze", "cloze question with image")


@pytest.mark.parametrize(
    "name", ["category_with_description.xml", "export_category.xml"]
)
def test_category_with_description(corpus, name):
    result = _fixture(corpus, name)

    (alpha,) = result.categories
    assert (alpha.name, alpha.parent) == ("Alpha", "top")
    assert alpha.info == "This is Alpha category for test"
    assert alpha.info_format == "moodle"
    assert alpha.idnumber == "alpha-idnumber"
    (question,) = result.questions
    assert question.category == ["Alpha"]


def _categories(result) -> list[tuple]:
    return [(c.name, c.parent, c.info, c.info_format) for c in result.categories]


def _where(result) -> dict[str, list[str]]:
    return {q.name: q.category for q in result.questions}


def test_nested_categories(corpus):
    result = _fixture(corpus, "nested_categories.xml")

    assert _categories(result) == [
        ("Delta", "top", "This is Delta category for test", "plain"),
        ("Epsilon", "Delta", "This is Epsilon category for test", "markdown"),
        ("Zeta", "Epsilon", "This is Zeta category for test", "moodle"),
    ]
    assert _where(result) == {"Zeta Question": ["Delta", "Epsilon", "Zeta"]}


def test_nested_categories_with_questions(corpus):
    result = _fixture(corpus, "nested_categories_with_questions.xml")

    assert _categories(result) == [
        ("Iota", "top", "This is Iota category for test", "plain"),
        ("Kappa", "Iota", "This is Kappa category for test", "markdown"),
        ("Lambda", "Kappa", "This is Lambda category for test", "moodle"),
        ("Mu", "Iota", "This is Mu category for test", "moodle"),
    ]
    assert _where(result) == {
        "Iota Question": ["Iota"],
        "Kappa Essay Question": ["Iota", "Kappa"],
        "Kappa Question": ["Iota", "Kappa"],
        "Lambda Question": ["Iota", "Kappa", "Lambda"],
        "Mu Question": ["Iota", "Mu"],
    }


def test_old_format_categories_have_no_info(corpus):
    result = _fixture(corpus, "old_format_file.xml")

    assert _categories(result) == [
        ("Pi", "top", "", "moodle"),
        ("Rho", "Pi", "", "moodle"),
    ]
    assert _where(result) == {"Pi Question": ["Pi"], "Rho Question": ["Pi", "Rho"]}


def test_child_category_before_its_parent(corpus):
    result = _fixture(corpus, "categories_reverse_order.xml")

    assert _categories(result) == [
        ("Sigma", "top", "This is Sigma category for test", "html"),
        ("Tau", "Sigma", "This is Tau category for test", "html"),
    ]
    assert _where(result) == {
        "Tau Question": ["Sigma", "Tau"],
        "Sigma Question": ["Sigma"],
    }


def test_html_characters_in_idnumbers(corpus):
    result = _fixture(corpus, "html_chars_in_idnumbers.xml")

    assert result.categories[0].idnumber == "The inequalities < & >"
    assert result.questions[0].idnumber == "T & F"


def test_invalid_grades_fail_the_whole_file(corpus):
    result = _fixture(corpus, "error_invalid_grades.xml")

    assert not result.ok
    assert result.to_import == []
    (error,) = result.errors
    name = "Question with invalid grades : x > 1 & x < 2"
    assert error.code == "invalid_grade"
    assert error.question == name
    assert error.message == (
        f"Grades (0.33) do not match grade options - question '{name}' skipped."
    )
    assert error.line == 4


def test_broken_cloze_questions_import_nothing(corpus):
    result = _fixture(corpus, "broken_cloze_questions.xml")

    assert result.questions == []
    assert [u.moodle_type for u in result.unsupported] == ["cloze"] * 5


QTYPE_FIXTURES = [
    ("essay", QuestionType.ESSAY, "essay-001", "Write an essay with 500 words."),
    (
        "multichoice",
        QuestionType.MULTIPLE,
        "Multi-choice-001",
        "Find the capital cities in Europe.",
    ),
    (
        "shortanswer",
        QuestionType.BLANK,
        "shortanswer-001",
        "Name an amphibian: __________",
    ),
    ("truefalse", QuestionType.TRUEFALSE, "true-false-001", "The answer is true."),
]
UNSUPPORTED_FIXTURES = [
    ("ddwtos", "testquestion.moodle.xml", "Imported Drag and drop into text 001"),
    ("description", "testquestion.moodle.xml", "description-001"),
    ("gapselect", "testquestion.moodle.xml", "Imported Select missing words 001"),
    ("match", "testquestion.moodle.xml", "matching-001"),
    ("numerical", "testquestion.moodle.xml", "Numerical-001"),
    ("ordering", "testquestion.moodle.xml", "dd-ordering 1"),
    ("ordering", "testoldquestion.moodle.xml", "dd-ordering old question"),
]


def _qtype_fixture(corpus, qtype: str, name: str = "testquestion.moodle.xml"):
    path = corpus / "moodle_formats/question/type" / qtype / "tests/fixtures" / name
    return parse_moodle_xml(path.read_bytes())


@pytest.mark.parametrize(("qtype", "ours", "name", "text"), QTYPE_FIXTURES)
def test_question_type_fixture_imports_one_question(corpus, qtype, ours, name, text):
    result = _qtype_fixture(corpus, qtype)

    assert result.ok
    (question,) = result.questions
    assert (question.type, question.name, question.stem) == (ours, name, text)


@pytest.mark.parametrize(("qtype", "filename", "name"), UNSUPPORTED_FIXTURES)
def test_question_type_fixture_we_do_not_support_is_reported(
    corpus, qtype, filename, name
):
    result = _qtype_fixture(corpus, qtype, filename)

    assert result.ok
    assert result.questions == []
    (skipped,) = result.unsupported
    assert skipped.name == name
    assert skipped.message.startswith("unsupported question type: ")
    assert skipped.line == 12


def test_multichoice_fixture_has_partial_credit_for_each_capital(corpus):
    (question,) = _qtype_fixture(corpus, "multichoice").questions

    assert question.correct_letters == "CE"
    assert [c.fraction for c in question.choices] == [
        0,
        0,
        Decimal("0.5"),
        0,
        Decimal("0.5"),
    ]
    assert question.show_num_correct is True
    assert question.correct_feedback.text == "Your answer is correct."


def test_shortanswer_fixture_keeps_fractions_of_each_answer(corpus):
    (question,) = _qtype_fixture(corpus, "shortanswer").questions

    (blank,) = question.blanks
    assert [(a.text, a.fraction) for a in blank] == [
        ("frog", 1),
        ("toad", Decimal("0.8")),
        ("*", 0),
    ]
    assert question.case_sensitive is False


def test_single_answer_question_needs_a_full_mark_choice():
    xml = _quiz(
        """<question type="multichoice"><name><text>Q</text></name>
        <questiontext><text>Pick</text></questiontext><single>true</single>
        <answer fraction="50"><text>a</text></answer>
        <answer fraction="50"><text>b</text></answer></question>"""
    )

    result = parse_moodle_xml(xml)

    (error,) = result.errors
    assert error.code == "fractions_no_max"
    assert error.line == 2


def test_question_without_a_name_is_an_error():
    xml = _quiz(
        '<question type="truefalse"><questiontext><text>x</text>'
        "</questiontext></question>"
    )

    result = parse_moodle_xml(xml)

    assert [e.message for e in result.errors] == ["Missing question name in XML file"]


def test_broken_xml_is_an_error_with_its_line():
    result = parse_moodle_xml(b"<quiz>\n<question type='essay'>\n</quiz>")

    (error,) = result.errors
    assert error.code == "invalid_xml"
    assert error.line == 3


def test_entity_expansion_is_refused():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE q [<!ENTITY a "aaaa">'
        b'<!ENTITY b "&a;&a;&a;">]><quiz>&b;</quiz>'
    )

    result = parse_moodle_xml(bomb)

    assert [e.code for e in result.errors] == ["forbidden_xml"]


def test_not_utf8_is_refused():
    result = parse_moodle_xml("<quiz>café</quiz>".encode("latin-1"))

    assert [e.code for e in result.errors] == ["not_utf8"]


def test_corpus_path_is_relative_to_the_repository():
    assert CORPUS.parts[-3:] == ("..", "shared", "corpus")
