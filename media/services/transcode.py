"""From a source file to a folder of renditions, without the database: what the
pipeline does to a file (``processing`` wraps it in the asset's states) and what
bench/transcode_bench.py measures against plain ffmpeg."""

from __future__ import annotations

import re
from pathlib import Path

from django.utils.translation import gettext as _

from . import ladder
from .probe import COMPLETE_SHARE, MediaRejected, media_probe

_STREAM_INF = re.compile(r"#EXT-X-STREAM-INF:(?P<attributes>.*)")


def transcode_file(source: Path, work: Path, on_progress) -> dict:
    """Probe ``source`` and write its HLS ladder, fallback and poster into
    ``work`` (created here); raise :class:`MediaRejected` for a bad file.
    ``on_progress(percent)`` is called as ffmpeg reports its position."""
    probe = media_probe(source)
    work.mkdir(parents=True)
    run = ladder.run_with_progress(
        ladder.ladder_argv(source, work, probe), probe.duration, on_progress
    )
    if run.returncode != 0:
        lines = run.stderr.strip().splitlines()
        detail = (
            lines[-1].replace(str(source), source.name) if lines else run.returncode
        )
        raise MediaRejected(
            _("The file could not be decoded (%(detail)s).") % {"detail": detail}
        )
    if run.out_seconds < COMPLETE_SHARE * probe.duration:
        raise MediaRejected(
            _(
                "The file is damaged or incomplete: only %(decoded)d of "
                "%(total)d seconds could be decoded."
            )
            % {"decoded": run.out_seconds, "total": round(probe.duration)}
        )
    rung = ladder.fallback_rung(probe)
    fallback = "fallback.mp4" if probe.has_video else "audio.m4a"
    _check(ladder.run(ladder.fallback_argv(work, rung, work / fallback)))
    poster = ""
    if probe.has_video:
        _check(
            ladder.run(
                ladder.poster_argv(source, work / "poster.jpg", probe.duration * 0.1)
            )
        )
        poster = "poster.jpg"
    return {
        "probe": probe,
        "renditions": read_master(work / "master.m3u8"),
        "fallback": fallback,
        "poster": poster,
    }


def _check(completed) -> None:
    if completed.returncode != 0:
        raise RuntimeError(completed.stderr.strip() or "ffmpeg failed")


def _check(completed) -> None:
    if completed.returncode != 0:
        raise RuntimeError(completed.stderr.strip() or "ffmpeg failed")


def read_master(path: Path) -> list[dict]:
    """The variants a master playlist lists, in its order."""
    lines = path.read_text(encoding="utf-8").splitlines()
    renditions = []
    for i, line in enumerate(lines):
        match = _STREAM_INF.match(line)
        if not match or i + 1 >= len(lines):
            continue
        attributes = dict(
            part.split("=", 1)
            for part in re.findall(r'[A-Z-]+=(?:"[^"]*"|[^,]*)', match["attributes"])
        )
        width, _, height = attributes.get("RESOLUTION", "0x0").partition("x")
        playlist = lines[i + 1].strip()
        renditions.append(
            {
                "name": playlist.split("/", 1)[0],
                "playlist": playlist,
                "bandwidth": int(attributes.get("BANDWIDTH", 0)),
                "width": int(width or 0),
                "height": int(height or 0),
                "codecs": attributes.get("CODECS", "").strip('"'),
            }
        )
    return renditions
