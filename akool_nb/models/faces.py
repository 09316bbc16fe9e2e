"""Face detection results: ``detect_faces``, ``analyze_frames`` and the legacy ``/detect`` (docs §B.6).

The service answers parallel arrays per frame (``landmarks[i]``, ``landmarks_str[i]``, ``region[i]`` …);
:class:`Face` puts one face's values together. Landmarks are 6 points in the documented order

    0 left eye, 1 right eye, 2 nose tip, 3 mouth centre, 4 left mouth corner, 5 right mouth corner

("left" is the picture's left: the docs' examples give the left eye the smaller x). ``landmarks_str`` is the
first four as ``"x1,y1:x2,y2:x3,y3:x4,y4"``: the ``opts`` that faceswap v3 and reage take. Regions are
``(x, y, width, height)``; ``analyze_frames`` boxes are ``[x1, y1, x2, y2]`` (docs F.35).
"""
from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

from pydantic import Field, PrivateAttr, field_validator

from .._exceptions import AkoolError
from ._base import ResponseModel

LANDMARK_NAMES = ("left_eye", "right_eye", "nose", "mouth_center", "mouth_left", "mouth_right")
Point = tuple[float, float]


def _point(value: Any) -> Point | None:
    try:
        x, y = value[0], value[1]
        return (float(x), float(y))
    except (TypeError, ValueError, IndexError, KeyError):
        return None


def _box(value: Any) -> tuple[int, int, int, int] | None:
    try:
        x, y, w, h = (int(round(float(v))) for v in list(value)[:4])
        return (x, y, w, h)
    except (TypeError, ValueError):
        return None


def opts_of(points: list[Point] | tuple[Point, ...]) -> str:
    """Four points as faceswap ``opts`` (``landmarks_str``): ``"x1,y1:x2,y2:x3,y3:x4,y4"``."""
    return ":".join(f"{int(round(x))},{int(round(y))}" for x, y in points[:4])


def _at(items: Any, i: int) -> Any:
    return items[i] if isinstance(items, list) and i < len(items) else None


@dataclass(frozen=True)
class Face:
    """One detected face. ``face.opts`` is ready for faceswap; ``face.as_ref()`` is a ``{path, opts}`` item."""

    landmarks: tuple[Point, ...]
    region: tuple[int, int, int, int] | None  # x, y, width, height
    landmarks_str: str
    frame: int = 0
    frame_time: float | None = None
    face_url: str | None = None  # the cropped face (return_face_url=True)
    crop_region: tuple[int, int, int, int] | None = None
    crop_landmarks: str | None = None  # landmarks_str relative to the crop
    source_url: str | None = None  # the picture or video the face was found in (None for base64 input)
    media: Any = field(default=None, repr=False, compare=False)  # the local input (path, bytes, PIL) if any
    source_is_video: bool = field(default=False, repr=False)

    def _point(self, i: int) -> Point | None:
        p = self.landmarks[i] if i < len(self.landmarks) else None
        return None if p is None or (i >= 4 and p == (0.0, 0.0)) else p  # legacy answers pad with [0, 0]

    @property
    def left_eye(self) -> Point | None:
        return self._point(0)

    @property
    def right_eye(self) -> Point | None:
        return self._point(1)

    @property
    def nose(self) -> Point | None:
        return self._point(2)

    @property
    def mouth_center(self) -> Point | None:
        return self._point(3)

    @property
    def mouth_left(self) -> Point | None:
        return self._point(4)

    @property
    def mouth_right(self) -> Point | None:
        return self._point(5)

    @property
    def points(self) -> dict[str, Point | None]:
        """The landmarks by name (left_eye, right_eye, nose, mouth_center, mouth_left, mouth_right)."""
        return {name: self._point(i) for i, name in enumerate(LANDMARK_NAMES)}

    @property
    def opts(self) -> str:
        """``landmarks_str``: the faceswap/reage ``opts`` for this face in its full picture."""
        return self.landmarks_str or opts_of(self.landmarks)

    @property
    def box(self) -> tuple[int, int, int, int] | None:
        """``(x1, y1, x2, y2)``."""
        if self.region is None:
            return None
        x, y, w, h = self.region
        return (x, y, x + w, y + h)

    @property
    def width(self) -> int:
        return self.region[2] if self.region else 0

    @property
    def height(self) -> int:
        return self.region[3] if self.region else 0

    @property
    def area(self) -> int:
        return self.width * self.height

    @property
    def center(self) -> Point | None:
        if self.region is None:
            return None
        x, y, w, h = self.region
        return (x + w / 2, y + h / 2)

    def as_ref(self) -> dict[str, str] | None:
        """``{"path", "opts"}`` as faceswap and reage take it, when the face has a picture URL: its crop
        (``return_face_url=True``) with the crop's landmarks, else the picture it was found in with
        ``landmarks_str``. None when the face came from local data (the client uploads it for you)."""
        if self.face_url and self.crop_landmarks:
            return {"path": self.face_url, "opts": self.crop_landmarks}
        if self.source_url and not self.source_is_video:
            return {"path": self.source_url, "opts": self.opts}
        return None

    def _repr_html_(self) -> str:
        return _faces_table([self])


