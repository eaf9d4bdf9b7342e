"""Offline training: conversion rules, booking once within the daily maximum,
attendance from Excel and QR check-in, and the admin's scope."""

import datetime
import io
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone
from openpyxl import load_workbook

from courses.models import (
    Attendance,
    AttendanceMethod,
    StudyHourEntry,
    StudyKind,
    TrainingConversion,
    TrainingLength,
    TrainingSession,
)
from courses.services.training import (
    CheckinRefused,
    attendance_add,
    attendance_checkin,
    attendance_remove,
    conversion_change,
    training_checkin_set,
    training_conversion_for,
    training_hours,
    training_session_create,
    training_session_post,
)
from courses.services.training_excel import attendance_import_xlsx
from tests.factories import make_member, xlsx_bytes

TODAY = timezone.localdate
ONE_DAY = datetime.timedelta(days=1)


def make_session(tree, *, held_on=None, length=TrainingLength.DAY, **fields):
    fields.setdefault("title", "学习贯彻党的二十大精神集中培训")
    fields.setdefault("kind", StudyKind.TRAINING)
    fields.setdefault("unit", tree.company_a)
    return training_session_create(
        by=tree.admin_a, held_on=held_on or TODAY(), length=length, **fields
    )


def attend(session, *users):
    for user in users:
        Attendance.objects.create(
            session=session, user=user, method=AttendanceMethod.MANUAL
        )


def offline_hours(user, day):
    entries = StudyHourEntry.objects.filter(user=user, studied_on=day)
    return sum((e.hours for e in entries), Decimal(0))


def upload(headers, rows, name="签到.xlsx"):
    return SimpleUploadedFile(name, xlsx_bytes(headers, rows))


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


# --- conversion rules ---------------------------------------------------------


def test_the_default_rule_is_1_an_hour_4_a_half_day_8_a_day(tree):
    seeded = TrainingConversion.objects.get(valid_from=datetime.date(2000, 1, 1))
    rule = training_conversion_for(TODAY())
    assert rule.pk == seeded.pk
    assert (rule.per_hour, rule.half_day, rule.day, rule.daily_max) == (1, 4, 8, 8)
    hours = make_session(tree, length=TrainingLength.HOURS, clock_hours=Decimal("2.5"))
    assert training_hours(session=hours) == Decimal("2.5")
    half = make_session(tree, length=TrainingLength.HALF_DAY)
    assert training_hours(session=half) == Decimal(4)
    assert training_hours(session=make_session(tree)) == Decimal(8)


def test_a_session_needs_sensible_clock_hours_and_a_unit_the_admin_manages(tree):
    for clock_hours in (None, Decimal(0), Decimal(25)):
        with pytest.raises(ValidationError) as error:
            make_session(tree, length=TrainingLength.HOURS, clock_hours=clock_hours)
        assert "clock_hours" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        make_session(tree, unit=tree.company_b)
    assert "unit" in error.value.message_dict
    day = make_session(tree, clock_hours=Decimal(3))
    assert day.clock_hours is None  # only an hourly session keeps its hours
    assert TrainingSession.objects.count() == 1


def test_a_new_rule_applies_from_its_date_and_booked_hours_stay(tree):
    user = tree.member_a.user
    earlier = make_session(tree, held_on=TODAY() - ONE_DAY)
    attend(earlier, user)
    training_session_post(session=earlier, by=tree.admin_a)

    new = conversion_change(
        by=tree.platform_admin,
        valid_from=TODAY(),
        per_hour=Decimal("1.5"),
        half_day=Decimal(3),
        day=Decimal(6),
        daily_max=Decimal(10),
    )
    assert training_conversion_for(TODAY()).pk == new.pk
    assert training_conversion_for(TODAY() - ONE_DAY).valid_from.year == 2000
    assert training_hours(session=earlier) == Decimal(8)  # the rule of its date
    assert offline_hours(user, earlier.held_on) == Decimal(8)

    later = make_session(tree)
    attend(later, user)
    training_session_post(session=later, by=tree.admin_a)
    assert offline_hours(user, TODAY()) == Decimal(6)
    hourly = make_session(tree, length=TrainingLength.HOURS, clock_hours=Decimal(2))
    assert training_hours(session=hourly) == Decimal(3)

    # a version reaching back over booked sessions would rewrite the past
    with pytest.raises(ValidationError) as error:
        conversion_change(
            by=tree.platform_admin,
            valid_from=TODAY() - ONE_DAY,
            per_hour=1,
            half_day=4,
            day=8,
            daily_max=8,
        )
    assert "valid_from" in error.value.message_dict
    assert TrainingConversion.objects.count() == 2


