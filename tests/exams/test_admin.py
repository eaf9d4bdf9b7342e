"""The 题库 admin: banks, the bank page (filters, bulk actions, exports), a
question's page, and importing (preview, then 确认导入) — all scoped to the
subtrees an examiner examines."""

import io
import os
import re
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from exams.importers import parse_gift, parse_xlsx
from exams.models import Question, QuestionBank, QuestionCategory, QuestionImport
from exams.services.banks import bank_create
from exams.services.imports import questions_import
from exams.services.questions import question_revise
from org.models import Role
from org.services.roles import role_grant
from tests.factories import make_member, xlsx_bytes

HEADERS = ["题型", "题干", "选项A", "选项B", "选项C", "答案", "难度", "分值", "分类"]
BASE = "/admin/question-banks/"


def single(stem, answer="A", *, category="", difficulty="中等"):
    return ["单选题", stem, "甲", "乙", "丙", answer, difficulty, "2", category]


GOOD_ROWS = [
    single("党的最高理想是什么？", category="党章/总纲"),
    [
        *("多选题", "党的纪律包括哪些？", "政治纪律", "组织纪律", "作息纪律"),
        *("AB", "较难", "", "党规"),
    ],
    ["判断题", "党员应当按期交纳党费。", "", "", "", "对", "", "", "党规"],
    ["填空题", "党的根本宗旨是____。", "", "", "", "全心全意为人民服务", "", "", ""],
]


def upload(name, content):
    return SimpleUploadedFile(name, content)


def load(bank, rows, by, file_name="t.xlsx"):
    result = parse_xlsx(xlsx_bytes(HEADERS, rows))
    assert result.ok, [str(e) for e in result.errors]
    questions_import(bank=bank, result=result, file_name=file_name, by=by)


def pending_files():
    folder = Path(settings.PROTECTED_MEDIA_ROOT) / "exams" / "pending-imports"
    return list(folder.iterdir()) if folder.is_dir() else []


@pytest.fixture
def examiner_a(tree):
    user = make_member(tree.company_a, "钱考官").user
    role_grant(user=user, role=Role.EXAMINER, unit=tree.company_a)
    return user


@pytest.fixture
def bank_a(tree):
    return bank_create(by=tree.examiner, name="A公司题库", owner_unit=tree.company_a)


@pytest.fixture
def bank_b(tree):
    return bank_create(by=tree.examiner, name="B公司题库", owner_unit=tree.company_b)


# --- the menu and the bank list -------------------------------------------------------


def test_the_menu_item_is_shown_to_examiners_and_platform_admins(
    tree, examiner_a, client_for
):
    for user in (examiner_a, tree.examiner, tree.platform_admin):
        assert BASE in client_for(user).get("/admin/").content.decode()
    assert BASE not in client_for(tree.admin_a).get("/admin/").content.decode()
    assert BASE not in client_for(tree.editor).get("/admin/").content.decode()


def test_the_bank_list_shows_only_the_banks_one_examines(
    tree, examiner_a, bank_a, bank_b, client_for
):
    load(bank_a, GOOD_ROWS, examiner_a, file_name="党章题.xlsx")
    html = client_for(examiner_a).get(BASE).content.decode()
    assert "A公司题库" in html and "B公司题库" not in html
    assert "子分公司A党委" in html and "党章题.xlsx" in html
    everything = client_for(tree.examiner).get(BASE).content.decode()
    assert "A公司题库" in everything and "B公司题库" in everything


def test_the_bank_list_takes_the_same_queries_for_more_banks(
    tree, examiner_a, client_for
):
    client = client_for(examiner_a)
    bank = bank_create(by=examiner_a, name="题库0", owner_unit=tree.company_a)
    load(bank, GOOD_ROWS, examiner_a)
    client.get(BASE)  # warm up the admin's caches
    with CaptureQueriesContext(connection) as few:
        client.get(BASE)
    for n in range(1, 8):
        bank = bank_create(by=examiner_a, name=f"题库{n}", owner_unit=tree.branch_a2)
        load(bank, GOOD_ROWS, examiner_a)
    with CaptureQueriesContext(connection) as many:
        html = client.get(BASE).content.decode()
    assert len(many) == len(few)
    assert all(f"题库{n}" in html for n in range(8))


