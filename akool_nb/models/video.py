"""Talking photo and talking avatar requests, and the shared video result record."""
from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import BeforeValidator, Field, field_validator, model_validator

from ._base import RequestModel, ResponseModel, check_id

CANVAS = (3840, 2160)


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

    type: Literal["avatar", "image", "audio", "video"]
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

    @model_validator(mode="after")
    def _required_by_type(self) -> "Element":
        if self.type in ("image", "avatar", "video"):
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
            raise ValueError(f"{value} is not allowed: Akool renders talking avatars on a 3840×2160 canvas; "
                             "pass width=3840 (the default) and lay elements out in those pixels")
        return value

    @field_validator("height")
    @classmethod
    def _height(cls, value: int) -> int:
        if value != CANVAS[1]:
            raise ValueError(f"{value} is not allowed: the canvas must be 3840×2160; pass height=2160 (the default)")
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
        if not any(e.type in ("avatar", "video", "image") for e in value):
            raise ValueError("needs at least one avatar or image element")
        return value