def test_only_a_platform_admin_changes_the_rules(tree):
    with pytest.raises(PermissionDenied):
        conversion_change(
            by=tree.admin_a,
            valid_from=TODAY() + ONE_DAY,
            per_hour=1,
            half_day=4,
            day=8,
            daily_max=8,
        )
    with pytest.raises(ValidationError) as error:
        conversion_change(
            by=tree.platform_admin,
            valid_from=datetime.date(2000, 1, 1),
            per_hour=1,
            half_day=0,
            day=8,
            daily_max=8,
        )
    assert set(error.value.message_dict) == {"valid_from", "half_day"}


# --- booking --------------------------------------------------------------------


def test_the_daily_maximum_counts_every_offline_session_of_the_day(tree):
    user = tree.member_a.user
    other = make_member(tree.branch_a2, "赵敏").user
    morning = make_session(tree, length=TrainingLength.HALF_DAY)
    attend(morning, user)
    assert training_session_post(session=morning, by=tree.admin_a).booked == 1

    afternoon = make_session(tree, kind=StudyKind.GROUP, title="支部集体学习")
    attend(afternoon, user, other)
    report = training_session_post(session=afternoon, by=tree.admin_a)
    assert (report.booked, report.capped, report.skipped) == (2, 1, 0)
    assert offline_hours(user, TODAY()) == Decimal(8)  # 4 + the remaining 4
    assert offline_hours(other, TODAY()) == Decimal(8)
    capped = StudyHourEntry.objects.get(user=user, kind=StudyKind.GROUP)
    assert capped.hours == Decimal(4) and capped.note
    assert capped.source == "支部集体学习" and capped.recorded_by == tree.admin_a

    evening = make_session(tree, length=TrainingLength.HOURS, clock_hours=2)
    attend(evening, user)
    report = training_session_post(session=evening, by=tree.admin_a)
    assert (report.booked, report.skipped) == (0, 1)
    assert offline_hours(user, TODAY()) == Decimal(8)


def test_online_study_does_not_count_against_the_daily_maximum(tree):
    from courses.services.ledger import ledger_record

    user = tree.member_a.user
    ledger_record(
        member=user,
        kind=StudyKind.ONLINE,
        hours=Decimal(3),
        studied_on=TODAY(),
        source="网络课程",
        by=tree.admin_a,
    )
    session = make_session(tree)
    attend(session, user)
    assert training_session_post(session=session, by=tree.admin_a).capped == 0
    assert offline_hours(user, TODAY()) == Decimal(11)


def test_posting_again_books_only_late_attendees(tree):
    session = make_session(tree)
    attend(session, tree.member_a.user)
    first = training_session_post(session=session, by=tree.admin_a)
    assert first.booked == 1 and first.hours == Decimal(8)
    again = training_session_post(session=session, by=tree.admin_a)
    assert again.booked == 0
    assert StudyHourEntry.objects.count() == 1

    late = make_member(tree.branch_a1, "孙晓").user
    attendance_add(session=session, member=late.member, by=tree.admin_a)
    assert training_session_post(session=session, by=tree.admin_a).booked == 1
    assert StudyHourEntry.objects.count() == 2
    assert Attendance.objects.filter(session=session, entry__isnull=True).count() == 0
    session.refresh_from_db()
    assert session.posted_at is not None


def test_hours_are_booked_once_the_session_has_taken_place(tree):
    session = make_session(tree, held_on=TODAY() + ONE_DAY)
    attend(session, tree.member_a.user)
    with pytest.raises(ValidationError):
        training_session_post(session=session, by=tree.admin_a)
    assert not StudyHourEntry.objects.exists()


def test_a_booked_attendee_cannot_be_removed(tree):
    session = make_session(tree)
    attend(session, tree.member_a.user)
    extra = make_member(tree.branch_a1, "钱多").user
    attend(session, extra)
    training_session_post(session=session, by=tree.admin_a)
    booked = Attendance.objects.get(session=session, user=tree.member_a.user)
    with pytest.raises(ValidationError):
        attendance_remove(attendance=booked, by=tree.admin_a)
    late = make_member(tree.branch_a1, "周末").user
    attendance_add(session=session, member=late.member, by=tree.admin_a)
    attendance_remove(
        attendance=Attendance.objects.get(session=session, user=late), by=tree.admin_a
    )
    assert Attendance.objects.filter(session=session).count() == 2