def test_an_examiner_creates_a_bank_for_a_unit_they_examine(
    tree, examiner_a, client_for
):
    client = client_for(examiner_a)
    form = client.get(f"{BASE}new/").content.decode()
    assert "子分公司A党委" in form and "A一项目部党支部" in form
    assert "子分公司B党委" not in form

    outside = client.post(
        f"{BASE}new/", {"name": "B的题库", "owner_unit": tree.company_b.pk}
    )
    assert outside.status_code == 200 and not QuestionBank.objects.exists()

    created = client.post(
        f"{BASE}new/",
        {
            "name": "A一支部题库",
            "owner_unit": tree.branch_a1.pk,
            "description": "应知应会",
        },
    )
    bank = QuestionBank.objects.get()
    assert created.status_code == 302 and created.url == f"{BASE}{bank.pk}/"
    assert bank.owner_unit == tree.branch_a1 and bank.created_by == examiner_a

    again = client.post(
        f"{BASE}new/", {"name": "A一支部题库", "owner_unit": tree.company_a.pk}
    )
    assert "already exists" in again.content.decode() or "已存在" in (
        again.content.decode()
    )
    assert QuestionBank.objects.count() == 1


# --- the bank page --------------------------------------------------------------------


def test_the_bank_page_filters_and_searches_in_chinese(
    tree, examiner_a, bank_a, client_for
):
    load(bank_a, GOOD_ROWS, examiner_a)
    client = client_for(examiner_a)
    url = f"{BASE}{bank_a.pk}/"

    everything = client.get(url).content.decode()
    for stem in (
        "党的最高理想是什么？",
        "党的纪律包括哪些？",
        "党员应当按期交纳党费。",
    ):
        assert stem in everything
    assert "总纲" in everything  # the category tree

    found = client.get(url, {"q": "纪律"}).content.decode()
    assert "党的纪律包括哪些？" in found and "党的最高理想是什么？" not in found

    party_rules = QuestionCategory.objects.get(name="党规")
    by_category = client.get(url, {"category": party_rules.pk}).content.decode()
    assert (
        "党的纪律包括哪些？" in by_category and "党员应当按期交纳党费。" in by_category
    )
    assert "党的最高理想是什么？" not in by_category

    by_type = client.get(url, {"type": "truefalse"}).content.decode()
    assert "党员应当按期交纳党费。" in by_type and "党的纪律包括哪些？" not in by_type
    hard = client.get(url, {"difficulty": "4"}).content.decode()
    assert "党的纪律包括哪些？" in hard and "党员应当按期交纳党费。" not in hard

    # the export buttons carry the filters
    assert "export/xlsx/?type=truefalse" in by_type


def test_the_bank_page_is_paginated_in_a_fixed_number_of_queries(
    tree, examiner_a, bank_a, client_for
):
    client = client_for(examiner_a)
    url = f"{BASE}{bank_a.pk}/"
    load(
        bank_a, [single(f"第{n:03d}题", category="党章") for n in range(3)], examiner_a
    )
    client.get(url)  # warm up the admin's caches
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    load(
        bank_a,
        [single(f"第{n:03d}题", category="党章/总纲") for n in range(3, 80)],
        examiner_a,
    )
    with CaptureQueriesContext(connection) as many:
        first = client.get(url).content.decode()
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    assert "第079题" in first and "第030题" in first and "第029题" not in first
    second = client.get(url, {"page": 2}).content.decode()
    assert "第029题" in second and "第000题" in second and "第030题" not in second


def test_a_question_page_shows_the_current_version_and_its_history(
    tree, examiner_a, bank_a, client_for
):
    load(bank_a, GOOD_ROWS[:2], examiner_a)
    multiple = Question.objects.get(type="multiple")
    question_revise(question=multiple, by=examiner_a, explanation="修订后的解析")
    html = client_for(examiner_a).get(f"{BASE}{bank_a.pk}/questions/{multiple.pk}/")
    html = html.content.decode()
    assert "党的纪律包括哪些？" in html and "修订后的解析" in html
    assert html.count('class="zx-correct"') == 2  # A and B are right, C is not
    assert re.search(r"v2\s*<span[^>]*>", html) and "v1" in html
    assert "党规" in html


def test_a_script_in_a_stem_is_not_rendered(tree, examiner_a, bank_a, client_for):
    result = parse_xlsx(
        xlsx_bytes(
            HEADERS,
            [
                [
                    "单选题",
                    '<p>安全的题干</p><script>alert("xss")</script>'
                    '<img src="x" onerror="alert(1)">',
                    "<b>甲</b><script>steal()</script>",
                    "乙",
                    "",
                    "A",
                    "",
                    "",
                    "",
                ]
            ],
        )
    )
    questions_import(bank=bank_a, result=result, file_name="x.xlsx", by=examiner_a)
    question = Question.objects.get()
    client = client_for(examiner_a)

    detail = client.get(f"{BASE}{bank_a.pk}/questions/{question.pk}/").content.decode()
    listing = client.get(f"{BASE}{bank_a.pk}/").content.decode()

    for html in (detail, listing):
        assert '<script>alert("xss")' not in html and "<script>steal" not in html
        assert "onerror" not in html
    assert "<p>安全的题干</p>" in detail and "<b>甲</b>" in detail


