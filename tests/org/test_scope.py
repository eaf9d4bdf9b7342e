import pytest
from django.http import Http404

from org import scope
from org.models import Member, Unit


def codes(units):
    return sorted(u.code for u in units)


def test_unit_admin_manages_exactly_their_subtree(tree):
    assert codes(scope.managed_units(tree.admin_a)) == ["A", "A1", "A1T1", "A2"]
    assert codes(scope.managed_units(tree.admin_b)) == ["B", "B1"]


def test_subtree_is_one_query(tree, django_assert_num_queries):
    user = type(tree.admin_a).objects.get(pk=tree.admin_a.pk)
    with django_assert_num_queries(2):  # role lookup + the subtree itself
        list(scope.managed_units(user))


def test_platform_admin_sees_everything(tree):
    assert scope.managed_units(tree.platform_admin).count() == Unit.objects.count()
    assert scope.visible_members(tree.platform_admin).count() == Member.objects.count()


def test_plain_member_sees_own_unit_chain_and_only_self(tree):
    user = tree.member_a.user
    assert codes(scope.visible_units(user)) == ["A", "A1", "A1T1", "G"]
    assert list(scope.visible_members(user)) == [tree.member_a]
    assert not scope.managed_units(user).exists()
    assert not scope.can_manage_org(user)


def test_other_subtree_is_not_found_not_forbidden(tree):
    with pytest.raises(Http404):
        scope.access_unit(user=tree.admin_a, unit_id=tree.branch_b1.pk)
    with pytest.raises(Http404):
        scope.access_member(user=tree.admin_a, member_id=tree.member_b.pk)
    with pytest.raises(Http404):
        scope.access_unit(user=tree.admin_a, unit_id="not-a-number")


def test_admin_can_see_but_not_change_units_above_their_own(tree):
    # admin_a is a member of company A itself, so A's parent chain is visible ...
    assert scope.access_unit(user=tree.admin_a, unit_id=tree.group.pk) == tree.group
    # ... but the group unit is not theirs to change.
    with pytest.raises(Http404):
        scope.access_unit(user=tree.admin_a, unit_id=tree.group.pk, for_change=True)


def test_editor_and_examiner_do_not_manage_members(tree):
    for user in (tree.editor, tree.examiner):
        assert not scope.can_manage_org(user)
        assert not scope.managed_members(user).exists()


def test_moving_a_unit_moves_its_subtree_into_the_new_scope(tree):
    from org.services.units import unit_move

    unit_move(unit=tree.branch_a1, new_parent=tree.company_b)
    assert codes(scope.managed_units(tree.admin_b)) == ["A1", "A1T1", "B", "B1"]
    assert tree.member_a in scope.managed_members(tree.admin_b)
    assert tree.member_a not in scope.managed_members(tree.admin_a)
