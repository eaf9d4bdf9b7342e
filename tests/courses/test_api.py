"""The learner API: catalogue, course outline, sessions and heartbeats, summary."""

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


def test_heartbeats_of_someone_elses_session_are_not_found(tree, course, api_for):
    session = (
        api_for(tree.member_a.user)
        .post(f"/api/v1/lessons/{course.video.pk}/sessions/")
        .json()
    )
    response = api_for(tree.member_b.user).post(
        f"/api/v1/sessions/{session['session_id']}/heartbeats/",
        {"seq": 1, "token": session["token"], "position": 1},
        format="json",
    )
    assert response.status_code == 404
