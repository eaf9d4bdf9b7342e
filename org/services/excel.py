"""Reading and writing the Excel sheets 党务工作者 already keep.

Columns are described once (``Column``) and shared by the template, the import and
the export, so the three always agree.
"""

import datetime
import io
import re
import zipfile
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from org.text import clean


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    width: int = 14
    note: str = ""

    def matches(self, header: str) -> bool:
        return header == self.header or header in self.aliases


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}

    def __str__(self) -> str:
        where = _("row %(row)s") % {"row": self.row} if self.row else _("file")
        if self.column:
            where += _(", column %(column)s") % {"column": self.column}
        return f"{where}: {self.message}"


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class SheetError(Exception):
    """The file as a whole cannot be read (not Excel, no header, missing columns)."""


@dataclass
class SheetRow:
    number: int  # the row number people see in Excel
    values: dict[str, object]
    letters: dict[str, str]


def _header_text(value) -> str:
    return clean(value).replace("*", "").replace(" ", "")


def read_rows(file, columns: list[Column]) -> list[SheetRow]:
    """The data rows of the first sheet, keyed by column key. Blank rows are skipped."""
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise SheetError(_("This is not an Excel (.xlsx) file.")) from exc
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if not header or not any(header):
            raise SheetError(_("The first row must hold the column headers."))
        positions: dict[str, int] = {}
        for index, cell in enumerate(header):
            text = _header_text(cell)
            for column in columns:
                if column.key not in positions and column.matches(text):
                    positions[column.key] = index
        missing = [c.header for c in columns if c.required and c.key not in positions]
        if missing:
            raise SheetError(
                _("Required columns are missing: %(columns)s")
                % {"columns": "、".join(missing)}
            )
        by_key = {c.key: c for c in columns}
        letters = {
            key: f"{by_key[key].header}（{get_column_letter(i + 1)}）"
            for key, i in positions.items()
        }
        result = []
        for number, values in enumerate(rows, start=2):
            picked = {
                key: (values[i] if i < len(values) else None)
                for key, i in positions.items()
            }
            if all(clean(v) == "" for v in picked.values()):
                continue
            result.append(SheetRow(number=number, values=picked, letters=letters))
        return result
    finally:
        workbook.close()


_DATE_PATTERNS = [
    re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
    re.compile(r"^(\d{4})[-/.年](\d{1,2})月?$"),
]


def parse_date(value) -> datetime.date | None:
    """Dates as Excel stores them or as people type them; None when blank.

    Raises ValueError for anything unreadable or implausible.
    """
    if value is None or clean(value) == "":
        return None
    if isinstance(value, datetime.datetime):
        result = value.date()
    elif isinstance(value, datetime.date):
        result = value
    else:
        text = clean(value).replace(" ", "")
        if isinstance(value, float) and value.is_integer():
            text = str(int(value))
        for pattern in _DATE_PATTERNS:
            match = pattern.match(text)
            if match:
                parts = [int(p) for p in match.groups()] + [1]
                result = datetime.date(parts[0], parts[1], parts[2])
                break
        else:
            raise ValueError(text)
    if not datetime.date(1900, 1, 1) <= result <= datetime.date.today():  # noqa: DTZ011
        raise ValueError(str(result))
    return result


def cell_text(value) -> str:
    """Cell content as text; 13800138000.0 from a number cell loses its '.0'."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean(value)


HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="C0392B")


def build_workbook(
    columns: list[Column],
    rows: list[list[object]],
    *,
    title: str,
    notes: list[str] | None = None,
) -> bytes:
    """An .xlsx with a styled header, dropdowns for choice columns, and notes."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append([c.header + ("*" if c.required else "") for c in columns])
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(horizontal="center")
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = column.width
        if column.choices:
            validation = DataValidation(
                type="list",
                formula1='"' + ",".join(column.choices) + '"',
                allow_blank=not column.required,
            )
            validation.add(f"{letter}2:{letter}5000")
            sheet.add_data_validation(validation)
    for row in rows:
        sheet.append(row)
    sheet.freeze_panes = "A2"
    if notes:
        help_sheet = workbook.create_sheet("填写说明")
        help_sheet.column_dimensions["A"].width = 100
        for line in notes:
            help_sheet.append([line])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
