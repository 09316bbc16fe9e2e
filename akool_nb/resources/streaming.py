"""Streaming avatars (v4 live avatar): avatars, sessions and their RTC credentials (catalog §B.17).

A session puts an avatar into an Agora / LiveKit / TRTC channel; a browser SDK joins it with the session's
``credentials`` and talks to the avatar over the data channel. This module manages the sessions:

    session = client.streaming.create_session(avatar, duration=300, knowledge_id=kb)
    session = client.streaming.wait_live(session)     # status 1 queueing -> 2 live
    client.streaming.close_session(session)
"""
from __future__ import annotations

import asyncio
import time
from typing import Any

from .._base_client import APIRequest
from .._exceptions import AkoolError
from .._journal.finders import Field, Finder, register_create
from ..models.avatars import AvatarCreateRequest
from ..models.live import (MAX_SESSION_SECONDS, Session, SessionClosed, SessionCreateRequest, SessionStatus,
                           StreamingAvatar, VoiceParams)
from ._base import (Page, Resource, Steps, choice, flag, identifier, number, operation, page_args, text,
                    voice_id_of)
from ._known import STREAMING_AVATARS, known
from .knowledge import knowledge_id_of

PLATFORMS = ("open", "aigc")

# The session list shows no field of the request that identifies a session: it can prove absence only.
register_create("/api/open/v4/liveAvatar/session/create", "session", "Streaming session", Finder(
    "your sessions (GET /api/open/v4/liveAvatar/session/list)",
    lambda page, size: APIRequest("GET", "/api/open/v4/liveAvatar/session/list", params={"page": page, "size": size}),
    (Field("stream_type", default="agora"),)))


def _page_args(page: Any, size: Any, hi: int = 100) -> None:
    page_args(page, size, hi)  # size 1-100 (catalog §B.17)


def session_id_of(value: Any, param: str = "id") -> str:
    """The id of a :class:`Session` (``_id``/``id``/``session_id``, §F.17) or the string itself."""
    if isinstance(value, (Session, SessionClosed)):
        value = getattr(value, "id", None) or getattr(value, "session_id", None)
    return identifier(value, param, "session _id")


def _avatar_id_of(value: Any) -> Any:
    return getattr(value, "avatar_id", value)


