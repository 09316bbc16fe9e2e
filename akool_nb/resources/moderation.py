"""Jarvis Moderator: check text, images, video or audio against content policies (catalog §B.15).

    job = client.moderation.text("Buy now! Limited offer!")
    analysis = job.wait().data        # Analysis: final_conclusion, result, findings
"""
from __future__ import annotations

import mimetypes
import os
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from .._base_client import APIRequest
from .._exceptions import InvalidParameterError
from ..jobs import Product, register
from ..media.inputs import FORMATS as INPUT_FORMATS, Upload, _sniff, check_url, prepare
from ..models.moderation import (FORMATS, MAX_BYTES, TYPE_NAMES, Analysis, ModerationRequest, content_type)
from ._base import Resource, Steps, identifier, operation, text as text_arg, webhook

FIND_HINT = "Check client.jobs.recent() and your webhook receiver."
_KNOWN = frozenset().union(*FORMATS.values(), *INPUT_FORMATS.values()) | {".gif", ".bmp", ".tif", ".tiff", ".mkv",
                                                                         ".mov", ".txt"}
_CONTENT_TYPES = {".txt": "text/plain", ".md": "text/markdown", ".csv": "text/csv", ".json": "application/json",
                  ".xml": "application/xml", ".pdf": "application/pdf", ".gif": "image/gif",
                  ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}

register(Product(
    "moderation", "Jarvis moderation", "data",
    lambda i: APIRequest("GET", "/api/open/v3/content/analysis/infobyid", params={"_id": i}),
    "status", ("url",), model="moderation:Analysis", find_hint=FIND_HINT,
    creates=("/api/open/v3/content/analysis/sentiment",),
))


def _content_type(suffix: str) -> str:
    return _CONTENT_TYPES.get(suffix) or mimetypes.types_map.get(suffix) or "application/octet-stream"


def _limit(kind: str) -> str:
    mb = MAX_BYTES[kind] // (1024 * 1024)
    return f"{mb}MB" if mb < 1024 else "1GB"


def _check_suffix(suffix: str, kind: str, what: str) -> None:
    if suffix not in FORMATS[kind]:
        raise InvalidParameterError("content", f"{what} {suffix or '(no extension)'} is not accepted for {kind}; "
                                               f"Jarvis takes {', '.join(sorted(FORMATS[kind]))}")


def _check_bytes(data: bytes, kind: str, suffix: str) -> None:
    if kind in MAX_BYTES and len(data) > MAX_BYTES[kind]:
        raise InvalidParameterError("content", f"is {len(data) / 1048576:.1f}MB; Jarvis takes {kind} up to "
                                               f"{_limit(kind)}")
    if kind == "image" and suffix == ".gif":
        import io

        from PIL import Image

        try:
            animated = getattr(Image.open(io.BytesIO(data)), "is_animated", False)
        except Exception:
            raise InvalidParameterError("content", "is not a readable GIF image") from None
        if animated:
            raise InvalidParameterError("content", "is an animated GIF; Jarvis takes non-animated GIFs only")


def _local_file(path: Path, kind: str) -> Upload:
    suffix = path.suffix.lower()
    _check_suffix(suffix, kind, "a file of type")
    try:
        if kind in MAX_BYTES and path.stat().st_size > MAX_BYTES[kind]:  # before reading a huge file
            raise InvalidParameterError("content", f"{path.name!r} is {path.stat().st_size / 1048576:.1f}MB; "
                                                   f"Jarvis takes {kind} up to {_limit(kind)}")
        data = path.read_bytes()
    except FileNotFoundError:
        raise InvalidParameterError("content", f"file not found: {str(path)!r}") from None
    except OSError as exc:
        raise InvalidParameterError("content", f"cannot read {str(path)!r}: {exc.strerror}") from None
    if not data:
        raise InvalidParameterError("content", f"{str(path)!r} is empty")
    _check_bytes(data, kind, suffix)
    return Upload("content", data, path.name, _content_type(suffix))


