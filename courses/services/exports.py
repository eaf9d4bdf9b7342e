"""The 学时台账 as an Excel workbook: a summary per member and every entry."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from ..models import StudyKind
from ..reports import UnitHoursReport, unit_ledger_entries

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="C8161D")
BEHIND_FILL = PatternFill("solid", fgColor="FDECEC")


def styled_sheet(workbook, title: str, headers: list[str], widths: list[int]):
    """A new sheet with the platform's header row (white on red, centred,
    frozen) and the column widths."""
    sheet = workbook.create_sheet(title)
    sheet.append(headers)
    for index, width in enumerate(widths, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(horizontal="center")
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    return sheet


def ledger_workbook(*, report: UnitHoursReport) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    kinds = list(StudyKind)
    summary = styled_sheet(
        workbook,
        _("Summary"),
        [_("Name"), _("Employee number"), _("Unit"), _("Party post")]
        + [str(kind.label) for kind in kinds]
        + [_("Total"), _("Target"), _("Target met")],
        [10, 14, 24, 12] + [12] * len(kinds) + [10, 10, 10],
    )
    for row in report.rows:
        member = row.member
        summary.append(
            [member.user.real_name, member.employee_no, member.unit.name, member.post]
            + [float(row.by_kind.get(kind.value, 0)) for kind in kinds]
            + [float(row.total), float(row.target), _("Yes") if row.met else _("No")]
        )
        if not row.met:
            for cell in summary[summary.max_row]:
                cell.fill = BEHIND_FILL
    summary.append([])
    summary.append(
        [
            _("%(unit)s, %(year)s: %(met)s of %(count)s members met the target "
              "(%(rate)s), average %(average)s hours")
            % {
                "unit": report.unit.name,
                "year": report.year,
                "met": report.met_count,
                "count": len(report.rows),
                "rate": f"{report.met_rate:.0%}",
                "average": report.average,
            }
        ]
    )  # fmt: skip
    entries = styled_sheet(
        workbook,
        _("Entries"),
        [_("Name"), _("Unit"), _("Date"), _("Kind"), _("Hours"), _("Source"),
         _("Note"), _("Recorded by"), _("Corrects entry")],
        [10, 24, 12, 12, 8, 40, 24, 10, 10],
    )  # fmt: skip
    for entry in unit_ledger_entries(report=report):
        entries.append(
            [
                entry.user.real_name,
                entry.user.member.unit.name,
                entry.studied_on,
                str(entry.get_kind_display()),
                float(entry.hours),
                entry.source,
                entry.note,
                entry.recorded_by.real_name if entry.recorded_by else _("System"),
                entry.corrects_id or "",
            ]
        )
        entries.cell(row=entries.max_row, column=3).number_format = "yyyy-mm-dd"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
