"""Avatars (v3): the official and your own avatars, their detail, and uploading a new one."""
from __future__ import annotations

from typing import Any

from .._base_client import APIRequest
from ..models.avatars import Avatar, AvatarCreateRequest, AvatarRecord
from ._base import Page, Resource, Steps, choice, identifier, operation, page_args, text


class Avatars(Resource):
    @operation
    def list(self, *, from_: int | None = None, type: int | None = None, page: int = 1,
             size: int = 100) -> Steps[Page]:
        """``from_``: 2 official Akool avatars, 3 yours, None all. ``type``: 1 talking, 2 streaming."""
        if from_ is not None:
            choice(from_, "from_", (2, 3), field="from", meaning="2 official Akool avatars, 3 yours")
        if type is not None:
            choice(type, "type", (1, 2), meaning="1 talking avatars, 2 streaming avatars")
        page_args(page, size)
        data = yield APIRequest("GET", "/api/open/v3/avatar/list",
                                params={"from": from_, "type": type, "page": page, "size": size})
        items = data if isinstance(data, list) else (data or {}).get("result") or []
        return Page([Avatar.model_validate(a) for a in items], page=page, size=size)

    @operation
    def detail(self, id: str) -> Steps[AvatarRecord]:
        """The processing record of an uploaded avatar, by its record ``_id`` (not ``avatar_id``)."""
        record_id = identifier(id, "id", "avatar record _id")
        data = yield APIRequest("GET", "/api/open/v3/avatar/detail", params={"id": record_id})
        record = data[0] if isinstance(data, list) and data else data or {}
        return AvatarRecord.model_validate(record)

    @operation
    def create(self, video: Any, avatar_id: str, name: str | None = None, *, type: int = 1,
               url_from: int | None = None) -> Steps[Any]:
        """Upload ~1 minute of video of a person as your own avatar; returns a job (status 1→3).

        ``name`` is optional: left out, it is not sent (as Akool's own demo does; the avatar is then known by
        its ``avatar_id``). ``type`` 1 talking avatar, 2 streaming avatar. ``url_from`` 2 for
        YouTube/TikTok/X/Drive links."""
        text(name, "name", max_chars=256)
        choice(type, "type", (1, 2), meaning="1 talking avatar, 2 streaming avatar")
        if url_from is not None:
            choice(url_from, "url_from", (1, 2), meaning="2 for YouTube, TikTok, X or Google Drive links")
        ref = self._prepare(video, "video", "video", check_extension=url_from != 2)
        AvatarCreateRequest.build(url="https://x", avatar_id=avatar_id, name=name, type=type, url_from=url_from)
        body = AvatarCreateRequest.build(url=(yield from self._url(ref)), avatar_id=avatar_id, name=name,
                                         type=type, url_from=url_from).to_wire()
        data = yield APIRequest("POST", "/api/open/v3/avatar/create", json=body, paid=True,
                                find_hint="List your avatars with client.avatars.list(from_=3).")
        record = data[0] if isinstance(data, list) and data else data
        return self._job("avatar", record, body)
