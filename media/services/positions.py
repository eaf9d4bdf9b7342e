"""Resume positions: where a member stopped in a lesson."""

from __future__ import annotations

import math

from django.db import transaction

from org.models import User

from ..models import MediaAsset, PlaybackPosition


@transaction.atomic
def playback_position_save(
    *, viewer: User, asset: MediaAsset, position: float
) -> PlaybackPosition:
    """Store the viewer's position (clamped to the lesson; caller checked access).
    Saving twice is harmless: the latest report wins."""
    if not math.isfinite(position):
        position = 0.0
    position = min(max(position, 0.0), asset.duration or position)
    record, _created = PlaybackPosition.objects.update_or_create(
        user=viewer, asset=asset, defaults={"position": round(position, 1)}
    )
    return record
