"""What an editor's save of an asset (the admin form) sets off."""

from __future__ import annotations

from django.db import transaction

from ..models import MediaAsset
from .processing import media_file_uploaded
from .subtitles import media_subtitles_changed


@transaction.atomic
def media_asset_saved(
    *, asset_id: int, file_changed: bool, subtitles_changed: bool
) -> MediaAsset:
    """After the form saved an asset's editorial fields: new, replaced or removed
    subtitles update the words (and a ready lesson's WebVTT); a new or replaced
    file is processed anew. Returns the asset as it now stands in the database."""
    asset = MediaAsset.objects.select_for_update().get(pk=asset_id)
    if subtitles_changed:
        asset = media_subtitles_changed(asset_id=asset_id)
    if file_changed:
        asset = media_file_uploaded(asset_id=asset_id)
    return asset
