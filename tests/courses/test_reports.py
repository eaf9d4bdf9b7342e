"""学时台账 for unit admins: who is behind, and the Excel sheet, within scope."""

import datetime
import io
from decimal import Decimal
from urllib.parse import quote

from openpyxl import load_workbook

from courses.models import StudyKind
from courses.services.ledger import ledger_record


def _record(tree, member, hours, kind=StudyKind.TRAINING):
    return ledger_record(
        member=member.user,
        kind=kind,
        hours=Decimal(hours),
        studied_on=datetime.date(2026, 5, 4),
        source="五四集中培训",
        by=tree.admin_a,
    )


def test_a_unit_admin_exports_the_ledger_of_their_unit(tree, client_for):
    _record(tree, tree.member_a, "40")
    _record(tree, tree.member_b, "8")  # company B: not in admin A's sheet
    client = client_for(tree.admin_a)
    page = client.get("/admin/study-hours/", {"unit": tree.company_a.pk, "year": 2026})
    html = page.content.decode()
    assert page.status_code == 200
    assert "李红梅" in html and "王建国" not in html
    export = client.get(
        "/admin/study-hours/",
        {"unit": tree.company_a.pk, "year": 2026, "export": "xlsx"},
    )
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    # the Chinese file name survives: percent-encoded, not MIME-encoded
    assert export["Content-Disposition"] == "attachment; filename*=utf-8''" + quote(
        f"学时台账-{tree.company_a.name}-2026.xlsx"
    )
    workbook = load_workbook(io.BytesIO(export.content))
    summary = list(workbook.worksheets[0].values)
    names = [row[0] for row in summary[1:] if row and row[0]]
    assert "李红梅" in names and "王建国" not in names
    li = next(row for row in summary if row and row[0] == "李红梅")
    assert 40.0 in li and "是" in li  # 40 of 32 hours: target met
    entries = list(workbook.worksheets[1].values)
    assert [row[0] for row in entries[1:]] == ["李红梅"]
    assert entries[1][5] == "五四集中培训"


def test_another_companys_unit_is_not_found(tree, client_for):
    client = client_for(tree.admin_a)
    response = client.get("/admin/study-hours/", {"unit": tree.company_b.pk})
    assert response.status_code == 404
    assert client_for(tree.member_a.user).get("/admin/study-hours/").status_code in (
        302,
        404,
    )


def test_an_unusable_year_means_this_year(tree, client_for, api_for):
    client = client_for(tree.admin_a)
    for year in ("99999", "0", "abc"):
        page = client.get(
            "/admin/study-hours/", {"unit": tree.company_a.pk, "year": year}
        )
        assert page.status_code == 200, year
        summary = api_for(tree.member_a.user).get("/api/v1/me/study/", {"year": year})
        assert summary.status_code == 200, year
