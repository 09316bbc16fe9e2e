from __future__ import annotations

from pydantic import Field

from ._base import ResponseModel


class AudioInfo(ResponseModel):
    """``GET /api/open/v3/audio/infobymodelid``: v3 TTS / clone result; the audio is at ``url``."""

    id: str | None = Field(None, alias="_id")
    status: int | None = None
    url: str | None = None
