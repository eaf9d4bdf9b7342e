"""Papers: fixed and random, and the per-candidate draw (exams/services/papers.py)."""

import json
from collections import Counter
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from exams.importers import parse_gift
from exams.models import PaperKind, Question, QuestionCategory, QuestionType
from exams.services.bulk import questions_archive
from exams.services.imports import bank_ensure, questions_import
from exams.services.papers import (
    DrawnQuestion,
    RuleSpec,
    paper_create,
    paper_draw,
    paper_set_items,
    paper_set_rules,
    paper_total,
)
from exams.services.questions import question_revise
from org.models import Role
from org.services.roles import role_grant
from tests.factories import make_member


def gift(category: str, prefix: str, singles=0, multiples=0, truefalse=0) -> str:
    lines = [f"$CATEGORY: $course$/top/{category}", ""]
    for i in range(singles):
        lines.append(f"::{prefix}S{i}:: {prefix}单选{i} {{=对 ~错一 ~错二 ~错三}}\n")
    for i in range(multiples):
        lines.append(
            f"::{prefix}M{i}:: {prefix}多选{i} "
            "{~%50%甲 ~%-100%乙 ~%50%丙 ~%-100%丁}\n"
        )
    for i in range(truefalse):
        lines.append(f"::{prefix}T{i}:: {prefix}判断{i} {{T}}\n")
    return "\n".join(lines)


def load(bank, by, text: str) -> None:
    result = parse_gift(text.encode())
    assert result.ok, result.errors
    questions_import(bank=bank, result=result, file_name="t.gift", by=by)


@pytest.fixture
def bank(tree):
    bank = bank_ensure(name="组卷题库", by=tree.examiner, owner_unit=tree.company_a)
    load(bank, tree.examiner, gift("党史", "H", singles=4, multiples=3, truefalse=2))
    load(bank, tree.examiner, gift("党史/新时代", "N", singles=6, multiples=2))
    load(bank, tree.examiner, gift("党章", "Z", singles=5, truefalse=3))
    return bank


def category(bank, name):
    return QuestionCategory.objects.get(bank=bank, name=name)


def questions(bank, prefix=""):
    return list(
        Question.objects.filter(bank=bank, name__startswith=prefix).order_by("pk")
    )


def test_a_fixed_paper_draws_its_items_with_their_scores(tree, bank):
    paper = paper_create(
        by=tree.examiner,
        bank=bank,
        title="  党史 测验 ",
        kind=PaperKind.FIXED,
        shuffle_questions=False,
        shuffle_options=False,
    )
    assert paper.title == "党史 测验"
    s0, s1, m0 = (
        Question.objects.get(name=n, bank=bank) for n in ("HS0", "HS1", "HM0")
    )
    paper_set_items(
        by=tree.examiner, paper=paper, items=[(m0, 4), (s0, "2.5"), (s1, None)]
    )
    assert paper_total(paper) == Decimal("7.50")  # None: the default score (1)
    drawn = paper_draw(paper=paper, seed="1:1")
    assert [(d.question_id, d.score, d.order) for d in drawn] == [
        (m0.pk, Decimal(4), 1),
        (s0.pk, Decimal("2.5"), 2),
        (s1.pk, Decimal(1), 3),
    ]
    assert drawn[0].option_order == ["A", "B", "C", "D"]
    assert drawn[0].version_id == m0.current_id
    # setting the items again replaces them
    paper_set_items(by=tree.examiner, paper=paper, items=[(s0, 10)])
    assert paper_total(paper) == Decimal(10)
    assert [d.question_id for d in paper_draw(paper=paper, seed="x")] == [s0.pk]


def test_fixed_items_must_be_live_questions_of_the_bank_once(tree, bank):
    paper = paper_create(by=tree.examiner, bank=bank, title="卷", kind="fixed")
    other = bank_ensure(name="别的题库", by=tree.examiner, owner_unit=tree.company_a)
    load(other, tree.examiner, gift("其他", "O", singles=1))
    (foreign,) = questions(other)
    s0, s1, s2 = questions(bank, "HS")[:3]
    questions_archive(by=tree.examiner, questions=[s2])
    paper_set_items(by=tree.examiner, paper=paper, items=[(s0, 1)])
    with pytest.raises(ValidationError) as info:
        paper_set_items(
            by=tree.examiner,
            paper=paper,
            items=[(s1, 1), (foreign, 1), (s2, 1), (s1, 1), (s0, 0)],
        )
    messages = info.value.messages
    assert len(messages) == 4
    assert "2" in messages[0] and "3" in messages[1] and "4" in messages[2]
    assert "5" in messages[3]
    # nothing changed
    assert [i.question_id for i in paper.items.all()] == [s0.pk]
    random_paper = paper_create(by=tree.examiner, bank=bank, title="随", kind="random")
    with pytest.raises(ValidationError):
        paper_set_items(by=tree.examiner, paper=random_paper, items=[(s0, 1)])


