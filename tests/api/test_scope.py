"""Walk every API route as a unit admin of another subtree: nothing leaks."""

import io

import pytest
from django.urls import get_resolver
from django.utils import timezone
from openpyxl import load_workbook
from wagtail.models import Collection

from exams.services.attempts import attempt_start
from media.models import MediaAsset, MediaStatus
from org.models import ImportJob
from tests.exams.sitting import exam_paper, make_exam


def api_routes():
    """(name, pattern) for every named route under /api/v1/."""
    resolver = get_resolver()
    routes = []
    for name, entries in resolver.reverse_dict.lists():
        if not isinstance(name, str):
            continue
        for _possibility, pattern, _defaults, _converters in entries:
            if pattern.startswith("api/v1/"):
                routes.append((name, pattern))
    return sorted(set(routes))


def test_route_inventory_is_known():
    """A new API route must be added to the scope walk below."""
    names = {name for name, _ in api_routes()}
    assert names == {
        "api-root",
        "api-me",
        "api-password",
        "api-token",
        "unit-list",
        "unit-detail",
        "unit-export",
        "member-list",
        "member-detail",
        "member-transfer",
        "member-transfers",
        "member-export",
        "import-list",
        "import-detail",
        "import-template",
        "api-search",
        "api-search-autocomplete",
        "media-list",
        "media-detail",
        "media-position",
        "course-list",
        "course-detail",
        "lesson-session-start",
        "session-heartbeat",
        "me-study",
        "me-points",
        "me-points-history",
        "points-rules",
        "training-checkin",
        "me-training",
        "me-tasks",
        "me-task-detail",
        "me-notifications",
        "me-notifications-read",
        "exam-list",
        "exam-attempt-start",
        "attempt",
        "attempt-answer",
        "attempt-submit",
        "attempt-events",
        "practice-home",
        "practice-rounds",
        "practice-round",
        "practice-round-answer",
        "board-scopes",
        "board-members",
        "board-units",
        "board-me",
        "award-list",
        "award-detail",
        "award-verify",
        "me-certificates",
        "me-certificate-download",
        "display-data",
        "member-card",
    }


@pytest.fixture
def foreign(tree):
    """Objects under company B, and admin A who must not reach them."""
    job = ImportJob.objects.create(
        kind="members", file="x.xlsx", original_name="x.xlsx", created_by=tree.admin_b
    )
    lesson = MediaAsset.objects.create(
        title="B一支部内部微党课",
        type="video",
        file="lessons/sources/b.mp4",
        collection=Collection.get_first_root_node(),
        status=MediaStatus.READY,
        output_dir="lessons/1/v1",
        audience_unit=tree.branch_b1,
    )
    exam = make_exam(
        tree, exam_paper(tree), timezone.now(), target_units=[tree.company_b]
    )
    attempt = attempt_start(user=tree.member_b.user, exam=exam)
    return {
        "unit": tree.branch_b1,
        "member": tree.member_b,
        "job": job,
        "lesson": lesson,
        "exam": exam,
        "attempt": attempt,
    }


def test_detail_routes_of_another_subtree_are_404_for_every_method(
    tree, foreign, api_for
):
    api = api_for(tree.admin_a)
    unit, member, job = foreign["unit"], foreign["member"], foreign["job"]
    lesson = foreign["lesson"]
    exam, attempt = foreign["exam"], foreign["attempt"]
    calls = [
        ("post", f"/api/v1/exams/{exam.pk}/attempts/", None),
        ("get", f"/api/v1/attempts/{attempt.pk}/", None),
        (
            "put",
            f"/api/v1/attempts/{attempt.pk}/answers/1/",
            {"response": None, "revision": 1},
        ),
        ("post", f"/api/v1/attempts/{attempt.pk}/submit/", None),
        ("post", f"/api/v1/attempts/{attempt.pk}/events/", {"kind": "hidden"}),
        ("get", f"/api/v1/media/{lesson.pk}/", None),
        ("get", f"/api/v1/media/{lesson.pk}/position/", None),
        ("post", f"/api/v1/media/{lesson.pk}/position/", {"position": 3}),
        ("get", f"/api/v1/units/{unit.pk}/", None),
        (
            "put",
            f"/api/v1/units/{unit.pk}/",
            {"name": "x", "code": "x", "unit_type": "branch"},
        ),
        ("delete", f"/api/v1/units/{unit.pk}/", None),
        ("get", f"/api/v1/units/?root={unit.pk}", None),
        ("get", f"/api/v1/members/{member.pk}/", None),
        (
            "put",
            f"/api/v1/members/{member.pk}/",
            {"unit": tree.branch_a1.pk, "real_name": "x", "employee_no": "x"},
        ),
        (
            "post",
            f"/api/v1/members/{member.pk}/transfer/",
            {"to_unit": tree.branch_a1.pk},
        ),
        ("get", f"/api/v1/members/{member.pk}/transfers/", None),
        ("get", f"/api/v1/members/{member.pk}/card/", None),
        ("get", f"/api/v1/members/?unit={unit.pk}", None),
        ("get", f"/api/v1/members/export/?unit={unit.pk}", None),
        ("get", f"/api/v1/imports/{job.pk}/", None),
        # writes that name a foreign unit as target
        (
            "post",
            "/api/v1/units/",
            {"parent": unit.pk, "name": "x", "code": "NEWX", "unit_type": "branch"},
        ),
        (
            "post",
            "/api/v1/members/",
            {
                "unit": unit.pk,
                "real_name": "x",
                "employee_no": "NEWX",
                "phone": "13600000000",
            },
        ),
        ("post", f"/api/v1/members/{tree.member_a.pk}/transfer/", {"to_unit": unit.pk}),
    ]
    for method, url, data in calls:
        response = getattr(api, method)(url, data, format="json")
        assert response.status_code == 404, (method, url, response.status_code)
        assert "B一" not in response.content.decode()
    tree.member_b.refresh_from_db()
    assert tree.member_b.unit == tree.branch_b1
    assert tree.member_a.__class__.objects.get(pk=tree.member_a.pk).unit == tree.team_a1


