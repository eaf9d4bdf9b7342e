"""Log in with a username or a mobile phone number; roles grant admin access."""

from django.contrib.auth.backends import ModelBackend
from django.db.models import Q
from django.utils.crypto import constant_time_compare

from .models import User
from .services.members import initial_password_for, normalise_phone
from .text import clean

# Permissions that holding a role implies (so no Django group has to be kept in sync).
ROLE_PERMISSIONS = {
    "platform_admin": {"wagtailadmin.access_admin"},
    "unit_admin": {"wagtailadmin.access_admin"},
    "editor": {"wagtailadmin.access_admin"},
    "examiner": {"wagtailadmin.access_admin"},
}


class UsernameOrPhoneBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        identifier = clean(username or kwargs.get(User.USERNAME_FIELD))
        if not identifier or password is None:
            return None
        user = (
            User.objects.filter(
                Q(username=identifier) | Q(phone=normalise_phone(identifier))
            )
            .order_by("pk")
            .first()
        )
        if user is None:
            User().set_password(password)  # same cost as a real check: no timing leak
            return None
        if not self.user_can_authenticate(user):
            return None
        if user.has_usable_password():
            return user if user.check_password(password) else None
        if user.must_change_password and constant_time_compare(
            password, initial_password_for(user)
        ):
            return user
        return None

    def get_all_permissions(self, user_obj, obj=None):
        perms = set(super().get_all_permissions(user_obj, obj))
        if user_obj.is_active and not user_obj.is_anonymous and obj is None:
            from .scope import roles_of

            for role in roles_of(user_obj):
                perms |= ROLE_PERMISSIONS.get(role, set())
        return perms
