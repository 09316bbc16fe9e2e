"""Image to video (v4): requests and records (catalog §B.10).

Oddities kept on purpose: the webhook field is ``webhookurl`` (lowercase u) in these requests, while the
records echo ``webhookUrl``; ``_ids`` travels as ONE comma-separated string; the result URL is ``video_url``.
"""
from __future__ import annotations

import re
from typing import Annotated, Any, ClassVar

from pydantic import BeforeValidator, Field, ValidationInfo, field_validator

from ._base import RequestModel, ResponseModel, check_id

RESOLUTIONS = ("720p", "1080p", "4k")
BATCH_RESOLUTIONS = ("480p", "720p", "1080p", "4k")  # the values the AI model list offers (§B.20)
VIDEO_LENGTHS = (5, 10)
AUDIO_TYPES = {1: "AI generated", 2: "your audio_url", 3: "no audio"}
MAX_BATCH_COUNT = 10


def resolution_value(value: Any, allowed: tuple[str, ...]) -> str:
    """``720``, ``"720"``, ``"720P"`` → ``"720p"``; ``"4K"`` → ``"4k"``; anything else is refused."""
    text = str(value).strip().lower()
    if re.fullmatch(r"\d{3,4}", text):
        text += "p"
    if text not in allowed:
        raise ValueError(f"{value!r} is not allowed; use {', '.join(repr(a) for a in allowed)}")
    return text


def _int_choice(value: Any, allowed: tuple[int, ...], hint: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)) or str(value).strip() not in {
            str(a) for a in allowed}:
        raise ValueError(f"{value!r} is not allowed; use {' or '.join(str(a) for a in allowed)} ({hint})")
    return int(value)


def ids_string(ids: Any, param: str = "ids") -> str:
    """One id, a list of ids, records/jobs with ``.id`` → the documented comma-separated ``_ids`` string."""
    from ._base import id_list

    return ",".join(dict.fromkeys(id_list(ids, param)))


class ImageToVideoRequest(RequestModel):
    """``POST /api/open/v4/image2Video/createBySourcePrompt``."""

    endpoint: ClassVar[str] = "POST /api/open/v4/image2Video/createBySourcePrompt"
    arguments: ClassVar[dict[str, str]] = {"image_url": "image", "audio_url": "audio"}
    image_url: str
    effect_code: str | None = None
    prompt: str  # required, but ignored when effect_code is set
    negative_prompt: str  # required here, optional in batch (docs §F.40); "" means none
    extend_prompt: bool | None = None
    resolution: str
    audio_type: int
    audio_url: str | None = Field(None, validate_default=True)
    video_length: int
    is_premium_model: bool | None = None
    webhookurl: str | None = None  # sic: lowercase u

    @field_validator("resolution", mode="before")
    @classmethod
    def _resolution(cls, value: Any) -> str:
        return resolution_value(value, RESOLUTIONS)

    @field_validator("video_length", mode="before")
    @classmethod
    def _length(cls, value: Any) -> int:
        return _int_choice(value, VIDEO_LENGTHS, "seconds; 10 s needs Pro or above")

    @field_validator("audio_type", mode="before")
    @classmethod
    def _audio_type(cls, value: Any) -> int:
        return _int_choice(value, (1, 2, 3), "1 = AI generated audio, 2 = your audio_url, 3 = no audio")

    @field_validator("prompt")
    @classmethod
    def _prompt(cls, value: str, info: ValidationInfo) -> str:
        if not value.strip() and not info.data.get("effect_code"):
            raise ValueError("is empty; describe the motion (e.g. 'slow zoom in') or pass an effect_code")
        return value

    @field_validator("audio_url")
    @classmethod
    def _audio_url(cls, value: str | None, info: ValidationInfo) -> str | None:
        return _audio_rule(value, info.data.get("audio_type"))


def _audio_rule(value: str | None, audio_type: int | None) -> str | None:
    if audio_type == 2 and not value:
        raise ValueError("is required when audio_type is 2 (your own audio)")
    if audio_type in (1, 3) and value:
        raise ValueError(f"is only used when audio_type is 2, but audio_type is {audio_type} "
                         f"({AUDIO_TYPES[audio_type]}); drop the audio or pass audio_type=2")
    return value


