"""Results, ranks, participation, the score distribution, Moodle-style item
analysis and the Excel 成绩表."""

import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from openpyxl import load_workbook

from exams.models import ResultsRelease
from exams.selectors.attempts import results_visible
from exams.selectors.results import (
    exam_results,
    item_analysis,
    results_summary,
    score_distribution,
    unit_breakdown,
)
from exams.services.attempts import (
    answer_save,
    attempt_start,
    attempt_submit,
    exam_rank,
)
from exams.services.exams import exam_results_release
from exams.services.results_export import results_workbook
from tests.exams.sitting import (
    answer_all_right,
    by_type,
    exam_paper,
    letters,
    make_exam,
)
from tests.factories import make_member


@pytest.fixture
def sat(tree):
    """Four candidates of company A: two strong (9), one middling (2), one weak
    (1); everyone else under company A is absent."""
    now = timezone.now()
    exam = make_exam(tree, exam_paper(tree), now,
                     results_release=ResultsRelease.MANUAL)  # fmt: skip
    people = {
        name: make_member(tree.branch_a2, name).user
        for name in ("强一", "强二", "中等", "较弱")
    }
    for name, user in people.items():
        attempt = attempt_start(user=user, exam=exam, now=now)
        questions = by_type(attempt)
        if name.startswith("强"):
            answer_all_right(attempt, now)
        else:
            pos, drawn = questions["single"]
            choice = "A" if name == "中等" else "B"
            shown = letters(drawn, choice)
            answer_save(attempt=attempt, position=pos, response=shown,
                        revision=1, now=now)  # fmt: skip
            if name == "较弱":
                pos, _drawn = questions["truefalse"]
                answer_save(attempt=attempt, position=pos, response=True,
                            revision=1, now=now)  # fmt: skip
        attempt_submit(attempt=attempt, now=now)
    return exam, people


def test_results_rank_everyone_the_exam_is_for(tree, sat):
    exam, people = sat
    rows = exam_results(exam=exam)
    by_name = {row.member.user.display_name: row for row in rows}
    assert [(by_name[n].grade, by_name[n].rank) for n in people] == [
        (Decimal("9.00"), 1), (Decimal("9.00"), 1),
        (Decimal("2.00"), 3), (Decimal("1.00"), 4),
    ]  # fmt: skip
    assert by_name["强一"].passed and not by_name["中等"].passed
    # what the candidate's result page says agrees
    assert exam_rank(exam=exam, user=people["中等"]) == 3
    assert exam_rank(exam=exam, user=tree.member_a.user) is None
    # members under company A who did not sit are listed as absent
    absent = by_name[tree.member_a.user.display_name]
    assert (absent.grade, absent.rank, absent.attempts) == (None, None, 0)
    assert tree.member_b.user.display_name not in by_name  # company B: not for them
    summary = results_summary(rows)
    assert (summary.sat, summary.passed, summary.average) == (4, 2, Decimal("5.25"))
    assert summary.members == len(rows) > 4
    # per unit under the organising unit (the group): only company A sits it
    (company_a,) = unit_breakdown(exam=exam, rows=rows)
    assert company_a.unit == tree.company_a
    assert (company_a.summary.sat, company_a.summary.passed) == (4, 2)
    assert company_a.summary.members == summary.members
    bands = score_distribution(exam=exam, rows=rows)
    assert [b["count"] for b in bands] == [1, 1, 0, 0, 0, 0, 2, 0, 0, 0]
    assert bands[0]["label"] == "0–1.4"


def test_item_analysis_finds_the_facility_discrimination_and_options(tree, sat):
    exam, _people = sat
    items = {item.type: item for item in item_analysis(exam=exam)}
    single = items["single"]
    assert single.attempts == 4
    assert single.facility == pytest.approx(0.75)
    assert single.options == {"A": 3, "B": 1, "C": 0, "D": 0}
    multiple = items["multiple"]
    assert multiple.facility == pytest.approx(0.5)
    assert multiple.discrimination > 0.9  # only the strong get it right
    assert multiple.unanswered == 2
    # the 判断 is right for the two strong and the weak one but not the middling
    truefalse = items["truefalse"]
    assert truefalse.facility == pytest.approx(0.75)
    assert 0 < single.discrimination < multiple.discrimination
    # nobody answered the essay: its zero marks count, facility 0, flagged
    assert items["essay"].facility == 0 and items["essay"].flagged


def test_manual_release_and_the_excel_sheet(tree, sat):
    exam, _people = sat
    assert not results_visible(exam)
    with pytest.raises(PermissionDenied):
        exam_results_release(by=tree.member_a.user, exam=exam)
    exam_results_release(by=tree.examiner, exam=exam)
    assert results_visible(exam)
    rows = exam_results(exam=exam)
    units = unit_breakdown(exam=exam, rows=rows)
    content = results_workbook(
        exam=exam, rows=rows, items=item_analysis(exam=exam), units=units
    )
    workbook = load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == ["成绩", "单位统计", "试题分析"]
    (company,) = list(workbook["单位统计"].iter_rows(values_only=True))[1:]
    assert company[0] == "子分公司A党委" and company[2] == 4
    results = list(workbook["成绩"].iter_rows(values_only=True))
    assert results[0][:3] == ("名次", "姓名", "工号")
    strong = next(r for r in results if r[1] == "强一")
    assert strong[0] == 1 and strong[5] == 9 and strong[6] == "合格"
    absent = next(r for r in results if r[1] == tree.member_a.user.display_name)
    assert absent[6] == "缺考"
    analysis = list(workbook["试题分析"].iter_rows(values_only=True))
    assert len(analysis) == 1 + 5
