"""An exam's results and item analysis as an Excel workbook (成绩表)."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import PatternFill

from courses.services.exports import styled_sheet

from ..models import Exam
from ..selectors.results import ItemStats, ResultRow, UnitRow

FLAG_FILL = PatternFill("solid", fgColor="FDECEC")


def results_workbook(
    *,
    exam: Exam,
    rows: list[ResultRow],
    items: list[ItemStats],
    units: list[UnitRow],
) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    results = styled_sheet(
        workbook,
        _("Results"),
        [_("Rank"), _("Name"), _("Employee number"), _("Unit"), _("Attempts"),
         _("Grade"), _("Result"), _("Minutes used"), _("Marks pending"),
         _("Left the page")],
        [8, 14, 16, 30, 8, 10, 10, 10, 10, 10],
    )  # fmt: skip
    for row in rows:
        if row.grade is None:
            verdict = _("Absent")
        else:
            verdict = _("Passed") if row.passed else _("Not passed")
        results.append(
            [
                row.rank,
                row.member.user.display_name,
                row.member.employee_no,
                row.member.unit.name,
                row.attempts,
                float(row.grade) if row.grade is not None else None,
                verdict,
                round(row.seconds_used / 60, 1) if row.seconds_used else None,
                row.pending_marks or None,
                row.left_page or None,
            ]
        )
    by_unit = styled_sheet(
        workbook,
        _("By unit"),
        [_("Unit"), _("Members"), _("Sat the exam"), _("Participation"),
         _("Passed"), _("Pass rate"), _("Average grade")],
        [30, 10, 10, 10, 10, 10, 10],
    )  # fmt: skip
    for unit_row in units:
        summary = unit_row.summary
        by_unit.append(
            [
                unit_row.unit.name,
                summary.members,
                summary.sat,
                round(summary.participation, 3),
                summary.passed,
                round(summary.pass_rate, 3),
                float(summary.average) if summary.average is not None else None,
            ]
        )
    analysis = styled_sheet(
        workbook,
        _("Item analysis"),
        [_("Question"), _("Type"), _("Attempts"), _("Facility"),
         _("Discrimination"), _("Options chosen"), _("Unanswered"), _("Flag")],
        [40, 10, 8, 10, 12, 30, 10, 10],
    )  # fmt: skip
    for item in items:
        analysis.append(
            [
                item.question.name or f"#{item.question.pk}",
                str(item.question.get_type_display()),
                item.attempts,
                round(item.facility, 3) if item.facility is not None else None,
                round(item.discrimination, 3)
                if item.discrimination is not None
                else None,
                "  ".join(f"{key}: {count}" for key, count in item.options.items()),
                item.unanswered,
                _("Check") if item.flagged else "",
            ]
        )
        if item.flagged:
            for cell in analysis[analysis.max_row]:
                cell.fill = FLAG_FILL
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
