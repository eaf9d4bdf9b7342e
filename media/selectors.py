"""Reads for playback."""

from __future__ import annotations

from pathlib import Path

from org.models import User

from .models import MediaAsset, MediaStatus
from .services.processing import protected_root

#: What a lesson folder holds and the type each file is served as.
CONTENT_TYPES = {
    ".m3u8": "application/vnd.apple.mpegurl",
    ".ts": "video/mp2t",
    ".mp4": "video/mp4",
    ".m4a": "audio/mp4",
    ".jpg": "image/jpeg",
    ".vtt": "text/vtt",
}


def playable_file(*, viewer: User, asset_id: int, name: str) -> Path | None:
    """The file ``name`` of a ready asset's renditions, or None (a 404).

    Members see every ready asset for now; the courses issue narrows this to the
    lessons published to the viewer's part of the organisation.
    """
    if not viewer.is_authenticated:
        return None
    asset = MediaAsset.objects.filter(pk=asset_id, status=MediaStatus.READY).first()
    if asset is None or not asset.output_dir:
        return None
    folder = (protected_root() / asset.output_dir).resolve()
    try:
        path = (folder / name).resolve()
    except (ValueError, OSError):  # a NUL byte or a name the OS refuses
        return None
    if folder not in path.parents or path.suffix not in CONTENT_TYPES:
        return None  # outside the lesson's folder, or not a playback file
    return path if path.is_file() else None
