import pytest
from django.core.exceptions import ValidationError

from org.models import Member, MemberTransfer, Unit, UnitType
from org.services.members import member_create, member_transfer, member_update
from org.services.units import unit_create, unit_delete, unit_move, unit_update
from tests.factories import make_member, make_unit


def test_units_of_any_depth_in_tree_order(db):
    parent = None
    for depth in range(1, 9):
        parent = make_unit(parent, f"第{depth}级", code=f"D{depth}")
    assert parent.depth == 8
    assert [u.code for u in Unit.objects.order_by("path")] == [
        f"D{i}" for i in range(1, 9)
    ]


def test_siblings_are_ordered_by_sort_order_then_pinyin(db):
    root = make_unit(None, "集团", code="R", unit_type=UnitType.COMMITTEE)
    make_unit(root, "郑州项目部", code="Z", sort_order=1)
    make_unit(root, "安徽项目部", code="AH", sort_order=1)
    make_unit(root, "西安项目部", code="X", sort_order=0)
    names = [u.name for u in Unit.objects.get(code="R").get_children()]
    assert names == ["西安项目部", "安徽项目部", "郑州项目部"]


def test_changing_sort_order_reorders_siblings(db):
    root = make_unit(None, "集团", code="R")
    first = make_unit(root, "甲", code="J", sort_order=1)
    make_unit(root, "乙", code="Y", sort_order=2)
    unit_update(
        unit=first,
        parent=None,
        name="甲",
        code="J",
        unit_type=first.unit_type,
        sort_order=3,
        is_active=True,
    )
    assert [u.code for u in Unit.objects.get(code="R").get_children()] == ["Y", "J"]


def test_moving_a_unit_moves_its_whole_subtree(db):
    root = make_unit(None, "集团", code="R")
    a = make_unit(root, "A", code="A")
    b = make_unit(root, "B", code="B")
    a1 = make_unit(a, "A1", code="A1")
    make_unit(a1, "A1组", code="A1G")
    unit_move(unit=a1, new_parent=b)
    b = Unit.objects.get(code="B")
    assert sorted(u.code for u in b.get_descendants()) == ["A1", "A1G"]
    assert not Unit.objects.get(code="A").get_descendants().exists()


def test_a_unit_cannot_move_under_its_own_descendant(db):
    root = make_unit(None, "集团", code="R")
    a = make_unit(root, "A", code="A")
    a1 = make_unit(a, "A1", code="A1")
    with pytest.raises(ValidationError):
        unit_move(unit=a, new_parent=a1)


def test_unit_codes_are_unique_and_names_are_cleaned(db):
    unit = unit_create(
        parent=None, name="  第一 项目部\u3000", code="Ｘ１", unit_type="branch"
    )
    assert (unit.name, unit.code) == ("第一项目部", "X1")
    with pytest.raises(ValidationError):
        unit_create(parent=None, name="别的", code="X1", unit_type="branch")


def test_units_with_members_or_children_are_not_deleted(tree):
    with pytest.raises(ValidationError):
        unit_delete(unit=tree.company_a)
    with pytest.raises(ValidationError):
        unit_delete(unit=tree.team_a1)
    empty = make_unit(tree.branch_a2, "空党小组")
    unit_delete(unit=empty)
    assert not Unit.objects.filter(pk=empty.pk).exists()


def test_member_gets_account_with_phone_login(db):
    unit = make_unit(None, "支部", code="S")
    member = member_create(
        unit=unit,
        real_name="张 三",
        employee_no="E1",
        phone="139-1234-5678",
        status="full",
    )
    assert member.user.real_name == "张三"
    assert member.user.phone == "13912345678"
    assert member.user.username == "E1"
    assert member.user.must_change_password


def test_bad_phone_and_duplicates_are_refused(db):
    unit = make_unit(None, "支部", code="S")
    make_member(unit, employee_no="E1", phone="13900000001")
    with pytest.raises(ValidationError) as bad:
        member_create(unit=unit, real_name="李四", employee_no="E2", phone="12345")
    assert "phone" in bad.value.message_dict
    with pytest.raises(ValidationError) as dup:
        member_create(
            unit=unit, real_name="李四", employee_no="E1", phone="13900000002"
        )
    assert "employee_no" in dup.value.message_dict
    with pytest.raises(ValidationError) as dup_phone:
        member_create(
            unit=unit, real_name="李四", employee_no="E3", phone="13900000001"
        )
    assert "phone" in dup_phone.value.message_dict


def test_transfer_keeps_history_and_records_who_and_when(tree):
    member = member_transfer(
        member=tree.member_a,
        to_unit=tree.branch_b1,
        by=tree.platform_admin,
        note="调动",
    )
    assert member.unit == tree.branch_b1
    record = MemberTransfer.objects.get(member=member)
    assert (record.from_unit, record.to_unit, record.transferred_by) == (
        tree.team_a1,
        tree.branch_b1,
        tree.platform_admin,
    )
    assert record.transferred_at is not None
    assert Member.objects.get(pk=member.pk).user_id == tree.member_a.user_id


def test_updating_the_unit_is_recorded_as_a_transfer(tree):
    m = tree.member_a
    member_update(
        member=m,
        real_name=m.user.real_name,
        employee_no=m.employee_no,
        phone=m.user.phone,
        status=m.status,
        unit=tree.branch_a2,
        by=tree.admin_a,
    )
    assert MemberTransfer.objects.filter(member=m, to_unit=tree.branch_a2).count() == 1


def test_editor_role_joins_wagtails_editors_group_and_leaves_it(tree):
    from org.services.roles import role_grant, role_revoke

    user = tree.member_a.user
    role_grant(user=user, role="editor", unit=tree.company_a)
    assert user.groups.filter(name="Editors").exists()
    role_revoke(user=user, role="editor", unit=tree.company_a)
    assert not user.groups.filter(name="Editors").exists()
    assert tree.editor.groups.filter(name="Editors").exists()
