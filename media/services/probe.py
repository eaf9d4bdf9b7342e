"""What a file is, by its content: ffprobe, not its name."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import ffmpeg
from django.conf import settings
from django.utils.translation import gettext as _

#: A stream that ffprobe counts this much short of its header is a cut-off file.
COMPLETE_SHARE = 0.98


class MediaRejected(Exception):
    """The file cannot become a lesson; ``reason`` says why, for the editor."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Probe:
    duration: float
    format_name: str
    video_codec: str = ""
    width: int = 0
    height: int = 0
    audio_codec: str = ""
    audio_channels: int = 0

    @property
    def has_video(self) -> bool:
        return bool(self.video_codec)

    @property
    def has_audio(self) -> bool:
        return bool(self.audio_codec)

    @property
    def kind(self) -> str:
        return "video" if self.has_video else "audio"


def max_duration() -> float:
    return float(getattr(settings, "ZHIXUE_MEDIA_MAX_MINUTES", 60)) * 60


def lesson_minutes() -> float:
    return float(getattr(settings, "ZHIXUE_MEDIA_LESSON_MINUTES", 20))


def media_probe(path: Path) -> Probe:
    """Probe ``path``; raise :class:`MediaRejected` for anything unplayable."""
    try:
        data = ffmpeg.probe(str(path), count_packets=None)
    except ffmpeg.Error as error:
        lines = (error.stderr or b"").decode(errors="replace").strip().splitlines()
        # ffprobe names the file by its server path: keep only what it found.
        detail = lines[-1].replace(str(path), path.name) if lines else "ffprobe"
        raise MediaRejected(
            _("Not a video or audio file that can be read (%(detail)s).")
            % {"detail": detail}
        ) from error
    streams = data.get("streams", [])
    # Cover art in audio files is a "video" stream of one picture.
    video = next(
        (
            s
            for s in streams
            if s.get("codec_type") == "video"
            and not s.get("disposition", {}).get("attached_pic")
        ),
        None,
    )
    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    if video is None and audio is None:
        raise MediaRejected(_("The file holds no video or audio."))
    duration = _duration(data, video or audio)
    if duration <= 0:
        raise MediaRejected(_("The file is empty: its duration is zero."))
    if duration > max_duration():
        raise MediaRejected(
            _("The file is %(minutes)d minutes long; at most %(limit)d are allowed.")
            % {"minutes": round(duration / 60), "limit": round(max_duration() / 60)}
        )
    for stream in (video, audio):
        if stream is not None and _cut_off(stream):
            raise MediaRejected(
                _("The file is incomplete (the upload may have been cut off).")
            )
    return Probe(
        duration=duration,
        format_name=data.get("format", {}).get("format_name", ""),
        video_codec=(video or {}).get("codec_name", ""),
        width=int((video or {}).get("width") or 0),
        height=int((video or {}).get("height") or 0),
        audio_codec=(audio or {}).get("codec_name", ""),
        audio_channels=int((audio or {}).get("channels") or 0),
    )


def _duration(data: dict, stream: dict) -> float:
    for value in (data.get("format", {}).get("duration"), stream.get("duration")):
        try:
            return float(value)
        except (TypeError, ValueError):
            continue
    return 0.0


def _cut_off(stream: dict) -> bool:
    """A header promising more frames than the file holds packets."""
    try:
        promised = int(stream.get("nb_frames", 0))
        read = int(stream.get("nb_read_packets", 0))
    except (TypeError, ValueError):
        return False
    return promised > 0 and read < promised * COMPLETE_SHARE


def lesson_warning(probe: Probe) -> str:
    if probe.duration > lesson_minutes() * 60:
        return _(
            "Longer than %(minutes)d minutes: a micro-lesson should be shorter."
        ) % {"minutes": round(lesson_minutes())}
    return ""
