"""Reads of organisation data, always starting from org.scope."""

from django.db.models import Count, Q, QuerySet

from . import scope
from .models import Member, MemberTransfer, Unit, User
from .text import pinyin_query


def profile_for(*, user: User) -> dict:
    member = (
        Member.objects.select_related("unit").filter(user=user).first()
        if user.is_authenticated
        else None
    )
    unit_path = [*member.unit.get_ancestors(), member.unit] if member else []
    transfers = (
        MemberTransfer.objects.filter(member=member).select_related(
            "from_unit", "to_unit"
        )
        if member
        else MemberTransfer.objects.none()
    )
    return {
        "member": member,
        "unit_path": unit_path,
        "transfers": transfers,
        "roles": sorted(scope.roles_of(user)),
        "role_assignments": user.roles.select_related("unit"),
    }


def units_with_member_counts(*, user: User) -> QuerySet[Unit]:
    """Visible units in tree order, each with its own and its subtree's member count."""
    units = scope.visible_units(user).order_by("path")
    return units.annotate(member_count=Count("members", distinct=True))


def subtree_member_count(*, unit: Unit) -> int:
    return Member.objects.filter(unit__path__startswith=unit.path).count()


def members_search(*, user: User, query: str = "", unit: Unit | None = None):
    members = scope.visible_members(user).select_related("user", "unit")
    if unit is not None:
        members = members.filter(unit__path__startswith=unit.path)
    if query:
        members = members.filter(
            Q(user__real_name__icontains=query)
            | Q(employee_no__icontains=query)
            | Q(user__phone__icontains=query)
            | Q(name_pinyin__icontains=pinyin_query(query))
        )
    return members.order_by("name_pinyin", "employee_no")
