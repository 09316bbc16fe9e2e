"""Character swap, lip sync and video translation: requests, records and the local video-limit checks
(catalog §B.11, §B.12, §B.14).

All three answer through the shared ``GET /api/open/v3/content/video/infobymodelid`` (``video_status``;
the result is at ``video``). Mind the names: character swap sends ``webhookurl`` (lowercase u) and its
records keep the *input* at ``video_url``; lip sync and translation send ``webhookUrl``.
"""
from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from pydantic import field_validator

from ._base import RequestModel, ResponseModel
from .image_to_video import resolution_value
from .video import VideoInfo

CHARACTER_RESOLUTIONS = ("480p", "720p", "1080p")
CHARACTER_MODES = ("animate", "replace")
CHARACTER_MAX_SECONDS = 120
PROMPT_LIMIT = 500
STUDIO_STYLES = ("affectionate", "angry", "calm", "cheerful", "depressed", "disgruntled", "embarrassed",
                 "empathetic", "excited", "fearful", "friendly", "unfriendly", "sad", "serious", "relaxed",
                 "professional")
CAPTION_TYPES = {0: "no captions", 1: "add the original subtitle", 2: "add the target-language subtitle",
                 3: "translate and replace the original subtitle", 4: "add a translated subtitle"}
LANGUAGE_CODE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,12})*$")


