"""学习之星 in a real browser: the company admin approves and publishes the
proposed winners in the Wagtail admin, the winner finds the badge on /me/, opens
the announcement and downloads the certificate, and anyone scanning the
certificate's QR code sees that it is genuine (a forged code: 404)."""

import io
from datetime import timedelta
from decimal import Decimal

import pypdf
import pytest
import qrcode
from django.utils import timezone
from PIL import Image, ImageChops
from playwright.sync_api import expect

from assessments import tasks
from assessments.models import Award, AwardRule, AwardScope, AwardStatus, PeriodKind
from assessments.periods import period_of
from assessments.services.awards import awards_propose
from assessments.services.certificates import verify_url
from assessments.services.totals import totals_fold
from courses.models import StudyKind
from courses.services.ledger import ledger_record
from tests.factories import PASSWORD, make_member

from .conftest import DESKTOP
from .test_login_and_home import log_in

PHONE_390 = {"width": 390, "height": 844}
#: the 学时 pace is 32 h a year: all three meet it for any last month, December
#: (32 h due) included
HOURS = {"陈晓明": "40", "刘芳": "38", "赵磊": "36"}


@pytest.fixture
def certificates_run(monkeypatch):
    """The ids of the awards whose certificates task ran: the task body runs in
    the live server's thread when the publish commits (no broker in tests)."""
    ran = []

    def delay(award_id):
        ran.append(award_id)
        return tasks.award_certificates_task(award_id)

    monkeypatch.setattr(tasks.award_certificates_task, "delay", delay)
    return ran


@pytest.fixture
def proposed(site, tree, settings):
    """Last month's award of branch A1, proposed by the real service: 陈晓明 and
    刘芳 win (two winners), 赵磊 is third; 李红梅 of the branch's 党小组 did not
    study and is behind the 学时 pace."""
    # the QR code points at this live server, so a browser can follow it
    settings.WAGTAILADMIN_BASE_URL = site.url
    last_month = period_of(PeriodKind.MONTH).previous()
    people = {name: make_member(tree.branch_a1, name) for name in HOURS}
    for name, hours in HOURS.items():
        ledger_record(
            member=people[name].user,
            kind=StudyKind.GROUP,
            hours=Decimal(hours),
            studied_on=last_month.start + timedelta(days=3),
            source="集中学习",
            by=tree.admin_a,
        )
    totals_fold(now=timezone.now() + timedelta(minutes=5))
    rule = AwardRule.objects.create(
        name="A公司月度学习之星",
        root=tree.company_a,
        period=PeriodKind.MONTH,
        scope=AwardScope.BRANCHES,
        weight_hours=Decimal(1),
        winners=2,
        created_by=tree.admin_a,
    )
    (award,) = awards_propose(rule=rule, period=last_month)
    assert award.unit_id == tree.branch_a1.pk
    label = f"{last_month.start.year}年{last_month.start.month}月"
    return award, people, label


def pdf_text(pdf: bytes) -> str:
    return pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


