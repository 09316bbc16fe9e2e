"""Knowledge bases (v4): documents and URLs that give a streaming avatar its context (catalog §B.16).

    kb = client.knowledge.create(name="Support", prompt="Answer from the manual.", docs=[Path("manual.pdf")])
    session = client.streaming.create_session(avatar_id, knowledge_id=kb)
"""
from __future__ import annotations

import mimetypes
import os
from pathlib import Path
from typing import Any

from .._base_client import APIRequest
from .._exceptions import InvalidParameterError
from .._journal.finders import Field, Finder, register_create
from ..media.inputs import Upload
from ..models.knowledge import (DOC_FORMATS, DOC_MAX_BYTES, NAME_MAX, KnowledgeBase, KnowledgeDoc, KnowledgeRequest,
                                KnowledgeUpdateRequest)
from ._base import Page, Resource, Steps, choice, identifier, items, operation, page_args, text

FROM_VALUES = (1, 2)  # 1 system, 2 user

# Names are unique per account, so a knowledge base whose create answer was lost is found by its name.
register_create("/api/open/v4/knowledge/create", "knowledge", "Knowledge base", Finder(
    "your knowledge bases (GET /api/open/v4/knowledge/list)",
    lambda page, size: APIRequest("GET", "/api/open/v4/knowledge/list", params={"page": page, "size": size}),
    (Field("name", identifies=True), Field("prompt"), Field("prologue"))))


def knowledge_id_of(value: Any) -> Any:
    """Accept a :class:`KnowledgeBase` (or any record with ``_id``) wherever a knowledge id is asked for."""
    if isinstance(value, KnowledgeBase):
        return value.id
    return value


def _doc(value: Any, index: int) -> dict[str, Any] | Upload:
    """A document as ``{name, url, size}``, or an :class:`Upload` of a local file (name and size from it)."""
    param = f"docs[{index}]"
    if isinstance(value, KnowledgeDoc):
        return value.model_dump()
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, str) and "://" in value:
        raise InvalidParameterError(param, f"{value!r}: a document URL needs its size in bytes; pass "
                                           "{'name': ..., 'url': ..., 'size': ...} or a local file path")
    if isinstance(value, (str, os.PathLike)):
        path = Path(value).expanduser()
        if path.suffix.lower() not in DOC_FORMATS:
            raise InvalidParameterError(param, f"{path.name!r}: {path.suffix or '(no extension)'} files are not "
                                               f"supported; use {', '.join(sorted(DOC_FORMATS))}")
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InvalidParameterError(param, f"cannot read {str(path)!r}: {exc.strerror or exc}") from None
        if not data:
            raise InvalidParameterError(param, f"{str(path)!r} is empty")
        if len(data) > DOC_MAX_BYTES:
            raise InvalidParameterError(param, f"{path.name!r} is {len(data)} bytes; each document may be at "
                                               f"most 100MB ({DOC_MAX_BYTES} bytes)")
        ctype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return Upload(param, data, path.name, ctype)
    raise InvalidParameterError(param, f"cannot use a {type(value).__name__}; pass a file path or a dict "
                                       "{'name', 'url', 'size'}")


def _docs(docs: Any) -> list[dict[str, Any] | Upload] | None:
    if docs is None:
        return None
    if isinstance(docs, (str, os.PathLike, dict, KnowledgeDoc)):
        docs = [docs]
    if not isinstance(docs, (list, tuple)):
        raise InvalidParameterError("docs", "must be a list of file paths or {'name', 'url', 'size'} dicts",
                                    value=docs)
    return [_doc(d, i) for i, d in enumerate(items(docs, "docs"))]


def _placeholder(docs: list[dict[str, Any] | Upload] | None) -> list[dict[str, Any]] | None:
    """Docs with uploads stood in for by their future ``{name, url, size}`` (for checking before uploading)."""
    if docs is None:
        return None
    return [{"name": d.filename, "url": f"https://upload.invalid/{d.filename}", "size": len(d.data)}
            if isinstance(d, Upload) else d for d in docs]


