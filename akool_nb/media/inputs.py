"""Turn whatever the user passes as media into what Akool accepts: a URL.

Accepted: an http(s) URL, a local path, bytes, a PIL image, or a finished :class:`~akool_nb.jobs.Result`
(or completed job). Local data goes through the client's asset host. Every check happens here, before any
request: unreadable files, unsupported formats and malformed URLs raise :class:`InvalidParameterError`
(a ``ValueError``) naming the parameter.
"""
from __future__ import annotations

import io
import mimetypes
import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from .._exceptions import InvalidParameterError

# Formats the docs name (talking avatar: images .png .jpg .jpeg .webp; videos .mp4 .mov .avi). Audio
# formats are not listed for these products; VoiceLab says "mp3, mp4, wav, etc.".
FORMATS: dict[str, frozenset[str]] = {
    "image": frozenset({".png", ".jpg", ".jpeg", ".webp"}),
    "video": frozenset({".mp4", ".mov", ".avi"}),
    "audio": frozenset({".mp3", ".wav", ".m4a", ".aac", ".ogg", ".flac", ".mp4"}),
}
_ALL_KNOWN = frozenset().union(*FORMATS.values()) | {".gif", ".bmp", ".tif", ".tiff", ".mkv", ".webm", ".txt"}


@dataclass(frozen=True)
class Upload:
    """Local bytes that must go through the asset host before the request."""

    param: str
    data: bytes
    filename: str
    content_type: str


def _allowed(kinds: tuple[str, ...]) -> frozenset[str]:
    return frozenset().union(*(FORMATS[k] for k in kinds))


def _describe(kinds: tuple[str, ...]) -> str:
    return " or ".join(f"{k} ({', '.join(sorted(FORMATS[k]))})" for k in kinds)


def _sniff(data: bytes) -> str | None:
    """File type from magic bytes, as an extension."""
    head = data[:16]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return ".png"
    if head.startswith(b"\xff\xd8\xff"):
        return ".jpg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return ".webp"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return ".wav"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return ".avi"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand == b"qt  ":
            return ".mov"
        if brand in (b"M4A ", b"M4B "):
            return ".m4a"
        return ".mp4"
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return ".mp3"
    if head.startswith(b"OggS"):
        return ".ogg"
    if head.startswith(b"fLaC"):
        return ".flac"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return ".gif"
    return None


def _is_pil_image(value: Any) -> bool:
    # Checked by module name so that resolving a URL never imports Pillow.
    return type(value).__module__.startswith("PIL.") and hasattr(value, "save") and hasattr(value, "size")


def check_url(value: str, param: str, kinds: tuple[str, ...], *, check_extension: bool = True) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in value.strip():
        raise InvalidParameterError(
            param, f"{value!r} is not a valid URL; pass an http(s) URL, a local file path, bytes or a PIL image"
        )
    suffix = PurePosixPath(parts.path).suffix.lower()
    # URLs without a known extension (signed CDN links, hex ids) cannot be checked locally; let them pass.
    if check_extension and suffix in _ALL_KNOWN and suffix not in _allowed(kinds):
        raise InvalidParameterError(
            param, f"{suffix} files are not accepted here; Akool takes {_describe(kinds)}"
        )
    return value.strip()


def prepare(value: Any, param: str, kinds: tuple[str, ...], *, check_extension: bool = True) -> str | Upload:
    """Validate ``value``; return its URL, or an :class:`Upload` for local data."""
    if value is None:
        raise InvalidParameterError(param, "is required")
    url = getattr(value, "url", None)
    if url is not None and type(value).__name__ in ("Result", "Job", "AsyncJob"):
        if not url:
            raise InvalidParameterError(param, "this job has no result URL yet; wait() for it first")
        media = getattr(value, "media", None) or getattr(getattr(value, "product", None), "media", None)
        if media in FORMATS and media not in kinds:
            raise InvalidParameterError(param, f"got a {media} result, but this needs {_describe(kinds)}")
        return check_url(url, param, kinds, check_extension=check_extension)
    if _is_pil_image(value):
        buffer = io.BytesIO()
        image = value if value.mode in ("RGB", "RGBA", "L") else value.convert("RGBA")
        image.save(buffer, format="PNG")
        if "image" not in kinds:
            raise InvalidParameterError(param, f"got an image, but this needs {_describe(kinds)}")
        return Upload(param, buffer.getvalue(), f"{param}.png", "image/png")
    if isinstance(value, (bytes, bytearray, memoryview)):
        data = bytes(value)
        if not data:
            raise InvalidParameterError(param, "got empty bytes")
        suffix = _sniff(data)
        if suffix is None or suffix not in _allowed(kinds):
            found = f"{suffix} data" if suffix else "bytes of an unrecognised format"
            raise InvalidParameterError(param, f"got {found}; Akool takes {_describe(kinds)}")
        return Upload(param, data, f"{param}{suffix}", mimetypes.types_map.get(suffix, "application/octet-stream"))
    if isinstance(value, str) and "://" in value:
        return check_url(value, param, kinds, check_extension=check_extension)
    if isinstance(value, (str, os.PathLike)):
        return _prepare_path(Path(value).expanduser(), param, kinds)
    raise InvalidParameterError(
        param, f"cannot use a {type(value).__name__}; pass a URL, a file path, bytes, a PIL image or a result"
    )


def _prepare_path(path: Path, param: str, kinds: tuple[str, ...]) -> Upload:
    suffix = path.suffix.lower()
    if suffix not in _allowed(kinds):
        raise InvalidParameterError(
            param, f"{path.name!r} has an unsupported format {suffix or '(no extension)'}; "
                   f"Akool takes {_describe(kinds)}"
        )
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InvalidParameterError(param, f"file not found: {str(path)!r}") from None
    except IsADirectoryError:
        raise InvalidParameterError(param, f"{str(path)!r} is a directory, not a file") from None
    except OSError as exc:
        raise InvalidParameterError(param, f"cannot read {str(path)!r}: {exc.strerror}") from None
    if not data:
        raise InvalidParameterError(param, f"{str(path)!r} is empty")
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return Upload(param, data, path.name, content_type)
