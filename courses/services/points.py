"""积分: awards under versioned rules, with daily and weekly caps, once per event.

``points_award`` is the one hook every app calls (courses: login, lessons, study
time; exams: the daily quiz, a passed exam). An event is named by its key and earns
points once: (member, action, event key) is unique, so a retried or doubled call
returns the entry already made. The caps are kept by locking the member's running
total (``PointsDay``) before reading it: concurrent awards wait for each other, and
the second sees what the first added.

A rule is never edited: ``points_rule_change`` adds the next version, and an award
uses the version valid at the event's time. Entries keep the version they were
made under, so a change never rewrites past points.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Page

from org import scope
from org.models import User

from ..models import (
    LessonProgress,
    PointsAction,
    PointsDay,
    PointsEntry,
    PointsRule,
    WatchSession,
)

#: the fields a new rule version may set; the others are copied from the latest
RULE_FIELDS = (
    "points",
    "daily_cap",
    "weekly_cap",
    "weekdays",
    "min_effective_seconds",
    "is_active",
    "valid_from",
    "note",
)


def rule_at(*, action: str, at: datetime.datetime) -> PointsRule | None:
    """The version of ``action``'s rule valid at ``at``: the latest
    ``valid_from`` not after it (of two from the same moment, the newer)."""
    return (
        PointsRule.objects.filter(action=action, valid_from__lte=at)
        .order_by("-valid_from", "-version")
        .first()
    )


def week_of(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """Monday and Sunday of ``day``'s ISO week."""
    monday = day - datetime.timedelta(days=day.isoweekday() - 1)
    return monday, monday + datetime.timedelta(days=6)


def rule_base_points(rule: PointsRule, effective_seconds: float | None) -> int:
    """What the event earns before the caps (0: nothing).

    For study time ``min_effective_seconds`` is the unit: every full unit studied
    earns ``points``. For the other actions it is a threshold; an event whose time
    was not measured (None) does not reach a threshold above 0.
    """
    seconds = float(effective_seconds or 0)
    minimum = rule.min_effective_seconds
    if rule.action == PointsAction.STUDY_MINUTES and minimum:
        return int(seconds // minimum) * rule.points
    if minimum and seconds < minimum:
        return 0
    return rule.points


def _locked_day(user: User, day: datetime.date, action: str) -> PointsDay:
    """The member's running total of ``action`` on ``day``, locked until the
    transaction ends. Of two requests creating the row at once, the second's
    insert fails on the unique constraint; get_or_create then reads (and locks)
    the row the first created."""
    total, _created = PointsDay.objects.select_for_update().get_or_create(
        user=user, day=day, action=action
    )
    return total


def _existing(user: User, action: str, event_key: str) -> PointsEntry | None:
    return (
        PointsEntry.objects.select_related("rule")
        .filter(user=user, action=action, event_key=event_key)
        .first()
    )


@transaction.atomic
def points_award(
    *,
    user: User,
    action: str,
    event_key: str,
    effective_seconds: float | None = None,
    source: str = "",
    at: datetime.datetime | None = None,
) -> PointsEntry | None:
    """Award ``action``'s points for one event, once.

    Returns the entry (its points are 0 when a cap was reached: the event is used
    up all the same), the entry already made for this event (a retry), or None
    when the event earns nothing: no rule, an inactive rule, a weekday the rule
    leaves out, or too little effective time.
    """
    if action not in PointsAction.values:
        raise ValueError(f"unknown points action {action!r}")
    if not event_key or len(event_key) > 100:
        raise ValueError("an event key of 1 to 100 characters is required")
    at = at or timezone.now()
    if timezone.is_naive(at):
        raise ValueError("points_award needs an aware datetime")
    existing = _existing(user, action, event_key)
    if existing is not None:
        return existing

    rule = rule_at(action=action, at=at)
    if rule is None or not rule.is_active:
        return None
    day = timezone.localdate(at)
    if str(day.isoweekday()) not in rule.weekdays:
        return None
    points = rule_base_points(rule, effective_seconds)
    if points <= 0:
        return None

    # Lock order: the week's Monday row first (it guards the weekly cap, even for
    # awards dated on different days of the week), then the day's own row.
    monday, sunday = week_of(day)
    if rule.weekly_cap is not None and day != monday:
        _locked_day(user, monday, action)
    today = _locked_day(user, day, action)
    existing = _existing(user, action, event_key)  # a concurrent twin got in first
    if existing is not None:
        return existing

    if rule.daily_cap is not None:
        points = min(points, max(rule.daily_cap - today.points, 0))
    if rule.weekly_cap is not None:
        week = PointsDay.objects.filter(
            user=user, action=action, day__range=(monday, sunday)
        ).aggregate(total=Sum("points"))["total"]
        points = min(points, max(rule.weekly_cap - (week or 0), 0))

    try:
        with transaction.atomic():  # the same event dated on another day
            entry = PointsEntry.objects.create(
                user=user,
                action=action,
                rule=rule,
                points=points,
                event_key=event_key,
                awarded_on=day,
                source=source[:200],
            )
    except IntegrityError:
        return _existing(user, action, event_key)
    if points:
        today.points += points
        today.save(update_fields=["points"])
    return entry


# --- the courses' hooks (called through transaction.on_commit) ---------------


def _title(page_id: int) -> str:
    return Page.objects.filter(pk=page_id).values_list("title", flat=True).first() or ""


def points_for_lesson_completed(
    *, user: User, lesson_id: int, at: datetime.datetime | None = None
) -> PointsEntry | None:
    """A lesson completed for the first time. The time credited on the lesson is
    the effective time a rule's threshold is checked against."""
    progress = (
        LessonProgress.objects.filter(user=user, lesson_id=lesson_id)
        .only("credited_seconds")
        .first()
    )
    return points_award(
        user=user,
        action=PointsAction.LESSON_COMPLETED,
        event_key=f"lesson:{lesson_id}",
        effective_seconds=progress.credited_seconds if progress else 0,
        source=_title(lesson_id),
        at=at,
    )


def points_for_study_session(*, session: WatchSession) -> PointsEntry | None:
    """A closed sitting's credited time: ``points`` per full
    ``min_effective_seconds``. It counts on the day the sitting began, as its
    学时 do."""
    return points_award(
        user=session.user,
        action=PointsAction.STUDY_MINUTES,
        event_key=f"session:{session.pk}",
        effective_seconds=session.credited_seconds,
        source=_title(session.lesson_id),
        at=session.started_at,
    )


def points_for_login(*, user: User, day: datetime.date) -> PointsEntry | None:
    """The first visit of the day (the daily-login middleware)."""
    if day == timezone.localdate():
        at = timezone.now()
    else:
        at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))
    return points_award(
        user=user,
        action=PointsAction.DAILY_LOGIN,
        event_key=f"login:{day.isoformat()}",
        at=at,
    )


