"""The member card (扫一扫): seen by the member and the admins of their units only,
with this year's 学时 and 积分, released exam results and awards; the QR on the
member's own profile page."""

import datetime
from datetime import timedelta
from decimal import Decimal

import pytest
from django.http import Http404
from django.utils import timezone

from assessments.selectors.cards import member_card
from courses.models import PointsAction, StudyKind
from courses.selectors.points import points_total
from courses.services.ledger import ledger_record
from courses.services.points import points_award
from exams.models import ResultsRelease
from exams.services.attempts import attempt_start, attempt_submit
from exams.services.exams import exam_results_release
from tests.exams.sitting import answer_all_right, exam_paper, make_exam
from tests.factories import make_member, points_rules_ensure


@pytest.fixture
def card_member(tree):
    """A member of A一项目部 with a post, hours this year and last, and points."""
    member = make_member(
        tree.branch_a1,
        "陈晓东",
        post="组织委员",
        joined_party_on=datetime.date(2015, 7, 1),
    )
    today = timezone.localdate()
    for amount, day in (("3", today), ("1.5", today), ("9", today.replace(year=2020))):
        ledger_record(
            member=member.user,
            kind=StudyKind.GROUP,
            hours=Decimal(amount),
            studied_on=day,
            source="集中学习",
            by=tree.admin_a,
        )
    points_rules_ensure()
    points_award(
        user=member.user, action=PointsAction.DAILY_LOGIN, event_key=str(today)
    )
    return member


def test_the_member_sees_their_own_card(tree, card_member, client_for):
    card = member_card(viewer=card_member.user, member_id=card_member.pk)
    assert card.units == ["测试集团党委", "子分公司A党委", "A一项目部党支部"]
    assert card.hours == Decimal("4.5")  # 2020's nine hours are not this year's
    assert card.points == points_total(viewer=card_member.user) > 0
    assert card.year == timezone.localdate().year
    assert card.exams == [] and card.awards == []
    page = client_for(card_member.user).get(f"/members/{card_member.pk}/card/")
    html = page.content.decode()
    assert page.status_code == 200
    for text in ("陈晓东", "组织委员", "2015-07-01", "A一项目部党支部", "4.5"):
        assert text in html


def test_the_admins_of_the_members_units_see_the_card(tree, card_member, client_for):
    for admin in (tree.admin_a, tree.platform_admin):
        page = client_for(admin).get(f"/members/{card_member.pk}/card/")
        assert page.status_code == 200
        assert "陈晓东" in page.content.decode()


def test_anyone_else_gets_not_found(tree, card_member, client_for):
    colleague = make_member(tree.branch_a1, "同支部党员").user
    for viewer in (tree.admin_b, tree.member_b.user, colleague, tree.member_a.user):
        with pytest.raises(Http404):
            member_card(viewer=viewer, member_id=card_member.pk)
        page = client_for(viewer).get(f"/members/{card_member.pk}/card/")
        assert page.status_code == 404
        assert "陈晓东" not in page.content.decode()
    assert client_for(tree.admin_a).get("/members/999999/card/").status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(tree, card_member, client):
    response = client.get(f"/members/{card_member.pk}/card/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_exam_results_are_on_the_card_once_released(tree, card_member):
    now = timezone.now()
    exam = make_exam(
        tree,
        exam_paper(tree),
        now,
        results_release=ResultsRelease.MANUAL,
        closes_at=now + timedelta(hours=2),
    )
    attempt = attempt_start(user=card_member.user, exam=exam, now=now)
    answer_all_right(attempt, now)
    attempt_submit(attempt=attempt, now=now)
    assert member_card(viewer=tree.admin_a, member_id=card_member.pk).exams == []
    exam_results_release(by=tree.examiner, exam=exam)
    (result,) = member_card(viewer=tree.admin_a, member_id=card_member.pk).exams
    assert (result.title, result.grade, result.passed) == (
        "党章知识考试",
        Decimal("9.00"),
        True,
    )


def test_the_card_api_is_scoped_like_the_page(tree, card_member, api_for, client):
    url = f"/api/v1/members/{card_member.pk}/card/"
    body = api_for(tree.admin_a).get(url).json()
    assert body["name"] == "陈晓东" and body["post"] == "组织委员"
    assert body["joined_party_on"] == "2015-07-01"
    assert Decimal(body["hours"]) == Decimal("4.5")
    assert body["units"][-1] == "A一项目部党支部"
    assert api_for(card_member.user).get(url).status_code == 200
    assert api_for(tree.admin_b).get(url).status_code == 404
    assert api_for(tree.member_a.user).get(url).status_code == 404
    assert client.get(url).status_code in (401, 403)


def test_my_profile_shows_the_qr_of_my_card(tree, card_member, client_for):
    html = client_for(card_member.user).get("/me/").content.decode()
    assert "data-member-qr" in html and "<svg" in html
    assert f"/members/{card_member.pk}/card/" in html