def test_only_members_of_the_unit_are_added_by_hand(tree):
    session = make_session(tree, unit=tree.branch_a1)
    with pytest.raises(ValidationError):
        attendance_add(session=session, member=tree.member_b, by=tree.admin_a)
    attendance_add(session=session, member=tree.member_a, by=tree.admin_a)
    with pytest.raises(ValidationError):  # already on the list
        attendance_add(session=session, member=tree.member_a, by=tree.admin_a)
    with pytest.raises(PermissionDenied):
        attendance_add(session=session, member=tree.member_a, by=tree.admin_b)


@pytest.mark.django_db(transaction=True)
def test_concurrent_posts_book_once(tree):
    """Two admins press "book" at once, for one session and for another session
    on the same date: the locks let each attendee be booked once, within the
    daily maximum."""
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the PostgreSQL pass runs this")
    user = tree.member_a.user
    first, second = make_session(tree), make_session(tree, title="第二场")
    attend(first, user)
    attend(second, user)
    reports, errors = [], []

    def post(session):
        try:
            reports.append(training_session_post(session=session, by=tree.admin_a))
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(s,)) for s in (first, second) * 3]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert StudyHourEntry.objects.filter(user=user).count() == 1
    assert offline_hours(user, TODAY()) == Decimal(8)
    assert sum(r.booked for r in reports) == 1
    assert sum(r.skipped for r in reports) >= 1  # the other session found a full day


# --- Excel --------------------------------------------------------------------


def test_an_attendance_sheet_is_imported(tree):
    session = make_session(tree)
    a1 = tree.member_a
    a2 = make_member(tree.branch_a2, "陈静")
    report = attendance_import_xlsx(
        session=session,
        file=upload(
            ["工号", "姓名", "手机号"],
            [
                [a1.employee_no, "李红梅", None],
                [None, "陈静", None],
                [a1.employee_no, None, None],  # twice in the file: once
            ],
        ),
        by=tree.admin_a,
    )
    assert report.ok, report.errors
    assert (report.created, report.already) == (2, 1)
    assert set(
        Attendance.objects.filter(session=session).values_list("user_id", "method")
    ) == {(a1.user_id, "excel"), (a2.user_id, "excel")}
    again = attendance_import_xlsx(
        session=session,
        file=upload(["工号"], [[a1.employee_no]]),
        by=tree.admin_a,
    )
    assert (again.created, again.already) == (0, 1)


def test_a_bad_row_names_its_row_and_column_and_nothing_is_imported(tree):
    session = make_session(tree)
    report = attendance_import_xlsx(
        session=session,
        file=upload(
            ["姓名", "工号"],
            [["李红梅", tree.member_a.employee_no], ["张三", "E99999"], ["", ""]],
        ),
        by=tree.admin_a,
    )
    assert not report.ok
    [error] = report.errors
    assert error.row == 3 and error.column == "工号（B）"
    assert "E99999" in error.message
    assert not Attendance.objects.exists()


def test_a_name_that_does_not_match_the_employee_number_is_an_error(tree):
    session = make_session(tree)
    report = attendance_import_xlsx(
        session=session,
        file=upload(["工号", "姓名"], [[tree.member_a.employee_no, "王五"]]),
        by=tree.admin_a,
    )
    [error] = report.errors
    assert error.column == "姓名（B）" and "李红梅" in error.message


def test_a_member_outside_the_unit_is_a_row_error(tree):
    session = make_session(tree)
    report = attendance_import_xlsx(
        session=session,
        file=upload(
            ["工号", "姓名"],
            [[tree.member_a.employee_no, None], [tree.member_b.employee_no, None]],
        ),
        by=tree.admin_a,
    )
    [error] = report.errors
    assert error.row == 3 and error.column.startswith("工号")
    assert tree.company_a.name in error.message
    assert "王建国" not in error.message  # nothing about people outside one's units
    by_name = attendance_import_xlsx(
        session=session, file=upload(["姓名"], [["王建国"]]), by=tree.admin_a
    )
    assert by_name.errors[0].row == 2 and by_name.errors[0].column == "姓名（A）"
    assert not Attendance.objects.exists()


