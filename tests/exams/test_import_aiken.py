from decimal import Decimal

from exams.importers import parse_file
from exams.importers.aiken import parse_aiken
from exams.importers.types import QuestionType

FIXTURES = "moodle_formats/question/format/aiken/tests/fixtures"


def test_sample_file_imports_two_questions(corpus):
    result = parse_aiken((corpus / FIXTURES / "questions.aiken.txt").read_bytes())

    assert result.ok
    first, second = result.questions
    assert first.type == QuestionType.SINGLE
    assert first.stem == "The Moodle project was started by:"
    assert first.stem_format == "html"
    assert [c.text for c in first.choices] == [
        "Petr Skoda",
        "Martin Dougiamas",
        "Eloy Lafuente",
        "Tim Hunt",
    ]
    assert first.correct_letters == "B"
    assert second.stem == (
        "Moodle's abilities include handling user input that includes "
        '&lt;html class="cool"&gt; &amp; images:'
    )


def test_error_file_reports_moodles_errors_with_their_lines(corpus):
    result = parse_aiken((corpus / FIXTURES / "aiken_errors.txt").read_bytes())

    assert [(e.message, e.question) for e in result.errors] == [
        (
            "Question must have at least 2 answers on line 3",
            "A question with too few answers",
        ),
        ("Question not started on line 5", ""),
        ("Question not started on line 7", ""),
        (
            "Question not completed before next question start on line 18",
            "A question started but not finished",
        ),
    ]
    # Moodle prints "Error importing question <name>" before a named error.
    shown = [f"Error importing question {e.question}" for e in result.errors]
    assert "Error importing question A question with too few answers" in shown
    assert "Error importing question A question started but not finished" in shown
    assert [e.line for e in result.errors] == [3, 5, 7, 18]
    assert not result.ok
    assert result.to_import == []


def test_error_file_still_reads_its_three_good_questions(corpus):
    result = parse_aiken((corpus / FIXTURES / "aiken_errors.txt").read_bytes())

    q1, q2, q3 = result.questions
    assert q1.name == "A good question"
    assert [(c.text, c.fraction) for c in q1.choices] == [
        ("Correct", 1),
        ("Incorrect", 0),
    ]
    assert q2.name == "A second good question"
    assert [c.text for c in q2.choices] == [
        "Incorrect (No space)",
        "Correct (No space)",
    ]
    assert q2.choices[1].fraction == Decimal(1)
    assert q3.name == "A third good question with HTML chars such as > < &"
    assert [c.text for c in q3.choices] == [
        "Correct (&lt; &gt; &amp;)",
        "Incorrect (&lt; &gt; &amp;)",
    ]
    assert q3.choices[0].fraction == 1


def test_dot_after_the_letter_is_accepted():
    result = parse_aiken("Capital of China?\nA. 上海\nB. 北京\nANSWER: B\n")

    (question,) = result.questions
    assert [c.text for c in question.choices] == ["上海", "北京"]
    assert question.correct_letters == "B"


def test_answer_letter_that_is_not_a_choice_is_an_error():
    result = parse_aiken("Q?\nA) x\nB) y\nANSWER: D\n")

    (error,) = result.errors
    assert error.code == "answer_not_a_choice"
    assert error.line == 4


def test_question_left_open_at_the_end_is_an_error():
    result = parse_aiken("Q?\nA) x\nB) y\n")

    (error,) = result.errors
    assert error.code == "question_not_completed"
    assert error.line == 1


def test_non_utf8_file_is_refused():
    result = parse_aiken("Qué?\nA) sí\nB) no\nANSWER: A\n".encode("cp1252"))

    assert [e.code for e in result.errors] == ["not_utf8"]
    assert result.errors[0].message.endswith("Aiken format files must use UTF-8.")


def test_parse_file_picks_the_parser_by_extension_or_by_request(corpus):
    path = corpus / FIXTURES / "aiken_errors.txt"

    unknown = parse_file(path)
    assert [e.code for e in unknown.errors] == ["unknown_format"]
    assert parse_file(path, "aiken").format == "aiken"
    assert parse_file(corpus / FIXTURES / "questions.aiken.txt").ok
