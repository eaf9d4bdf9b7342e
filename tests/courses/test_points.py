"""积分: once per event, caps, weekdays, effective time, versioned rules, the
daily-login middleware, the member page, the API and the admin screen."""

import datetime
import threading
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from courses.middleware import SESSION_KEY
from courses.models import (
    LessonProgress,
    PointsAction,
    PointsDay,
    PointsEntry,
    PointsRule,
    WatchSession,
)
from courses.services.points import (
    points_award,
    points_for_lesson_completed,
    points_for_login,
    points_for_study_session,
    points_rule_change,
)
from tests.factories import points_rules_ensure

A = PointsAction
MIDDLEWARE = "courses.middleware.DailyLoginPointsMiddleware"
SHANGHAI = ZoneInfo("Asia/Shanghai")
ENTRY = 'class="points-history__points'  # one per history row
ROUTES = ("/api/v1/me/points/", "/api/v1/me/points/history/", "/api/v1/points/rules/")


def local(year, month, day, hour=10):
    return datetime.datetime(year, month, day, hour, tzinfo=SHANGHAI)


MONDAY = local(2026, 5, 4)  # an ISO week: Monday 4 May … Sunday 10 May 2026


def days(n):
    return datetime.timedelta(days=n)


def award(user, action, key, **kwargs):
    kwargs.setdefault("at", MONDAY)
    return points_award(user=user, action=action, event_key=key, **kwargs)


def total(user, action=None):
    entries = PointsEntry.objects.filter(user=user)
    if action:
        entries = entries.filter(action=action)
    return sum(entries.values_list("points", flat=True))


# --- awards ---------------------------------------------------------------------------


def test_an_event_earns_once_and_a_retry_returns_the_same_entry(tree):
    user = tree.member_a.user
    first = award(user, A.LESSON_COMPLETED, "lesson:1", source="第一讲")
    assert first.points == 2 and first.rule.version == 1
    assert first.awarded_on == MONDAY.date() and first.source == "第一讲"
    again = award(user, A.LESSON_COMPLETED, "lesson:1", at=MONDAY + days(1))
    assert again.pk == first.pk
    assert PointsEntry.objects.filter(user=user).count() == 1
    assert PointsDay.objects.get(user=user, day=MONDAY.date()).points == 2
    # the same key for another member or action is another event
    assert award(tree.member_b.user, A.LESSON_COMPLETED, "lesson:1").points == 2
    assert award(user, A.DAILY_QUIZ, "lesson:1").points == 5


def test_the_daily_cap_leaves_the_remainder_then_zero_which_is_recorded(tree):
    user = tree.member_a.user
    points_rule_change(
        action=A.LESSON_COMPLETED,
        by=tree.platform_admin,
        points=3,
        valid_from=MONDAY - days(1),
    )
    got = [award(user, A.LESSON_COMPLETED, f"lesson:{i}").points for i in range(5)]
    assert got == [3, 3, 3, 1, 0]  # cap 10: the fourth gets what is left
    assert PointsEntry.objects.filter(user=user).count() == 5  # the 0 is kept
    assert PointsDay.objects.get(user=user, action=A.LESSON_COMPLETED).points == 10
    assert award(user, A.LESSON_COMPLETED, "lesson:4").points == 0  # used up
    # a new day, a new cap
    assert award(user, A.LESSON_COMPLETED, "lesson:9", at=MONDAY + days(1)).points == 3
    assert total(user) == 13


def test_the_weekly_cap_counts_monday_to_sunday(tree):
    user = tree.member_a.user
    got = [
        award(user, A.EXAM_PASSED, f"exam:{i}", at=MONDAY + days(i % 7)).points
        for i in range(6)
    ]
    assert got == [10, 10, 10, 10, 10, 0]  # weekly cap 50
    points_rule_change(
        action=A.EXAM_PASSED,
        by=tree.platform_admin,
        weekly_cap=55,
        valid_from=MONDAY - days(1),
    )
    assert award(user, A.EXAM_PASSED, "exam:7", at=MONDAY + days(6)).points == 5
    next_monday = award(user, A.EXAM_PASSED, "exam:8", at=MONDAY + days(7))
    assert next_monday.points == 10
    assert total(user, A.EXAM_PASSED) == 65


