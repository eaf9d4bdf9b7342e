"""The study-hours and points ledgers as a feed, for the read models of other
apps (assessments' board totals): rows in id order after a cursor.

A row is handed out only once it is ``settle_seconds`` old: ids come from a
sequence, and a transaction that took an id may commit after a later one did.
Waiting until every transaction that could still hold a lower id has ended keeps
a cursor that only moves forward from skipping a row (writes here are short;
the nightly rebuild of the totals repairs anything older)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from ..models import PointsEntry, StudyHourEntry

SETTLE_SECONDS = 30

LedgerRow = tuple[int, int, Decimal | int, datetime.date]  # id, user, amount, day


def _rows(model, amount: str, day: str, last_id, limit, settle_seconds, now):
    now = now or timezone.now()
    settled = now - datetime.timedelta(seconds=settle_seconds)
    return list(
        model.objects.filter(pk__gt=last_id, created_at__lte=settled)
        .order_by("pk")
        .values_list("pk", "user_id", amount, day)[:limit]
    )


def study_hour_rows_after(
    *,
    last_id: int,
    limit: int,
    settle_seconds: int = SETTLE_SECONDS,
    now: datetime.datetime | None = None,
) -> list[LedgerRow]:
    """Study-hour ledger rows (corrections are rows with negative hours)."""
    return _rows(
        StudyHourEntry, "hours", "studied_on", last_id, limit, settle_seconds, now
    )


def points_rows_after(
    *,
    last_id: int,
    limit: int,
    settle_seconds: int = SETTLE_SECONDS,
    now: datetime.datetime | None = None,
) -> list[LedgerRow]:
    """Points ledger rows."""
    return _rows(
        PointsEntry, "points", "awarded_on", last_id, limit, settle_seconds, now
    )
