"""Member boards read a snapshot per boards revision: every change the boards
can show (a fold, an exclusion, a repath, a rebuild) makes a new revision, so a
stale ranking is never served, and "my rank" by bisection is the counted rank."""

import datetime
import random
from datetime import timedelta
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments.models import Metric, PeriodKind
from assessments.periods import custom_period, period_of
from assessments.selectors import board_snapshots
from assessments.selectors.board_snapshots import boards_revision
from assessments.selectors.boards import member_board
from assessments.services.exclusions import board_exclude
from assessments.services.totals import totals_fold, totals_rebuild, totals_repath
from courses.models import StudyKind
from courses.services.ledger import ledger_record
from org.models import Unit
from org.services.members import member_transfer
from tests.factories import make_member

LATER = timezone.now() + timedelta(minutes=5)
DAY = datetime.date(2026, 11, 18)
MONTH = period_of(PeriodKind.MONTH, DAY)


def hours(tree, member, amount, day=DAY):
    ledger_record(
        member=member.user,
        kind=StudyKind.GROUP,
        hours=Decimal(amount),
        studied_on=day,
        source="集中学习",
        by=tree.admin_a,
    )


def board(viewer, unit, period=MONTH, limit=50):
    return member_board(
        viewer=viewer,
        unit=Unit.objects.get(pk=unit.pk),
        metric=Metric.HOURS,
        period=period,
        limit=limit,
    )


def ranking_statements(queries) -> int:
    return sum(
        "ORDER BY" in q["sql"] and "assessments_membertotal" in q["sql"]
        for q in queries.captured_queries
    )


def test_every_rank_by_bisection_is_the_counted_competition_rank(tree):
    rng = random.Random(3)
    people = [make_member(tree.branch_a1, f"学员{i}") for i in range(40)]
    values = {}
    for person in people:  # many ties: a handful of distinct values
        amount = rng.choice(["0.5", "1", "1.5", "2", "2.25", "4"])
        hours(tree, person, amount)
        values[person.user_id] = Decimal(amount)
    totals_fold(now=LATER)
    for person in people:
        mine = board(person.user, tree.branch_a1)
        counted = 1 + sum(v > values[person.user_id] for v in values.values())
        assert mine.my_value == values[person.user_id]
        assert mine.my_rank == counted
        assert mine.ranked == 40


def test_an_unchanged_board_is_ranked_once_and_a_fold_ranks_it_anew(tree):
    hours(tree, tree.member_a, "2")
    rival = make_member(tree.team_a1, "王强")
    hours(tree, rival, "1")
    totals_fold(now=LATER)
    with CaptureQueriesContext(connection) as first:
        assert board(tree.member_a.user, tree.team_a1).my_rank == 1
    with CaptureQueriesContext(connection) as again:
        mine = board(rival.user, tree.team_a1)
    assert ranking_statements(first) == 1 and ranking_statements(again) == 0
    assert (mine.my_rank, [r.name for r in mine.rows]) == (2, ["李红梅", "王强"])

    revision = boards_revision()
    hours(tree, rival, "3")
    assert totals_fold(now=LATER) == 1
    assert boards_revision() != revision
    mine = board(rival.user, tree.team_a1)
    assert (mine.my_rank, [r.name for r in mine.rows]) == (1, ["王强", "李红梅"])
    assert mine.my_value == Decimal("4")
    # a fold that folds nothing keeps the revision (and the snapshots)
    revision = boards_revision()
    assert totals_fold(now=LATER) == 0 and boards_revision() == revision


def test_exclusions_repaths_and_rebuilds_make_a_new_revision(tree):
    tester = make_member(tree.team_a1, "测试账号")
    hours(tree, tester, "9")
    hours(tree, tree.member_a, "2")
    totals_fold(now=LATER)
    assert [r.name for r in board(tree.admin_a, tree.company_a).rows] == [
        "测试账号",
        "李红梅",
    ]
    board_exclude(by=tree.admin_a, user=tester.user)
    assert [r.name for r in board(tree.admin_a, tree.company_a).rows] == ["李红梅"]

    member_transfer(
        member=tree.member_a,
        to_unit=Unit.objects.get(pk=tree.branch_b1.pk),
        by=tree.platform_admin,
    )
    assert totals_repath() == 1
    assert board(tree.admin_a, tree.company_a).rows == []
    assert [r.name for r in board(tree.platform_admin, tree.company_b).rows] == [
        "李红梅"
    ]
    revision = boards_revision()
    totals_rebuild(now=LATER)
    assert boards_revision() != revision


def test_a_larger_top_or_another_period_is_its_own_snapshot(tree):
    for i in range(5):
        hours(tree, make_member(tree.branch_a2, f"学员{i}"), str(i + 1))
    hours(tree, tree.member_a, "3", DAY - timedelta(days=40))
    totals_fold(now=LATER)
    assert [r.name for r in board(tree.admin_a, tree.company_a, limit=2).rows] == [
        "学员4",
        "学员3",
    ]
    five = board(tree.admin_a, tree.company_a, limit=5)
    assert [r.name for r in five.rows] == [f"学员{i}" for i in (4, 3, 2, 1, 0)]
    span = custom_period(DAY - timedelta(days=60), DAY)
    wide = board(tree.member_a.user, tree.company_a, period=span)
    assert (wide.ranked, wide.my_rank, wide.my_value) == (6, 3, Decimal("3"))


def test_the_cache_keeps_its_bounds(tree, monkeypatch):
    monkeypatch.setattr(board_snapshots, "MAX_BOARDS", 2)
    hours(tree, tree.member_a, "2")
    totals_fold(now=LATER)
    for kind in (PeriodKind.WEEK, PeriodKind.MONTH, PeriodKind.YEAR):
        board(tree.member_a.user, tree.team_a1, period=period_of(kind, DAY))
    assert len(board_snapshots._cache) == 2
    assert board_snapshots._state["values"] == 2
    monkeypatch.setattr(board_snapshots, "MAX_VALUES", 0)
    board(tree.member_a.user, tree.branch_a1)
    assert len(board_snapshots._cache) == 1  # the newest stays


def test_a_snapshot_of_an_older_revision_never_replaces_a_newer_cache(db):
    board_snapshots._store(("b", 1), 5, board_snapshots._build([(1, 3)], kept=1))
    board_snapshots._store(("a", 1), 3, board_snapshots._build([(2, 9)], kept=1))
    assert list(board_snapshots._cache) == [("b", 1)]
    assert board_snapshots._state["revision"] == 5


def test_the_nightly_rebuild_keeps_the_latest_revisions(tree):
    from assessments.models import BoardsRevision
    from assessments.services.revision import KEEP, boards_changed

    for _ in range(KEEP + 20):
        boards_changed()
    newest = boards_revision()
    totals_rebuild(now=LATER)
    assert boards_revision() > newest
    assert BoardsRevision.objects.count() == KEEP
