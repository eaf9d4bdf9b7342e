"""Test data built through the services, so tests exercise the real write path."""

import importlib
import io
import itertools

from django.apps import apps
from django.conf import settings
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


def home_page_ensure():
    """The home page and default site that cms/migrations/0002 creates.

    Transactional tests (the live server needs one) end with a flush that also
    drops what data migrations made, so whichever runs after another such test
    finds no Wagtail tree. Rebuild it when it is missing.
    """
    # imported here: the search conformance suite loads this module under
    # settings without Wagtail
    from wagtail.coreutils import get_supported_content_language_variant
    from wagtail.models import Locale, Page, Site

    from cms.models import HomePage

    locale, _ = Locale.objects.get_or_create(
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
    )
    root = Page.get_first_root_node() or Page.add_root(
        instance=Page(title="Root", slug="root", locale=locale)
    )
    home = HomePage.objects.first() or root.add_child(
        instance=HomePage(title="智学", slug="home", locale=locale)
    )
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "root_page": home, "site_name": "智学"},
    )
    return home


def points_rules_ensure() -> None:
    """The default 积分 rules of courses/migrations/0003 (gone after a flush)."""
    migration = importlib.import_module("courses.migrations.0003_default_rules")
    migration.add_defaults(apps, None)
