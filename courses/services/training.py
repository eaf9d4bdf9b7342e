"""Offline study (集中培训 / 集体学习): sessions, their attendance (an Excel sheet,
QR check-in on a phone, or an admin's pick) and booking their 学时.

The conversion rules are versioned data (``TrainingConversion``): the version valid
on a session's date turns its length into hours. A new version never applies to a
session already booked, so booked hours never change. Booking is per attendee and
happens once (``Attendance.entry``); posting again books only those not booked yet.
A member's offline hours on one date never exceed the rule's daily maximum.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from org import scope
from org.models import Member, Unit, User

from ..models import (
    Attendance,
    AttendanceMethod,
    StudyHourEntry,
    StudyKind,
    TrainingConversion,
    TrainingLength,
    TrainingSession,
)
from .ledger import HOURS, ledger_record

OFFLINE_KINDS = (StudyKind.TRAINING, StudyKind.GROUP)
#: the rule that applies when no version is stored (the seeded defaults)
DEFAULT_VALID_FROM = datetime.date(2000, 1, 1)


# --- sessions and the conversion rules ---------------------------------------


def _require_manager(by: User, unit: Unit) -> None:
    if not scope.managed_units(by).filter(pk=unit.pk).exists():
        raise PermissionDenied


@transaction.atomic
def training_session_create(
    *,
    by: User,
    title: str,
    kind: str,
    unit: Unit,
    held_on: datetime.date,
    length: str,
    clock_hours: Decimal | None = None,
    location: str = "",
) -> TrainingSession:
    errors: dict[str, str] = {}
    if not scope.managed_units(by).filter(pk=unit.pk).exists():
        errors["unit"] = _("You do not manage this unit.")
    title = (title or "").strip()
    if not title:
        errors["title"] = _("Give the session a title.")
    if kind not in OFFLINE_KINDS:
        errors["kind"] = _("Choose centralised training or collective study.")
    if length not in TrainingLength.values:
        errors["length"] = _("Choose how long the session was.")
    if length == TrainingLength.HOURS:
        if clock_hours is None or not Decimal(0) < Decimal(clock_hours) <= 24:
            errors["clock_hours"] = _(
                "Give the length in hours: more than 0 and at most 24."
            )
    else:
        clock_hours = None
    if errors:
        raise ValidationError(errors)
    return TrainingSession.objects.create(
        title=title,
        kind=kind,
        unit=unit,
        held_on=held_on,
        length=length,
        clock_hours=clock_hours,
        location=(location or "").strip(),
        created_by=by,
    )


@transaction.atomic
def training_checkin_set(
    *, session: TrainingSession, by: User, is_open: bool
) -> TrainingSession:
    """Open or close QR check-in."""
    _require_manager(by, session.unit)
    session.checkin_open = is_open
    session.save(update_fields=["checkin_open"])
    return session


def training_conversion_for(day: datetime.date) -> TrainingConversion:
    """The version valid on ``day``: the latest ``valid_from`` ≤ ``day``."""
    version = (
        TrainingConversion.objects.filter(valid_from__lte=day)
        .order_by("-valid_from")
        .first()
    )
    # the seeded row is data and a flushed test database lacks it: the model's
    # defaults are the same rule
    return version or TrainingConversion(valid_from=DEFAULT_VALID_FROM)


def training_hours(
    *, session: TrainingSession, conversion: TrainingConversion | None = None
) -> Decimal:
    """The 学时 one attendee earns, before the daily maximum."""
    rule = conversion or training_conversion_for(session.held_on)
    if session.length == TrainingLength.HOURS:
        hours = Decimal(session.clock_hours or 0) * rule.per_hour
    elif session.length == TrainingLength.HALF_DAY:
        hours = rule.half_day
    else:
        hours = rule.day
    return Decimal(hours).quantize(HOURS)


@transaction.atomic
def conversion_change(
    *,
    by: User,
    valid_from: datetime.date,
    per_hour: Decimal,
    half_day: Decimal,
    day: Decimal,
    daily_max: Decimal,
) -> TrainingConversion:
    """A new version of the rules from ``valid_from`` (platform admins only).

    Versions are never edited. A version may not start on or before the date of
    a session whose hours were booked: those keep the rule they were booked
    with, and so do their late attendees."""
    if not scope.is_platform_admin(by):
        raise PermissionDenied
    errors: dict[str, str] = {}
    values = {
        "per_hour": per_hour,
        "half_day": half_day,
        "day": day,
        "daily_max": daily_max,
    }
    for name, value in values.items():
        if value is None or not Decimal(0) < Decimal(value) <= 24:
            errors[name] = _("Enter more than 0 and at most 24 hours.")
    if TrainingConversion.objects.filter(valid_from=valid_from).exists():
        errors["valid_from"] = _("A version valid from this date exists already.")
    else:
        booked = (
            TrainingSession.objects.filter(
                held_on__gte=valid_from, posted_at__isnull=False
            )
            .order_by("-held_on")
            .values_list("held_on", flat=True)
            .first()
        )
        if booked is not None:
            errors["valid_from"] = _(
                "Hours of a session held on %(date)s are already booked; a new "
                "version must start after that date."
            ) % {"date": booked.isoformat()}
    if errors:
        raise ValidationError(errors)
    return TrainingConversion.objects.create(
        valid_from=valid_from, created_by=by, **values
    )


# --- attendance ---------------------------------------------------------------


def in_subtree(member: Member | None, unit: Unit) -> bool:
    return member is not None and member.unit.path.startswith(unit.path)


def _member_of(user: User) -> Member | None:
    try:
        return user.member
    except Member.DoesNotExist:
        return None


def _locked(session: TrainingSession) -> TrainingSession:
    return (
        TrainingSession.objects.select_for_update(no_key=True)
        .select_related("unit")
        .get(pk=session.pk)
    )


@transaction.atomic
def attendance_add(*, session: TrainingSession, member: Member, by: User) -> Attendance:
    """An admin adds a member by hand (also after booking: post again to book)."""
    _require_manager(by, session.unit)
    session = _locked(session)
    if not in_subtree(member, session.unit):
        raise ValidationError(
            _("%(name)s is not a member of %(unit)s.")
            % {"name": member.user.display_name, "unit": session.unit.name}
        )
    if Attendance.objects.filter(session=session, user_id=member.user_id).exists():
        raise ValidationError(
            _("%(name)s is already on the attendance list.")
            % {"name": member.user.display_name}
        )
    return Attendance.objects.create(
        session=session, user_id=member.user_id, method=AttendanceMethod.MANUAL
    )


@transaction.atomic
def attendance_remove(*, attendance: Attendance, by: User) -> None:
    """Remove an attendee whose hours are not booked yet."""
    session = _locked(attendance.session)
    _require_manager(by, session.unit)
    attendance = Attendance.objects.select_for_update().get(pk=attendance.pk)
    if attendance.entry_id is not None:
        raise ValidationError(
            _(
                "This attendee's hours are already booked. Correct the entry in "
                "the study hours ledger instead."
            )
        )
    attendance.delete()


class CheckinRefused(ValidationError):
    """QR check-in is not possible; ``code`` says why (for the API)."""


@dataclass
class CheckinResult:
    session: TrainingSession
    attendance: Attendance
    created: bool  # False: the member had checked in already


def checkin_problem(*, session: TrainingSession, user: User) -> tuple[str, str] | None:
    """(code, message) when ``user`` may not check in now; None when they may."""
    if not in_subtree(_member_of(user), session.unit):
        return "outsider", _(
            "This session is for the members of %(unit)s; you are not among them."
        ) % {"unit": session.unit.name}
    today = timezone.localdate()
    if today < session.held_on:
        return "too_early", _("Check-in opens on the day of the session, %(date)s.") % {
            "date": session.held_on.isoformat()
        }
    if today > session.held_on:
        return "too_late", _(
            "The session was held on %(date)s; check-in has ended."
        ) % {"date": session.held_on.isoformat()}
    if not session.checkin_open:
        return "closed", _("Check-in for this session is closed.")
    return None


@transaction.atomic
def attendance_checkin(*, session_code: str, user: User) -> CheckinResult:
    """A member scans the session's QR code. A second scan changes nothing.

    Raises TrainingSession.DoesNotExist for an unknown code, CheckinRefused
    otherwise."""
    session = TrainingSession.objects.select_related("unit").get(
        checkin_code=session_code
    )
    existing = Attendance.objects.filter(session=session, user=user).first()
    if existing is not None:
        return CheckinResult(session=session, attendance=existing, created=False)
    problem = checkin_problem(session=session, user=user)
    if problem is not None:
        code, message = problem
        raise CheckinRefused(message, code=code)
    attendance, created = Attendance.objects.get_or_create(
        session=session, user=user, defaults={"method": AttendanceMethod.QR}
    )
    return CheckinResult(session=session, attendance=attendance, created=created)


# --- booking the hours -----------------------------------------------------------


@dataclass
class BookingLine:
    attendance: Attendance
    full: Decimal  # what the session is worth
    already: Decimal  # the member's offline hours on that date before this
    hours: Decimal  # what will be booked (0: nothing, the daily maximum is reached)

    @property
    def capped(self) -> bool:
        return self.hours < self.full


@dataclass
class BookingPlan:
    session: TrainingSession
    conversion: TrainingConversion
    full: Decimal
    lines: list[BookingLine]

    @property
    def total(self) -> Decimal:
        return sum((line.hours for line in self.lines), Decimal(0))

    @property
    def can_post(self) -> bool:
        return session_has_taken_place(self.session)


def session_has_taken_place(session: TrainingSession) -> bool:
    return session.held_on <= timezone.localdate()


def booking_plan(*, session: TrainingSession) -> BookingPlan:
    """What posting now would book for each attendee not booked yet."""
    conversion = training_conversion_for(session.held_on)
    full = training_hours(session=session, conversion=conversion)
    pending = list(
        Attendance.objects.filter(session=session, entry__isnull=True)
        .select_related("user__member__unit")
        .order_by("user__member__name_pinyin", "pk")
    )
    already = dict(
        StudyHourEntry.objects.filter(
            user_id__in=[a.user_id for a in pending],
            studied_on=session.held_on,
            kind__in=OFFLINE_KINDS,
        )
        .values_list("user_id")
        .annotate(total=Sum("hours"))
    )
    lines = []
    for attendance in pending:
        before = already.get(attendance.user_id) or Decimal(0)
        room = max(conversion.daily_max - before, Decimal(0))
        lines.append(
            BookingLine(
                attendance=attendance,
                full=full,
                already=before,
                hours=min(full, room).quantize(HOURS),
            )
        )
    return BookingPlan(session=session, conversion=conversion, full=full, lines=lines)


@dataclass
class PostReport:
    booked: int = 0  # attendees whose hours were booked now
    capped: int = 0  # … of them, booked less than the full hours (daily maximum)
    skipped: int = 0  # attendees who got nothing: their day was full already
    hours: Decimal = Decimal(0)


@transaction.atomic
def training_session_post(*, session: TrainingSession, by: User) -> PostReport:
    """Book each attendee's 学时, once. Posting again books only the attendees
    added since (or skipped because their day was full)."""
    _require_manager(by, session.unit)
    # Two posts of one session queue here; the second then finds every entry set.
    session = _locked(session)
    if not session_has_taken_place(session):
        raise ValidationError(
            _("Hours can be booked once the session has taken place.")
        )
    user_ids = list(
        Attendance.objects.filter(session=session, entry__isnull=True).values_list(
            "user_id", flat=True
        )
    )
    # Posts of two sessions on one date that share members queue here (in one
    # order, so they cannot deadlock): the daily maximum counts both.
    list(
        User.objects.select_for_update(no_key=True)
        .filter(pk__in=user_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    plan = booking_plan(session=session)
    report = PostReport()
    note_capped = _("Limited by the daily maximum of %(max)s hours.") % {
        "max": plan.conversion.daily_max.normalize()
    }
    for line in plan.lines:
        if line.hours <= 0:
            report.skipped += 1
            continue
        entry = ledger_record(
            member=line.attendance.user,
            kind=session.kind,
            hours=line.hours,
            studied_on=session.held_on,
            source=session.title[:200],
            by=by,
            note=note_capped if line.capped else "",
        )
        line.attendance.entry = entry
        line.attendance.save(update_fields=["entry"])
        report.booked += 1
        report.capped += line.capped
        report.hours += line.hours
    session.posted_at = timezone.now()
    session.save(update_fields=["posted_at"])
    return report
