"""考试管理 in the admin: create, publish, results with the chart data, item
analysis, the marking queue (blind too), overrides, release and the Excel sheet,
all scoped to the subtrees the examiner examines."""

import io
import json
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from exams.models import (
    Attempt,
    AttemptAnswer,
    Exam,
    ExamOverride,
    Question,
    ResultsRelease,
)
from exams.services.attempts import answer_save, attempt_start, attempt_submit
from org.models import Role
from org.services.roles import role_grant
from tests.exams.sitting import answer_all_right, by_type, exam_paper, make_exam
from tests.factories import make_member

BASE = "/admin/exams/"


@pytest.fixture
def sat(tree):
    now = timezone.now()
    exam = make_exam(tree, exam_paper(tree), now, results_release=ResultsRelease.MANUAL)
    attempt = attempt_start(user=tree.member_a.user, exam=exam, now=now)
    answer_all_right(attempt, now)
    pos, _drawn = by_type(attempt)["essay"]
    answer_save(attempt=attempt, position=pos, response="坚持全面从严治党，\n从我做起",
                revision=1, now=now)  # fmt: skip
    attempt_submit(attempt=attempt, now=now)
    return exam


def exam_form(tree, paper, **fields) -> dict:
    now = timezone.localtime()
    data = {
        "title": "考试", "paper": paper.pk, "unit": tree.group.pk,
        "target_units": [tree.company_a.pk],
        "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": 30, "attempts_allowed": 1, "grading_method": "highest",
        "pass_mark": "8", "multiple_policy": "partial", "partial_credit": "0.5",
        "results_release": "immediately", "review_answers": "after_close",
        "review_explanations": "on",
    }  # fmt: skip
    data.update(fields)
    return data


def test_an_examiner_creates_and_publishes_an_exam(tree, client_for):
    paper = exam_paper(tree)
    client = client_for(tree.examiner)
    form = client.get(f"{BASE}new/").content.decode()
    assert "党章测试" in form and "子分公司A党委" in form
    response = client.post(
        f"{BASE}new/",
        exam_form(tree, paper, title="季度考试", duration_minutes=45,
                  target_units=[tree.company_a.pk, tree.company_b.pk]),
    )  # fmt: skip
    exam = Exam.objects.get(title="季度考试")
    assert response.url == f"{BASE}{exam.pk}/"
    assert exam.published_at is None and exam.duration_minutes == 45
    assert set(exam.target_units.all()) == {tree.company_a, tree.company_b}
    client.post(f"{BASE}{exam.pk}/publish/")
    exam.refresh_from_db()
    assert exam.published_at is not None
    # a pass mark above the full mark is refused with the reason
    bad = client.post(f"{BASE}new/", exam_form(tree, paper, pass_mark="99"))
    assert "及格分应在 0 到满分" in bad.content.decode()


def test_the_exam_page_shows_results_analysis_and_chart_data(tree, sat, client_for):
    page = client_for(tree.examiner).get(f"{BASE}{sat.pk}/").content.decode()
    assert tree.member_a.user.display_name in page
    assert "缺考" in page  # the others under company A
    bands = json.loads(re.search(r'id="zx-bands"[^>]*>(.*?)</script>', page).group(1))
    assert sum(b["count"] for b in bands) == 1
    assert "vendor/echarts/echarts.min.js" in page
    assert "试题分析" in page and "data-items" in page


def test_marking_an_essay_updates_the_grade_and_blind_marking_hides_names(
    tree, sat, client_for
):
    client = client_for(tree.examiner)
    queue = client.get(f"{BASE}{sat.pk}/marking/").content.decode()
    assert "从我做起" in queue and tree.member_a.user.display_name in queue
    blind = client.get(f"{BASE}{sat.pk}/marking/?blind=1").content.decode()
    assert "从我做起" in blind and tree.member_a.user.display_name not in blind
    answer = AttemptAnswer.objects.get(attempt__exam=sat, score__isnull=True)
    client.post(f"{BASE}{sat.pk}/marking/?blind=1",
                {"answer": answer.pk, "score": "4", "comment": "较好"})  # fmt: skip
    attempt = Attempt.objects.get(exam=sat)
    assert attempt.score == Decimal("13.00") and attempt.pending_marks == 0
    assert "没有等待阅卷" in client.get(f"{BASE}{sat.pk}/marking/").content.decode()


def test_release_override_and_the_excel_sheet(tree, sat, client_for):
    client = client_for(tree.examiner)
    late = make_member(tree.branch_a2, "赵延时")
    client.post(f"{BASE}{sat.pk}/override/", {"employee_no": late.employee_no,
                                              "extra_minutes": 15, "extra_attempts": 0,
                                              "reason": "工地断网"})  # fmt: skip
    assert ExamOverride.objects.get(exam=sat, user=late.user).extra_minutes == 15
    client.post(f"{BASE}{sat.pk}/release/")
    sat.refresh_from_db()
    assert sat.results_released_at is not None
    response = client.get(f"{BASE}{sat.pk}/export/")
    assert "filename*=utf-8''" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    rows = list(workbook["成绩"].iter_rows(values_only=True))
    assert any(r[1] == tree.member_a.user.display_name and r[5] == 9 for r in rows)


def test_exams_outside_the_examiners_subtrees_are_404(tree, sat, client_for):
    company_examiner = make_member(tree.company_b, "孙考官").user
    role_grant(user=company_examiner, role=Role.EXAMINER, unit=tree.company_b)
    client = client_for(company_examiner)
    assert sat.title not in client.get(BASE).content.decode()
    for url in ("", "marking/", "export/"):
        assert client.get(f"{BASE}{sat.pk}/{url}").status_code == 404
    for url in ("publish/", "release/", "override/"):
        assert client.post(f"{BASE}{sat.pk}/{url}").status_code == 404
    assert client_for(tree.member_a.user).get(BASE).status_code in (302, 403, 404)


def test_a_corrected_key_is_a_new_version_and_regrades_the_exam(tree, sat, client_for):
    attempt = Attempt.objects.get(exam=sat)
    _pos, drawn = by_type(attempt)["single"]
    question = Question.objects.get(pk=drawn.question_id)
    base = f"/admin/question-banks/{question.bank_id}/questions/{question.pk}/"
    client = client_for(tree.examiner)
    page = client.get(base).content.decode()
    assert "重新评分" in page and sat.title in page
    # the member answered A (right so far); the key is corrected to B
    client.post(f"{base}key/", {"keys": ["B"], "explanation": "更正后的解析"})
    question.refresh_from_db()
    assert question.current.number == 2 and question.current.answer == ["B"]
    assert question.current.explanation == "更正后的解析"
    attempt.refresh_from_db()
    assert attempt.score == Decimal("9.00")  # unchanged until regraded
    client.post(f"{base}regrade/", {"exam": sat.pk})
    attempt.refresh_from_db()
    assert attempt.score == Decimal("7.00")
    # two right options for a 单选 are refused, and nothing changes
    client.post(f"{base}key/", {"keys": ["A", "B"]})
    question.refresh_from_db()
    assert question.current.number == 2
    other = make_member(tree.company_b, "孙考官").user
    role_grant(user=other, role=Role.EXAMINER, unit=tree.company_b)
    assert client_for(other).post(f"{base}key/", {"keys": ["A"]}).status_code == 404
