"""Heartbeats through the WSGI application the servers run (``cms.wsgi``), which
answers them in front of Django's middleware, and the hand-written statements
behind them (``courses/services/watch_store.py``)."""

import io
import json

import pytest
from django.core import signals
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext

from courses.api.intake import HeartbeatIntake
from courses.api.serializers import HeartbeatResultSerializer
from courses.models import LessonProgress, WatchSession
from courses.services import watch_store
from courses.services.tracking import watch_session_start


def wsgi_call(path, body=b"", *, method="POST", content_type="application/json",
              host="testserver"):  # fmt: skip
    """(status code, headers, JSON or text) of one request to ``cms.wsgi``."""
    from cms.wsgi import application

    if isinstance(body, dict):
        body = json.dumps(body).encode()
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": host,
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": io.StringIO(),
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"], answer["headers"] = int(status.split()[0]), dict(headers)

    # As Django's test client does: the test's transaction must outlive the request
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        raw = b"".join(application(environ, start_response))
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
    if answer["headers"].get("Content-Type", "").startswith("application/json"):
        return answer["status"], answer["headers"], json.loads(raw)
    return answer["status"], answer["headers"], raw.decode()


def beat_url(session) -> str:
    return f"/api/v1/sessions/{session.pk}/heartbeats/"


def test_the_served_application_answers_heartbeats_in_front_of_django():
    from cms.wsgi import application

    assert isinstance(application, HeartbeatIntake)


def test_a_chain_of_heartbeats_through_the_served_application(tree, course, clock):
    user = tree.member_a.user
    session = watch_session_start(viewer=user, lesson=course.video)
    token, position = session.token, 0
    for seq in range(1, 5):
        clock.advance(15)
        position += 15
        status, headers, answer = wsgi_call(
            beat_url(session),
            {"seq": seq, "token": token, "position": position, "present": True},
        )
        assert status == 200, answer
        assert answer["status"] == "ok", answer
        token = answer["token"]
    assert headers["Cache-Control"] == "no-store"
    # the answer is what the schema documents
    assert set(answer) == set(HeartbeatResultSerializer().fields)
    assert answer["session_seconds"] == 60
    progress = LessonProgress.objects.get(user=user, lesson=course.video)
    assert progress.credited_seconds == 60
    assert progress.intervals == [[0, 60]]
    stored = WatchSession.objects.get(pk=session.pk)
    assert (stored.last_seq, stored.token) == (4, token)


def test_retries_replays_and_forgeries_through_the_served_application(
    tree, course, clock
):
    session = watch_session_start(viewer=tree.member_a.user, lesson=course.video)
    url = beat_url(session)
    clock.advance(15)
    first = {"seq": 1, "token": session.token, "position": 15, "present": True}
    _status, _headers, accepted = wsgi_call(url, first)
    assert accepted["status"] == "ok"
    # the same heartbeat again (a retry after a lost answer): the same answer
    _status, _headers, retried = wsgi_call(url, first)
    assert retried["status"] == "duplicate"
    assert retried["token"] == accepted["token"]
    clock.advance(15)
    second = {"seq": 2, "token": accepted["token"], "position": 30, "present": True}
    assert wsgi_call(url, second)[2]["status"] == "ok"
    assert wsgi_call(url, first)[2]["status"] == "replayed"
    forged = {"seq": 3, "token": "0" * 32, "position": 45}
    assert wsgi_call(url, forged)[2]["status"] == "forged"
    assert LessonProgress.objects.get(pk=session.progress_id).credited_seconds == 30


def test_bad_heartbeats_get_clear_errors_and_change_nothing(tree, course):
    session = watch_session_start(viewer=tree.member_a.user, lesson=course.video)
    url = beat_url(session)
    good = {"seq": 1, "token": session.token}

    status, _headers, answer = wsgi_call(url, {"seq": 1, "token": session.token,
                                               "rate": 100})  # fmt: skip
    assert status == 400 and "rate" in answer
    status, _headers, answer = wsgi_call(url, b"{not json")
    assert status == 400 and answer["detail"]
    status, _headers, answer = wsgi_call(url, b"seq=1", content_type="text/plain")
    assert status == 415
    status, _headers, _answer = wsgi_call(url, good, host="evil.example")
    assert status == 400
    unknown = "/api/v1/sessions/00000000-0000-0000-0000-000000000000/heartbeats/"
    assert wsgi_call(unknown, good)[0] == 404
    not_a_uuid = f"/api/v1/sessions/{'0' * 36}/heartbeats/"  # 36 digits: too many
    assert wsgi_call(not_a_uuid, good)[0] == 404
    stored = WatchSession.objects.get(pk=session.pk)
    assert (stored.last_seq, stored.token) == (0, session.token)


def test_every_other_request_goes_to_django(tree, course):
    session = watch_session_start(viewer=tree.member_a.user, lesson=course.video)
    # the heartbeat path with another method: DRF's view answers (405)
    status, _headers, _answer = wsgi_call(beat_url(session), method="GET")
    assert status == 405
    # another API path: Django's authentication answers
    status, _headers, _answer = wsgi_call("/api/v1/me/study/", method="GET")
    assert status in (401, 403)


def test_the_store_reads_what_the_orm_reads(tree, course, clock):
    session = watch_session_start(viewer=tree.member_a.user, lesson=course.video)
    clock.advance(15)
    wsgi_call(beat_url(session), {"seq": 1, "token": session.token, "position": 15,
                                  "present": True})  # fmt: skip
    orm = WatchSession.objects.select_related("progress").get(pk=session.pk)
    with CaptureQueriesContext(connection) as queries:
        loaded = watch_store.session_load(session.pk)
    assert len(queries) == 1
    for model, a, b in [(WatchSession, orm, loaded),
                        (LessonProgress, orm.progress, loaded.progress)]:  # fmt: skip
        for field in model._meta.concrete_fields:
            assert getattr(b, field.attname) == getattr(a, field.attname), field.name
    assert loaded._state.adding is False  # a saved row, as from a query
    # someone else's session is not found
    with pytest.raises(WatchSession.DoesNotExist):
        watch_store.session_load(session.pk, user_id=tree.member_b.user.pk)


def test_the_store_writes_only_when_the_sequence_number_still_matches(
    tree, course, clock
):
    session = watch_session_start(viewer=tree.member_a.user, lesson=course.video)
    loaded = watch_store.session_load(session.pk)
    loaded.last_seq, loaded.token = 1, "a" * 32
    loaded.progress.credited_seconds = 99
    with CaptureQueriesContext(connection) as queries:
        assert watch_store.beat_save(loaded, loaded.progress, after_seq=0)
    assert len(queries) == (1 if connection.vendor == "postgresql" else 2)
    # a second writer that read the same row loses, and writes nothing
    stale = watch_store.session_load(session.pk)
    stale.last_seq, stale.token = 1, "b" * 32
    stale.progress.credited_seconds = 5
    assert not watch_store.beat_save(stale, stale.progress, after_seq=0)
    stored = WatchSession.objects.select_related("progress").get(pk=session.pk)
    assert stored.token == "a" * 32 and stored.progress.credited_seconds == 99
    # a closed session takes no more heartbeats
    WatchSession.objects.filter(pk=session.pk).update(closed_at=clock())
    again = watch_store.session_load(session.pk)
    again.last_seq = 2
    assert not watch_store.beat_save(again, again.progress, after_seq=1)
