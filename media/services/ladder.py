"""The ffmpeg command lines: one pass from the source to an HLS ladder, a faststart
MP4 fallback remuxed from one rung, and a poster frame.

One decode feeds every rung (``split`` + ``scale``), never upscaled; keyframes are
forced every two seconds in every rung so that players can switch between them at
any segment; audio is AAC stereo whatever the source's layout (``-ac 2`` downmixes
5.1). The argv is built with ffmpeg-python and run by :func:`run_with_progress`.
"""

from __future__ import annotations

import ctypes
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import ffmpeg

from .probe import Probe


@dataclass(frozen=True)
class Rung:
    height: int
    video_kbps: int

    @property
    def name(self) -> str:
        return f"{self.height}p"


LADDER = (Rung(360, 800), Rung(540, 1400), Rung(720, 2800), Rung(1080, 5000))
FALLBACK_HEIGHT = 540
AUDIO = {"c:a": "aac", "b:a": "128k", "ac": 2, "ar": 48000}
X264 = {
    "c:v": "libx264",
    "preset": "veryfast",
    "profile:v": "high",
    "pix_fmt": "yuv420p",
    "force_key_frames": "expr:gte(t,n_forced*2)",
    "sc_threshold": 0,
}
HLS = {
    "f": "hls",
    "hls_time": 4,
    "hls_playlist_type": "vod",
    "hls_flags": "independent_segments",
    "master_pl_name": "master.m3u8",
}
GLOBAL = ("-hide_banner", "-nostdin", "-v", "error", "-nostats", "-progress", "pipe:1")


def rungs_for(probe: Probe) -> list[Rung]:
    """The rungs at or below the source (its short side, so portrait phones work);
    a source below the lowest rung keeps its own size."""
    short_side = min(probe.width, probe.height) or probe.height
    fitting = [rung for rung in LADDER if rung.height <= short_side]
    if not fitting:
        return [Rung(short_side - short_side % 2, LADDER[0].video_kbps)]
    return fitting


def _scale(stream, probe: Probe, height: int):
    """Scale so that the short side is ``height`` (even sizes, as x264 needs)."""
    if probe.width and probe.height and probe.width < probe.height:
        return stream.filter("scale", height, -2)
    return stream.filter("scale", -2, height)


def ladder_argv(source: Path, out: Path, probe: Probe) -> list[str]:
    source_input = ffmpeg.input(str(source))
    hls_options = {**HLS, "hls_segment_filename": str(out / "%v" / "seg_%03d.ts")}
    if not probe.has_video:
        output = ffmpeg.output(
            source_input["a:0"],
            str(out / "%v" / "index.m3u8"),
            **AUDIO,
            **hls_options,
            var_stream_map="a:0,name:audio",
        )
        return output.global_args(*GLOBAL).overwrite_output().compile()
    rungs = rungs_for(probe)
    split = source_input.video.filter_multi_output("split", len(rungs))
    streams, options, stream_map = [], {}, []
    for i, rung in enumerate(rungs):
        streams.append(_scale(split[i], probe, rung.height))
        kbps = rung.video_kbps
        options |= {
            f"b:v:{i}": f"{kbps}k",
            f"maxrate:v:{i}": f"{int(kbps * 1.07)}k",
            f"bufsize:v:{i}": f"{int(kbps * 1.5)}k",
        }
        if probe.has_audio:
            streams.append(source_input["a:0"])
            stream_map.append(f"v:{i},a:{i},name:{rung.name}")
        else:
            stream_map.append(f"v:{i},name:{rung.name}")
    audio = AUDIO if probe.has_audio else {}
    output = ffmpeg.output(
        *streams,
        str(out / "%v" / "index.m3u8"),
        **X264,
        **audio,
        **options,
        **hls_options,
        var_stream_map=" ".join(stream_map),
    )
    return output.global_args(*GLOBAL).overwrite_output().compile()


def fallback_rung(probe: Probe) -> str:
    """The rung remuxed into the MP4 fallback: 540p, or the highest below it."""
    if not probe.has_video:
        return "audio"
    rungs = rungs_for(probe)
    below = [r for r in rungs if r.height <= FALLBACK_HEIGHT] or rungs[:1]
    return below[-1].name


def fallback_argv(out: Path, rung: str, target: Path) -> list[str]:
    """Remux one rung's HLS into a faststart MP4/M4A (no second encode)."""
    return (
        ffmpeg.input(str(out / rung / "index.m3u8"))
        .output(str(target), c="copy", movflags="+faststart")
        .global_args("-hide_banner", "-nostdin", "-v", "error")
        .overwrite_output()
        .compile()
    )


def poster_argv(source: Path, target: Path, at_seconds: float) -> list[str]:
    return (
        ffmpeg.input(str(source), ss=f"{at_seconds:.2f}")
        .output(str(target), vframes=1, vf="scale='min(1280,iw)':-2", **{"q:v": 3})
        .global_args("-hide_banner", "-nostdin", "-v", "error")
        .overwrite_output()
        .compile()
    )


@dataclass
class FfmpegRun:
    returncode: int
    stderr: str
    out_seconds: float


def _die_with_parent() -> None:
    """In the child: ffmpeg is killed when the worker dies (Linux), so a killed
    worker leaves no orphan writing into a folder the next run removes."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


PR_SET_PDEATHSIG = 1


def run_with_progress(
    argv: list[str], duration: float, on_progress: Callable[[int], None]
) -> FfmpegRun:
    """Run ffmpeg, calling ``on_progress(percent)`` from its ``-progress`` output."""
    out_us = 0
    with tempfile.TemporaryFile() as errors:  # a file: a full stderr pipe would block
        process = subprocess.Popen(  # noqa: S603 (argv built above, no shell)
            argv,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
            bufsize=1,
            preexec_fn=_die_with_parent,
        )
        for line in process.stdout:
            key, _, value = line.strip().partition("=")
            if key == "out_time_us" and value.isdigit():
                out_us = int(value)
                on_progress(min(99, int(out_us / 1e6 / duration * 100)))
        returncode = process.wait()
        errors.seek(0)
        stderr = errors.read().decode(errors="replace")
    return FfmpegRun(returncode, stderr, out_us / 1e6)


def run(argv: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(argv, capture_output=True, text=True, check=False)  # noqa: S603
