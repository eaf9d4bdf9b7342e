import datetime
import io

import pytest
from openpyxl import load_workbook

from org.models import Member, MemberTransfer, Unit
from org.services.exports import members_export_xlsx, members_template_xlsx
from org.services.imports import members_import_xlsx, units_import_xlsx
from tests.factories import MEMBER_HEADERS, xlsx_bytes

HEADERS = MEMBER_HEADERS


def sheet(rows, headers=HEADERS) -> io.BytesIO:
    return io.BytesIO(xlsx_bytes(headers, rows))


def good_row(n=1, unit="A1", **over):
    row = {
        "姓名": f"党员{n}",
        "性别": "男",
        "出生日期": "1985-03-12",
        "入党日期": "2010/7/1",
        "政治面貌": "正式党员",
        "党内职务": "",
        "手机号": f"1370000{n:04d}",
        "工号": f"X{n:04d}",
        "所属单位编码": unit,
    }
    row.update(over)
    return [row[h] for h in HEADERS]


def test_valid_sheet_creates_members_with_cleaned_chinese_text(tree):
    rows = [
        good_row(
            1,
            姓名=" 张\u3000三 ",
            手机号="１３９ ０００ ０１２３４",
            工号="Ｘ０００１ ",
        ),
        good_row(
            2,
            unit="A一项目部党支部",
            性别="女",
            出生日期=datetime.date(1990, 5, 4),
            入党日期="2015年7月1日",
            政治面貌="预备党员",
        ),
        good_row(
            3, unit="A1T1", 出生日期="1988.12.30", 入党日期="", 政治面貌="入党积极分子"
        ),
    ]
    report = members_import_xlsx(file=sheet(rows), by=tree.admin_a)
    assert report.ok, report.errors
    assert (report.created, report.updated) == (3, 0)
    first = Member.objects.get(employee_no="X0001")
    assert first.user.real_name == "张三"
    assert first.user.phone == "13900001234"
    assert first.unit == tree.branch_a1
    second = Member.objects.get(employee_no="X0002")
    assert second.gender == "female"
    assert second.birth_date == datetime.date(1990, 5, 4)
    assert second.joined_party_on == datetime.date(2015, 7, 1)
    assert second.status == "probationary"
    assert Member.objects.get(employee_no="X0003").unit == tree.team_a1


def test_every_bad_cell_is_named_by_row_and_column_and_nothing_is_imported(tree):
    before = Member.objects.count()
    rows = [
        good_row(1),
        good_row(2, 手机号="12345"),  # row 3: bad phone
        good_row(3, 所属单位编码="NOPE"),  # row 4: unknown unit
        good_row(4, 工号="X0001"),  # row 5: duplicate employee no
        good_row(5, 出生日期="1985-13-40"),  # row 6: bad date
        good_row(6, 所属单位编码="B1"),  # row 7: unit outside scope
        good_row(7, 政治面貌="党外人士"),  # row 8: unknown status
    ]
    report = members_import_xlsx(file=sheet(rows), by=tree.admin_a)
    found = {(e.row, e.column.split("（")[0]) for e in report.errors}
    assert found == {
        (3, "手机号"),
        (4, "所属单位编码"),
        (5, "工号"),
        (6, "出生日期"),
        (7, "所属单位编码"),
        (8, "政治面貌"),
    }
    letters = {e.row: e.column for e in report.errors}
    assert letters[3] == "手机号（G）"
    assert Member.objects.count() == before
    assert report.created == 0


def test_reimporting_the_same_sheet_updates_instead_of_duplicating(tree):
    rows = [good_row(1), good_row(2)]
    assert members_import_xlsx(file=sheet(rows), by=tree.admin_a).created == 2
    again = members_import_xlsx(file=sheet(rows), by=tree.admin_a)
    assert (again.created, again.updated) == (0, 0)
    changed = [good_row(1, 党内职务="支部书记"), good_row(2, unit="A2")]
    report = members_import_xlsx(file=sheet(changed), by=tree.admin_a)
    assert (report.created, report.updated) == (0, 2)
    assert Member.objects.filter(employee_no__in=["X0001", "X0002"]).count() == 2
    assert Member.objects.get(employee_no="X0001").post == "支部书记"
    moved = Member.objects.get(employee_no="X0002")
    assert moved.unit == tree.branch_a2
    assert MemberTransfer.objects.filter(member=moved, to_unit=tree.branch_a2).exists()


