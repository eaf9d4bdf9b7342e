"""The lobby display (大屏): link permissions and lifecycle, revoked links at once
not found (page, data and API), and what the display shows: the month's top
learners, participation per child unit, exam pass rates, nothing personal."""

import json
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from assessments.models import DisplayLink
from assessments.selectors.display import (
    display_data,
    display_for_token,
    display_links,
)
from assessments.services.display import (
    display_link_create,
    display_link_regenerate,
    display_link_revoke,
)
from assessments.services.totals import totals_fold
from courses.models import StudyKind
from courses.services.ledger import ledger_record
from exams.models import ResultsRelease
from exams.services.attempts import answer_save, attempt_start, attempt_submit
from exams.services.exams import exam_results_release
from org.models import Unit
from tests.exams.sitting import answer_all_right, by_type, exam_paper, make_exam
from tests.factories import make_member


def hours(tree, member, amount, day=None):
    return ledger_record(
        member=member.user,
        kind=StudyKind.GROUP,
        hours=Decimal(amount),
        studied_on=day or timezone.localdate(),
        source="集中学习",
        by=tree.admin_a,
    )


def fold():
    return totals_fold(now=timezone.now() + timedelta(minutes=5))


def fresh(unit):
    """The unit as stored now (adding a sibling re-sorts treebeard paths)."""
    return Unit.objects.get(pk=unit.pk)


@pytest.fixture
def link(tree):
    return display_link_create(
        by=tree.admin_a, unit=fresh(tree.company_a), name="一楼大厅"
    )


# --- links ------------------------------------------------------------------------


def test_an_admin_makes_links_only_for_units_they_manage(tree):
    made = display_link_create(by=tree.admin_a, unit=tree.branch_a1)
    assert made.created_by == tree.admin_a and len(made.token) >= 32
    with pytest.raises(PermissionDenied):
        display_link_create(by=tree.admin_a, unit=tree.company_b)
    with pytest.raises(PermissionDenied):
        display_link_create(by=tree.admin_a, unit=tree.group)  # above their subtree
    for nobody in (tree.member_a.user, tree.editor, tree.examiner):
        with pytest.raises(PermissionDenied):
            display_link_create(by=nobody, unit=tree.team_a1)
    assert display_link_create(by=tree.platform_admin, unit=tree.company_b).pk


def test_only_an_admin_of_the_unit_revokes_or_regenerates_its_link(tree, link):
    for other in (tree.admin_b, tree.member_a.user):
        with pytest.raises(PermissionDenied):
            display_link_revoke(by=other, link=link)
        with pytest.raises(PermissionDenied):
            display_link_regenerate(by=other, link=link)
    link.refresh_from_db()
    assert link.revoked_at is None
    assert display_links(viewer=tree.admin_b).count() == 0
    assert list(display_links(viewer=tree.admin_a)) == [link]


def test_a_second_revoke_is_harmless(tree, link):
    first = display_link_revoke(by=tree.admin_a, link=link)
    again = display_link_revoke(by=tree.admin_a, link=link)
    assert first.revoked_at is not None and again.revoked_at == first.revoked_at


def test_regenerating_ends_the_old_token_and_keeps_unit_and_name(tree, link):
    old_token = link.token
    new = display_link_regenerate(by=tree.admin_a, link=link)
    assert new.pk != link.pk and new.token != old_token
    assert (new.unit, new.name) == (link.unit, "一楼大厅")
    assert display_for_token(new.token) == new
    with pytest.raises(Http404):
        display_for_token(old_token)


def test_a_revoked_or_unknown_link_is_not_found_for_page_data_and_api(
    tree, link, client
):
    base = f"/display/{link.token}/"
    assert client.get(base).status_code == 200
    assert client.get(base + "data.json").status_code == 200
    assert client.get(f"/api/v1/display/{link.token}/").status_code == 200
    display_link_revoke(by=tree.admin_a, link=link)
    for url in (base, base + "data.json", f"/api/v1/display/{link.token}/"):
        assert client.get(url).status_code == 404, url
    for url in ("/display/nope/", "/display/nope/data.json", "/api/v1/display/x/"):
        assert client.get(url).status_code == 404, url


# --- what it shows ----------------------------------------------------------------


