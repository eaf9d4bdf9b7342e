from django.db import transaction

from org.models import User


@transaction.atomic
def password_change(*, user: User, new_password: str) -> User:
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    return user