# --- importing ------------------------------------------------------------------------


def test_a_good_sheet_is_previewed_then_imported_on_confirmation(
    tree, examiner_a, bank_a, client_for
):
    client = client_for(examiner_a)
    url = f"{BASE}{bank_a.pk}/import/"
    assert "题库导入模板" in client.get(url).content.decode() or (
        f"{BASE}template/" in client.get(url).content.decode()
    )

    preview = client.post(
        url, {"file": upload("党规题.xlsx", xlsx_bytes(HEADERS, GOOD_ROWS))}
    )
    html = preview.content.decode()
    assert preview.status_code == 200
    assert not Question.objects.exists() and not QuestionImport.objects.exists()
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    assert "党的最高理想是什么？" in html  # the sample
    assert len(pending_files()) == 1

    done = client.post(url, {"token": token})

    assert done.status_code == 302 and done.url == f"{BASE}{bank_a.pk}/"
    assert Question.objects.filter(bank=bank_a).count() == 4
    record = QuestionImport.objects.get()
    assert record.file_name == "党规题.xlsx" and record.imported == 4
    assert record.created_by == examiner_a
    assert pending_files() == []
    # the token is spent: a second confirmation imports nothing more
    client.post(url, {"token": token})
    assert Question.objects.count() == 4
    bank_page = client.get(f"{BASE}{bank_a.pk}/").content.decode()
    assert "党规题.xlsx" in bank_page


def test_a_bad_sheet_shows_rows_and_columns_and_cannot_be_imported(
    tree, examiner_a, bank_a, client_for
):
    rows = [
        *GOOD_ROWS,
        single("答案不是选项", answer="E"),
        ["论文题", "未知题型", "", "", "", "", "", "", ""],
        single("分值不对", difficulty="很难很难"),
    ]
    client = client_for(examiner_a)
    url = f"{BASE}{bank_a.pk}/import/"

    preview = client.post(url, {"file": upload("bad.xlsx", xlsx_bytes(HEADERS, rows))})

    html = preview.content.decode()
    assert 'name="token"' not in html
    assert "nothing can be imported" in html or "无法导入" in html
    errors = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td>", html)
    where = {(re.sub(r"\D", "", row), column) for row, column in errors}
    assert where == {("6", "答案（F）"), ("7", "题型（A）"), ("8", "难度（G）")}
    assert not Question.objects.exists() and not QuestionImport.objects.exists()
    assert pending_files() == []
    # a made-up token imports nothing either
    forged = client.post(url, {"token": "made-up"})
    assert forged.status_code == 302 and not Question.objects.exists()


def test_a_gift_file_lists_the_unsupported_questions(
    tree, examiner_a, bank_a, client_for
):
    gift = (
        "::单选::党的根本组织原则是 {=民主集中制 ~集体领导}\n\n"
        "::数值题::党的十八大召开于哪一年 {#2012}\n\n"
        "::匹配题::配对 {=党章 -> 根本大法 =条例 -> 规章}\n"
    ).encode()
    client = client_for(examiner_a)
    url = f"{BASE}{bank_a.pk}/import/"

    preview = client.post(url, {"file": upload("题目.gift", gift)})

    html = preview.content.decode()
    assert "numerical" in html and "数值题" in html
    assert "match" in html and "匹配题" in html
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    client.post(url, {"token": token})
    (question,) = Question.objects.all()
    assert question.name == "单选" and question.type == "single"
    record = QuestionImport.objects.get()
    assert [u["type"] for u in record.unsupported] == ["numerical", "match"]


def test_the_format_is_asked_for_when_the_file_name_does_not_tell(
    tree, examiner_a, bank_a, client_for
):
    client = client_for(examiner_a)
    url = f"{BASE}{bank_a.pk}/import/"
    text = "党的根本宗旨是？\nA. 为人民服务\nB. 发展经济\nANSWER: A\n".encode()

    unknown = client.post(url, {"file": upload("题目.txt", text)})
    assert 'name="token"' not in unknown.content.decode()

    aiken = client.post(url, {"file": upload("题目.txt", text), "format": "aiken"})
    assert 'name="token"' in aiken.content.decode()


