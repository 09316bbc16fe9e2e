"""Live (real-time) face swap: sessions that swap faces in an Agora video call (catalog §B.18).

    session = client.live_faceswap.create("face.png", opts="262,175:363,175:313,215:272,279")
    # faceswap_status 2: join Agora channel session.channel_id as session.front_user_id with front_rtc_token
    client.live_faceswap.update(session, "other_face.png", opts="...")
    client.live_faceswap.close(session)

``opts`` are the face's landmarks, ``landmarks_str`` of face detection (the first 4 of its 6 points).
No status endpoint is documented (§F.50): a session's status is the one of the last answer.
"""
from __future__ import annotations

from typing import Any

from .._base_client import APIRequest
from .._exceptions import InvalidParameterError
from .._journal.finders import register_create
from ..models.live import (LiveFaceswapCloseRequest, LiveFaceswapCreateRequest, LiveFaceswapSession,
                           LiveFaceswapUpdateRequest, SourceImage)
from ..models.live import LANDMARKS
from ._base import Resource, Steps, identifier, items, operation, text

register_create("/api/open/v3/faceswap/live/create", "live_faceswap", "Live face swap")  # no list: by id only


def _session_id(value: Any) -> str:
    if isinstance(value, LiveFaceswapSession):
        value = value.id
    return identifier(value, "session", "live session _id", field="_id")


class LiveFaceswap(Resource):
    def _sources(self, source_image: Any, opts: str | None) -> tuple[list[dict[str, Any]], list[Any]]:
        """``sourceImage`` items with placeholders, and the prepared image of each (URL or Upload)."""
        listed = isinstance(source_image, (list, tuple))
        if listed:
            faces = items(source_image, "source_image")
            if opts is not None:
                raise InvalidParameterError("opts", "give opts inside each source_image item, not separately")
        else:
            if opts is None:
                raise InvalidParameterError("opts", "is required: the face's landmarks 'x,y:x,y:x,y:x,y' "
                                                    "(landmarks_str from face detection)")
            text(opts, "opts", max_chars=200, required=True)
            if not LANDMARKS.match(opts.strip()):
                raise InvalidParameterError("opts", "is not 4 landmark points 'x,y:x,y:x,y:x,y' (use landmarks_str "
                                                    "from face detection)", value=opts)
            faces = [{"path": source_image, "opts": opts}]
        if not faces:
            raise InvalidParameterError("source_image", "needs at least one face image")
        plain, refs = [], []
        for i, item in enumerate(faces):
            name = f"source_image[{i}]" if listed else "source_image"
            if isinstance(item, SourceImage):
                item = item.model_dump()
            if not isinstance(item, dict):
                raise InvalidParameterError(name, "must be a dict {'path': image, 'opts': landmarks}", value=item)
            if item.get("opts") is None:
                raise InvalidParameterError(f"{name}.opts", "is required: the face's landmarks "
                                            "'x,y:x,y:x,y:x,y' (landmarks_str from face detection)")
            refs.append(self._prepare(item.get("path"), f"{name}.path" if listed else name, "image"))
            plain.append({**item, "path": "https://placeholder.invalid/face.png"})
        return plain, refs

    def _fill(self, plain: list[dict[str, Any]], refs: list[Any]) -> Steps[list[dict[str, Any]]]:
        out = []
        for item, ref in zip(plain, refs):
            out.append({**item, "path": (yield from self._url(ref))})
        return out

    @operation
    def create(self, source_image: Any, opts: str | None = None) -> Steps[LiveFaceswapSession]:
        """Start a live face swap with one face (``source_image`` + ``opts``) or a list of
        ``{"path": image, "opts": landmarks}``. Images may be URLs, paths, bytes, PIL images or results."""
        plain, refs = self._sources(source_image, opts)
        LiveFaceswapCreateRequest.build(sourceImage=plain)
        body = LiveFaceswapCreateRequest.build(sourceImage=(yield from self._fill(plain, refs))).to_wire()
        data = yield APIRequest("POST", "/api/open/v3/faceswap/live/create", json=body, paid=True,
                                find_hint="Live sessions cannot be listed; close unknown ones by _id.")
        return LiveFaceswapSession.model_validate(data or {})

    @operation
    def update(self, session: Any, source_image: Any, opts: str | None = None) -> Steps[LiveFaceswapSession]:
        """Swap in other face(s) during the session."""
        session_id = _session_id(session)
        plain, refs = self._sources(source_image, opts)
        LiveFaceswapUpdateRequest.build(session_id=session_id, sourceImage=plain)
        body = LiveFaceswapUpdateRequest.build(session_id=session_id,
                                               sourceImage=(yield from self._fill(plain, refs))).to_wire()
        data = yield APIRequest("POST", "/api/open/v3/faceswap/live/update", json=body)
        return _merged(session, session_id, data)

    @operation
    def close(self, session: Any) -> Steps[LiveFaceswapSession]:
        """End the session (release its resources promptly)."""
        session_id = _session_id(session)
        body = LiveFaceswapCloseRequest.build(session_id=session_id).to_wire()
        data = yield APIRequest("POST", "/api/open/v3/faceswap/live/close", json=body)
        return _merged(session, session_id, data, closed=True)


def _merged(session: Any, session_id: str, data: Any, *, closed: bool = False) -> LiveFaceswapSession:
    """The session with what the answer says (the docs answer ``{code, msg}`` only; anything more is used)."""
    record: dict[str, Any] = session.model_dump(by_alias=True) if isinstance(session, LiveFaceswapSession) else {}
    record["_id"] = session_id
    if isinstance(data, dict):
        record.update(data)
    elif closed:
        record["faceswap_status"] = 3
    return LiveFaceswapSession.model_validate(record)
