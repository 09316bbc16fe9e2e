"""One media probe for the whole package: what ffmpeg's banner says about a file, without decoding it.

The client's previews (:func:`akool_nb.media.thumbnails.probe`) and the offline Akool (its limit checks, the
face and video renderers) all read a file's duration, frame rate, size and streams through
:func:`parse_banner`, so they agree on what a file is. ffmpeg is imageio-ffmpeg's binary.
"""
from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = ["Probe", "ffmpeg_exe", "banner", "parse_banner", "probe_file"]

_DURATION = re.compile(r"Duration:\s*(\d+):(\d+):(\d+(?:\.\d+)?)")
_VIDEO_LINE = re.compile(r"Stream #[^\n]*?Video:[^\n]*")
_DIMS = re.compile(r", (\d{2,5})x(\d{2,5})")
_RATE = (re.compile(r"(\d+(?:\.\d+)?) fps"), re.compile(r"(\d+(?:\.\d+)?) tbr"))
_AUDIO = re.compile(r"Stream #[^\n]*?Audio:")


@dataclass(frozen=True)
class Probe:
    duration: float | None  # seconds; None when the banner gives none ("N/A", a still image)
    fps: float | None
    width: int | None
    height: int | None
    has_video: bool
    has_audio: bool
    size: int  # bytes (0 when the file is missing)


@lru_cache(maxsize=1)
def ffmpeg_exe() -> str:
    import imageio_ffmpeg  # imported lazily: it probes the filesystem

    return imageio_ffmpeg.get_ffmpeg_exe()


def banner(source: str | os.PathLike[str], *, timeout: float | None = None) -> str:
    """ffmpeg's banner (stderr of ``ffmpeg -i``, which always exits non-zero without an output)."""
    return subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(source)], capture_output=True,
                          stdin=subprocess.DEVNULL, timeout=timeout).stderr.decode("utf-8", "replace")


def parse_duration(text: str) -> float | None:
    m = _DURATION.search(text)
    return int(m.group(1)) * 3600 + int(m.group(2)) * 60 + float(m.group(3)) if m else None


def parse_banner(text: str, size: int = 0) -> Probe:
    """A :class:`Probe` from a banner's text: the first video stream's size and rate, any audio stream."""
    video = _VIDEO_LINE.search(text)
    width = height = fps = None
    if video:
        dims = _DIMS.search(video.group(0))
        rate = _RATE[0].search(video.group(0)) or _RATE[1].search(video.group(0))
        if dims:
            width, height = int(dims.group(1)), int(dims.group(2))
        fps = float(rate.group(1)) if rate else None
    return Probe(parse_duration(text), fps, width, height, video is not None and width is not None,
                 _AUDIO.search(text) is not None, size)


def probe_file(path: str | os.PathLike[str]) -> Probe:
    """What ffmpeg's banner says about the media file at ``path`` (no decoding)."""
    path = Path(path)
    return parse_banner(banner(path), path.stat().st_size if path.exists() else 0)
