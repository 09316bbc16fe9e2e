"""Voices and speech: v3 voice list + TTS (``audio/create``), VoiceLab v4 voice list + TTS."""
from __future__ import annotations

import re
from typing import Any, ClassVar, Literal

from pydantic import Field, field_validator

from ._base import RequestModel, ResponseModel

EMOTIONS = ("happy", "sad", "angry", "fearful", "disgusted", "surprised", "neutral")
_RATE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%\s*$")


def non_empty_text(value: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("is empty; pass the words to speak, e.g. text='Hello!'")
    return value


def percent_rate(value: Any) -> str:
    """v3 ``rate`` is a percentage string, "0%"–"100%" (numbers are accepted and formatted)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = f"{value:g}%"
    match = _RATE.match(str(value))
    if not match or not 0 <= float(match.group(1)) <= 100:
        raise ValueError(f"{value!r} is outside 0%–100%; pass a percentage string such as '100%' (normal speed)")
    return f"{match.group(1)}%"


class Voice(ResponseModel):
    """A VoiceLab (v4) voice: an Akool voice or one of your clones."""

    id: str | None = Field(None, alias="_id")
    voice_id: str | None = None
    name: str | None = None
    gender: str | None = None
    language: str | None = None
    locale: str | None = None
    preview: str | None = None
    style: list[str] | None = None
    scenario: list[str] | None = None
    age: list[str] | None = None
    voice_model_name: str | None = None
    support_stream: bool | None = None
    status: int | None = None
    duration: float | None = None

    def _repr_html_(self) -> str:
        from ..display import voice_html

        return voice_html(self)


class VoiceV3(ResponseModel):
    """A v3 voice (``GET /api/open/v3/voice/list``)."""

    id: str | None = Field(None, alias="_id")
    voice_id: str | None = None
    preview: str | None = None
    name: str | None = None
    gender: str | None = None
    accent: str | None = None
    description: str | None = None
    from_: int | None = Field(None, alias="from")

    def _repr_html_(self) -> str:
        from ..display import voice_html

        return voice_html(self)


class VoiceResource(ResponseModel):
    """A VoiceLab TTS / voice-changer result; the audio is at ``preview``."""

    id: str | None = Field(None, alias="_id")
    status: int | None = None
    preview: str | None = None
    input_text: str | None = None
    duration: float | None = None  # milliseconds
    voice_id: str | None = None
    name: str | None = None
    create_time: int | None = None


class VoiceOptions(RequestModel):
    stability: float | None = Field(None, ge=0, le=1)
    similarity_boost: float | None = Field(None, ge=0, le=1)
    style: float | None = Field(None, ge=0, le=1)
    speed: float | None = Field(None, ge=0.7, le=1.2)
    speaker_boost: bool | None = None
    emotion: Literal[EMOTIONS] | None = None  # type: ignore[valid-type]
    volume: int | None = Field(None, ge=0, le=100)


class TTSRequest(RequestModel):
    """``POST /api/open/v4/voice/tts``."""

    endpoint: ClassVar[str] = "POST /api/open/v4/voice/tts"
    input_text: str
    voice_id: str
    voice_options: VoiceOptions | None = None
    webhookUrl: str | None = None
    language_code: str | None = None
    extra_options: dict[str, Any] | None = None
    pitch: int | None = Field(None, ge=-12, le=12)  # top level, as the docs' example sends it (F.24)

    _text = field_validator("input_text")(non_empty_text)

    @field_validator("voice_id")
    @classmethod
    def _voice(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("is empty; pick one from client.voices.list()")
        return value


class TTSV3Request(RequestModel):
    """``POST /api/open/v3/audio/create``."""

    endpoint: ClassVar[str] = "POST /api/open/v3/audio/create"
    input_text: str
    voice_id: str
    rate: str = "100%"
    webhookUrl: str | None = None

    _text = field_validator("input_text")(non_empty_text)
    _rate = field_validator("rate", mode="before")(percent_rate)


class VoiceCloneV3Request(RequestModel):
    """``POST /api/open/v3/audio/clone``: speak ``input_text`` in the voice of ``voice_url`` (or ``voice_id``)."""

    endpoint: ClassVar[str] = "POST /api/open/v3/audio/clone"
    input_text: str
    rate: str = "100%"
    voice_url: str | None = None
    voice_id: str | None = None
    webhookUrl: str | None = None

    _text = field_validator("input_text")(non_empty_text)
    _rate = field_validator("rate", mode="before")(percent_rate)