def qr_shows(pdf: bytes, url: str) -> bool:
    """The certificate's only picture is, pixel for pixel, the QR code of ``url``."""
    (picture,) = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].images
    buffer = io.BytesIO()
    qrcode.make(url, border=1).save(buffer, format="PNG")
    expected = Image.open(io.BytesIO(buffer.getvalue())).convert("L")
    embedded = picture.image.convert("L")
    return (
        embedded.size == expected.size
        and ImageChops.difference(embedded, expected).getbbox() is None
    )


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_study_star_is_published_downloaded_and_verified(
    open_page, site, tree, proposed, certificates_run, tmp_path
):
    award, people, label = proposed
    admin_a = tree.admin_a

    # --- the company admin checks the proposal in the admin, approves, publishes
    admin = open_page(DESKTOP)
    admin.goto("/accounts/login/?next=/admin/awards/")
    log_in(admin, admin_a.username, PASSWORD, goto=False)
    expect(admin).to_have_url(site.url + "/admin/awards/")
    expect(admin.get_by_role("heading", name="学习之星", level=1)).to_be_visible()
    row = admin.locator(f"tr[data-award='{award.pk}']")
    expect(row.locator("td").nth(1)).to_have_text("A一项目部党支部")
    expect(row.locator("td").nth(2)).to_have_text(label)
    expect(row.locator("td").nth(3)).to_have_text("陈晓明、刘芳")
    expect(row.locator("td").nth(4)).to_have_text("已提名")
    row.get_by_role("link", name="学习之星").click()

    expect(admin).to_have_url(site.url + f"/admin/awards/{award.pk}/")
    status = admin.locator("dd[data-status]")
    expect(status).to_have_text("已提名")
    winners = admin.locator("tr[data-winner]")
    expect(winners).to_have_count(2)
    expect(winners.nth(0)).to_contain_text("陈晓明")
    expect(winners.nth(1)).to_contain_text("刘芳")
    expect(winners.nth(0)).to_contain_text("100.00")  # the best hours
    expect(admin.get_by_role("heading", name="更换获评人")).to_be_visible()
    # the recorded ranking keeps the third, and the history the proposal's reasons
    expect(admin.get_by_role("cell", name="赵磊", exact=True)).to_be_visible()
    expect(admin.locator("tr[data-event=proposed]")).to_contain_text(
        "4 名党员中 3 名符合条件"
    )
    expect(admin.locator("tr[data-event=proposed]")).to_contain_text("系统")
    # not published yet: no certificate, nothing to verify
    assert certificates_run == []
    expect(admin.get_by_role("button", name="发布并生成证书")).to_have_count(0)

    admin.get_by_label("备注（记入历史）").fill("支部委员会研究同意")
    admin.get_by_role("button", name="审核通过").click()
    expect(admin.locator(".messages li.success")).to_contain_text(
        "评选结果已审核通过。"
    )
    expect(status).to_have_text("已审核")
    expect(admin.get_by_role("button", name="审核通过")).to_have_count(0)
    expect(admin.locator("tr[data-event=approved]")).to_contain_text("周管理")
    expect(admin.locator("tr[data-event=approved]")).to_contain_text(
        "支部委员会研究同意"
    )

    # publishing asks first: dismissed, nothing happens
    asked = []

    def answer(accept):
        def on_dialog(dialog):
            asked.append(dialog.message)
            dialog.accept() if accept else dialog.dismiss()

        return on_dialog

    admin.once("dialog", answer(False))
    admin.get_by_role("button", name="发布并生成证书").click()
    expect(status).to_have_text("已审核")
    assert "无法撤销" in asked[0] and certificates_run == []
    admin.once("dialog", answer(True))
    admin.get_by_role("button", name="发布并生成证书").click()
    expect(admin.locator(".messages li.success")).to_contain_text(
        "评选结果已发布，证书正在生成。"
    )
    expect(status).to_have_text("已发布")
    assert certificates_run == [award.pk]  # the task ran when the publish committed
    # made before the page came back: a download link per winner
    expect(winners.get_by_role("link", name="下载")).to_have_count(2)
    expect(admin.locator("tr[data-event=published]")).to_contain_text("周管理")
    expect(admin.locator("tr[data-event=certificates]")).to_contain_text("证书已生成")
    expect(admin.get_by_role("heading", name="更换获评人")).to_have_count(0)
    expect(admin.get_by_role("button", name="发布并生成证书")).to_have_count(0)
    admin.get_by_role("link", name="全部评选结果").click()
    expect(row.locator("td").nth(4)).to_have_text("已发布")

    award.refresh_from_db()
    assert award.status == AwardStatus.PUBLISHED
    assert award.published_by == admin_a
    winner = award.winners.get(user=people["陈晓明"].user)
    assert winner.certificate
    day = timezone.localtime(award.published_at).strftime("%Y-%m-%d")

    # --- the winner: the badge on /me/, the announcement, the certificate
    star = open_page(PHONE_390)
    log_in(star, people["陈晓明"].user.username, PASSWORD)
    expect(star).to_have_url(site.url + "/")
    star.goto("/me/")
    badges = star.locator("[data-award-badges]")
    expect(badges.get_by_role("heading", name="我的荣誉")).to_be_visible()
    expect(badges.locator(".award-badge")).to_have_text("★ 学习之星")
    expect(badges).to_contain_text(f"A一项目部党支部 · {label}")
    expect(badges.get_by_role("link", name="证书")).to_have_attribute(
        "href", f"/awards/certificates/{winner.pk}/"
    )
    badges.get_by_role("link", name="全部学习之星").click()

    expect(star).to_have_url(site.url + "/awards/")
    expect(star.locator("main h1")).to_have_text("学习之星")
    expect(star.get_by_text("本单位已公布的学习之星。")).to_be_visible()
    card = star.locator(f".award-card[data-award='{award.pk}']")
    expect(star.locator(".award-card")).to_have_count(1)
    expect(card.locator(".award-link")).to_contain_text(f"A一项目部党支部 · {label}")
    expect(card.locator(".award-winners li")).to_have_text(
        ["★陈晓明 A一项目部党支部", "★刘芳 A一项目部党支部"]
    )
    expect(card).not_to_contain_text("赵磊")
    expect(card).to_contain_text(f"公布于 {day}")
    star.screenshot(path=tmp_path / "awards-390.png", full_page=True)
    assert (tmp_path / "awards-390.png").stat().st_size > 0
    assert no_sideways_scroll(star)

    card.locator(".award-link").click()
    expect(star).to_have_url(site.url + f"/awards/{award.pk}/")
    expect(star.locator(".award-hero h1")).to_have_text("学习之星")
    expect(star.locator(".award-hero")).to_contain_text(f"A一项目部党支部 · {label}")
    mine = star.locator(f"li[data-winner='{winner.pk}']")
    other = star.locator("li[data-winner]").filter(has_text="刘芳")
    expect(other.get_by_role("link")).to_have_count(0)  # not my certificate
    with star.expect_download() as info:
        mine.get_by_role("link", name="下载我的证书").click()
    download = info.value
    assert download.suggested_filename == "学习之星-陈晓明.pdf"
    pdf = download.path().read_bytes()
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    for expected in ("荣誉证书", "陈晓明 同志", "「学习之星」", label, "子分公司A党委"):
        assert expected in text, expected
    assert "刘芳" not in text
    assert f"证书编号：{winner.code}" in text

    # --- anyone scanning the QR code: the public verification page
    url = verify_url(winner.code)
    assert url.startswith(site.url + "/awards/verify/")
    assert qr_shows(pdf, url)
    visitor = open_page()
    response = visitor.goto(url)
    assert response.status == 200
    expect(visitor).to_have_url(url)  # no login asked
    expect(visitor.locator("main h1")).to_have_text("证书验证")
    verified = visitor.locator("[data-verified]")
    expect(verified.locator(".verify-state")).to_have_text("✔ 证书真实有效。")
    expect(verified.locator("dt")).to_have_text(
        ["姓名", "所在组织", "称号", "周期", "颁发单位", "日期"]
    )
    expect(verified.locator("dd")).to_have_text(
        ["陈晓明", "A一项目部党支部", "学习之星", label, "子分公司A党委", day]
    )

    forged = winner.code[:-1] + ("B" if winner.code[-1] != "B" else "C")
    response = visitor.goto(verify_url(forged))
    assert response.status == 404
    expect(visitor.locator("main h1")).to_have_text("证书验证")
    expect(visitor.locator("[data-not-found] .verify-state")).to_have_text(
        "✘ 证书不存在。"
    )
    expect(visitor.locator("[data-verified]")).to_have_count(0)
    expect(visitor.locator("main")).not_to_contain_text("陈晓明")
    assert Award.objects.filter(status=AwardStatus.PUBLISHED).count() == 1
