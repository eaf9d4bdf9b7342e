"""The member card (扫一扫): a member's basic facts, this year's 学时 and 积分,
released exam results and awards, for the viewers ``org.scope`` lets see the
member (the member and the admins of their units); anyone else: not found."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from courses.selectors.summary import member_year_summary
from exams.selectors.summary import MemberExamResult, member_exam_results
from org import scope
from org.models import Member, User


def card_awards(user: User) -> list[dict]:
    """The member's published awards: ``[{"title", "period", "unit"}]``."""
    from .awards import my_wins, period_label

    return [
        {
            "title": win.award.title,
            "period": period_label(win.award),
            "unit": win.award.unit.name,
        }
        for win in my_wins(viewer=user)
    ]


@dataclass
class MemberCard:
    member: Member
    #: the member's unit and those above it, top first
    units: list[str]
    year: int
    hours: Decimal
    points: int
    exams: list[MemberExamResult] = field(default_factory=list)
    awards: list[dict] = field(default_factory=list)


def member_card(
    *, viewer: User, member_id, now: datetime.datetime | None = None
) -> MemberCard:
    member = scope.access_member(user=viewer, member_id=member_id)
    now = now or timezone.now()
    year = timezone.localdate(now).year
    summary = member_year_summary(user=member.user, year=year)
    unit = member.unit
    return MemberCard(
        member=member,
        units=[u.name for u in [*unit.get_ancestors(), unit]],
        year=year,
        hours=summary["hours"],
        points=summary["points"],
        exams=member_exam_results(user=member.user, now=now),
        awards=card_awards(member.user),
    )
