"""Transcoding benchmark: our pipeline against the same work as plain ffmpeg commands.

Run from the repository root::

    .venv/bin/python bench/transcode_bench.py                 # generated clip + BBB
    .venv/bin/python bench/transcode_bench.py --input FILE    # any file(s)
    .venv/bin/python bench/transcode_bench.py --seconds 20    # a shorter generated clip

For each input (default: a generated 60 s 1920x1080 25 fps clip with 5.1 audio, and
``../shared/corpus/media/bigbuckbunny.mp4`` when present) it runs, in the same run
and alternating their order:

- **pipeline**: ``media.services.transcode.transcode_file`` — ffprobe, the
  one-pass HLS ladder built by ``media.services.ladder`` with ``-progress``
  parsed line by line, the completeness check, the MP4 remux and the poster;
- **plain**: the same ffprobe, ladder, remux and poster as fixed command lines
  (``subprocess.run``, output to a file, nothing parsed).

and prints the wall time of each, x-realtime (media seconds / wall seconds) and the
ratio pipeline / plain (goal ≤ 1.05), then one JSON line. Wall times on a shared
2-core machine vary by several per cent; ``--repeat`` takes the best of N.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BBB = ROOT.parent / "shared" / "corpus" / "media" / "bigbuckbunny.mp4"


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django
    from django.conf import settings

    if not settings.configured:
        settings.configure(INSTALLED_APPS=[], USE_TZ=True, LANGUAGE_CODE="zh-hans")
    django.setup()


def generate_clip(path: Path, seconds: int) -> None:
    """1080p test pattern with a different tone on each of six channels (5.1)."""
    tones = [f"sine=frequency={220 * (i + 1)}:duration={seconds}" for i in range(6)]
    inputs = []
    for tone in tones:
        inputs += ["-f", "lavfi", "-i", tone]
    labels = "".join(f"[{i + 1}:a]" for i in range(6))
    subprocess.run(
        ["ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-y",
         "-f", "lavfi", "-i", f"testsrc2=size=1920x1080:rate=25:duration={seconds}",
         *inputs,
         "-filter_complex", f"{labels}join=inputs=6:channel_layout=5.1[a]",
         "-map", "0:v", "-map", "[a]", "-c:v", "libx264", "-preset", "veryfast",
         "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "384k", str(path)],
        check=True,
    )  # fmt: skip


def run_pipeline(source: Path, work: Path) -> float:
    from media.services.transcode import transcode_file

    started = time.perf_counter()
    transcode_file(source, work, lambda percent: None)
    return time.perf_counter() - started


def run_plain(source: Path, work: Path) -> float:
    """The pipeline's commands, fixed: what an operator would type."""
    from media.services import ladder
    from media.services.probe import media_probe

    probe = media_probe(source)  # to choose the same rungs (not timed below)
    ladder_argv = [
        a
        for a in ladder.ladder_argv(source, work, probe)
        if a not in ("-progress", "pipe:1")
    ]
    rung = ladder.fallback_rung(probe)
    commands = [
        ["ffprobe", "-v", "error", "-show_format", "-show_streams", "-count_packets",
         "-of", "json", str(source)],
        ladder_argv,
        ladder.fallback_argv(work, rung, work / "fallback.mp4"),
        ladder.poster_argv(source, work / "poster.jpg", probe.duration * 0.1),
    ]  # fmt: skip
    work.mkdir(parents=True)
    started = time.perf_counter()
    with tempfile.TemporaryFile() as log:
        for command in commands:
            subprocess.run(command, stdout=log, stderr=log, check=True)
    return time.perf_counter() - started


def duration_of(source: Path) -> float:
    from media.services.probe import media_probe

    return media_probe(source).duration


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--input", type=Path, action="append", default=[])
    parser.add_argument("--seconds", type=int, default=60, help="generated clip")
    parser.add_argument("--repeat", type=int, default=1, help="best of N runs each")
    args = parser.parse_args(argv)
    setup_django()
    workdir = Path(tempfile.mkdtemp(prefix="zhixue-transcode-bench-"))
    results = []
    try:
        inputs = list(args.input)
        if not inputs:
            clip = workdir / f"generated_{args.seconds}s_1080p_5.1.mp4"
            print(f"Generating {clip.name} …", flush=True)
            generate_clip(clip, args.seconds)
            inputs.append(clip)
            if BBB.exists():
                inputs.append(BBB)
        for source in inputs:
            media_seconds = duration_of(source)
            timings: dict[str, list[float]] = {"pipeline": [], "plain": []}
            for i in range(args.repeat):
                order = ("pipeline", "plain") if i % 2 == 0 else ("plain", "pipeline")
                for name in order:
                    work = workdir / f"{name}-{i}"
                    runner = run_pipeline if name == "pipeline" else run_plain
                    timings[name].append(runner(source, work))
                    shutil.rmtree(work, ignore_errors=True)
            best = {name: min(values) for name, values in timings.items()}
            result = {
                "input": source.name,
                "media_seconds": round(media_seconds, 2),
                "pipeline_seconds": round(best["pipeline"], 2),
                "plain_seconds": round(best["plain"], 2),
                "pipeline_x_realtime": round(media_seconds / best["pipeline"], 3),
                "plain_x_realtime": round(media_seconds / best["plain"], 3),
                "ratio": round(best["pipeline"] / best["plain"], 3),
            }
            results.append(result)
            pipeline, plain = best["pipeline"], best["plain"]
            print(
                f"{source.name}: {media_seconds:.1f} s of media; "
                f"pipeline {pipeline:.1f} s ({result['pipeline_x_realtime']}× "
                f"realtime), plain ffmpeg {plain:.1f} s "
                f"({result['plain_x_realtime']}×), ratio {result['ratio']} "
                "(goal ≤ 1.05)",
                flush=True,
            )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(
        json.dumps(
            {
                "benchmark": "transcode",
                "cpus": os.cpu_count(),
                "load_average": round(os.getloadavg()[0], 2),
                "repeat": args.repeat,
                "results": results,
            },
            ensure_ascii=False,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
