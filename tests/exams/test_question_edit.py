"""新建试题 and 编辑 in the 题库 admin (exams/admin_question_views.py, the form in
exams/question_forms.py, the rules in exams/services/questions.py): every type by
hand, stored exactly as an import stores it, a change of the content as the next
version (past attempts keep theirs), the importers' rules, and the bank's scope.

The edit tests post back what the browser would: the edit page is fetched and its
fields are read from the HTML (textareas with CRLF line ends, as browsers send).
"""

import re
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from exams.importers import ParsedChoice, ParsedQuestion, parse_gift, parse_xlsx
from exams.models import Question, QuestionCategory, QuestionType, QuestionVersion
from exams.selectors.attempts import attempt_sheet
from exams.services.attempts import attempt_start, attempt_submit
from exams.services.banks import bank_create
from exams.services.categories import category_add
from exams.services.imports import questions_import
from exams.services.questions import (
    question_create,
    question_edit,
    question_key_correct,
    question_regrade,
)
from org.models import Role
from org.services.roles import role_grant
from tests.exams.sitting import answer_all_right, by_type, exam_paper, make_exam
from tests.factories import make_member, xlsx_bytes

BASE = "/admin/question-banks/"
HEADERS = ["题型", "题干", "选项A", "选项B", "选项C", "选项D", "答案", "解析",
           "难度", "分值", "知识点", "标签", "关键词"]  # fmt: skip
STORED = ("stem", "stem_format", "choices", "answer", "explanation", "feedback")


@pytest.fixture
def examiner_a(tree):
    user = make_member(tree.company_a, "钱考官").user
    role_grant(user=user, role=Role.EXAMINER, unit=tree.company_a)
    return user


@pytest.fixture
def examiner_b(tree):
    user = make_member(tree.company_b, "孙考官").user
    role_grant(user=user, role=Role.EXAMINER, unit=tree.company_b)
    return user


@pytest.fixture
def bank_a(tree):
    return bank_create(by=tree.examiner, name="A公司题库", owner_unit=tree.company_a)


def new_url(bank, kind=""):
    return f"{BASE}{bank.pk}/questions/new/" + (f"?type={kind}" if kind else "")


def edit_url(question):
    return f"{BASE}{question.bank_id}/questions/{question.pk}/edit/"


def detail_url(question):
    return f"{BASE}{question.bank_id}/questions/{question.pk}/"


def stored(question) -> dict:
    version = Question.objects.get(pk=question.pk).current
    return {name: getattr(version, name) for name in STORED}


def browser_form(html: str) -> dict:
    """The fields of the page's question form as a browser would submit them."""
    form = BeautifulSoup(html, "html.parser").find("form", {"data-question-form": True})
    data: dict[str, list[str]] = {}
    for field in form.find_all(["input", "textarea", "select"]):
        name = field.get("name")
        if not name or name == "csrfmiddlewaretoken":
            continue
        if field.name == "textarea":  # the newline after <textarea> is not content
            value = (field.string or "").removeprefix("\n")
            data.setdefault(name, []).append(value.replace("\n", "\r\n"))
        elif field.name == "select":
            chosen = field.find("option", selected=True) or field.find("option")
            data.setdefault(name, []).append(chosen.get("value", "") if chosen else "")
        elif field.get("type") in ("radio", "checkbox"):
            if field.has_attr("checked"):
                data.setdefault(name, []).append(field.get("value", "on"))
        else:
            data.setdefault(name, []).append(field.get("value", ""))
    return data


def edit(client, question, **changes):
    """Open the edit page, change some fields, save."""
    page = client.get(edit_url(question))
    assert page.status_code == 200
    data = browser_form(page.content.decode())
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value if isinstance(value, list) else [value]
    return client.post(edit_url(question), data)


# --- making a question by hand ----------------------------------------------------


