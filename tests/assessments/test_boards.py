"""Leaderboards: competition ranking, periods, scopes, my rank, left-off members,
and unit boards by per-capita value and participation."""

import datetime
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from assessments.models import MemberTotal, Metric, PeriodKind
from assessments.periods import custom_period, period_of, period_start
from assessments.selectors.boards import (
    access_board_unit,
    board_units,
    member_board,
    unit_board,
)
from assessments.services.exclusions import board_exclude, board_include, board_opt_out
from assessments.services.totals import totals_fold, totals_rebuild, totals_repath
from courses.models import StudyKind
from courses.services.ledger import ledger_correct, ledger_record
from org.models import Unit
from org.services.members import member_transfer
from tests.factories import make_member

LATER = timezone.now() + timedelta(minutes=5)  # every ledger row has settled


def hours(tree, member, amount, day, kind=StudyKind.GROUP):
    return ledger_record(
        member=member.user,
        kind=kind,
        hours=Decimal(amount),
        studied_on=day,
        source="集中学习",
        by=tree.admin_a,
    )


def fresh(unit):
    """The unit as stored now (adding a sibling re-sorts treebeard paths)."""
    return Unit.objects.get(pk=unit.pk)


def fold():
    return totals_fold(now=LATER)


def table(board):
    return [(row.rank, row.name, row.value) for row in board.rows]


def test_periods_start_on_monday_the_quarter_and_new_year():
    day = datetime.date(2027, 1, 1)  # a Friday
    assert period_start(PeriodKind.WEEK, day) == datetime.date(2026, 12, 28)
    assert period_start(PeriodKind.QUARTER, datetime.date(2026, 8, 19)) == (
        datetime.date(2026, 7, 1)
    )
    week = period_of(PeriodKind.WEEK, day)
    assert (week.start, week.end) == (
        datetime.date(2026, 12, 28),
        datetime.date(2027, 1, 3),
    )
    assert period_of(PeriodKind.YEAR, day).previous().start == datetime.date(2026, 1, 1)
    assert period_of(PeriodKind.MONTH, datetime.date(2026, 12, 31)).end == (
        datetime.date(2026, 12, 31)
    )


def test_ties_share_a_rank_and_the_next_rank_counts_everyone_ahead(tree):
    day = datetime.date(2026, 11, 18)
    people = {name: make_member(tree.branch_a1, name) for name in "甲乙丙丁"}
    for name, amount in zip("甲乙丙丁", ["5", "3", "3", "1"], strict=True):
        hours(tree, people[name], amount, day)
    assert fold() == 4
    board = member_board(
        viewer=people["丁"].user,
        unit=fresh(tree.branch_a1),
        metric=Metric.HOURS,
        period=period_of(PeriodKind.MONTH, day),
    )
    assert table(board) == [
        (1, "甲", Decimal("5")),
        (2, "乙", Decimal("3")),
        (2, "丙", Decimal("3")),
        (4, "丁", Decimal("1")),
    ]
    assert (board.my_rank, board.my_value, board.ranked) == (4, Decimal("1"), 4)
    assert board.rows[3].is_me and board.me_on_board


def test_my_rank_shows_when_i_am_not_in_the_top(tree):
    day = datetime.date(2026, 11, 18)
    for i in range(6):
        hours(tree, make_member(tree.branch_a2, f"学员{i}"), str(10 + i), day)
    hours(tree, tree.member_a, "2", day)
    fold()
    board = member_board(
        viewer=tree.member_a.user,
        unit=fresh(tree.company_a),
        metric=Metric.HOURS,
        period=period_of(PeriodKind.WEEK, day),
        limit=3,
    )
    assert [row.name for row in board.rows] == ["学员5", "学员4", "学员3"]
    assert (board.my_rank, board.ranked) == (7, 7)


def test_a_period_across_the_new_year_and_custom_ranges(tree):
    """Monday 28 December 2026 to Sunday 3 January 2027 is one week of two years."""
    hours(tree, tree.member_a, "2", datetime.date(2026, 12, 30))
    hours(tree, tree.member_a, "3", datetime.date(2027, 1, 2))
    other = make_member(tree.team_a1, "赵六")
    hours(tree, other, "4", datetime.date(2026, 12, 29))
    fold()

    def value(period, viewer=tree.member_a.user):
        board = member_board(
            viewer=viewer, unit=fresh(tree.group), metric=Metric.HOURS, period=period
        )
        return board.my_value, board.my_rank

    week = period_of(PeriodKind.WEEK, datetime.date(2027, 1, 1))
    assert value(week) == (Decimal("5"), 1)
    assert value(period_of(PeriodKind.YEAR, datetime.date(2026, 12, 30))) == (
        Decimal("2"),
        2,
    )
    assert value(period_of(PeriodKind.YEAR, datetime.date(2027, 1, 2))) == (
        Decimal("3"),
        1,
    )
    span = custom_period(datetime.date(2026, 12, 29), datetime.date(2027, 1, 1))
    assert value(span) == (Decimal("2"), 2)
    assert value(span, other.user) == (Decimal("4"), 1)


