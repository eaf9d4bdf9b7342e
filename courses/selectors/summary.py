"""A member's study year at a glance, as other apps read it (the member card).
The caller has checked that the viewer may see ``user``."""

from __future__ import annotations

from decimal import Decimal

from org.models import User

from . import hours_in_year
from .points import points_total


def member_year_summary(*, user: User, year: int) -> dict[str, Decimal | int]:
    """``{"hours": 学时, "points": 积分}`` of ``user`` in ``year``."""
    return {
        "hours": hours_in_year(viewer=user, year=year),
        "points": points_total(viewer=user, year=year),
    }
