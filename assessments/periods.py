"""Board periods: weeks start on Monday, quarters in January, April, July and
October; days are Asia/Shanghai dates (``timezone.localdate``)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from .models import PeriodKind

KINDS = [PeriodKind.WEEK, PeriodKind.MONTH, PeriodKind.QUARTER, PeriodKind.YEAR]


def period_start(kind: str, day: datetime.date) -> datetime.date:
    if kind == PeriodKind.DAY:
        return day
    if kind == PeriodKind.WEEK:
        return day - datetime.timedelta(days=day.weekday())
    if kind == PeriodKind.MONTH:
        return day.replace(day=1)
    if kind == PeriodKind.QUARTER:
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    if kind == PeriodKind.YEAR:
        return day.replace(month=1, day=1)
    raise ValueError(f"unknown period kind {kind!r}")


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def period_end(kind: str, start: datetime.date) -> datetime.date:
    """The last day of the period that starts on ``start``."""
    if kind == PeriodKind.DAY:
        return start
    if kind == PeriodKind.WEEK:
        return start + datetime.timedelta(days=6)
    months = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.YEAR: 12}[kind]
    return _add_months(start, months) - datetime.timedelta(days=1)


@dataclass(frozen=True)
class Period:
    """A board period: one of ``KINDS`` (``start`` its first day) or a custom
    range of days (``kind`` "custom")."""

    kind: str
    start: datetime.date
    end: datetime.date

    @property
    def label(self) -> str:
        if self.kind == PeriodKind.WEEK:
            return _("Week of %(date)s") % {"date": self.start.strftime("%Y-%m-%d")}
        if self.kind == PeriodKind.MONTH:
            return self.start.strftime("%Y-%m")
        if self.kind == PeriodKind.QUARTER:
            return f"{self.start.year} Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == PeriodKind.YEAR:
            return str(self.start.year)
        return f"{self.start:%Y-%m-%d} ~ {self.end:%Y-%m-%d}"

    def previous(self) -> Period:
        return period_of(self.kind, self.start - datetime.timedelta(days=1))


def period_of(kind: str, day: datetime.date | None = None) -> Period:
    day = day or timezone.localdate()
    start = period_start(kind, day)
    return Period(kind, start, period_end(kind, start))


def custom_period(start: datetime.date, end: datetime.date) -> Period:
    if end < start:
        raise ValueError("a period ends on or after its start")
    return Period("custom", start, end)