def test_an_ambiguous_name_asks_for_the_employee_number(tree):
    session = make_session(tree)
    first = make_member(tree.branch_a1, "张伟")
    make_member(tree.branch_a2, "张伟")
    report = attendance_import_xlsx(
        session=session, file=upload(["姓名"], [["张伟"]]), by=tree.admin_a
    )
    [error] = report.errors
    assert error.row == 2 and "工号" in error.message
    assert not Attendance.objects.exists()
    by_phone = attendance_import_xlsx(
        session=session,
        file=upload(["姓名", "手机号"], [["张伟", first.user.phone]]),
        by=tree.admin_a,
    )
    assert by_phone.ok and by_phone.created == 1
    assert Attendance.objects.get(session=session).user == first.user


def test_headers_and_values_may_have_spaces_and_full_width_characters(tree):
    session = make_session(tree)
    other = make_member(tree.branch_a2, "欧阳娜娜")
    report = attendance_import_xlsx(
        session=session,
        file=upload(
            [" 工 号 ", "姓\u3000名"],
            [
                [full_width(tree.member_a.employee_no) + "\u3000", "李 红 梅"],
                [None, " 欧阳　娜娜 "],
            ],
        ),
        by=tree.admin_a,
    )
    assert report.ok, report.errors
    assert report.created == 2
    assert Attendance.objects.filter(user=other.user).exists()


def test_a_sheet_without_the_columns_or_not_excel_is_refused(tree):
    session = make_session(tree)
    report = attendance_import_xlsx(
        session=session,
        file=upload(["部门", "手机号"], [["x", "139"]]),
        by=tree.admin_a,
    )
    assert report.errors[0].row == 0 and "工号" in report.errors[0].message
    junk = SimpleUploadedFile("x.xlsx", b"not a workbook")
    assert not attendance_import_xlsx(session=session, file=junk, by=tree.admin_a).ok


# --- QR check-in --------------------------------------------------------------


def test_check_in_only_on_the_day(tree):
    user = tree.member_a.user
    for held_on, code in (
        (TODAY() + ONE_DAY, "too_early"),
        (TODAY() - ONE_DAY, "too_late"),
    ):
        session = make_session(tree, held_on=held_on)
        with pytest.raises(CheckinRefused) as refused:
            attendance_checkin(session_code=session.checkin_code, user=user)
        assert refused.value.code == code
        assert held_on.isoformat() in refused.value.messages[0]
    assert not Attendance.objects.exists()


def test_check_in_only_while_open(tree):
    session = make_session(tree)
    training_checkin_set(session=session, by=tree.admin_a, is_open=False)
    with pytest.raises(CheckinRefused) as refused:
        attendance_checkin(session_code=session.checkin_code, user=tree.member_a.user)
    assert refused.value.code == "closed"
    training_checkin_set(session=session, by=tree.admin_a, is_open=True)
    assert attendance_checkin(
        session_code=session.checkin_code, user=tree.member_a.user
    ).created


def test_an_outsider_cannot_check_in(tree):
    session = make_session(tree, unit=tree.branch_a1)
    for user in (tree.member_b.user, tree.admin_a):  # admin_a is in company_a itself
        with pytest.raises(CheckinRefused) as refused:
            attendance_checkin(session_code=session.checkin_code, user=user)
        assert refused.value.code == "outsider"
    with pytest.raises(TrainingSession.DoesNotExist):
        attendance_checkin(session_code="no-such-code", user=tree.member_a.user)


def test_a_second_scan_says_already_checked_in(tree):
    session = make_session(tree)
    user = tree.member_a.user
    first = attendance_checkin(session_code=session.checkin_code, user=user)
    assert first.created and first.attendance.method == AttendanceMethod.QR
    second = attendance_checkin(session_code=session.checkin_code, user=user)
    assert not second.created and second.attendance.pk == first.attendance.pk
    training_checkin_set(session=session, by=tree.admin_a, is_open=False)
    assert not attendance_checkin(session_code=session.checkin_code, user=user).created
    assert Attendance.objects.count() == 1


# --- member pages and API -----------------------------------------------------


def test_the_check_in_page_comes_back_after_login_and_checks_in(tree, client_for):
    from django.test import Client

    session = make_session(tree, location="三楼会议室")
    url = f"/study/checkin/{session.checkin_code}/"
    anonymous = Client().get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/?next=/study/checkin/")

    client = client_for(tree.member_a.user)
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert session.title in html and "三楼会议室" in html
    assert 'class="checkin-button"' in html and "csrfmiddlewaretoken" in html
    done = client.post(url, follow=True)
    assert done.status_code == 200
    assert 'class="checkin-button"' not in done.content.decode()
    assert Attendance.objects.filter(session=session, user=tree.member_a.user).exists()
    client.post(url)  # a second tap changes nothing
    assert Attendance.objects.count() == 1

    outsider = client_for(tree.member_b.user).get(url).content.decode()
    assert 'class="checkin-button"' not in outsider and "notice" in outsider
    assert client.get("/study/checkin/nope/").status_code == 404


