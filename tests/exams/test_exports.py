"""Stored questions out as Excel and GIFT: what is exported imports again as the
same questions (import → export → parse round trips)."""

from decimal import Decimal

import pytest

from exams.importers import parse_gift, parse_xlsx
from exams.importers.gift import GiftExportError
from exams.models import Question
from exams.services.banks import bank_create
from exams.services.exports import (
    parsed_question,
    questions_export_gift,
    questions_export_xlsx,
)
from exams.services.imports import questions_import
from exams.services.questions import question_revise, version_fields
from tests.factories import xlsx_bytes

HEADERS = [
    "题型",
    "题干",
    "选项A",
    "选项B",
    "选项C",
    "选项D",
    "答案",
    "解析",
    "难度",
    "分值",
    "知识点",
    "分类",
    "标签",
    "关键词",
]

ROWS = [
    [
        "单选题",
        "中国共产党的最高理想和最终目标是（ ）。",
        "实现共产主义",
        "全面建成小康社会",
        "实现中华民族伟大复兴",
        "",
        "A",
        "见《中国共产党章程》总纲。",
        "简单",
        "2",
        "党章总纲",
        "党章/总纲",
        "党章,理想信念",
        "",
    ],
    [
        "多选题",
        "<p>党的纪律包括（ ）。</p>",
        "政治纪律",
        "组织纪律",
        "廉洁纪律",
        "作息纪律",
        "ABC",
        "",
        "中等",
        "3",
        "纪律处分条例",
        "党规",
        "",
        "",
    ],
    [
        *("判断题", "党员每年集中学习培训时间一般不少于32学时。", "", "", "", ""),
        *("对", "", "较易", "", "", "党规", "", ""),
    ],
    [
        *("填空题", "党的根本宗旨是____，党的最高理想是____。", "", "", "", ""),
        *("全心全意为人民服务|共产主义/实现共产主义", "", "", "", "", "", "", ""),
    ],
    [
        *("简答题", "简述“三会一课”的内容。", "", "", "", ""),
        *("支部党员大会、支部委员会、党小组会和党课。", "", "较难", "10", ""),
        *("党支部工作", "", "党课,党小组会"),
    ],
]

GIFT = """// 党规
$CATEGORY: $course$/top/党规/纪律

// [tag:纪律]
::纪律一::[html]<p>违反政治纪律的行为包括</p>{
\t~%50%<b>公开发表</b>违背党的理论的文章#说得对
\t~%50%组织参加反对党的集会
\t~%-100%按时交纳党费#不对
\t####<p>见《条例》第四十四条。</p>
}

::判断::支部委员会每月召开一次 {TRUE#再想想#正确}

::填空::党的最高理想是 {=共产主义 =%50%实现共产主义#接近}

::简答::谈谈你对“两个维护”的理解。{}

::单选::党的根本组织原则是 {=民主集中制 ~集体领导 ~个人分工负责}
"""


def _bank(tree, name="党规题库"):
    return bank_create(by=tree.examiner, name=name, owner_unit=tree.company_a)


def _import(bank, result, by):
    assert result.ok, [str(e) for e in result.errors]
    questions_import(bank=bank, result=result, file_name="t", by=by)
    return list(
        Question.objects.filter(bank=bank).select_related("current", "category")
    )


def _identity(parsed):
    """What a question keeps besides its version fields."""
    return {
        "type": str(parsed.type),
        "name": parsed.name,
        "difficulty": parsed.difficulty or 3,
        "score": Decimal(parsed.default_score or 1),
        "knowledge_point": parsed.knowledge_point,
        "category": parsed.category,
        "tags": parsed.tags,
    }


def _by_stem(questions):
    return {q.stem: q for q in questions}