def test_random_rules_draw_counts_per_type_category_and_difficulty(tree, bank):
    party_history = category(bank, "党史")
    new_era = category(bank, "新时代")
    # difficulty 4 for two of the new-era singles
    hard = [q.pk for q in questions(bank, "NS")[:2]]
    Question.objects.filter(pk__in=hard).update(difficulty=4)
    paper = paper_create(by=tree.examiner, bank=bank, title="随机卷", kind="random")
    paper_set_rules(
        by=tree.examiner,
        paper=paper,
        rules=[
            RuleSpec(
                type=QuestionType.SINGLE,
                category=new_era,
                difficulty_min=4,
                count=2,
                score=3,
            ),
            # 党史 with its descendant 新时代: 4 + 6 singles, 2 of them taken above
            {"type": "single", "category": party_history, "count": 8, "score": "1.5"},
            {"type": "multiple", "category": party_history, "count": 5, "score": 2},
            {"type": "truefalse", "count": 5, "score": 1},
        ],
    )
    assert paper_total(paper) == Decimal(6 + 12 + 10 + 5)
    for seed in ("a", "b", "c"):
        drawn = paper_draw(paper=paper, seed=seed)
        assert len(drawn) == 20
        ids = [d.question_id for d in drawn]
        assert len(set(ids)) == 20
        by_id = Question.objects.select_related("category").in_bulk(ids)
        kinds = Counter(by_id[i].type for i in ids)
        assert kinds == {"single": 10, "multiple": 5, "truefalse": 5}
        hard_drawn = [d for d in drawn if d.question_id in hard]
        assert {d.score for d in hard_drawn} == {Decimal(3)}
        assert len(hard_drawn) == 2
        singles = [by_id[i] for i in ids if by_id[i].type == "single"]
        assert all(q.category.name in ("党史", "新时代") for q in singles)
        assert [d.order for d in drawn] == list(range(1, 21))
        assert sum(d.score for d in drawn) == paper_total(paper)


def test_archived_questions_are_never_drawn(tree, bank):
    singles = questions(bank, "ZS")
    questions_archive(by=tree.examiner, questions=singles[:2])
    paper = paper_create(by=tree.examiner, bank=bank, title="党章", kind="random")
    paper_set_rules(
        by=tree.examiner,
        paper=paper,
        rules=[
            {
                "type": "single",
                "category": category(bank, "党章"),
                "count": 3,
                "score": 1,
            }
        ],
    )
    archived = {q.pk for q in singles[:2]}
    for seed in map(str, range(10)):
        drawn = {d.question_id for d in paper_draw(paper=paper, seed=seed)}
        assert len(drawn) == 3
        assert not drawn & archived


def test_a_rule_the_bank_cannot_fill_is_refused_naming_the_rule(tree, bank):
    paper = paper_create(by=tree.examiner, bank=bank, title="卷", kind="random")
    with pytest.raises(ValidationError) as info:
        paper_set_rules(
            by=tree.examiner,
            paper=paper,
            rules=[
                {"type": "single", "count": 2, "score": 1},
                {
                    "type": "multiple",
                    "category": category(bank, "新时代"),
                    "count": 10,
                    "score": 2,
                },
            ],
        )
    (message,) = info.value.messages
    assert "2" in message and "新时代" in message
    assert "10" in message and " 2 " in message  # 2 多选 there, 10 needed
    assert not paper.rules.exists()