def test_the_bank_page_has_a_new_question_button_and_the_types_to_choose(
    tree, examiner_a, bank_a, client_for
):
    client = client_for(examiner_a)
    bank_page = client.get(f"{BASE}{bank_a.pk}/").content.decode()
    assert "新建试题" in bank_page and new_url(bank_a) in bank_page
    chooser = client.get(new_url(bank_a)).content.decode()
    for label in ("单选题", "多选题", "判断题", "填空题", "简答题"):
        assert label in chooser
    assert "?type=blank" in chooser and "选择题型" in chooser
    form = client.get(new_url(bank_a, "single")).content.decode()
    assert "题干" in form and "选项" in form and "正确答案" in form
    assert form.count('name="answer"') == 8  # A–H, no JavaScript needed


def test_a_hand_made_single_is_stored_as_the_excel_import_stores_it(
    tree, examiner_a, bank_a, client_for
):
    category = category_add(by=examiner_a, bank=bank_a, name="党章", parent=None)
    response = client_for(examiner_a).post(
        new_url(bank_a, "single"),
        {
            "stem": "党的最高理想是什么？",
            "option_0": "共产主义", "option_1": "小康社会", "option_2": "富强",
            "answer": "A", "explanation": "党章总纲", "difficulty": "2",
            "default_score": "2.5", "knowledge_point": "党章", "tags": "党章、理想",
            "category": category.pk,
        },
    )  # fmt: skip
    question = Question.objects.get(bank=bank_a)
    assert response.status_code == 302 and response.url == detail_url(question)
    assert question.type == "single" and question.name == "党的最高理想是什么？"
    assert question.difficulty == 2 and question.default_score == Decimal("2.50")
    assert question.knowledge_point == "党章" and question.tags == ["党章", "理想"]
    assert question.category == category and question.created_by == examiner_a
    assert question.current.number == 1 and question.current.created_by == examiner_a

    row = ["单选", "党的最高理想是什么？", "共产主义", "小康社会", "富强", "", "A",
           "党章总纲"]  # fmt: skip
    sheet = xlsx_bytes(HEADERS, [row])
    questions_import(
        bank=bank_a, result=parse_xlsx(sheet), file_name="x.xlsx", by=examiner_a
    )
    imported = Question.objects.get(bank=bank_a, source__startswith="x.xlsx")
    assert stored(question) == stored(imported)


@pytest.mark.parametrize(
    ("kind", "post", "row"),
    [
        (
            "truefalse",
            {"stem": "党员应当按期交纳党费。", "truth": "true"},
            ["判断", "党员应当按期交纳党费。", "", "", "", "", "对"],
        ),
        (
            "blank",
            {"stem": "党的根本宗旨是____，党的性质是____。",
             "blank_0": "全心全意为人民服务", "blank_1": "先锋队\r\n先锋"},
            ["填空", "党的根本宗旨是____，党的性质是____。", "", "", "", "",
             "全心全意为人民服务|先锋队/先锋"],
        ),
        (
            "essay",
            {"stem": "谈谈你对从严治党的认识。", "reference": "全面从严治党",
             "keywords": "从严、治党"},
            ["简答", "谈谈你对从严治党的认识。", "", "", "", "", "全面从严治党", "",
             "", "", "", "", "从严、治党"],
        ),
    ],
)  # fmt: skip
def test_hand_made_questions_store_what_imports_store(
    tree, examiner_a, bank_a, client_for, kind, post, row
):
    data = {"difficulty": "3", "default_score": "1", **post}
    response = client_for(examiner_a).post(new_url(bank_a, kind), data)
    assert response.status_code == 302, response.content.decode()
    hand = Question.objects.get(bank=bank_a)
    result = parse_xlsx(xlsx_bytes(HEADERS, [row]))
    assert result.ok, [str(e) for e in result.errors]
    questions_import(bank=bank_a, result=result, file_name="x.xlsx", by=examiner_a)
    imported = Question.objects.exclude(pk=hand.pk).get(bank=bank_a)
    assert hand.type == imported.type == kind
    assert stored(hand) == stored(imported)


