"""Voices and speech: v3 voice list + TTS (``audio/create``), VoiceLab v4 voices, TTS, clone, changer, delete."""
from __future__ import annotations

import math
import re
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BeforeValidator, Field, field_validator

from .._logging import logger
from ..spec.audio import TTS_SPEED
from ._base import RequestModel, ResponseModel, check_id, kind_of, webhook_or_empty  # noqa: F401

EMOTIONS = ("happy", "sad", "angry", "fearful", "disgusted", "surprised", "neutral")
TEXT_MAX_CHARS = 50_000  # input_text per plan: Pro 5,000, Pro Max 10,000, Business 50,000 characters
_RATE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%\s*$")
RATE_PERCENT = (0, 100)  # v3 rate "field value ranges (0%-100%)"; "100%" is normal speed
VoiceId = Annotated[str, BeforeValidator(check_id)]


def non_empty_text(value: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("is empty; pass the words to speak, e.g. text='Hello!'")
    if len(value) > TEXT_MAX_CHARS:
        raise ValueError(f"is {len(value):,} characters; Akool speaks at most {TEXT_MAX_CHARS:,} per request "
                         "(Business plan; Pro 5,000, Pro Max 10,000): split the text")
    return value


def percent_rate(value: Any) -> str:
    """v3 ``rate``, the speaking speed: a percentage string "0%"–"100%" ("100%" is normal speed), or a
    number as a fraction of normal speed (0.5 → "50%", 1 → "100%"). A number above 1 is refused rather than
    guessed at: for fifty percent write "50%" (or 0.5). What was sent for a number is logged at INFO."""
    lo, hi = RATE_PERCENT
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if not math.isfinite(value) or value < 0:
            raise ValueError("must be a fraction of normal speed from 0 to 1, or a percentage such as '80%'")
        if value > 1:
            hint = (f" ({value:g} would be '{value * 100:g}%', above the maximum '{hi}%')" if value <= 2 else
                    f"; for {value:g} percent write rate='{value:g}%'" if value <= hi else "")
            raise ValueError(f"a number is a fraction of normal speed (0.5 = '50%', 1 = '100%'), so at most 1"
                             f"{hint}")
        text = f"{value * 100:.4g}%"
        logger.info("rate=%r sent as %r (a fraction of normal speed)", value, text)
        return text
    if not isinstance(value, str):
        raise ValueError(f"must be a percentage string such as '100%' (normal speed), not {kind_of(value)}")
    match = _RATE.match(value)
    if match is None:
        if re.fullmatch(r"\s*\d+(?:\.\d+)?\s*", value):
            raise ValueError(f"the % sign is missing; write rate='{value.strip()}%'")
        raise ValueError("is not a percentage; pass e.g. rate='100%' (normal speed) or rate='80%'")
    if not lo <= float(match.group(1)) <= hi:
        raise ValueError(f"is outside '{lo}%'–'{hi}%' ('100%' is normal speed)")
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
    text: str | None = None  # what the preview says
    source_voice_file: str | None = None  # clones: the sample they were made from
    create_time: int | None = None

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
    source_voice_file: str | None = None  # voice changer: the audio that was changed
    file_name: str | None = None


class VoiceOptions(RequestModel):
    endpoint: ClassVar[str] = "POST /api/open/v4/voice/tts"
    stability: int | float | None = Field(None, ge=0, le=1)
    similarity_boost: int | float | None = Field(None, ge=0, le=1)
    style: int | float | None = Field(None, ge=0, le=1)
    speed: int | float | None = Field(None, ge=TTS_SPEED[0], le=TTS_SPEED[1], examples=[1.0])
    speaker_boost: bool | None = None
    emotion: Literal[EMOTIONS] | None = None  # type: ignore[valid-type]
    volume: int | None = Field(None, ge=0, le=100)


class TTSRequest(RequestModel):
    """``POST /api/open/v4/voice/tts``."""

    endpoint: ClassVar[str] = "POST /api/open/v4/voice/tts"
    arguments: ClassVar[dict[str, str]] = {"input_text": "text", "voice_options": ""}
    input_text: str
    voice_id: VoiceId
    voice_options: VoiceOptions | None = None
    webhookUrl: str | None = None
    language_code: str | None = None
    extra_options: dict[str, Any] | None = None
    pitch: int | None = Field(None, ge=-12, le=12, examples=[0])  # top level, as the docs' example sends it (F.24)

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
    arguments: ClassVar[dict[str, str]] = {"input_text": "text"}
    input_text: str
    voice_id: VoiceId
    rate: str = "100%"
    webhookUrl: str | None = None

    _text = field_validator("input_text")(non_empty_text)
    _rate = field_validator("rate", mode="before")(percent_rate)


class VoiceCloneV3Request(RequestModel):
    """``POST /api/open/v3/audio/clone``: speak ``input_text`` in the voice of ``voice_url`` (or ``voice_id``)."""

    endpoint: ClassVar[str] = "POST /api/open/v3/audio/clone"
    arguments: ClassVar[dict[str, str]] = {"input_text": "text"}
    input_text: str
    rate: str = "100%"
    voice_url: str | None = None
    voice_id: VoiceId | None = None
    webhookUrl: str | None = None

    _text = field_validator("input_text")(non_empty_text)
    _rate = field_validator("rate", mode="before")(percent_rate)


# ------------------------------------------------------------------ VoiceLab v4: clone, changer, delete
VOICE_MODELS = ("Akool Multilingual 1", "Akool Multilingual 2", "Akool Multilingual 3", "Akool Multilingual 4")
CLONE_MODELS = ("Akool Multilingual 1", "Akool Multilingual 3", "Akool Multilingual 4")  # M2 cannot clone
CHANGER_MODELS = ("Akool Multilingual 1",)  # "Only the Akool Multilingual 1 model supports Voice Change."
CLONE_PROMPT_MODEL = "Akool Multilingual 3"  # clone_prompt / need_volume_normalization: M3 only
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")  # ISO 639-1; the model tables also list "fil" and "yue"


class VoiceCloneOptions(RequestModel):
    """``voice_options`` of ``POST /api/open/v4/voice/clone``: tags describing the voice, and cloning settings."""

    style: list[str] | None = None
    gender: list[str] | None = None
    age: list[str] | None = None
    scenario: list[str] | None = None
    remove_background_noise: bool | None = None
    language: str | None = None
    clone_prompt: str | None = None
    need_volume_normalization: bool | None = None

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        if not _LANGUAGE.match(value):
            raise ValueError(f"{value!r} is not an ISO 639-1 language code; use e.g. \"en\", \"zh\" or \"es\"")
        return value

    @field_validator("clone_prompt")
    @classmethod
    def _prompt(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("is empty; pass the exact words spoken in the sample, or leave it out")
        return value


class VoiceCloneRequest(RequestModel):
    """``POST /api/open/v4/voice/clone``."""

    endpoint: ClassVar[str] = "POST /api/open/v4/voice/clone"
    arguments: ClassVar[dict[str, str]] = {"source_voice_file": "sample", "voice_options": ""}
    source_voice_file: str
    voice_options: VoiceCloneOptions | None = None
    name: str | None = None
    webhookUrl: str | None = None
    voice_model_name: Literal[CLONE_MODELS] | None = None  # type: ignore[valid-type]



class VoiceChangeOptions(RequestModel):
    """``voice_options`` of ``POST /api/open/v4/voice/change``."""

    # int | float keeps an int an int on the wire (the docs send "speed": 1)
    stability: int | float | None = Field(None, ge=0, le=1, examples=[0.5])
    similarity_boost: int | float | None = Field(None, ge=0, le=1, examples=[0.75])
    style: int | float | None = Field(None, ge=0, le=1, examples=[0])
    speaker_boost: bool | None = None
    file_format: Literal["mp3", "wav"] | None = None
    remove_background_noise: bool | None = None
    speed: int | float | None = Field(None, ge=TTS_SPEED[0], le=TTS_SPEED[1], examples=[1.0])


class VoiceChangeRequest(RequestModel):
    """``POST /api/open/v4/voice/change``: say what ``source_voice_file`` says, in the voice ``voice_id``."""

    endpoint: ClassVar[str] = "POST /api/open/v4/voice/change"
    arguments: ClassVar[dict[str, str]] = {"source_voice_file": "audio", "voice_options": ""}
    voice_id: VoiceId
    source_voice_file: str
    voice_options: VoiceChangeOptions | None = None
    webhookUrl: str | None = None
    voice_model_name: Literal[CHANGER_MODELS] | None = None  # type: ignore[valid-type]


    @field_validator("voice_id")
    @classmethod
    def _voice(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("is empty; pick one from client.voices.list() or your clones")
        return value


class VoiceDeleteRequest(RequestModel):
    """``POST /api/open/v4/voice/del``: ``_ids`` is a JSON **array** of voice document ``_id``s (docs F.19)."""

    endpoint: ClassVar[str] = "POST /api/open/v4/voice/del"
    arguments: ClassVar[dict[str, str]] = {"_ids": "voices"}
    ids: list[VoiceId] = Field(alias="_ids")

    @field_validator("ids")
    @classmethod
    def _ids(cls, value: list[str]) -> list[str]:
        if not value:
            raise ValueError("is empty; pass at least one voice document _id (a voice's .id, not its voice_id)")
        if any(not v.strip() for v in value):
            raise ValueError("contains an empty id")
        return value


class VoiceDeleteFailure(ResponseModel):
    id: str | None = Field(None, alias="_id")
    msg: str | None = None


class VoiceDeleteResult(ResponseModel):
    """The answer of ``voice/del``: deletion may succeed for some ids only (``noPermissionVoices``)."""

    successIds: list[str] = Field(default_factory=list)
    noPermissionVoices: list[VoiceDeleteFailure] = Field(default_factory=list)

    @property
    def deleted(self) -> list[str]:
        return list(self.successIds)

    @property
    def failed(self) -> dict[str, str]:
        """``{_id: reason}`` for every voice that was NOT deleted."""
        return {f.id or "?": f.msg or "not deleted" for f in self.noPermissionVoices}

    @property
    def ok(self) -> bool:
        """True when every requested voice was deleted."""
        return not self.noPermissionVoices

    def __str__(self) -> str:
        total = len(self.successIds) + len(self.noPermissionVoices)
        text = f"deleted {len(self.successIds)} of {total} voice(s)"
        if self.noPermissionVoices:
            text += "; NOT deleted: " + "; ".join(f"{i} ({m})" for i, m in self.failed.items())
        return text

    def _repr_html_(self) -> str:
        from ..display import e

        rows = "".join(f"<li><code>{e(i)}</code> deleted</li>" for i in self.successIds)
        rows += "".join(f'<li style="color:#eb5757"><code>{e(i)}</code> NOT deleted: {e(m)}</li>'
                        for i, m in self.failed.items())
        colour = "#27ae60" if self.ok else "#eb5757"
        return (f'<div style="font-family:system-ui,sans-serif;font-size:13px"><b style="color:{colour}">'
                f'{e(str(self).split(";")[0].capitalize())}</b><ul style="margin:4px 0">{rows}</ul></div>')
