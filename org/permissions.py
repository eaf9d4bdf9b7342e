"""Wagtail permission policies that defer to org.scope."""

from wagtail.permission_policies.base import BasePermissionPolicy

from . import scope
from .models import Member, RoleAssignment, User


class ScopedPermissionPolicy(BasePermissionPolicy):
    """Unit admins may act on what lies in their subtrees, and nothing else."""

    #: actions this policy never allows through the admin
    denied_actions: frozenset[str] = frozenset()

    def __init__(self, model, managed_queryset):
        super().__init__(model)
        self.managed_queryset = managed_queryset

    def user_has_permission(self, user, action):
        return action not in self.denied_actions and scope.can_manage_org(user)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def users_with_any_permission(self, actions):
        if not set(actions) - self.denied_actions:
            return User.objects.none()
        admins = RoleAssignment.objects.filter(role__in=scope.ADMIN_ROLES).values(
            "user"
        )
        return User.objects.filter(is_active=True).filter(
            pk__in=admins
        ) | User.objects.filter(is_active=True, is_superuser=True)

    def user_has_permission_for_instance(self, user, action, instance):
        return (
            self.user_has_permission(user, action)
            and self.managed_queryset(user).filter(pk=instance.pk).exists()
        )

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return self.model.objects.none()
        return self.managed_queryset(user)


class MemberPermissionPolicy(ScopedPermissionPolicy):
    # Members leave by transfer, never by deletion from the admin: their study and
    # exam history must stay.
    denied_actions = frozenset({"delete"})

    def __init__(self):
        super().__init__(Member, scope.managed_members)
