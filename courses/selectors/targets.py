"""Study-hour targets of many members at once, for other apps' read models
(assessments' 学习之星 eligibility). The rule itself is ``annual_target``."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from org.models import User

from . import annual_target


def annual_targets(*, user_ids: Iterable[int]) -> dict[int, Decimal]:
    """``{user_id: 学时 a year}`` (32, or 56 for a secretary or committee member)."""
    users = User.objects.filter(pk__in=list(user_ids)).select_related("member")
    return {user.pk: annual_target(viewer=user) for user in users}
