"""Voices: the VoiceLab (v4) list and detail, and the v3 voice list."""
from __future__ import annotations

from typing import Any

from ..models.voices import Voice, VoiceV3
from ._base import Page, Resource, Steps, csv, operation


class Voices(Resource):
    @operation
    def list(self, *, mine: bool = False, language: str | None = None, gender: Any = None, age: Any = None,
             style: Any = None, scenario: Any = None, name: str | None = None,
             support_stream: bool | None = None, page: int = 1, size: int = 100) -> Steps[Page]:
        """VoiceLab voices: Akool's (``type=2``) or your clones (``mine=True``, ``type=1``).

        ``gender``/``age``/``style``/``scenario`` take a value or a list (sent comma-separated);
        ``language`` filters locally on the voice's language name or locale (the API has no such query).
        """
        from .._base_client import APIRequest

        params = {
            "type": "1" if mine else "2", "page": str(page), "size": str(size),  # strings, as documented
            "gender": csv(gender), "age": csv(age), "style": csv(style), "scenario": csv(scenario),
            "name": name, "support_stream": None if support_stream is None else (1 if support_stream else 2),
        }
        data = yield APIRequest("GET", "/api/open/v4/voice/list", params=params)
        data = data or {}
        voices = [Voice.model_validate(v) for v in data.get("result") or []]
        if language:
            wanted = language.lower()
            voices = [v for v in voices if wanted in ((v.language or "").lower(), (v.locale or "").lower())
                      or (v.locale or "").lower().startswith(wanted + "-")]
        return Page(voices, count=data.get("count") if not language else len(voices),
                    page=_int(data.get("page")), size=_int(data.get("size")))

    @operation
    def list_v3(self, *, from_: int | None = None) -> Steps[Page]:
        """v3 voices (``GET /api/open/v3/voice/list``): ``from_=3`` Akool's, ``from_=4`` yours, None both."""
        from .._base_client import APIRequest

        data = yield APIRequest("GET", "/api/open/v3/voice/list", params={"from": from_})
        return Page([VoiceV3.model_validate(v) for v in data or []])

    @operation
    def detail(self, id: str) -> Steps[Voice]:
        """One VoiceLab voice by its document ``_id``."""
        from .._base_client import APIRequest

        data = yield APIRequest("GET", f"/api/open/v4/voice/detail/{id}")
        return Voice.model_validate(data or {})


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