def test_an_excel_import_exports_and_parses_back_the_same(tree):
    original = parse_xlsx(xlsx_bytes(HEADERS, ROWS))
    bank = _bank(tree)
    stored = _import(bank, original, tree.examiner)

    again = parse_xlsx(questions_export_xlsx(stored))

    assert again.errors == []
    assert len(again.questions) == len(ROWS) == 5
    before, after = _by_stem(original.questions), _by_stem(again.questions)
    assert before.keys() == after.keys()
    for stem, question in before.items():
        assert version_fields(after[stem]) == version_fields(question), stem
        assert _identity(after[stem]) == _identity(question), stem
    essay = after["简述“三会一课”的内容。"]
    assert essay.keywords == ["党课", "党小组会"]
    assert after["中国共产党的最高理想和最终目标是（ ）。"].category == ["党章", "总纲"]


def test_a_gift_import_exports_and_parses_back_the_same(tree):
    original = parse_gift(GIFT.encode())
    bank = _bank(tree)
    stored = _import(bank, original, tree.examiner)

    text = questions_export_gift(stored)
    again = parse_gift(text.encode())

    assert again.errors == [] and again.unsupported == []
    assert len(again.questions) == 5
    before, after = _by_stem(original.questions), _by_stem(again.questions)
    assert before.keys() == after.keys()
    for stem, question in before.items():
        assert version_fields(after[stem]) == version_fields(question), stem
        assert after[stem].category == ["党规", "纪律"]
        assert after[stem].tags == question.tags
    multiple = after["<p>违反政治纪律的行为包括</p>"]
    assert [c.fraction for c in multiple.choices] == [
        Decimal("0.5"),
        Decimal("0.5"),
        Decimal("-1"),
    ]
    assert multiple.choices[0].feedback == "说得对"


def test_parsed_question_is_the_inverse_of_version_fields(tree):
    bank = _bank(tree)
    stored = _import(bank, parse_xlsx(xlsx_bytes(HEADERS, ROWS)), tree.examiner)
    stored += _import(_bank(tree, "GIFT题库"), parse_gift(GIFT.encode()), tree.examiner)
    assert len(stored) == 10
    for question in stored:
        version = question.current
        fields = {
            name: getattr(version, name)
            for name in (
                "stem",
                "stem_format",
                "choices",
                "answer",
                "explanation",
                "feedback",
            )
        }
        assert version_fields(parsed_question(question)) == fields, question.name


def test_the_export_holds_the_current_version(tree):
    bank = _bank(tree)
    stored = _import(bank, parse_xlsx(xlsx_bytes(HEADERS, ROWS[:1])), tree.examiner)
    (question,) = stored
    question_revise(
        question=question, by=tree.examiner, stem="党的最高理想是（ ）。（修订）"
    )
    question.refresh_from_db()

    (again,) = parse_xlsx(questions_export_xlsx([question])).questions

    assert again.stem == "党的最高理想是（ ）。（修订）"
    assert again.correct_letters == "A"


def test_gift_cannot_hold_a_blank_question_with_two_blanks(tree):
    bank = _bank(tree)
    stored = _import(bank, parse_xlsx(xlsx_bytes(HEADERS, ROWS[3:4])), tree.examiner)

    with pytest.raises(GiftExportError):
        questions_export_gift(stored)
    assert parse_xlsx(questions_export_xlsx(stored)).questions[0].blanks


def test_category_paths_are_read_in_one_query(tree, django_assert_num_queries):
    bank = _bank(tree)
    stored = _import(bank, parse_xlsx(xlsx_bytes(HEADERS, ROWS)), tree.examiner)

    with django_assert_num_queries(1):
        questions_export_xlsx(stored)


def test_the_real_magicodes_bank_round_trips(tree, corpus):
    source = corpus / "question_banks_zh" / "magicodes_ie" / "题库导入模板.xlsx"
    original = parse_xlsx(source.read_bytes())
    stored = _import(_bank(tree), original, tree.examiner)

    again = parse_xlsx(questions_export_xlsx(stored))

    assert len(stored) == 404
    assert again.errors == [] and len(again.questions) == 404
    assert sorted(version_fields(q)["stem"] for q in again.questions) == sorted(
        version_fields(q)["stem"] for q in original.questions
    )
    before, after = _by_stem(original.questions), _by_stem(again.questions)
    for stem, question in before.items():
        assert version_fields(after[stem]) == version_fields(question), stem
