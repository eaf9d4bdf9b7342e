"""A member checks the 排行 tab on a phone: their branch's board with their own
row, then the units of their company, then leaves the board."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import expect

from assessments.services.totals import totals_fold
from courses.models import StudyKind
from courses.services.ledger import ledger_record
from tests.factories import make_member

from .test_login_and_home import log_in


def test_the_ranking_tab_on_a_phone(open_page, site, tree):
    colleague = make_member(tree.branch_a1, "张志远")
    for member, hours in ((colleague, "6"), (tree.member_a, "2.5")):
        ledger_record(
            member=member.user,
            kind=StudyKind.GROUP,
            hours=Decimal(hours),
            studied_on=timezone.localdate(),
            source="集中学习",
            by=tree.admin_a,
        )
    totals_fold(now=timezone.now() + timedelta(minutes=5))
    page = open_page()
    log_in(page, tree.member_a.user.username, "Test-pass-2026")
    page.goto("/")
    page.locator("nav a.tab-ranking").click()
    expect(page.locator("h1")).to_have_text("排行榜")
    expect(page.locator("[data-my-rank]")).to_contain_text("第 2 名")
    mine = page.locator("[data-member-board] tr.mine")
    expect(mine).to_contain_text("李红梅")
    expect(page.locator("[data-member-board] tbody tr").first).to_contain_text("张志远")
    # the board fits the phone: no sideways scrolling
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth + 1")
    page.get_by_role("link", name="组织").click()
    # the units of my branch: my 党小组, and the branch itself for those directly in it
    expect(page.locator("[data-unit-board] tr.mine")).to_contain_text("第一党小组")
    page.get_by_role("link", name="党员").click()
    page.get_by_role("button", name="退出排行榜").click()
    expect(page.locator("[data-my-rank]")).to_contain_text("你已退出排行榜")
    expect(page.locator("[data-member-board]")).not_to_contain_text("李红梅")
