"""Jarvis Moderator: the ``content/analysis/sentiment`` request and the analysis record (catalog §B.15)."""
from __future__ import annotations

import re
from typing import Any, ClassVar, Literal

from pydantic import Field, field_validator

from ._base import RequestModel, ResponseModel

#: ``type``: 1 image, 2 video, 3 audio ("auido" in the docs), 4 text.
CONTENT_TYPES: dict[str, int] = {"image": 1, "video": 2, "audio": 3, "text": 4}
TYPE_NAMES = {v: k for k, v in CONTENT_TYPES.items()}
#: What Jarvis accepts per content type (docs: formats and size limits; text may be inline or a URL).
FORMATS: dict[str, frozenset[str]] = {
    "image": frozenset({".png", ".jpeg", ".jpg", ".webp", ".gif"}),
    "audio": frozenset({".flac", ".mp3", ".mp4", ".mpeg", ".mpga", ".m4a", ".ogg", ".wav", ".webm"}),
    "video": frozenset({".mp4", ".avi"}),
    "text": frozenset({".txt", ".docx", ".xml", ".pdf", ".csv", ".md", ".json"}),
}
MAX_BYTES = {"image": 20 * 1024 * 1024, "audio": 25 * 1024 * 1024, "video": 1024 * 1024 * 1024}
ISO_639_1 = re.compile(r"^[a-z]{2}$")


def content_type(value: Any) -> int:
    """``type`` as the wire number; accepts 1-4 or "image" / "video" / "audio" / "text"."""
    if isinstance(value, str) and value.strip().lower() in CONTENT_TYPES:
        return CONTENT_TYPES[value.strip().lower()]
    if isinstance(value, int) and not isinstance(value, bool) and value in TYPE_NAMES:
        return value
    raise ValueError(f"{value!r} is not a content type; use 1 image, 2 video, 3 audio, 4 text "
                     "(or their names)")


class ModerationRequest(RequestModel):
    """``POST /api/open/v3/content/analysis/sentiment``."""

    endpoint: ClassVar[str] = "POST /api/open/v3/content/analysis/sentiment"
    content: str
    type: Literal[1, 2, 3, 4]
    language: str | None = None
    webhookUrl: str | None = None
    input: str | None = None

    @field_validator("type", mode="before")
    @classmethod
    def _type(cls, value: Any) -> int:
        return content_type(value)

    @field_validator("content")
    @classmethod
    def _content(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("is empty; pass the text to check, or the URL of the image, video or audio")
        return value

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        code = value.strip().lower()
        if not ISO_639_1.match(code):
            raise ValueError(f"{value!r} is not an ISO-639-1 code; use two letters such as 'en', 'es', 'zh'")
        return code


class Finding(ResponseModel):
    """One line of the analysis text: ``- label: explanation``."""

    label: str
    explanation: str


class Analysis(ResponseModel):
    """``GET /api/open/v3/content/analysis/infobyid``: ``status`` and, when done, ``result`` (free text such
    as ``"- violence: …\\nResult: Non-Compliant"``) and ``final_conclusion`` (Non-Compliant, Compliant,
    Unknown). The docs' table calls the status ``video_status``; the data carries ``status`` (§F.22)."""

    id: str | None = Field(None, alias="_id")
    uid: int | None = None
    type: int | None = None
    status: int | None = None
    result: str | None = None
    final_conclusion: str | None = None
    create_time: int | None = None
    webhookUrl: str | None = None

    def model_post_init(self, context: Any) -> None:
        if self.status is None and self.model_extra and self.model_extra.get("video_status") is not None:
            try:
                self.status = int(self.model_extra["video_status"])
            except (TypeError, ValueError):
                pass

    @property
    def compliant(self) -> bool | None:
        """True for Compliant, False for Non-Compliant, None when unknown or not finished."""
        conclusion = (self.final_conclusion or "").strip().lower()
        return {"compliant": True, "non-compliant": False}.get(conclusion)

    @property
    def findings(self) -> list[Finding]:
        out = []
        for line in (self.result or "").splitlines():
            match = re.match(r"^\s*-\s*([^:]+):\s*(.*)$", line)
            if match:
                out.append(Finding(label=match.group(1).strip(), explanation=match.group(2).strip()))
        return out

    @property
    def content_type(self) -> str | None:
        return TYPE_NAMES.get(self.type) if self.type is not None else None

    def _repr_html_(self) -> str:
        from .live import card_html

        conclusion = self.final_conclusion or ("failed" if self.status == 4 else "pending")
        colour = {"Compliant": "#27ae60", "Non-Compliant": "#eb5757"}.get(conclusion, "#8a8f98")
        rows = [(f.label, f.explanation) for f in self.findings] or [("result", self.result or "—")]
        return card_html(f"Jarvis moderation · {self.content_type or 'content'}", conclusion, colour,
                         rows, footer=f"id {self.id}")
