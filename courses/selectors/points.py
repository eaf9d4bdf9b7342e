"""Reads of 积分: the viewer's own points today, this year and their history, and
the rules (the versions valid now for everyone; every version for platform admins).

Points are personal: every read here is of the viewer's own entries.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _

from org import scope
from org.models import User

from ..models import PointsAction, PointsDay, PointsEntry, PointsRule
from ..services.points import week_of


def _current_rules(at: datetime.datetime) -> dict[str, PointsRule]:
    """{action: the version valid at ``at``} in one query (the table is small)."""
    current: dict[str, PointsRule] = {}
    for rule in PointsRule.objects.filter(valid_from__lte=at).order_by(
        "-valid_from", "-version"
    ):
        current.setdefault(rule.action, rule)
    return current


def rule_text(rule: PointsRule | None) -> list[str]:
    """The rule in words, one phrase per part."""
    if rule is None:
        return [_("No rule")]
    if rule.action == PointsAction.STUDY_MINUTES and rule.min_effective_seconds:
        seconds = rule.min_effective_seconds
        if seconds % 60 == 0:
            parts = [
                _("+%(points)s per %(minutes)s minutes studied")
                % {"points": rule.points, "minutes": seconds // 60}
            ]
        else:
            parts = [
                _("+%(points)s per %(seconds)s seconds studied")
                % {"points": rule.points, "seconds": seconds}
            ]
    else:
        parts = [_("+%(points)s each") % {"points": rule.points}]
        if rule.min_effective_seconds:
            parts.append(
                _("at least %(seconds)s seconds of study")
                % {"seconds": rule.min_effective_seconds}
            )
    if rule.daily_cap is not None:
        parts.append(_("at most %(cap)s a day") % {"cap": rule.daily_cap})
    if rule.weekly_cap is not None:
        parts.append(_("at most %(cap)s a week") % {"cap": rule.weekly_cap})
    if rule.weekdays != "1234567":
        days = "、".join(str(WEEKDAYS_ABBR[int(d) - 1]) for d in rule.weekdays)
        parts.append(_("only on %(days)s") % {"days": days})
    if not rule.is_active:
        parts = [_("Paused"), *parts]
    return parts


@dataclass
class ActionToday:
    action: str
    label: str
    points_today: int
    daily_cap: int | None
    points_week: int
    weekly_cap: int | None
    is_active: bool
    rule_text: str
    rule_version: int | None

    @property
    def share(self) -> float:
        """How far towards the cap that binds first (for the progress bar)."""
        shares = [
            min(done / cap, 1.0) if cap else 1.0
            for done, cap in (
                (self.points_today, self.daily_cap),
                (self.points_week, self.weekly_cap),
            )
            if cap is not None
        ]
        return max(shares) if shares else 0.0

    @property
    def capped(self) -> bool:
        return self.share >= 1.0 and (
            self.daily_cap is not None or self.weekly_cap is not None
        )


def points_today(*, viewer: User) -> dict:
    """The viewer's points today per action against the caps (two queries)."""
    if not viewer.is_authenticated:
        raise Http404
    now = timezone.now()
    day = timezone.localdate(now)
    monday, sunday = week_of(day)
    rules = _current_rules(now)
    today: dict[str, int] = {}
    week: dict[str, int] = {}
    for action, on, points in PointsDay.objects.filter(
        user=viewer, day__range=(monday, sunday)
    ).values_list("action", "day", "points"):
        week[action] = week.get(action, 0) + points
        if on == day:
            today[action] = points
    actions = []
    for action, label in PointsAction.choices:
        rule = rules.get(action)
        actions.append(
            ActionToday(
                action=action,
                label=str(label),
                points_today=today.get(action, 0),
                daily_cap=rule.daily_cap if rule else None,
                points_week=week.get(action, 0),
                weekly_cap=rule.weekly_cap if rule else None,
                is_active=bool(rule and rule.is_active),
                rule_text=" · ".join(rule_text(rule)),
                rule_version=rule.version if rule else None,
            )
        )
    return {
        "day": day,
        "week_start": monday,
        "actions": actions,
        "total_today": sum(today.values()),
        "total_week": sum(week.values()),
    }


def points_total(*, viewer: User, year: int | None = None) -> int:
    """The viewer's points in ``year`` (this year by default)."""
    if not viewer.is_authenticated:
        return 0
    year = year or timezone.localdate().year
    return (
        PointsEntry.objects.filter(user=viewer, awarded_on__year=year).aggregate(
            total=Sum("points")
        )["total"]
        or 0
    )


def points_history(*, viewer: User) -> QuerySet[PointsEntry]:
    """The viewer's entries, newest day first (0-point entries included: they show
    that a cap was reached)."""
    if not viewer.is_authenticated:
        return PointsEntry.objects.none()
    return (
        PointsEntry.objects.filter(user=viewer)
        .select_related("rule")
        .order_by("-awarded_on", "-created_at", "-pk")
    )


def points_rules_current(*, viewer: User) -> list[PointsRule]:
    """The rule valid now for each action that has one, in the actions' order
    (every member may read them)."""
    if not viewer.is_authenticated:
        raise Http404
    rules = _current_rules(timezone.now())
    return [rules[action] for action in PointsAction.values if action in rules]


@dataclass
class RuleHistory:
    action: str
    label: str
    current: PointsRule | None
    #: every version, newest first; a version valid from a later time is scheduled
    versions: list[PointsRule]
    text: str


def points_rule_versions(*, viewer: User) -> list[RuleHistory]:
    """Every action's current rule and all its versions: platform admins only."""
    if not scope.is_platform_admin(viewer):
        raise Http404
    now = timezone.now()
    current = _current_rules(now)
    versions: dict[str, list[PointsRule]] = {}
    for rule in PointsRule.objects.select_related("created_by").order_by(
        "action", "-version"
    ):
        rule.scheduled = rule.valid_from > now
        versions.setdefault(rule.action, []).append(rule)
    return [
        RuleHistory(
            action=action,
            label=str(label),
            current=current.get(action),
            versions=versions.get(action, []),
            text=" · ".join(rule_text(current.get(action))),
        )
        for action, label in PointsAction.choices
    ]


def points_rule_for_change(*, viewer: User, action: str) -> RuleHistory:
    """One action's rules for the "change rule" form: platform admins only."""
    for history in points_rule_versions(viewer=viewer):
        if history.action == action:
            return history
    raise Http404
