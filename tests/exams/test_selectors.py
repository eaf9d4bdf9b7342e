"""Reading the question bank: who sees which bank, the bank page's filters,
pagination in a fixed number of queries, the category tree, safe stems."""

import pytest
from django.http import Http404
from django.utils import timezone

from exams import selectors
from exams.importers import parse_xlsx
from exams.models import Question
from exams.services.banks import bank_create
from exams.services.imports import questions_import
from org.models import Role
from org.services.roles import role_grant
from tests.factories import make_member, xlsx_bytes

HEADERS = ["题型", "题干", "选项A", "选项B", "答案", "难度", "知识点", "分类"]


def single(stem, *, difficulty="中等", point="", category=""):
    return ["单选题", stem, "对的", "错的", "A", difficulty, point, category]


def load(bank, rows, by):
    result = parse_xlsx(xlsx_bytes(HEADERS, rows))
    assert result.ok, [str(e) for e in result.errors]
    questions_import(bank=bank, result=result, file_name="t.xlsx", by=by)


@pytest.fixture
def examiner_a(tree):
    user = make_member(tree.company_a, "钱考官").user
    role_grant(user=user, role=Role.EXAMINER, unit=tree.company_a)
    return user


@pytest.fixture
def banks(tree):
    a = bank_create(by=tree.examiner, name="A公司题库", owner_unit=tree.company_a)
    a1 = bank_create(by=tree.examiner, name="A一支部题库", owner_unit=tree.branch_a1)
    b = bank_create(by=tree.examiner, name="B公司题库", owner_unit=tree.company_b)
    return a, a1, b


def names(questions):
    return [q.name for q in questions]


def test_an_examiner_sees_the_banks_of_the_subtree_they_examine(
    tree, examiner_a, banks
):
    a, a1, b = banks
    assert set(selectors.visible_banks(viewer=examiner_a)) == {a, a1}
    assert set(selectors.visible_banks(viewer=tree.examiner)) == {a, a1, b}
    assert set(selectors.visible_banks(viewer=tree.platform_admin)) == {a, a1, b}
    assert not selectors.visible_banks(viewer=tree.admin_a).exists()
    assert not selectors.visible_banks(viewer=tree.member_a.user).exists()


def test_another_subtrees_bank_is_not_found(tree, examiner_a, banks):
    a, _a1, b = banks
    assert selectors.access_bank(viewer=examiner_a, bank_id=a.pk) == a
    for bank_id in (b.pk, 999999, "x", None):
        with pytest.raises(Http404):
            selectors.access_bank(viewer=examiner_a, bank_id=bank_id)
    with pytest.raises(Http404):
        selectors.access_bank(viewer=tree.admin_a, bank_id=a.pk)


def test_the_questions_of_another_bank_are_never_listed(tree, examiner_a, banks):
    a, _a1, b = banks
    load(b, [single("B公司的题目")], tree.examiner)
    assert not selectors.bank_questions(viewer=examiner_a, bank=b, params={}).exists()
    with pytest.raises(Http404):
        selectors.access_question(
            viewer=examiner_a, bank=a, question_id=Question.objects.get().pk
        )


def test_search_finds_chinese_in_the_name_or_the_stem_ignoring_case(
    tree, examiner_a, banks
):
    a = banks[0]
    load(
        a,
        [
            single("党员每年集中学习培训时间一般不少于多少学时？"),
            single("<p>GIFT 格式的<b>党章</b>题目</p>"),
            single("民主集中制是党的根本组织原则。"),
        ],
        examiner_a,
    )
    Question.objects.filter(name__startswith="民主").update(name="组织原则题")

    def search(q):
        return names(
            selectors.bank_questions(viewer=examiner_a, bank=a, params={"q": q})
        )

    assert search("学习培训") == ["党员每年集中学习培训时间一般不少于多少学时？"]
    assert search("gift") == search("GIFT") == ["GIFT 格式的党章题目"]
    assert search("组织原则") == ["组织原则题"]  # the name, and the stem
    assert search("根本组织原则") == ["组织原则题"]  # only the stem
    assert search("没有这个词") == []
    assert len(search("")) == 3


