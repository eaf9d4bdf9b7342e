"""Excel templates and exports (the export re-imports as it is)."""

from django.db.models import QuerySet

from org.models import Member, Unit

from .excel import build_workbook
from .sheet_columns import (
    GENDER_LABELS,
    MEMBER_COLUMNS,
    MEMBER_EXPORT_EXTRA,
    MEMBER_NOTES,
    STATUS_LABELS,
    UNIT_COLUMNS,
    UNIT_NOTES,
    UNIT_TYPE_LABELS,
)


def members_template_xlsx() -> bytes:
    return build_workbook(MEMBER_COLUMNS, [], title="党员信息", notes=MEMBER_NOTES)


def units_template_xlsx() -> bytes:
    return build_workbook(UNIT_COLUMNS, [], title="组织机构", notes=UNIT_NOTES)


def _date(value) -> str:
    return value.isoformat() if value else ""


def members_export_xlsx(*, members: QuerySet[Member]) -> bytes:
    rows = [
        [
            m.user.real_name,
            GENDER_LABELS.get(m.gender, ""),
            _date(m.birth_date),
            _date(m.joined_party_on),
            STATUS_LABELS.get(m.status, ""),
            m.post,
            m.user.phone or "",
            m.employee_no,
            m.unit.code,
            m.unit.name,
        ]
        for m in members.select_related("user", "unit").order_by(
            "unit__path", "name_pinyin", "employee_no"
        )
    ]
    return build_workbook(
        MEMBER_COLUMNS + MEMBER_EXPORT_EXTRA, rows, title="党员信息", notes=MEMBER_NOTES
    )


def units_export_xlsx(*, units: QuerySet[Unit]) -> bytes:
    units = list(units.order_by("path"))
    codes_by_path = {
        u.path: u.code
        for u in Unit.objects.filter(
            path__in={u.path[: -Unit.steplen] for u in units if u.depth > 1}
        )
    }
    rows = [
        [
            u.code,
            u.name,
            codes_by_path.get(u.path[: -Unit.steplen], "") if u.depth > 1 else "",
            UNIT_TYPE_LABELS.get(u.unit_type, ""),
            u.sort_order,
        ]
        for u in units
    ]
    return build_workbook(UNIT_COLUMNS, rows, title="组织机构", notes=UNIT_NOTES)