def prepare_content(value: Any, kind: str) -> str | Upload:
    """The ``content`` of a Jarvis request: inline text (type 4), or a URL / local media made into one."""
    if kind == "text" and isinstance(value, str) and "://" not in value.strip():
        if not value.strip():
            raise InvalidParameterError("content", "is empty; pass the text to check")
        return value
    if isinstance(value, str) and "://" in value:
        url = check_url(value, "content", ("image",), check_extension=False)
        suffix = PurePosixPath(urlsplit(url).path).suffix.lower()
        if suffix in _KNOWN or kind == "text" and suffix:
            _check_suffix(suffix, kind, "a URL of type")
        return url
    if isinstance(value, os.PathLike) or (isinstance(value, str) and kind != "text"):
        return _local_file(Path(value).expanduser(), kind)
    if kind == "text":
        raise InvalidParameterError("content", f"cannot use a {type(value).__name__} as text; pass a string, a "
                                               "URL or a pathlib.Path of a .txt/.md/.pdf/... file")
    if isinstance(value, (bytes, bytearray, memoryview)):
        data = bytes(value)
        suffix = _sniff(data) or ""
        if not data:
            raise InvalidParameterError("content", "got empty bytes")
        _check_suffix(suffix, kind, "data of type")
        _check_bytes(data, kind, suffix)
        return Upload("content", data, f"content{suffix}", _content_type(suffix))
    # Results, jobs and PIL images: the shared preparation, with Jarvis' own format list.
    media_kind = kind if kind in INPUT_FORMATS else "image"
    prepared = prepare(value, "content", (media_kind,), check_extension=False)
    if isinstance(prepared, Upload):
        suffix = PurePosixPath(prepared.filename).suffix.lower()
        _check_suffix(suffix, kind, "data of type")
        _check_bytes(prepared.data, kind, suffix)
        return prepared
    suffix = PurePosixPath(urlsplit(prepared).path).suffix.lower()
    if suffix in _KNOWN:
        _check_suffix(suffix, kind, "a URL of type")
    return prepared


class Moderation(Resource):
    """Jarvis Moderator (enterprise accounts). Each check is a job; its result is an :class:`Analysis`."""

    @operation
    def analyze(self, content: Any, type: Any, *, language: str | None = None, input: str | None = None,
                webhook_url: str | None = None) -> Steps[Any]:
        """Check ``content`` for policy violations. ``type``: 1/"image", 2/"video", 3/"audio", 4/"text".

        ``content`` is text (type 4: inline, or a URL of a .txt .docx .xml .pdf .csv .md .json file, or a
        ``pathlib.Path`` to upload), or the image/video/audio as a URL, path, bytes, PIL image or result.
        ``language``: ISO-639-1 code, recommended for video, audio and text. ``input``: your own words of
        what to detect (free text). Limits: image ≤ 20MB (png jpeg webp, non-animated gif), audio ≤ 25MB and
        60 min, video ≤ 1GB and 1080p (mp4, avi)."""
        return (yield from self._steps(content, type, "content", language=language, input=input,
                                       webhook_url=webhook_url))

    def _steps(self, content: Any, type: Any, param: str, *, language: str | None = None,
               input: str | None = None, webhook_url: str | None = None) -> Steps[Any]:
        """``analyze`` with errors about ``content`` naming ``param`` (``text=`` for :meth:`text`, ...)."""
        try:
            number = content_type(type)
        except ValueError as exc:
            raise InvalidParameterError("type", str(exc), endpoint=ModerationRequest.endpoint) from None
        text_arg(language, "language", max_chars=16)
        text_arg(input, "input")
        fields = dict(type=number, language=language, input=input, webhookUrl=webhook(webhook_url))
        ModerationRequest.build(content="x", **fields)  # every other field is checked before any upload
        try:
            ref = prepare_content(content, TYPE_NAMES[number])
            if isinstance(ref, str):
                ModerationRequest.build(content=ref, **fields)
        except InvalidParameterError as exc:
            if param == "content" or exc.param != "content":
                raise
            raise InvalidParameterError(param, exc.problem, endpoint=exc.endpoint, field="content") from None
        body = ModerationRequest.build(content=(yield from self._url(ref)), **fields).to_wire()
        data = yield APIRequest("POST", "/api/open/v3/content/analysis/sentiment", json=body, paid=True,
                                find_hint=FIND_HINT)
        return self._job("moderation", data, body)

    def text(self, text: Any, **options: Any) -> Any:
        """``analyze(text, 4)``: inline text, a document URL, or a ``pathlib.Path``."""
        return self._client._run(self._steps(text, 4, "text", **options))

    def image(self, image: Any, **options: Any) -> Any:
        return self._client._run(self._steps(image, 1, "image", **options))

    def video(self, video: Any, **options: Any) -> Any:
        return self._client._run(self._steps(video, 2, "video", **options))

    def audio(self, audio: Any, **options: Any) -> Any:
        return self._client._run(self._steps(audio, 3, "audio", **options))

    @operation
    def result(self, id: str) -> Steps[Analysis]:
        """The analysis record by ``_id`` as it is now (``GET .../analysis/infobyid``); jobs poll it for you."""
        identifier(id, "id", "analysis _id (the create call's _id)", field="_id")
        data = yield APIRequest("GET", "/api/open/v3/content/analysis/infobyid", params={"_id": id})
        return Analysis.model_validate(data or {})
