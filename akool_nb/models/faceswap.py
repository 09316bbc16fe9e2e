"""Face swap and reage requests and results (docs §B.7, §B.13).

Field names are the documented wire names (``targetImage``, ``sourceImage``, ``modifyImage``,
``face_enhance``, ``webhookUrl`` …). v3 ``face_enhance`` is an integer 0/1 (0 Classic model, 1 HD Optimized);
v4 (Face Swap Pro) takes a boolean (docs F.52). At most 8 faces per request (Akool answers 1007 above).
"""
from __future__ import annotations

import math
import re
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, Field, field_validator, model_validator

from ..spec.faceswap import LANDMARKS_STR, MAX_FACES
from ._base import RequestModel, ResponseModel

PRO_MODEL = "akool_faceswap_image_hq"
OPTS_PATTERN = LANDMARKS_STR
_URL = re.compile(r"^https?://[^\s/]+\S*$")


def _check_url(value: str) -> str:
    if not _URL.match(value or ""):
        raise ValueError(f"{value!r} is not an http(s) URL")
    return value


HttpURL = Annotated[str, AfterValidator(_check_url)]  # a picture or video Akool fetches


class FaceRef(RequestModel):
    """One face for v3 faceswap/reage: ``path`` (the face picture: a crop, or the whole picture) and ``opts``
    (its ``landmarks_str`` from face detection, in that picture's coordinates)."""

    path: HttpURL
    opts: str

    @field_validator("opts")
    @classmethod
    def _opts(cls, value: str) -> str:
        if not OPTS_PATTERN.match(value):
            raise ValueError(f"{value!r} is not a landmarks_str; it must be four points \"x1,y1:x2,y2:x3,y3:x4,y4\" "
                             "(left eye, right eye, nose tip, mouth centre) from client.faces.detect()")
        return value.replace(" ", "")


class ImageRef(RequestModel):
    """One picture for Face Swap Pro (v4): ``{path}`` only."""

    path: HttpURL


def _faces(value: list[Any], what: str) -> list[Any]:
    if not value:
        raise ValueError(f"needs at least one {what}")
    if len(value) > MAX_FACES:
        raise ValueError(f"has {len(value)} faces; at most {MAX_FACES} faces can be swapped per request "
                         "(Akool answers 1007): split the work into several requests")
    return value


def _enhance_v3(value: Any) -> int:
    if isinstance(value, bool):
        return int(value)
    if value not in (0, 1):
        raise ValueError(f"{value!r} is not allowed; use 0 (Classic model) or 1 (HD Optimized model)")
    return int(value)


class _Aligned(RequestModel):
    """The v3 faceswap body shared by picture and video: aligned face lists and the 0/1 ``face_enhance``."""

    arguments: ClassVar[dict[str, str]] = {"targetImage": "target", "sourceImage": "source",
                                           "modifyImage": "modify_image", "modifyVideo": "modify_video"}

    targetImage: list[FaceRef]
    sourceImage: list[FaceRef]
    face_enhance: int | None = None
    webhookUrl: str | None = None

    @field_validator("face_enhance", mode="before")
    @classmethod
    def check_enhance(cls, value: Any) -> int:
        return _enhance_v3(value)

    @field_validator("targetImage")
    @classmethod
    def _targets(cls, value: list[FaceRef]) -> list[FaceRef]:
        return _faces(value, "target face")

    @field_validator("sourceImage")
    @classmethod
    def _sources(cls, value: list[FaceRef]) -> list[FaceRef]:
        return _faces(value, "source face")

    @model_validator(mode="after")
    def _aligned(self) -> "_Aligned":
        if len(self.sourceImage) != len(self.targetImage):
            raise ValueError(f"sourceImage has {len(self.sourceImage)} faces but targetImage has "
                             f"{len(self.targetImage)}: they pair up index for index")
        return self


class FaceswapImageRequest(_Aligned):
    """``POST /api/open/v3/faceswap/highquality/specifyimage``."""

    endpoint: ClassVar[str] = "POST /api/open/v3/faceswap/highquality/specifyimage"
    modifyImage: HttpURL


class FaceswapVideoRequest(_Aligned):
    """``POST /api/open/v3/faceswap/highquality/specifyvideo``."""

    endpoint: ClassVar[str] = "POST /api/open/v3/faceswap/highquality/specifyvideo"
    modifyVideo: HttpURL


class FaceswapProRequest(RequestModel):
    """``POST /api/open/v4/faceswap/faceswapByImage`` (Face Swap Pro: a single face, no ``opts``)."""

    endpoint: ClassVar[str] = "POST /api/open/v4/faceswap/faceswapByImage"
    arguments: ClassVar[dict[str, str]] = {"targetImage": "target", "sourceImage": "source"}
    targetImage: list[ImageRef]
    sourceImage: list[ImageRef]
    model_name: Literal["akool_faceswap_image_hq"] = PRO_MODEL
    face_enhance: bool | None = None
    webhookUrl: str | None = None

    @field_validator("targetImage", "sourceImage")
    @classmethod
    def _single(cls, value: list[ImageRef]) -> list[ImageRef]:
        if len(value) != 1:
            raise ValueError(f"must hold exactly one picture, got {len(value)}: Face Swap Pro swaps a single face "
                             "(use client.faceswap.image() for several)")
        return value

    @field_validator("face_enhance", mode="before")
    @classmethod
    def _enhance(cls, value: Any) -> Any:
        if value is not None and not isinstance(value, bool):
            raise ValueError(f"{value!r} is not allowed: Face enhance must be a boolean value (True/False)")
        return value


class _Reage(RequestModel):
    arguments: ClassVar[dict[str, str]] = {"targetImage": "target", "modifyImage": "modify_image",
                                           "modifyVideo": "modify_video"}
    targetImage: list[FaceRef]
    face_reage: int
    webhookUrl: str | None = None

    @field_validator("targetImage")
    @classmethod
    def _targets(cls, value: list[FaceRef]) -> list[FaceRef]:
        return _faces(value, "face")

    @field_validator("face_reage", mode="before")
    @classmethod
    def _years(cls, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
                or value != int(value):
            raise ValueError(f"{value!r} is not allowed; use a whole number of years from -30 (younger) to 30 (older)")
        if not -30 <= value <= 30:
            raise ValueError(f"{value} is outside -30…30 (negative: younger, positive: older)")
        return int(value)


class ReageImageRequest(_Reage):
    """``POST /api/open/v3/faceswap/highquality/imgreage``."""

    endpoint: ClassVar[str] = "POST /api/open/v3/faceswap/highquality/imgreage"
    modifyImage: HttpURL


class ReageVideoRequest(_Reage):
    """``POST /api/open/v3/faceswap/highquality/vidreage``."""

    endpoint: ClassVar[str] = "POST /api/open/v3/faceswap/highquality/vidreage"
    modifyVideo: HttpURL


class FaceswapResult(ResponseModel):
    """One record of ``GET /api/open/v3/faceswap/result/listbyids`` (faceswap v3/v4 and reage)."""

    id: str | None = Field(None, alias="_id")
    faceswap_status: int | None = None
    url: str | None = None
    faceswap_type: int | None = None
    faceswap_quality: int | None = None
    deduction_status: int | None = None
    image: int | None = None
    video_duration: float | None = None
    deduction_duration: float | None = None
    update_time: int | None = None
    userId: str | None = None
    uid: int | None = None
    createdAt: str | None = None
    job_id: str | None = None

    @field_validator("faceswap_status", mode="before")
    @classmethod
    def _status(cls, value: Any) -> Any:
        return None if value == "" else value  # the reage table types it as the string "" (docs F.31)
