"""manage.py import_questions: counts per type, every error with its place."""

import io
import re

import pytest
from django.core.management import CommandError, call_command

from exams.models import Question, QuestionBank, QuestionImport


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_questions", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_real_bank_imports_from_the_command_line(tree, corpus):
    path = corpus / "question_banks_zh/magicodes_ie/题库导入模板.xlsx"
    out, err = run(str(path), "--bank", "集团题库")
    assert "404 questions imported into bank “集团题库”" in out
    assert "单选 (single):" in out
    assert Question.objects.count() == 404
    bank = QuestionBank.objects.get(name="集团题库")
    assert bank.owner_unit == tree.group  # the command line: the root unit
    assert "error:" not in err


def test_a_dry_run_counts_and_writes_nothing(tree, corpus):
    path = corpus / "question_banks_zh/magicodes_ie/题库导入模板.xlsx"
    out, _err = run(str(path), "--format", "xlsx", "--bank", "集团题库", "--dry-run")
    assert "404 questions would import" in out
    assert not Question.objects.exists() and not QuestionBank.objects.exists()


def test_unsupported_moodle_types_are_listed_with_their_line(tree, corpus):
    path = (
        corpus / "moodle_formats/question/format/gift/tests/fixtures/questions.gift.txt"
    )
    out, err = run(str(path), "--format", "gift", "--bank", "Moodle")
    assert "7 questions imported" in out and "2 unsupported left out" in out
    assert re.search(r"unsupported: line \d+: unsupported question type: match", err)
    assert "unsupported question type: numerical" in err
    assert Question.objects.count() == 7


def test_a_file_with_errors_names_each_and_imports_nothing(tree, tmp_path):
    bad = tmp_path / "questions.aiken.txt"
    bad.write_text(
        "A good question?\nA. Yes\nB. No\nANSWER: A\n\n"
        "A question with too few answers\nA. Only\nANSWER: A\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match="Nothing was imported"):
        run(str(bad), "--format", "aiken", "--bank", "测试")
    assert not Question.objects.exists()
    record = QuestionImport.objects.get()
    assert record.imported == 0 and record.errors


def test_an_unreadable_encoding_is_refused_with_moodles_message(tree, corpus):
    path = (
        corpus
        / "moodle_formats/question/format/gift/tests/fixtures"
        / "questions_encoding_windows-1252.gift.txt"
    )
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_questions",
            str(path),
            "--format",
            "gift",
            "--bank",
            "x",
            stdout=io.StringIO(),
            stderr=err,
        )
    assert "UTF-8" in err.getvalue()
    assert not Question.objects.exists()


def test_a_missing_file_is_a_clear_error(db):
    with pytest.raises(CommandError, match="No such file"):
        run("/nonexistent.xlsx", "--bank", "x")
