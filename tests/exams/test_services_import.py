"""Parsed files become questions, all or nothing (exams/services/imports.py)."""

import re
from decimal import Decimal
from urllib.parse import unquote

import pytest
from django.core.exceptions import PermissionDenied

from exams.importers import parse_file, parse_gift, parse_xlsx
from exams.importers.xlsx import questions_to_xlsx
from exams.models import (
    Question,
    QuestionBank,
    QuestionCategory,
    QuestionImport,
    QuestionType,
    QuestionVersion,
)
from exams.services.imports import bank_ensure, image_path, questions_import
from exams.services.questions import question_revise
from media.storage import protected_storage
from org.models import Role
from org.services.roles import role_grant
from tests.factories import make_member

GIFT = """\
$CATEGORY: $course$/top/党章党规/总纲

::Q1:: 中国共产党的最高理想和最终目标是 {
=实现共产主义
~建成小康社会
~实现现代化 #不对
####党章总纲明确规定。
}

::Q2:: 党员的权利包括哪些 {
~%50%参加党的有关会议
~%50%在党的会议上参加讨论
~%-100%随意泄露党的秘密
}

::Q3:: 党的基层组织是战斗堡垒。{T}

::Q4:: 党的最高领导机关是党的{=全国代表大会 =全国代表大会和它所产生的中央委员会}

::Q5:: 简述“四个意识”的内涵。{}
"""


@pytest.fixture
def bank(tree):
    return bank_ensure(name="党章党规题库", by=tree.examiner, owner_unit=tree.group)


def test_a_gift_file_becomes_versioned_questions_in_its_categories(tree, bank):
    result = parse_gift(GIFT.encode())
    assert result.ok, result.errors
    outcome = questions_import(
        bank=bank, result=result, file_name="党章.gift", by=tree.examiner
    )
    assert outcome.imported == 5
    assert outcome.counts == {
        "single": 1,
        "multiple": 1,
        "truefalse": 1,
        "blank": 1,
        "essay": 1,
    }
    leaf = QuestionCategory.objects.get(bank=bank, name="总纲")
    assert leaf.get_parent().name == "党章党规"
    questions = {q.name: q for q in Question.objects.filter(bank=bank)}
    assert all(q.category == leaf for q in questions.values())
    single = questions["Q1"].current
    assert single.number == 1 and single.answer == ["A"]
    assert [c["key"] for c in single.choices] == ["A", "B", "C"]
    assert single.choices[2]["feedback"] == "不对"
    assert "党章总纲明确规定" in single.explanation
    multiple = questions["Q2"].current
    assert multiple.answer == ["A", "B"]
    assert [Decimal(c["fraction"]) for c in multiple.choices] == [
        Decimal("0.5"),
        Decimal("0.5"),
        Decimal("-1"),
    ]
    assert questions["Q3"].current.answer is True
    blank = questions["Q4"].current.answer
    assert [a["text"] for a in blank["blanks"][0]] == [
        "全国代表大会",
        "全国代表大会和它所产生的中央委员会",
    ]
    assert questions["Q5"].type == QuestionType.ESSAY
    assert "党章.gift line" in questions["Q1"].source
    record = QuestionImport.objects.get()
    assert record.imported == 5 and record.errors == []


def test_a_file_with_one_bad_row_imports_nothing(tree, bank):
    content = questions_to_xlsx(parse_gift(GIFT.encode()).questions)
    good = parse_xlsx(content)
    assert good.ok, good.errors
    # break one row: a 单选 whose answer is not among its options
    from io import BytesIO

    from openpyxl import load_workbook

    workbook = load_workbook(BytesIO(content))
    sheet = workbook.active
    header = [str(cell.value).rstrip("*") for cell in sheet[1]]
    answer_column = header.index("答案") + 1
    for row in range(2, sheet.max_row + 1):
        if sheet.cell(row, header.index("题型") + 1).value in ("单选", "单选题"):
            sheet.cell(row, answer_column).value = "Z"
            break
    broken = BytesIO()
    workbook.save(broken)
    result = parse_xlsx(broken.getvalue())
    assert not result.ok
    assert any(e.row and e.column.startswith("答案") for e in result.errors)
    outcome = questions_import(
        bank=bank, result=result, file_name="坏.xlsx", by=tree.examiner
    )
    assert outcome.imported == 0
    assert not Question.objects.exists() and not QuestionCategory.objects.exists()
    record = QuestionImport.objects.get()
    assert record.imported == 0 and record.errors[0]["column"].startswith("答案")