def test_both_caps_apply_and_the_tighter_one_wins(tree):
    user = tree.member_a.user
    points_rule_change(
        action=A.DAILY_QUIZ,
        by=tree.platform_admin,
        points=5,
        daily_cap=10,
        weekly_cap=12,
        valid_from=MONDAY - days(1),
    )
    got = [award(user, A.DAILY_QUIZ, f"q:{i}").points for i in range(2)]
    assert got == [5, 5]
    assert award(user, A.DAILY_QUIZ, "q:3").points == 0  # daily cap
    assert award(user, A.DAILY_QUIZ, "q:4", at=MONDAY + days(1)).points == 2  # weekly


def test_no_points_on_a_weekday_the_rule_leaves_out(tree):
    user = tree.member_a.user
    points_rule_change(
        action=A.DAILY_QUIZ,
        by=tree.platform_admin,
        weekdays="12345",
        valid_from=MONDAY - days(1),
    )
    assert award(user, A.DAILY_QUIZ, "quiz:sat", at=MONDAY + days(5)) is None
    assert award(user, A.DAILY_QUIZ, "quiz:sun", at=MONDAY + days(6)) is None
    assert award(user, A.DAILY_QUIZ, "quiz:fri", at=MONDAY + days(4)).points == 5
    assert PointsEntry.objects.filter(user=user).count() == 1


def test_an_inactive_rule_earns_nothing(tree):
    user = tree.member_a.user
    points_rule_change(
        action=A.DAILY_LOGIN,
        by=tree.platform_admin,
        is_active=False,
        valid_from=MONDAY - days(1),
    )
    assert award(user, A.DAILY_LOGIN, "login:2026-05-04") is None
    assert not PointsEntry.objects.exists() and not PointsDay.objects.exists()


def test_study_time_earns_per_full_unit_up_to_the_cap(tree):
    user = tree.member_a.user  # 1 point per 600 s, at most 6 a day
    assert award(user, A.STUDY_MINUTES, "s:1", effective_seconds=599) is None
    assert award(user, A.STUDY_MINUTES, "s:2", effective_seconds=600).points == 1
    assert award(user, A.STUDY_MINUTES, "s:3", effective_seconds=1799.9).points == 2
    assert award(user, A.STUDY_MINUTES, "s:4", effective_seconds=3600).points == 3
    assert award(user, A.STUDY_MINUTES, "s:5", effective_seconds=600).points == 0
    assert total(user) == 6
    assert not PointsEntry.objects.filter(event_key="s:1").exists()


def test_min_effective_time_is_a_threshold_for_other_actions(tree):
    user = tree.member_a.user
    points_rule_change(
        action=A.LESSON_COMPLETED,
        by=tree.platform_admin,
        min_effective_seconds=60,
        valid_from=MONDAY - days(1),
    )
    assert award(user, A.LESSON_COMPLETED, "l:1", effective_seconds=59) is None
    assert award(user, A.LESSON_COMPLETED, "l:2") is None  # time not measured
    assert award(user, A.LESSON_COMPLETED, "l:3", effective_seconds=600).points == 2


def test_the_courses_hooks_name_their_events(tree, course):
    user = tree.member_a.user
    LessonProgress.objects.create(
        user=user, lesson=course.video, credited_seconds=110, completed_at=MONDAY
    )
    lesson = points_for_lesson_completed(user=user, lesson_id=course.video.pk)
    assert lesson.event_key == f"lesson:{course.video.pk}" and lesson.points == 2
    assert lesson.source == "第一讲 党的性质"
    assert points_for_lesson_completed(user=user, lesson_id=course.video.pk) == lesson
    session = WatchSession.objects.create(
        user=user, lesson=course.video, token="t", credited_seconds=1250
    )
    study = points_for_study_session(session=session)
    assert study.event_key == f"session:{session.pk}" and study.points == 2
    assert study.action == A.STUDY_MINUTES
    assert study.awarded_on == timezone.localdate(session.started_at)
    login = points_for_login(user=user, day=MONDAY.date())
    assert login.event_key == "login:2026-05-04" and login.awarded_on == MONDAY.date()
    assert points_for_login(user=user, day=MONDAY.date()) == login


