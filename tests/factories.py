"""Test data built through the services, so tests exercise the real write path."""

import io
import itertools

from openpyxl import Workbook

from org.models import PoliticalStatus, Unit, UnitType
from org.services.members import member_create
from org.services.units import unit_create

_numbers = itertools.count(1)

PASSWORD = "Test-pass-2026"


def make_unit(
    parent: Unit | None,
    name: str,
    *,
    code: str | None = None,
    unit_type: str = UnitType.BRANCH,
    sort_order: int = 0,
) -> Unit:
    return unit_create(
        parent=parent,
        name=name,
        code=code or f"U{next(_numbers):05d}",
        unit_type=unit_type,
        sort_order=sort_order,
    )


def make_member(
    unit: Unit, name: str = "张三", *, password: str | None = PASSWORD, **fields
):
    number = next(_numbers)
    fields.setdefault("employee_no", f"E{number:05d}")
    fields.setdefault("phone", f"139{number:08d}")
    fields.setdefault("status", PoliticalStatus.FULL)
    return member_create(unit=unit, real_name=name, password=password, **fields)


MEMBER_HEADERS = [
    "姓名",
    "性别",
    "出生日期",
    "入党日期",
    "政治面貌",
    "党内职务",
    "手机号",
    "工号",
    "所属单位编码",
]


def xlsx_bytes(headers: list[str], rows: list[list[object]]) -> bytes:
    """An Excel sheet: a header row, then the rows, as the importers read it."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def root_collection():
    """Wagtail's root collection; a flush by a live-server test (transactional)
    removes the one its migration made, so make it again when it is missing."""
    from wagtail.models import Collection

    return Collection.get_first_root_node() or Collection.add_root(name="Root")