def test_a_hand_made_multiple_shares_the_mark_and_wrong_options_cost_one(
    tree, examiner_a, bank_a, client_for
):
    client_for(examiner_a).post(
        new_url(bank_a, "multiple"),
        {"stem": "四个意识包括", "option_0": "政治意识", "option_1": "大局意识",
         "option_2": "享乐意识", "option_3": "核心意识", "right": ["A", "B", "D"],
         "difficulty": "3", "default_score": "4"},
    )  # fmt: skip
    version = Question.objects.get(bank=bank_a).current
    assert version.answer == ["A", "B", "D"]
    assert [c["fraction"] for c in version.choices] == [
        "0.3333333", "0.3333333", "-1", "0.3333333"
    ]  # fmt: skip


def test_a_blank_is_graded_against_each_accepted_answer_and_case(
    tree, examiner_a, bank_a, client_for
):
    from exams.services.grading import response_fraction

    client_for(examiner_a).post(
        new_url(bank_a, "blank"),
        {"stem": "Python 的作者是____。", "blank_0": "Guido\r\nGuido van Rossum\r\n",
         "case_sensitive": "on", "difficulty": "3", "default_score": "1"},
    )  # fmt: skip
    question = Question.objects.get(bank=bank_a)
    version = question.current
    assert version.answer == {
        "blanks": [[{"text": "Guido", "fraction": "1"},
                    {"text": "Guido van Rossum", "fraction": "1"}]],
        "case_sensitive": True,
    }  # fmt: skip
    assert response_fraction(version, "blank", ["Guido van Rossum"]) == 1
    assert response_fraction(version, "blank", ["guido"]) == 0


def test_the_form_says_what_is_wrong_in_chinese_and_saves_nothing(
    tree, examiner_a, bank_a, client_for
):
    client = client_for(examiner_a)
    base = {"difficulty": "3", "default_score": "1"}
    no_key = client.post(
        new_url(bank_a, "single"),
        {**base, "stem": "题干", "option_0": "甲", "option_1": "乙"},
    ).content.decode()
    assert "请选择正确选项。" in no_key and "未保存" in no_key
    one_option = client.post(
        new_url(bank_a, "multiple"),
        {**base, "stem": "题干", "option_0": "甲", "right": ["A"]},
    ).content.decode()
    assert "选择题至少需要两个选项。" in one_option
    empty_marked = client.post(
        new_url(bank_a, "single"),
        {**base, "stem": "题干", "option_0": "甲", "option_1": "乙", "answer": "C"},
    ).content.decode()
    assert "选项 C 被标为正确答案，但没有内容。" in empty_marked
    blanks = client.post(
        new_url(bank_a, "blank"),
        {**base, "stem": "____和____", "blank_0": "甲"},
    ).content.decode()
    assert "题干有 2 个空，答案却填了 1 个。" in blanks
    no_truth = client.post(
        new_url(bank_a, "truefalse"), {**base, "stem": "对吗？"}
    ).content.decode()
    assert "请选择正确或错误。" in no_truth
    bad_score = client.post(
        new_url(bank_a, "essay"), {**base, "stem": "谈谈", "default_score": "0"}
    ).content.decode()
    assert "分值" in bad_score and 'class="w-field__errors"' in bad_score
    assert not Question.objects.exists() and not QuestionVersion.objects.exists()
    # what was typed stays in the form
    assert "甲" in one_option and "____和____" in blanks


def test_the_service_enforces_the_importers_rules(tree, examiner_a, bank_a):
    def single(*marks):
        return ParsedQuestion(
            type=QuestionType.SINGLE,
            stem="题干",
            choices=[ParsedChoice(f"选项{i}", Decimal(m)) for i, m in enumerate(marks)],
        )

    with pytest.raises(ValidationError) as two_right:
        question_create(by=examiner_a, bank=bank_a, parsed=single(1, 1, 0))
    assert "choices" in two_right.value.error_dict
    with pytest.raises(ValidationError) as nine:
        question_create(by=examiner_a, bank=bank_a, parsed=single(1, *[0] * 8))
    assert "choices" in nine.value.error_dict
    with pytest.raises(ValidationError) as empty:
        question_create(
            by=examiner_a,
            bank=bank_a,
            parsed=ParsedQuestion(type=QuestionType.ESSAY, stem="  \r\n "),
        )
    assert "stem" in empty.value.error_dict
    other_bank = bank_create(by=examiner_a, name="另一题库", owner_unit=tree.company_a)
    foreign = category_add(by=examiner_a, bank=other_bank, name="别的", parent=None)
    with pytest.raises(ValidationError) as category:
        question_create(
            by=examiner_a, bank=bank_a, parsed=single(1, 0), category=foreign
        )
    assert "category" in category.value.error_dict
    assert not Question.objects.exists()


