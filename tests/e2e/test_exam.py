"""A member sits an exam on a phone: the countdown, answers saved as they go,
a network drop that loses nothing, submit, and the result with its review."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from exams.models import Attempt, AttemptAnswer, ResultsRelease, ReviewAnswers
from tests.exams.sitting import by_type, exam_paper, make_exam

from .test_login_and_home import log_in

ATTEMPT = "window.zhixueAttempt"


@pytest.fixture
def exam(site, tree):
    return make_exam(
        tree,
        exam_paper(tree),
        timezone.now(),
        review_answers=ReviewAnswers.AFTER_SUBMIT,
        results_release=ResultsRelease.IMMEDIATELY,
    )


def option(page, position: int, letter: str):
    return page.locator(f'[data-position="{position}"] input[value="{letter}"]')


def saved_everything(page) -> None:
    page.wait_for_function(f"{ATTEMPT} && {ATTEMPT}.pending() === 0")


def test_sitting_an_exam_on_a_phone_loses_no_answer(open_page, site, tree, exam):
    user = tree.member_a.user
    page = open_page()
    # the phone's clock is three hours fast: the countdown follows the server's
    page.clock.install(time=timezone.now() + timedelta(hours=3))
    log_in(page, user.username, "Test-pass-2026")
    page.goto("/exams/")
    row = page.locator(f'[data-exam="{exam.pk}"]')
    expect(row).to_contain_text("党章知识考试")
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="开始考试").click()
    expect(page.locator("[data-countdown]")).to_have_text(re.compile(r"^(59|60):\d\d$"))
    attempt = Attempt.objects.get(exam=exam, user=user)
    questions = by_type(attempt)
    single, drawn = questions["single"]
    right = drawn.original_to_display("A")
    option(page, single, right).check()
    truefalse, _drawn = questions["truefalse"]
    option(page, truefalse, "true").check()
    saved_everything(page)
    expect(page.locator("[data-answered]")).to_have_text("2")
    expect(page.locator(f'[data-nav="{single}"]')).to_have_class(
        re.compile("is-answered")
    )
    assert AttemptAnswer.objects.get(attempt=attempt, position=single).response == ["A"]

    # the network drops: the answer waits on the phone, then goes when it is back
    page.context.set_offline(True)
    blank, _drawn = questions["blank"]
    inputs = page.locator(f'[data-position="{blank}"] input')
    inputs.nth(0).fill("全心全意为人民服务")
    inputs.nth(1).fill("先锋队")
    expect(page.locator("[data-save-status]")).to_contain_text("网络已断开")
    assert not AttemptAnswer.objects.filter(attempt=attempt, position=blank).exists()
    stored = page.evaluate(f"localStorage.getItem('zhixue-attempt-{attempt.pk}')")
    assert "先锋队" in stored
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    saved_everything(page)
    assert AttemptAnswer.objects.get(attempt=attempt, position=blank).response == [
        "全心全意为人民服务",
        "先锋队",
    ]

    # a reload straight after typing (before the save went out) loses nothing
    essay, _drawn = questions["essay"]
    page.locator(f'[data-position="{essay}"] textarea').fill("坚持学习，从我做起")
    page.reload()
    expect(page.locator(f'[data-position="{essay}"] textarea')).to_have_value(
        "坚持学习，从我做起"
    )
    saved_everything(page)
    assert AttemptAnswer.objects.get(attempt=attempt, position=essay).response == (
        "坚持学习，从我做起"
    )
    expect(page.locator("[data-answered]")).to_have_text("4")

    # submit, confirm, and the result with the review
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("[data-submit]").click()
    expect(page.locator("[data-result]")).to_contain_text("已交卷")
    expect(page.locator("[data-score]")).to_have_text("5.00")
    expect(page.locator("[data-review]").first).to_be_visible()
    attempt.refresh_from_db()
    assert attempt.submitted_at is not None and attempt.score == 5
