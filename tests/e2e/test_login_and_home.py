"""Logging in and the home page, in a real browser: Chinese text, the two
navigations, username/phone login and the forced change of an initial password."""

import re

import pytest
from playwright.sync_api import Page, expect

from org.models import User
from tests.factories import PASSWORD, make_member

from .conftest import DESKTOP, PHONE

NAV_LABELS = ["学习", "考试", "资料库", "排行", "我的"]
NEW_PASSWORD = "Hongqi-piaopiao-2026"
UNIT_SEP = " \u203a "  # single right-pointing angle quote between path units


def welcome(name: str) -> str:
    return f"欢迎您\uff0c{name}"  # fullwidth comma, as in the translation


@pytest.fixture
def member(site, tree):
    """李红梅 of 第一党小组, with the factories' password."""
    return tree.member_a


@pytest.fixture
def new_member(site, tree):
    """An imported member who has never logged in: initial password only."""
    return make_member(tree.team_a1, "赵新民", phone="13812345678", password=None)


def log_in(page: Page, identifier: str, password: str, *, goto: bool = True) -> None:
    """Type the credentials into the login form and submit it."""
    if goto:
        page.goto("/accounts/login/")
    page.fill("input[name=identifier]", identifier)
    page.fill("input[name=password]", password)
    page.locator("main form").get_by_role("button", name="登录").click()


def path_of(site, path: str) -> re.Pattern:
    return re.compile(re.escape(site.url + path) + r"(\?.*)?$")


def test_anonymous_visitor_gets_the_chinese_login_page(open_page, site):
    page = open_page()
    page.goto("/")

    expect(page).to_have_url(site.url + "/accounts/login/?next=/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("h1")).to_have_text("登录智学")
    expect(page.get_by_label("用户名或手机号")).to_be_visible()
    expect(page.get_by_label("密码", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="登录")).to_be_visible()
    # No navigation for visitors who are not logged in.
    expect(page.locator("nav")).to_have_count(0)


def test_login_with_username_lands_on_home(open_page, site, member):
    page = open_page()
    log_in(page, member.user.username, PASSWORD)

    expect(page).to_have_url(site.url + "/")
    expect(page.locator(".hero h1")).to_have_text(welcome("李红梅"))
    expect(page.locator(".hero p.muted")).to_have_text(
        UNIT_SEP.join(
            ["测试集团党委", "子分公司A党委", "A一项目部党支部", "第一党小组"]
        )
    )
    expect(page.locator(".account-name")).to_have_text("李红梅")
    expect(page.locator("nav.nav-mobile a")).to_have_text(NAV_LABELS)
    expect(page.locator("nav.nav-desktop a")).to_have_text(NAV_LABELS)


def test_login_with_mobile_phone_number(open_page, site, member):
    assert member.user.phone
    page = open_page()
    log_in(page, member.user.phone, PASSWORD)

    expect(page).to_have_url(site.url + "/")
    expect(page.locator(".hero h1")).to_have_text(welcome("李红梅"))


def test_login_returns_to_the_page_asked_for(open_page, site, member):
    page = open_page()
    page.goto("/me/")
    expect(page).to_have_url(site.url + "/accounts/login/?next=/me/")
    log_in(page, member.user.username, PASSWORD, goto=False)

    expect(page).to_have_url(site.url + "/me/")
    expect(page.locator("h1")).to_have_text("个人信息")
    expect(page.locator(".facts")).to_contain_text(member.employee_no)


def test_wrong_password_is_refused_in_chinese(open_page, site, member):
    page = open_page()
    log_in(page, member.user.username, PASSWORD + "x")

    expect(page.get_by_role("alert")).to_have_text("用户名/手机号或密码错误。")
    expect(page).to_have_url(path_of(site, "/accounts/login/"))
    expect(page.locator("input[name=identifier]")).to_have_value(member.user.username)
    # Still a visitor: the home page sends us back to the login page.
    page.goto("/")
    expect(page).to_have_url(site.url + "/accounts/login/?next=/")


def test_phone_shows_bottom_bar_and_desktop_shows_top_nav(open_page, member):
    page = open_page(PHONE)
    log_in(page, member.user.username, PASSWORD)
    mobile, desktop = page.locator("nav.nav-mobile"), page.locator("nav.nav-desktop")

    expect(mobile).to_be_visible()
    expect(desktop).to_be_hidden()
    # The bottom bar sits at the bottom of the phone's screen.
    box = mobile.bounding_box()
    assert box is not None
    assert box["y"] + box["height"] == pytest.approx(PHONE["height"], abs=1)

    page.set_viewport_size(DESKTOP)
    expect(desktop).to_be_visible()
    expect(mobile).to_be_hidden()
    for label in NAV_LABELS:
        expect(desktop.get_by_role("link", name=label, exact=True)).to_be_visible()


def test_phone_home_page_renders_to_a_screenshot(open_page, site, member, tmp_path):
    page = open_page(PHONE)
    log_in(page, member.user.username, PASSWORD)
    expect(page.locator(".hero h1")).to_have_text(welcome("李红梅"))

    shot = tmp_path / "home-phone.png"
    page.screenshot(path=shot, full_page=True)

    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(data) > 1000


def test_initial_password_must_be_changed_first(open_page, site, new_member):
    user = new_member.user
    assert user.must_change_password
    page = open_page()
    log_in(page, user.phone, "345678")  # the last six digits of 13812345678

    expect(page).to_have_url(site.url + "/accounts/password/")
    expect(page.locator("h1")).to_have_text("修改密码")
    expect(page.locator(".notice")).to_contain_text("您正在使用初始密码")
    expect(page.locator("input[name=old_password]")).to_have_count(0)
    # Other pages stay closed until the password is changed.
    page.goto("/")
    expect(page).to_have_url(site.url + "/accounts/password/")

    page.fill("input[name=new_password1]", NEW_PASSWORD)
    page.fill("input[name=new_password2]", NEW_PASSWORD)
    page.get_by_role("button", name="保存新密码").click()

    expect(page).to_have_url(site.url + "/me/")
    expect(page.locator("h1")).to_have_text("个人信息")
    expect(page.locator(".messages")).to_contain_text("密码已修改。")
    expect(page.locator(".person")).to_contain_text("赵新民")
    user = User.objects.get(pk=user.pk)
    assert not user.must_change_password
    assert user.check_password(NEW_PASSWORD)
    # Still logged in after the change: the home page opens.
    page.goto("/")
    expect(page.locator(".hero h1")).to_have_text(welcome("赵新民"))

    # A fresh browser: the initial password is gone, the new one works.
    other = open_page()
    log_in(other, user.phone, "345678")
    expect(other.get_by_role("alert")).to_have_text("用户名/手机号或密码错误。")
    log_in(other, user.phone, NEW_PASSWORD, goto=False)
    expect(other).to_have_url(site.url + "/")
    expect(other.locator(".hero h1")).to_have_text(welcome("赵新民"))