def test_create_and_add_another_comes_back_to_an_empty_form(
    tree, examiner_a, bank_a, client_for
):
    response = client_for(examiner_a).post(
        new_url(bank_a, "truefalse"),
        {"stem": "对吗？", "truth": "false", "difficulty": "3", "default_score": "1",
         "next": "another"},
    )  # fmt: skip
    assert response.url == new_url(bank_a, "truefalse")
    assert Question.objects.get().current.answer is False


def test_a_script_typed_into_a_stem_is_not_rendered(
    tree, examiner_a, bank_a, client_for
):
    client = client_for(examiner_a)
    client.post(
        new_url(bank_a, "essay"),
        {"stem": '<p>请<b>简述</b></p><script>alert("x")</script>',
         "difficulty": "3", "default_score": "1"},
    )  # fmt: skip
    question = Question.objects.get()
    assert question.current.stem_format == "html"
    page = client.get(detail_url(question)).content.decode()
    assert "<p>请<b>简述</b></p>" in page and 'alert("x")' not in page


# --- editing ----------------------------------------------------------------------


def test_saving_the_edit_page_unchanged_makes_no_new_version(
    tree, examiner_a, bank_a, client_for
):
    sheet = xlsx_bytes(HEADERS, [
        ["单选", "<p>党的最高理想是</p>\n<p>（多行题干）</p>", "共产主义", "小康",
         "", "", "A", "第一行\n第二行", "较难", "3", "党章", "理想"],
        ["填空", "宗旨是____", "", "", "", "", "为人民服务/全心全意为人民服务"],
        ["简答", "谈谈认识", "", "", "", "", "参考\n答案", "", "", "", "", "",
         "从严 治党"],
        ["判断", "对吗", "", "", "", "", "错"],
        ["多选", "哪些对", "甲", "乙", "丙", "", "AB"],
    ])  # fmt: skip
    result = parse_xlsx(sheet)
    assert result.ok, [str(e) for e in result.errors]
    questions_import(bank=bank_a, result=result, file_name="x.xlsx", by=examiner_a)
    client = client_for(examiner_a)
    for question in Question.objects.all():
        before = stored(question)
        response = edit(client, question)
        assert response.status_code == 302, response.content.decode()
        assert Question.objects.get(pk=question.pk).current.number == 1, question.type
        assert stored(question) == before
    message = client.get(response.url).content.decode()
    assert "没有改动" in message


def test_an_edit_is_the_next_version_and_past_attempts_keep_the_old_one(
    tree, client_for
):
    now = timezone.now()
    exam = make_exam(tree, exam_paper(tree), now)
    member = tree.member_a.user
    attempt = attempt_start(user=member, exam=exam, now=now)
    answer_all_right(attempt, now)
    attempt = attempt_submit(attempt=attempt, now=now)
    score = attempt.score
    _pos, drawn = by_type(attempt)["single"]
    question = Question.objects.get(pk=drawn.question_id)
    old_version = question.current

    client = client_for(tree.examiner)
    response = edit(
        client, question, stem="党的最高理想和最终目标是", option_0="实现共产主义",
        answer="B", difficulty="5",
    )  # fmt: skip
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.current.number == 2 and question.current.created_by == tree.examiner
    assert question.current.stem == "党的最高理想和最终目标是"
    assert question.current.answer == ["B"] and question.difficulty == 5
    assert QuestionVersion.objects.get(pk=old_version.pk).stem == "党的最高理想是"

    attempt.refresh_from_db()
    assert attempt.score == score  # graded against what it showed
    shown = attempt_sheet(attempt=attempt, viewer=member, now=now)
    stems = [q["stem"] for q in shown["questions"]]
    assert any("党的最高理想是" in s for s in stems)
    assert not any("最终目标" in s for s in stems)

    other = make_member(tree.company_a, "新党员").user
    fresh = attempt_start(user=other, exam=exam, now=now)
    stems = [q["stem"] for q in attempt_sheet(attempt=fresh, viewer=other)["questions"]]
    assert any("最终目标" in s for s in stems)


