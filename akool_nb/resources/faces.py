"""Face detection (docs §B.6): ``detect_faces`` (pictures and videos), ``analyze_frames`` (people across frames)
and the deprecated ``/detect`` on its own host.

    det = client.faces.detect("me.jpg")          # local pictures go as base64 ``img``; no asset host needed
    det.face.opts                                # "x1,y1:x2,y2:x3,y3:x4,y4" for faceswap / reage

Detection answers outside Akool's ``{code, msg, data}`` envelope; "No faces detected" (``error_code`` 1) comes
back here as a detection with no faces rather than an exception.
"""
from __future__ import annotations

import base64
import os
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

from .._base_client import APIRequest
from .._exceptions import APIError, InvalidParameterError
from ..media.inputs import Upload, check_url, prepare
from ..models.faces import FaceDetection, FrameAnalysis, LegacyDetection
from ._base import Resource, Steps

DETECT_BASE_PATH = "/interface/detect-api"
LEGACY_DETECT_BASE_URL = "https://sg3.akool.com"  # docs §B.6.3 ("will be deprecated")
IMAGE_EXTS = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".webp"})
VIDEO_EXTS = frozenset({".mp4", ".mov", ".avi", ".webm"})
NO_FACES = "No faces detected"
_NOT_MEDIA = frozenset({".gif", ".tif", ".tiff", ".mkv", ".txt", ".pdf", ".mp3", ".wav", ".m4a", ".aac", ".ogg",
                        ".flac"})


def _suffix(url: str) -> str:
    name = urlsplit(url).path.rsplit("/", 1)[-1]
    return ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""


def media_input(value: Any, param: str, *, videos: bool = True) -> tuple[str, Any, Any]:
    """What a detection sends for ``value``: ``("url", url, None)``, ``("img", base64 data URI, local value)``
    or ``("upload", Upload, local value)`` (a local video goes through the asset host). Checks happen here."""
    if isinstance(value, FaceDetection):
        value = value.media
    kinds = ("image", "video") if videos else ("image",)
    if isinstance(value, str) and "://" in value:
        url = check_url(value, param, kinds, check_extension=False)
        ext = _suffix(url)
        refused = _NOT_MEDIA | (frozenset() if videos else VIDEO_EXTS)  # URLs without a known extension pass
        if ext in refused:
            raise InvalidParameterError(param, f"{ext} files are not accepted; face detection takes pictures "
                                               f"({', '.join(sorted(IMAGE_EXTS))})"
                                        + (f" or videos ({', '.join(sorted(VIDEO_EXTS))})" if videos else ""))
        return "url", url, None
    if isinstance(value, (str, os.PathLike)) and Path(value).suffix.lower() == ".bmp":
        try:
            data = Path(value).expanduser().read_bytes()
        except OSError as exc:
            raise InvalidParameterError(param, f"cannot read {str(value)!r}: {exc.strerror}") from None
        return "img", "data:image/bmp;base64," + base64.b64encode(data).decode(), value
    prepared = prepare(value, param, kinds)
    if isinstance(prepared, str):
        return "url", prepared, None
    if prepared.content_type.startswith("video/") or Path(prepared.filename).suffix.lower() in VIDEO_EXTS:
        return "upload", prepared, value
    mime = prepared.content_type if prepared.content_type.startswith("image/") else "image/png"
    return "img", f"data:{mime};base64," + base64.b64encode(prepared.data).decode(), value


def _flag(value: Any, param: str) -> bool | None:
    if value is not None and not isinstance(value, bool):
        raise InvalidParameterError(param, f"{value!r} is not allowed; use True or False")
    return value


