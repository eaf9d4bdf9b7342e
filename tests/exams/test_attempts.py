"""Exams and attempts: server deadlines, saves that lose nothing, idempotent
submit, grading of every type, essays, regrading, and what a candidate sees."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from courses.models import PointsEntry
from exams.models import (
    Attempt,
    AttemptAnswer,
    MultiplePolicy,
    Question,
    ResultsRelease,
    ReviewAnswers,
)
from exams.selectors.attempts import attempt_sheet
from exams.services.attempts import (
    AttemptClosed,
    answer_save,
    attempt_start,
    attempt_submit,
    attempts_close_overdue,
    essay_mark,
    exam_grade,
    exam_regrade,
)
from exams.services.exams import exam_create, override_set
from exams.services.papers import paper_set_items
from exams.services.questions import question_revise
from org.models import Role
from org.services.roles import role_grant
from tests.exams.sitting import (
    answer_all_right,
    by_type,
    exam_paper,
    letters,
    make_exam,
)
from tests.factories import make_member


@pytest.fixture
def paper(tree):
    return exam_paper(tree)


@pytest.fixture
def now():
    return timezone.now().replace(microsecond=0)


def test_the_deadline_is_fixed_by_the_server_at_the_start(tree, paper, now):
    exam = make_exam(tree, paper, now, closes_at=now + timedelta(minutes=30))
    attempt = attempt_start(user=tree.member_a.user, exam=exam, now=now)
    # 60 minutes, but the window closes in 30
    assert attempt.deadline == now + timedelta(minutes=30)
    assert attempt.max_score == Decimal("14")
    assert len(attempt.draw) == 5
    # starting again (a second tab) gives the same attempt
    assert attempt_start(user=tree.member_a.user, exam=exam, now=now).pk == attempt.pk
    # an override gives one member more time and a later close
    other = make_member(tree.branch_a2, "赵延时").user
    override_set(by=tree.examiner, exam=exam, user=other, extra_minutes=20,
                 closes_at=now + timedelta(hours=5), reason="工地断网")  # fmt: skip
    late = attempt_start(user=other, exam=exam, now=now)
    assert late.deadline == now + timedelta(minutes=80)


def test_who_may_sit_and_when(tree, paper, now):
    exam = make_exam(tree, paper, now)
    with pytest.raises(PermissionDenied):  # company B is not a target
        attempt_start(user=tree.member_b.user, exam=exam, now=now)
    with pytest.raises(ValidationError) as early:
        attempt_start(user=tree.member_a.user, exam=exam, now=now - timedelta(hours=2))
    assert early.value.code == "not_open"
    with pytest.raises(ValidationError) as late:
        attempt_start(user=tree.member_a.user, exam=exam, now=now + timedelta(hours=4))
    assert late.value.code == "closed"
    draft = exam_create(
        by=tree.examiner, paper=paper, unit=tree.group, title="草稿",
        opens_at=now, closes_at=now + timedelta(hours=1), duration_minutes=30,
        pass_mark=1, target_units=[tree.company_a],
    )  # fmt: skip
    with pytest.raises(PermissionDenied):  # not published
        attempt_start(user=tree.member_a.user, exam=draft, now=now)


def test_exam_settings_are_checked_and_scoped(tree, paper, now):
    with pytest.raises(ValidationError) as error:
        exam_create(
            by=tree.examiner, paper=paper, unit=tree.group, title="坏的",
            opens_at=now, closes_at=now - timedelta(hours=1), duration_minutes=0,
            pass_mark=99, target_units=[tree.company_a],
        )  # fmt: skip
    assert {"closes_at", "duration_minutes", "pass_mark"} <= set(
        error.value.message_dict
    )
    company_examiner = make_member(tree.company_b, "孙考官").user
    role_grant(user=company_examiner, role=Role.EXAMINER, unit=tree.company_b)
    with pytest.raises(PermissionDenied):  # the bank and company A are outside
        exam_create(
            by=company_examiner, paper=paper, unit=tree.company_b, title="越权",
            opens_at=now, closes_at=now + timedelta(hours=1), duration_minutes=30,
            pass_mark=1, target_units=[tree.company_a],
        )  # fmt: skip


def test_every_type_is_graded_and_a_second_submit_is_harmless(
    tree, paper, now, django_capture_on_commit_callbacks
):
    exam = make_exam(tree, paper, now)
    attempt = attempt_start(user=tree.member_a.user, exam=exam, now=now)
    answer_all_right(attempt, now)
    essay_pos, _drawn = by_type(attempt)["essay"]
    answer_save(attempt=attempt, position=essay_pos, response="要坚持全面从严治党",
                revision=1, now=now)  # fmt: skip
    submitted = attempt_submit(attempt=attempt, now=now + timedelta(minutes=10))
    assert submitted.score == Decimal("9.00")  # 2 + 4 + 1 + 2, the essay waits
    assert submitted.pending_marks == 1 and not submitted.timed_out
    again = attempt_submit(attempt=attempt, now=now + timedelta(minutes=20))
    assert again.submitted_at == submitted.submitted_at
    assert again.score == submitted.score
    assert AttemptAnswer.objects.filter(attempt=attempt).count() == 5
    with pytest.raises(AttemptClosed):
        answer_save(attempt=attempt, position=1, response="B", revision=9, now=now)
    essay = AttemptAnswer.objects.get(attempt=attempt, position=essay_pos)
    with pytest.raises(ValidationError):  # more than the question's 5 points
        essay_mark(by=tree.examiner, answer=essay, score=6)
    assert not PointsEntry.objects.filter(user=attempt.user).exists()  # not yet
    with django_capture_on_commit_callbacks(execute=True):
        essay_mark(by=tree.examiner, answer=essay, score="3.5", comment="论述较完整")
    attempt.refresh_from_db()
    assert attempt.score == Decimal("12.50") and attempt.pending_marks == 0
    # passed (pass mark 8) once every mark is in: the points engine's 积分, once
    entry = PointsEntry.objects.get(user=attempt.user)
    assert (entry.action, entry.event_key) == ("exam_passed", f"exam:{exam.pk}")


def test_multiple_choice_policies_and_wrong_answers(tree, paper, now):
    strict = make_exam(tree, paper, now)
    partial = make_exam(tree, paper, now, title="部分得分",
                        multiple_policy=MultiplePolicy.PARTIAL,
                        partial_credit=Decimal("0.5"))  # fmt: skip
    user = tree.member_a.user
    scores = {}
    for exam in (strict, partial):
        attempt = attempt_start(user=user, exam=exam, now=now)
        questions = by_type(attempt)
        pos, drawn = questions["multiple"]
        answer_save(attempt=attempt, position=pos, response=letters(drawn, "AB"),
                    revision=1, now=now)  # fmt: skip
        pos, drawn = questions["single"]
        answer_save(attempt=attempt, position=pos, response=letters(drawn, "B"),
                    revision=1, now=now)  # fmt: skip
        pos, _drawn = questions["blank"]
        answer_save(attempt=attempt, position=pos, response=["为人民服务", "先锋"],
                    revision=1, now=now)  # fmt: skip
        scores[exam.title] = attempt_submit(attempt=attempt, now=now).score
    # 多选 AB of ABC: nothing, or half of 4; 填空: one blank of two right: 1 of 2
    assert scores == {"党章知识考试": Decimal("1.00"), "部分得分": Decimal("3.00")}


def test_a_late_retry_never_overwrites_a_newer_answer(tree, paper, now):
    exam = make_exam(tree, paper, now)
    attempt = attempt_start(user=tree.member_a.user, exam=exam, now=now)
    pos, drawn = by_type(attempt)["single"]
    answer_save(attempt=attempt, position=pos, response=letters(drawn, "B"),
                revision=1, now=now)  # fmt: skip
    answer_save(attempt=attempt, position=pos, response=letters(drawn, "A"),
                revision=3, now=now)  # fmt: skip
    # revision 2 was queued on the phone during a network drop and arrives last
    answer_save(attempt=attempt, position=pos, response=letters(drawn, "C"),
                revision=2, now=now)  # fmt: skip
    stored = AttemptAnswer.objects.get(attempt=attempt, position=pos)
    assert (stored.response, stored.revision) == (["A"], 3)
    for bad in ["Z", ["A", "B"], 5]:
        with pytest.raises(ValidationError):
            answer_save(attempt=attempt, position=pos, response=bad, revision=4,
                        now=now)  # fmt: skip
    with pytest.raises(ValidationError):
        answer_save(attempt=attempt, position=99, response="A", revision=4, now=now)


def test_time_running_out_submits_the_attempt_with_what_was_saved(tree, paper, now):
    exam = make_exam(tree, paper, now, duration_minutes=20)
    attempt = attempt_start(user=tree.member_a.user, exam=exam, now=now)
    answer_all_right(attempt, now + timedelta(minutes=5))
    # a save within the grace period after the deadline is still taken
    pos, _drawn = by_type(attempt)["truefalse"]
    answer_save(attempt=attempt, position=pos, response=False, revision=2,
                now=now + timedelta(minutes=20, seconds=10))  # fmt: skip
    # after it, the save is refused and the attempt is submitted on the spot
    with pytest.raises(AttemptClosed) as closed:
        answer_save(attempt=attempt, position=pos, response=True, revision=3,
                    now=now + timedelta(minutes=25))  # fmt: skip
    assert closed.value.code == "time_up"
    attempt.refresh_from_db()
    assert attempt.submitted_at is not None and attempt.timed_out
    assert attempt.score == Decimal("8.00")  # the 判断 changed to wrong in time
    # the sweeper closes the ones nobody touches again
    other = make_member(tree.branch_a2, "钱离线").user
    silent = attempt_start(user=other, exam=exam, now=now)
    assert attempts_close_overdue(now + timedelta(minutes=10)) == 0
    assert attempts_close_overdue(now + timedelta(minutes=30)) == 1
    silent.refresh_from_db()
    assert silent.timed_out and silent.score == 0


def test_attempts_allowed_and_grading_methods(tree, paper, now):
    exam = make_exam(tree, paper, now, attempts_allowed=2, grading_method="average")
    user = tree.member_a.user
    first = attempt_start(user=user, exam=exam, now=now)
    answer_all_right(first, now)
    attempt_submit(attempt=first, now=now)
    second = attempt_start(user=user, exam=exam, now=now)
    assert second.number == 2 and second.pk != first.pk
    attempt_submit(attempt=second, now=now)
    with pytest.raises(ValidationError) as used_up:
        attempt_start(user=user, exam=exam, now=now)
    assert used_up.value.code == "no_attempts"
    assert exam_grade(exam=exam, user=user) == Decimal("4.50")
    exam.grading_method = "highest"
    assert exam_grade(exam=exam, user=user) == Decimal("9.00")
    exam.grading_method = "last"
    assert exam_grade(exam=exam, user=user) == Decimal("0.00")
    override_set(by=tree.examiner, exam=exam, user=user, extra_attempts=1)
    assert attempt_start(user=user, exam=exam, now=now).number == 3


def test_a_corrected_key_regrades_submitted_attempts(tree, paper, now):
    exam = make_exam(tree, paper, now)
    attempt = attempt_start(user=tree.member_a.user, exam=exam, now=now)
    pos, drawn = by_type(attempt)["single"]
    answer_save(attempt=attempt, position=pos, response=letters(drawn, "B"),
                revision=1, now=now)  # fmt: skip
    assert attempt_submit(attempt=attempt, now=now).score == 0
    question = Question.objects.get(pk=drawn.question_id)
    version = question.current
    choices = [{**c, "fraction": "1" if c["key"] == "B" else "0"}
               for c in version.choices]  # fmt: skip
    question_revise(question=question, by=tree.examiner, choices=choices, answer=["B"])
    question.refresh_from_db()
    assert exam_regrade(by=tree.examiner, exam=exam, question=question) == 1
    attempt.refresh_from_db()
    assert attempt.score == Decimal("2.00")


def test_the_key_reaches_the_candidate_only_when_review_allows(tree, paper, now):
    exam = make_exam(tree, paper, now, review_answers=ReviewAnswers.AFTER_CLOSE,
                     results_release=ResultsRelease.IMMEDIATELY)  # fmt: skip
    user = tree.member_a.user
    attempt = attempt_start(user=user, exam=exam, now=now)
    sheet = attempt_sheet(attempt=attempt, viewer=user, now=now)
    text = repr(sheet)
    assert "correct" not in sheet["questions"][0] and "党章总纲" not in text
    assert "全心全意为人民服务" not in text and "参考：全面从严治党" not in text
    assert sheet["answered"] == 0 and sheet["total"] == 5
    pos, drawn = by_type(attempt)["single"]
    options = sheet["questions"][pos - 1]["options"]
    assert [o["letter"] for o in options] == ["A", "B", "C", "D"]
    shown_a = drawn.original_to_display("A")
    assert next(o for o in options if o["letter"] == shown_a)["text"] == "共产主义"
    answer_all_right(attempt, now)
    attempt = attempt_submit(attempt=attempt, now=now)
    after_submit = attempt_sheet(attempt=attempt, viewer=user, now=now)
    assert after_submit["result"]["score"] == "9.00" and not after_submit["review"]
    assert "党章总纲" not in repr(after_submit)
    after_close = attempt_sheet(attempt=attempt, viewer=user,
                                now=now + timedelta(hours=4))  # fmt: skip
    assert after_close["review"]
    question = after_close["questions"][pos - 1]
    assert question["correct"] == [shown_a] and "党章总纲" in question["explanation"]
    with pytest.raises(Attempt.DoesNotExist):  # someone else's attempt
        attempt_sheet(attempt=attempt, viewer=tree.member_b.user, now=now)


@pytest.mark.django_db(transaction=True)
def test_concurrent_starts_and_submits_make_one_attempt_and_one_grade(tree, paper):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the PostgreSQL pass runs this")
    now = timezone.now()
    exam = make_exam(tree, paper, now)
    user = tree.member_a.user
    started, errors = [], []
    together = threading.Barrier(6)

    def start():
        together.wait()  # six taps at once
        try:
            started.append(attempt_start(user=user, exam=exam, now=now).pk)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=start) for _i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and len(set(started)) == 1
    attempt = Attempt.objects.get(pk=started[0])
    answer_all_right(attempt, now)

    at_once = threading.Barrier(4)

    def submit():
        at_once.wait()
        try:
            attempt_submit(attempt=attempt, now=now)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    attempt.refresh_from_db()
    assert attempt.score == Decimal("9.00")
    assert AttemptAnswer.objects.filter(attempt=attempt).count() == 5


def test_a_paper_in_use_cannot_change(tree, paper, now):
    exam = make_exam(tree, paper, now)
    items = [(item.question, item.score) for item in paper.items.all()]
    paper_set_items(by=tree.examiner, paper=paper, items=items)  # nobody started
    attempt_start(user=tree.member_a.user, exam=exam, now=now)
    with pytest.raises(ValidationError) as in_use:
        paper_set_items(by=tree.examiner, paper=paper, items=items[:2])
    assert "已有考生" in str(in_use.value)
    assert paper.items.count() == 5


def race_save_and_submit(attempt, position, response) -> dict:
    """A save and a submit of one attempt at the same moment, in two threads."""
    together, outcome = threading.Barrier(2), {}

    def save():
        together.wait()
        try:
            answer_save(attempt=attempt, position=position, response=response,
                        revision=1)  # fmt: skip
            outcome["save"] = "saved"
        except AttemptClosed:
            outcome["save"] = "refused"
        finally:
            connection.close()

    def submit():
        together.wait()
        try:
            attempt_submit(attempt=attempt)
        finally:
            connection.close()

    threads = [threading.Thread(target=save), threading.Thread(target=submit)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcome


@pytest.mark.django_db(transaction=True)
def test_a_save_racing_the_submit_is_graded_or_refused_never_lost(tree, paper):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the PostgreSQL pass runs this")
    now = timezone.now()
    exam = make_exam(tree, paper, now)
    for _round in range(5):
        user = make_member(tree.branch_a2, f"竞速{_round}").user
        attempt = attempt_start(user=user, exam=exam, now=now)
        pos, drawn = by_type(attempt)["single"]
        outcome = race_save_and_submit(attempt, pos, letters(drawn, "A"))
        attempt.refresh_from_db()
        stored = AttemptAnswer.objects.get(attempt=attempt, position=pos)
        if outcome["save"] == "saved":  # saved before the submit: graded with it
            assert stored.response == ["A"] and stored.score == Decimal("2.00")
            assert attempt.score == Decimal("2.00")
        else:  # refused: the candidate's page is told, nothing half-saved
            assert stored.response is None and attempt.score == 0
