"""The 学时 ledger: entries are appended, never edited; a correction is a new entry
that points at the one it corrects."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from org.models import User

from ..models import StudyHourEntry, StudyKind, WatchSession
from .points import points_for_study_session

HOURS = Decimal("0.001")


def seconds_to_hours(seconds: float) -> Decimal:
    return (Decimal(str(seconds)) / 3600).quantize(HOURS, rounding=ROUND_HALF_UP)


def ledger_post_session(*, session: WatchSession) -> StudyHourEntry | None:
    """A closed session's credited time as 网络学习, once (the entry is keyed by
    the session, so a second call or a retried task adds nothing)."""
    hours = seconds_to_hours(session.credited_seconds)
    if hours <= 0:
        return None
    lesson = session.lesson
    course = lesson.course
    source = f"{course.title} / {lesson.title}" if course else lesson.title
    entry, created = StudyHourEntry.objects.get_or_create(
        session=session,
        defaults={
            "user_id": session.user_id,
            "kind": StudyKind.ONLINE,
            "hours": hours,
            "studied_on": timezone.localdate(session.started_at),
            "source": source[:200],
        },
    )
    if created:
        transaction.on_commit(partial(points_for_study_session, session=session))
    return entry


@transaction.atomic
def ledger_record(
    *,
    member: User,
    kind: str,
    hours: Decimal,
    studied_on: datetime.date,
    source: str,
    by: User,
    note: str = "",
) -> StudyHourEntry:
    """An entry recorded by an admin (offline training, collective study …)."""
    if kind not in StudyKind.values:
        raise ValidationError({"kind": _("Unknown kind of study.")})
    if hours <= 0:
        raise ValidationError({"hours": _("Hours must be more than zero.")})
    return StudyHourEntry.objects.create(
        user=member,
        kind=kind,
        hours=Decimal(hours).quantize(HOURS),
        studied_on=studied_on,
        source=source,
        note=note,
        recorded_by=by,
    )


@transaction.atomic
def ledger_correct(
    *, entry: StudyHourEntry, hours: Decimal, by: User, note: str
) -> StudyHourEntry:
    """Correct ``entry`` to ``hours`` by appending the difference."""
    if not note.strip():
        raise ValidationError({"note": _("Say why the entry is corrected.")})
    already = sum((c.hours for c in entry.corrections.all()), Decimal(0))
    difference = Decimal(hours).quantize(HOURS) - (entry.hours + already)
    if difference == 0:
        raise ValidationError({"hours": _("The entry already has these hours.")})
    return StudyHourEntry.objects.create(
        user_id=entry.user_id,
        kind=entry.kind,
        hours=difference,
        studied_on=entry.studied_on,
        source=entry.source,
        note=note,
        corrects=entry,
        recorded_by=by,
    )
