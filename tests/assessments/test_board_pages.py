"""The 排行 page, its Excel export and the boards API, as members use them."""

import datetime
import io
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from openpyxl import load_workbook

from assessments.services.totals import totals_fold
from courses.models import StudyKind
from courses.services.ledger import ledger_record
from tests.factories import make_member


def study(tree, member, amount, day=None):
    ledger_record(
        member=member.user,
        kind=StudyKind.GROUP,
        hours=Decimal(amount),
        studied_on=day or timezone.localdate(),
        source="集中学习",
        by=tree.admin_a,
    )


def fold():
    totals_fold(now=timezone.now() + timedelta(minutes=5))


def test_the_page_shows_my_branch_by_default_with_my_rank(tree, client_for):
    colleague = make_member(tree.branch_a1, "张志远")
    study(tree, colleague, "6")
    study(tree, tree.member_a, "2.5")
    fold()
    page = client_for(tree.member_a.user).get("/ranking/").content.decode()
    assert "排行榜" in page and "A一项目部党支部" in page
    assert "张志远" in page and 'data-mine data-rank="2"' in page
    assert "我的排名" in page and "第 2 名" in page
    assert "本月" in page or "月" in page


def test_unit_board_ranks_branches_per_member(tree, client_for):
    study(tree, tree.member_a, "4")
    fold()
    client = client_for(tree.member_a.user)
    page = client.get(
        f"/ranking/?scope={tree.company_a.pk}&view=units&metric=hours&period=year"
    ).content.decode()
    assert "人均" in page and "A二项目部党支部" in page
    assert 'class="mine" data-mine data-rank="1"' in page  # A1 ranks first


def test_a_member_cannot_open_another_companys_board(tree, client_for):
    response = client_for(tree.member_a.user).get(
        f"/ranking/?scope={tree.company_b.pk}"
    )
    assert response.status_code == 404


def test_bad_parameters_say_what_is_wrong(tree, client_for):
    client = client_for(tree.member_a.user)
    response = client.get("/ranking/?period=custom&start=2026-12-31&end=2026-01-01")
    assert response.status_code == 400 and "自定义" in response.content.decode()


def test_the_excel_export_holds_the_board_in_chinese(tree, client_for):
    study(tree, tree.member_a, "3")
    fold()
    response = client_for(tree.member_a.user).get(
        f"/ranking/export/?scope={tree.team_a1.pk}&metric=hours&period=month"
    )
    assert "filename*=utf-8''" in response["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(response.content)).worksheets[0].values)
    assert rows[0] == ("名次", "姓名", "所在组织", "学时")
    assert rows[1] == (1, "李红梅", "第一党小组", 3)


def test_leaving_the_boards_from_the_page(tree, client_for):
    study(tree, tree.member_a, "3")
    fold()
    client = client_for(tree.member_a.user)
    client.post("/ranking/opt-out/", {"off": "1"})
    page = client.get(f"/ranking/?scope={tree.team_a1.pk}").content.decode()
    assert "你已退出排行榜" in page and "李红梅" not in page.split("data-my-rank")[1]
    client.post("/ranking/opt-out/", {"off": "0"})
    page = client.get(f"/ranking/?scope={tree.team_a1.pk}").content.decode()
    assert 'data-mine data-rank="1"' in page


def test_the_api_gives_top_and_my_rank_in_the_schema_shape(tree, api_for):
    day = datetime.date(2026, 6, 10)
    for i, amount in enumerate(["9", "9", "5"]):
        study(tree, make_member(tree.branch_a2, f"成员{i}"), amount, day)
    study(tree, tree.member_a, "1", day)
    fold()
    api = api_for(tree.member_a.user)
    board = api.get(
        f"/api/v1/boards/members/?scope={tree.company_a.pk}&period=month&day=2026-06-01"
    ).json()
    assert [(r["rank"], r["value"]) for r in board["rows"]] == [
        (1, "9.000"),
        (1, "9.000"),
        (3, "5.000"),
        (4, "1.000"),
    ]
    assert board["my_rank"] == 4 and board["period"]["start"] == "2026-06-01"
    assert board["rows"][3]["is_me"] and board["ranked"] == 4
    units = api.get(
        f"/api/v1/boards/units/?scope={tree.company_a.pk}&period=month&day=2026-06-10"
    ).json()
    assert units["rows"][0]["unit"]["name"] == "A二项目部党支部"
    assert api.put(
        "/api/v1/boards/me/", {"off_boards": True}, format="json"
    ).json() == {"off_boards": True}
    again = api.get(
        f"/api/v1/boards/members/?scope={tree.company_a.pk}&period=month&day=2026-06-01"
    ).json()
    assert again["my_rank"] is None and len(again["rows"]) == 3
    assert api.get("/api/v1/boards/members/?metric=nonsense").status_code == 400
