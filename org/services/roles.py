"""Granting and revoking roles."""

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from org.models import Role, RoleAssignment, Unit, User
from org.scope import forget_roles

# Wagtail decides page and collection permissions by Django group. A role joins the
# groups Wagtail's initial data created: editors write pages and submit them for
# moderation; publishing stays with moderators and platform administrators.
ROLE_GROUPS = {
    Role.EDITOR: ["Editors"],
}


def _sync_groups(user: User, role: str) -> None:
    names = ROLE_GROUPS.get(role, [])
    if not names:
        return
    groups = Group.objects.filter(name__in=names)
    if RoleAssignment.objects.filter(user=user, role=role).exists():
        user.groups.add(*groups)
    else:
        user.groups.remove(*groups)


@transaction.atomic
def role_grant(
    *, user: User, role: str, unit: Unit | None, by: User | None = None
) -> RoleAssignment:
    if role == Role.PLATFORM_ADMIN and unit is not None:
        raise ValidationError(_("A platform administrator is not tied to a unit."))
    if role != Role.PLATFORM_ADMIN and unit is None:
        raise ValidationError(_("Choose the unit this role applies to."))
    assignment, _created = RoleAssignment.objects.get_or_create(
        user=user, role=role, unit=unit, defaults={"granted_by": by}
    )
    if role == Role.PLATFORM_ADMIN and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    _sync_groups(user, role)
    forget_roles(user)
    return assignment


@transaction.atomic
def role_change(
    *, assignment: RoleAssignment, role: str, unit: Unit | None, by: User | None = None
) -> RoleAssignment:
    """Replace one grant by another (the admin's "edit")."""
    user, old_role = assignment.user, assignment.role
    assignment.delete()
    _sync_groups(user, old_role)
    return role_grant(user=user, role=role, unit=unit, by=by)


@transaction.atomic
def role_revoke(*, user: User, role: str, unit: Unit | None) -> None:
    RoleAssignment.objects.filter(user=user, role=role, unit=unit).delete()
    _sync_groups(user, role)
    forget_roles(user)
