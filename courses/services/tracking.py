"""Study-time tracking: watch sessions and their heartbeats.

Only newly watched parts of a lesson's timeline earn time, never more than the real
time elapsed × the allowed rate, nothing while paused, hidden or idle, nothing for
a second lesson at once (a member has one open session: starting one closes the
others), nothing for a replayed or forged heartbeat (each must carry the next
sequence number and the one-time token the previous answer gave). The rules are in
``rules.py``; docs/courses.md explains each.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from org.models import User

from ..models import LessonKind, LessonPage, LessonProgress, WatchSession
from . import intervals as timeline
from . import watch_store
from .ledger import ledger_post_session
from .points import points_for_lesson_completed
from .rules import StudyRules, study_rules


class Status:
    OK = "ok"
    DUPLICATE = "duplicate"  # a retry of the heartbeat just accepted
    REPLAYED = "replayed"
    FORGED = "forged"
    CLOSED = "closed"  # another lesson (or tab) took over, or the session ended
    IDLE = "idle"  # ask "are you still there?"
    SEEK_BLOCKED = "seek_blocked"


@dataclass
class Beat:
    """One heartbeat as the client reports it."""

    seq: int
    token: str
    position: float = 0.0
    rate: float = 1.0
    paused: bool = False
    hidden: bool = False
    present: bool = False  # the member interacted since the previous heartbeat
    event: str = "tick"  # tick, play, pause, seeked, ended, hidden, close

    EVENTS = frozenset(
        ("tick", "play", "pause", "seeked", "ended", "hidden", "visible", "close",
         "ratechange", "heartbeat")
    )  # fmt: skip

    @classmethod
    def from_payload(cls, data) -> Beat:
        """A heartbeat from its JSON form, or ValidationError naming the field.

        The hot path of the platform: checked by hand rather than by a DRF
        serializer, which costs more than the rest of the request
        (``HeartbeatSerializer`` describes the same fields for the schema, and a
        test keeps the two in step)."""
        if not isinstance(data, dict):
            raise ValidationError({"non_field_errors": ["Expected an object."]})
        errors: dict[str, list[str]] = {}

        def number(name, default, low, high, kind=float):
            value = data.get(name, default)
            if value is None or isinstance(value, bool):
                errors[name] = ["A number is required."]
                return default
            try:
                value = kind(value)
            except (TypeError, ValueError):
                errors[name] = ["A number is required."]
                return default
            if not (low <= value <= high) or value != value:  # NaN too
                errors[name] = [f"Must be between {low} and {high}."]
            return value

        def flag(name):
            value = data.get(name, False)
            if not isinstance(value, bool):
                errors[name] = ["Must be true or false."]
                return False
            return value

        seq = number("seq", None, 1, 2**31 - 1, int) if "seq" in data else None
        if seq is None and "seq" not in errors:
            errors["seq"] = ["This field is required."]
        token = data.get("token")
        if not isinstance(token, str) or not 0 < len(token) <= 32:
            errors["token"] = ["A token of at most 32 characters is required."]
        event = data.get("event", "tick")
        if event not in cls.EVENTS:
            errors["event"] = [f'"{event}" is not a valid choice.']
        beat = cls(
            seq=seq or 0,
            token=token if isinstance(token, str) else "",
            position=number("position", 0.0, 0.0, 1e7),
            rate=number("rate", 1.0, 0.0, 16.0),
            paused=flag("paused"),
            hidden=flag("hidden"),
            present=flag("present"),
            event=event if isinstance(event, str) else "tick",
        )
        if errors:
            raise ValidationError(errors)
        return beat


@dataclass
class BeatResult:
    status: str
    token: str
    credited: float = 0.0  # seconds this heartbeat earned
    session_seconds: float = 0.0
    coverage: float = 0.0
    completed: bool = False
    #: where the player must go back to (a blocked seek), else None
    seek_to: float | None = None
    reasons: list[str] = field(default_factory=list)


def _duration(lesson: LessonPage) -> float:
    if lesson.kind == LessonKind.MEDIA and lesson.media_id:
        return float(lesson.media.duration or 0)
    return float(lesson.reading_minutes * 60)


@transaction.atomic
def watch_session_start(*, viewer: User, lesson: LessonPage) -> WatchSession:
    """A new sitting (the caller checked that the viewer may see the lesson).
    The viewer's other open sessions close: one lesson earns time at a time."""
    for other in WatchSession.objects.select_for_update().filter(
        user=viewer, closed_at__isnull=True
    ):
        _close(other)
    progress, _created = LessonProgress.objects.get_or_create(
        user=viewer, lesson=lesson
    )
    return WatchSession.objects.create(
        user=viewer,
        lesson=lesson,
        progress=progress,
        kind=lesson.kind,
        duration=_duration(lesson),
        token=secrets.token_hex(16),
    )