# --- versioned rules ------------------------------------------------------------------


def test_a_rule_change_adds_a_version_and_past_entries_keep_theirs(tree):
    user = tree.member_a.user
    before = award(user, A.LESSON_COMPLETED, "lesson:1")
    v1 = PointsRule.objects.get(action=A.LESSON_COMPLETED, version=1)
    v2 = points_rule_change(
        action=A.LESSON_COMPLETED,
        by=tree.platform_admin,
        points=4,
        note="加大课程学习激励",
        valid_from=MONDAY + days(1),
    )
    assert (v2.version, v2.points, v2.daily_cap, v2.created_by) == (
        2,
        4,
        10,  # copied from v1
        tree.platform_admin,
    )
    v1.refresh_from_db()
    assert (v1.points, v1.daily_cap, v1.note) == (2, 10, "")  # never edited
    same_day = award(user, A.LESSON_COMPLETED, "lesson:2")  # before valid_from
    after = award(user, A.LESSON_COMPLETED, "lesson:3", at=MONDAY + days(1))
    assert (same_day.rule, same_day.points) == (v1, 2)
    assert (after.rule, after.points) == (v2, 4)
    before.refresh_from_db()
    assert (before.rule_id, before.points) == (v1.pk, 2)
    v3 = points_rule_change(action=A.LESSON_COMPLETED, by=tree.platform_admin)
    assert v3.version == 3 and v3.points == 4
    assert PointsRule.objects.filter(action=A.LESSON_COMPLETED).count() == 3


def test_only_platform_admins_change_rules(tree):
    for user in (tree.admin_a, tree.member_a.user, tree.editor):
        with pytest.raises(PermissionDenied):
            points_rule_change(action=A.DAILY_QUIZ, by=user, points=50)
    assert PointsRule.objects.filter(action=A.DAILY_QUIZ).count() == 1


def test_a_rule_must_make_sense(tree):
    admin = tree.platform_admin
    with pytest.raises(ValidationError) as error:
        points_rule_change(action=A.DAILY_QUIZ, by=admin, weekdays="")
    assert "weekdays" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        points_rule_change(action=A.DAILY_QUIZ, by=admin, weekdays="1289")
    assert "weekdays" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        points_rule_change(action=A.STUDY_MINUTES, by=admin, min_effective_seconds=0)
    assert "min_effective_seconds" in error.value.message_dict
    assert points_rule_change(
        action=A.DAILY_QUIZ, by=admin, weekdays="5131"
    ).weekdays == ("135")


# --- concurrency (PostgreSQL) ---------------------------------------------------------


def _at_once(calls):
    """Run the calls in threads released together; (results, errors)."""
    barrier = threading.Barrier(len(calls))
    results, errors = [], []

    def run(call):
        try:
            barrier.wait()
            results.append(call())
        except Exception as error:  # reported by the caller
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_awards_are_counted_once_and_within_the_caps(tree):
    """Doubled requests for one event, and more events at once than the caps
    allow, with no running total yet (the day's row is created in the race)."""
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the PostgreSQL pass runs this")
    points_rules_ensure()  # an earlier transactional test may have flushed them
    user = tree.member_a.user

    def call(action, key, at=MONDAY):
        return lambda: points_award(user=user, action=action, event_key=key, at=at)

    results, errors = _at_once([call(A.DAILY_QUIZ, "quiz:2026-05-04")] * 6)
    assert not errors, errors
    assert len({entry.pk for entry in results}) == 1
    assert total(user, A.DAILY_QUIZ) == 5

    results, errors = _at_once(
        [call(A.LESSON_COMPLETED, f"lesson:{i}") for i in range(8)]
    )
    assert not errors, errors
    assert sorted(entry.points for entry in results) == [0, 0, 0, 2, 2, 2, 2, 2]
    assert PointsDay.objects.get(user=user, action=A.LESSON_COMPLETED).points == 10

    # exams passed on different days of one week: the weekly cap still holds
    results, errors = _at_once(
        [call(A.EXAM_PASSED, f"exam:{i}", MONDAY + days(i % 7)) for i in range(8)]
    )
    assert not errors, errors
    assert total(user, A.EXAM_PASSED) == 50
    assert sorted(entry.points for entry in results).count(10) == 5


