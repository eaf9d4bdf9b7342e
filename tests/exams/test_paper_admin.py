"""The paper screens (试卷) of the 题库 admin: the bank's papers, a fixed paper's
questions, a random paper's rules, and a preview draw — scoped like the banks."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from exams.importers import parse_gift
from exams.models import Paper, PaperKind, PaperRule, Question, QuestionCategory
from exams.services.banks import bank_create
from exams.services.imports import questions_import
from exams.services.papers import paper_create, paper_set_items, paper_set_rules
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