class ImageToVideoBatchRequest(RequestModel):
    """``POST /api/open/v4/image2Video/createBySourcePrompt/batch`` (resolution and length per model)."""

    endpoint: ClassVar[str] = "POST /api/open/v4/image2Video/createBySourcePrompt/batch"
    arguments: ClassVar[dict[str, str]] = {"image_url": "image", "last_image_url": "last_image"}
    image_url: str
    prompt: str
    model_name: str | None = None
    negative_prompt: str | None = None
    extend_prompt: bool | None = None
    resolution: str
    video_length: int
    last_image_url: str | None = None
    count: int | None = None
    webhookurl: str | None = None

    @field_validator("resolution", mode="before")
    @classmethod
    def _resolution(cls, value: Any) -> str:
        return resolution_value(value, BATCH_RESOLUTIONS)

    @field_validator("video_length", mode="before")
    @classmethod
    def _length(cls, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ValueError(f"{value!r} is not allowed; use a whole number of seconds from the model's "
                             "durationList (e.g. 5 or 10)")
        return value

    @field_validator("count", mode="before")
    @classmethod
    def _count(cls, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_BATCH_COUNT:
            raise ValueError(f"{value!r} is outside 1–{MAX_BATCH_COUNT}; a batch makes 1 to 10 videos")
        return value

    @field_validator("prompt")
    @classmethod
    def _prompt(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("is empty; describe the motion, e.g. 'slow zoom in'")
        return value


class UpdateVideoAudioRequest(RequestModel):
    """``POST /api/open/v4/image2Video/updateVideoAudio``: a new job with new audio for a finished video."""

    endpoint: ClassVar[str] = "POST /api/open/v4/image2Video/updateVideoAudio"
    arguments: ClassVar[dict[str, str]] = {"pre_video_id": "video", "audio_url": "audio"}
    pre_video_id: Annotated[str, BeforeValidator(check_id)]
    audio_type: int
    # The table marks audio_url required, its text "required when audio_type = 2" (docs §F.40).
    audio_url: str | None = Field(None, validate_default=True)

    @field_validator("pre_video_id")
    @classmethod
    def _pre(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("is empty; pass the image-to-video result (or its job or _id) to add audio to")
        return value

    @field_validator("audio_type", mode="before")
    @classmethod
    def _audio_type(cls, value: Any) -> int:
        return _int_choice(value, (1, 2), "1 = AI generated audio, 2 = your audio_url")

    @field_validator("audio_url")
    @classmethod
    def _audio_url(cls, value: str | None, info: ValidationInfo) -> str | None:
        return _audio_rule(value, info.data.get("audio_type"))


class IdsRequest(RequestModel):
    """``resultsByIds`` and ``delbyids``: ``{"_ids": "id1,id2"}``."""

    arguments: ClassVar[dict[str, str]] = {"_ids": "ids"}
    ids: str = Field(alias="_ids")


# ------------------------------------------------------------------------------------------ records
class ImageToVideoResult(ResponseModel):
    """An image-to-video record (create answers, ``resultsByIds`` items); the video is at ``video_url``."""

    id: str | None = Field(None, alias="_id")
    status: int | None = None
    video_url: str | None = None
    image_url: str | None = None
    prompt: str | None = None
    negative_prompt: str | None = None
    resolution: str | None = None
    audio_type: int | None = None
    audio_url: str | None = None
    effect_code: str | None = None
    effect_name: str | None = None
    video_duration: float | None = None
    deduction_credit: float | None = None
    create_time: int | None = None
    update_time: int | None = None
    only_add_audio: bool | None = None
    pre_video_id: str | None = None
    model_name: str | None = None
    batch_id: str | None = None
    batch_count: int | None = None
    webhookUrl: str | None = None


class Effect(ResponseModel):
    """One entry of ``GET /api/open/v4/image2Video/effects``: pass ``effect_code`` to ``create``."""

    id: str | None = Field(None, alias="_id")
    name: str | None = None
    effect_code: str | None = None
    logo: str | None = None
    video_url: str | None = None
    create_time: int | None = None

    def _repr_html_(self) -> str:
        from ..display import e, media_html

        logo = f'<img src="{e(self.logo)}" loading="lazy" style="width:64px;border-radius:6px">' if self.logo else ""
        preview = media_html(self.video_url, "video", width=160) if self.video_url else ""
        return (f'<div style="border:1px solid #8884;border-radius:8px;padding:6px 8px;font:13px system-ui,'
                f'sans-serif;display:flex;gap:8px;align-items:center">{logo}<div><b>{e(self.name)}</b><div>'
                f'<code>{e(self.effect_code)}</code></div>{preview}</div></div>')


class DeleteResult(ResponseModel):
    """``delbyids``: partial success. ``deleted`` ids, and ``refused`` = ``{_id: reason}``."""

    successIds: list[str] = Field(default_factory=list)
    noPermissionItems: list[dict[str, Any]] = Field(default_factory=list)

    @property
    def deleted(self) -> list[str]:
        return list(self.successIds)

    @property
    def refused(self) -> dict[str, str]:
        return {str(item.get("_id")): str(item.get("msg") or "") for item in self.noPermissionItems}

    @property
    def ok(self) -> bool:
        return not self.noPermissionItems
