"""Papers: fixed and random, and the per-candidate draw (exams/services/papers.py)."""

import json
from collections import Counter
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from exams.importers import parse_gift
from exams.models import (
    Paper,
    PaperItem,
    PaperKind,
    Question,
    QuestionCategory,
    QuestionType,
)
from exams.services.attempts import attempt_start
from exams.services.bulk import questions_archive
from exams.services.imports import bank_ensure, questions_import
from exams.services.papers import (
    DrawnQuestion,
    RuleSpec,
    paper_copy,
    paper_create,
    paper_delete,
    paper_delete_refusal,
    paper_draw,
    paper_in_use,
    paper_item_move,
    paper_item_set_score,
    paper_rule_move,
    paper_rule_update,
    paper_set_items,
    paper_set_rules,
    paper_total,
    paper_update,
    rule_pools,
    rules_fill,
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


# --- pools, copies, deleting and changes in place ----------------------------------


def test_rule_pools_find_each_rules_questions_in_one_query(
    tree, bank, django_assert_num_queries
):
    new_era = category(bank, "新时代")
    uncategorised = questions(bank, "ZT")[0]
    uncategorised.category = None
    uncategorised.save(update_fields=["category"])
    hard = questions(bank, "HS")[0]
    Question.objects.filter(pk=hard.pk).update(difficulty=5)
    archived = questions(bank, "NS")[0]
    questions_archive(by=tree.examiner, questions=[archived])
    rules = [
        RuleSpec(type="single", count=1, score=1, category=category(bank, "党史")),
        RuleSpec(type="single", count=1, score=1, category=new_era),
        RuleSpec(type="truefalse", count=1, score=1),
        RuleSpec(type="single", count=1, score=1, difficulty_min=4),
    ]
    with django_assert_num_queries(1):
        pools = rule_pools(bank=bank, rules=rules)
    ids = lambda *prefixes: sorted(  # noqa: E731
        q.pk for p in prefixes for q in questions(bank, p) if q.pk != archived.pk
    )
    assert pools == [ids("HS", "NS"), ids("NS"), ids("HT", "ZT"), [hard.pk]]
    assert uncategorised.pk in pools[2]  # a whole-bank rule takes questions without one
    assert rules_fill(bank=bank, rules=rules).available == [9, 5, 5, 1]


def test_the_rules_together_may_be_short_when_each_fits(tree, bank):
    rules = [
        RuleSpec(type="truefalse", count=3, score=1, category=category(bank, "党章")),
        RuleSpec(type="truefalse", count=3, score=1),
    ]
    fill = rules_fill(bank=bank, rules=rules)
    assert (fill.available, fill.short) == ([3, 5], 1)


def test_a_copy_is_a_new_paper_with_the_same_content(tree, bank):
    paper = paper_create(by=tree.examiner, bank=bank, title="党史测验", kind="fixed",
                         shuffle_options=False)  # fmt: skip
    s0, s1 = questions(bank, "HS")[:2]
    paper_set_items(by=tree.examiner, paper=paper, items=[(s1, 2), (s0, "1.5")])
    questions_archive(by=tree.examiner, questions=[s0])
    copy = paper_copy(by=tree.examiner, paper=paper)
    assert copy.pk != paper.pk and copy.title == "党史测验 (副本)"
    assert (copy.shuffle_questions, copy.shuffle_options) == (True, False)
    # the same paper: an archived question stays on it, as on the original
    assert [(d.question_id, d.score) for d in paper_draw(paper=copy, seed="x")] == [
        (d.question_id, d.score) for d in paper_draw(paper=paper, seed="x")
    ]
    outsider = make_member(tree.company_b, "孙考官").user
    role_grant(user=outsider, role=Role.EXAMINER, unit=tree.company_b)
    for call in (
        lambda: paper_copy(by=outsider, paper=paper),
        lambda: paper_delete(by=outsider, paper=paper),
        lambda: paper_update(by=outsider, paper=paper, title="改",
                             shuffle_questions=True, shuffle_options=True),
        lambda: paper_item_move(by=outsider, item=paper.items.first(), position=2),
        lambda: paper_item_set_score(by=outsider, item=paper.items.first(), score=3),
    ):  # fmt: skip
        with pytest.raises(PermissionDenied):
            call()
    assert Paper.objects.filter(bank=bank).count() == 2


def test_moving_renumbers_the_items_and_leaves_other_papers_alone(tree, bank):
    first = paper_create(by=tree.examiner, bank=bank, title="一", kind="fixed")
    other = paper_create(by=tree.examiner, bank=bank, title="二", kind="fixed")
    a, b, c, d = questions(bank, "HS")
    paper_set_items(
        by=tree.examiner, paper=first, items=[(a, 1), (b, 1), (c, 1), (d, 1)]
    )
    paper_set_items(by=tree.examiner, paper=other, items=[(d, 1), (a, 1)])

    def order(paper):
        return list(paper.items.order_by("order").values_list("question", "order"))

    item = first.items.get(question=d)
    paper_item_move(by=tree.examiner, item=item, position=2)
    assert order(first) == [(a.pk, 1), (d.pk, 2), (b.pk, 3), (c.pk, 4)]
    paper_item_move(by=tree.examiner, item=first.items.get(question=a), position=-3)
    assert order(first) == [(a.pk, 1), (d.pk, 2), (b.pk, 3), (c.pk, 4)]
    paper_item_move(by=tree.examiner, item=first.items.get(question=a), position=40)
    assert order(first) == [(d.pk, 1), (b.pk, 2), (c.pk, 3), (a.pk, 4)]
    assert order(other) == [(d.pk, 1), (a.pk, 2)]
    for score in ("-1", "0", "abc", "1000"):
        with pytest.raises(ValidationError):
            paper_item_set_score(
                by=tree.examiner, item=first.items.get(question=b), score=score
            )
    paper_item_set_score(
        by=tree.examiner, item=first.items.get(question=b), score="2.5"
    )
    assert first.items.get(question=b).score == Decimal("2.5")
    # an item of another paper is not this paper's to move
    with pytest.raises(ValidationError):
        paper_item_move(
            by=tree.examiner,
            item=PaperItem(pk=other.items.get(question=d).pk, paper=first),
            position=1,
        )


def test_rules_move_and_change_and_a_change_is_checked_against_the_bank(tree, bank):
    paper = paper_create(by=tree.examiner, bank=bank, title="随机卷", kind="random")
    paper_set_rules(
        by=tree.examiner,
        paper=paper,
        rules=[
            {"type": "single", "count": 2, "score": 1},
            {"type": "multiple", "count": 1, "score": 2},
            {"type": "truefalse", "count": 1, "score": 1},
        ],
    )
    paper_rule_move(by=tree.examiner, rule=paper.rules.get(order=3), position=1)
    assert list(paper.rules.values_list("type", flat=True)) == [
        "truefalse",
        "single",
        "multiple",
    ]
    paper_rule_update(
        by=tree.examiner, rule=paper.rules.get(order=2), count=15, score=2
    )
    assert paper_total(paper) == Decimal(1 + 30 + 2)
    with pytest.raises(ValidationError) as refused:
        paper_rule_update(
            by=tree.examiner, rule=paper.rules.get(order=2), count=16, score=2
        )
    assert "规则 2" in refused.value.messages[0]
    assert paper_total(paper) == Decimal(33)


def test_a_paper_in_use_takes_a_new_title_only(tree):
    from tests.exams.sitting import exam_paper, make_exam

    now = timezone.now()
    paper = exam_paper(tree)
    exam = make_exam(tree, paper, now)
    attempt_start(user=tree.member_a.user, exam=exam, now=now)
    item = paper.items.get(order=2)
    for call in (
        lambda: paper_item_move(by=tree.examiner, item=item, position=1),
        lambda: paper_item_set_score(by=tree.examiner, item=item, score=9),
        lambda: paper_update(by=tree.examiner, paper=paper, title="新",
                             shuffle_questions=False, shuffle_options=True),
        lambda: paper_delete(by=tree.examiner, paper=paper),
    ):  # fmt: skip
        with pytest.raises(ValidationError):
            call()
    paper_update(by=tree.examiner, paper=paper, title=" 新 标题 ",
                 shuffle_questions=True, shuffle_options=True)  # fmt: skip
    paper.refresh_from_db()
    assert paper.title == "新 标题" and paper.items.get(order=2) == item
    assert paper_in_use(paper)
    assert paper_delete_refusal(paper) == (
        "这份试卷已被 1 场考试使用，不能删除。请先删除这些考试，或保留这份试卷。"
    )


def test_a_paper_no_exam_uses_is_deleted_with_its_items(tree, bank):
    paper = paper_create(by=tree.examiner, bank=bank, title="卷", kind="fixed")
    paper_set_items(by=tree.examiner, paper=paper, items=[(questions(bank)[0], 1)])
    assert paper_delete_refusal(paper) is None
    paper_delete(by=tree.examiner, paper=paper)
    assert not Paper.objects.filter(pk=paper.pk).exists()
    assert Question.objects.filter(bank=bank).count() == 25