# ------------------------------------------------------------------------------------------ requests
class CharacterSwapRequest(RequestModel):
    """``POST /api/open/v4/characterSwap/create``."""

    endpoint: ClassVar[str] = "POST /api/open/v4/characterSwap/create"
    image: str
    video: str
    duration: float | None = None
    resolution: str | None = None
    mode: str | None = None
    prompt: str | None = None
    model_name: str | None = None  # in the overview's examples and the response, not in the table (§F.29)
    webhookurl: str | None = None  # sic: lowercase u

    @field_validator("duration", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 1 <= value <= CHARACTER_MAX_SECONDS:
            raise ValueError(f"{value!r} is outside 1–{CHARACTER_MAX_SECONDS} seconds; omit it to use the "
                             "source video's length")
        return value

    @field_validator("resolution", mode="before")
    @classmethod
    def _resolution(cls, value: Any) -> str:
        return resolution_value(value, CHARACTER_RESOLUTIONS)

    @field_validator("mode", mode="before")
    @classmethod
    def _mode(cls, value: Any) -> str:
        if value not in CHARACTER_MODES:
            raise ValueError(f"{value!r} is not allowed; use \"animate\" (animate the character with the "
                             "video's motion) or \"replace\" (put the character into the video)")
        return value

    @field_validator("prompt")
    @classmethod
    def _prompt(cls, value: str) -> str:
        if len(value) > PROMPT_LIMIT:
            raise ValueError(f"is {len(value)} characters; at most {PROMPT_LIMIT} are allowed")
        return value

    def to_wire(self) -> dict[str, Any]:
        body = super().to_wire()
        if isinstance(body.get("duration"), float) and body["duration"].is_integer():
            body["duration"] = int(body["duration"])  # 10, not 10.0, as the docs send it
        return body


class LipSyncRequest(RequestModel):
    """``POST /api/open/v3/content/video/lipsync``."""

    endpoint: ClassVar[str] = "POST /api/open/v3/content/video/lipsync"
    arguments: ClassVar[dict[str, str]] = {"video_url": "video", "audio_url": "audio"}
    video_url: str
    audio_url: str
    webhookUrl: str | None = None


class StudioVoice(RequestModel):
    """``studio_voice`` of a translation: style and word-level overrides."""

    style: str | None = None
    no_translate_words: list[str] | None = None
    fixed_words: dict[str, str] | None = None
    pronounced_words: dict[str, str] | None = None

    @field_validator("style")
    @classmethod
    def _style(cls, value: str) -> str:
        if value not in STUDIO_STYLES:
            raise ValueError(f"{value!r} is not a studio voice style; use one of {', '.join(STUDIO_STYLES)}")
        return value


def language_list(value: Any, param: str) -> str:
    """``"es"``, ``"es,fr"``, ``["es", "fr"]`` → ``"es,fr"`` (codes from ``translation.languages()``)."""
    items = [value] if isinstance(value, str) else list(value) if isinstance(value, (list, tuple)) else None
    if items is None:
        raise ValueError(f"{value!r} is not a language code or a list of codes")
    codes = [c.strip() for item in items for c in str(item).split(",")]
    if not codes or any(not c for c in codes):
        raise ValueError(f"{value!r} has an empty language code; pass codes like 'es' or 'es,fr,de'")
    for code in codes:
        if not LANGUAGE_CODE.match(code):
            raise ValueError(f"{code!r} is not a language code (e.g. 'es', 'zh-CN'); see translation.languages()")
    if len(set(c.lower() for c in codes)) != len(codes):
        raise ValueError(f"{value!r} names a language twice")
    return ",".join(codes)


class TranslationRequest(RequestModel):
    """``POST /api/open/v3/content/video/createbytranslate``."""

    endpoint: ClassVar[str] = "POST /api/open/v3/content/video/createbytranslate"
    arguments: ClassVar[dict[str, str]] = {"url": "video", "caption_url": "caption"}
    url: str
    source_language: str | None = None
    language: str
    lipsync: bool | None = None
    webhookUrl: str | None = None
    speaker_num: int | None = None
    remove_bgm: bool | None = None
    caption_type: int | None = None
    caption_url: str | None = None
    studio_voice: StudioVoice | None = None
    dynamic_duration: bool | None = None

    @field_validator("language", mode="before")
    @classmethod
    def _language(cls, value: Any) -> str:
        return language_list(value, "language")

    @field_validator("source_language", mode="before")
    @classmethod
    def _source(cls, value: Any) -> str:
        if value == "DEFAULT":
            return value
        if not isinstance(value, str) or not LANGUAGE_CODE.match(value):
            raise ValueError(f"{value!r} is not allowed; use \"DEFAULT\" (detect it) or one language code")
        return value

    @field_validator("speaker_num", mode="before")
    @classmethod
    def _speakers(cls, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{value!r} is not allowed; use 0 (detect) or the number of speakers")
        return value

    @field_validator("caption_type", mode="before")
    @classmethod
    def _caption_type(cls, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value not in CAPTION_TYPES:
            raise ValueError(f"{value!r} is not allowed; use " + ", ".join(f"{k} ({v})" for k, v in
                                                                          CAPTION_TYPES.items()))
        return value


# ------------------------------------------------------------------------------------------- records
class CharacterSwapInfo(VideoInfo):
    """A character swap record: the result is at ``video``; ``video_url`` is the *input* video."""

    status: int | None = None  # the create answer uses status, the result video_status (§F.22)
    image_url: str | None = None
    video_url: str | None = None
    video_duration: float | None = None
    resolution: str | None = None
    mode: str | None = None
    prompt: str | None = None
    model_name: str | None = None
    faceswap_fail_reason: str | None = None
    deduction_credit: float | None = None


class LipSyncInfo(VideoInfo):
    video_duration: float | None = None
    input_audio: str | None = None
    target_video: str | None = None
    error_code: int | None = None
    error_reason: str | None = None


class TranslationInfo(VideoInfo):
    video_duration: float | None = None
    progress: float | None = None
    language: str | None = None
    source_language: str | None = None
    error_code: int | None = None
    error_reason: str | None = None


class Language(ResponseModel):
    """One entry of ``GET /api/open/v3/language/list`` (``lang_code`` goes into ``language=``)."""

    lang_name: str | None = None
    lang_code: str | None = None
    url: str | None = None

    def __repr__(self) -> str:
        return f"<Language {self.lang_code} {self.lang_name!r}>"


# ----------------------------------------------------------------------------- local video limits
@dataclass(frozen=True)
class VideoLimits:
    """A product's documented input limits; each is checked on local files before anything is sent."""

    max_seconds: float | None = None
    max_megabytes: int | None = None
    max_fps: float | None = None
    needs_audio: bool = False
    codes: str = ""  # how the service reports them, for the message


@dataclass(frozen=True)
class MediaFacts:
    duration: float | None
    fps: float | None
    has_video: bool
    has_audio: bool


LIP_SYNC_LIMITS = VideoLimits(60, 300, 60, False, "1204/1207/1210")
TRANSLATION_LIMITS = VideoLimits(60, 300, 30, True, "1203/1204/1207/1210")
CHARACTER_SWAP_LIMITS = VideoLimits(CHARACTER_MAX_SECONDS, None, None, False, "1003")


def probe(data: bytes, suffix: str = ".mp4") -> MediaFacts | None:
    """Duration, frame rate and streams of media bytes (the one probe, :mod:`akool_nb.media.probe`); None when
    ffmpeg is missing."""
    from ..media.probe import banner, parse_banner

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"probe{suffix}"
        path.write_bytes(data)
        try:
            facts = parse_banner(banner(path), len(data))
        except Exception:  # no ffmpeg (imageio-ffmpeg missing or broken)
            return None
    return MediaFacts(facts.duration, facts.fps, facts.has_video, facts.has_audio)


def check_video(data: bytes, filename: str, param: str, limits: VideoLimits, endpoint: str) -> MediaFacts | None:
    """Refuse a local video that breaks a documented limit (URLs cannot be checked here: Akool decides).
    Returns what was found (None without ffmpeg)."""
    from .._exceptions import InvalidParameterError

    def fail(message: str) -> None:
        raise InvalidParameterError(param, message, endpoint=endpoint)

    if limits.max_megabytes is not None and len(data) > limits.max_megabytes * 1024 * 1024:
        fail(f"{filename} is {len(data) / 1048576:.0f} MB; Akool accepts at most {limits.max_megabytes} MB")
    facts = probe(data, Path(filename).suffix or ".mp4")
    if facts is None:
        return None
    if not facts.has_video:
        fail(f"{filename} has no video stream ffmpeg can read; use an H.264 MP4")
    if limits.max_seconds is not None and facts.duration is not None and facts.duration > limits.max_seconds + 0.05:
        fail(f"{filename} lasts {facts.duration:.1f} s; at most {limits.max_seconds:g} s are accepted "
             "(trim it first)")
    if limits.max_fps is not None and facts.fps is not None and facts.fps > limits.max_fps + 0.01:
        fail(f"{filename} runs at {facts.fps:g} fps; at most {limits.max_fps:g} fps are accepted "
             "(re-encode it, e.g. ffmpeg -i in.mp4 -r 25 out.mp4)")
    if limits.needs_audio and not facts.has_audio:
        fail(f"{filename} has no audio track; translation needs the speech to translate")
    return facts

