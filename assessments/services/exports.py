"""Boards as an Excel sheet, for the 党务工作者's reports."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook

from courses.services.exports import styled_sheet

from ..selectors.boards import MemberBoard, UnitBoard


def board_workbook(*, board: MemberBoard | UnitBoard, metric_label: str) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    title = f"{board.unit.name} {board.period.label}"
    if isinstance(board, UnitBoard):
        sheet = styled_sheet(
            workbook,
            _("Units"),
            [
                _("Rank"),
                _("Unit"),
                _("Members"),
                _("Participants"),
                _("Participation (%)"),
                metric_label,
                _("Per capita"),
            ],
            [8, 28, 10, 10, 14, 12, 12],
        )
        for row in board.rows:
            sheet.append(
                [
                    row.rank,
                    row.unit.name,
                    row.members,
                    row.participants,
                    float(row.participation),
                    float(row.total),
                    float(row.per_capita),
                ]
            )
    else:
        sheet = styled_sheet(
            workbook,
            _("Members"),
            [_("Rank"), _("Name"), _("Unit"), metric_label],
            [8, 14, 28, 12],
        )
        for row in board.rows:
            sheet.append([row.rank, row.name, row.unit, float(row.value)])
    sheet.title = sheet.title[:31]
    workbook.properties.title = title
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