def test_question_fields_change_on_the_question_without_a_new_version(
    tree, examiner_a, bank_a, client_for
):
    category = category_add(by=examiner_a, bank=bank_a, name="党规", parent=None)
    client = client_for(examiner_a)
    client.post(
        new_url(bank_a, "truefalse"),
        {"stem": "对吗？", "truth": "true", "difficulty": "3", "default_score": "1"},
    )
    question = Question.objects.get()
    response = edit(
        client, question, difficulty="4", default_score="3.5", tags="纪律 党规",
        knowledge_point="纪律", category=str(category.pk), name="纪律判断",
    )  # fmt: skip
    question.refresh_from_db()
    assert question.current.number == 1
    assert (question.difficulty, question.default_score) == (4, Decimal("3.50"))
    assert question.tags == ["纪律", "党规"] and question.knowledge_point == "纪律"
    assert question.category == category and question.name == "纪律判断"
    assert (
        "内容没有变化，因此没有生成新版本" in client.get(response.url).content.decode()
    )


def test_options_are_removed_added_and_letters_move_up(
    tree, examiner_a, bank_a, client_for
):
    client = client_for(examiner_a)
    client.post(
        new_url(bank_a, "single"),
        {"stem": "选哪个", "option_0": "甲", "option_1": "乙", "option_2": "丙",
         "answer": "C", "difficulty": "3", "default_score": "1"},
    )  # fmt: skip
    question = Question.objects.get()
    edit(client, question, option_1="", option_3="丁", option_4="戊")
    version = Question.objects.get().current
    assert [(c["key"], c["text"]) for c in version.choices] == [
        ("A", "甲"), ("B", "丙"), ("C", "丁"), ("D", "戊")
    ]  # fmt: skip
    assert version.answer == ["B"] and version.number == 2


def test_rewording_a_moodle_question_keeps_its_part_marks(tree, examiner_a, bank_a):
    result = parse_gift("::Q1:: 党的最高理想是 {=共产主义 ~%50%社会主义 ~小康}")
    questions_import(bank=bank_a, result=result, file_name="q.gift", by=examiner_a)
    question = Question.objects.get()
    fractions = [c["fraction"] for c in question.current.choices]
    assert fractions == ["1", "0.5", "0"]

    def parsed(stem, right):
        return ParsedQuestion(
            type=QuestionType.SINGLE,
            stem=stem,
            choices=[ParsedChoice(t, Decimal(t == right))
                     for t in ("共产主义", "社会主义", "小康")],
        )  # fmt: skip

    saved = question_edit(
        by=examiner_a,
        question=question,
        parsed=parsed("改过的题干", "共产主义"),
        category=None,
    )
    assert saved.version.number == 2
    assert [c["fraction"] for c in saved.version.choices] == fractions
    saved = question_edit(
        by=examiner_a,
        question=question,
        parsed=parsed("改过的题干", "小康"),
        category=None,
    )
    assert [c["fraction"] for c in saved.version.choices] == ["0", "0", "1"]
    assert saved.version.answer == ["C"]


def test_an_edit_over_a_newer_version_is_refused_then_saved_knowingly(
    tree, examiner_a, bank_a, client_for
):
    client = client_for(examiner_a)
    client.post(
        new_url(bank_a, "truefalse"),
        {"stem": "对吗？", "truth": "true", "difficulty": "3", "default_score": "1"},
    )
    question = Question.objects.get()
    stale = browser_form(client.get(edit_url(question)).content.decode())
    question_key_correct(by=tree.examiner, question=question, truth=False)
    stale["stem"] = ["我先打开的编辑页"]
    refused = client.post(edit_url(question), stale)
    assert refused.status_code == 200
    assert "有人保存了本题的第 2 版" in refused.content.decode()
    assert Question.objects.get().current.stem == "对吗？"
    again = client.post(edit_url(question), browser_form(refused.content.decode()))
    assert again.status_code == 302
    assert Question.objects.get().current.stem == "我先打开的编辑页"


