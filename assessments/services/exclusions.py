"""Who is left off the boards: members who opt out, and accounts an admin
excludes (a test account, say). An admin's exclusion is lifted only by an admin
of the member's units; a member's opt-out only by the member."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from org import scope
from org.models import User

from ..models import BoardExclusion
from .revision import boards_changed

Reason = BoardExclusion.Reason


@transaction.atomic
def board_opt_out(*, user: User, opted_out: bool) -> bool:
    """The member leaves the boards (or comes back); whether they are off them."""
    boards_changed()
    entry = BoardExclusion.objects.select_for_update().filter(user=user).first()
    if opted_out and entry is None:
        BoardExclusion.objects.create(
            user=user, reason=Reason.OPTED_OUT, created_by=user
        )
    elif not opted_out and entry is not None and entry.reason == Reason.OPTED_OUT:
        entry.delete()
        return False
    return BoardExclusion.objects.filter(user=user).exists()


def _require_manager(by: User, user: User) -> None:
    if not scope.managed_users(by).filter(pk=user.pk).exists():
        raise PermissionDenied


@transaction.atomic
def board_exclude(*, by: User, user: User, note: str = "") -> BoardExclusion:
    """Leave a member of the admin's units off every board."""
    _require_manager(by, user)
    boards_changed()
    entry, _created = BoardExclusion.objects.update_or_create(
        user=user,
        defaults={"reason": Reason.EXCLUDED, "note": note.strip(), "created_by": by},
    )
    return entry


@transaction.atomic
def board_include(*, by: User, user: User) -> None:
    """Lift an admin's exclusion (a member's own opt-out stays)."""
    _require_manager(by, user)
    boards_changed()
    BoardExclusion.objects.filter(user=user, reason=Reason.EXCLUDED).delete()
