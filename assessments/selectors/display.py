"""The lobby display (大屏): what a TV holding a unit's secret link shows, and the
links an admin manages.

The token is the only gate of the display (no login): an unknown or revoked token
is "not found" at once. What it shows is limited to names, unit names and
aggregates: the month's top learners by 学时, the units directly below the
link's unit (participation and per-capita 学时), the pass rates of the
subtree's recent exams (released results only) and the period's 学习之星. No ids,
no contact details, no one's individual exam grade.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AnonymousUser
from django.db.models import F, QuerySet
from django.http import Http404
from django.utils import timezone

from exams.selectors.summary import exam_pass_rates
from org import scope
from org.models import Unit, User

from ..models import DisplayLink, Metric, PeriodKind
from ..periods import period_of
from .boards import member_board, unit_board

TOP = 10
#: exams that closed within this many days are "recent"
EXAM_DAYS = 90
EXAMS = 8


def display_for_token(token: str) -> DisplayLink:
    """The live link of ``token`` (Http404 when unknown or revoked)."""
    if not token or len(token) > 64:
        raise Http404
    try:
        return DisplayLink.objects.select_related("unit").get(
            token=token, revoked_at__isnull=True
        )
    except DisplayLink.DoesNotExist as exc:
        raise Http404 from exc


def display_stars(unit: Unit) -> list[dict]:
    """The latest published 学习之星 of ``unit``'s subtree: ``[{"name",
    "unit", "title", "period"}]``."""
    from .awards import recent_stars

    return recent_stars(unit=unit)


def _number(value) -> float:
    return float(round(value, 2))


def display_data(*, link: DisplayLink, now: datetime.datetime | None = None) -> dict:
    """Everything the display shows, JSON-able (the page's data.json and the API)."""
    now = now or timezone.now()
    unit = link.unit
    month = period_of(PeriodKind.MONTH, timezone.localdate(now))
    nobody = AnonymousUser()  # the boards' "my row" stays empty
    board = member_board(
        viewer=nobody, unit=unit, metric=Metric.HOURS, period=month, limit=TOP
    )
    units = unit_board(viewer=nobody, unit=unit, metric=Metric.HOURS, period=month)
    exams = exam_pass_rates(
        unit_path=unit.path,
        since=now - datetime.timedelta(days=EXAM_DAYS),
        now=now,
        limit=EXAMS,
    )
    return {
        "title": link.name or unit.name,
        "unit": unit.name,
        "period": month.label,
        "updated_at": timezone.localtime(now).isoformat(timespec="seconds"),
        "learners": [
            {
                "rank": row.rank,
                "name": row.name,
                "unit": row.unit,
                "hours": _number(row.value),
            }
            for row in board.rows
        ],
        "units": [
            {
                "name": row.unit.name,
                "members": row.members,
                "participants": row.participants,
                "participation": _number(row.participation),
                "per_capita": _number(row.per_capita),
            }
            for row in units.rows
        ],
        "exams": [
            {
                "title": exam.title,
                "members": exam.members,
                "sat": exam.sat,
                "passed": exam.passed,
                "pass_rate": _number(exam.pass_rate),
            }
            for exam in exams
        ],
        "stars": display_stars(unit),
    }


# --- the admin's links ------------------------------------------------------------


def display_links(*, viewer: User) -> QuerySet[DisplayLink]:
    """The links of the units the viewer manages, live ones first."""
    return (
        DisplayLink.objects.filter(unit__in=scope.managed_units(viewer))
        .select_related("unit", "created_by")
        .order_by(F("revoked_at").asc(nulls_first=True), "unit__path", "-created_at")
    )


def access_display_link(*, viewer: User, link_id) -> DisplayLink:
    try:
        return display_links(viewer=viewer).get(pk=int(link_id))
    except (DisplayLink.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404 from exc