def test_rules_that_share_questions_must_fit_together(tree, bank):
    paper = paper_create(by=tree.examiner, bank=bank, title="卷", kind="random")
    # 党章 has 5 singles; each rule alone fits, both together need 6
    zhang = category(bank, "党章")
    with pytest.raises(ValidationError) as info:
        paper_set_rules(
            by=tree.examiner,
            paper=paper,
            rules=[
                {"type": "single", "category": zhang, "count": 3, "score": 1},
                {"type": "single", "category": zhang, "count": 3, "score": 1},
            ],
        )
    assert "6" in info.value.messages[0]
    # overlapping rules that can be solved are: the specific one is not starved
    paper_set_rules(
        by=tree.examiner,
        paper=paper,
        rules=[
            {"type": "single", "count": 13, "score": 1},  # any of the 15
            {"type": "single", "category": zhang, "count": 2, "score": 1},
        ],
    )
    for seed in map(str, range(5)):
        assert len({d.question_id for d in paper_draw(paper=paper, seed=seed)}) == 15


def test_invalid_rules_are_refused(tree, bank):
    paper = paper_create(by=tree.examiner, bank=bank, title="卷", kind="random")
    other = bank_ensure(name="别的题库", by=tree.examiner, owner_unit=tree.company_a)
    load(other, tree.examiner, gift("其他", "O", singles=1))
    bad = [
        {"type": "matching", "count": 1, "score": 1},
        {"type": "single", "category": category(other, "其他"), "count": 1, "score": 1},
        {
            "type": "single",
            "difficulty_min": 4,
            "difficulty_max": 2,
            "count": 1,
            "score": 1,
        },
        {"type": "single", "count": 0, "score": 1},
        {"type": "single", "count": 1, "score": 0},
    ]
    with pytest.raises(ValidationError) as info:
        paper_set_rules(by=tree.examiner, paper=paper, rules=bad)
    assert [m.split(":")[0].split("：")[0][-1] for m in info.value.messages] == list(
        "12345"
    )


def test_the_draw_depends_on_the_seed_only(tree, bank):
    paper = paper_create(by=tree.examiner, bank=bank, title="卷", kind="random")
    paper_set_rules(
        by=tree.examiner,
        paper=paper,
        rules=[
            {"type": "single", "count": 8, "score": 1},
            {"type": "multiple", "count": 4, "score": 2},
        ],
    )
    first = [d.as_dict() for d in paper_draw(paper=paper, seed="7:42")]
    assert [d.as_dict() for d in paper_draw(paper=paper, seed="7:42")] == first
    draws = {
        json.dumps([d.as_dict() for d in paper_draw(paper=paper, seed=f"7:{user}")])
        for user in range(6)
    }
    assert len(draws) >= 2
    orders = {tuple(d["question_id"] for d in json.loads(draw)) for draw in draws}
    assert len(orders) >= 2
    # sections keep their order: the 8 singles come before the 4 multiples
    kinds = Question.objects.in_bulk([d["question_id"] for d in first])
    assert [kinds[d["question_id"]].type for d in first] == ["single"] * 8 + [
        "multiple"
    ] * 4


def test_an_unshuffled_fixed_paper_keeps_its_order_and_options(tree, bank):
    paper = paper_create(
        by=tree.examiner,
        bank=bank,
        title="卷",
        kind="fixed",
        shuffle_questions=False,
        shuffle_options=False,
    )
    picked = questions(bank, "HS")
    paper_set_items(by=tree.examiner, paper=paper, items=[(q, 1) for q in picked])
    for seed in ("a", "b", "c"):
        drawn = paper_draw(paper=paper, seed=seed)
        assert [d.question_id for d in drawn] == [q.pk for q in picked]
        assert all(d.option_order == ["A", "B", "C", "D"] for d in drawn)


