"""The learner API: catalogue, course outline, sessions and heartbeats, summary."""

from rest_framework.test import APIClient

from courses.models import CoursePage, LessonProgress


def test_a_client_studies_through_the_api(tree, course, api_for, clock):
    api = api_for(tree.member_a.user)
    catalogue = api.get("/api/v1/courses/").json()
    assert [c["title"] for c in catalogue["results"]] == ["学习贯彻党章"]
    outline = api.get(f"/api/v1/courses/{course.course.pk}/").json()
    assert [ls["title"] for ls in outline["chapters"][0]["lessons"]] == [
        "第一讲 党的性质",
        "第二讲 阅读材料",
    ]
    start = api.post(f"/api/v1/lessons/{course.video.pk}/sessions/")
    assert start.status_code == 201
    session = start.json()
    assert session["seek_limit"] == 0 and session["max_rate"] == 1.5
    token, position = session["token"], 0
    for seq in range(1, 5):
        clock.advance(15)
        position += 15
        beat = api.post(
            f"/api/v1/sessions/{session['session_id']}/heartbeats/",
            {"seq": seq, "token": token, "position": position, "present": True},
            format="json",
        ).json()
        assert beat["status"] == "ok", beat
        token = beat["token"]
    assert beat["session_seconds"] == 60
    progress = LessonProgress.objects.get(user=tree.member_a.user, lesson=course.video)
    assert progress.credited_seconds == 60
    summary = api.get("/api/v1/me/study/").json()
    assert summary["target"] == "32.0" and float(summary["hours"]) > 0


def test_another_companys_course_is_not_found(tree, course, api_for):
    CoursePage.objects.filter(pk=course.course.pk).update(audience_unit=tree.company_b)
    api = api_for(tree.member_a.user)
    assert api.get("/api/v1/courses/").json()["results"] == []
    assert api.get(f"/api/v1/courses/{course.course.pk}/").status_code == 404
    start = api.post(f"/api/v1/lessons/{course.video.pk}/sessions/")
    assert start.status_code == 404
    assert (
        api_for(tree.member_b.user)
        .post(f"/api/v1/lessons/{course.video.pk}/sessions/")
        .status_code
        == 201
    )


def test_a_heartbeat_needs_the_token_chain_not_a_login(tree, course, api_for):
    session = (
        api_for(tree.member_a.user)
        .post(f"/api/v1/lessons/{course.video.pk}/sessions/")
        .json()
    )
    url = f"/api/v1/sessions/{session['session_id']}/heartbeats/"
    anonymous = APIClient()
    forged = anonymous.post(url, {"seq": 1, "token": "0" * 32}, format="json")
    assert forged.json()["status"] == "forged"
    # someone else's login does not help either: only the chain counts
    other = api_for(tree.member_b.user).post(
        url, {"seq": 1, "token": "f" * 32}, format="json"
    )
    assert other.json()["status"] == "forged"
    beat = anonymous.post(url, {"seq": 1, "token": session["token"]}, format="json")
    assert beat.status_code == 200
    assert beat.json()["status"] == "ok"
    unknown = anonymous.post(
        "/api/v1/sessions/00000000-0000-0000-0000-000000000000/heartbeats/",
        {"seq": 1, "token": session["token"]},
        format="json",
    )
    assert unknown.status_code == 404


def test_a_malformed_heartbeat_is_a_400_naming_the_field(tree, course, api_for):
    session = (
        api_for(tree.member_a.user)
        .post(f"/api/v1/lessons/{course.video.pk}/sessions/")
        .json()
    )
    url = f"/api/v1/sessions/{session['session_id']}/heartbeats/"
    anonymous = APIClient()
    for body, field in [
        ({"token": session["token"]}, "seq"),
        ({"seq": "x", "token": session["token"]}, "seq"),
        ({"seq": 1}, "token"),
        ({"seq": 1, "token": session["token"], "rate": 100}, "rate"),
        ({"seq": 1, "token": session["token"], "paused": "yes"}, "paused"),
        ({"seq": 1, "token": session["token"], "event": "cheat"}, "event"),
    ]:
        response = anonymous.post(url, body, format="json")
        assert response.status_code == 400, body
        assert field in response.json(), body
    # nothing was used up: the first real heartbeat still fits the chain
    ok = anonymous.post(url, {"seq": 1, "token": session["token"]}, format="json")
    assert ok.json()["status"] == "ok"


def test_the_schema_describes_the_heartbeat_the_server_parses():
    from dataclasses import fields

    from courses.api.serializers import HeartbeatResultSerializer, HeartbeatSerializer
    from courses.services.tracking import Beat, BeatResult

    assert set(HeartbeatSerializer().fields) == {f.name for f in fields(Beat)}
    assert set(HeartbeatResultSerializer().fields) == {
        f.name for f in fields(BeatResult)
    }
    assert set(HeartbeatSerializer().fields["event"].choices) == Beat.EVENTS