def test_the_api_checks_in_and_lists_my_training(tree, api_for):
    session = make_session(tree, location="党校")
    api = api_for(tree.member_a.user)
    first = api.post(
        "/api/v1/training/checkin/", {"code": session.checkin_code}, format="json"
    )
    assert first.status_code == 201
    body = first.json()
    assert body["status"] == "checked_in" and body["checked_in_at"]
    labels = {k: body["session"].pop(k) for k in ("kind_label", "length_label")}
    assert all(labels.values())
    assert body["session"] == {
        "id": session.pk,
        "title": session.title,
        "kind": "training",
        "held_on": session.held_on.isoformat(),
        "length": "day",
        "clock_hours": None,
        "location": "党校",
        "unit": tree.company_a.name,
    }
    again = api.post("/api/v1/training/checkin/", {"code": session.checkin_code})
    assert again.status_code == 200 and again.json()["status"] == "already"
    refused = api_for(tree.member_b.user).post(
        "/api/v1/training/checkin/", {"code": session.checkin_code}
    )
    assert refused.status_code == 400 and refused.json()["code"] == "outsider"
    assert api.post("/api/v1/training/checkin/", {"code": "x"}).status_code == 404
    assert api.post("/api/v1/training/checkin/", {}).status_code == 400

    mine = api.get("/api/v1/me/training/").json()
    assert mine["hours"] == "0.000"
    [row] = mine["attendance"]
    assert row["booked"] is False and row["hours"] is None and row["method"] == "qr"
    training_session_post(session=session, by=tree.admin_a)
    mine = api.get("/api/v1/me/training/", {"year": TODAY().year}).json()
    assert mine["hours"] == "8.000" and mine["attendance"][0]["hours"] == "8.000"
    assert (
        api_for(tree.member_b.user).get("/api/v1/me/training/").json()["attendance"]
        == []
    )


def test_the_api_is_in_the_schema(tree, client_for):
    schema = client_for(tree.member_a.user).get("/api/schema/?format=json").json()
    assert "/api/v1/training/checkin/" in schema["paths"]
    assert "/api/v1/me/training/" in schema["paths"]


# --- admin ----------------------------------------------------------------------


def test_another_companys_admin_cannot_see_or_change_a_session(tree, client_for):
    session = make_session(tree)
    attend(session, tree.member_a.user)
    attendance = Attendance.objects.get()
    client = client_for(tree.admin_b)
    listing = client.get("/admin/training/")
    assert listing.status_code == 200 and session.title not in listing.content.decode()
    base = f"/admin/training/{session.pk}"
    for url in ("/", "/qr/", "/post/", "/import/", "/export/", "/add/"):
        assert client.get(base + url).status_code == 404, url
    for url in ("/post/", "/checkin/", "/add/", f"/remove/{attendance.pk}/"):
        assert client.post(base + url, {"member": tree.member_b.pk}).status_code == 404
    assert not StudyHourEntry.objects.exists()
    assert Attendance.objects.count() == 1
    with pytest.raises(PermissionDenied):
        training_session_post(session=session, by=tree.admin_b)
    member = client_for(tree.member_a.user)
    assert member.get("/admin/training/").status_code in (302, 403, 404)


def test_the_session_list_is_paginated_in_few_queries(
    tree, client_for, django_assert_max_num_queries
):
    for number in range(25):
        session = make_session(tree, title=f"第{number}期培训")
        attend(session, tree.member_a.user)
    client = client_for(tree.admin_a)
    client.get("/admin/training/")  # warm up the admin's caches
    with django_assert_max_num_queries(20):
        page = client.get("/admin/training/")
    html = page.content.decode()
    assert html.count("/admin/training/") >= 20 and "第24期培训" in html
    assert "第0期培训" not in html
    assert "第0期培训" in client.get("/admin/training/", {"page": 2}).content.decode()


