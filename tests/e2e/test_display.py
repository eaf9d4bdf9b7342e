"""The lobby display on a TV: charts drawn at 1920×1080 and 3840×2160 without
scrolling, new study hours shown without a reload, and a revoked link ending
the display at once."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from assessments.services.display import display_link_create, display_link_revoke
from assessments.services.totals import totals_fold
from courses.models import StudyKind
from courses.services.ledger import ledger_record
from exams.models import ResultsRelease
from exams.services.attempts import attempt_start, attempt_submit
from org.models import Unit
from tests.exams.sitting import answer_all_right, exam_paper, make_exam
from tests.factories import make_member

FULL_HD = {"width": 1920, "height": 1080}
UHD = {"width": 3840, "height": 2160}
CHARTS = "[data-chart] canvas, [data-chart] svg"


def hours(tree, member, amount):
    ledger_record(
        member=member.user,
        kind=StudyKind.GROUP,
        hours=Decimal(amount),
        studied_on=timezone.localdate(),
        source="集中学习",
        by=tree.admin_a,
    )
    totals_fold(now=timezone.now() + timedelta(minutes=5))


@pytest.fixture
def link(site, tree):
    hours(tree, tree.member_a, "6")
    hours(tree, make_member(tree.branch_a2, "张卫东"), "2.5")
    now = timezone.now()
    exam = make_exam(
        tree, exam_paper(tree), now, results_release=ResultsRelease.IMMEDIATELY
    )
    attempt = attempt_start(user=tree.member_a.user, exam=exam, now=now)
    answer_all_right(attempt, now)
    attempt_submit(attempt=attempt, now=now)
    unit = Unit.objects.get(pk=tree.company_a.pk)
    return display_link_create(by=tree.admin_a, unit=unit, name="一楼大厅")


def charts_drawn(page) -> None:
    """Both charts drawn, animation over (ECharts' "finished")."""
    for name in ("units", "exams"):
        chart = page.locator(f"[data-chart={name}]")
        expect(chart.locator("canvas, svg").first).to_be_visible()
        expect(chart).to_have_attribute("data-drawn", "1")


def no_scrollbars(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollHeight <= window.innerHeight"
        " && document.documentElement.scrollWidth <= window.innerWidth"
    )


def test_the_lobby_display_draws_updates_and_ends_with_its_link(
    open_page, tree, link, tmp_path
):
    page = open_page(FULL_HD)
    page.goto(f"/display/{link.token}/?refresh=1")
    learners = page.locator("[data-learners] li")
    expect(learners.first).to_contain_text("李红梅")
    expect(learners.first).to_contain_text("6.0")
    expect(page.locator("[data-title]")).to_have_text("一楼大厅")
    charts_drawn(page)
    assert page.locator(CHARTS).count() >= 2
    page.screenshot(path=tmp_path / "display-1080.png")
    assert no_scrollbars(page)

    # new hours are folded in: the page shows them without a reload
    page.evaluate("window.zhixueSamePage = true")
    hours(tree, make_member(tree.branch_a1, "新同志"), "12")
    expect(learners.first).to_contain_text("新同志", timeout=15_000)
    expect(learners.nth(1)).to_contain_text("李红梅")
    assert page.evaluate("window.zhixueSamePage") is True

    # a 4K TV shows the same screen, scaled up, without scrollbars
    uhd = open_page(UHD)
    uhd.goto(f"/display/{link.token}/")
    expect(uhd.locator("[data-learners] li").first).to_contain_text("新同志")
    charts_drawn(uhd)
    uhd.screenshot(path=tmp_path / "display-2160.png")
    assert no_scrollbars(uhd)
    size = uhd.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('[data-title]')).fontSize)"
    )
    assert size >= 80  # ≈ 2.8rem of 36px: legible across a lobby

    # revoked: the open display turns into "not found" at once, and stays so
    display_link_revoke(by=tree.admin_a, link=link)
    expect(page.locator("h1")).to_have_text("页面不存在", timeout=15_000)
    response = uhd.goto(f"/display/{link.token}/")
    assert response.status == 404
    expect(uhd.locator("h1")).to_have_text("页面不存在")