def test_filters_by_type_difficulty_and_knowledge_point(tree, examiner_a, banks):
    a = banks[0]
    load(
        a,
        [
            single("简单的题", difficulty="简单", point="党章总纲"),
            single("困难的题", difficulty="困难", point="纪律处分条例"),
            ["判断题", "这是判断题", "", "", "对", "中等", "党章总纲", ""],
        ],
        examiner_a,
    )

    def listed(**params):
        return set(
            names(selectors.bank_questions(viewer=examiner_a, bank=a, params=params))
        )

    assert listed(type="truefalse") == {"这是判断题"}
    assert listed(type="single") == {"简单的题", "困难的题"}
    assert listed(difficulty="5") == {"困难的题"}
    assert listed(knowledge_point="党章") == {"简单的题", "这是判断题"}
    assert listed(type="single", knowledge_point="党章总纲") == {"简单的题"}
    # nonsense is ignored rather than an error
    assert len(listed(type="bogus", difficulty="9", category="x")) == 3


def test_a_category_includes_its_descendants(tree, examiner_a, banks):
    a, _a1, b = banks
    load(
        a,
        [
            single("总纲题", category="党章/总纲"),
            single("党员题", category="党章/党员/权利"),
            single("党章题", category="党章"),
            single("条例题", category="党规"),
            single("无分类题"),
        ],
        examiner_a,
    )
    load(b, [single("B的题", category="党章")], tree.examiner)
    categories = {c.name: c for c in selectors.bank_categories(bank=a)}

    def listed(category):
        return set(
            names(
                selectors.bank_questions(
                    viewer=examiner_a, bank=a, params={"category": category.pk}
                )
            )
        )

    assert listed(categories["党章"]) == {"总纲题", "党员题", "党章题"}
    assert listed(categories["党员"]) == {"党员题"}
    assert listed(categories["党规"]) == {"条例题"}
    other = selectors.bank_categories(bank=b)[0]
    assert len(listed(other)) == 5  # another bank's category is no filter at all


def test_the_category_tree_is_in_tree_order_with_counts(tree, examiner_a, banks):
    a = banks[0]
    load(
        a,
        [
            single("一", category="党章/总纲"),
            single("二", category="党章/总纲"),
            single("三", category="党章"),
            single("四", category="党规"),
        ],
        examiner_a,
    )
    tree_ = selectors.bank_categories(bank=a)
    assert [(c.name, c.indent, c.question_count) for c in tree_] == [
        ("党章", 0, 1),
        ("总纲", 1, 2),
        ("党规", 0, 1),
    ]
    assert tree_[1].label.endswith("└ 总纲")
    assert selectors.category_paths([tree_[1]]) == {tree_[1].pk: ["党章", "总纲"]}


def test_archived_questions_are_left_out_unless_asked_for(tree, examiner_a, banks):
    a = banks[0]
    load(a, [single("在用的题"), single("归档的题")], examiner_a)
    Question.objects.filter(name="归档的题").update(archived_at=timezone.now())

    def listed(**params):
        return set(
            names(selectors.bank_questions(viewer=examiner_a, bank=a, params=params))
        )

    assert listed() == {"在用的题"}
    assert listed(archived="yes") == {"归档的题"}
    assert listed(archived="all") == {"在用的题", "归档的题"}
    assert listed(archived="bogus") == {"在用的题"}
    assert dict(selectors.bank_type_counts(bank=a))["single"] == 1


def test_questions_are_listed_newest_first(tree, examiner_a, banks):
    a = banks[0]
    load(a, [single("第一批")], examiner_a)
    load(a, [single("第二批")], examiner_a)
    assert names(selectors.bank_questions(viewer=examiner_a, bank=a, params={})) == [
        "第二批",
        "第一批",
    ]


