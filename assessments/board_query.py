"""Reading a board request (page or API) into what the selectors take: shape and
types only, with the viewer's first scope as the default."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from org.models import Member, Unit, UnitType, User

from .models import Metric, PeriodKind
from .periods import KINDS, Period, custom_period, period_of
from .selectors.boards import access_board_unit, board_units

VIEWS = ("members", "units")
ORDERS = ("per_capita", "participation")
MAX_CUSTOM_DAYS = 366


@dataclass
class BoardQuery:
    unit: Unit
    units: list[Unit]
    metric: str
    period: Period
    view: str
    order: str
    exam_id: int | None = None


def _date(text: str, name: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except (TypeError, ValueError) as exc:
        raise ValidationError({name: _("Enter a valid date.")}) from exc


def _default_scope(viewer: User, units: list[Unit]) -> Unit:
    """The viewer's 支部 (their own unit when it is not a 党小组), else the
    first unit they administer."""
    member = Member.objects.filter(user_id=viewer.pk).select_related("unit").first()
    if member is None:
        return units[0]
    chain = [u for u in units if member.unit.path.startswith(u.path)]
    above_groups = [u for u in chain if u.unit_type != UnitType.GROUP]
    return (above_groups or chain or units)[-1]


def board_query(*, viewer: User, params) -> BoardQuery:
    """The board asked for by ``params`` (a QueryDict or dict): scope (a unit
    id), metric, period (week/month/quarter/year/custom with start and end),
    view (members/units), order (per_capita/participation), exam (an id)."""
    units = board_units(viewer=viewer)
    scope_id = params.get("scope")
    if scope_id:
        unit = access_board_unit(viewer=viewer, unit_id=scope_id)
    elif units:
        unit = _default_scope(viewer, units)
    else:
        raise ValidationError({"scope": _("You have no unit to see boards of.")})
    metric = params.get("metric") or Metric.HOURS
    if metric not in Metric.values:
        raise ValidationError({"metric": _("Choose one of the listed options.")})
    kind = params.get("period") or PeriodKind.MONTH
    today = timezone.localdate()
    if kind == "custom":
        start = _date(params.get("start"), "start")
        end = _date(params.get("end"), "end")
        if end < start or (end - start).days >= MAX_CUSTOM_DAYS:
            raise ValidationError(
                {"end": _("A custom period ends after its start, within a year.")}
            )
        period = custom_period(start, end)
    elif kind in KINDS:
        day = _date(params["day"], "day") if params.get("day") else today
        period = period_of(kind, day)
    else:
        raise ValidationError({"period": _("Choose one of the listed options.")})
    view = params.get("view") or "members"
    order = params.get("order") or "per_capita"
    if view not in VIEWS or order not in ORDERS:
        raise ValidationError({"view": _("Choose one of the listed options.")})
    exam_id = None
    if params.get("exam"):
        try:
            exam_id = int(params["exam"])
        except (TypeError, ValueError) as exc:
            raise ValidationError(
                {"exam": _("Choose one of the listed options.")}
            ) from exc
    return BoardQuery(unit, units, metric, period, view, order, exam_id)
