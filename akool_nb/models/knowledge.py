"""Knowledge bases (v4): the create/update requests and the knowledge object (catalog §B.16)."""
from __future__ import annotations

from pathlib import PurePosixPath
from typing import Annotated, Any, ClassVar
from urllib.parse import urlsplit

from pydantic import BeforeValidator, Field, field_validator, model_validator

from ._base import RequestModel, ResponseModel, check_id

NAME_MAX, PROLOGUE_MAX, PROMPT_MAX = 100, 2000, 10_000
DOC_MAX_BYTES = 104_857_600  # 100MB per file
DOCS_MAX_BYTES = 524_288_000  # 500MB in total
DOC_FORMATS = frozenset({".pdf", ".doc", ".docx", ".txt", ".md", ".json", ".xml", ".csv"})


def _http_url(value: str, what: str) -> str:
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in value.strip():
        raise ValueError(f"{value!r} is not an http(s) URL; {what}")
    return value.strip()


def doc_suffix(name: str, url: str) -> str:
    for text in (name, urlsplit(url).path):
        suffix = PurePosixPath(text or "").suffix.lower()
        if suffix:
            return suffix
    return ""


class KnowledgeDoc(RequestModel):
    """A document of a knowledge base: ``{name, url, size}`` (size in bytes, at most 100MB)."""

    name: str
    url: str
    size: int

    @field_validator("size")
    @classmethod
    def _size(cls, value: int) -> int:
        if not 0 <= value <= DOC_MAX_BYTES:
            raise ValueError(f"is {value} bytes; a document may be at most 100MB ({DOC_MAX_BYTES} bytes) — "
                             "split it into smaller files")
        return value

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("is empty; give the document's file name, e.g. 'manual.pdf'")
        return value

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        return _http_url(value, "documents are fetched by Akool from a public URL")

    @model_validator(mode="after")
    def _format(self) -> "KnowledgeDoc":
        suffix = doc_suffix(self.name, self.url)
        if suffix not in DOC_FORMATS:
            found = f"{suffix} files are" if suffix else f"{self.name!r} has no file extension, so it is"
            raise ValueError(f"{found} not supported; knowledge documents are "
                             f"{', '.join(s[1:].upper() for s in sorted(DOC_FORMATS))}")
        return self


class KnowledgeRequest(RequestModel):
    """``POST /api/open/v4/knowledge/create`` (every field optional)."""

    endpoint: ClassVar[str] = "POST /api/open/v4/knowledge/create"
    name: str | None = None
    prologue: str | None = None  # "" clears it
    prompt: str | None = None
    docs: list[KnowledgeDoc] | None = None
    urls: list[str] | None = None

    @field_validator("name", "prologue", "prompt")
    @classmethod
    def _length(cls, value: str, info: Any) -> str:
        limit = {"name": NAME_MAX, "prologue": PROLOGUE_MAX, "prompt": PROMPT_MAX}[info.field_name]
        if not value.strip() and (value or info.field_name != "prologue"):
            raise ValueError("is empty" + ('; pass "" to clear the greeting' if info.field_name == "prologue"
                                           else "; leave it out instead"))
        if len(value) > limit:
            raise ValueError(f"is {len(value)} characters; at most {limit} are allowed — shorten it")
        return value

    @field_validator("urls")
    @classmethod
    def _urls(cls, value: list[str]) -> list[str]:
        return [_http_url(u, "urls are web pages Akool reads") for u in value]

    @model_validator(mode="after")
    def _total(self) -> "KnowledgeRequest":
        total = sum(d.size for d in self.docs or [])
        if total > DOCS_MAX_BYTES:
            raise ValueError(f"docs add up to {total} bytes; all documents of a knowledge base may total at "
                             f"most 500MB ({DOCS_MAX_BYTES} bytes)")
        return self


class KnowledgeUpdateRequest(KnowledgeRequest):
    """``POST /api/open/v4/knowledge/update``: ``id`` plus the fields to change."""

    endpoint: ClassVar[str] = "POST /api/open/v4/knowledge/update"
    id: Annotated[str, BeforeValidator(check_id)]

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("is empty; pass the knowledge base's _id")
        return value


class KnowledgeBase(ResponseModel):
    """A knowledge base. Detail, update and delete take its ``_id`` as ``id`` (§F.21)."""

    id: str | None = Field(None, alias="_id")
    team_id: str | None = None
    uid: int | None = None
    user_type: int | None = None
    from_: int | None = Field(None, alias="from")
    name: str | None = None
    prologue: str | None = None
    prompt: str | None = None
    docs: list[dict[str, Any]] | None = None
    urls: list[str] | None = None
    create_time: int | None = None
    update_time: int | None = None

    @property
    def knowledge_id(self) -> str | None:
        """What ``client.streaming.create_session(knowledge_id=...)`` takes."""
        return self.id

    def _repr_html_(self) -> str:
        from .live import card_html

        rows = [("id", self.id), ("prologue", self.prologue or "—"),
                ("prompt", (self.prompt or "—")[:200] + ("…" if len(self.prompt or "") > 200 else ""))]
        rows += [("doc", f"{d.get('name')} · {d.get('size')} bytes") for d in self.docs or []]
        rows += [("url", u) for u in self.urls or []]
        return card_html(f"Knowledge base · {self.name or '(no name)'}", None, None, rows)