class FaceFrame(ResponseModel):
    """One analysed frame of ``faces_obj`` (the picture itself for images: key ``"0"``)."""

    landmarks: list[Any] | None = None
    landmarks_str: list[str] | None = None
    region: list[Any] | None = None
    removed: list[Any] | None = None
    frame_time: float | None = None
    face_urls: list[str] | None = None
    crop_region: list[Any] | None = None
    crop_landmarks: list[str] | None = None

    _one_face = field_validator("landmarks_str", mode="before")(lambda v: [v] if isinstance(v, str) else v)


class FaceDetection(ResponseModel):
    """``POST /interface/detect-api/detect_faces``: ``faces`` (the picture's, or the first frame's),
    ``face`` (the largest), ``frames`` (videos: one per analysed frame, with ``frame_time``)."""

    error_code: int | None = None
    error_msg: str | None = None
    faces_obj: dict[str, FaceFrame] = Field(default_factory=dict)
    _source_url: str | None = PrivateAttr(default=None)
    _media: Any = PrivateAttr(default=None)
    _is_video: bool = PrivateAttr(default=False)

    def _bind(self, source_url: str | None, media: Any, is_video: bool) -> "FaceDetection":
        self._source_url, self._media, self._is_video = source_url, media, is_video
        return self

    @property
    def source_url(self) -> str | None:
        return self._source_url

    @property
    def media(self) -> Any:
        """What was analysed: the URL, or the local picture you passed (path, bytes or PIL image)."""
        return self._source_url if self._source_url is not None else self._media

    @property
    def is_video(self) -> bool:
        return self._is_video

    def _frame_faces(self, key: str, frame: FaceFrame) -> list[Face]:
        try:
            index = int(key)
        except ValueError:
            index = 0
        out = []
        for i, marks in enumerate(frame.landmarks or []):
            points = tuple(p for p in (_point(m) for m in (marks or [])) if p is not None)
            crop = _at(frame.crop_region, i)
            out.append(Face(
                landmarks=points, region=_box(_at(frame.region, i)),
                landmarks_str=_at(frame.landmarks_str, i) or opts_of(points), frame=index,
                frame_time=frame.frame_time, face_url=_at(frame.face_urls, i),
                crop_region=_box(crop) if crop is not None else None, crop_landmarks=_at(frame.crop_landmarks, i),
                source_url=self._source_url, media=self._media, source_is_video=self._is_video,
            ))
        return out

    @property
    def frames(self) -> list[tuple[int, float | None, list[Face]]]:
        """``(frame index, frame_time, faces)`` per analysed frame, in order."""
        keys = sorted(self.faces_obj, key=lambda k: int(k) if str(k).isdigit() else 0)
        return [(int(k) if str(k).isdigit() else 0, self.faces_obj[k].frame_time,
                 self._frame_faces(k, self.faces_obj[k])) for k in keys]

    @property
    def faces(self) -> list[Face]:
        """The faces of the picture (videos: of the first analysed frame that has any)."""
        for _, _, faces in self.frames:
            if faces:
                return faces
        return []

    @property
    def face(self) -> Face:
        """The largest face; raises when none was found."""
        faces = self.faces
        if not faces:
            raise AkoolError(f"no face was detected{_where(self._source_url)}: {self.error_msg or 'no faces'}")
        return max(faces, key=lambda f: f.area)

    def __len__(self) -> int:
        return len(self.faces)

    def draw(self, image: Any = None) -> Any:
        """A PIL copy of the picture with each face's box and landmarks drawn (``image``: the picture, if the
        detection was of a URL you don't have locally it is downloaded)."""
        return draw_faces(image if image is not None else self.media, self.faces)

    def _repr_html_(self) -> str:
        head = (f"<b>{len(self.faces)} face(s)</b>" + (f" in {len(self.frames)} frames" if self._is_video else "")
                + (f" · {html.escape(self.error_msg or '')}" if not self.faces else ""))
        return f'<div style="font-family:sans-serif;font-size:13px">{head}{_faces_table(self.faces)}</div>'


