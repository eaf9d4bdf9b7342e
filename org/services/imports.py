"""Importing members and units from Excel.

Every row is checked first; a file with any error imports nothing and the report
names the row and the column of each problem. Re-importing the same sheet updates
what it created instead of duplicating it.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from org import scope
from org.models import Member, Unit, User

from .excel import (
    ImportReport,
    RowError,
    SheetError,
    SheetRow,
    cell_text,
    parse_date,
    read_rows,
)
from .members import PHONE_RE, member_create, member_update, normalise_phone
from .sheet_columns import (
    GENDER_WORDS,
    MEMBER_COLUMNS,
    STATUS_WORDS,
    UNIT_COLUMNS,
    UNIT_TYPE_WORDS,
)
from .units import unit_create, unit_update

Progress = Callable[[int], None]


def _noop(_percent: int) -> None:
    pass


class _UnitResolver:
    """Finds a unit by code or full name among the units the importer manages."""

    def __init__(self, user: User):
        self.by_code: dict[str, Unit] = {}
        self.by_name: dict[str, list[Unit]] = {}
        for unit in scope.managed_units(user):
            self.by_code[unit.code] = unit
            self.by_name.setdefault(unit.name, []).append(unit)

    def find(self, text: str) -> Unit | None:
        if text in self.by_code:
            return self.by_code[text]
        named = self.by_name.get(text, [])
        return named[0] if len(named) == 1 else None


def _file_error(report: ImportReport, message: str) -> ImportReport:
    report.errors.append(RowError(row=0, column="", message=message))
    return report


def _read(file, columns, report: ImportReport) -> list[SheetRow] | None:
    try:
        rows = read_rows(file, columns)
    except SheetError as exc:
        _file_error(report, str(exc))
        return None
    if not rows:
        _file_error(report, _("The sheet has no data rows."))
        return None
    return rows


@dataclass
class _MemberRow:
    number: int
    fields: dict
    existing: Member | None


def _parse_member_row(
    row: SheetRow, ctx: dict, report: ImportReport
) -> _MemberRow | None:
    def error(key: str, message: str) -> None:
        report.errors.append(RowError(row.number, row.letters.get(key, key), message))

    v = {key: cell_text(value) for key, value in row.values.items()}
    count_before = len(report.errors)
    fields: dict = {"real_name": v.get("real_name", ""), "post": v.get("post", "")}
    if not fields["real_name"]:
        error("real_name", _("The name is empty."))

    gender = v.get("gender", "")
    fields["gender"] = GENDER_WORDS.get(
        gender.upper() if gender.isascii() else gender, ""
    )
    if gender and not fields["gender"]:
        error(
            "gender", _("Gender must be 男 or 女, not “%(value)s”.") % {"value": gender}
        )

    for key in ("birth_date", "joined_party_on"):
        try:
            fields[key] = parse_date(row.values.get(key))
        except ValueError:
            error(key, _("“%(value)s” is not a valid date.") % {"value": v.get(key)})

    status = v.get("status", "").replace(" ", "")
    fields["status"] = STATUS_WORDS.get(status)
    if not fields["status"]:
        error("status", _("Unknown political status “%(value)s”.") % {"value": status})

    phone = normalise_phone(v.get("phone", ""))
    fields["phone"] = phone
    if not PHONE_RE.match(phone):
        error(
            "phone",
            _("“%(value)s” is not an 11-digit mobile number.")
            % {"value": v.get("phone", "")},
        )
    elif phone in ctx["phones_in_file"]:
        error(
            "phone",
            _("Phone %(value)s also appears in row %(row)s.")
            % {"value": phone, "row": ctx["phones_in_file"][phone]},
        )
    else:
        ctx["phones_in_file"][phone] = row.number

    employee_no = v.get("employee_no", "").replace(" ", "")
    fields["employee_no"] = employee_no
    existing = ctx["existing"].get(employee_no)
    if not employee_no:
        error("employee_no", _("The employee number is empty."))
    elif employee_no in ctx["employees_in_file"]:
        error(
            "employee_no",
            _("Employee number %(value)s also appears in row %(row)s.")
            % {"value": employee_no, "row": ctx["employees_in_file"][employee_no]},
        )
    else:
        ctx["employees_in_file"][employee_no] = row.number
        if existing is not None and existing.pk not in ctx["managed_ids"]:
            error(
                "employee_no",
                _("Employee number %(value)s belongs to a member outside your units.")
                % {"value": employee_no},
            )

    owner = ctx["phone_owners"].get(phone)
    if owner is not None and (existing is None or owner != existing.user_id):
        error(
            "phone",
            _("Phone %(value)s is already used by another account.") % {"value": phone},
        )

    unit = ctx["units"].find(v.get("unit", ""))
    fields["unit"] = unit
    if unit is None:
        error(
            "unit",
            _("Unknown unit “%(value)s” (it does not exist or is outside your units).")
            % {"value": v.get("unit", "")},
        )

    if len(report.errors) > count_before:
        return None
    return _MemberRow(number=row.number, fields=fields, existing=existing)


def _member_changed(member: Member, fields: dict) -> bool:
    user = member.user
    return any(
        [
            user.real_name != fields["real_name"],
            (user.phone or "") != fields["phone"],
            member.unit_id != fields["unit"].pk,
            *(
                getattr(member, k) != fields[k]
                for k in ("gender", "birth_date", "joined_party_on", "status", "post")
            ),
        ]
    )


def members_import_xlsx(*, file, by: User, progress: Progress = _noop) -> ImportReport:
    report = ImportReport()
    rows = _read(file, MEMBER_COLUMNS, report)
    if rows is None:
        return report
    employee_nos = [
        cell_text(r.values.get("employee_no")).replace(" ", "") for r in rows
    ]
    phones = [normalise_phone(cell_text(r.values.get("phone"))) for r in rows]
    existing = {
        m.employee_no: m
        for m in Member.objects.filter(employee_no__in=employee_nos).select_related(
            "user"
        )
    }
    ctx = {
        "units": _UnitResolver(by),
        "existing": existing,
        "managed_ids": set(
            scope.managed_members(by)
            .filter(employee_no__in=employee_nos)
            .values_list("pk", flat=True)
        ),
        "phone_owners": dict(
            User.objects.filter(phone__in=phones).values_list("phone", "pk")
        ),
        "phones_in_file": {},
        "employees_in_file": {},
    }
    parsed = [_parse_member_row(row, ctx, report) for row in rows]
    progress(10)
    if not report.ok:
        return report
    with transaction.atomic():
        for index, item in enumerate(parsed, start=1):
            try:
                if item.existing is None:
                    member_create(**item.fields, by=by)
                    report.created += 1
                elif _member_changed(item.existing, item.fields):
                    member_update(member=item.existing, **item.fields, by=by)
                    report.updated += 1
            except ValidationError as exc:
                report.errors.append(RowError(item.number, "", "；".join(exc.messages)))
            if index % 50 == 0:
                progress(10 + 90 * index // len(parsed))
        if not report.ok:
            transaction.set_rollback(True)
            report.created = report.updated = 0
    progress(100)
    return report


@dataclass
class _UnitRow:
    number: int
    code: str
    name: str
    parent_code: str
    unit_type: str
    sort_order: int


def _parse_unit_rows(rows, by: User, report: ImportReport) -> list[_UnitRow]:
    parsed: list[_UnitRow] = []
    codes_in_file: dict[str, int] = {}
    for row in rows:
        v = {key: cell_text(value) for key, value in row.values.items()}
        errors_before = len(report.errors)

        def error(key: str, message: str, row=row) -> None:
            report.errors.append(
                RowError(row.number, row.letters.get(key, key), message)
            )

        code = v.get("code", "").replace(" ", "")
        if not code:
            error("code", _("The unit code is empty."))
        elif code in codes_in_file:
            error(
                "code",
                _("Unit code %(value)s also appears in row %(row)s.")
                % {"value": code, "row": codes_in_file[code]},
            )
        else:
            codes_in_file[code] = row.number
        if not v.get("name"):
            error("name", _("The unit name is empty."))
        unit_type = UNIT_TYPE_WORDS.get(v.get("unit_type", "").replace(" ", ""))
        if unit_type is None:
            error(
                "unit_type",
                _("Unknown unit type “%(value)s”.") % {"value": v.get("unit_type", "")},
            )
        sort_text = v.get("sort_order", "") or "0"
        if not sort_text.isdigit():
            error("sort_order", _("The sort order must be a whole number."))
        if len(report.errors) == errors_before:
            parsed.append(
                _UnitRow(
                    row.number,
                    code,
                    v["name"],
                    v.get("parent", "").replace(" ", ""),
                    unit_type,
                    int(sort_text),
                )
            )
    return parsed


def units_import_xlsx(*, file, by: User, progress: Progress = _noop) -> ImportReport:
    report = ImportReport()
    rows = _read(file, UNIT_COLUMNS, report)
    if rows is None:
        return report
    parsed = _parse_unit_rows(rows, by, report)
    managed = {u.code: u for u in scope.managed_units(by)}
    in_file = {r.code: r for r in parsed}
    outside = set(
        Unit.objects.filter(code__in=in_file)
        .exclude(code__in=managed)
        .values_list("code", flat=True)
    )
    platform_admin = scope.is_platform_admin(by)
    for r in parsed:
        if r.code in outside:
            report.errors.append(
                RowError(
                    r.number,
                    "单位编码",
                    _("Unit code %(value)s belongs to a unit outside your units.")
                    % {"value": r.code},
                )
            )
        if not r.parent_code and not platform_admin and r.code not in managed:
            report.errors.append(
                RowError(r.number, "上级单位编码", _("Enter the parent unit code."))
            )
        if (
            r.parent_code
            and r.parent_code not in managed
            and r.parent_code not in in_file
        ):
            report.errors.append(
                RowError(
                    r.number,
                    "上级单位编码",
                    _(
                        "Unknown parent unit “%(value)s” (it does not exist or is "
                        "outside your units)."
                    )
                    % {"value": r.parent_code},
                )
            )
        if r.parent_code == r.code:
            report.errors.append(
                RowError(
                    r.number, "上级单位编码", _("A unit cannot be its own parent.")
                )
            )
    if not report.ok:
        return report
    progress(10)
    with transaction.atomic():
        try:
            _write_units(parsed, managed, by, report)
        except ValidationError as exc:
            report.errors.append(RowError(0, "", "；".join(exc.messages)))
        if not report.ok:
            transaction.set_rollback(True)
            report.created = report.updated = 0
    progress(100)
    return report


def _write_units(parsed, managed, by, report: ImportReport) -> None:
    """Write parents before children; rows whose parents never resolve form a cycle."""
    done: dict[str, Unit] = dict(managed)
    pending = list(parsed)
    while pending:
        ready = [
            r
            for r in pending
            if not r.parent_code
            or (
                r.parent_code in done and r.parent_code not in {p.code for p in pending}
            )
        ]
        if not ready:
            for r in pending:
                report.errors.append(
                    RowError(
                        r.number, "上级单位编码", _("The parent units form a loop.")
                    )
                )
            return
        for r in ready:
            parent = done.get(r.parent_code) if r.parent_code else None
            existing = managed.get(r.code)
            fields = {
                "name": r.name,
                "code": r.code,
                "unit_type": r.unit_type,
                "sort_order": r.sort_order,
            }
            try:
                if existing is None:
                    done[r.code] = unit_create(parent=parent, **fields, by=by)
                    report.created += 1
                else:
                    done[r.code] = unit_update(
                        unit=existing,
                        parent=parent,
                        is_active=existing.is_active,
                        **fields,
                        by=by,
                    )
                    report.updated += 1
            except ValidationError as exc:
                report.errors.append(RowError(r.number, "", "；".join(exc.messages)))
        pending = [r for r in pending if r not in ready]
