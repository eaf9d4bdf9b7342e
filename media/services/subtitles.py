"""Subtitles: an editor's .srt or .vtt becomes the WebVTT file the player loads,
and its words become searchable (``MediaAsset.subtitle_text``).

Converted in Python rather than by ffmpeg: Chinese .srt files are often saved in
GBK by Windows tools, which ffmpeg would read as broken UTF-8.
"""

from __future__ import annotations

import codecs
import os
import re
import secrets
from pathlib import Path

from django.db import transaction
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from ..models import MediaAsset, MediaStatus
from .probe import MediaRejected

#: The file name in a lesson's output folder (``srclang="zh"``).
VTT_NAME = "subtitles.zh.vtt"
MAX_BYTES = 2 * 1024 * 1024

_TIME = r"(?:(\d+):)?(\d{1,2}):(\d{2})[,.](\d{1,3})"
_CUE_TIMING = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}(.*)$")


def _decode(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:  # Windows Notepad's "Unicode"; the codec reads the BOM's byte order
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass  # not UTF-16 after all (an odd length, say): try the others
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise MediaRejected(_("The subtitle file is neither UTF-8 nor GBK text."))


def _timestamp(hours, minutes, seconds, millis) -> str:
    millis = int(millis.ljust(3, "0"))
    return f"{int(hours or 0):02d}:{int(minutes):02d}:{int(seconds):02d}.{millis:03d}"


def check_size(size: int) -> None:
    """Refuse a subtitle file over :data:`MAX_BYTES` (before reading it)."""
    if size > MAX_BYTES:
        raise MediaRejected(_("The subtitle file is larger than 2 MB."))


def subtitles_to_vtt(data: bytes) -> tuple[str, str]:
    """(WebVTT text, the cues' plain words) of an .srt or .vtt file's bytes."""
    check_size(len(data))
    lines = _decode(data).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    cues: list[tuple[str, list[str]]] = []
    current: list[str] | None = None
    for line in lines:
        timing = _CUE_TIMING.match(line)
        if timing:
            groups = timing.groups()
            start, end = _timestamp(*groups[0:4]), _timestamp(*groups[4:8])
            current = []
            cues.append((f"{start} --> {end}{groups[8].rstrip()}", current))
        elif current is not None:
            if line.strip():
                current.append(line.rstrip())
            else:
                current = None  # a blank line ends the cue (and its number follows)
    cues = [(timing, text) for timing, text in cues if text]
    if not cues:
        raise MediaRejected(_("No subtitles could be read from the file."))
    vtt = "WEBVTT\n\n" + "\n\n".join(
        timing + "\n" + "\n".join(text) for timing, text in cues
    )
    words = " ".join(strip_tags(" ".join(text)) for _timing, text in cues)
    return vtt + "\n", words


def write_vtt(asset: MediaAsset, folder: Path) -> bool:
    """Write the asset's subtitles into a rendition folder; False if it has none.

    Atomically (a temporary file renamed over the old one): a player fetching the
    file meanwhile gets the old subtitles or the new, never half of them."""
    target = folder / VTT_NAME
    if not asset.subtitles:
        target.unlink(missing_ok=True)
        return False
    with asset.subtitles.open("rb") as source:
        vtt, _words = subtitles_to_vtt(source.read())
    temporary = folder / f".{VTT_NAME}.{secrets.token_hex(4)}.tmp"
    try:
        temporary.write_text(vtt, encoding="utf-8")
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    return True


@transaction.atomic
def media_subtitles_changed(*, asset_id: int) -> MediaAsset:
    """New, replaced or removed subtitles: searchable words now, and the player's
    file at once when the lesson is ready (otherwise processing writes it)."""
    from .processing import protected_root

    asset = MediaAsset.objects.select_for_update().get(pk=asset_id)
    words = ""
    if asset.subtitles:
        with asset.subtitles.open("rb") as source:
            _vtt, words = subtitles_to_vtt(source.read())
    asset.subtitle_text = words
    asset.save(update_fields=["subtitle_text"])
    if asset.status == MediaStatus.READY and asset.output_dir:
        write_vtt(asset, protected_root() / asset.output_dir)
    return asset