class LegacyDetection(ResponseModel):
    """Legacy ``POST https://sg3.akool.com/detect``: the same arrays without ``faces_obj``."""

    error_code: int | None = None
    error_msg: str | None = None
    landmarks: list[Any] | None = None
    landmarks_str: list[str] | None = None
    region: list[Any] | None = None
    seconds: float | None = None
    trx_id: str | None = None
    _source_url: str | None = PrivateAttr(default=None)
    # Real code reads one face's landmarks_str as a plain string; accept that answer too.
    _one_face = field_validator("landmarks_str", mode="before")(lambda v: [v] if isinstance(v, str) else v)
    _media: Any = PrivateAttr(default=None)

    @property
    def faces(self) -> list[Face]:
        frame = FaceFrame(landmarks=self.landmarks, landmarks_str=self.landmarks_str, region=self.region)
        det = FaceDetection(error_code=self.error_code, error_msg=self.error_msg, faces_obj={"0": frame})
        return det._bind(self._source_url, self._media, False).faces

    @property
    def face(self) -> Face:
        faces = self.faces
        if not faces:
            raise AkoolError(f"no face was detected{_where(self._source_url)}")
        return max(faces, key=lambda f: f.area)

    def _repr_html_(self) -> str:
        return f'<div style="font-family:sans-serif;font-size:13px"><b>{len(self.faces)} face(s)</b>' \
               f'{_faces_table(self.faces)}</div>'


class Appearance(ResponseModel):
    timestamp: float | None = None
    frame_idx: int | None = None
    bbox: list[float] | None = None


class Person(ResponseModel):
    """One person of ``analyze_frames``: the same face across frames, ``bbox`` = ``[x1, y1, x2, y2]``."""

    person_id: str | None = None
    index: int | None = None
    face_url: str | None = None
    bbox: list[float] | None = None
    confidence: float | None = None
    appearances: list[Appearance] = Field(default_factory=list)
    first_seen: float | None = None
    last_seen: float | None = None

    @property
    def region(self) -> tuple[int, int, int, int] | None:
        """The first appearance's box as ``(x, y, width, height)``."""
        if not self.bbox or len(self.bbox) < 4:
            return None
        x1, y1, x2, y2 = (int(round(v)) for v in self.bbox[:4])
        return (x1, y1, x2 - x1, y2 - y1)


class FrameAnalysis(ResponseModel):
    """``POST /interface/detect-api/faceswap/analyze_frames``."""

    success: bool | None = None
    error: str | None = None
    frame_count: int | None = None
    persons: list[Person] = Field(default_factory=list)

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{html.escape(p.person_id or '')}</td><td>{p.bbox}</td><td>{p.confidence}</td>"
            f"<td>{len(p.appearances)}</td><td>{p.first_seen}–{p.last_seen}s</td>"
            f"<td>{_thumb(p.face_url)}</td></tr>" for p in self.persons)
        return (f'<div style="font-family:sans-serif;font-size:13px"><b>{len(self.persons)} person(s)</b> in '
                f'{self.frame_count} frame(s)<table><tr><th>person</th><th>bbox x1,y1,x2,y2</th><th>confidence'
                f'</th><th>appearances</th><th>seen</th><th>face</th></tr>{rows}</table></div>')


def _where(url: str | None) -> str:
    return f" in {url}" if url else ""


def _thumb(url: str | None) -> str:
    return f'<img src="{html.escape(url)}" style="height:48px">' if url else ""


def _faces_table(faces: list[Face]) -> str:
    if not faces:
        return ""
    rows = "".join(
        f"<tr><td>{i}</td><td>{f.region}</td><td><code>{html.escape(f.opts)}</code></td>"
        f"<td>{f.frame_time if f.frame_time is not None else ''}</td><td>{_thumb(f.face_url)}</td></tr>"
        for i, f in enumerate(faces))
    return ("<table><tr><th>#</th><th>region x,y,w,h</th><th>landmarks_str (opts)</th><th>time</th>"
            f"<th>crop</th></tr>{rows}</table>")


def draw_faces(image: Any, faces: list[Face]) -> Any:
    """A copy of ``image`` (PIL image, path, bytes or URL) with boxes and the 6 landmarks of ``faces``."""
    import io
    from pathlib import Path

    from PIL import Image, ImageDraw

    if isinstance(image, str) and image.startswith(("http://", "https://")):
        import httpx

        image = httpx.get(image, timeout=60, follow_redirects=True).content
    if isinstance(image, (bytes, bytearray)):
        image = Image.open(io.BytesIO(image))
    elif isinstance(image, (str, Path)):
        image = Image.open(image)
    if image is None:
        raise AkoolError("draw() needs the picture: pass it as draw(image)")
    out = image.convert("RGB")
    pen = ImageDraw.Draw(out)
    width = max(2, round(min(out.size) / 200))
    colours = ((230, 57, 70), (69, 123, 157), (42, 157, 143), (244, 162, 97), (233, 196, 106), (233, 196, 106))
    for face in faces:
        if face.box:
            pen.rectangle(face.box, outline=(255, 255, 255), width=width)
        for i, p in enumerate(face.landmarks):
            if p is None or (i >= 4 and p == (0.0, 0.0)):
                continue
            r = width * 1.6
            pen.ellipse((p[0] - r, p[1] - r, p[0] + r, p[1] + r), fill=colours[i % len(colours)])
    return out