def test_a_dry_run_writes_nothing(tree, bank):
    outcome = questions_import(
        bank=bank,
        result=parse_gift(GIFT.encode()),
        file_name="党章.gift",
        by=tree.examiner,
        dry_run=True,
    )
    assert outcome.counts["single"] == 1 and outcome.record is None
    assert not Question.objects.exists() and not QuestionImport.objects.exists()


def test_revising_a_question_keeps_the_version_past_attempts_showed(tree, bank):
    questions_import(
        bank=bank, result=parse_gift(GIFT.encode()), file_name="x", by=tree.examiner
    )
    question = Question.objects.get(name="Q1")
    first = question.current
    second = question_revise(question=question, by=tree.examiner, answer=["B"])
    question.refresh_from_db()
    assert question.current == second and second.number == 2
    assert second.stem == first.stem  # unchanged fields carried over
    first.refresh_from_db()
    assert first.answer == ["A"]  # never edited
    assert QuestionVersion.objects.filter(question=question).count() == 2


def test_only_examiners_of_the_banks_unit_may_import_into_it(tree):
    bank = bank_ensure(name="A公司题库", by=tree.examiner, owner_unit=tree.company_a)
    outsider = make_member(tree.company_b, "孙考官").user
    role_grant(user=outsider, role=Role.EXAMINER, unit=tree.company_b)
    with pytest.raises(PermissionDenied):
        bank_ensure(name=bank.name, by=outsider)
    with pytest.raises(PermissionDenied):
        bank_ensure(name=bank.name, by=tree.member_a.user)
    insider = make_member(tree.branch_a1, "钱考官").user
    role_grant(user=insider, role=Role.EXAMINER, unit=tree.company_a)
    assert bank_ensure(name=bank.name, by=insider) == bank
    assert QuestionBank.objects.count() == 1


def test_images_of_a_moodle_xml_file_are_stored_and_shown(tree, bank, corpus):
    path = corpus / "moodle_formats/question/format/xml/tests/fixtures/multichoice.xml"
    result = parse_file(path)
    assert result.ok, result.errors
    questions_import(bank=bank, result=result, file_name=path.name, by=tree.examiner)
    (question,) = Question.objects.filter(bank=bank)
    version = question.current
    stored = version.stem + "".join(c["text"] for c in version.choices)
    assert "@@PLUGINFILE@@" not in stored
    sources = re.findall(r'(?:src|href)="([^"]+)"', stored)
    assert len(sources) == 5  # the greeting and four flags
    for url in sources:  # the checked view (exams.selectors.images), not /media/
        prefix = f"/exams/images/{bank.pk}/"
        assert url.startswith(prefix)
        name = unquote(url.removeprefix(prefix))
        assert protected_storage().exists(image_path(bank.pk, name))


def test_the_real_404_question_bank_imports_with_no_errors(tree, bank, corpus):
    path = corpus / "question_banks_zh/magicodes_ie/题库导入模板.xlsx"
    result = parse_file(path)
    assert result.ok, result.errors[:5]
    outcome = questions_import(
        bank=bank, result=result, file_name=path.name, by=tree.examiner
    )
    assert outcome.imported == 404
    assert Question.objects.filter(bank=bank).count() == 404
    assert QuestionVersion.objects.filter(question__bank=bank).count() == 404
    by_type = {
        t: Question.objects.filter(bank=bank, type=t).count() for t in QuestionType
    }
    assert by_type == {QuestionType(t): n for t, n in outcome.counts.items()} | {
        t: 0 for t in QuestionType if str(t) not in outcome.counts
    }


def test_the_models_types_are_the_parsers_types():
    from exams.importers import QuestionType as Parsed

    assert {str(t) for t in Parsed} == set(QuestionType.values)
