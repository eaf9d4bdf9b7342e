"""Demo lessons: short clips ffmpeg generates (a test pattern with a tone) and, when
``../shared/corpus/media/bigbuckbunny.mp4`` is present, that clip; each processed
at once, so the demo admin shows ready lessons with posters and renditions.

Idempotent: assets are found by title; a failed one is processed again.
"""

import shutil
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from wagtail.models import Collection

from .models import MediaAsset, MediaStatus
from .services.processing import media_process
from .services.subtitles import media_subtitles_changed

GENERATED = [
    ("微党课示例：三会一课怎么开", "1280x720", 440, 20),
    ("微党课示例：党费交纳小常识", "640x360", 523, 12),
]


#: Chinese subtitles for the first generated lesson (searchable: try 第一议题).
SUBTITLES = [
    ("00:00:00,500", "00:00:04,000", "同志们好，今天这节微党课讲“三会一课”怎么开。"),
    ("00:00:04,000", "00:00:08,000",
     "三会是支部党员大会、支部委员会和党小组会，一课是党课。"),
    ("00:00:08,000", "00:00:12,500",
     "支部委员会一般每月召开一次，第一议题学习习近平新时代中国特色社会主义思想。"),
    ("00:00:12,500", "00:00:16,500",
     "会前要确定议题、通知到人；会上要如实记录；会后要抓好落实。"),
    ("00:00:16,500", "00:00:20,000", "下节课我们讲组织生活会和民主评议党员。"),
]  # fmt: skip


def _srt() -> bytes:
    cues = (
        f"{number}\n{start} --> {end}\n{text}\n"
        for number, (start, end, text) in enumerate(SUBTITLES, start=1)
    )
    return "\n".join(cues).encode("utf-8")


def _media_dir() -> Path:
    return Path(settings.DEMO_CORPUS_DIR).parent / "media"


def _generate(path: Path, size: str, frequency: int, seconds: int) -> None:
    subprocess.run(  # noqa: S603
        [  # noqa: S607 (Debian's ffmpeg on PATH)
            "ffmpeg", "-hide_banner", "-nostdin", "-v", "error", "-y",
            "-f", "lavfi", "-i", f"testsrc2=size={size}:rate=25:duration={seconds}",
            "-f", "lavfi", "-i", f"sine=frequency={frequency}:duration={seconds}",
            "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-shortest", str(path),
        ],
        check=True,
    )  # fmt: skip


def _ensure(title: str, source: Path, description: str) -> MediaAsset:
    asset = MediaAsset.objects.filter(title=title).first()
    if asset is None:
        with source.open("rb") as handle:
            asset = MediaAsset.objects.create(
                title=title,
                description=description,
                type="video",
                collection=Collection.get_first_root_node(),
                file=File(handle, name=source.name),
            )
    if asset.status == MediaStatus.FAILED:
        MediaAsset.objects.filter(pk=asset.pk).update(status=MediaStatus.UPLOADED)
    if asset.status != MediaStatus.READY:
        asset = media_process(asset_id=asset.pk)
    return asset


def seed_media() -> list[MediaAsset]:
    if shutil.which("ffmpeg") is None:
        return []
    assets = []
    with tempfile.TemporaryDirectory() as folder:
        for title, size, frequency, seconds in GENERATED:
            if MediaAsset.objects.filter(
                title=title, status=MediaStatus.READY
            ).exists():
                assets.append(MediaAsset.objects.get(title=title))
                continue
            source = Path(folder) / f"lesson-{frequency}.mp4"
            _generate(source, size, frequency, seconds)
            assets.append(
                _ensure(title, source, "演示用测试画面与提示音，由 ffmpeg 生成。")
            )
    first = assets[0] if assets else None
    if first is not None and not first.subtitles:
        first.subtitles.save("sanhui-yike.srt", ContentFile(_srt()), save=True)
        assets[0] = media_subtitles_changed(asset_id=first.pk)
    bunny = _media_dir() / "bigbuckbunny.mp4"
    if bunny.is_file():
        assets.append(
            _ensure(
                "示例短片：Big Buck Bunny（5.1 声道）",
                bunny,
                "公开授权的示例短片（© Blender Foundation, CC BY 3.0），"
                "来源见 shared/corpus/SOURCES.md。",
            )
        )
    return assets