class Knowledge(Resource):
    """Create, list, read, update and delete knowledge bases. Names are unique per account."""

    @operation
    def list(self, *, page: int = 1, size: int = 10, name: str | None = None,
             from_: int | None = None) -> Steps[Page]:
        """Your knowledge bases, newest first. ``name`` filters by name; ``from_`` 1 system, 2 user (Akool's
        default)."""
        page_args(page, size, 100)  # size 1-100 (catalog §B.16)
        text(name, "name", max_chars=NAME_MAX)
        if from_ is not None:
            choice(from_, "from_", FROM_VALUES, field="from", meaning="1 system, 2 user")
        data = yield APIRequest("GET", "/api/open/v4/knowledge/list",
                                params={"page": page, "size": size, "name": name, "from": from_})
        items = data if isinstance(data, list) else (data or {}).get("result") or []  # an Array (§F.14)
        return Page([KnowledgeBase.model_validate(k) for k in items], page=page, size=size)

    @operation
    def create(self, *, name: str | None = None, prologue: str | None = None, prompt: str | None = None,
               docs: Any = None, urls: list[str] | None = None) -> Steps[KnowledgeBase]:
        """A new knowledge base. ``docs``: local file paths (uploaded; name and size filled in) and/or dicts
        ``{name, url, size}`` — PDF DOC DOCX TXT MD JSON XML CSV, 100MB each, 500MB in total. ``urls``: web
        pages. ``name`` ≤ 100 characters, ``prologue`` ≤ 2000 (the greeting), ``prompt`` ≤ 10,000."""
        body = yield from self._body(KnowledgeRequest, name=name, prologue=prologue, prompt=prompt, docs=docs,
                                     urls=urls)
        data = yield APIRequest("POST", "/api/open/v4/knowledge/create", json=body, paid=True,
                                find_hint="Look for it with client.knowledge.list(name=...) before creating "
                                          "it again.")
        return KnowledgeBase.model_validate(data or {})

    @operation
    def detail(self, id: Any) -> Steps[KnowledgeBase]:
        """One knowledge base by its ``_id`` (sent as ``id``)."""
        kb_id = self._id(id)
        data = yield APIRequest("GET", "/api/open/v4/knowledge/detail", params={"id": kb_id})
        return KnowledgeBase.model_validate(data or {})

    @operation
    def update(self, id: Any, *, name: str | None = None, prologue: str | None = None, prompt: str | None = None,
               docs: Any = None, urls: list[str] | None = None) -> Steps[KnowledgeBase]:
        """Change the given fields (``docs`` and ``urls`` replace the old lists; ``prologue=""`` clears it)."""
        body = yield from self._body(KnowledgeUpdateRequest, id=self._id(id), name=name, prologue=prologue,
                                     prompt=prompt, docs=docs, urls=urls)
        data = yield APIRequest("POST", "/api/open/v4/knowledge/update", json=body)
        return KnowledgeBase.model_validate(data or {})

    @operation
    def delete(self, id: Any) -> Steps[None]:
        """Delete a knowledge base (``DELETE`` with the JSON body ``{"id": ...}``)."""
        yield APIRequest("DELETE", "/api/open/v4/knowledge/delete", json={"id": self._id(id)})
        return None

    # -- helpers ----------------------------------------------------------------------------------
    @staticmethod
    def _id(value: Any) -> str:
        return identifier(knowledge_id_of(value), "id", "knowledge base _id")

    def _body(self, model: type[KnowledgeRequest], **fields: Any) -> Steps[dict[str, Any]]:
        docs = _docs(fields.pop("docs"))
        model.build(**fields, docs=_placeholder(docs))  # check everything before uploading anything
        if docs is not None:
            for i, doc in enumerate(docs):
                if isinstance(doc, Upload):
                    url = yield doc
                    docs[i] = {"name": doc.filename, "url": url, "size": len(doc.data)}
        return model.build(**fields, docs=docs).to_wire()


__all__ = ["Knowledge", "knowledge_id_of"]
