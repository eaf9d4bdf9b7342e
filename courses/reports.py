"""学时台账: each member's hours in a year by kind, against the annual target, for
the units an admin manages (``org.scope``). Read-only."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet, Sum

from org import scope
from org.models import Member, Unit, User

from .models import StudyHourEntry, StudyKind
from .selectors import annual_target


@dataclass
class MemberHours:
    member: Member
    by_kind: dict[str, Decimal] = field(default_factory=dict)
    target: Decimal = Decimal(0)

    @property
    def kind_hours(self) -> list[Decimal | None]:
        """Hours per kind, in the order of ``StudyKind`` (for tables)."""
        return [self.by_kind.get(kind.value) for kind in StudyKind]

    @property
    def total(self) -> Decimal:
        return sum(self.by_kind.values(), Decimal(0))

    @property
    def met(self) -> bool:
        return self.total >= self.target

    @property
    def share(self) -> float:
        return float(min(self.total / self.target, 1)) if self.target else 1.0


@dataclass
class UnitHoursReport:
    unit: Unit
    year: int
    rows: list[MemberHours]

    @property
    def met_count(self) -> int:
        return sum(1 for row in self.rows if row.met)

    @property
    def met_rate(self) -> float:
        return self.met_count / len(self.rows) if self.rows else 0.0

    @property
    def average(self) -> Decimal:
        if not self.rows:
            return Decimal(0)
        return (
            sum((r.total for r in self.rows), Decimal(0)) / len(self.rows)
        ).quantize(Decimal("0.01"))

    @property
    def behind(self) -> list[MemberHours]:
        return sorted((r for r in self.rows if not r.met), key=lambda r: r.share)


def unit_hours_report(*, viewer: User, unit_id, year: int) -> UnitHoursReport:
    """Every member of the unit's subtree (404 outside the viewer's scope)."""
    unit = scope.access_unit(user=viewer, unit_id=unit_id, for_change=True)
    members = list(
        scope.subtree_members(user=viewer, unit=unit)
        .select_related("user", "unit")
        .order_by("unit__path", "name_pinyin", "employee_no")
    )
    totals = (
        StudyHourEntry.objects.filter(user__member__in=members, studied_on__year=year)
        .values_list("user_id", "kind")
        .annotate(hours=Sum("hours"))
    )
    by_user: dict[int, dict[str, Decimal]] = {}
    for user_id, kind, hours in totals:
        by_user.setdefault(user_id, {})[kind] = hours
    rows = [
        MemberHours(
            member=m,
            by_kind=by_user.get(m.user_id, {}),
            target=annual_target(viewer=m.user),
        )
        for m in members
    ]
    return UnitHoursReport(unit=unit, year=year, rows=rows)


def unit_ledger_entries(*, report: UnitHoursReport) -> QuerySet[StudyHourEntry]:
    return (
        StudyHourEntry.objects.filter(
            user__member__in=[r.member for r in report.rows],
            studied_on__year=report.year,
        )
        .select_related("user", "user__member__unit", "recorded_by")
        .order_by("user__member__unit__path", "user__member__name_pinyin", "studied_on")
    )
