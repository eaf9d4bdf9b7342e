from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from rest_framework.test import APIClient

from org.models import ImportJob, Member, MemberTransfer, Unit
from org.services.import_jobs import import_job_run
from tests.factories import PASSWORD, xlsx_bytes


def test_unit_admin_creates_updates_and_moves_units_in_scope(tree, api_for):
    api = api_for(tree.admin_a)
    created = api.post(
        "/api/v1/units/",
        {
            "parent": tree.branch_a1.pk,
            "name": "第二党小组",
            "code": "A1T2",
            "unit_type": "group",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["parent"], body["depth"], body["unit_type_display"]) == (
        tree.branch_a1.pk,
        4,
        "党小组",
    )
    moved = api.put(
        f"/api/v1/units/{body['id']}/",
        {
            "parent": tree.branch_a2.pk,
            "name": "第二党小组",
            "code": "A1T2",
            "unit_type": "group",
        },
        format="json",
    )
    assert moved.status_code == 200
    assert moved.json()["parent"] == tree.branch_a2.pk


def test_unit_admin_cannot_create_a_root_unit(tree, api_for):
    response = api_for(tree.admin_a).post(
        "/api/v1/units/",
        {"name": "新集团", "code": "NEW", "unit_type": "committee"},
        format="json",
    )
    assert response.status_code == 400
    assert "parent" in response.json()
    assert not Unit.objects.filter(code="NEW").exists()


def test_deleting_a_unit_with_members_is_a_clear_400(tree, api_for):
    response = api_for(tree.admin_a).delete(f"/api/v1/units/{tree.team_a1.pk}/")
    assert response.status_code == 400
    assert "转接" in response.content.decode()


def test_member_create_update_transfer_and_history(tree, api_for):
    api = api_for(tree.admin_a)
    created = api.post(
        "/api/v1/members/",
        {
            "unit": tree.branch_a1.pk,
            "real_name": "孙 丽",
            "employee_no": "N100",
            "phone": "13512345678",
            "status": "probationary",
            "gender": "female",
            "birth_date": "1992-02-02",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    member = created.json()
    assert member["real_name"] == "孙丽"
    assert member["status_display"] == "预备党员"
    bad = api.post(
        "/api/v1/members/",
        {
            "unit": tree.branch_a1.pk,
            "real_name": "x",
            "employee_no": "N101",
            "phone": "123",
        },
        format="json",
    )
    assert bad.status_code == 400 and "phone" in bad.json()
    transfer = api.post(
        f"/api/v1/members/{member['id']}/transfer/",
        {"to_unit": tree.branch_a2.pk, "note": "项目调整"},
        format="json",
    )
    assert transfer.status_code == 200
    assert transfer.json()["unit"]["id"] == tree.branch_a2.pk
    history = api.get(f"/api/v1/members/{member['id']}/transfers/").json()
    assert [
        (h["from_unit"]["code"], h["to_unit"]["code"], h["note"]) for h in history
    ] == [("A1", "A2", "项目调整")]
    assert MemberTransfer.objects.get().transferred_by == tree.admin_a


def test_member_search_by_name_pinyin_and_phone(tree, api_for):
    api = api_for(tree.admin_a)
    for query in ("李红梅", "li hong", "E0", tree.member_a.user.phone[-4:]):
        ids = [
            m["id"] for m in api.get("/api/v1/members/", {"q": query}).json()["results"]
        ]
        assert tree.member_a.pk in ids, query


def test_member_list_has_a_fixed_number_of_queries(
    tree, api_for, django_assert_max_num_queries
):
    api = api_for(tree.platform_admin)
    with django_assert_max_num_queries(6):
        response = api.get("/api/v1/members/")
    assert response.json()["count"] == Member.objects.count()


def test_token_login_by_phone_and_throttling(tree):
    client = APIClient()
    phone = tree.member_a.user.phone
    token = client.post(
        "/api/v1/auth/token/", {"username": phone, "password": PASSWORD}
    )
    assert token.status_code == 200
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")
    me = client.get("/api/v1/me/").json()
    assert me["member"]["unit"]["code"] == "A1T1"
    assert me["real_name"] == "李红梅"
    with override_settings(
        LOGIN_THROTTLE={"per_account": 2, "per_ip": 100, "window_seconds": 60}
    ):
        anonymous = APIClient()
        for _ in range(2):
            assert (
                anonymous.post(
                    "/api/v1/auth/token/", {"username": phone, "password": "bad"}
                ).status_code
                == 400
            )
        refused = anonymous.post(
            "/api/v1/auth/token/", {"username": phone, "password": PASSWORD}
        )
        assert refused.status_code == 429
        assert "登录失败次数过多" in refused.json()["detail"]


def test_password_change_through_the_api(tree, api_for):
    api = api_for(tree.member_a.user)
    wrong = api.post(
        "/api/v1/me/password/",
        {"old_password": "nope", "new_password": "Qz8-党员-2026"},
    )
    assert wrong.status_code == 400
    ok = api.post(
        "/api/v1/me/password/",
        {"old_password": PASSWORD, "new_password": "Qz8-党员-2026"},
    )
    assert ok.status_code == 204
    tree.member_a.user.refresh_from_db()
    assert tree.member_a.user.check_password("Qz8-党员-2026")


def _xlsx(rows) -> bytes:
    return xlsx_bytes(["姓名", "政治面貌", "手机号", "工号", "所属单位编码"], rows)


def test_import_upload_queues_a_job_on_commit(
    tree, api_for, django_capture_on_commit_callbacks
):
    api = api_for(tree.admin_a)
    upload = SimpleUploadedFile(
        "党员.xlsx", _xlsx([["钱七", "正式党员", "13600000007", "Q7", "A2"]])
    )
    with django_capture_on_commit_callbacks() as callbacks:
        response = api.post(
            "/api/v1/imports/", {"kind": "members", "file": upload}, format="multipart"
        )
    assert response.status_code == 202, response.content
    assert len(callbacks) == 1  # the Celery task is sent only after the commit
    job = import_job_run(job_id=response.json()["id"])
    assert (job.status, job.created_count) == ("done", 1)
    status = api.get(f"/api/v1/imports/{job.pk}/").json()
    assert (status["status"], status["progress"]) == ("done", 100)
    assert Member.objects.get(employee_no="Q7").unit == tree.branch_a2


def test_import_of_a_bad_sheet_reports_rows_and_imports_nothing(tree, api_for):
    api = api_for(tree.admin_a)
    upload = SimpleUploadedFile(
        "bad.xlsx",
        _xlsx(
            [
                ["钱七", "正式党员", "13600000007", "Q7", "A2"],
                ["", "党员", "1", "Q8", "ZZ"],
            ]
        ),
    )
    job_id = api.post(
        "/api/v1/imports/", {"kind": "members", "file": upload}, format="multipart"
    ).json()["id"]
    import_job_run(job_id=job_id)
    status = api.get(f"/api/v1/imports/{job_id}/").json()
    assert status["status"] == "rejected"
    assert {e["row"] for e in status["errors"]} == {3}
    assert not Member.objects.filter(employee_no__in=["Q7", "Q8"]).exists()


def test_non_excel_uploads_are_refused(tree, api_for):
    upload = SimpleUploadedFile("members.csv", "姓名\n张三\n".encode())
    response = api_for(tree.admin_a).post(
        "/api/v1/imports/", {"kind": "members", "file": upload}
    )
    assert response.status_code == 400
    assert not ImportJob.objects.exists()


def test_template_download_is_an_xlsx(tree, api_for):
    response = api_for(tree.admin_a).get("/api/v1/imports/templates/members/")
    assert response.status_code == 200
    assert response.content[:2] == b"PK"
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_openapi_schema_and_docs(tree, client_for):
    client = client_for(tree.member_a.user)
    schema = client.get("/api/schema/?format=json").json()
    assert "/api/v1/members/{id}/transfer/" in schema["paths"]
    assert not any(p.startswith("/admin") for p in schema["paths"])
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content


def test_a_running_import_shows_live_progress(tree, api_for):
    from org.services.import_jobs import _set_progress

    api = api_for(tree.admin_a)
    upload = SimpleUploadedFile(
        "p.xlsx", _xlsx([["钱七", "正式党员", "13600000007", "Q7", "A2"]])
    )
    job_id = api.post(
        "/api/v1/imports/", {"kind": "members", "file": upload}, format="multipart"
    ).json()["id"]
    assert api.get(f"/api/v1/imports/{job_id}/").json()["status"] == "pending"
    _set_progress(job_id, 40)  # what the worker reports while writing rows
    running = api.get(f"/api/v1/imports/{job_id}/").json()
    assert (running["status"], running["progress"]) == ("processing", 40)
    import_job_run(job_id=job_id)
    done = api.get(f"/api/v1/imports/{job_id}/").json()
    assert (done["status"], done["progress"]) == ("done", 100)