def test_members_of_another_subtree_cannot_be_overwritten(tree):
    row = good_row(9, 工号=tree.member_b.employee_no, 手机号=tree.member_b.user.phone)
    report = members_import_xlsx(file=sheet([row]), by=tree.admin_a)
    assert [e.row for e in report.errors] == [2]
    tree.member_b.refresh_from_db()
    assert tree.member_b.unit == tree.branch_b1


def test_a_file_that_is_not_excel_is_rejected_clearly(tree):
    report = members_import_xlsx(
        file=io.BytesIO("姓名,工号\n".encode()), by=tree.admin_a
    )
    assert not report.ok
    assert "Excel" in report.errors[0].message


def test_missing_required_columns_are_listed(tree):
    report = members_import_xlsx(
        file=sheet([["张三"]], headers=["姓名"]), by=tree.admin_a
    )
    assert "政治面貌" in report.errors[0].message
    assert "工号" in report.errors[0].message


def test_header_aliases_and_extra_columns_are_accepted(tree):
    headers = [
        "序号",
        "党员姓名",
        "手机号码",
        "员工编号",
        "所属支部",
        "党员类别",
        "备注",
    ]
    rows = [[1, "赵六", "13700005555", "X5555", "A2", "中共党员", "随便写"]]
    report = members_import_xlsx(file=sheet(rows, headers=headers), by=tree.admin_a)
    assert report.ok, report.errors
    assert Member.objects.get(employee_no="X5555").unit == tree.branch_a2


def test_template_has_chinese_headers_and_export_round_trips(tree):
    template = load_workbook(io.BytesIO(members_template_xlsx()))
    assert [c.value for c in template.worksheets[0][1]][:2] == ["姓名*", "性别"]
    assert "填写说明" in template.sheetnames
    members_import_xlsx(file=sheet([good_row(1), good_row(2)]), by=tree.admin_a)
    exported = members_export_xlsx(
        members=Member.objects.filter(unit__path__startswith=tree.company_a.path)
    )
    report = members_import_xlsx(file=io.BytesIO(exported), by=tree.admin_a)
    assert report.ok, report.errors
    assert (report.created, report.updated) == (0, 0)


UNIT_HEADERS = ["单位编码", "单位名称", "上级单位编码", "单位类型", "排序"]


def test_units_import_builds_a_subtree_in_any_row_order(tree):
    rows = [
        ["A3G1", "第一党小组", "A3", "党小组", 1],
        ["A3", "A三项目部党支部", "A", "党支部", 3],
    ]
    report = units_import_xlsx(file=sheet(rows, UNIT_HEADERS), by=tree.admin_a)
    assert report.ok, report.errors
    assert Unit.objects.get(code="A3G1").get_parent().code == "A3"
    assert Unit.objects.get(code="A3").get_parent() == tree.company_a


@pytest.mark.parametrize(
    ("row", "column"),
    [
        (["B9", "越权支部", "B", "党支部", 1], "上级单位编码"),
        (["X1", "无类型支部", "A", "大队", 1], "单位类型"),
        (["B1", "改名", "A", "党支部", 1], "单位编码"),
        (["X2", "无上级", "", "党支部", 1], "上级单位编码"),
    ],
)
def test_units_import_errors_name_the_column(tree, row, column):
    report = units_import_xlsx(file=sheet([row], UNIT_HEADERS), by=tree.admin_a)
    assert [e.column.split("（")[0] for e in report.errors] == [column]
    assert not Unit.objects.filter(
        name__in=["越权支部", "无类型支部", "无上级"]
    ).exists()
    assert Unit.objects.get(code="B1").name == "B一项目部党支部"


def test_units_import_detects_loops(tree):
    rows = [["L1", "甲", "L2", "党支部", 1], ["L2", "乙", "L1", "党支部", 1]]
    report = units_import_xlsx(file=sheet(rows, UNIT_HEADERS), by=tree.platform_admin)
    assert not report.ok
    assert not Unit.objects.filter(code__in=["L1", "L2"]).exists()