def test_lists_and_exports_hold_only_the_callers_subtree(tree, foreign, api_for):
    api = api_for(tree.admin_a)
    units = api.get("/api/v1/units/?page_size=500").json()["results"]
    assert {u["code"] for u in units} == {"G", "A", "A1", "A2", "A1T1"}  # G: own chain
    members = api.get("/api/v1/members/").json()["results"]
    names = {m["real_name"] for m in members}
    assert "李红梅" in names
    assert "王建国" not in names and "吴管理" not in names
    export = api.get("/api/v1/members/export/")
    rows = list(load_workbook(io.BytesIO(export.content)).worksheets[0].values)
    assert all(row[8] in {"A", "A1", "A2", "A1T1"} for row in rows[1:])
    unit_rows = list(
        load_workbook(io.BytesIO(api.get("/api/v1/units/export/").content))
        .worksheets[0]
        .values
    )
    assert {row[0] for row in unit_rows[1:]} == {"A", "A1", "A2", "A1T1"}
    assert api.get("/api/v1/media/").json()["results"] == []
    member_b = api_for(tree.member_b.user).get("/api/v1/media/").json()["results"]
    assert [lesson["title"] for lesson in member_b] == ["B一支部内部微党课"]


def test_a_plain_member_reaches_only_themselves(tree, api_for):
    api = api_for(tree.member_a.user)
    members = api.get("/api/v1/members/").json()["results"]
    assert [m["id"] for m in members] == [tree.member_a.pk]
    assert api.get(f"/api/v1/members/{tree.member_a.pk}/").status_code == 200
    other = tree.member_a.__class__.objects.filter(unit=tree.team_a1).exclude(
        pk=tree.member_a.pk
    )
    for m in other:
        assert api.get(f"/api/v1/members/{m.pk}/").status_code == 404
    assert (
        api.put(
            f"/api/v1/members/{tree.member_a.pk}/",
            {"unit": tree.team_a1.pk, "real_name": "改名", "employee_no": "E1"},
            format="json",
        ).status_code
        == 404
    )
    assert api.post("/api/v1/imports/", {}).status_code == 404
    assert api.get("/api/v1/members/export/").status_code == 404
    assert api.get("/api/v1/units/export/").status_code == 404


def test_anonymous_callers_get_nothing(db, client):
    for url in (
        "/api/v1/units/",
        "/api/v1/members/",
        "/api/v1/me/",
        "/api/v1/imports/1/",
        "/api/v1/media/",
        "/api/v1/media/1/",
        "/api/v1/courses/",
        "/api/v1/me/study/",
        "/api/v1/me/points/",
        "/api/v1/me/points/history/",
        "/api/v1/points/rules/",
        "/api/v1/me/training/",
        "/api/v1/me/tasks/",
        "/api/v1/me/tasks/1/",
        "/api/v1/me/notifications/",
        "/api/v1/boards/scopes/",
        "/api/v1/boards/members/",
        "/api/v1/boards/units/",
        "/api/v1/boards/me/",
        "/api/v1/awards/",
        "/api/v1/awards/1/",
        "/api/v1/me/certificates/",
        "/api/v1/me/certificates/1/download/",
    ):
        assert client.get(url).status_code in (401, 403)


def test_boards_of_another_subtree_are_404(tree, api_for):
    api = api_for(tree.admin_a)
    for view in ("members", "units"):
        url = f"/api/v1/boards/{view}/?scope={tree.branch_b1.pk}"
        assert api.get(url).status_code == 404, view
        mine = api.get(f"/api/v1/boards/{view}/?scope={tree.company_a.pk}")
        assert mine.status_code == 200, view
    scopes = {u["name"] for u in api.get("/api/v1/boards/scopes/").json()}
    assert scopes == {"测试集团党委", "子分公司A党委"}