def _close(session: WatchSession) -> None:
    session.closed_at = timezone.now()
    session.save(update_fields=["closed_at"])
    ledger_post_session(session=session)


@transaction.atomic
def watch_session_close(*, viewer: User, session_id) -> WatchSession:
    session = WatchSession.objects.select_for_update().get(pk=session_id, user=viewer)
    if session.closed_at is None:
        _close(session)
    return session


def watch_sessions_close_silent() -> int:
    """Close sessions whose page went away without saying so (the sweeper)."""
    rules = study_rules()
    cutoff = timezone.now() - timedelta(seconds=rules.session_timeout_seconds)
    closed = 0
    silent = WatchSession.objects.filter(closed_at__isnull=True).filter(
        Q(last_beat_at__lt=cutoff) | Q(last_beat_at__isnull=True, started_at__lt=cutoff)
    )
    for session_id in silent.values_list("pk", flat=True):
        with transaction.atomic():
            session = WatchSession.objects.select_for_update().get(pk=session_id)
            if session.closed_at is None:
                _close(session)
                closed += 1
    return closed


def heartbeat_record(
    *, session_id, beat: Beat, viewer: User | None = None
) -> BeatResult:
    """Record one heartbeat and credit what it proves was studied.

    The session id and its one-time token chain are the credential: only the page
    that started the session holds them, so a heartbeat needs no login (and costs
    no session or token lookup). A caller that did authenticate passes ``viewer``
    and gets DoesNotExist for someone else's session.

    Two statements and no transaction (``watch_store``): one query reads the
    session with its progress row, then one statement updates the session guarded
    by the sequence number it read (compare-and-set: of two copies of one heartbeat
    sent at once, one wins and the other is answered as a duplicate) and, only
    for the winner of that sequence number, the progress row (a member's progress
    in a lesson is written only through their one open session on it, one
    heartbeat at a time, because each needs the token the previous answer gave).
    On SQLite these are two UPDATEs: a crash between them can only lose that one
    heartbeat's seconds."""
    user_id = viewer.pk if viewer is not None else None
    session = watch_store.session_load(session_id, user_id=user_id)
    refused = _refused(session, beat)
    if refused is not None:
        return refused

    rules = study_rules()
    now = timezone.now()
    progress = session.progress or _attach_progress(session)
    since = session.last_beat_at or session.started_at
    elapsed = min(max((now - since).total_seconds(), 0.0), rules.max_gap_seconds)
    if beat.present or session.last_presence_at is None:
        session.last_presence_at = now if beat.present else session.started_at
    idle = (now - session.last_presence_at).total_seconds() > rules.idle_seconds

    status, credited, seek_to = Status.OK, 0.0, None
    reasons: list[str] = []
    media = session.kind == LessonKind.MEDIA
    if media:
        status, credited, seek_to, reasons = _media_beat(
            session, progress, beat, elapsed, idle, rules
        )
    else:
        credited, reasons = _reading_beat(session, progress, beat, elapsed, idle)
    if idle and status == Status.OK:
        status = Status.IDLE

    duration = session.duration
    progress.credited_seconds += credited
    if media:
        progress.watched_seconds = timeline.measure(progress.intervals)
        progress.coverage = (
            min(progress.watched_seconds / duration, 1.0) if duration else 0
        )
    else:
        progress.coverage = (
            min(progress.credited_seconds / duration, 1.0) if duration else 0
        )
    completed_now = (
        progress.completed_at is None and progress.coverage >= rules.complete_coverage
    )
    if completed_now:
        progress.completed_at = now

    session.credited_seconds += credited
    session.last_seq = beat.seq
    session.last_beat_at = now
    session.previous_token, session.token = session.token, secrets.token_hex(16)
    if not watch_store.beat_save(session, progress, after_seq=beat.seq - 1):
        # the same heartbeat got in first, or the session just closed
        again = watch_store.session_load(session.pk)
        return _refused(again, beat) or BeatResult(Status.CLOSED, token="")
    if completed_now:
        transaction.on_commit(
            partial(
                _lesson_completed, user_id=session.user_id, lesson_id=session.lesson_id
            )
        )
    if beat.event == "close":
        session = _close_by_id(session.pk)
    result = _answer(session, status, credited=credited)
    result.seek_to, result.reasons = seek_to, reasons
    return result