# --- rules -------------------------------------------------------------------


def _rule_errors(action: str, values: dict) -> dict:
    errors = {}
    days = "".join(sorted(set(str(values["weekdays"] or ""))))
    if not days or any(d not in "1234567" for d in days):
        errors["weekdays"] = _("Choose at least one weekday.")
    values["weekdays"] = days
    for name in ("points", "min_effective_seconds", "daily_cap", "weekly_cap"):
        number = values.get(name)
        if number is not None and int(number) < 0:
            errors[name] = _("Must not be negative.")
    if action == PointsAction.STUDY_MINUTES and not values["min_effective_seconds"]:
        errors["min_effective_seconds"] = _(
            "Study time earns points per this many seconds: it must be above 0."
        )
    if timezone.is_naive(values["valid_from"]):
        errors["valid_from"] = _("Give a date and time with a time zone.")
    return errors


@transaction.atomic
def points_rule_change(*, action: str, by: User, **fields) -> PointsRule:
    """The next version of ``action``'s rule: the given fields, the others as in
    the latest version; valid from now unless ``valid_from`` says otherwise. Old
    versions are never edited. Platform admins only."""
    if not scope.is_platform_admin(by):
        raise PermissionDenied
    if action not in PointsAction.values:
        raise ValidationError({"action": _("Unknown action.")})
    unknown = set(fields) - set(RULE_FIELDS)
    if unknown:
        raise TypeError(f"unknown rule fields: {sorted(unknown)}")
    # Lock the latest version: two admins saving at once get versions n and n+1.
    latest = (
        PointsRule.objects.select_for_update()
        .filter(action=action)
        .order_by("-version")
        .first()
    )
    values = {
        "weekdays": "1234567",
        "min_effective_seconds": 0,
        "is_active": True,
        "daily_cap": None,
        "weekly_cap": None,
    }
    if latest is not None:
        values.update({name: getattr(latest, name) for name in RULE_FIELDS})
    values.update(fields)
    values["note"] = values.get("note") or ""
    if fields.get("valid_from") is None:
        values["valid_from"] = timezone.now()
    if values.get("points") is None:
        raise ValidationError({"points": _("Give the points per award.")})
    errors = _rule_errors(action, values)
    if errors:
        raise ValidationError(errors)
    return PointsRule.objects.create(
        action=action,
        version=(latest.version if latest else 0) + 1,
        created_by=by,
        **values,
    )