# --- the daily-login middleware -------------------------------------------------------


@pytest.fixture
def login_middleware(settings):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, MIDDLEWARE]


def test_the_first_request_of_the_day_earns_the_login_point(
    tree, client_for, login_middleware, clock
):
    client = client_for(tree.member_a.user)
    client.get("/study/")
    [entry] = PointsEntry.objects.filter(user=tree.member_a.user)
    assert entry.action == A.DAILY_LOGIN and entry.points == 1
    assert client.session[SESSION_KEY] == timezone.localdate().isoformat()
    with CaptureQueriesContext(connection) as queries:
        client.get("/api/v1/me/points/")
        client.get("/study/points/")
    writes = [q for q in queries if q["sql"].startswith(("INSERT", "UPDATE"))]
    assert not [q for q in writes if "courses_points" in q["sql"]]
    assert PointsEntry.objects.count() == 1
    clock.advance(24 * 3600)
    client.get("/study/")
    assert PointsEntry.objects.filter(user=tree.member_a.user).count() == 2


def test_a_later_request_costs_no_points_query(tree, client_for, login_middleware):
    client = client_for(tree.member_a.user)
    client.get("/static/x.css")
    assert not PointsEntry.objects.exists()  # static files are skipped
    client.get("/api/v1/points/rules/")
    assert PointsEntry.objects.count() == 1
    with CaptureQueriesContext(connection) as queries:
        client.get("/api/v1/points/rules/")
    points = [q for q in queries if "courses_pointsentry" in q["sql"]]
    assert not points + [q for q in queries if "courses_pointsday" in q["sql"]]


def test_heartbeats_load_no_session(tree, course, client_for, login_middleware):
    client = client_for(tree.member_a.user)
    session = client.post(f"/api/v1/lessons/{course.video.pk}/sessions/").json()
    assert PointsEntry.objects.filter(action=A.DAILY_LOGIN).count() == 1
    with CaptureQueriesContext(connection) as queries:
        beat = client.post(
            f"/api/v1/sessions/{session['session_id']}/heartbeats/",
            {"seq": 1, "token": session["token"]},
            content_type="application/json",
        )
    assert beat.status_code == 200
    assert not [q for q in queries if "django_session" in q["sql"]]


def test_a_second_browser_on_the_same_day_adds_nothing(
    tree, client_for, login_middleware
):
    client_for(tree.member_a.user).get("/study/")
    client_for(tree.member_a.user).get("/study/")
    assert PointsEntry.objects.filter(user=tree.member_a.user).count() == 1


def test_anonymous_visitors_earn_nothing(db, client, login_middleware):
    client.get("/accounts/login/")
    assert not PointsEntry.objects.exists()


def _token_client(user):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    client = APIClient()
    token, _created = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def test_an_app_with_a_token_earns_the_login_point_once_a_day(tree):
    from django.core.cache import cache

    from courses.api import authentication

    user = tree.member_a.user
    app = _token_client(user)
    assert app.get("/api/v1/me/").status_code == 200
    assert app.get("/api/v1/me/").status_code == 200
    [entry] = PointsEntry.objects.filter(user=user)
    assert entry.action == A.DAILY_LOGIN and entry.awarded_on == timezone.localdate()
    cache.clear()  # the ledger still holds it once
    authentication.login_points_forget()
    app.get("/api/v1/me/")
    assert PointsEntry.objects.filter(user=user).count() == 1


def test_a_token_on_an_initial_password_earns_no_login_point(tree):
    user = tree.member_a.user
    app = _token_client(user)
    user.must_change_password = True
    user.save(update_fields=["must_change_password"])
    app.get("/api/v1/me/")
    assert not PointsEntry.objects.filter(user=user).exists()
    other = _token_client(tree.member_b.user)
    assert other.get("/api/v1/me/").status_code == 200
    assert PointsEntry.objects.filter(user=tree.member_b.user).count() == 1


