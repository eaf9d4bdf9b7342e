"""Folding the courses ledgers into ``MemberTotal`` (the boards' read model).

``totals_fold`` reads the ledger rows after each ledger's cursor (through
``courses.selectors.ledgers``: a row is handed out once it has settled), adds them
to the member's day, week, month, quarter and year rows in one upsert statement
per batch, and moves the cursor, all in one transaction: a crash folds nothing
twice and loses nothing. ``totals_repath`` follows members who moved to another
unit (or whose unit moved in the tree). ``totals_rebuild`` throws the totals
away and folds every ledger row again (nightly, and after a bulk correction).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db import connection, transaction

from courses.selectors.ledgers import points_rows_after, study_hour_rows_after
from org.models import Member

from ..models import LedgerCursor, MemberTotal, PeriodKind
from ..periods import period_start
from .revision import boards_changed, boards_revisions_prune

FOLDED_KINDS = [kind for kind, _label in PeriodKind.choices]
BATCH = 5000

#: ledger name -> (its feed, the total it adds to)
LEDGERS = {
    "study_hours": (study_hour_rows_after, "hours"),
    "points": (points_rows_after, "points"),
}

_UPSERT = (
    "INSERT INTO assessments_membertotal "
    "(user_id, kind, start, unit_path, hours, points) VALUES (%s, %s, %s, %s, %s, %s) "
    "ON CONFLICT (user_id, kind, start) DO UPDATE SET "
    "hours = assessments_membertotal.hours + excluded.hours, "
    "points = assessments_membertotal.points + excluded.points, "
    "unit_path = excluded.unit_path"
)


def _unit_paths(user_ids) -> dict[int, str]:
    return dict(
        Member.objects.filter(user_id__in=user_ids).values_list("user_id", "unit__path")
    )


def _add(deltas: dict[tuple[int, str, datetime.date], Decimal | int], field: str):
    paths = _unit_paths({user_id for user_id, _k, _s in deltas})
    params = []
    for (user_id, kind, start), amount in deltas.items():
        if user_id not in paths:  # not a member (an admin account): no board
            continue
        hours = amount if field == "hours" else Decimal(0)
        points = amount if field == "points" else 0
        params.append((user_id, kind, start, paths[user_id], hours, points))
    if params:
        with connection.cursor() as cursor:
            cursor.executemany(_UPSERT, params)


def _fold_batch(ledger: str, batch: int, now) -> int:
    rows_after, field = LEDGERS[ledger]
    cursor = LedgerCursor.objects.select_for_update().get(ledger=ledger)
    rows = rows_after(last_id=cursor.last_id, limit=batch, now=now)
    if not rows:
        return 0
    deltas: dict = defaultdict(int)
    for _pk, user_id, amount, day in rows:
        for kind in FOLDED_KINDS:
            deltas[(user_id, kind, period_start(kind, day))] += amount
    _add(deltas, field)
    cursor.last_id = rows[-1][0]
    cursor.save(update_fields=["last_id", "updated_at"])
    return len(rows)


def totals_fold(*, batch: int = BATCH, max_batches: int = 100, now=None) -> int:
    """Fold what the ledgers gained since the last run; the number of rows."""
    for ledger in LEDGERS:
        LedgerCursor.objects.get_or_create(ledger=ledger)
    folded = 0
    for ledger in LEDGERS:
        for _round in range(max_batches):
            with transaction.atomic():
                done = _fold_batch(ledger, batch, now)
                if done:  # with the batch: no snapshot outlives its totals
                    boards_changed()
            folded += done
            if done < batch:
                break
    return folded


def totals_repath() -> int:
    """Give the totals of members whose unit path changed their new path (a
    member moved, or their unit moved in the tree); the number of members."""
    current = _unit_paths(
        MemberTotal.objects.filter(kind=PeriodKind.YEAR)
        .values_list("user_id", flat=True)
        .distinct()
    )
    stale = (
        MemberTotal.objects.filter(kind=PeriodKind.YEAR)
        .values_list("user_id", "unit_path")
        .distinct()
    )
    moved: dict[int, str] = {
        user_id: current[user_id]
        for user_id, path in stale
        if user_id in current and current[user_id] != path
    }
    with transaction.atomic():
        for user_id, path in moved.items():
            MemberTotal.objects.filter(user_id=user_id).update(unit_path=path)
        if moved:
            boards_changed()
    return len(moved)


@transaction.atomic
def totals_rebuild(*, now=None) -> int:
    """Throw the totals away and fold every ledger row again."""
    MemberTotal.objects.all().delete()
    LedgerCursor.objects.all().delete()
    folded = totals_fold(now=now, max_batches=10**9)
    boards_changed()
    boards_revisions_prune()
    return folded
