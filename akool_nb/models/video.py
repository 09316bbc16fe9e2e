"""Talking photo and talking avatar requests, and the shared video result record."""
from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import BeforeValidator, Field, field_validator, model_validator

from ..spec.common import HEX_COLOUR
from ..spec.video import TALKING_AVATAR_CANVAS, TALKING_AVATAR_ELEMENT_TYPES, TALKING_AVATAR_VISUAL_TYPES
from ._base import RequestModel, ResponseModel, check_id

CANVAS = TALKING_AVATAR_CANVAS
_SIZE = "{}×{}".format(*CANVAS)


class VideoInfo(ResponseModel):
    """``GET /api/open/v3/content/video/infobymodelid``; the video is at ``video``."""

    id: str | None = Field(None, alias="_id")
    video_status: int | None = None
    video: str | None = None
    create_time: int | None = None
    video_id: str | None = None


class TalkingPhotoRequest(RequestModel):
    """``POST /api/open/v3/content/video/createbytalkingphoto``."""

    endpoint: ClassVar[str] = "POST /api/open/v3/content/video/createbytalkingphoto"
    arguments: ClassVar[dict[str, str]] = {"talking_photo_url": "photo", "audio_url": "audio"}
    talking_photo_url: str
    audio_url: str
    prompt: str | None = None
    resolution: str | None = None
    webhookUrl: str | None = None

    @field_validator("resolution", mode="before")
    @classmethod
    def _resolution(cls, value: object) -> str:
        # Talking photo takes "720"/"1080" as strings without "p" (unlike other products, docs F.34).
        text = str(value).lower().removesuffix("p")
        if text not in ("720", "1080"):
            raise ValueError(f"{value!r} is not allowed; use \"720\" or \"1080\"")
        return text


class Element(RequestModel):
    """One element of a talking-avatar layout (offsets are the element's upper-left corner)."""

    type: str  # one of TALKING_AVATAR_ELEMENT_TYPES (checked below, with the fix for "video")
    url: str | None = None
    avatar_id: str | None = None
    # int | float keeps integers integers on the wire (the docs send 3840, not 3840.0).
    width: int | float | None = None
    height: int | float | None = None
    scale_x: int | float | None = None
    scale_y: int | float | None = None
    offset_x: int | float | None = None
    offset_y: int | float | None = None
    input_text: str | None = None
    voice_id: Annotated[str, BeforeValidator(check_id)] | None = None

    @field_validator("type")
    @classmethod
    def _type(cls, value: str) -> str:
        if value == "video":
            raise ValueError("'video' is not an element type of a talking avatar (the docs list avatar, image, "
                             "audio); a video of a presenter is an avatar element: pass type='avatar' with the "
                             "video's url (avatar_from=3)")
        if value not in TALKING_AVATAR_ELEMENT_TYPES:
            raise ValueError(f"{value!r} is not allowed; use one of {', '.join(TALKING_AVATAR_ELEMENT_TYPES)}")
        return value

    @model_validator(mode="after")
    def _colour_or_link(self) -> "Element":
        url = (self.url or "").strip()
        if not url or url.startswith(("http://", "https://")):
            return self
        if self.type == "image" and HEX_COLOUR.match("#" + url.lstrip("#")):
            self.__dict__["url"] = "#" + url.lstrip("#")  # "00ff00" is meant as "#00ff00"
            return self
        colour = " or a colour \"#rrggbb\"" if self.type == "image" else ""
        raise ValueError(f"url {self.url!r} is not an http(s) link{colour}; pass a link (or a file path, "
                         "which the client uploads)")

    @model_validator(mode="after")
    def _required_by_type(self) -> "Element":
        if self.type in TALKING_AVATAR_VISUAL_TYPES:
            missing = [f for f in ("scale_x", "scale_y", "offset_x", "offset_y") if getattr(self, f) is None]
            if missing:
                raise ValueError(f"a {self.type} element needs {', '.join(missing)} (offsets in canvas pixels "
                                 "from the upper-left corner, scales usually 1)")
        if self.type == "audio" and not self.url and not (self.input_text and self.voice_id):
            raise ValueError("an audio element needs url, or both input_text and voice_id")
        if self.type == "avatar" and not self.url and not self.avatar_id:
            raise ValueError("an avatar element needs avatar_id (official avatar) or url (your own video)")
        return self


class TalkingAvatarRequest(RequestModel):
    """``POST /api/open/v3/talkingavatar/create``."""

    endpoint: ClassVar[str] = "POST /api/open/v3/talkingavatar/create"
    width: int = CANVAS[0]
    height: int = CANVAS[1]
    avatar_from: Literal[2, 3]
    elements: list[Element]
    webhookUrl: str | None = None

    @field_validator("width")
    @classmethod
    def _width(cls, value: int) -> int:
        if value != CANVAS[0]:
            raise ValueError(f"{value} is not allowed: Akool renders talking avatars on a {_SIZE} canvas; "
                             f"pass width={CANVAS[0]} (the default) and lay elements out in those pixels")
        return value

    @field_validator("height")
    @classmethod
    def _height(cls, value: int) -> int:
        if value != CANVAS[1]:
            raise ValueError(f"{value} is not allowed: the canvas must be {_SIZE}; pass height={CANVAS[1]} (the default)")
        return value

    @field_validator("avatar_from", mode="before")
    @classmethod
    def _avatar_from(cls, value: object) -> object:
        if value not in (2, 3, "2", "3"):
            raise ValueError(f"{value!r} is not allowed; use 2 for an official avatar (avatar_id) or 3 for your "
                             "own avatar video (url)")
        return int(value)  # type: ignore[arg-type]

    @field_validator("elements")
    @classmethod
    def _elements(cls, value: list[Element]) -> list[Element]:
        if not any(e.type in TALKING_AVATAR_VISUAL_TYPES for e in value):
            raise ValueError("needs at least one avatar or image element")
        return value
