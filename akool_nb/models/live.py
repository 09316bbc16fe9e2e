"""Real-time products: streaming avatar sessions (catalog §B.17) and live face swap (§B.18).

Neither streams media over HTTP: the API hands out RTC credentials (Agora, LiveKit or TRTC) that a browser
SDK joins. These models carry those records and the requests that create them.
"""
from __future__ import annotations

import enum
import re
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BeforeValidator, Field, field_validator, model_validator

from ..spec.audio import LIVE_VOICE_SPEED
from ..spec.faceswap import LIVE_LANDMARKS_STR
from ..spec.streaming import CREDENTIAL_FIELDS, FAST_DIALOGUE_VOICES
from ._base import RequestModel, ResponseModel, check_id
from .avatars import Avatar

MAX_SESSION_SECONDS = 3600
Identifier = Annotated[str, BeforeValidator(check_id)]
LANDMARKS = LIVE_LANDMARKS_STR  # "x,y:x,y:x,y:x,y" (first 4 of the detector's 6 points)


# ------------------------------------------------------------------------------------------- display
def card_html(title: str, badge: str | None, colour: str | None, rows: list[tuple[str, Any]], *,
              footer: str | None = None, image: str | None = None) -> str:
    """A small card in the style of :mod:`akool_nb.display` (values escaped, media by URL only)."""
    from ..display import _CARD, _MUTED, e

    head = f"<b>{e(title)}</b>"
    if badge:
        head += (f' <span style="background:{colour or "#8a8f98"};color:#fff;border-radius:10px;padding:1px 8px;'
                 f'font-size:11px;font-weight:600">{e(badge)}</span>')
    body = "".join(f'<tr><td style="{_MUTED};padding:1px 8px 1px 0;vertical-align:top">{e(k)}</td>'
                   f'<td style="padding:1px 0;word-break:break-word">{e(v)}</td></tr>' for k, v in rows)
    img = (f'<img src="{e(image)}" loading="lazy" style="max-width:240px;border-radius:6px;margin-top:6px">'
           if image else "")
    foot = f'<div style="{_MUTED};margin-top:4px">{e(footer)}</div>' if footer else ""
    return (f'<div style="{_CARD}"><div style="margin-bottom:4px">{head}</div>'
            f'<table style="border-collapse:collapse">{body}</table>{img}{foot}</div>')


# ------------------------------------------------------------------------------------ streaming avatar
class SessionStatus(enum.IntEnum):
    """Session ``status`` [SUPPLEMENT]: 1 queueing, 2 processing (live: join the RTC channel), 3 completed
    (closed, or its ``duration`` ran out), 4 failed. The close answer says ``"closed"`` instead (§F.51)."""

    QUEUEING = 1
    PROCESSING = 2
    COMPLETED = 3
    FAILED = 4

    @property
    def label(self) -> str:
        return {1: "queueing", 2: "live", 3: "ended", 4: "failed"}[int(self)]


class StreamingAvatar(Avatar):
    """An item of ``GET /api/open/v4/liveAvatar/avatar/list`` (``from`` 2 official, 3 yours)."""

    voice_id: str | None = None
    available: bool | None = None
    platform: str | None = None


class TurnDetection(RequestModel):
    type: Literal["server_vad", "semantic_vad"] | None = None
    threshold: float | None = Field(None, ge=0, le=1)
    prefix_padding_ms: float | None = Field(None, ge=0)
    silence_duration_ms: float | None = Field(None, ge=0)


class ElevenLabsSettings(RequestModel):
    api_key: str | None = None
    model_id: str | None = None
    stability: float | None = Field(None, ge=0, le=1)
    similarity_boost: float | None = Field(None, ge=0, le=1)
    style: float | None = Field(None, ge=0, le=1)
    use_speaker_boost: bool | None = None


class VoiceParams(RequestModel):
    speed: float | None = Field(None, ge=LIVE_VOICE_SPEED[0], le=LIVE_VOICE_SPEED[1], examples=[1.0])
    stt_language: str | None = None
    pron_map: dict[str, str] | None = None
    stt_type: Literal["openai_realtime"] | None = None
    turn_detection: TurnDetection | None = None
    elevenlabs_settings: ElevenLabsSettings | None = None
    voice_id: str | None = None  # fast_dialogue voices (alloy, ash, …)


