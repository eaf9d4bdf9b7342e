"""The paper screens (试卷) of the 题库 admin: the bank's papers, a fixed paper's
questions, a random paper's rules, and a preview draw — scoped like the banks."""

import io
import re
from datetime import timedelta
from decimal import Decimal
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import Workbook

from exams.importers import parse_gift, parse_xlsx
from exams.models import (
    Paper,
    PaperItem,
    PaperKind,
    PaperRule,
    Question,
    QuestionCategory,
)
from exams.services.attempts import attempt_start
from exams.services.banks import bank_create
from exams.services.bulk import questions_archive
from exams.services.exams import exam_create, exam_publish
from exams.services.imports import questions_import
from exams.services.papers import (
    paper_create,
    paper_draw,
    paper_set_items,
    paper_set_rules,
)
from org.models import Role
from org.services.roles import role_grant
from tests.factories import make_member

BASE = "/admin/question-banks/"
STEM = r"[HZ](?:单选|判断)\d"


def gift(category, prefix, singles=0, truefalse=0):
    lines = [f"$CATEGORY: $course$/top/{category}", ""]
    for i in range(singles):
        lines.append(f"::{prefix}S{i}:: {prefix}单选{i} {{=对 ~错一 ~错二 ~错三}}\n")
    for i in range(truefalse):
        lines.append(f"::{prefix}T{i}:: {prefix}判断{i} {{T}}\n")
    return "\n".join(lines)


def load(bank, by, text):
    result = parse_gift(text.encode())
    assert result.ok, result.errors
    questions_import(bank=bank, result=result, file_name="t.gift", by=by)


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
def bank(tree, examiner_a):
    bank = bank_create(by=tree.examiner, name="A公司题库", owner_unit=tree.company_a)
    load(bank, examiner_a, gift("党史", "H", singles=4, truefalse=2))
    load(bank, examiner_a, gift("党章", "Z", singles=3))
    return bank


def papers_url(bank):
    return f"{BASE}{bank.pk}/papers/"


def paper_url(paper, rest=""):
    return f"{BASE}{paper.bank_id}/papers/{paper.pk}/{rest}"


def test_papers_of_another_company_are_not_found(
    tree, bank, examiner_a, examiner_b, client_for
):
    paper = paper_create(
        by=examiner_a, bank=bank, title="党史测验", kind=PaperKind.FIXED
    )
    client = client_for(examiner_b)
    assert client.get(papers_url(bank)).status_code == 404
    for rest in ("", "preview/"):
        assert client.get(paper_url(paper, rest)).status_code == 404
    response = client.post(
        paper_url(paper, "items/add/"),
        {"question": [Question.objects.filter(bank=bank).first().pk]},
    )
    assert response.status_code == 404 and not paper.items.exists()
    assert client_for(tree.admin_a).get(papers_url(bank)).status_code == 404
    # the paper is not found under a bank it does not belong to either
    other = bank_create(by=examiner_a, name="另一个", owner_unit=tree.company_a)
    response = client_for(examiner_a).get(f"{BASE}{other.pk}/papers/{paper.pk}/")
    assert response.status_code == 404
    assert client_for(examiner_a).get(paper_url(paper)).status_code == 200


def test_an_examiner_creates_a_fixed_paper_and_picks_its_questions(
    bank, examiner_a, client_for
):
    client = client_for(examiner_a)
    assert "本题库还没有试卷。" in client.get(papers_url(bank)).content.decode()
    response = client.post(
        papers_url(bank),
        {"title": " 党史 测验 ", "kind": "fixed", "shuffle_options": "on"},
    )
    paper = Paper.objects.get()
    assert response.status_code == 302 and response["Location"] == paper_url(paper)
    assert (paper.title, paper.kind, paper.bank) == ("党史 测验", "fixed", bank)
    assert not paper.shuffle_questions and paper.shuffle_options

    page = client.get(paper_url(paper)).content.decode()
    assert "HS0" in page and "ZS2" in page
    s0, s1, t0 = (
        Question.objects.get(bank=bank, name=n) for n in ("HS0", "HS1", "HT0")
    )
    client.post(
        paper_url(paper, "items/add/"), {"question": [s0.pk, s1.pk], "score": "3"}
    )
    client.post(paper_url(paper, "items/add/"), {"question": [t0.pk]})
    items = list(paper.items.order_by("order").values_list("question__name", "score"))
    assert items == [
        ("HS0", Decimal("3")),
        ("HS1", Decimal("3")),
        ("HT0", t0.default_score),
    ]

    page = client.get(paper_url(paper)).content.decode()
    total = Decimal("6") + t0.default_score
    assert re.search(rf"data-zx-total>{total.normalize():f}<", page)
    client.post(paper_url(paper, "items/remove/"), {"question": s1.pk})
    assert list(paper.items.values_list("question__name", flat=True)) == ["HS0", "HT0"]

    listing = client.get(papers_url(bank)).content.decode()
    assert re.search(r"党史 测验</a></td>\s*<td>[^<]+</td>\s*<td>2</td>", listing)