def test_a_page_holds_fifty_questions_in_two_queries(
    tree, examiner_a, banks, django_assert_num_queries
):
    a = banks[0]
    load(
        a,
        [single(f"第{n:03d}题", category="党章/总纲") for n in range(120)],
        examiner_a,
    )
    selectors.visible_banks(viewer=examiner_a).exists()  # the roles, cached
    filters = selectors.QuestionFilters.from_params({}, bank=a)
    for number, size in ((1, 50), (3, 20)):
        with django_assert_num_queries(2):  # the count, then the page
            page = selectors.bank_question_page(
                viewer=examiner_a, bank=a, params=filters, page_number=number
            )
            rows = [(q.current.number, q.category.name, q.name) for q in page]
        assert len(rows) == size
    assert rows[-1][2] == "第000题"
    assert page.paginator.count == 120


def test_the_bank_list_counts_live_questions_per_type(tree, examiner_a, banks):
    a = banks[0]
    load(
        a,
        [single("一"), single("二"), ["判断题", "三", "", "", "对", "", "", ""]],
        examiner_a,
    )
    Question.objects.filter(name="二").update(archived_at=timezone.now())

    page = selectors.bank_page(viewer=examiner_a, page_number=1)

    listed = {bank.name: bank for bank in page}
    assert set(listed) == {"A公司题库", "A一支部题库"}
    bank = listed["A公司题库"]
    assert bank.question_count == 2
    assert dict(bank.type_counts)["single"] == 1
    assert dict(bank.type_counts)["truefalse"] == 1
    assert bank.last_import_name == "t.xlsx"
    assert listed["A一支部题库"].last_import_at is None


def test_stems_are_shown_through_an_allowlist():
    html = selectors.display_html(
        '<p onclick="x()">题干<script>alert(1)</script><b>重点</b></p>'
        '<img src="javascript:alert(2)" onerror="alert(3)">'
        '<img src="/media/exams/1/a.png" alt="图">'
        '<a href="javascript:alert(4)">链接</a><style>p{}</style>'
        "<table><tr><td colspan=2 style='x'>表</td></tr></table><iframe src=x></iframe>"
    )
    assert "<script" not in html and "alert" not in html
    assert "onclick" not in html and "onerror" not in html and "style" not in html
    assert "<iframe" not in html and "javascript:" not in html
    assert (
        "<b>重点</b>" in html and '<img alt="图" src="/media/exams/1/a.png"/>' in html
    )
    assert '<td colspan="2">表</td>' in html
    assert selectors.display_html("1 < 2 <b>x</b>", "plain") == (
        "<p>1 &lt; 2 &lt;b&gt;x&lt;/b&gt;</p>"
    )
    assert selectors.display_html("第一行\n第二行", "moodle") == "第一行<br>第二行"


def test_a_tag_filter_matches_whole_tags_in_any_case(tree, examiner_a, banks):
    a, _a1, _b = banks
    result = parse_xlsx(
        xlsx_bytes(
            ["题型", "题干", "选项A", "选项B", "答案", "标签"],
            [
                ["单选题", "甲", "对", "错", "A", "党章、Party"],
                ["单选题", "乙", "对", "错", "A", "党章学习"],
                ["单选题", "丙", "对", "错", "A", ""],
            ],
        )
    )
    assert result.ok, [str(e) for e in result.errors]
    questions_import(bank=a, result=result, file_name="t.xlsx", by=examiner_a)

    def tagged(tag):
        found = selectors.bank_questions(viewer=examiner_a, bank=a, params={"tag": tag})
        return sorted(q.current.stem for q in found)

    assert tagged("党章") == ["甲"]
    assert tagged("党章学习") == ["乙"]
    assert tagged("party") == ["甲"]
    assert tagged("党") == []
    assert tagged("") == ["丙", "乙", "甲"]
    assert selectors.bank_tags(bank=a) == ["Party", "党章", "党章学习"]
    filters = selectors.QuestionFilters.from_params({"tag": " 党章 "}, bank=a)
    assert filters.query_string == "tag=%E5%85%9A%E7%AB%A0"