def _num_frames(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 100:
        raise InvalidParameterError("num_frames", f"{value!r} is not allowed; use a whole number from 1 to 100 "
                                                  "(frames analysed in a video; 5-10 for short clips)")
    return value


def detect_request() -> APIRequest:
    return APIRequest("POST", DETECT_BASE_PATH + "/detect_faces", envelope="detect")


def detect_steps(resource: Resource, media: Any, *, num_frames: int | None = None, single_face: bool | None = None,
                 return_face_url: bool | None = None, param: str = "media",
                 request: APIRequest | None = None) -> Steps[FaceDetection]:
    """The ``detect_faces`` request for ``media`` (also used by faceswap and reage to find faces)."""
    options = {"num_frames": _num_frames(num_frames), "single_face": _flag(single_face, "single_face"),
               "return_face_url": _flag(return_face_url, "return_face_url")}
    kind, value, local = media_input(media, param)
    is_video = False
    if kind == "upload":
        is_video = True
        value = yield value
        kind = "url"
    elif kind == "url":
        is_video = _suffix(value) in VIDEO_EXTS
    body = {kind: value, **{k: v for k, v in options.items() if v is not None}}
    data = yield _rebased(resource, replace(request or detect_request(), json=body))
    detection = FaceDetection.model_validate(data or {})
    is_video = is_video or any(f.frame_time is not None for f in detection.faces_obj.values())
    return detection._bind(value if kind == "url" else None, local, is_video)


def _rebased(resource: Resource, req: APIRequest) -> APIRequest:
    """``req`` on the configured detection host (``client.faces.detect_base_url``), if one is set."""
    base = getattr(resource._client.faces, "detect_base_url", None)
    if base and req.path.startswith(DETECT_BASE_PATH):
        return replace(req, path=base.rstrip("/") + req.path[len(DETECT_BASE_PATH):])
    return req


def _no_faces(err: APIError) -> bool:
    body = err.body if isinstance(err.body, dict) else {}
    return str(body.get("error_msg") or err.message).strip().lower() == NO_FACES.lower()


class Faces(Resource):
    """``client.faces``: face detection. ``detect_base_url`` (default: the client's base URL +
    ``/interface/detect-api``) and ``legacy_base_url`` (default ``https://sg3.akool.com``; the offline Akool
    serves it itself; env ``AKOOL_NB_DETECT_LEGACY_BASE_URL``) can be changed on the resource."""

    def __init__(self, client: Any) -> None:
        super().__init__(client)
        self.detect_base_url: str | None = os.environ.get("AKOOL_NB_DETECT_BASE_URL") or None
        self.legacy_base_url: str | None = os.environ.get("AKOOL_NB_DETECT_LEGACY_BASE_URL") or None

    def _legacy_url(self, path: str = "/detect") -> str:
        base = self.legacy_base_url or (self._client.base_url if self._client.offline else LEGACY_DETECT_BASE_URL)
        return base.rstrip("/") + path

    def _tolerate_no_faces(self, steps: Steps[Any], empty: Callable[[APIError], Any]) -> Any:
        """Run ``steps``; Akool's "No faces detected" error becomes ``empty(err)`` (a result without faces)."""
        if self._client._is_async:
            async def run() -> Any:
                try:
                    return await self._client._run(steps)
                except APIError as err:
                    if _no_faces(err):
                        return empty(err)
                    raise
            return run()
        try:
            return self._client._run(steps)
        except APIError as err:
            if _no_faces(err):
                return empty(err)
            raise

    def detect(self, media: Any, *, num_frames: int | None = None, single_face: bool | None = None,
               return_face_url: bool | None = None) -> FaceDetection:
        """Faces in a picture or video: a URL, a local path, bytes, a PIL image or a result. Local pictures are
        sent as base64 ``img``; local videos are uploaded first. ``num_frames`` (videos, 1–100, default 5),
        ``single_face`` (only the largest), ``return_face_url`` (cropped faces with their own landmarks: the
        best faceswap targets). Returns a :class:`FaceDetection` (``.faces``, ``.face``, ``.frames``)."""
        request = APIRequest("POST", "/interface/detect-api/detect_faces", envelope="detect")
        steps = detect_steps(self, media, num_frames=num_frames, single_face=single_face,
                             return_face_url=return_face_url, request=request)
        source = media.media if isinstance(media, FaceDetection) else media

        def empty(err: APIError) -> FaceDetection:
            url = source if isinstance(source, str) and "://" in source else None
            return FaceDetection(error_code=err.code if err.code is not None else 1,
                                 error_msg=NO_FACES)._bind(url, None if url else source, False)

        return self._tolerate_no_faces(steps, empty)

    def analyze_frames(self, frames: Any, *, timestamps: list[float] | None = None,
                       expand_ratio: float | None = None) -> FrameAnalysis:
        """People across frames (``POST …/faceswap/analyze_frames``): one :class:`Person` per face identity,
        with a cropped ``face_url``, its ``bbox`` ``[x1, y1, x2, y2]`` and appearances. ``frames``: picture URLs,
        paths, PIL images or results (local ones are uploaded); ``timestamps``: seconds, one per frame;
        ``expand_ratio``: 0–1 crop margin (0.5 suits face swap)."""
        request = APIRequest("POST", "/interface/detect-api/faceswap/analyze_frames", envelope="analyze")
        return self._client._run(self._analyze(frames, timestamps, expand_ratio, request))

    def _analyze(self, frames: Any, timestamps: Any, expand_ratio: Any, request: APIRequest) -> Steps[FrameAnalysis]:
        items = list(frames) if isinstance(frames, (list, tuple)) else [frames]
        if not items:
            raise InvalidParameterError("frames", "needs at least one picture")
        prepared = [self._prepare(v, f"frames[{i}]", "image") for i, v in enumerate(items)]
        stamps = None
        if timestamps is not None:
            if not isinstance(timestamps, (list, tuple)):
                raise InvalidParameterError("timestamps", f"must be a list of times in seconds, one per frame "
                                                          f"({len(items)} frames)", value=timestamps)
            stamps = list(timestamps)
            if len(stamps) != len(items) or not all(
                    isinstance(t, (int, float)) and not isinstance(t, bool) and 0 <= t < float("inf") for t in stamps):
                raise InvalidParameterError("timestamps", f"needs one time in seconds (≥ 0) per frame: {len(items)} "
                                                          f"frames, got {stamps!r}")
            stamps = [float(t) for t in stamps]
        if expand_ratio is not None and (isinstance(expand_ratio, bool) or not isinstance(expand_ratio, (int, float))
                                         or not 0 <= expand_ratio <= 1):
            raise InvalidParameterError("expand_ratio", f"{expand_ratio!r} is outside 0–1 (0.5 suits face swap)")
        urls = []
        for p in prepared:
            urls.append((yield from self._url(p)))
        body: dict[str, Any] = {"frame_urls": urls}
        if stamps is not None:
            body["timestamps"] = stamps
        if expand_ratio is not None:
            body["expand_ratio"] = expand_ratio
        data = yield _rebased(self, replace(request, json=body))
        return FrameAnalysis.model_validate(data or {})

    def detect_legacy(self, image: Any, *, single_face: bool = False) -> LegacyDetection:
        """The deprecated ``POST https://sg3.akool.com/detect`` (prefer :meth:`detect`): one picture by URL
        (``image_url``) or local data (base64 ``img``)."""
        single = _flag(single_face, "single_face")
        if single is None:
            raise InvalidParameterError("single_face", "must be True or False")
        kind, value, local = media_input(image, "image", videos=False)

        def steps() -> Steps[LegacyDetection]:
            body = {"single_face": bool(single), ("image_url" if kind == "url" else "img"): value}
            request = APIRequest("POST", "/detect", json=body, envelope="detect")  # on its own host (docs F.1)
            data = yield replace(request, path=self._legacy_url(request.path))
            out = LegacyDetection.model_validate(data or {})
            out._source_url, out._media = (value if kind == "url" else None), local
            return out

        def empty(err: APIError) -> LegacyDetection:
            out = LegacyDetection(error_code=err.code if err.code is not None else 1, error_msg=NO_FACES)
            out._source_url, out._media = (value if kind == "url" else None), local
            return out

        return self._tolerate_no_faces(steps(), empty)


__all__ = ["Faces", "Upload", "detect_steps", "media_input"]