def test_an_examiner_creates_a_random_paper_and_adds_and_removes_rules(
    bank, examiner_a, client_for
):
    client = client_for(examiner_a)
    client.post(papers_url(bank), {"title": "随机卷", "kind": "random"})
    paper = Paper.objects.get(kind=PaperKind.RANDOM)
    page = client.get(paper_url(paper)).content.decode()
    history = QuestionCategory.objects.get(bank=bank, name="党史")
    assert f'value="{history.pk}"' in page

    response = client.post(
        paper_url(paper, "rules/add/"),
        {"type": "single", "category": history.pk, "count": "3", "score": "2"},
    )
    assert response.status_code == 302
    client.post(
        paper_url(paper, "rules/add/"),
        {"type": "truefalse", "count": "2", "score": "1.5"},
    )
    rules = list(paper.rules.order_by("order").values_list("type", "count", "score"))
    assert rules == [("single", 3, Decimal("2")), ("truefalse", 2, Decimal("1.5"))]
    assert "data-zx-total>9<" in client.get(paper_url(paper)).content.decode()

    client.post(paper_url(paper, "rules/remove/"), {"rule": "1"})
    assert list(paper.rules.values_list("type", "order")) == [("truefalse", 1)]


def test_a_rule_the_bank_cannot_fill_shows_the_error_and_saves_nothing(
    bank, examiner_a, client_for
):
    paper = paper_create(
        by=examiner_a, bank=bank, title="随机卷", kind=PaperKind.RANDOM
    )
    paper_set_rules(
        by=examiner_a, paper=paper, rules=[{"type": "single", "count": 2, "score": 1}]
    )
    charter = QuestionCategory.objects.get(bank=bank, name="党章")
    response = client_for(examiner_a).post(
        paper_url(paper, "rules/add/"),
        {"type": "single", "category": charter.pk, "count": "5", "score": "2"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r"(Rule 2|规则 2)[^<]*党章[^<]*3[^<]*5", html)
    assert list(
        PaperRule.objects.filter(paper=paper).values_list("count", flat=True)
    ) == [2]
    # the form keeps what was typed
    assert re.search(r'name="count"[^>]*value="5"', html)


def test_the_preview_shows_the_drawn_questions_and_the_total(
    bank, examiner_a, client_for
):
    paper = paper_create(
        by=examiner_a, bank=bank, title="随机卷", kind=PaperKind.RANDOM
    )
    paper_set_rules(
        by=examiner_a,
        paper=paper,
        rules=[
            {"type": "single", "count": 4, "score": 2},
            {"type": "truefalse", "count": 1, "score": "1.5"},
        ],
    )
    client = client_for(examiner_a)
    html = client.get(paper_url(paper, "preview/?seed=abc")).content.decode()
    assert re.search(r"data-zx-summary>[^<]*5[^<]*9\.5", html)
    assert html.count('class="zx-key"') == 16  # four options on each single choice
    assert html.count("<h3") == 5
    again = client.get(paper_url(paper, "preview/?seed=abc")).content.decode()
    assert len(re.findall(STEM, html)) == 5
    assert re.findall(STEM, again) == re.findall(STEM, html)

    fixed = paper_create(by=examiner_a, bank=bank, title="固定卷", kind=PaperKind.FIXED)
    z0 = Question.objects.get(bank=bank, name="ZS0")
    paper_set_items(by=examiner_a, paper=fixed, items=[(z0, 4)])
    html = client.get(paper_url(fixed, "preview/")).content.decode()
    assert "ZS0" not in html and "Z单选0" in html
    assert re.search(r"data-zx-summary>[^<]*1[^<]*4", html)


def test_the_paper_list_takes_the_same_queries_for_more_papers(
    bank, examiner_a, client_for
):
    client = client_for(examiner_a)
    client.get(papers_url(bank))
    with CaptureQueriesContext(connection) as few:
        client.get(papers_url(bank))
    s0 = Question.objects.filter(bank=bank).first()
    for n in range(4):
        fixed = paper_create(
            by=examiner_a, bank=bank, title=f"卷{n}", kind=PaperKind.FIXED
        )
        paper_set_items(by=examiner_a, paper=fixed, items=[(s0, 2)])
        rnd = paper_create(
            by=examiner_a, bank=bank, title=f"随{n}", kind=PaperKind.RANDOM
        )
        paper_set_rules(
            by=examiner_a, paper=rnd, rules=[{"type": "single", "count": 3, "score": 1}]
        )
    with CaptureQueriesContext(connection) as many:
        html = client.get(papers_url(bank)).content.decode()
    assert len(many) == len(few)
    for n in range(4):
        assert re.search(
            rf"随{n}</a></td>\s*<td>[^<]+</td>\s*<td>3</td>\s*<td>3</td>", html
        )
        assert re.search(
            rf"卷{n}</a></td>\s*<td>[^<]+</td>\s*<td>1</td>\s*<td>2</td>", html
        )


def test_the_bank_page_links_to_its_papers(bank, client_for, examiner_a):
    html = client_for(examiner_a).get(f"/admin/question-banks/{bank.pk}/").content
    assert f'href="{papers_url(bank)}"'.encode() in html


# --- copy, rename, delete ------------------------------------------------------------


def fixed_paper(bank, by, names=("HS0", "HS1", "HT0"), scores=(2, 3, 1), **kw):
    paper = paper_create(by=by, bank=bank, title="党史测验", kind=PaperKind.FIXED, **kw)
    questions = [Question.objects.get(bank=bank, name=n) for n in names]
    paper_set_items(by=by, paper=paper, items=list(zip(questions, scores, strict=True)))
    return paper


def item_names(paper):
    return list(paper.items.order_by("order").values_list("question__name", flat=True))


def an_exam(tree, paper, by, *, title="党史知识竞赛", start=False):
    """A draft exam of company A on ``paper``; ``start``: published and begun."""
    now = timezone.now()
    exam = exam_create(
        by=by,
        paper=paper,
        unit=tree.company_a,
        title=title,
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(hours=2),
        duration_minutes=30,
        pass_mark=1,
        target_units=[tree.company_a],
    )
    if start:
        exam_publish(by=by, exam=exam)
        attempt_start(user=tree.member_a.user, exam=exam, now=now)
    return exam


def test_a_copy_has_the_same_questions_scores_and_settings(
    bank, examiner_a, client_for
):
    paper = fixed_paper(bank, examiner_a, shuffle_questions=False)
    client = client_for(examiner_a)
    page = client.get(paper_url(paper)).content.decode()
    assert "新建副本" in page
    response = client.post(paper_url(paper, "copy/"))
    copy = Paper.objects.exclude(pk=paper.pk).get()
    assert response.status_code == 302 and response["Location"] == paper_url(copy)
    assert copy.title == "党史测验 (副本)"
    assert (copy.kind, copy.bank, copy.created_by) == ("fixed", bank, examiner_a)
    assert (copy.shuffle_questions, copy.shuffle_options) == (False, True)
    assert list(
        copy.items.order_by("order").values_list("question__name", "score")
    ) == [
        ("HS0", Decimal("2")),
        ("HS1", Decimal("3")),
        ("HT0", Decimal("1")),
    ]
    page = client.get(response["Location"]).content.decode()
    assert "党史测验 (副本)" in page and "副本" in page
    # the copy is its own paper: changing it leaves the original alone
    client.post(
        paper_url(copy, "items/remove/"), {"question": copy.items.first().question_id}
    )
    assert copy.items.count() == 2 and paper.items.count() == 3


def test_a_random_paper_copy_keeps_its_rules_in_order(bank, examiner_a, client_for):
    history = QuestionCategory.objects.get(bank=bank, name="党史")
    paper = paper_create(
        by=examiner_a, bank=bank, title="随机卷", kind=PaperKind.RANDOM
    )
    paper_set_rules(
        by=examiner_a,
        paper=paper,
        rules=[
            {"type": "truefalse", "count": 2, "score": 1},
            {"type": "single", "count": 3, "score": 2, "category": history,
             "difficulty_min": 1, "difficulty_max": 4},
        ],
    )  # fmt: skip
    client_for(examiner_a).post(paper_url(paper, "copy/"))
    copy = Paper.objects.get(title="随机卷 (副本)")
    fields = ("order", "type", "category", "difficulty_min", "difficulty_max",
              "count", "score")  # fmt: skip
    assert list(copy.rules.order_by("order").values_list(*fields)) == list(
        paper.rules.order_by("order").values_list(*fields)
    )


def test_a_long_title_still_ends_with_the_copy_mark(bank, examiner_a, client_for):
    paper = paper_create(by=examiner_a, bank=bank, title="卷" * 200, kind="fixed")
    client_for(examiner_a).post(paper_url(paper, "copy/"))
    copy = Paper.objects.exclude(pk=paper.pk).get()
    assert len(copy.title) == 200 and copy.title.endswith("卷 (副本)")


def test_an_examiner_renames_a_paper_and_sets_its_shuffling(
    bank, examiner_a, client_for
):
    paper = fixed_paper(bank, examiner_a)
    client = client_for(examiner_a)
    response = client.post(
        paper_url(paper, "settings/"),
        {"title": "  党史 月考 ", "shuffle_options": "on"},
    )
    assert response.status_code == 302
    paper.refresh_from_db()
    assert (paper.title, paper.shuffle_questions, paper.shuffle_options) == (
        "党史 月考",
        False,
        True,
    )
    page = client.get(paper_url(paper)).content.decode()
    assert "试卷已保存。" in page and "按试卷顺序" in page
    # an empty title is refused on the page, nothing saved
    response = client.post(paper_url(paper, "settings/"), {"title": "  "}, follow=True)
    assert "标题: 必需字段" in response.content.decode()
    paper.refresh_from_db()
    assert paper.title == "党史 月考" and paper.shuffle_options


def test_a_paper_in_use_keeps_its_shuffling_but_can_be_renamed(
    tree, bank, examiner_a, client_for
):
    paper = fixed_paper(bank, examiner_a)
    an_exam(tree, paper, examiner_a, start=True)
    client = client_for(examiner_a)
    response = client.post(
        paper_url(paper, "settings/"),
        {"title": "改名", "shuffle_questions": "on"},
        follow=True,
    )
    assert "不能再修改乱序设置。请新建副本后修改。" in response.content.decode()
    paper.refresh_from_db()
    assert (
        paper.title == "党史测验" and paper.shuffle_questions and paper.shuffle_options
    )
    # the page posts the current shuffling back for a paper in use: a rename works
    page = client.get(paper_url(paper)).content.decode()
    assert 'type="checkbox" name="shuffle_questions"' not in page
    response = client.post(
        paper_url(paper, "settings/"),
        {"title": "改名", "shuffle_questions": "on", "shuffle_options": "on"},
    )
    assert response.status_code == 302
    paper.refresh_from_db()
    assert paper.title == "改名"


def test_deleting_a_paper_asks_first_and_keeps_the_questions(
    bank, examiner_a, client_for
):
    paper = fixed_paper(bank, examiner_a)
    client = client_for(examiner_a)
    page = client.get(paper_url(paper, "delete/")).content.decode()
    assert "删除这份试卷" in page and "共 3 题，6 分" in page
    assert "data-zx-confirm" in page
    assert Paper.objects.filter(pk=paper.pk).exists()  # a GET deletes nothing
    response = client.post(paper_url(paper, "delete/"))
    assert response.status_code == 302 and response["Location"] == papers_url(bank)
    assert not Paper.objects.filter(pk=paper.pk).exists()
    assert not PaperItem.objects.filter(paper_id=paper.pk).exists()
    assert Question.objects.filter(bank=bank, name="HS0").exists()
    assert "已删除试卷“党史测验”。" in client.get(papers_url(bank)).content.decode()


def test_a_paper_an_exam_uses_is_not_deleted(tree, bank, examiner_a, client_for):
    paper = fixed_paper(bank, examiner_a)
    an_exam(tree, paper, examiner_a)  # a draft: nobody has started
    client = client_for(examiner_a)
    page = client.get(paper_url(paper, "delete/")).content.decode()
    assert "这份试卷已被 1 场考试使用，不能删除" in page
    assert "党史知识竞赛" in page and "data-zx-confirm" not in page
    response = client.post(paper_url(paper, "delete/"))
    assert response.status_code == 200
    assert "不能删除" in response.content.decode()
    assert Paper.objects.filter(pk=paper.pk).exists() and paper.items.count() == 3


# --- reordering and scores in place -------------------------------------------------


def test_items_move_up_and_down_and_scores_change_in_place(
    bank, examiner_a, client_for
):
    paper = fixed_paper(bank, examiner_a)
    s0, s1, t0 = (
        Question.objects.get(bank=bank, name=n) for n in ("HS0", "HS1", "HT0")
    )
    client = client_for(examiner_a)
    page = client.get(paper_url(paper)).content.decode()
    assert 'title="上移"' in page and 'title="下移"' in page
    response = client.post(
        paper_url(paper, "items/move/"), {"question": t0.pk, "position": 1}
    )
    assert response.status_code == 302
    assert item_names(paper) == ["HT0", "HS0", "HS1"]
    client.post(paper_url(paper, "items/move/"), {"question": t0.pk, "position": 2})
    assert item_names(paper) == ["HS0", "HT0", "HS1"]
    client.post(paper_url(paper, "items/move/"), {"question": s0.pk, "position": 99})
    assert item_names(paper) == ["HT0", "HS1", "HS0"]
    assert list(paper.items.order_by("order").values_list("order", flat=True)) == [
        1,
        2,
        3,
    ]
    # the draw follows the new order
    assert [d.question_id for d in paper_draw(paper=paper, seed="x")] == [
        t0.pk,
        s1.pk,
        s0.pk,
    ]

    client.post(paper_url(paper, "items/score/"), {"question": s1.pk, "score": "4.5"})
    assert paper.items.get(question=s1).score == Decimal("4.5")
    page = client.get(paper_url(paper)).content.decode()
    assert "分值已保存。" in page
    assert "data-zx-total>7.50<" in page  # 1 + 4.5 + 2
    response = client.post(
        paper_url(paper, "items/score/"), {"question": s1.pk, "score": "0"}
    )
    assert "分值必须大于 0" in client.get(response["Location"]).content.decode()
    assert paper.items.get(question=s1).score == Decimal("4.5")


def test_moving_junk_or_a_question_not_on_the_paper_is_not_found(
    bank, examiner_a, client_for
):
    paper = fixed_paper(bank, examiner_a)
    z0 = Question.objects.get(bank=bank, name="ZS0")
    s0 = Question.objects.get(bank=bank, name="HS0")
    client = client_for(examiner_a)
    url = paper_url(paper, "items/move/")
    assert client.post(url, {"question": z0.pk, "position": 1}).status_code == 404
    assert client.post(url, {"question": s0.pk, "position": "x"}).status_code == 404
    assert client.post(url, {"question": "x", "position": 1}).status_code == 404
    assert client.get(url).status_code == 405
    score = paper_url(paper, "items/score/")
    assert client.post(score, {"question": z0.pk, "score": 2}).status_code == 404
    assert item_names(paper) == ["HS0", "HS1", "HT0"]


def random_paper(bank, by):
    paper = paper_create(by=by, bank=bank, title="随机卷", kind=PaperKind.RANDOM)
    paper_set_rules(
        by=by,
        paper=paper,
        rules=[
            {"type": "single", "count": 2, "score": 2},
            {"type": "truefalse", "count": 1, "score": 1},
        ],
    )
    return paper


def rule_rows(paper):
    return list(paper.rules.order_by("order").values_list("type", "count", "score"))


def test_rules_move_and_change_in_place(bank, examiner_a, client_for):
    paper = random_paper(bank, examiner_a)
    client = client_for(examiner_a)
    client.post(paper_url(paper, "rules/move/"), {"rule": 2, "position": 1})
    assert rule_rows(paper) == [("truefalse", 1, Decimal(1)), ("single", 2, Decimal(2))]
    response = client.post(
        paper_url(paper, "rules/change/"), {"rule": 2, "count": 5, "score": "1.5"}
    )
    assert response.status_code == 302
    assert rule_rows(paper) == [
        ("truefalse", 1, Decimal(1)),
        ("single", 5, Decimal("1.5")),
    ]
    page = client.get(paper_url(paper)).content.decode()
    assert "规则已保存。" in page and "data-zx-total>8.50<" in page
    # more than the bank holds (7 single choice): refused naming the rule
    response = client.post(
        paper_url(paper, "rules/change/"), {"rule": 2, "count": 8, "score": "1"}
    )
    page = client.get(response["Location"]).content.decode()
    assert re.search(r"规则 2[^<]*只有 7 道[^<]*需要 8 道", page)
    assert rule_rows(paper) == [
        ("truefalse", 1, Decimal(1)),
        ("single", 5, Decimal("1.5")),
    ]
    response = client.post(
        paper_url(paper, "rules/change/"), {"rule": 2, "count": 0, "score": "1"}
    )
    assert rule_rows(paper)[1] == ("single", 5, Decimal("1.5"))
    assert (
        client.post(
            paper_url(paper, "rules/move/"), {"rule": 9, "position": 1}
        ).status_code
        == 404
    )


def test_a_paper_in_use_cannot_be_reordered_or_rescored_but_can_be_copied(
    tree, bank, examiner_a, client_for
):
    paper = fixed_paper(bank, examiner_a)
    an_exam(tree, paper, examiner_a, start=True)
    s1 = Question.objects.get(bank=bank, name="HS1")
    client = client_for(examiner_a)
    page = client.get(paper_url(paper)).content.decode()
    assert "data-zx-in-use" in page and "已有考生" in page
    assert 'title="上移"' not in page and "添加勾选的题目" not in page
    assert "党史知识竞赛" in page  # the exam is named and linked
    response = client.post(
        paper_url(paper, "items/move/"), {"question": s1.pk, "position": 1}
    )
    assert "已有考生" in client.get(response["Location"]).content.decode()
    client.post(paper_url(paper, "items/score/"), {"question": s1.pk, "score": 9})
    assert item_names(paper) == ["HS0", "HS1", "HT0"]
    assert paper.items.get(question=s1).score == Decimal(3)
    response = client.post(paper_url(paper, "copy/"))
    copy = Paper.objects.get(title="党史测验 (副本)")
    client.post(paper_url(copy, "items/move/"), {"question": s1.pk, "position": 1})
    assert item_names(copy) == ["HS1", "HS0", "HT0"]

    rnd = random_paper(bank, examiner_a)
    an_exam(tree, rnd, examiner_a, title="随机考试", start=True)
    client.post(paper_url(rnd, "rules/move/"), {"rule": 2, "position": 1})
    client.post(paper_url(rnd, "rules/change/"), {"rule": 1, "count": 1, "score": 5})
    assert rule_rows(rnd) == [("single", 2, Decimal(2)), ("truefalse", 1, Decimal(1))]


# --- totals -----------------------------------------------------------------------


def totals(html):
    """{type label: (count, points)} and the overall count and total."""
    rows = re.findall(
        r'<tr data-zx-type="\w+"><td>([^<]+)</td><td>(\d+)</td><td>([\d.]+)</td>', html
    )
    count = re.search(r"data-zx-count>(\d+)<", html).group(1)
    total = re.search(r"data-zx-total>([\d.]+)<", html).group(1)
    return {label: (int(n), s) for label, n, s in rows}, (int(count), total)


def test_the_paper_page_shows_questions_and_points_per_type(
    bank, examiner_a, client_for
):
    client = client_for(examiner_a)
    fixed = fixed_paper(bank, examiner_a, names=("HS0", "HS1", "HT0", "ZS0"),
                        scores=(2, "2.5", 1, 3))  # fmt: skip
    assert totals(client.get(paper_url(fixed)).content.decode()) == (
        {"单选题": (3, "7.50"), "判断题": (1, "1")},
        (4, "8.50"),
    )
    rnd = random_paper(bank, examiner_a)
    assert totals(client.get(paper_url(rnd)).content.decode()) == (
        {"单选题": (2, "4"), "判断题": (1, "1")},
        (3, "5"),
    )


def test_a_rule_the_bank_no_longer_fills_is_flagged(bank, examiner_a, client_for):
    paper = paper_create(by=examiner_a, bank=bank, title="随机卷", kind="random")
    paper_set_rules(
        by=examiner_a,
        paper=paper,
        rules=[{"type": "truefalse", "count": 2, "score": 1}],
    )
    client = client_for(examiner_a)
    page = client.get(paper_url(paper)).content.decode()
    assert "data-zx-warnings" not in page
    assert re.search(r"data-zx-available>2<", page)
    questions_archive(
        by=examiner_a, questions=[Question.objects.get(bank=bank, name="HT0")]
    )
    page = client.get(paper_url(paper)).content.decode()
    assert "data-zx-warnings" in page and "题库已不足以组成这份试卷" in page
    assert re.search(r"规则 1[^<]*判断题只有 1 道[^<]*需要 2 道", page)
    assert re.search(r"data-zx-available>1 <span[^>]*>不够", page)


def test_rules_that_share_too_few_questions_are_flagged_together(
    bank, examiner_a, client_for
):
    history = QuestionCategory.objects.get(bank=bank, name="党史")
    paper = paper_create(by=examiner_a, bank=bank, title="随机卷", kind="random")
    paper_set_rules(
        by=examiner_a,
        paper=paper,
        rules=[
            {"type": "single", "count": 4, "score": 1, "category": history},
            {"type": "single", "count": 3, "score": 1},
        ],
    )
    # each rule alone still fits after archiving one 党史 question, together not
    questions_archive(
        by=examiner_a, questions=[Question.objects.get(bank=bank, name="ZS0")]
    )
    page = client_for(examiner_a).get(paper_url(paper)).content.decode()
    assert "data-zx-warnings" in page and "各规则的题目有重叠" in page


# --- the question picker ----------------------------------------------------------

PICKER_HEADER = [
    "题型",
    "题干",
    "选项A",
    "选项B",
    "答案",
    "难度",
    "知识点",
    "分类",
    "标签",
]


def xlsx(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(PICKER_HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def picker_bank(tree, examiner_a):
    """Questions with a type, a category path, a difficulty, a knowledge point
    and tags each, to filter."""
    bank = bank_create(by=examiner_a, name="组卷题库", owner_unit=tree.company_a)
    rows = [
        ["单选", "中国共产党的最高理想是什么", "共产主义", "小康", "A", 1,
         "党的理想", "党史/新时代", "党章,理想"],
        ["单选", "党的根本宗旨是", "为人民服务", "发展", "A", 3, "宗旨", "党史",
         "宗旨"],
        ["判断", "党员必须按期交纳党费", "", "", "对", 2, "党费", "党章", "党费"],
        ["判断", "预备党员的预备期为一年", "", "", "对", 5, "党员", "党章/组织",
         "党章"],
        ["单选", "四个意识中不包括", "享乐意识", "大局意识", "A", 3, "四个意识",
         "理论", ""],
    ]  # fmt: skip
    result = parse_xlsx(xlsx(rows))
    assert result.ok, [str(e) for e in result.errors]
    questions_import(bank=bank, result=result, file_name="组卷.xlsx", by=examiner_a)
    return bank


def picked(client, paper, **params):
    """The ids of the picker's rows on the paper page for ``params``, and the page."""
    html = client.get(paper_url(paper), params).content.decode()
    return sorted(int(pk) for pk in re.findall(r'data-zx-pick="(\d+)"', html)), html


def stems(*starts):
    """The ids of the questions whose current stem starts so."""
    return sorted(
        Question.objects.get(current__stem__startswith=start).pk for start in starts
    )


TICK = 'type="checkbox" name="question" value='


def test_the_picker_filters_like_the_bank_page(picker_bank, examiner_a, client_for):
    paper = paper_create(by=examiner_a, bank=picker_bank, title="组卷", kind="fixed")
    client = client_for(examiner_a)
    history = QuestionCategory.objects.get(bank=picker_bank, name="党史")
    charter = QuestionCategory.objects.get(bank=picker_bank, name="党章")

    names, html = picked(client, paper)
    assert len(names) == 5 and "共 5 道题" in html
    names, html = picked(client, paper, type="truefalse")
    assert names == stems("党员必须", "预备党员") and "共 2 道题" in html
    # a category takes its subcategories (党史/新时代)
    assert picked(client, paper, category=history.pk)[0] == stems(
        "中国共产党", "党的根本"
    )
    assert picked(client, paper, category=charter.pk, difficulty=5)[0] == stems(
        "预备党员"
    )
    assert picked(client, paper, knowledge_point="四个")[0] == stems("四个意识")
    assert picked(client, paper, tag="党章")[0] == stems("中国共产党", "预备党员")
    assert picked(client, paper, tag="党")[0] == []  # a whole tag, not a substring
    # Chinese text search over the current stem
    names, html = picked(client, paper, q="宗旨")
    assert names == stems("党的根本") and "共 1 道题" in html
    names, html = picked(client, paper, q="不存在的题")
    assert names == [] and "没有符合筛选条件的试题。" in html
    # the filters stay in the form, the tags are offered
    names, html = picked(client, paper, q="理想", tag="党章")
    assert 'value="理想"' in html and '<option value="党章" selected>' in html


def test_the_picker_leaves_out_archived_questions_and_marks_those_on_the_paper(
    picker_bank, examiner_a, client_for
):
    paper = paper_create(by=examiner_a, bank=picker_bank, title="组卷", kind="fixed")
    ideal, purpose, fee = (
        Question.objects.get(current__stem__startswith=s)
        for s in ("中国共产党", "党的根本", "党员必须")
    )
    paper_set_items(by=examiner_a, paper=paper, items=[(ideal, 2)])
    questions_archive(by=examiner_a, questions=[fee])
    client = client_for(examiner_a)
    names, html = picked(client, paper, archived="all")  # archived is not offered
    assert fee.pk not in names and len(names) == 4 and ideal.pk in names
    row = re.search(r"<tr[^>]*data-zx-on-paper>.*?</tr>", html, re.S).group(0)
    assert f'data-zx-pick="{ideal.pk}"' in row
    assert "disabled" in row and "已在试卷中" in row
    assert f'{TICK}"{ideal.pk}"' not in html and f'{TICK}"{purpose.pk}"' in html
    assert "data-zx-check-all" in html and ":not(:disabled)" in html


def test_adding_from_a_filtered_page_comes_back_to_it(
    picker_bank, examiner_a, client_for
):
    paper = paper_create(by=examiner_a, bank=picker_bank, title="组卷", kind="fixed")
    fee = Question.objects.get(current__stem__startswith="党员必须")
    client = client_for(examiner_a)
    html = client.get(
        paper_url(paper), {"type": "truefalse", "q": "党费"}
    ).content.decode()
    back = unescape(re.search(r'name="back" value="([^"]*)"', html).group(1))
    response = client.post(
        paper_url(paper, "items/add/"), {"question": [fee.pk], "back": back}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(paper_url(paper) + "?")
    assert (
        "type=truefalse" in response["Location"]
        and "q=%E5%85%9A%E8%B4%B9" in response["Location"]
    )
    assert item_names(paper) == [fee.name]
    page = client.get(response["Location"]).content.decode()
    assert "已添加 1 道题。" in page


def test_the_picker_pages_fifty_questions_in_bounded_queries(
    bank, examiner_a, client_for, django_assert_max_num_queries
):
    paper = fixed_paper(bank, examiner_a)
    client = client_for(examiner_a)
    client.get(paper_url(paper))  # the day's first request also books login points
    with CaptureQueriesContext(connection) as few:
        client.get(paper_url(paper))
    load(bank, examiner_a, gift("党史/新时代", "N", singles=60))
    with django_assert_max_num_queries(min(len(few), 30)):
        html = client.get(paper_url(paper)).content.decode()
    assert html.count(TICK) == 50 and "data-zx-on-paper" not in html
    assert "共 69 道题" in html and "第 1 页，共 2 页" in html
    with django_assert_max_num_queries(len(few)):
        html = client.get(paper_url(paper), {"page": 2}).content.decode()
    # 69 live questions, newest first: page 2 has the 3 on the paper, marked
    assert html.count(TICK) == 16 and html.count("data-zx-on-paper") == 3
    history = QuestionCategory.objects.get(bank=bank, name="党史")
    with django_assert_max_num_queries(len(few) + 1):  # + the category's lookup
        html = client.get(
            paper_url(paper), {"category": history.pk, "q": "单选", "type": "single"}
        ).content.decode()
    assert html.count(TICK) == 50 and "共 64 道题" in html


# --- scope ------------------------------------------------------------------------


def test_an_examiner_of_another_company_gets_404_on_every_paper_screen(
    tree, bank, examiner_a, examiner_b, client_for
):
    fixed = fixed_paper(bank, examiner_a)
    rnd = random_paper(bank, examiner_a)
    s0 = Question.objects.get(bank=bank, name="HS0")
    z0 = Question.objects.get(bank=bank, name="ZS0")
    gets = [
        (fixed, ""),
        (fixed, "?type=single&q=党史"),
        (fixed, "delete/"),
        (fixed, "preview/"),
        (rnd, ""),
    ]
    posts = [
        (fixed, "settings/", {"title": "改", "shuffle_options": "on"}),
        (fixed, "copy/", {}),
        (fixed, "delete/", {}),
        (fixed, "items/add/", {"question": [z0.pk]}),
        (fixed, "items/remove/", {"question": s0.pk}),
        (fixed, "items/move/", {"question": s0.pk, "position": 3}),
        (fixed, "items/score/", {"question": s0.pk, "score": 9}),
        (rnd, "rules/add/", {"type": "single", "count": 1, "score": 1}),
        (rnd, "rules/remove/", {"rule": 1}),
        (rnd, "rules/move/", {"rule": 2, "position": 1}),
        (rnd, "rules/change/", {"rule": 1, "count": 1, "score": 5}),
    ]
    for outsider in (examiner_b, tree.admin_a):
        client = client_for(outsider)
        for paper, rest in gets:
            assert client.get(paper_url(paper, rest)).status_code == 404, rest
        for paper, rest, data in posts:
            assert client.post(paper_url(paper, rest), data).status_code == 404, rest
    # a member without admin access is sent to the login page
    client = client_for(tree.member_a.user)
    for paper, rest, data in posts:
        response = client.post(paper_url(paper, rest), data)
        assert response.status_code == 302 and "/login/" in response["Location"]
    assert Paper.objects.count() == 2
    assert item_names(fixed) == ["HS0", "HS1", "HT0"]
    assert fixed.items.get(question=s0).score == Decimal(2)
    assert rule_rows(rnd) == [("single", 2, Decimal(2)), ("truefalse", 1, Decimal(1))]
    fixed.refresh_from_db()
    assert fixed.title == "党史测验"
    # and the bank's own examiner reaches them all
    client = client_for(examiner_a)
    for paper, rest in gets:
        assert client.get(paper_url(paper, rest)).status_code == 200, rest


def test_a_paper_is_not_found_under_another_bank_for_the_new_screens(
    tree, bank, examiner_a, client_for
):
    paper = fixed_paper(bank, examiner_a)
    other = bank_create(by=examiner_a, name="另一个题库", owner_unit=tree.company_a)
    client = client_for(examiner_a)
    base = f"{BASE}{other.pk}/papers/{paper.pk}/"
    assert client.get(f"{base}delete/").status_code == 404
    assert client.post(f"{base}copy/").status_code == 404
    assert client.post(f"{base}delete/").status_code == 404
    s0 = Question.objects.get(bank=bank, name="HS0")
    data = {"question": s0.pk, "position": 2}
    assert client.post(f"{base}items/move/", data).status_code == 404
    assert Paper.objects.count() == 1 and item_names(paper)[0] == "HS0"
