"""Small clips made by ffmpeg's own test sources, once per test session."""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.files import File
from wagtail.models import Collection

from media.models import MediaAsset

if shutil.which("ffmpeg") is None or shutil.which("ffprobe") is None:
    pytest.skip(
        "ffmpeg/ffprobe are not installed (scripts/test installs them)",
        allow_module_level=True,
    )


def _ffmpeg(*args: str) -> None:
    subprocess.run(
        ["ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-y", *args], check=True
    )


def _tone(layout: str, seconds: int) -> list[str]:
    return [
        "-f",
        "lavfi",
        "-i",
        f"sine=frequency=440:duration={seconds}",
        "-filter_complex",
        f"[1:a]aformat=channel_layouts=mono,"
        f"pan={layout}|c0=c0"
        + "".join(f"|c{i}=0.5*c0" for i in range(1, _channels(layout)))
        + "[a]",
    ]


def _channels(layout: str) -> int:
    return {"stereo": 2, "5.1": 6, "mono": 1}[layout]


@pytest.fixture(scope="session")
def clips(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("clips")
    made = {}

    def video(name, size, seconds, layout="stereo", extra=()):
        path = folder / name
        _ffmpeg(
            "-f",
            "lavfi",
            "-i",
            f"testsrc2=size={size}:rate=25:duration={seconds}",
            *_tone(layout, seconds),
            "-map",
            "0:v",
            "-map",
            "[a]",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            *extra,
            str(path),
        )
        made[name.split(".")[0]] = path

    video("small.mp4", "640x360", 3)
    video("hd.mp4", "1280x720", 3)
    video("surround.mp4", "640x360", 3, layout="5.1")
    video("portrait.mp4", "360x640", 2)
    video("long.mp4", "1280x720", 6, extra=("-movflags", "+faststart"))
    audio = folder / "talk.m4a"
    _ffmpeg(
        "-f", "lavfi", "-i", "sine=frequency=330:duration=3", "-c:a", "aac", str(audio)
    )
    made["audio"] = audio
    text = folder / "notes.mp4"
    text.write_text("这不是视频文件，只是改了扩展名的文字。", encoding="utf-8")
    made["text"] = text
    truncated = folder / "truncated.mp4"
    data = made["long"].read_bytes()
    truncated.write_bytes(data[: len(data) // 2])
    made["truncated"] = truncated
    return made


@pytest.fixture
def upload(db):
    def make(path: Path, *, title: str = "微党课", media_type: str = "video"):
        with path.open("rb") as handle:
            return MediaAsset.objects.create(
                title=title,
                type=media_type,
                collection=Collection.get_first_root_node(),
                file=File(handle, name=path.name),
            )

    return make