def test_uploads_left_unconfirmed_are_swept_away(tree, examiner_a, bank_a, client_for):
    folder = Path(settings.PROTECTED_MEDIA_ROOT) / "exams" / "pending-imports"
    folder.mkdir(parents=True)
    stale, fresh = folder / "stale-token", folder / "fresh-token"
    stale.write_bytes(b"old")
    fresh.write_bytes(b"new")
    long_ago = time.time() - 7 * 3600
    os.utime(stale, (long_ago, long_ago))

    client_for(examiner_a).post(
        f"{BASE}{bank_a.pk}/import/",
        {"file": upload("a.xlsx", xlsx_bytes(HEADERS, GOOD_ROWS))},
    )

    assert not stale.exists() and fresh.exists()
    assert len(pending_files()) == 2  # the fresh one and the new upload


def test_a_token_only_confirms_into_its_own_bank(tree, bank_a, client_for):
    other = bank_create(by=tree.examiner, name="另一个题库", owner_unit=tree.company_a)
    client = client_for(tree.examiner)
    preview = client.post(
        f"{BASE}{bank_a.pk}/import/",
        {"file": upload("a.xlsx", xlsx_bytes(HEADERS, GOOD_ROWS))},
    )
    token = re.search(r'name="token" value="([^"]+)"', preview.content.decode())[1]

    client.post(f"{BASE}{other.pk}/import/", {"token": token})
    assert not Question.objects.exists()

    # someone else's session does not hold it
    client_for(tree.platform_admin).post(f"{BASE}{bank_a.pk}/import/", {"token": token})
    assert not Question.objects.exists()
    client.post(f"{BASE}{bank_a.pk}/import/", {"token": token})
    assert Question.objects.filter(bank=bank_a).count() == 4


def test_the_real_magicodes_bank_previews_404_questions_without_errors(
    tree, examiner_a, bank_a, client_for, corpus
):
    source = corpus / "question_banks_zh" / "magicodes_ie" / "题库导入模板.xlsx"
    client = client_for(examiner_a)
    url = f"{BASE}{bank_a.pk}/import/"

    preview = client.post(url, {"file": upload(source.name, source.read_bytes())})

    html = preview.content.decode()
    assert re.search(r"<strong>404</strong>", html)
    assert "help-critical" not in html
    token = re.search(r'name="token" value="([^"]+)"', html)[1]
    client.post(url, {"token": token})
    assert Question.objects.filter(bank=bank_a, type="single").count() == 404


def test_the_template_downloads(tree, examiner_a, client_for):
    response = client_for(examiner_a).get(f"{BASE}template/")
    assert response.status_code == 200
    result = parse_xlsx(response.content)
    assert result.ok and len(result.questions) == 3


# --- bulk actions ---------------------------------------------------------------------


def test_archiving_asks_for_confirmation_then_archives(
    tree, examiner_a, bank_a, client_for
):
    load(bank_a, GOOD_ROWS, examiner_a)
    client = client_for(examiner_a)
    chosen = list(
        Question.objects.filter(type__in=["single", "truefalse"]).values_list(
            "pk", flat=True
        )
    )
    bulk = f"{BASE}{bank_a.pk}/bulk/"

    confirm = client.post(
        bulk, {"action": "archive", "question": chosen, "back": "type=single"}
    )

    assert confirm.status_code == 200
    assert "党的最高理想是什么？" in confirm.content.decode()
    assert not Question.objects.filter(archived_at__isnull=False).exists()

    done = client.post(
        bulk,
        {
            "action": "archive",
            "question": chosen,
            "confirm": "1",
            "back": "type=single",
        },
    )

    assert done.status_code == 302 and done.url.endswith("?type=single")
    assert set(
        Question.objects.filter(archived_at__isnull=False).values_list("pk", flat=True)
    ) == set(chosen)
    listing = client.get(f"{BASE}{bank_a.pk}/").content.decode()
    assert "党的最高理想是什么？" not in listing and "党的纪律包括哪些？" in listing
    archived = client.get(f"{BASE}{bank_a.pk}/", {"archived": "yes"}).content.decode()
    assert "党的最高理想是什么？" in archived

    client.post(bulk, {"action": "restore", "question": chosen})
    assert not Question.objects.filter(archived_at__isnull=False).exists()


