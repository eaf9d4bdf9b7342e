"""Attendance sheets of offline training: the Excel import (all rows or nothing,
each error naming its row and column), the template and the export."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from org.models import Member, Unit, User
from org.services.excel import (
    Column,
    ImportReport,
    RowError,
    SheetError,
    SheetRow,
    build_workbook,
    cell_text,
    read_rows,
)
from org.services.members import normalise_phone
from org.text import clean_name

from ..models import Attendance, AttendanceMethod, TrainingSession
from .training import _locked, _member_of, _require_manager, in_subtree

#: the sheet format is Chinese by definition: headers are data, not UI text
ATTENDANCE_COLUMNS = [
    Column("employee_no", "工号", aliases=("员工编号", "职工号", "员工号"), width=14),
    Column("real_name", "姓名", aliases=("党员姓名", "参训人员", "参加人员"), width=12),
    Column("phone", "手机号", aliases=("手机", "手机号码", "联系电话"), width=16),
]
ATTENDANCE_NOTES = [
    "每行一名参加人员。填写工号，或填写姓名（同名时请填工号，或同时填手机号区分）。",
    "只能导入本次活动组织单位（含下级组织）的党员。",
    "文件中有任何一行出错时，整个文件都不会导入，并列出每个错误所在的行和列。",
    "同一人重复出现只记一次；已在签到名单中的人员不会重复添加。",
]


@dataclass
class AttendanceImportReport(ImportReport):
    #: rows naming members already on the list (or named twice in the file)
    already: int = 0
    added: list[Member] = field(default_factory=list)


def attendance_template_xlsx() -> bytes:
    return build_workbook(
        ATTENDANCE_COLUMNS, [], title="参加人员", notes=ATTENDANCE_NOTES
    )


class _Finder:
    """Looks up the members a sheet names, in three queries."""

    def __init__(self, rows: list[SheetRow], unit: Unit):
        self.unit = unit
        numbers, names = set(), set()
        for row in rows:
            numbers.add(_employee_no(row))
            names.add(clean_name(row.values.get("real_name")))
        numbers.discard("")
        names.discard("")
        members = Member.objects.select_related("user", "unit")
        self.by_number = {
            m.employee_no: m for m in members.filter(employee_no__in=numbers)
        }
        self.by_name: dict[str, list[Member]] = {}
        self.named_elsewhere: set[str] = set()
        for member in members.filter(user__real_name__in=names):
            if in_subtree(member, unit):
                self.by_name.setdefault(member.user.real_name, []).append(member)
            else:
                self.named_elsewhere.add(member.user.real_name)


def _employee_no(row: SheetRow) -> str:
    return cell_text(row.values.get("employee_no")).replace(" ", "")


def _find_member(row: SheetRow, finder: _Finder, report: ImportReport) -> Member | None:
    def error(key: str, message: str) -> None:
        report.errors.append(RowError(row.number, row.letters.get(key, key), message))

    unit = finder.unit
    number = _employee_no(row)
    name = clean_name(row.values.get("real_name"))
    if number:
        member = finder.by_number.get(number)
        if member is None:
            error(
                "employee_no",
                _("No member has employee number %(value)s.") % {"value": number},
            )
            return None
        if not in_subtree(member, unit):
            error(
                "employee_no",
                _("Employee number %(value)s is not a member of %(unit)s.")
                % {"value": number, "unit": unit.name},
            )
            return None
        if name and clean_name(member.user.real_name) != name:
            error(
                "real_name",
                _("Employee number %(value)s belongs to %(owner)s, not %(name)s.")
                % {"value": number, "owner": member.user.real_name, "name": name},
            )
            return None
        return member
    if not name:
        error("employee_no", _("Give the employee number or the name."))
        return None
    candidates = finder.by_name.get(name, [])
    if not candidates:
        if name in finder.named_elsewhere:
            message = _("%(name)s is not a member of %(unit)s.")
        else:
            message = _("No member of %(unit)s is called %(name)s.")
        error("real_name", message % {"name": name, "unit": unit.name})
        return None
    phone = normalise_phone(cell_text(row.values.get("phone")))
    if phone:
        candidates = [m for m in candidates if m.user.phone == phone]
        if not candidates:
            error(
                "phone",
                _("No member called %(name)s has the phone number %(phone)s.")
                % {"name": name, "phone": phone},
            )
            return None
    if len(candidates) > 1:
        error(
            "real_name",
            _("%(count)s members are called %(name)s: give the employee number (工号).")
            % {"count": len(candidates), "name": name},
        )
        return None
    return candidates[0]


@transaction.atomic
def attendance_import_xlsx(
    *, session: TrainingSession, file, by: User
) -> AttendanceImportReport:
    """Add the members a sheet lists. Any bad row: nothing is imported, and the
    report names the row and the column of every problem."""
    _require_manager(by, session.unit)
    report = AttendanceImportReport()
    try:
        rows = read_rows(file, ATTENDANCE_COLUMNS)
    except SheetError as exc:
        report.errors.append(RowError(0, "", str(exc)))
        return report
    if rows and not {"employee_no", "real_name"} & set(rows[0].letters):
        report.errors.append(
            RowError(0, "", _("The sheet needs a 工号 or a 姓名 column."))
        )
        return report
    if not rows:
        report.errors.append(
            RowError(
                0,
                "",
                _("The sheet has no rows with a 工号 or a 姓名 under its header."),
            )
        )
        return report
    session = _locked(session)
    finder = _Finder(rows, session.unit)
    members: dict[int, Member] = {}
    for row in rows:
        member = _find_member(row, finder, report)
        if member is None:
            continue
        if member.user_id in members:
            report.already += 1
        members[member.user_id] = member
    if report.errors:
        return report
    present = set(
        Attendance.objects.filter(session=session, user_id__in=members).values_list(
            "user_id", flat=True
        )
    )
    report.already += len(present)
    new = [m for user_id, m in members.items() if user_id not in present]
    Attendance.objects.bulk_create(
        [
            Attendance(
                session=session, user_id=m.user_id, method=AttendanceMethod.EXCEL
            )
            for m in new
        ]
    )
    report.created = len(new)
    report.added = new
    return report


def attendance_export_xlsx(*, session: TrainingSession, rows: list) -> bytes:
    """The attendance list (``rows`` from selectors.training.session_attendance)."""
    columns = [
        Column("employee_no", "工号", width=14),
        Column("real_name", "姓名", width=12),
        Column("unit", "所属组织", width=24),
        Column("method", "签到方式", width=12),
        Column("checked_in_at", "签到时间", width=18),
        Column("hours", "学时", width=8),
    ]
    data = []
    for attendance in rows:
        member = _member_of(attendance.user)
        entry = attendance.entry
        data.append(
            [
                member.employee_no if member else "",
                attendance.user.real_name,
                member.unit.name if member else "",
                str(attendance.get_method_display()),
                timezone.localtime(attendance.checked_in_at).strftime("%Y-%m-%d %H:%M"),
                float(entry.hours) if entry else "",
            ]
        )
    return build_workbook(columns, data, title="签到名单")
