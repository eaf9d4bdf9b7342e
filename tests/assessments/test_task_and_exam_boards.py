"""Boards by tasks completed (学习任务 through the courses selectors) and by exam
score (exams' released grades, in % of the paper)."""

from decimal import Decimal

from django.utils import timezone

from assessments.models import Metric, PeriodKind
from assessments.periods import period_of
from assessments.selectors.boards import member_board, unit_board
from exams.models import ResultsRelease
from exams.services.attempts import answer_save, attempt_start, attempt_submit
from org.models import Unit
from tests.courses.conftest import clock, course  # noqa: F401 (fixtures)
from tests.courses.test_assignments import complete, make_task
from tests.exams.sitting import by_type, exam_paper, letters, make_exam
from tests.factories import make_member


def fresh(unit):
    return Unit.objects.get(pk=unit.pk)


def test_members_rank_by_tasks_completed_in_the_period(tree, course, clock):  # noqa: F811
    colleague = make_member(tree.branch_a1, "刘支部")
    make_task(tree.admin_a, [course.course], owner_unit=tree.company_a,
              units=[tree.company_a])  # fmt: skip
    complete(tree.member_a.user, course, clock)
    due = make_task(tree.admin_a, [course.course], owner_unit=tree.company_a,
                    units=[tree.company_a], title="第二个任务")  # fmt: skip
    period = period_of(PeriodKind.YEAR, due.due_on)
    board = member_board(
        viewer=colleague.user,
        unit=fresh(tree.company_a),
        metric=Metric.TASKS,
        period=period,
    )
    # both tasks use the same course: completing it completes both
    assert [(r.rank, r.name, r.value) for r in board.rows] == [(1, "李红梅", 2)]
    assert board.my_rank is None and board.me_on_board
    units = unit_board(
        viewer=tree.member_a.user,
        unit=fresh(tree.company_a),
        metric=Metric.TASKS,
        period=period,
        order="participation",
    )
    first = units.rows[0]
    assert (first.unit.name, first.participants, first.members) == (
        "A一项目部党支部",
        1,
        2,
    )


def test_members_rank_by_exam_score_as_a_share_of_the_paper(tree):
    now = timezone.now()
    exam = make_exam(
        tree, exam_paper(tree), now, results_release=ResultsRelease.IMMEDIATELY
    )
    for member, right in (
        (tree.member_a, True),
        (make_member(tree.team_a1, "赵六"), False),
    ):
        attempt = attempt_start(user=member.user, exam=exam, now=now)
        position, drawn = by_type(attempt)["single"]
        answer_save(attempt=attempt, position=position, revision=1, now=now,
                    response=letters(drawn, "A" if right else "B"))  # fmt: skip
        attempt_submit(attempt=attempt, now=now)
    board = member_board(
        viewer=tree.member_a.user,
        unit=fresh(tree.team_a1),
        metric=Metric.EXAM,
        period=period_of(PeriodKind.MONTH, timezone.localdate(exam.closes_at)),
    )
    # 2 of the paper's 14 points = 14.29 %; the wrong answer earns nothing
    assert [(r.rank, r.name, r.value) for r in board.rows] == [
        (1, "李红梅", Decimal("14.29")),
        (2, "赵六", Decimal("0.00")),
    ]
    one = member_board(
        viewer=tree.member_a.user,
        unit=fresh(tree.team_a1),
        metric=Metric.EXAM,
        period=period_of(PeriodKind.YEAR),
        exam_id=exam.pk,
    )
    assert one.my_rank == 1
