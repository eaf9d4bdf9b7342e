"""Study time is earned only by really studying: every anti-cheat rule."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection

from courses.models import LessonProgress, StudyHourEntry, WatchSession
from courses.services.tracking import (
    Beat,
    Status,
    heartbeat_record,
    watch_session_close,
    watch_session_start,
    watch_sessions_close_silent,
)


class Sitting:
    """A well-behaved client: keeps the seq/token chain and the real clock."""

    def __init__(self, user, lesson, clock):
        self.user, self.clock = user, clock
        self.session = watch_session_start(viewer=user, lesson=lesson)
        self.seq, self.token = 0, self.session.token

    def beat(self, position, *, after=15.0, **fields):
        self.clock.advance(after)
        self.seq += 1
        result = heartbeat_record(
            viewer=self.user,
            session_id=self.session.pk,
            beat=Beat(seq=self.seq, token=self.token, position=position, **fields),
        )
        if result.token:
            self.token = result.token
        return result

    def play(self, start, end, *, step=15.0, rate=1.0):
        """Play from start to end in real time (15 s heartbeats)."""
        results, position = [], start
        while position < end:
            position = min(position + step * rate, end)
            results.append(self.beat(position, after=step, rate=rate, present=True))
        return results


def credited(results) -> float:
    return round(sum(r.credited for r in results), 2)


def progress(user, lesson) -> LessonProgress:
    return LessonProgress.objects.get(user=user, lesson=lesson)


def test_watching_in_real_time_earns_the_watched_time(tree, course, clock):
    user = tree.member_a.user
    sitting = Sitting(user, course.video, clock)
    results = sitting.play(0, 60)
    assert credited(results) == 60
    assert progress(user, course.video).coverage == pytest.approx(0.5)
    assert results[-1].session_seconds == 60


def test_a_lesson_is_complete_at_ninety_percent(tree, course, clock):
    user = tree.member_a.user
    results = Sitting(user, course.video, clock).play(0, 110)
    assert not results[-2].completed  # 105 of 120 s: 87.5 %
    assert results[-1].completed  # 110 of 120 s: 91.7 %
    assert progress(user, course.video).completed_at is not None


def test_watching_the_same_part_again_earns_nothing(tree, course, clock):
    user = tree.member_a.user
    sitting = Sitting(user, course.video, clock)
    sitting.play(0, 30)
    sitting.beat(0, after=1, event="seeked")  # back to the start
    again = sitting.play(0, 30)
    assert credited(again) == 0
    assert progress(user, course.video).credited_seconds == 30


def test_seeking_forward_past_the_unwatched_part_is_blocked(tree, course, clock):
    user = tree.member_a.user
    sitting = Sitting(user, course.video, clock)
    sitting.play(0, 30)
    jump = sitting.beat(110, after=1, event="seeked")
    assert jump.status == Status.SEEK_BLOCKED and jump.seek_to == 30
    assert jump.credited == 0
    after = sitting.play(30, 45)  # the player went back and plays on
    assert credited(after) == 15
    assert progress(user, course.video).intervals == [[0, 45]]


def test_after_completion_members_may_seek_freely(tree, course, clock):
    user = tree.member_a.user
    sitting = Sitting(user, course.video, clock)
    sitting.play(0, 110)
    jump = sitting.beat(5, after=1, event="seeked")
    assert jump.status == Status.OK and jump.seek_to is None


def test_seek_blocking_can_be_switched_off(tree, course, clock, settings):
    settings.ZHIXUE_STUDY = {"block_seek_until_complete": False}
    sitting = Sitting(tree.member_a.user, course.video, clock)
    jump = sitting.beat(100, after=1, event="seeked")
    assert jump.status == Status.OK and jump.credited == 0  # a seek earns nothing
    assert credited(sitting.play(100, 115)) == 15


def test_ten_times_speed_earns_nothing(tree, course, clock):
    sitting = Sitting(tree.member_a.user, course.video, clock)
    honest_rate = sitting.beat(150, after=15, rate=10, present=True)
    assert honest_rate.credited == 0  # too far for the time: a blocked seek
    lying = sitting.beat(15, after=15, rate=10, present=True)  # reports 10×
    assert lying.credited == 0 and "rate" in lying.reasons


def test_one_and_a_half_speed_earns_at_most_elapsed_times_the_rate(tree, course, clock):
    sitting = Sitting(tree.member_a.user, course.video, clock)
    results = sitting.play(0, 45, rate=1.5)  # 30 s of real time
    assert credited(results) == 45
    assert clock.now - sitting.session.started_at == timedelta(seconds=30)


def test_a_position_faster_than_real_time_is_a_seek_not_study(tree, course, clock):
    sitting = Sitting(tree.member_a.user, course.video, clock)
    result = sitting.beat(40, after=15, rate=1.0, present=True)  # 40 s in 15 s
    assert result.status == Status.SEEK_BLOCKED and result.credited == 0


def test_paused_and_hidden_playback_earn_nothing(tree, course, clock):
    sitting = Sitting(tree.member_a.user, course.video, clock)
    assert sitting.beat(0, paused=True).credited == 0
    hidden = sitting.beat(15, hidden=True, present=True)
    assert hidden.credited == 0 and "hidden" in hidden.reasons
    assert sitting.beat(30, present=True).credited == 15  # visible again


def test_nobody_there_for_ten_minutes_earns_nothing(tree, course, clock):
    course.video.media.duration = 3600
    course.video.media.save(update_fields=["duration"])
    sitting = Sitting(tree.member_a.user, course.video, clock)
    sitting.beat(0, after=1, present=True)
    position = 0
    statuses = []
    for _ in range(44):  # 11 minutes of 15 s heartbeats, nobody touching anything
        position += 15
        statuses.append(sitting.beat(position))
    assert statuses[0].credited == 15
    assert statuses[-1].status == Status.IDLE and statuses[-1].credited == 0
    answered = sitting.beat(position + 15, present=True)  # "still here"
    assert answered.status == Status.OK and answered.credited == 15


def test_a_second_lesson_at_the_same_time_earns_nothing(tree, course, clock):
    user = tree.member_a.user
    first = Sitting(user, course.video, clock)
    first.play(0, 30)
    second = Sitting(user, course.article, clock)  # another tab
    assert first.beat(45, after=0, present=True).status == Status.CLOSED
    assert second.beat(0, present=True).credited == 15
    assert WatchSession.objects.filter(user=user, closed_at__isnull=True).count() == 1


def test_a_replayed_heartbeat_earns_nothing(tree, course, clock):
    sitting = Sitting(tree.member_a.user, course.video, clock)
    first_token = sitting.token
    sitting.beat(15, present=True)
    clock.advance(15)
    replay = heartbeat_record(
        viewer=sitting.user,
        session_id=sitting.session.pk,
        beat=Beat(seq=1, token=first_token, position=15),
    )
    assert replay.status == Status.DUPLICATE and replay.credited == 0
    older = heartbeat_record(
        viewer=sitting.user,
        session_id=sitting.session.pk,
        beat=Beat(seq=0, token=first_token, position=30),
    )
    assert older.status == Status.REPLAYED
    assert progress(sitting.user, course.video).credited_seconds == 15


def test_a_forged_heartbeat_earns_nothing(tree, course, clock):
    sitting = Sitting(tree.member_a.user, course.video, clock)
    clock.advance(15)
    forged = heartbeat_record(
        viewer=sitting.user,
        session_id=sitting.session.pk,
        beat=Beat(seq=1, token="0" * 32, position=15, present=True),
    )
    assert forged.status == Status.FORGED and forged.token == ""
    skipped = heartbeat_record(
        viewer=sitting.user,
        session_id=sitting.session.pk,
        beat=Beat(seq=5, token=sitting.token, position=15, present=True),
    )
    assert skipped.status == Status.FORGED
    assert sitting.beat(15, after=0, present=True).credited == 15  # chain intact


def test_someone_elses_session_is_not_found(tree, course, clock):
    sitting = Sitting(tree.member_a.user, course.video, clock)
    with pytest.raises(WatchSession.DoesNotExist):
        heartbeat_record(
            viewer=tree.member_b.user,
            session_id=sitting.session.pk,
            beat=Beat(seq=1, token=sitting.token, position=15),
        )


def test_a_retried_heartbeat_after_a_network_drop_loses_nothing(tree, course, clock):
    sitting = Sitting(tree.member_a.user, course.video, clock)
    sent = sitting.beat(15, present=True)
    retry = heartbeat_record(  # the answer was lost; the client sends it again
        viewer=sitting.user,
        session_id=sitting.session.pk,
        beat=Beat(seq=sitting.seq, token=_previous(sitting), position=15),
    )
    assert retry.status == Status.DUPLICATE and retry.token == sent.token
    assert sitting.beat(30, present=True).credited == 15


def _previous(sitting) -> str:
    return WatchSession.objects.get(pk=sitting.session.pk).previous_token


def test_one_heartbeat_never_credits_more_than_the_gap_allows(tree, course, clock):
    """After ten silent minutes (a network drop) one heartbeat vouches for at
    most 45 s × 1.5 of playing; a bigger jump is a seek."""
    sitting = Sitting(tree.member_a.user, course.video, clock)
    result = sitting.beat(100, after=600, present=True)
    assert result.status == Status.SEEK_BLOCKED and result.credited == 0
    result = sitting.beat(60, after=600, present=True)
    assert result.credited == 60


def test_articles_credit_visible_reading_time_up_to_their_cap(tree, course, clock):
    sitting = Sitting(tree.member_a.user, course.article, clock)  # 2 minutes
    results = [sitting.beat(0, present=True) for _ in range(12)]  # 3 minutes
    assert credited(results) == 120
    assert sitting.beat(0, hidden=True, present=True).credited == 0
    assert progress(sitting.user, course.article).completed_at is not None


def test_closing_a_session_books_its_time_once(tree, course, clock):
    user = tree.member_a.user
    sitting = Sitting(user, course.video, clock)
    sitting.play(0, 90)
    watch_session_close(viewer=user, session_id=sitting.session.pk)
    watch_session_close(viewer=user, session_id=sitting.session.pk)
    [entry] = StudyHourEntry.objects.filter(user=user)
    assert entry.hours == Decimal("0.025")  # 90 s
    assert entry.kind == "online" and "学习贯彻党章" in entry.source


def test_a_page_that_went_away_is_booked_by_the_sweeper(tree, course, clock):
    user = tree.member_a.user
    Sitting(user, course.video, clock).play(0, 60)
    assert watch_sessions_close_silent() == 0
    clock.advance(301)
    assert watch_sessions_close_silent() == 1
    assert StudyHourEntry.objects.get(user=user).hours == Decimal("0.017")


@pytest.mark.django_db(transaction=True)
def test_concurrent_heartbeats_are_counted_once(tree, course):
    """Two requests carrying the same beat at once (a double-sent request):
    the row lock lets one in, the other is a duplicate."""
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the PostgreSQL pass runs this")
    user = tree.member_a.user
    session = watch_session_start(viewer=user, lesson=course.video)
    WatchSession.objects.filter(pk=session.pk).update(
        started_at=session.started_at - timedelta(seconds=15)
    )
    results, errors = [], []

    def send():
        try:
            results.append(
                heartbeat_record(
                    viewer=user,
                    session_id=session.pk,
                    beat=Beat(seq=1, token=session.token, position=15, present=True),
                )
            )
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert sorted(r.status for r in results).count(Status.OK) == 1
    assert sum(r.credited for r in results) == pytest.approx(15, abs=0.5)
