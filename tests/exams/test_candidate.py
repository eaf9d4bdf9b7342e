"""The candidate API and pages: my exams, start, save, submit, and what reaches
the client (no key before review, nobody else's attempt)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from exams.models import (
    Attempt,
    AttemptAnswer,
    AttemptEvent,
    ResultsRelease,
    ReviewAnswers,
)
from exams.selectors.results import exam_results
from tests.exams.sitting import by_type, exam_paper, letters, make_exam


@pytest.fixture
def exam(tree):
    now = timezone.now()
    return make_exam(
        tree,
        exam_paper(tree),
        now,
        review_answers=ReviewAnswers.AFTER_SUBMIT,
        results_release=ResultsRelease.IMMEDIATELY,
    )


def test_my_exams_lists_what_the_member_may_sit(tree, exam, api_for):
    mine = api_for(tree.member_a.user).get("/api/v1/exams/").json()
    assert [(row["id"], row["state"], row["attempts_left"]) for row in mine] == [
        (exam.pk, "open", 1)
    ]
    assert api_for(tree.member_b.user).get("/api/v1/exams/").json() == []


def test_start_save_submit_through_the_api(tree, exam, api_for):
    api = api_for(tree.member_a.user)
    started = api.post(f"/api/v1/exams/{exam.pk}/attempts/")
    assert started.status_code == 201
    sheet = started.json()
    assert sheet["total"] == 5 and not sheet["submitted"]
    assert "correct" not in sheet["questions"][0]
    attempt = Attempt.objects.get(pk=sheet["attempt"])
    # the same start again resumes the attempt
    assert (
        api.post(f"/api/v1/exams/{exam.pk}/attempts/").json()["attempt"] == attempt.pk
    )
    pos, drawn = by_type(attempt)["single"]
    url = f"/api/v1/attempts/{attempt.pk}/answers/{pos}/"
    saved = api.put(
        url, {"response": letters(drawn, "A"), "revision": 1}, format="json"
    )
    assert saved.status_code == 200 and saved.json()["answered"] == 1
    stale = api.put(
        url, {"response": letters(drawn, "B"), "revision": 1}, format="json"
    )
    assert stale.json()["revision"] == 1
    assert AttemptAnswer.objects.get(attempt=attempt, position=pos).response == ["A"]
    bad = api.put(url, {"response": "Z", "revision": 2}, format="json")
    assert bad.status_code == 400
    submitted = api.post(f"/api/v1/attempts/{attempt.pk}/submit/").json()
    assert submitted["submitted"] and submitted["result"]["score"] == "2.00"
    assert submitted["result"]["rank"] == 1
    assert submitted["review"]
    single = submitted["questions"][pos - 1]
    assert single["correct"] == [drawn.original_to_display("A")]
    again = api.post(f"/api/v1/attempts/{attempt.pk}/submit/").json()
    assert again["result"] == submitted["result"]
    closed = api.put(
        url, {"response": letters(drawn, "B"), "revision": 5}, format="json"
    )
    assert closed.status_code == 409 and closed.json()["code"] == "submitted"


def test_nobody_reaches_another_members_attempt(tree, exam, api_for):
    attempt_id = (
        api_for(tree.member_a.user)
        .post(f"/api/v1/exams/{exam.pk}/attempts/")
        .json()["attempt"]
    )
    other = api_for(tree.member_b.user)
    assert other.get(f"/api/v1/attempts/{attempt_id}/").status_code == 404
    answer = f"/api/v1/attempts/{attempt_id}/answers/1/"
    assert (
        other.put(answer, {"response": None, "revision": 1}, format="json").status_code
        == 404
    )
    assert other.post(f"/api/v1/attempts/{attempt_id}/submit/").status_code == 404
    assert other.post(f"/api/v1/exams/{exam.pk}/attempts/").status_code == 404


def test_an_attempt_past_its_time_is_closed_when_opened(tree, exam, api_for):
    api = api_for(tree.member_a.user)
    attempt_id = api.post(f"/api/v1/exams/{exam.pk}/attempts/").json()["attempt"]
    Attempt.objects.filter(pk=attempt_id).update(
        deadline=timezone.now() - timedelta(minutes=5)
    )
    sheet = api.get(f"/api/v1/attempts/{attempt_id}/").json()
    assert sheet["submitted"]
    assert Attempt.objects.get(pk=attempt_id).timed_out


def test_the_pages_show_the_exam_the_sheet_and_the_result(tree, exam, client_for):
    client = client_for(tree.member_a.user)
    page = client.get("/exams/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "党章知识考试" in text and "开始考试" in text
    started = client.post(f"/exams/{exam.pk}/start/")
    attempt = Attempt.objects.get(exam=exam, user=tree.member_a.user)
    assert started.url == f"/exams/attempts/{attempt.pk}/"
    sheet = client.get(started.url).content.decode()
    assert "党的最高理想是" in sheet and "剩余时间" in sheet and "交卷" in sheet
    assert "党章总纲" not in sheet  # the explanation waits for the review
    other = client_for(tree.member_b.user)
    assert other.get(started.url).status_code == 404
    assert "继续作答" in client.get("/exams/").content.decode()


def test_leaving_the_sheet_is_logged_for_the_examiner(tree, exam, api_for):
    api = api_for(tree.member_a.user)
    attempt_id = api.post(f"/api/v1/exams/{exam.pk}/attempts/").json()["attempt"]
    url = f"/api/v1/attempts/{attempt_id}/events/"
    for kind in ("hidden", "visible", "hidden", "visible"):
        assert api.post(url, {"kind": kind}, format="json").status_code == 204
    assert api.post(url, {"kind": "cheat"}, format="json").status_code == 400
    other = api_for(tree.member_b.user)
    assert other.post(url, {"kind": "hidden"}, format="json").status_code == 404
    rows = {r.member.user_id: r for r in exam_results(exam=exam)}
    assert rows[tree.member_a.user.pk].left_page == 2
    # after submit nothing more is logged
    api.post(f"/api/v1/attempts/{attempt_id}/submit/")
    api.post(url, {"kind": "hidden"}, format="json")
    assert AttemptEvent.objects.filter(attempt_id=attempt_id).count() == 4
