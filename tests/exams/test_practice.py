"""Practice: the daily quiz (same all day, points once), practice by category,
and the wrong-answer book (from exams only once review allows; cleared by a
right answer)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from courses.models import PointsEntry
from exams.importers import parse_gift
from exams.models import (
    PracticeRound,
    Question,
    QuestionCategory,
    ReviewAnswers,
    WrongAnswer,
)
from exams.services.attempts import answer_save, attempt_start, attempt_submit
from exams.services.banks import bank_set_practice
from exams.services.imports import questions_import
from exams.services.papers import DrawnQuestion
from exams.services.practice import (
    category_round,
    daily_quiz,
    round_answer,
    wrong_book,
    wrong_book_round,
)
from tests.exams.sitting import by_type, exam_paper, letters, make_exam
from tests.factories import points_rules_ensure


@pytest.fixture
def practice_paper(tree):
    paper = exam_paper(tree)
    bank_set_practice(by=tree.examiner, bank=paper.bank, practice=True)
    return paper


def right_response(round, position):
    """The right answer to a round's question, as the member would give it."""
    drawn = DrawnQuestion.from_dict(round.draw[position - 1])
    question = Question.objects.select_related("current").get(pk=drawn.question_id)
    answer = question.current.answer
    if question.type in ("single", "multiple"):
        return [drawn.original_to_display(k) for k in answer]
    if question.type == "truefalse":
        return answer
    return [blank[0]["text"] for blank in answer["blanks"]]


def test_the_daily_quiz_is_the_same_all_day_and_pays_once(
    tree, practice_paper, django_capture_on_commit_callbacks
):
    points_rules_ensure()
    user = tree.member_a.user
    today = timezone.localdate()
    quiz = daily_quiz(user=user, day=today)
    assert daily_quiz(user=user, day=today).pk == quiz.pk
    # four objective questions in the bank (essays are not practised)
    assert len(quiz.draw) == 4
    with django_capture_on_commit_callbacks(execute=True):
        for position in range(1, 5):
            result = round_answer(round=quiz, position=position,
                                  response=right_response(quiz, position))  # fmt: skip
            assert result["correct"]
    assert result["completed"]
    entry = PointsEntry.objects.get(user=user, action="daily_quiz")
    assert entry.event_key == f"quiz:{today.isoformat()}"
    # answering again changes nothing and pays nothing
    with django_capture_on_commit_callbacks(execute=True):
        again = round_answer(round=quiz, position=1, response=None)
    assert again["correct"]
    assert PointsEntry.objects.filter(user=user, action="daily_quiz").count() == 1
    tomorrow = daily_quiz(user=user, day=today + datetime.timedelta(days=1))
    assert tomorrow.pk != quiz.pk


def test_only_open_banks_of_ones_own_units_are_practised(tree, practice_paper):
    assert daily_quiz(user=tree.member_a.user).draw  # the bank belongs to the group
    bank_set_practice(by=tree.examiner, bank=practice_paper.bank, practice=False)
    with pytest.raises(ValidationError):
        daily_quiz(user=tree.member_b.user)
    with pytest.raises(ValidationError):
        wrong_book_round(user=tree.member_b.user)


def test_practice_by_category_and_a_mistake_in_the_book(tree, practice_paper):
    user = tree.member_a.user
    gift = (
        "$CATEGORY: $course$/top/党史\n\n"
        "::遵义:: 遵义会议召开于 {=1935年 ~1921年 ~1949年}\n\n"
        "::古田:: 古田会议召开于 {=1929年 ~1927年 ~1937年}\n"
    )
    result = parse_gift(gift.encode())
    questions_import(bank=practice_paper.bank, result=result, file_name="党史.gift",
                     by=tree.examiner)  # fmt: skip
    category = QuestionCategory.objects.get(bank=practice_paper.bank, name="党史")
    practice = category_round(user=user, category=category)
    assert len(practice.draw) == 2  # only that category
    right = right_response(practice, 1)
    wrong = next(o for o in "ABC" if [o] != right)
    assert not round_answer(round=practice, position=1, response=wrong)["correct"]
    (entry,) = wrong_book(user=user)
    assert entry.source == "practice" and entry.attempt is None
    again = wrong_book_round(user=user)
    assert round_answer(round=again, position=1,
                        response=right_response(again, 1))["correct"]  # fmt: skip
    assert wrong_book(user=user) == []