def test_the_question_page_lists_versions_with_who_when_and_what_changed(
    tree, examiner_a, bank_a, client_for
):
    client = client_for(examiner_a)
    client.post(
        new_url(bank_a, "single"),
        {"stem": "原题干", "option_0": "甲", "option_1": "乙", "answer": "A",
         "difficulty": "3", "default_score": "1"},
    )  # fmt: skip
    question = Question.objects.get()
    edit(client, question, stem="新题干")
    question_key_correct(by=tree.examiner, question=question, keys=["B"])
    page = client.get(detail_url(question)).content.decode()
    history = page[page.index("data-history") :]
    assert "编辑" in page and edit_url(question) in page
    rows = re.findall(r"<li>(.*?)</li>", history, re.S)
    assert "v3" in rows[0] and "郑考官" in rows[0] and "改动：答案" in rows[0]
    assert "v2" in rows[1] and "钱考官" in rows[1] and "题干" in rows[1]
    assert "v1" in rows[2] and "第一版" in rows[2]
    assert timezone.localtime().strftime("%Y-%m-%d") in rows[0]


def test_a_type_cannot_change(tree, examiner_a, bank_a):
    question = question_create(
        by=examiner_a,
        bank=bank_a,
        parsed=ParsedQuestion(type=QuestionType.ESSAY, stem="谈谈"),
    )
    with pytest.raises(ValidationError):
        question_edit(
            by=examiner_a,
            question=question,
            parsed=ParsedQuestion(
                type=QuestionType.TRUEFALSE, stem="谈谈", correct=True
            ),
            category=None,
        )


# --- the key correction and regrading ------------------------------------------------


def test_regrading_is_refused_after_options_were_removed(tree, client_for):
    now = timezone.now()
    exam = make_exam(tree, exam_paper(tree), now)
    attempt = attempt_start(user=tree.member_a.user, exam=exam, now=now)
    answer_all_right(attempt, now)
    attempt_submit(attempt=attempt, now=now)
    _pos, drawn = by_type(attempt)["multiple"]
    question = Question.objects.get(pk=drawn.question_id)
    client = client_for(tree.examiner)
    edit(client, question, option_3="")  # 享乐意识 goes
    question.refresh_from_db()
    assert len(question.current.choices) == 3
    with pytest.raises(ValidationError):
        question_regrade(by=tree.examiner, question=question, exam=exam)
    response = client.post(f"{detail_url(question)}regrade/", {"exam": exam.pk})
    page = client.get(response.url).content.decode()
    assert "增删了选项" in page
    attempt.refresh_from_db()
    assert all(e["version_id"] != question.current_id for e in attempt.draw)


def test_a_key_corrected_without_changes_makes_no_version(tree, examiner_a, bank_a):
    question = question_create(
        by=examiner_a,
        bank=bank_a,
        parsed=ParsedQuestion(
            type=QuestionType.MULTIPLE,
            stem="哪些对",
            choices=[ParsedChoice("甲", Decimal(1)), ParsedChoice("乙", Decimal(1)),
                     ParsedChoice("丙")],
        ),
    )  # fmt: skip
    version = question_key_correct(by=examiner_a, question=question, keys=["A", "B"])
    assert version.number == 1
    version = question_key_correct(by=examiner_a, question=question, keys=["A"])
    assert version.number == 2 and version.answer == ["A"]
    assert [c["fraction"] for c in version.choices] == ["1", "-1", "-1"]


# --- scope ------------------------------------------------------------------------


