"""Talking / streaming avatars (v3 list, detail, upload)."""
from __future__ import annotations

import re
from typing import ClassVar, Literal

from pydantic import Field, field_validator

from ._base import RequestModel, ResponseModel

AVATAR_ID = re.compile(r"^[a-zA-Z0-9]+$")


class Avatar(ResponseModel):
    """An item of ``GET /api/open/v3/avatar/list``. Pass ``from_`` as ``avatar_from`` when creating."""

    id: str | None = Field(None, alias="_id")
    avatar_id: str | None = None
    name: str | None = None
    url: str | None = None
    gender: str | None = None
    thumbnailUrl: str | None = None
    from_: int | None = Field(None, alias="from")
    type: int | None = None
    status: int | None = None

    def _repr_html_(self) -> str:
        from ..display import avatar_html

        return avatar_html(self)


class AvatarRecord(Avatar):
    """``GET /api/open/v3/avatar/detail`` (an uploaded avatar's processing record)."""


def check_avatar_id(value: str) -> str:
    if not AVATAR_ID.match(value or ""):
        raise ValueError(f"{value!r} must match ^[a-zA-Z0-9]+$ (letters and digits only, no spaces, '-' or '_')")
    return value


class AvatarCreateRequest(RequestModel):
    """``POST /api/open/v3/avatar/create``: upload a ~1 minute video of a person as your own avatar."""

    endpoint: ClassVar[str] = "POST /api/open/v3/avatar/create"
    arguments: ClassVar[dict[str, str]] = {"url": "video"}
    url: str
    avatar_id: str
    name: str | None = None  # the docs mark it required; Akool's own demo leaves it out (sim/evidence.py)
    type: Literal[1, 2] = 1
    url_from: Literal[1, 2] | None = None

    _id = field_validator("avatar_id")(check_avatar_id)