def test_the_display_ranks_the_months_top_ten_learners(tree, link):
    people = [make_member(tree.branch_a2, f"学员{i:02d}") for i in range(12)]
    for i, member in enumerate(people):
        hours(tree, member, str(i + 1))
    hours(tree, tree.member_a, "30")
    hours(tree, tree.member_b, "99")  # company B: not on A's display
    last_month = timezone.localdate().replace(day=1) - timedelta(days=1)
    hours(tree, people[0], "50", day=last_month)  # another month
    fold()
    data = display_data(link=link)
    learners = data["learners"]
    assert len(learners) == 10
    assert learners[0] == {
        "rank": 1,
        "name": "李红梅",
        "unit": "第一党小组",
        "hours": 30.0,
    }
    assert [row["name"] for row in learners[1:3]] == ["学员11", "学员10"]
    assert "王建国" not in json.dumps(data, ensure_ascii=False)
    assert data["title"] == "一楼大厅" and data["unit"] == "子分公司A党委"


def test_participation_and_per_capita_are_per_unit_directly_below(tree, link):
    for name in ("甲", "乙", "丙"):
        make_member(tree.branch_a2, name)
    a2 = list(fresh(tree.branch_a2).members.all())
    hours(tree, a2[0], "4")
    hours(tree, a2[1], "2")
    hours(tree, tree.member_a, "5")  # in 第一党小组, under A一项目部
    fold()
    rows = {row["name"]: row for row in display_data(link=link)["units"]}
    assert set(rows) == {"A一项目部党支部", "A二项目部党支部", "子分公司A党委"}
    a2_row = rows["A二项目部党支部"]
    assert (a2_row["members"], a2_row["participants"]) == (3, 2)
    assert a2_row["participation"] == pytest.approx(66.67)
    assert a2_row["per_capita"] == 2.0
    a1_row = rows["A一项目部党支部"]
    assert (a1_row["members"], a1_row["participants"]) == (1, 1)
    assert a1_row["participation"] == 100.0 and a1_row["per_capita"] == 5.0
    # the admin attached to the company itself is its own row
    assert rows["子分公司A党委"]["participants"] == 0


@pytest.fixture
def sat_exam(tree):
    """An exam for company A whose results wait for the examiner: two members of
    A二 pass, one fails; nobody else sits."""
    now = timezone.now()
    exam = make_exam(
        tree,
        exam_paper(tree),
        now,
        results_release=ResultsRelease.MANUAL,
        closes_at=now + timedelta(hours=3),
    )
    for name, right in (("强一", True), ("强二", True), ("较弱", False)):
        user = make_member(tree.branch_a2, name).user
        attempt = attempt_start(user=user, exam=exam, now=now)
        if right:
            answer_all_right(attempt, now)
        else:
            position, _drawn = by_type(attempt)["truefalse"]
            answer_save(attempt=attempt, position=position, response=True,
                        revision=1, now=now)  # fmt: skip
        attempt_submit(attempt=attempt, now=now)
    return exam


def test_pass_rates_show_released_results_of_the_subtree_only(tree, link, sat_exam):
    assert display_data(link=link)["exams"] == []  # not released yet
    exam_results_release(by=tree.examiner, exam=sat_exam)
    (row,) = display_data(link=link)["exams"]
    # 周管理 and 李红梅 are for the exam too and did not sit
    assert row == {
        "title": "党章知识考试",
        "members": 5,
        "sat": 3,
        "passed": 2,
        "pass_rate": pytest.approx(66.67),
    }
    # a branch's display counts only its own members
    branch = display_link_create(by=tree.admin_a, unit=fresh(tree.branch_a2))
    (only_a2,) = display_data(link=branch)["exams"]
    assert (only_a2["members"], only_a2["sat"], only_a2["passed"]) == (3, 3, 2)
    # company B's display does not show company A's exam
    other = display_link_create(by=tree.admin_b, unit=fresh(tree.company_b))
    assert display_data(link=other)["exams"] == []


def test_the_display_holds_names_unit_names_and_aggregates_only(tree, link):
    hours(tree, tree.member_a, "3")
    fold()
    data = display_data(link=link)
    text = json.dumps(data, ensure_ascii=False)
    member = tree.member_a
    for secret in (
        member.employee_no,
        member.user.phone,
        member.user.username,
        '"user_id"',
        '"id"',
    ):
        assert secret not in text
    assert set(data) == {
        "title",
        "unit",
        "period",
        "updated_at",
        "learners",
        "units",
        "exams",
        "stars",
    }