# --- member page and API --------------------------------------------------------------


@pytest.fixture
def without_login_points(settings):
    """Page tests count exact points: the first visit's login point is left out
    (the middleware has its own tests)."""
    settings.MIDDLEWARE = [
        m
        for m in settings.MIDDLEWARE
        if m != "courses.middleware.DailyLoginPointsMiddleware"
    ]


def test_the_member_page_shows_today_against_the_caps_and_the_history(
    tree, client_for, without_login_points
):
    user = tree.member_a.user
    now = timezone.now()
    for i in range(6):  # cap 10: the sixth is 0
        points_award(
            user=user,
            action=A.LESSON_COMPLETED,
            event_key=f"lesson:{i}",
            source=f"第{i}讲",
            at=now,
        )
    points_award(user=tree.member_b.user, action=A.DAILY_QUIZ, event_key="q", at=now)
    page = client_for(user).get("/study/points/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "data-points-today>10<" in html and "data-points-year>10<" in html
    assert 'data-action="lesson_completed"' in html and "第5讲" in html
    assert "<strong>10</strong> / 10" in html  # 10 of the daily cap 10
    assert 'value="100"' in html  # the cap's progress bar is full
    assert html.count(ENTRY) == 6  # not member B's quiz
    assert "cap reached" in html or "上限" in html


def test_the_member_page_pages_the_history_by_20(
    tree, client_for, django_assert_num_queries
):
    user = tree.member_a.user
    client = client_for(user)
    today = timezone.localdate()
    points_for_login(user=user, day=today)
    client.get("/study/points/")  # warm up the session
    with CaptureQueriesContext(connection) as one_entry:
        client.get("/study/points/")
    for i in range(1, 25):
        points_for_login(user=user, day=today - days(i))
    with django_assert_num_queries(len(one_entry)):  # no query per entry
        first = client.get("/study/points/").content.decode()
    assert first.count(ENTRY) == 20
    second = client.get("/study/points/", {"page": 2}).content.decode()
    assert second.count(ENTRY) == 5
    assert (today - days(24)).isoformat() in second


def test_the_member_page_has_an_empty_state(tree, client_for, without_login_points):
    page = client_for(tree.member_a.user).get("/study/points/")
    html = page.content.decode()
    assert page.status_code == 200 and "empty-state" in html
    assert "data-points-today>0<" in html
    assert (
        client_for(tree.member_a.user).get("/study/points/?page=x").status_code == 200
    )


def test_the_api_shows_the_callers_own_points(tree, api_for):
    now = timezone.now()
    user = tree.member_a.user
    points_award(user=user, action=A.EXAM_PASSED, event_key="exam:1", at=now)
    points_award(user=user, action=A.DAILY_QUIZ, event_key="quiz:1", at=now)
    summary = api_for(user).get("/api/v1/me/points/").json()
    assert summary["total_today"] == 15 and summary["total_year"] == 15
    assert summary["day"] == timezone.localdate().isoformat()
    by_action = {row["action"]: row for row in summary["actions"]}
    assert list(by_action) == list(A.values)
    assert by_action["exam_passed"]["points_week"] == 10
    assert by_action["exam_passed"]["weekly_cap"] == 50
    assert by_action["daily_quiz"]["daily_cap"] == 5
    assert by_action["study_minutes"]["rule_text"]
    history = api_for(user).get("/api/v1/me/points/history/").json()
    assert history["count"] == 2
    assert set(history["results"][0]) == {
        "id",
        "action",
        "action_label",
        "points",
        "awarded_on",
        "source",
        "rule_version",
        "created_at",
    }
    other = api_for(tree.member_b.user)
    assert other.get("/api/v1/me/points/").json()["total_today"] == 0
    assert other.get("/api/v1/me/points/history/").json()["count"] == 0
    admin = api_for(tree.platform_admin)  # nobody sees another member's points here
    assert admin.get("/api/v1/me/points/history/").json()["count"] == 0


def test_the_rules_are_readable_by_members(tree, api_for):
    points_rule_change(
        action=A.DAILY_QUIZ,
        by=tree.platform_admin,
        points=8,
        valid_from=timezone.now() + days(3),  # scheduled: not current yet
    )
    rules = api_for(tree.member_a.user).get("/api/v1/points/rules/").json()
    by_action = {rule["action"]: rule for rule in rules}
    assert set(by_action) == set(A.values)
    assert by_action["daily_quiz"]["points"] == 5
    assert by_action["daily_quiz"]["version"] == 1
    assert by_action["study_minutes"]["min_effective_seconds"] == 600
    api = api_for(tree.member_a.user)
    assert api.post("/api/v1/points/rules/", {}).status_code == 405


def test_anonymous_callers_get_no_points(db, client):
    for url in (
        "/api/v1/me/points/",
        "/api/v1/me/points/history/",
        "/api/v1/points/rules/",
    ):
        assert client.get(url).status_code in (401, 403)
    assert client.get("/study/points/").status_code == 302


def test_the_points_api_is_in_the_schema_under_courses(tree, client_for):
    schema = client_for(tree.member_a.user).get("/api/schema/?format=json").json()
    for route in (
        "/api/v1/me/points/",
        "/api/v1/me/points/history/",
        "/api/v1/points/rules/",
    ):
        assert schema["paths"][route]["get"]["tags"] == ["courses"], route


# --- admin ----------------------------------------------------------------------------


def test_a_platform_admin_changes_a_rule_in_the_admin(tree, client_for):
    client = client_for(tree.platform_admin)
    listing = client.get("/admin/points-rules/")
    html = listing.content.decode()
    assert listing.status_code == 200
    assert "/admin/points-rules/exam_passed/change/" in html
    assert "/admin/points-rules/" in client.get("/admin/").content.decode()  # menu
    form = client.get("/admin/points-rules/exam_passed/change/")
    assert form.status_code == 200 and 'value="10"' in form.content.decode()
    response = client.post(
        "/admin/points-rules/exam_passed/change/",
        {
            "points": "12",
            "weekly_cap": "60",
            "weekdays": ["1", "2", "3", "4", "5"],
            "min_effective_seconds": "0",
            "is_active": "on",
            "note": "考试激励调整",
        },
    )
    assert response.status_code == 302
    rule = PointsRule.objects.get(action=A.EXAM_PASSED, version=2)
    assert (rule.points, rule.daily_cap, rule.weekly_cap, rule.weekdays) == (
        12,
        None,
        60,
        "12345",
    )
    assert rule.is_active and rule.created_by == tree.platform_admin
    assert rule.valid_from <= timezone.now()
    html = client.get("/admin/points-rules/").content.decode()
    assert "v2" in html and "考试激励调整" in html


def test_the_admin_form_shows_the_services_errors(tree, client_for):
    response = client_for(tree.platform_admin).post(
        "/admin/points-rules/study_minutes/change/",
        {"points": "1", "weekdays": ["1"], "min_effective_seconds": "0"},
    )
    assert response.status_code == 200
    assert PointsRule.objects.filter(action=A.STUDY_MINUTES).count() == 1
    assert "error" in response.content.decode()


def test_the_rules_admin_does_not_exist_for_others(tree, client_for):
    for user in (tree.admin_a, tree.editor):
        client = client_for(user)
        assert client.get("/admin/points-rules/").status_code == 404
        assert client.get("/admin/points-rules/daily_quiz/change/").status_code == 404
        response = client.post(
            "/admin/points-rules/daily_quiz/change/",
            {"points": "99", "weekdays": ["1"], "min_effective_seconds": "0"},
        )
        assert response.status_code == 404
        assert "/admin/points-rules/" not in client.get("/admin/").content.decode()
    member = client_for(tree.member_a.user).get("/admin/points-rules/")
    assert member.status_code in (302, 404)
    assert PointsRule.objects.filter(action=A.DAILY_QUIZ).count() == 1
    no_action = client_for(tree.platform_admin).get("/admin/points-rules/nope/change/")
    assert no_action.status_code == 404
