"""The calls the conformance check makes: free reads by default, one cheapest job per product with ``--paid``.

A :class:`Call` is a request (method, path, query, body) with a name. Paid calls carry their expected credit
cost (an estimate shown before anything is spent) and the detail call that polls their job.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

DOCS_VOICE = "6889b628662160e2caad5dbc"  # the docs' own VoiceLab voice id (B.3.2, B.5.2)


@dataclass(frozen=True)
class Call:
    name: str
    method: str
    path: str
    params: dict[str, Any] = field(default_factory=dict)
    json: Any = None

    def describe(self) -> str:
        query = "&".join(f"{k}={v}" for k, v in self.params.items())
        return f"{self.method} {self.path}{'?' + query if query else ''}"


FREE_CALLS = [
    Call("voice_list_v3", "GET", "/api/open/v3/voice/list"),
    Call("voice_list_v4", "GET", "/api/open/v4/voice/list", {"type": 2, "page": 1, "size": 10}),
    Call("avatar_list", "GET", "/api/open/v3/avatar/list", {"from": 2, "page": 1, "size": 10}),
    Call("streaming_avatar_list", "GET", "/api/open/v4/liveAvatar/avatar/list", {"page": 1, "size": 10}),
    Call("ai_model_list", "GET", "/api/open/v4/aigModel/list", {"types[]": 1501}),
    Call("language_list", "GET", "/api/open/v3/language/list"),
    Call("translation_voices", "GET", "/api/open/v4/voice/videoTranslation",
         {"language_code": "es-ES", "page": 1, "size": 10}),
    Call("knowledge_list", "GET", "/api/open/v4/knowledge/list", {"page": 1, "size": 10}),
    Call("image_to_video_effects", "GET", "/api/open/v4/image2Video/effects"),
    Call("credit_balance", "GET", "/api/open/v3/faceswap/quota/info"),
]

#: A job's detail, tried in turn for ``--job ID`` (all free reads): (kind, call for that id).
DETAIL_CALLS: list[tuple[str, Callable[[str], Call]]] = [
    ("video", lambda i: Call("detail_video", "GET", "/api/open/v3/content/video/infobymodelid", {"video_model_id": i})),
    ("image", lambda i: Call("detail_image", "GET", "/api/open/v3/content/image/infobymodelid", {"image_model_id": i})),
    ("audio", lambda i: Call("detail_audio", "GET", "/api/open/v3/audio/infobymodelid", {"audio_model_id": i})),
    ("tts", lambda i: Call("detail_tts", "GET", f"/api/open/v4/voice/resource/detail/{i}")),
    ("moderation", lambda i: Call("detail_moderation", "GET", "/api/open/v3/content/analysis/infobyid", {"_id": i})),
    ("image_to_video", lambda i: Call("detail_image_to_video", "POST", "/api/open/v4/image2Video/resultsByIds",
                                      json={"_ids": i})),
]


@dataclass(frozen=True)
class PaidCall:
    """One cheapest job of a product: its create call, its expected cost and how to read its id and detail."""

    product: str
    create: Call
    credits: float  # an estimate, shown before the confirmation
    detail_kind: str
    id_of: Callable[[Any], str] = lambda data: (data or {}).get("_id", "")


PAID_CALLS = [
    PaidCall("VoiceLab TTS (v4), 3 characters", Call("create_tts", "POST", "/api/open/v4/voice/tts",
                                                     json={"input_text": "Hi.", "voice_id": DOCS_VOICE}),
             credits=0.02, detail_kind="tts"),
    PaidCall("Audio v3 TTS, 3 characters", Call("create_audio_v3", "POST", "/api/open/v3/audio/create",
                                                json={"input_text": "Hi.", "voice_id": DOCS_VOICE, "rate": "100%"}),
             credits=0.02, detail_kind="audio"),
    PaidCall("Jarvis moderation of one short text",
             Call("create_moderation", "POST", "/api/open/v3/content/analysis/sentiment",
                  json={"type": 4, "content": "Hello, friends.", "language": "en"}),
             credits=0.1, detail_kind="moderation"),
    PaidCall("Image generate, 1:1", Call("create_image", "POST", "/api/open/v3/content/image/createbyprompt",
                                         json={"prompt": "a small red circle on white", "scale": "1:1"}),
             credits=2, detail_kind="image"),
]


def detail_call(kind: str, job_id: str) -> Call:
    return next(make for k, make in DETAIL_CALLS if k == kind)(job_id)