def test_exam_mistakes_reach_the_book_only_when_review_allows(tree, practice_paper):
    now = timezone.now()
    user = tree.member_a.user
    secret = make_exam(tree, practice_paper, now, review_answers=ReviewAnswers.NEVER)
    attempt = attempt_start(user=user, exam=secret, now=now)
    pos, drawn = by_type(attempt)["single"]
    answer_save(attempt=attempt, position=pos, response=letters(drawn, "B"),
                revision=1, now=now)  # fmt: skip
    attempt_submit(attempt=attempt, now=now)
    # collected (4 objective questions wrong or unanswered), but not shown
    assert WrongAnswer.objects.filter(user=user).count() == 4
    assert wrong_book(user=user) == []
    open_review = make_exam(tree, practice_paper, now, title="可回看",
                            review_answers=ReviewAnswers.AFTER_SUBMIT)  # fmt: skip
    attempt = attempt_start(user=user, exam=open_review, now=now)
    attempt_submit(attempt=attempt, now=now)
    book = wrong_book(user=user)
    assert len(book) == 4 and {e.times for e in book} == {2}
    # practising them: a right answer clears the entry, a wrong one keeps it
    round = wrong_book_round(user=user)
    round_answer(round=round, position=1, response=right_response(round, 1))
    assert len(wrong_book(user=user)) == 3
    assert PracticeRound.objects.filter(user=user, kind="wrong_book").count() == 1


def test_the_practice_pages(tree, practice_paper, client_for):
    client = client_for(tree.member_a.user)
    home = client.get("/exams/practice/").content.decode()
    assert "每日答题" in home and "错题本" in home
    started = client.post("/exams/practice/start/daily/")
    round = PracticeRound.objects.get(user=tree.member_a.user, kind="daily")
    assert started.url == f"/exams/practice/rounds/{round.pk}/"
    page = client.get(started.url).content.decode()
    assert "提交答案" in page and "正确答案" not in page
    response = right_response(round, 1)  # as the form posts it (the day's draw)
    if isinstance(response, bool):
        response = "true" if response else "false"
    data = {"position": 1, "q1": response}
    answered = client.post(started.url, data)
    assert answered.url.endswith("#q1")
    page = client.get(started.url).content.decode()
    assert "正确答案" in page and 'data-review="right"' in page
    other = client_for(tree.member_b.user)
    assert other.get(started.url).status_code == 404


def test_practice_through_the_api(tree, practice_paper, api_for):
    api = api_for(tree.member_a.user)
    home = api.get("/api/v1/practice/").json()
    assert home["daily_round"] is None and home["wrong_book"] == 0
    sheet = api.post("/api/v1/practice/rounds/", {"kind": "daily"}, format="json")
    assert sheet.status_code == 201
    data = sheet.json()
    assert data["total"] == 4 and "correct" not in data["questions"][0]
    round = PracticeRound.objects.get(pk=data["round"])
    url = f"/api/v1/practice/rounds/{round.pk}/answers/1/"
    answered = api.post(url, {"response": right_response(round, 1)}, format="json")
    assert answered.json()["right"] and "correct" in answered.json()
    assert api.get("/api/v1/practice/").json()["daily_answered"] == 1
    other = api_for(tree.member_b.user)
    assert other.get(f"/api/v1/practice/rounds/{round.pk}/").status_code == 404
    assert other.post(url, {"response": None}, format="json").status_code == 404