def test_an_admin_creates_a_session_and_books_hours(tree, client_for):
    client = client_for(tree.admin_a)
    assert client.get("/admin/training/new/").status_code == 200
    bad = client.post(
        "/admin/training/new/",
        {
            "title": "党课",
            "kind": "group",
            "unit": tree.branch_a1.pk,
            "held_on": TODAY().isoformat(),
            "length": "hours",
        },
    )
    assert bad.status_code == 200 and not TrainingSession.objects.exists()
    created = client.post(
        "/admin/training/new/",
        {
            "title": "党课",
            "kind": "group",
            "unit": tree.branch_a1.pk,
            "held_on": TODAY().isoformat(),
            "length": "hours",
            "clock_hours": "3",
            "location": "会议室",
        },
    )
    session = TrainingSession.objects.get()
    assert created.status_code == 302 and session.kind == StudyKind.GROUP
    attend(session, tree.member_a.user)

    detail = client.get(f"/admin/training/{session.pk}/").content.decode()
    assert "<svg" in detail and "李红梅" in detail
    assert f"http://testserver/study/checkin/{session.checkin_code}/" in detail
    assert client.get(f"/admin/training/{session.pk}/qr/").status_code == 200

    confirm = client.get(f"/admin/training/{session.pk}/post/").content.decode()
    assert "李红梅" in confirm and "<strong>3</strong>" in confirm
    assert not StudyHourEntry.objects.exists()  # a confirmation first
    client.post(f"/admin/training/{session.pk}/post/")
    entry = StudyHourEntry.objects.get()
    assert entry.hours == Decimal(3) and entry.kind == StudyKind.GROUP

    client.post(f"/admin/training/{session.pk}/checkin/", {"open": "0"})
    session.refresh_from_db()
    assert not session.checkin_open

    export = client.get(f"/admin/training/{session.pk}/export/")
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("工号", "姓名")
    assert rows[1][1] == "李红梅" and rows[1][5] == 3


def test_the_import_page_shows_row_errors_and_offers_a_template(tree, client_for):
    session = make_session(tree)
    client = client_for(tree.admin_a)
    url = f"/admin/training/{session.pk}/import/"
    assert client.get(url).status_code == 200
    template = client.get("/admin/training/template/")
    headers = next(load_workbook(io.BytesIO(template.content)).active.iter_rows())
    assert [c.value for c in headers] == ["工号", "姓名", "手机号"]
    bad = client.post(url, {"file": upload(["工号"], [["E99999"]])})
    html = bad.content.decode()
    assert bad.status_code == 200 and "工号（A）" in html and "E99999" in html
    good = client.post(url, {"file": upload(["工号"], [[tree.member_a.employee_no]])})
    assert good.status_code == 302
    assert Attendance.objects.filter(session=session).count() == 1


def test_an_admin_adds_and_removes_a_member_by_hand(tree, client_for):
    session = make_session(tree)
    client = client_for(tree.admin_a)
    found = client.get(f"/admin/training/{session.pk}/add/", {"q": "李红"})
    assert "李红梅" in found.content.decode()
    outside = client.get(f"/admin/training/{session.pk}/add/", {"q": "王建国"})
    assert tree.member_b.employee_no not in outside.content.decode()
    client.post(f"/admin/training/{session.pk}/add/", {"member": tree.member_a.pk})
    attendance = Attendance.objects.get(session=session)
    assert attendance.method == AttendanceMethod.MANUAL
    assert (
        client.post(
            f"/admin/training/{session.pk}/add/", {"member": tree.member_b.pk}
        ).status_code
        == 404
    )
    remove = f"/admin/training/{session.pk}/remove/{attendance.pk}/"
    assert "李红梅" in client.get(remove).content.decode()  # a confirmation first
    assert Attendance.objects.exists()
    client.post(remove)
    assert not Attendance.objects.exists()


def test_the_conversion_rules_page_is_for_platform_admins(tree, client_for):
    assert client_for(tree.admin_a).get("/admin/training/rules/").status_code == 404
    client = client_for(tree.platform_admin)
    page = client.get("/admin/training/rules/")
    assert page.status_code == 200 and "2000-01-01" in page.content.decode()
    tomorrow = (TODAY() + ONE_DAY).isoformat()
    client.post(
        "/admin/training/rules/",
        {
            "valid_from": tomorrow,
            "per_hour": "1",
            "half_day": "4",
            "day": "7",
            "daily_max": "8",
        },
    )
    assert TrainingConversion.objects.get(valid_from=tomorrow).day == 7
    assert tomorrow in client.get("/admin/training/rules/").content.decode()


def test_the_menu_shows_offline_training_to_org_admins(tree, client_for):
    assert (
        "/admin/training/" in client_for(tree.admin_a).get("/admin/").content.decode()
    )