def test_shuffled_options_map_back_to_the_stored_keys(tree, bank):
    paper = paper_create(by=tree.examiner, bank=bank, title="卷", kind="fixed")
    multiple = Question.objects.get(bank=bank, name="HM0")
    truefalse = Question.objects.get(bank=bank, name="HT0")
    assert multiple.current.answer == ["A", "C"]
    paper_set_items(
        by=tree.examiner, paper=paper, items=[(multiple, 2), (truefalse, 1)]
    )
    orders = set()
    for user in range(8):
        drawn = {d.question_id: d for d in paper_draw(paper=paper, seed=f"1:{user}")}
        shown = drawn[multiple.pk]
        orders.add(tuple(shown.option_order))
        assert sorted(shown.option_order) == ["A", "B", "C", "D"]
        for letter in "ABCD":
            assert shown.original_to_display(shown.display_to_original(letter)) == (
                letter
            )
        # the candidate ticks the letters shown for the right options …
        ticked = sorted(shown.original_to_display(k) for k in ["A", "C"])
        # … and they come back as the stored answer
        assert sorted(shown.display_to_original(x) for x in ticked) == ["A", "C"]
        # what the candidate saw as option "A" is the stored option_order[0]
        assert shown.display_to_original("A") == shown.option_order[0]
        with pytest.raises(ValueError):
            shown.display_to_original("E")
        with pytest.raises(ValueError):
            shown.original_to_display("Z")
        # 判断 has no options to shuffle
        assert drawn[truefalse.pk].option_order == []
        # stored and read back as JSON, the draw is the same
        again = DrawnQuestion.from_dict(json.loads(json.dumps(shown.as_dict())))
        assert again == shown
    assert len(orders) >= 2


def test_a_revision_after_the_draw_does_not_change_the_drawn_version(tree, bank):
    paper = paper_create(by=tree.examiner, bank=bank, title="卷", kind="fixed")
    question = Question.objects.get(bank=bank, name="HS0")
    paper_set_items(by=tree.examiner, paper=paper, items=[(question, 1)])
    (drawn,) = paper_draw(paper=paper, seed="s")
    stored = drawn.as_dict()
    first_version = question.current_id
    new = question_revise(question=question, by=tree.examiner, stem="改过的题干")
    assert DrawnQuestion.from_dict(stored).version_id == first_version != new.pk
    (later,) = paper_draw(paper=paper, seed="s")
    assert later.version_id == new.pk  # a new draw shows the new version


def test_only_examiners_of_the_banks_unit_manage_its_papers(tree, bank):
    outsider = make_member(tree.company_b, "孙考官").user
    role_grant(user=outsider, role=Role.EXAMINER, unit=tree.company_b)
    with pytest.raises(PermissionDenied):
        paper_create(by=outsider, bank=bank, title="卷", kind="fixed")
    with pytest.raises(PermissionDenied):
        paper_create(by=tree.member_a.user, bank=bank, title="卷", kind="fixed")
    paper = paper_create(by=tree.examiner, bank=bank, title="卷", kind="fixed")
    question = questions(bank)[0]
    with pytest.raises(PermissionDenied):
        paper_set_items(by=outsider, paper=paper, items=[(question, 1)])
    random_paper = paper_create(by=tree.examiner, bank=bank, title="随", kind="random")
    with pytest.raises(PermissionDenied):
        paper_set_rules(
            by=outsider,
            paper=random_paper,
            rules=[{"type": "single", "count": 1, "score": 1}],
        )
    insider = make_member(tree.branch_a1, "钱考官").user
    role_grant(user=insider, role=Role.EXAMINER, unit=tree.company_a)
    assert paper_set_items(by=insider, paper=paper, items=[(question, 1)])
    assert paper_create(by=tree.platform_admin, bank=bank, title="卷", kind="fixed")


def test_a_forty_question_paper_from_one_category(tree):
    bank = bank_ensure(name="季度考试", by=tree.examiner, owner_unit=tree.group)
    load(
        bank,
        tree.examiner,
        gift("理论学习", "L", singles=25, multiples=12, truefalse=14),
    )
    theory = category(bank, "理论学习")
    paper = paper_create(by=tree.examiner, bank=bank, title="季度考试", kind="random")
    paper_set_rules(
        by=tree.examiner,
        paper=paper,
        rules=[
            {"type": "single", "category": theory, "count": 20, "score": 2},
            {"type": "multiple", "category": theory, "count": 10, "score": 3},
            {"type": "truefalse", "category": theory, "count": 10, "score": 3},
        ],
    )
    assert paper_total(paper) == Decimal(100)
    drawn = paper_draw(paper=paper, seed="exam-1:user-9")
    assert len(drawn) == len({d.question_id for d in drawn}) == 40
    assert sum(d.score for d in drawn) == Decimal(100)
    kinds = Question.objects.in_bulk([d.question_id for d in drawn])
    assert Counter(kinds[d.question_id].type for d in drawn) == {
        "single": 20,
        "multiple": 10,
        "truefalse": 10,
    }