class Streaming(Resource):
    """Streaming avatar sessions. Credits are pre-charged for ``duration`` and the unused part refunded, so
    close sessions when you are done."""

    # -- avatars ----------------------------------------------------------------------------------
    @operation
    def avatars(self, *, page: int = 1, size: int = 100, platform: str | None = None) -> Steps[Page]:
        """Streaming avatars you can start a session with (official ones and your uploads)."""
        _page_args(page, size)
        if platform is not None:
            choice(platform, "platform", PLATFORMS)
        data = yield APIRequest("GET", "/api/open/v4/liveAvatar/avatar/list",
                                params={"page": page, "size": size, "platform": platform})
        data = data if isinstance(data, dict) else {"result": data or []}
        return Page([StreamingAvatar.model_validate(a) for a in data.get("result") or []],
                    count=data.get("count"), page=page, size=size)

    @operation
    def avatar(self, avatar_id: Any) -> Steps[StreamingAvatar]:
        """One streaming avatar by ``avatar_id``."""
        avatar_id = identifier(_avatar_id_of(avatar_id), "avatar_id", "avatar_id")
        data = yield APIRequest("GET", "/api/open/v4/liveAvatar/avatar/detail", params={"avatar_id": avatar_id})
        return StreamingAvatar.model_validate(data or {})

    @operation
    def upload_avatar(self, video: Any, avatar_id: str, name: str | None = None, *,
                      url_from: int = 1) -> Steps[Any]:
        """Upload a video of a person as your own streaming avatar (``POST /api/open/v3/avatar/create`` with
        ``type`` 2); returns a job that completes when the avatar is usable (status 3). ``url_from`` 2 for
        YouTube / TikTok / X / Google Drive links. ``name`` is optional, as in ``avatars.create``."""
        text(name, "name", max_chars=256)
        choice(url_from, "url_from", (1, 2), meaning="2 for YouTube, TikTok, X or Google Drive links")
        ref = self._prepare(video, "video", "video", check_extension=url_from != 2)
        AvatarCreateRequest.build(url="https://x", avatar_id=avatar_id, name=name, type=2, url_from=url_from)
        body = AvatarCreateRequest.build(url=(yield from self._url(ref)), avatar_id=avatar_id, name=name, type=2,
                                         url_from=url_from).to_wire()
        data = yield APIRequest("POST", "/api/open/v3/avatar/create", json=body, paid=True,
                                find_hint="List your streaming avatars with client.streaming.avatars().")
        record = data[0] if isinstance(data, list) and data else data
        return self._job("avatar", record, body)

    # -- sessions ---------------------------------------------------------------------------------
    @operation
    def create_session(self, avatar_id: Any, *, duration: float | None = None, knowledge_id: Any = None,
                       voice_id: Any = None, voice_url: Any = None, language: str | None = None,
                       mode_type: int | None = None, scene_mode: str | None = None, e2e_type: str | None = None,
                       background_url: Any = None, stream_type: str | None = None,
                       credentials: dict[str, Any] | None = None,
                       voice_params: dict[str, Any] | VoiceParams | None = None,
                       check: bool = False) -> Steps[Session]:
        """Start a session with a streaming avatar (an ``avatar_id`` or a record from ``avatars()``).

        ``duration`` seconds (at most 3600); ``knowledge_id`` a knowledge base (or its record);
        ``voice_id`` a voice (or record); ``mode_type`` 1 retelling, 2 dialogue; ``stream_type`` agora
        (default), livekit or trtc; ``credentials`` your own RTC credentials for that provider;
        ``voice_params`` speed (0.8–1.2), stt_language, pron_map, stt_type, turn_detection,
        elevenlabs_settings. ``background_url`` / ``voice_url`` may be local files (uploaded).
        ``check=True`` first looks ``avatar_id`` up in the free streaming-avatar list (cached per client)
        and refuses an unknown one before anything is uploaded or sent."""
        flag(check, "check", optional=False)
        background = self._prepare(background_url, "background_url", "image", "video") \
            if background_url is not None else None
        voice_ref = self._prepare(voice_url, "voice_url", "audio") if voice_url is not None else None
        if isinstance(voice_params, VoiceParams):
            voice_params = voice_params.model_dump(exclude_none=True)
        text(language, "language", max_chars=32)
        fields = dict(avatar_id=_avatar_id_of(avatar_id), duration=duration,
                      knowledge_id=knowledge_id_of(knowledge_id), voice_id=voice_id_of(voice_id),
                      language=language, mode_type=mode_type, scene_mode=scene_mode, e2e_type=e2e_type,
                      stream_type=stream_type, credentials=credentials, voice_params=voice_params)
        SessionCreateRequest.build(**fields)  # check before uploading anything
        if check:
            yield from known(self._client, "avatar_id", fields["avatar_id"], "a streaming avatar id",
                             (STREAMING_AVATARS,))
        body = SessionCreateRequest.build(
            **fields, background_url=(yield from self._url(background)) if background is not None else None,
            voice_url=(yield from self._url(voice_ref)) if voice_ref is not None else None,
        ).to_wire()
        data = yield APIRequest("POST", "/api/open/v4/liveAvatar/session/create", json=body, paid=True,
                                find_hint="List open sessions with client.streaming.sessions(status=2).")
        return Session.model_validate(data or {})

    @operation
    def session(self, id: Any) -> Steps[Session]:
        """A session as it is now (``GET .../session/detail?id=``)."""
        data = yield APIRequest("GET", "/api/open/v4/liveAvatar/session/detail", params={"id": session_id_of(id)})
        return Session.model_validate(data or {})

    @operation
    def sessions(self, *, page: int = 1, size: int = 100, status: int | None = None) -> Steps[Page]:
        """Your sessions, newest first; ``status`` 1 queueing, 2 live, 3 ended, 4 failed."""
        _page_args(page, size)
        if status is not None:
            choice(status, "status", (1, 2, 3, 4), meaning="1 queueing, 2 live, 3 ended, 4 failed")
        data = yield APIRequest("GET", "/api/open/v4/liveAvatar/session/list",
                                params={"page": page, "size": size, "status": status})
        data = data if isinstance(data, dict) else {"result": data or []}
        return Page([Session.model_validate(s) for s in data.get("result") or []], count=data.get("count"),
                    page=page, size=size)

    @operation
    def close_session(self, id: Any) -> Steps[SessionClosed]:
        """Close a session (refunds the unused duration). The body carries the id as both ``id`` and
        ``session_id``: the docs' samples disagree on the name (§F.16)."""
        session_id = session_id_of(id)
        data = yield APIRequest("POST", "/api/open/v4/liveAvatar/session/close",
                                json={"id": session_id, "session_id": session_id})
        record = data if isinstance(data, dict) else {}
        return SessionClosed.model_validate({"session_id": session_id, "status": "closed", **record})

    def wait_live(self, session: Any, *, timeout: float = 60.0, poll: float | None = None) -> Any:
        """Poll the session until it leaves "queueing"; return it when live (status 2). A session that ended
        or failed first raises :class:`AkoolError`. On AsyncAkool, await it."""
        session_id = session_id_of(session, "session")
        number(timeout, "timeout", 0, MAX_SESSION_SECONDS, example=60)
        if poll is not None:
            number(poll, "poll", 0.01, MAX_SESSION_SECONDS, example=1.0)
        interval = poll if poll is not None else min(1.0, self._client.poll_interval)
        if self._client._is_async:
            return self._await_live(session_id, timeout, interval)
        deadline = time.monotonic() + timeout
        while True:
            current = self.session(session_id)
            if self._settled(current, deadline, timeout):
                return current
            time.sleep(interval)

    async def _await_live(self, session_id: str, timeout: float, interval: float) -> Session:
        deadline = time.monotonic() + timeout
        while True:
            current = await self.session(session_id)
            if self._settled(current, deadline, timeout):
                return current
            await asyncio.sleep(interval)

    @staticmethod
    def _settled(current: Session, deadline: float, timeout: float) -> bool:
        state = current.state
        if state is SessionStatus.PROCESSING:
            return True
        if state in (SessionStatus.COMPLETED, SessionStatus.FAILED):
            reason = (current.model_extra or {}).get("error_reason") or state.label
            raise AkoolError(f"streaming session {current.id} is {state.label} ({reason}), not live",
                             code=(current.model_extra or {}).get("error_code"))
        if time.monotonic() >= deadline:
            raise AkoolError(f"streaming session {current.id} still {state.label if state else current.status} "
                             f"after {timeout:g}s")
        return False


__all__ = ["Streaming", "session_id_of", "MAX_SESSION_SECONDS"]