def test_page_data_json_and_api_share_one_code_path(tree, link, client):
    hours(tree, tree.member_a, "3")
    fold()
    page = client.get(f"/display/{link.token}/?refresh=5")
    html = page.content.decode()
    assert 'data-refresh="5"' in html
    assert "vendor/echarts/echarts.min.js" in html
    first = re.search(r'<script id="display-data"[^>]*>(.*?)</script>', html)
    assert json.loads(first.group(1))["learners"][0]["name"] == "李红梅"
    assert page["Cache-Control"].startswith("max-age=0")
    data = client.get(f"/display/{link.token}/data.json").json()
    api = client.get(f"/api/v1/display/{link.token}/").json()
    data.pop("updated_at"), api.pop("updated_at")
    assert data == api
    assert data["learners"][0]["name"] == "李红梅"


def test_a_refresh_parameter_out_of_range_falls_back_or_is_clamped(link, client):
    url = f"/display/{link.token}/"
    assert 'data-refresh="30"' in client.get(url + "?refresh=x").content.decode()
    assert 'data-refresh="3600"' in client.get(url + "?refresh=99999").content.decode()
    assert 'data-refresh="1"' in client.get(url + "?refresh=0").content.decode()
    superscript = client.get(url + "?refresh=²")  # a digit to str.isdigit()
    assert superscript.status_code == 200
    assert 'data-refresh="30"' in superscript.content.decode()


# --- the admin screens ------------------------------------------------------------


def test_the_admin_lists_their_units_links_with_url_and_qr(tree, link, client_for):
    theirs = display_link_create(by=tree.admin_b, unit=fresh(tree.company_b))
    page = client_for(tree.admin_a).get("/admin/display/")
    html = page.content.decode()
    assert page.status_code == 200
    assert f"/display/{link.token}/" in html and "<svg" in html
    assert theirs.token not in html
    assert "/admin/display/" in client_for(tree.admin_a).get("/admin/").content.decode()
    assert client_for(tree.member_a.user).get("/admin/display/").status_code in (
        302,
        403,
        404,
    )


def test_the_admin_creates_a_link_for_a_managed_unit_only(tree, client_for):
    client = client_for(tree.admin_a)
    response = client.post(
        "/admin/display/", {"unit": tree.branch_a1.pk, "name": "会议室"}
    )
    assert response.status_code == 302
    assert DisplayLink.objects.get(name="会议室").unit == tree.branch_a1
    refused = client.post("/admin/display/", {"unit": tree.company_b.pk})
    assert refused.status_code == 200  # the form: not a unit to pick
    assert not DisplayLink.objects.filter(unit=tree.company_b).exists()


def test_revoking_and_regenerating_ask_first(tree, link, client_for):
    client = client_for(tree.admin_a)
    confirm = client.get(f"/admin/display/{link.pk}/revoke/")
    assert confirm.status_code == 200
    link.refresh_from_db()
    assert link.revoked_at is None  # a GET only asks
    assert client.get(f"/admin/display/{link.pk}/regenerate/").status_code == 200
    assert client.post(f"/admin/display/{link.pk}/regenerate/").status_code == 302
    link.refresh_from_db()
    new = DisplayLink.objects.get(revoked_at__isnull=True, unit=link.unit)
    assert link.revoked_at is not None and new.name == link.name
    assert client.post(f"/admin/display/{new.pk}/revoke/").status_code == 302
    new.refresh_from_db()
    assert new.revoked_at is not None


def test_another_companys_admin_cannot_reach_the_link(tree, link, client_for):
    client = client_for(tree.admin_b)
    for url in (
        f"/admin/display/{link.pk}/revoke/",
        f"/admin/display/{link.pk}/regenerate/",
    ):
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
    link.refresh_from_db()
    assert link.revoked_at is None


def test_the_display_data_takes_a_bounded_number_of_queries(
    tree, link, sat_exam, django_assert_max_num_queries
):
    exam_results_release(by=tree.examiner, exam=sat_exam)
    for i in range(8):
        hours(tree, make_member(tree.branch_a2, f"学员{i}"), str(i + 1))
    fold()
    link = display_for_token(link.token)
    with django_assert_max_num_queries(15):  # not one per learner or unit
        data = display_data(link=link)
    assert len(data["learners"]) == 8 and len(data["exams"]) == 1