def test_another_subtrees_examiner_can_neither_create_nor_edit(
    tree, examiner_a, examiner_b, bank_a, client_for
):
    question = question_create(
        by=examiner_a,
        bank=bank_a,
        parsed=ParsedQuestion(type=QuestionType.ESSAY, stem="谈谈"),
    )
    client = client_for(examiner_b)
    for url in (new_url(bank_a), new_url(bank_a, "essay"), edit_url(question)):
        assert client.get(url).status_code == 404, url
    data = {"stem": "改掉", "difficulty": "3", "default_score": "1"}
    assert client.post(new_url(bank_a, "essay"), data).status_code == 404
    assert client.post(edit_url(question), data).status_code == 404
    for user in (tree.admin_a, tree.editor):  # in the admin, but not examiners
        assert client_for(user).get(edit_url(question)).status_code == 404
    assert client_for(tree.member_a.user).get(edit_url(question)).status_code in (
        302, 403, 404
    )  # fmt: skip
    with pytest.raises(PermissionDenied):
        question_edit(
            by=examiner_b,
            question=question,
            parsed=ParsedQuestion(type=QuestionType.ESSAY, stem="改掉"),
            category=None,
        )
    with pytest.raises(PermissionDenied):
        question_create(
            by=examiner_b,
            bank=bank_a,
            parsed=ParsedQuestion(type=QuestionType.ESSAY, stem="新的"),
        )
    assert Question.objects.get().current.stem == "谈谈"
    assert Question.objects.count() == 1 and QuestionVersion.objects.count() == 1
    # examiners above the owning unit manage it
    assert client_for(tree.examiner).get(edit_url(question)).status_code == 200
    assert QuestionCategory.objects.count() == 0


def test_an_imported_question_with_ten_options_keeps_them_all(
    tree, examiner_a, bank_a, client_for
):
    options = " ".join(["=甲", *(f"~选项{i}" for i in range(9))])
    result = parse_gift(f"::十选一:: 选出正确的一项 {{{options}}}")
    questions_import(bank=bank_a, result=result, file_name="q.gift", by=examiner_a)
    question = Question.objects.get()
    client = client_for(examiner_a)
    assert 'name="option_9"' in client.get(edit_url(question)).content.decode()
    edit(client, question, difficulty="5", answer="J")
    question.refresh_from_db()
    assert question.difficulty == 5 and question.current.number == 2
    assert len(question.current.choices) == 10 and question.current.answer == ["J"]


def _resubmitted(form) -> dict:
    """An unbound form's initial values as a browser sends them back."""
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value in (None, False, "", []):
            continue
        if isinstance(value, list):
            data[name] = value
        elif value is True:
            data[name] = "on"
        else:
            data[name] = str(getattr(value, "pk", value)).replace("\n", "\r\n")
    return data


@pytest.mark.parametrize(
    "path",
    [
        "moodle_formats/question/format/gift/tests/fixtures/questions.gift.txt",
        "moodle_formats/question/format/xml/tests/fixtures/multichoice.xml",
        "moodle_formats/question/format/xml/tests/fixtures/truefalse.xml",
        "moodle_formats/question/type/multichoice/tests/fixtures/testquestion.moodle.xml",
        "moodle_formats/question/type/essay/tests/fixtures/testquestion.moodle.xml",
        "moodle_formats/question/type/shortanswer/tests/fixtures/testquestion.moodle.xml",
        "question_banks_zh/magicodes_ie/题库导入模板.xlsx",
    ],
)
def test_real_files_open_and_save_in_the_form_without_a_new_version(
    tree, examiner_a, bank_a, corpus, path
):
    from exams.importers import parse_file
    from exams.question_forms import QuestionForm
    from exams.services.exports import parsed_question

    result = parse_file(corpus / path)
    assert result.ok, [str(e) for e in result.errors]
    questions_import(bank=bank_a, result=result, file_name=path, by=examiner_a)
    questions = list(Question.objects.select_related("current", "category"))
    assert questions
    for question in questions:
        sizes = {
            "kind": question.type,
            "categories": QuestionCategory.objects.filter(bank=bank_a),
            "options": len(question.current.choices),
        }
        shown = QuestionForm(
            parsed=parsed_question(question), category=question.category, **sizes
        )
        form = QuestionForm(_resubmitted(shown), **sizes)
        assert form.is_valid(), (question.name, form.errors)
        saved = question_edit(
            by=examiner_a,
            question=question,
            parsed=form.parsed(),
            category=form.cleaned_data["category"],
        )
        assert saved.version is None and saved.changed == (), question.name
