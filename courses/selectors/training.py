"""Reads for offline training: an admin sees the sessions of the units they manage
(``org.scope.managed_units``); anything else is "not found". A member sees the
session whose check-in code they hold, and their own attendance."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from org import scope
from org.models import Member, User
from org.selectors import members_search

from ..models import Attendance, TrainingConversion, TrainingSession
from ..services.training import (
    BookingPlan,
    booking_plan,
    checkin_problem,
    session_has_taken_place,
    training_conversion_for,
    training_hours,
)

PAGE_SIZE = 20
ATTENDANCE_PAGE_SIZE = 100


def visible_sessions(*, viewer: User) -> QuerySet[TrainingSession]:
    return TrainingSession.objects.filter(unit__in=scope.managed_units(viewer))


def access_session(*, viewer: User, session_id) -> TrainingSession:
    try:
        return (
            visible_sessions(viewer=viewer)
            .select_related("unit", "created_by")
            .get(pk=session_id)
        )
    except (TrainingSession.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def session_page(*, viewer: User, page_number) -> Page:
    sessions = (
        visible_sessions(viewer=viewer)
        .select_related("unit")
        .annotate(
            attendee_count=Count("attendance"),
            booked_count=Count("attendance", filter=Q(attendance__entry__isnull=False)),
        )
        .order_by("-held_on", "-pk")
    )
    return Paginator(sessions, PAGE_SIZE).get_page(page_number)


def session_attendance(*, session: TrainingSession) -> list[Attendance]:
    return list(
        Attendance.objects.filter(session=session)
        .select_related("user__member__unit", "entry")
        .order_by("user__member__name_pinyin", "pk")
    )


def session_detail(*, session: TrainingSession, page_number=1) -> dict:
    """The session's facts, a page of its attendance and what booking is worth."""
    counts = Attendance.objects.filter(session=session).aggregate(
        total=Count("pk"), booked=Count("pk", filter=Q(entry__isnull=False))
    )
    attendance = (
        Attendance.objects.filter(session=session)
        .select_related("user__member__unit", "entry")
        .order_by("user__member__name_pinyin", "pk")
    )
    conversion = training_conversion_for(session.held_on)
    return {
        "session": session,
        "attendance": Paginator(attendance, ATTENDANCE_PAGE_SIZE).get_page(page_number),
        "attendee_count": counts["total"],
        "booked_count": counts["booked"],
        "pending_count": counts["total"] - counts["booked"],
        "conversion": conversion,
        "hours": training_hours(session=session, conversion=conversion),
        "can_post": session_has_taken_place(session),
    }


def session_booking_plan(*, session: TrainingSession) -> BookingPlan:
    return booking_plan(session=session)


def access_attendance(*, session: TrainingSession, attendance_id) -> Attendance:
    try:
        return Attendance.objects.select_related("user", "session__unit").get(
            session=session, pk=attendance_id
        )
    except (Attendance.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def attendance_candidates(
    *, viewer: User, session: TrainingSession, query: str, limit: int = 20
) -> list[Member]:
    """Members in the session's unit (and below) the admin may add, not on the list."""
    query = (query or "").strip()
    if not query:
        return []
    members = (
        members_search(user=viewer, query=query, unit=session.unit)
        .filter(pk__in=scope.managed_members(viewer).values("pk"))
        .exclude(user__in=Attendance.objects.filter(session=session).values("user"))
    )
    return list(members[:limit])


def access_candidate(*, viewer: User, session: TrainingSession, member_id) -> Member:
    members = scope.managed_members(viewer).filter(
        unit__path__startswith=session.unit.path
    )
    try:
        return members.select_related("user", "unit").get(pk=member_id)
    except (Member.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


# --- the member side --------------------------------------------------------------


def checkin_state(*, code: str, user: User) -> dict:
    """What the check-in page shows: the session, the member's attendance if any,
    or why they cannot check in. An unknown code is "not found"."""
    session = (
        TrainingSession.objects.select_related("unit").filter(checkin_code=code).first()
    )
    if session is None:
        raise Http404
    attendance = Attendance.objects.filter(session=session, user=user).first()
    problem = None if attendance else checkin_problem(session=session, user=user)
    return {
        "session": session,
        "attendance": attendance,
        "problem_code": problem[0] if problem else "",
        "problem": problem[1] if problem else "",
    }


def member_trainings(*, viewer: User, year: int) -> dict:
    """The sessions the viewer attended in ``year`` and the hours booked for them."""
    rows = list(
        Attendance.objects.filter(user=viewer, session__held_on__year=year)
        .select_related("session__unit", "entry")
        .order_by("-session__held_on", "-pk")
    )
    hours = sum((a.entry.hours for a in rows if a.entry), Decimal(0))
    return {"year": year, "hours": hours, "attendance": rows}


# --- the conversion rules -----------------------------------------------------


def conversion_history(*, today: datetime.date | None = None) -> dict:
    today = today or timezone.localdate()
    versions = list(TrainingConversion.objects.select_related("created_by"))
    return {
        "current": training_conversion_for(today),
        "versions": versions,
        "today": today,
    }
