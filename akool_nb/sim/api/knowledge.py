"""Knowledge bases (catalog §B.16): records in ``sim.store`` (collection ``knowledge``).

1232 unknown id, 1233 name taken, 1234 more than ``MAX_KNOWLEDGE``, 1235/1236 an id that is not an ObjectId on
update/detail.
"""
from __future__ import annotations

import os
import secrets
import time

from ..state import TEAM_ID, UID, now_ms
from ..validate import ApiError, Ctx, Fields, ParamError, body_object, ext_of, is_http_url, query_choice, query_int
from ._live import KB_COLLECTION, OBJECT_ID


KB = "/api/open/v4/knowledge"


NAME_MAX, PROLOGUE_MAX, PROMPT_MAX = 100, 2000, 10_000
DOC_MAX, DOCS_MAX = 104_857_600, 524_288_000
DOC_EXTS = (".pdf", ".doc", ".docx", ".txt", ".md", ".json", ".xml", ".csv")
MAX_KNOWLEDGE = 100  # per account, offline: creating more answers 1234


def _limited(f: Fields, field: str, limit: int) -> str | None:
    value = f.str(field, allow_empty=True)
    if value is not None and len(value) > limit:
        raise ParamError(field, f"must be at most {limit} characters")
    return value


def _kb_fields(f: Fields) -> dict:
    out = {}
    for field, limit in (("name", NAME_MAX), ("prologue", PROLOGUE_MAX), ("prompt", PROMPT_MAX)):
        value = _limited(f, field, limit)
        if value is not None:
            out[field] = value
    docs = f.list("docs")
    if docs is not None:
        total, clean = 0, []
        for i in range(len(docs)):
            d = f.item("docs", i)
            name = d.str("name", required=True)
            url = d.str("url", required=True, url=True)
            size = d.num("size", required=True, integer=True)
            if not 0 <= size <= DOC_MAX:
                raise ParamError(d.name("size"), f"must be between 0 and {DOC_MAX} bytes (100MB per document)")
            suffix = os.path.splitext(name)[1].lower() or ext_of(url)
            if suffix not in DOC_EXTS:
                raise ParamError(d.name("name"), "must be a PDF, DOC, DOCX, TXT, MD, JSON, XML or CSV document")
            total += size
            clean.append({"name": name, "url": url, "size": size})
        if total > DOCS_MAX:
            raise ParamError("docs", f"must total at most {DOCS_MAX} bytes (500MB); these total {total}")
        out["docs"] = clean
    urls = f.list("urls")
    if urls is not None:
        for i, url in enumerate(urls):
            if not is_http_url(url):
                raise ParamError(f"urls[{i}]", "must be an http(s) URL")
        out["urls"] = list(urls)
    return out


def _name_taken(ctx: Ctx, name: str | None, except_id: str | None = None) -> None:
    if not name:
        return
    for kb in ctx.sim.store.list_records(KB_COLLECTION):
        if kb["name"] == name and kb["_id"] != except_id:
            raise ApiError(1233, f"Knowledge already exists: a knowledge base is already named {name!r}")


def _kb_get(ctx: Ctx, kb_id: str, malformed_code: int, what: str) -> dict:
    if not OBJECT_ID.match(kb_id):
        raise ApiError(malformed_code, f"{what}: id {kb_id!r} is not a knowledge base id (24 hex digits)")
    kb = ctx.sim.store.get_record(KB_COLLECTION, kb_id)
    if kb is None:
        raise ApiError(1232, f"Knowledge not found: id {kb_id}")
    return kb


def knowledge_list(ctx: Ctx) -> list:
    page, size = query_int(ctx.query, "page", 1, hi=1_000_000), query_int(ctx.query, "size", 10, hi=100)
    source = query_choice(ctx.query, "from", ("1", "2")) or "2"
    name = (ctx.query.get("name") or "").strip().lower()
    items = [kb for kb in ctx.sim.store.list_records(KB_COLLECTION) if str(kb["from"]) == source
             and (not name or name in (kb.get("name") or "").lower())]
    items.sort(key=lambda kb: kb["create_time"], reverse=True)
    return items[(page - 1) * size: page * size]


def knowledge_create(ctx: Ctx) -> dict:
    f = body_object(ctx.body)
    fields = _kb_fields(f)
    _name_taken(ctx, fields.get("name"))
    if len(ctx.sim.store.list_records(KB_COLLECTION)) >= MAX_KNOWLEDGE:
        raise ApiError(1234, f"Knowledge creation error: the offline Akool keeps at most {MAX_KNOWLEDGE} "
                             "knowledge bases; delete some first")
    now = now_ms()
    kb = {"_id": f"{int(time.time()):08x}{secrets.token_hex(8)}", "team_id": TEAM_ID, "uid": UID, "user_type": 2,
          "from": 2, "name": "", "prologue": "", "prompt": "", "docs": [], "urls": [], **fields,
          "create_time": now, "update_time": now}
    ctx.sim.store.put_record(KB_COLLECTION, kb["_id"], kb)
    return kb


def knowledge_detail(ctx: Ctx) -> dict:
    kb_id = ctx.query.get("id")
    if not kb_id:
        raise ParamError("id", "is required")
    return _kb_get(ctx, kb_id, 1236, "Knowledge detail error")


def knowledge_update(ctx: Ctx) -> dict:
    f = body_object(ctx.body)
    kb_id = f.str("id", required=True)
    fields = _kb_fields(f)
    kb = _kb_get(ctx, kb_id, 1235, "Knowledge update error")
    _name_taken(ctx, fields.get("name"), except_id=kb_id)
    kb.update(fields, update_time=max(now_ms(), kb["update_time"] + 1))
    ctx.sim.store.put_record(KB_COLLECTION, kb_id, kb)
    return kb


def knowledge_delete(ctx: Ctx) -> None:
    f = body_object(ctx.body)
    kb_id = f.str("id", required=True)
    _kb_get(ctx, kb_id, 1232, "Knowledge not found")
    ctx.sim.store.delete_record(KB_COLLECTION, kb_id)
    return None


ROUTES = [
    ("GET", f"{KB}/list", knowledge_list, True),
    ("POST", f"{KB}/create", knowledge_create, True),
    ("GET", f"{KB}/detail", knowledge_detail, True),
    ("POST", f"{KB}/update", knowledge_update, True),
    ("DELETE", f"{KB}/delete", knowledge_delete, True),
]