def test_questions_move_to_a_category_of_their_bank_only(
    tree, examiner_a, bank_a, bank_b, client_for
):
    load(bank_a, GOOD_ROWS, examiner_a)
    load(bank_b, [single("B的题", category="B分类")], tree.examiner)
    client = client_for(examiner_a)
    target = QuestionCategory.objects.get(bank=bank_a, name="总纲")
    elsewhere = QuestionCategory.objects.get(bank=bank_b)
    chosen = list(
        Question.objects.filter(bank=bank_a, type="truefalse").values_list(
            "pk", flat=True
        )
    )
    bulk = f"{BASE}{bank_a.pk}/bulk/"

    client.post(bulk, {"action": "move", "question": chosen, "category": elsewhere.pk})
    client.post(bulk, {"action": "move", "question": chosen})
    assert Question.objects.get(pk=chosen[0]).category.name == "党规"

    client.post(bulk, {"action": "move", "question": chosen, "category": target.pk})
    assert Question.objects.get(pk=chosen[0]).category == target

    b_question = Question.objects.get(bank=bank_b)
    client.post(
        bulk, {"action": "archive", "question": [b_question.pk], "confirm": "1"}
    )
    assert Question.objects.get(pk=b_question.pk).archived_at is None


# --- exports --------------------------------------------------------------------------


def test_exports_open_and_parse_back_with_the_filters(
    tree, examiner_a, bank_a, client_for
):
    load(bank_a, GOOD_ROWS, examiner_a)
    client = client_for(examiner_a)

    xlsx = client.get(f"{BASE}{bank_a.pk}/export/xlsx/")
    assert xlsx.status_code == 200
    load_workbook(io.BytesIO(xlsx.content))  # a real workbook
    assert len(parse_xlsx(xlsx.content).questions) == 4

    singles = client.get(f"{BASE}{bank_a.pk}/export/xlsx/", {"type": "single"})
    (only,) = parse_xlsx(singles.content).questions
    assert only.stem == "党的最高理想是什么？" and only.category == ["党章", "总纲"]

    gift = client.get(f"{BASE}{bank_a.pk}/export/gift/", {"category": ""})
    assert gift.status_code == 200 and "attachment" in gift["Content-Disposition"]
    parsed = parse_gift(gift.content)
    assert parsed.errors == [] and len(parsed.questions) == 4


def test_a_gift_export_that_cannot_be_written_says_why(
    tree, examiner_a, bank_a, client_for
):
    two_blanks = ["填空题", "____和____", "", "", "", "甲|乙", "", "", ""]
    load(bank_a, [two_blanks], examiner_a)
    client = client_for(examiner_a)
    response = client.get(f"{BASE}{bank_a.pk}/export/gift/", {"type": "blank"})
    assert response.status_code == 302
    assert response.url == f"{BASE}{bank_a.pk}/?type=blank"
    page = client.get(response.url).content.decode()
    assert "GIFT can only express a 填空 with one blank" in page


# --- scope ----------------------------------------------------------------------------


def test_another_subtrees_bank_is_not_found_anywhere(
    tree, examiner_a, bank_b, client_for
):
    load(bank_b, GOOD_ROWS, tree.examiner)
    question = Question.objects.first()
    client = client_for(examiner_a)
    base = f"{BASE}{bank_b.pk}"
    for url in (
        f"{base}/",
        f"{base}/import/",
        f"{base}/export/xlsx/",
        f"{base}/export/gift/",
        f"{base}/questions/{question.pk}/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"{base}/bulk/", {"action": "archive"}).status_code == 404
    assert (
        client.post(
            f"{base}/import/",
            {"file": upload("a.xlsx", xlsx_bytes(HEADERS, GOOD_ROWS))},
        ).status_code
        == 404
    )
    assert Question.objects.filter(archived_at__isnull=False).count() == 0


def test_non_examiners_get_nothing(tree, bank_a, client_for):
    load(bank_a, GOOD_ROWS, tree.examiner)
    question = Question.objects.first()
    urls = [
        BASE,
        f"{BASE}new/",
        f"{BASE}template/",
        f"{BASE}{bank_a.pk}/",
        f"{BASE}{bank_a.pk}/import/",
        f"{BASE}{bank_a.pk}/export/xlsx/",
        f"{BASE}{bank_a.pk}/questions/{question.pk}/",
    ]
    for user in (tree.admin_a, tree.editor):  # in the admin, but not examiners
        client = client_for(user)
        for url in urls:
            assert client.get(url).status_code == 404, (user, url)
    member = client_for(tree.member_a.user)  # not in the admin at all
    for url in urls:
        assert member.get(url).status_code in (302, 403, 404), url
    assert client_for(tree.admin_a).post(f"{BASE}new/", {}).status_code == 404
