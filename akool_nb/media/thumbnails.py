"""Thumbnails, poster frames and media probing for previews (Pillow + the ffmpeg that ships with imageio-ffmpeg).

Everything is lazy and cached: a poster frame is only decoded when a preview asks for it, once per source
(in memory, and on disk under ``$AKOOL_NB_HOME/cache/posters``), and only the first frame is read, so a
100 MB video costs a fraction of a second.  Sources are local paths or http(s) URLs (ffmpeg reads both).

    from akool_nb.media import thumbnails
    img = thumbnails.poster_frame("talk.mp4", max_size=480)      # PIL image of the first frame
    info = thumbnails.probe("talk.mp4")                            # MediaInfo(kind, width, height, duration, ...)
    uri = thumbnails.data_uri(img)                                 # a small JPEG data: URI (a few KB)
"""
from __future__ import annotations

import hashlib
import io
import os
import subprocess
import threading
from collections import OrderedDict
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from .probe import banner, ffmpeg_exe, parse_banner

__all__ = ["MediaInfo", "probe", "poster_frame", "thumbnail", "data_uri", "media_kind", "ffmpeg_exe"]

IMAGE_EXTS = {".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp", ".tif", ".tiff"}
VIDEO_EXTS = {".mp4", ".mov", ".avi", ".mkv", ".webm", ".m4v"}
AUDIO_EXTS = {".mp3", ".wav", ".m4a", ".aac", ".ogg", ".flac", ".opus"}

_MEMORY: OrderedDict[str, Any] = OrderedDict()
_MEMORY_MAX = 128
_LOCK = threading.Lock()


def _is_url(source: Any) -> bool:
    return isinstance(source, str) and source.startswith(("http://", "https://"))


def media_kind(source: Any) -> str:
    """``"image"``, ``"video"``, ``"audio"`` or ``""`` from the file extension of a path or URL."""
    text = str(source)
    path = urlsplit(text).path if _is_url(text) else text
    suffix = Path(unquote(path)).suffix.lower()
    if suffix in IMAGE_EXTS:
        return "image"
    if suffix in VIDEO_EXTS:
        return "video"
    if suffix in AUDIO_EXTS:
        return "audio"
    return ""


@dataclass
class MediaInfo:
    """What a preview shows about a file: kind, pixel size, duration (s), frame rate, bytes."""

    kind: str = ""
    width: int | None = None
    height: int | None = None
    duration: float | None = None
    fps: float | None = None
    size_bytes: int | None = None
    has_audio: bool = False

    @property
    def resolution(self) -> str:
        return f"{self.width}×{self.height}" if self.width and self.height else ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)




def _cache_key(source: Any, *extra: Any) -> str:
    if _is_url(source):
        ident = str(source)
    else:
        path = Path(source).expanduser().resolve()
        stat = path.stat()
        ident = f"{path}|{stat.st_mtime_ns}|{stat.st_size}"
    return hashlib.sha1("|".join([ident, *map(str, extra)]).encode()).hexdigest()


def _remember(key: str, value: Any) -> Any:
    with _LOCK:
        _MEMORY[key] = value
        _MEMORY.move_to_end(key)
        while len(_MEMORY) > _MEMORY_MAX:
            _MEMORY.popitem(last=False)
    return value


def _recall(key: str) -> Any:
    with _LOCK:
        if key in _MEMORY:
            _MEMORY.move_to_end(key)
            return _MEMORY[key]
    return None


def _size_of(source: Any, timeout: float) -> int | None:
    if not _is_url(source):
        return Path(source).expanduser().stat().st_size
    try:
        import httpx

        response = httpx.head(str(source), follow_redirects=True, timeout=timeout)
        length = response.headers.get("content-length")
        return int(length) if length and response.status_code < 400 else None
    except Exception:
        return None


