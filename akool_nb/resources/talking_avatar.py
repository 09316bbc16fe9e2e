"""Talking avatar: an avatar, images and speech laid out on a 3840×2160 stage (``talkingavatar/create``)."""
from __future__ import annotations

import re
from typing import Any

from .._base_client import APIRequest
from .._exceptions import InvalidParameterError
from ..models.video import CANVAS, Element, TalkingAvatarRequest
from ..spec.common import HEX_COLOUR
from ._base import Resource, Steps, choice, flag, items, operation, voice_id_of, webhook
from ._known import AVATARS_MINE, AVATARS_OFFICIAL, VOICE_SOURCES, known

_KINDS = {"image": ("image",), "avatar": ("video", "image"), "video": ("video",), "audio": ("audio",)}


class TalkingAvatar(Resource):
    @operation
    def create(self, elements: list[dict[str, Any]], *, avatar_from: int | None = None,
               webhook_url: str | None = None, width: int = CANVAS[0], height: int = CANVAS[1],
               check: bool = False) -> Steps[Any]:
        """Render ``elements`` (dicts with the documented fields: type avatar/image/audio, url or avatar_id,
        offset_x/offset_y = upper-left corner in canvas pixels, width/height, scale_x/scale_y, and for audio
        url or input_text + voice_id). Media ``url`` values may be paths, bytes, PIL images or results.
        ``avatar_from`` defaults to 2 when the avatar is given by ``avatar_id``, else 3. ``check=True`` first
        looks every ``avatar_id`` and ``voice_id`` up in the free avatar and voice lists (cached per client)
        and refuses an unknown one before anything is uploaded or sent."""
        flag(check, "check", optional=False)
        if not isinstance(elements, (list, tuple)) or not elements:
            raise InvalidParameterError("elements", "needs at least one element (an avatar or an image)")
        choice(width, "width", (CANVAS[0],), meaning="Akool renders on a 3840×2160 canvas")
        choice(height, "height", (CANVAS[1],), meaning="Akool renders on a 3840×2160 canvas")
        plain, refs = [], []
        for index, element in enumerate(items(elements, "elements")):
            if not isinstance(element, (dict, Element)):
                raise InvalidParameterError(f"elements[{index}]", "must be a dict of the documented element fields "
                                                                  "(type, url or avatar_id, offsets, scales)",
                                            value=element)
            item = dict(element.model_dump(exclude_none=True) if isinstance(element, Element) else element)
            for key in ("avatar_id", "voice_id"):
                if key in item:
                    item[key] = getattr(item[key], key, item[key])  # accept Avatar / Voice records
            kind = item.get("type")
            url = item.get("url")
            if url is not None and kind in _KINDS and not (kind == "image" and isinstance(url, str)
                                                           and HEX_COLOUR.match(url)):
                refs.append((index, self._prepare(url, f"elements[{index}].url", *_KINDS[kind])))
                item["url"] = "https://placeholder.invalid/x"  # checked below; replaced after upload
            plain.append(item)
        if avatar_from is None:
            avatar = next((e for e in plain if e.get("type") == "avatar"), None)
            avatar_from = 2 if avatar is not None and avatar.get("avatar_id") and "url" not in avatar else 3
        _check(plain, avatar_from, width, height, webhook_url)
        if check:
            yield from _known_ids(self._client, plain, avatar_from)
        for index, ref in refs:
            plain[index]["url"] = yield from self._url(ref)
        body = _check(plain, avatar_from, width, height, webhook_url).to_wire()
        data = yield APIRequest("POST", "/api/open/v3/talkingavatar/create", json=body, paid=True,
                                find_hint="Check client.jobs.recent() and your webhook receiver.")
        return self._job("talking_avatar", data, body)

    @operation
    def create_legacy(self, data: list[dict[str, Any]], *, webhook_url: str | None = None) -> Steps[Any]:
        """The older ``POST /api/open/v3/avatar/createVideo`` (superseded by ``create``); body passed as is."""
        if not isinstance(data, list) or not data:
            raise InvalidParameterError("data", "needs a list with one video description")
        for index, item in enumerate(items(data, "data")):
            if not isinstance(item, dict):
                raise InvalidParameterError(f"data[{index}]", "must be a dict (a video description)", value=item)
        body: dict[str, Any] = {"data": data}
        if webhook_url:
            body["webhookUrl"] = webhook(webhook_url)
        result = yield APIRequest("POST", "/api/open/v3/avatar/createVideo", json=body, paid=True)
        return self._job("talking_avatar", result, body)


def _known_ids(client: Any, elements: list[dict[str, Any]], avatar_from: int) -> Steps[None]:
    """The ids Akool takes from its lists: an avatar by id (official with avatar_from 2, else yours) and
    the voice of an audio element spoken from text."""
    for index, item in enumerate(elements):
        if item.get("type") == "avatar" and item.get("avatar_id") and (avatar_from == 2 or not item.get("url")):
            mine = avatar_from != 2
            yield from known(client, f"elements[{index}].avatar_id", item["avatar_id"],
                             "one of your avatar ids" if mine else "an official avatar id (avatar_from=2)",
                             (AVATARS_MINE,) if mine else (AVATARS_OFFICIAL,))
        elif item.get("type") == "audio" and item.get("voice_id") and not item.get("url"):
            yield from known(client, f"elements[{index}].voice_id", item["voice_id"], "a voice id", VOICE_SOURCES)


def _check(elements: list[dict[str, Any]], avatar_from: int, width: int, height: int,
           webhook_url: str | None) -> TalkingAvatarRequest:
    for item in elements:
        if "voice_id" in item:
            item["voice_id"] = voice_id_of(item["voice_id"])
    return TalkingAvatarRequest.build(width=width, height=height, avatar_from=avatar_from, elements=elements,
                                      webhookUrl=webhook(webhook_url))
