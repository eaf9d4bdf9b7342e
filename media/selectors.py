"""Reads for playback, always through the viewer's organisation scope.

A lesson limited to a unit (``audience_unit``) plays for that unit's subtree and
the admins who manage it (``org.scope.audience_q``, the rule library documents
follow too); anything else is "not found".
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from django.db.models import Q, QuerySet
from django.urls import reverse

from org import scope
from org.models import User

from .models import MediaAsset, MediaStatus, PlaybackPosition
from .services.processing import protected_root
from .services.subtitles import VTT_NAME

#: wagtailmedia's own permission for changing media, which our model uses too.
CHANGE_MEDIA = "wagtailmedia.change_media"
#: Where the protected storage keeps what editors uploaded (``MediaAsset.file``
#: and ``.subtitles``); lesson folders (renditions) are never served as sources.
SOURCE_FOLDERS = ("lessons/sources", "lessons/subtitles")

#: What a lesson folder holds and the type each file is served as.
CONTENT_TYPES = {
    ".m3u8": "application/vnd.apple.mpegurl",
    ".ts": "video/mp2t",
    ".mp4": "video/mp4",
    ".m4a": "audio/mp4",
    ".jpg": "image/jpeg",
    ".vtt": "text/vtt",
}


def can_manage_media(user: User) -> bool:
    """May this user change media (wagtailmedia's permission, any asset)?"""
    return user.is_authenticated and user.has_perm(CHANGE_MEDIA)


def editable_source_file(*, viewer: User, name: str) -> Path | None:
    """The uploaded original or subtitle file stored as ``name``, for a viewer who
    may change media and see the asset's audience unit (platform admins: always);
    None (a 404) for anything else, including every file of a lesson folder."""
    if not viewer.is_authenticated:
        return None
    if not (scope.is_platform_admin(viewer) or can_manage_media(viewer)):
        return None
    if str(PurePosixPath(name).parent) not in SOURCE_FOLDERS:
        return None  # only a file directly in one of the upload folders
    root = protected_root().resolve()
    try:
        path = (root / name).resolve()
    except (ValueError, OSError):  # a NUL byte or a name the OS refuses
        return None
    if path.parent not in {root / folder for folder in SOURCE_FOLDERS}:
        return None
    stored = path.relative_to(root).as_posix()
    asset_exists = (
        MediaAsset.objects.filter(Q(file=stored) | Q(subtitles=stored))
        .filter(scope.audience_q(viewer))
        .exists()
    )
    return path if asset_exists and path.is_file() else None


def playable_assets(*, viewer: User) -> QuerySet[MediaAsset]:
    """Ready lessons this viewer may watch (none for anonymous visitors)."""
    if not viewer.is_authenticated:
        return MediaAsset.objects.none()
    return MediaAsset.objects.filter(status=MediaStatus.READY).filter(
        scope.audience_q(viewer)
    )


def access_playable_asset(*, viewer: User, asset_id) -> MediaAsset | None:
    try:
        return playable_assets(viewer=viewer).get(pk=asset_id)
    except (MediaAsset.DoesNotExist, ValueError, TypeError):
        return None


def playable_file(*, viewer: User, asset_id: int, name: str) -> Path | None:
    """The file ``name`` of a lesson's renditions, or None (a 404)."""
    asset = access_playable_asset(viewer=viewer, asset_id=asset_id)
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


def resume_position(*, viewer: User, asset: MediaAsset) -> float:
    position = (
        PlaybackPosition.objects.filter(user=viewer, asset=asset)
        .values_list("position", flat=True)
        .first()
    )
    return position or 0.0


def player_context(*, viewer: User, asset: MediaAsset) -> dict:
    """What ``media/_player.html`` needs to play an asset the viewer may watch."""

    def file_url(name: str) -> str:
        return reverse("media-asset-file", args=[asset.pk, name])

    folder = protected_root() / asset.output_dir
    has_poster = (folder / "poster.jpg").is_file()
    subtitles = []
    if asset.subtitle_text and (folder / VTT_NAME).is_file():
        subtitles.append({"src": file_url(VTT_NAME), "srclang": "zh", "label": "中文"})
    return {
        "asset_id": asset.pk,
        "kind": "audio" if asset.is_audio else "video",
        "title": asset.title,
        "master_url": file_url("master.m3u8") if asset.renditions else "",
        "fallback_url": file_url(asset.fallback) if asset.fallback else "",
        "poster_url": file_url("poster.jpg") if has_poster else "",
        "subtitles": subtitles,
        "resume": resume_position(viewer=viewer, asset=asset),
        "duration": asset.duration,
        "position_url": reverse("media-position", args=[asset.pk]),
    }