def probe(source: str | os.PathLike[str], *, timeout: float = 20.0) -> MediaInfo:
    """Kind, resolution, duration, frame rate and file size of an image, audio or video (path or URL).
    Reads headers only (ffmpeg ``-i``), so it is fast on large files; cached per source."""
    key = _cache_key(source, "probe")
    cached = _recall(key)
    if cached is not None:
        return cached
    kind = media_kind(source)
    info = MediaInfo(kind=kind, size_bytes=_size_of(source, timeout))
    if kind == "image" and not _is_url(source):
        from PIL import Image

        with Image.open(Path(source).expanduser()) as img:
            info.width, info.height = img.size
        return _remember(key, info)
    found = parse_banner(banner(source, timeout=timeout))
    if found.duration is not None and kind != "image":
        info.duration = found.duration
    if found.width is not None:
        info.width, info.height = found.width, found.height
        if not info.kind:
            info.kind = "video" if info.duration else "image"
        info.fps = found.fps
    info.has_audio = found.has_audio
    if not info.kind and info.has_audio:
        info.kind = "audio"
    return _remember(key, info)


def _cache_dir() -> Path:
    home = os.environ.get("AKOOL_NB_HOME")
    base = Path(home) if home else Path.home() / ".akool_nb"
    return base / "cache" / "posters"


def thumbnail(image: Any, max_size: int | tuple[int, int] = 320) -> Any:
    """A copy of ``image`` (PIL image, path or bytes) that fits in ``max_size`` (aspect kept)."""
    from PIL import Image

    if isinstance(image, (bytes, bytearray)):
        image = Image.open(io.BytesIO(image))
    elif not isinstance(image, Image.Image):
        image = Image.open(Path(image).expanduser())
    box = (max_size, max_size) if isinstance(max_size, int) else max_size
    out = image.copy()
    out.draft("RGB", box)  # JPEG: decode at a reduced scale when possible
    out.thumbnail(box, Image.Resampling.BILINEAR, reducing_gap=2.0)
    return out


def poster_frame(source: str | os.PathLike[str], *, max_size: int = 480, at: float = 0.0,
                 timeout: float = 30.0) -> Any:
    """The frame at ``at`` seconds (default the first) of a video (path or URL) as a PIL image that fits in
    ``max_size``. Decoded once per source: cached in memory and on disk. Images give their thumbnail."""
    from PIL import Image

    if media_kind(source) == "image" and not _is_url(source):
        return thumbnail(source, max_size)
    key = _cache_key(source, "poster", max_size, at)
    cached = _recall(key)
    if cached is not None:
        return cached.copy()
    disk = _cache_dir() / f"{key}.jpg"
    if disk.is_file():
        try:
            img = Image.open(disk)
            img.load()
            return _remember(key, img).copy()
        except OSError:
            pass
    scale = f"scale='min({max_size},iw)':'min({max_size},ih)':force_original_aspect_ratio=decrease"
    args = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error"]
    if at > 0:
        args += ["-ss", f"{at:.3f}"]
    args += ["-i", str(source), "-frames:v", "1", "-vf", scale, "-f", "image2pipe", "-vcodec", "png", "-"]
    proc = subprocess.run(args, capture_output=True, timeout=timeout)
    if proc.returncode != 0 or not proc.stdout:
        raise ValueError(f"could not read a frame from {source!s}: "
                         f"{proc.stderr.decode('utf-8', 'replace').strip()[-300:] or 'no video stream'}")
    img = Image.open(io.BytesIO(proc.stdout)).convert("RGB")
    try:
        disk.parent.mkdir(parents=True, exist_ok=True)
        tmp = disk.with_suffix(f".{os.getpid()}.tmp")
        img.save(tmp, "JPEG", quality=85)
        tmp.replace(disk)
    except OSError:
        pass  # the disk cache is an optimisation only
    return _remember(key, img).copy()


def data_uri(image: Any, *, max_size: int | None = None, quality: int = 78, fmt: str = "JPEG") -> str:
    """A ``data:`` URI of a small preview image (JPEG unless it has transparency). Meant for thumbnails
    and posters of a few KB, never for full-size media (reference those by URL)."""
    import base64

    if max_size is not None:
        image = thumbnail(image, max_size)
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    if fmt.upper() == "JPEG" and has_alpha:
        fmt = "PNG"
    buffer = io.BytesIO()
    if fmt.upper() == "JPEG":
        image.convert("RGB").save(buffer, "JPEG", quality=quality, optimize=True)
        mime = "image/jpeg"
    else:
        image.save(buffer, "PNG", optimize=True)
        mime = "image/png"
    return f"data:{mime};base64,{base64.b64encode(buffer.getvalue()).decode('ascii')}"
