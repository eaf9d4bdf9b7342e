"""The lobby display's links: made, revoked and replaced by admins whose managed
subtree holds the link's unit. A revoked link is kept (who made it, when it
ended) but never shows anything again; regenerating revokes the old link and
makes a new one with a new token for the same unit and name, so a leaked link
is ended without setting the TV up from scratch."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from org import scope
from org.models import Unit, User

from ..models import DisplayLink


def _require_manager(by: User, unit: Unit) -> None:
    if not scope.managed_units(by).filter(pk=unit.pk).exists():
        raise PermissionDenied


@transaction.atomic
def display_link_create(*, by: User, unit: Unit, name: str = "") -> DisplayLink:
    _require_manager(by, unit)
    return DisplayLink.objects.create(unit=unit, name=name.strip(), created_by=by)


@transaction.atomic
def display_link_revoke(*, by: User, link: DisplayLink) -> DisplayLink:
    """End the link at once (a second revoke is harmless)."""
    _require_manager(by, link.unit)
    link = DisplayLink.objects.select_for_update().get(pk=link.pk)
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
    return link


@transaction.atomic
def display_link_regenerate(*, by: User, link: DisplayLink) -> DisplayLink:
    """Revoke the link and return a new one for the same unit and name."""
    old = display_link_revoke(by=by, link=link)
    return DisplayLink.objects.create(unit=old.unit, name=old.name, created_by=by)