def _refused(session: WatchSession, beat: Beat) -> BeatResult | None:
    """The answer to a heartbeat that doesn't continue the chain, else None."""
    if session.closed_at is not None:
        return BeatResult(Status.CLOSED, token="")
    if beat.seq == session.last_seq and secrets.compare_digest(
        beat.token, session.previous_token or "-"
    ):
        return _answer(session, Status.DUPLICATE)
    if beat.seq <= session.last_seq:
        return BeatResult(Status.REPLAYED, token="")
    if beat.seq != session.last_seq + 1 or not secrets.compare_digest(
        beat.token, session.token
    ):
        return BeatResult(Status.FORGED, token="")
    return None


@transaction.atomic
def _close_by_id(session_id) -> WatchSession:
    session = (
        WatchSession.objects.select_for_update(of=("self",))
        .select_related("progress")
        .get(pk=session_id)
    )
    if session.closed_at is None:
        _close(session)
    return session


def _attach_progress(session: WatchSession) -> LessonProgress:
    """Sessions started before sessions carried their lesson's facts."""
    lesson = session.lesson
    session.progress, _created = LessonProgress.objects.get_or_create(
        user_id=session.user_id, lesson=lesson
    )
    session.kind, session.duration = lesson.kind, _duration(lesson)
    session.save(update_fields=["progress", "kind", "duration"])
    return session.progress


def _lesson_completed(*, user_id: int, lesson_id: int) -> None:
    """After the commit that completed the lesson: its 积分."""
    points_for_lesson_completed(user=User.objects.get(pk=user_id), lesson_id=lesson_id)


def _answer(session, status, *, credited=0.0) -> BeatResult:
    progress = session.progress
    return BeatResult(
        status=status,
        token=session.token if session.closed_at is None else "",
        credited=round(credited, 2),
        session_seconds=round(session.credited_seconds, 2),
        coverage=round(progress.coverage, 4) if progress else 0.0,
        completed=bool(progress and progress.completed_at),
    )


def _media_beat(session, progress, beat: Beat, elapsed, idle, rules: StudyRules):
    """(status, credited seconds, seek_to, reasons) for a video/audio heartbeat."""
    duration = session.duration
    start = session.last_position
    position = min(max(beat.position, 0.0), duration or beat.position)
    advance = position - start
    reachable = elapsed * rules.max_rate + rules.tolerance_seconds
    watched_to = timeline.frontier(progress.intervals)

    if advance > reachable:  # further than playing could have got: a seek
        may_skip = (
            progress.completed_at is not None or not rules.block_seek_until_complete
        )
        if not may_skip and position > watched_to + rules.tolerance_seconds:
            session.last_position = max(start, watched_to)
            return Status.SEEK_BLOCKED, 0.0, session.last_position, ["seek"]
        session.last_position = position
        return Status.OK, 0.0, None, ["seek"]

    session.last_position = position
    reasons = []
    if beat.paused:
        reasons.append("paused")
    if beat.hidden:
        reasons.append("hidden")
    if idle:
        reasons.append("idle")
    if beat.rate > rules.max_rate + 1e-6:
        reasons.append("rate")
    if advance <= 0:
        reasons.append("no_progress")
    if reasons:
        return Status.OK, 0.0, None, reasons
    before = timeline.measure(progress.intervals)
    progress.intervals = timeline.merged(progress.intervals, start, position)
    credited = timeline.measure(progress.intervals) - before
    return Status.OK, credited, None, [] if credited else ["watched_before"]


def _reading_beat(session, progress, beat: Beat, elapsed, idle):
    """Articles and documents: active, visible reading time, up to the cap."""
    reasons = [r for r, on in (("hidden", beat.hidden), ("idle", idle)) if on]
    if reasons:
        return 0.0, reasons
    cap = session.duration
    credited = max(min(elapsed, cap - progress.credited_seconds), 0.0)
    return credited, [] if credited else ["cap"]