class SessionCreateRequest(RequestModel):
    """``POST /api/open/v4/liveAvatar/session/create``."""

    endpoint: ClassVar[str] = "POST /api/open/v4/liveAvatar/session/create"
    avatar_id: Identifier
    duration: float | None = Field(None, gt=0, le=MAX_SESSION_SECONDS, examples=[300])
    knowledge_id: Identifier | None = None
    voice_id: Identifier | None = None
    voice_url: str | None = None
    language: str | None = None
    mode_type: Literal[1, 2] | None = None
    scene_mode: Literal["fast_dialogue"] | None = None
    e2e_type: Literal["openai"] | None = None
    background_url: str | None = None
    stream_type: Literal["agora", "livekit", "trtc"] | None = None
    credentials: dict[str, Any] | None = None
    voice_params: VoiceParams | None = None

    @field_validator("avatar_id")
    @classmethod
    def _avatar(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("is empty; pick one from client.streaming.avatars()")
        return value

    @field_validator("duration")
    @classmethod
    def _whole(cls, value: float) -> float | int:
        return int(value) if float(value).is_integer() else value

    @field_validator("voice_url", "background_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not re.match(r"^https?://[^\s/]+", value.strip()):
            raise ValueError(f"{value!r} is not an http(s) URL")
        return value.strip()

    @model_validator(mode="after")
    def _combinations(self) -> "SessionCreateRequest":
        if self.e2e_type is not None and self.scene_mode != "fast_dialogue":
            raise ValueError("e2e_type 'openai' only works with scene_mode='fast_dialogue'")
        voice = self.voice_params.voice_id if self.voice_params else None
        if voice is not None and self.scene_mode == "fast_dialogue" and voice not in FAST_DIALOGUE_VOICES:
            raise ValueError(f"voice_params.voice_id {voice!r} is not a fast_dialogue voice; use one of "
                             f"{', '.join(FAST_DIALOGUE_VOICES)}")
        if self.credentials:
            provider = self.stream_type or "agora"
            wrong = [k for k in self.credentials if k not in CREDENTIAL_FIELDS[provider]]
            if wrong:
                raise ValueError(f"credentials {', '.join(wrong)} do not belong to stream_type {provider!r}; "
                                 f"its fields are {', '.join(CREDENTIAL_FIELDS[provider])}")
        return self


class Session(ResponseModel):
    """A streaming avatar session: ``credentials`` join the RTC channel of ``stream_type``.

    The docs name the id ``_id``, ``id`` or ``session_id`` in different places (§F.17); all are read."""

    id: str | None = Field(None, alias="_id")
    uid: int | None = None
    type: int | None = None
    status: int | None = None
    stream_type: str | None = None
    credentials: dict[str, Any] | None = None
    avatar_id: str | None = None
    knowledge_id: str | None = None
    duration: float | None = None
    create_time: int | None = None

    @model_validator(mode="before")
    @classmethod
    def _any_id(cls, data: Any) -> Any:
        if isinstance(data, dict) and not data.get("_id"):
            other = data.get("id") or data.get("session_id")
            if other:
                data = {**data, "_id": other}
        return data

    @property
    def state(self) -> SessionStatus | None:
        try:
            return SessionStatus(int(self.status))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return None

    @property
    def live(self) -> bool:
        """Status 2: the avatar is in the channel; join it with ``credentials``."""
        return self.state is SessionStatus.PROCESSING

    @property
    def ended(self) -> bool:
        return self.state in (SessionStatus.COMPLETED, SessionStatus.FAILED)

    def credential(self, name: str) -> Any:
        """A credential by either TRTC spelling (``trtc_app_id`` or ``trtc_sdk_app_id``, §F.18)."""
        creds = self.credentials or {}
        if name in creds:
            return creds[name]
        if name.startswith("trtc_sdk_"):
            return creds.get(name.replace("trtc_sdk_", "trtc_", 1))
        if name.startswith("trtc_"):
            return creds.get(name.replace("trtc_", "trtc_sdk_", 1))
        return None

    def _repr_html_(self) -> str:
        state = self.state
        colour = {1: "#8a8f98", 2: "#27ae60", 3: "#2f80ed", 4: "#eb5757"}.get(int(state) if state else 0)
        rows: list[tuple[str, Any]] = [("id", self.id), ("avatar_id", self.avatar_id),
                                       ("stream_type", self.stream_type)]
        if self.knowledge_id:
            rows.append(("knowledge_id", self.knowledge_id))
        for key, value in (self.credentials or {}).items():
            text = str(value)
            rows.append((key, text if len(text) <= 24 else text[:12] + "…" + text[-6:]))
        extra = self.model_extra or {}
        return card_html("Streaming avatar session", state.label if state else str(self.status), colour, rows,
                         image=extra.get("preview_url") or None,
                         footer="Join the channel with a browser RTC SDK; close the session when done.")


class SessionClosed(ResponseModel):
    """The close answer ([s24]): ``{session_id, status: "closed", closed_at}``."""

    session_id: str | None = None
    status: str | int | None = None
    closed_at: int | None = None


# --------------------------------------------------------------------------------------- live faceswap
class SourceImage(RequestModel):
    """One face to swap in: the image ``path`` (URL) and ``opts``, its landmarks ``"x,y:x,y:x,y:x,y"``
    (``landmarks_str`` from face detection)."""

    path: str
    opts: str

    @field_validator("path")
    @classmethod
    def _path(cls, value: str) -> str:
        if not re.match(r"^https?://[^\s/]+", value.strip()):
            raise ValueError(f"{value!r} is not an http(s) URL")
        return value.strip()

    @field_validator("opts")
    @classmethod
    def _opts(cls, value: str) -> str:
        text = value.strip()
        if not LANDMARKS.match(text):
            raise ValueError(f"{value!r} is not 4 landmark points 'x,y:x,y:x,y:x,y' (use landmarks_str from "
                             "face detection)")
        return text


class LiveFaceswapCreateRequest(RequestModel):
    """``POST /api/open/v3/faceswap/live/create``."""

    endpoint: ClassVar[str] = "POST /api/open/v3/faceswap/live/create"
    arguments: ClassVar[dict[str, str]] = {"sourceImage": "source_image", "_id": "session"}
    sourceImage: list[SourceImage] = Field(min_length=1)


class LiveFaceswapUpdateRequest(LiveFaceswapCreateRequest):
    """``POST /api/open/v3/faceswap/live/update``."""

    endpoint: ClassVar[str] = "POST /api/open/v3/faceswap/live/update"
    session_id: str = Field(alias="_id", min_length=1)


class LiveFaceswapCloseRequest(RequestModel):
    """``POST /api/open/v3/faceswap/live/close``."""

    endpoint: ClassVar[str] = "POST /api/open/v3/faceswap/live/close"
    arguments: ClassVar[dict[str, str]] = {"_id": "session"}
    session_id: str = Field(alias="_id", min_length=1)


class FaceswapStatus(enum.IntEnum):
    """``faceswap_status`` of a live session: 1 queuing, 2 processing (join Agora now), 3 success (closed),
    4 failed."""

    QUEUING = 1
    PROCESSING = 2
    SUCCESS = 3
    FAILED = 4

    @property
    def label(self) -> str:
        return {1: "queuing", 2: "live", 3: "closed", 4: "failed"}[int(self)]


class LiveFaceswapSession(ResponseModel):
    """A live face swap session: join Agora channel ``channel_id`` as ``front_user_id`` with
    ``front_rtc_token`` once ``faceswap_status`` is 2. No status endpoint is documented (§F.50): the status
    is the one of the last create/update/close answer."""

    id: str | None = Field(None, alias="_id")
    faceswap_status: int | None = None
    front_user_id: str | None = None
    algorithm_user_id: str | None = None
    front_rtc_token: str | None = None
    channel_id: str | None = None
    app_id: str | None = None

    @property
    def state(self) -> FaceswapStatus | None:
        try:
            return FaceswapStatus(int(self.faceswap_status))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return None

    @property
    def live(self) -> bool:
        return self.state is FaceswapStatus.PROCESSING

    def _repr_html_(self) -> str:
        state = self.state
        colour = {1: "#8a8f98", 2: "#27ae60", 3: "#2f80ed", 4: "#eb5757"}.get(int(state) if state else 0)
        token = self.front_rtc_token or ""
        rows = [("id", self.id), ("channel_id", self.channel_id), ("front_user_id", self.front_user_id),
                ("front_rtc_token", token if len(token) <= 24 else token[:12] + "…" + token[-6:]),
                ("app_id", self.app_id or "(not given)")]
        extra = self.model_extra or {}
        return card_html("Live face swap session", state.label if state else str(self.faceswap_status), colour,
                         rows, image=extra.get("preview_url") or None,
                         footer="Join with the Agora Web SDK when live; close when done.")