def test_scopes_are_limited_to_what_the_viewer_may_see(tree):
    chain = board_units(viewer=tree.member_a.user)
    assert [u.name for u in chain] == [
        "测试集团党委",
        "子分公司A党委",
        "A一项目部党支部",
        "第一党小组",
    ]
    assert access_board_unit(viewer=tree.member_a.user, unit_id=tree.team_a1.pk)
    with pytest.raises(Http404):  # another company's branch
        access_board_unit(viewer=tree.member_a.user, unit_id=tree.branch_b1.pk)
    assert access_board_unit(viewer=tree.admin_b, unit_id=tree.branch_b1.pk)
    with pytest.raises(Http404):
        access_board_unit(viewer=tree.admin_b, unit_id=tree.branch_a1.pk)
    # a board of company A has nobody of company B on it
    day = timezone.localdate()
    hours(tree, tree.member_a, "1", day)
    hours(tree, tree.member_b, "9", day)
    fold()
    board = member_board(
        viewer=tree.admin_a,
        unit=fresh(tree.company_a),
        metric=Metric.HOURS,
        period=period_of(PeriodKind.YEAR, day),
    )
    assert [row.name for row in board.rows] == ["李红梅"]
    # 周管理 belongs to company A, with no study yet: on the board, not ranked
    assert board.me_on_board and board.my_rank is None


def test_opted_out_and_excluded_members_are_left_off(tree):
    day = timezone.localdate()
    tester = make_member(tree.team_a1, "测试账号")
    for member, amount in ((tree.member_a, "2"), (tester, "50")):
        hours(tree, member, amount, day)
    fold()
    period = period_of(PeriodKind.MONTH, day)

    def names(viewer=tree.member_a.user):
        board = member_board(
            viewer=viewer, unit=fresh(tree.team_a1), metric=Metric.HOURS, period=period
        )
        return [row.name for row in board.rows], board.my_rank

    assert names() == (["测试账号", "李红梅"], 2)
    with pytest.raises(PermissionDenied):  # not an admin of company A
        board_exclude(by=tree.admin_b, user=tester.user)
    board_exclude(by=tree.admin_a, user=tester.user, note="测试用")
    assert names() == (["李红梅"], 1)
    # the tester cannot lift an admin's exclusion by opting back in
    assert board_opt_out(user=tester.user, opted_out=False)
    board_include(by=tree.admin_a, user=tester.user)
    assert board_opt_out(user=tree.member_a.user, opted_out=True)
    assert names() == (["测试账号"], None)
    board = member_board(
        viewer=tree.member_a.user,
        unit=fresh(tree.team_a1),
        metric=Metric.HOURS,
        period=period,
    )
    assert not board.me_on_board
    assert not board_opt_out(user=tree.member_a.user, opted_out=False)
    assert names() == (["测试账号", "李红梅"], 2)


def test_unit_boards_rank_by_per_capita_and_participation(tree):
    day = timezone.localdate()
    big = [make_member(tree.branch_a1, f"一支部{i}") for i in range(9)]
    small = [make_member(tree.branch_a2, f"二支部{i}") for i in range(2)]
    for member in big[:3]:  # 3 of 10 (member_a is in branch A1's team) study 4 h
        hours(tree, member, "4", day)
    hours(tree, small[0], "3", day)  # 1 of 2 studies 3 h
    fold()
    period = period_of(PeriodKind.MONTH, day)
    board = unit_board(
        viewer=tree.member_a.user,
        unit=fresh(tree.company_a),
        metric=Metric.HOURS,
        period=period,
    )
    rows = [
        (r.rank, r.unit.name, r.members, r.participants, r.per_capita)
        for r in board.rows
    ]
    assert rows[:2] == [
        (1, "A二项目部党支部", 2, 1, Decimal("1.50")),
        (2, "A一项目部党支部", 10, 3, Decimal("1.20")),
    ]
    # 周管理 is attached to company A itself: its own row, with no study
    assert rows[2] == (3, "子分公司A党委", 1, 0, Decimal("0.00"))
    assert [r.is_mine for r in board.rows] == [False, True, False]
    by_share = unit_board(
        viewer=tree.member_a.user,
        unit=fresh(tree.company_a),
        metric=Metric.HOURS,
        period=period,
        order="participation",
    )
    assert [(r.unit.name, r.participation) for r in by_share.rows][:2] == [
        ("A二项目部党支部", Decimal("50.00")),
        ("A一项目部党支部", Decimal("30.00")),
    ]


def test_corrections_transfers_and_a_rebuild_keep_the_totals_true(tree):
    day = timezone.localdate()
    entry = hours(tree, tree.member_a, "5", day)
    fold()
    ledger_correct(entry=entry, hours=Decimal("2"), by=tree.admin_a, note="重复登记")
    assert fold() == 1
    total = MemberTotal.objects.get(user=tree.member_a.user, kind=PeriodKind.YEAR)
    assert total.hours == Decimal("2") and total.unit_path == tree.team_a1.path
    assert fold() == 0  # nothing new: nothing folded twice
    member_transfer(
        member=tree.member_a, to_unit=fresh(tree.branch_b1), by=tree.platform_admin
    )
    assert totals_repath() == 1
    board = member_board(
        viewer=tree.platform_admin,
        unit=fresh(tree.company_b),
        metric=Metric.HOURS,
        period=period_of(PeriodKind.YEAR, day),
    )
    assert [row.name for row in board.rows] == ["李红梅"]
    before = list(
        MemberTotal.objects.values_list("kind", "start", "hours").order_by("kind")
    )
    assert totals_rebuild(now=LATER) == 2
    after = list(
        MemberTotal.objects.values_list("kind", "start", "hours").order_by("kind")
    )
    assert after == before


def test_rows_too_fresh_to_have_settled_wait_for_the_next_run(tree):
    hours(tree, tree.member_a, "1", timezone.localdate())
    assert totals_fold(now=timezone.now()) == 0
    assert fold() == 1
