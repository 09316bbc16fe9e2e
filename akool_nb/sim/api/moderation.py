"""Jarvis Moderator (catalog §B.15): sentiment analysis create and info.

A job (kind ``moderation``) on the usual clock, webhook ``type`` "sentiment analysis" (the docs list none for
Jarvis); the analysis is ``media_live.render_moderation``; a failed one reports 1212.
"""
from __future__ import annotations

import re

from ..jobs import KINDS, Kind, register_kind
from ..media_live import TEXT_URL_EXTS, render_moderation
from ..state import UID
from ..validate import ApiError, Ctx, ParamError, body_object, ext_of, is_http_url
from ._live import _ms


SENTIMENT, ANALYSIS = "/api/open/v3/content/analysis/sentiment", "/api/open/v3/content/analysis/infobyid"


# =========================================================================================== Jarvis
JARVIS_EXTS = {1: (".png", ".jpeg", ".jpg", ".webp", ".gif"),
               2: (".mp4", ".avi"),
               3: (".flac", ".mp3", ".mp4", ".mpeg", ".mpga", ".m4a", ".ogg", ".wav", ".webm"),
               4: TEXT_URL_EXTS}
_MEDIA_EXTS = frozenset().union(*JARVIS_EXTS.values()) | {".mov", ".mkv", ".bmp", ".tif", ".tiff", ".aac",
                                                          ".html", ".htm", ".doc", ".rtf"}
_TYPE_NAMES = {1: "image", 2: "video", 3: "audio", 4: "text"}


def _jarvis_job(ctx: Ctx, job_id: str) -> dict:
    job = ctx.sim.store.get_job(job_id, ("moderation",))
    if job is None:
        raise ApiError(1008, f"The content you get does not exist: _id {job_id}")
    return job


def analysis_record(ctx: Ctx, job: dict) -> dict:
    p, status = job["params"], ctx.sim.status_of(job)
    result = job["result"] if status == 3 else {}
    rec = {"_id": job["id"], "uid": UID, "type": p["type"], "status": status, "result": result.get("result", ""),
           "final_conclusion": result.get("final_conclusion", ""), "create_time": _ms(job["created"]),
           "webhookUrl": p["webhookUrl"], "__v": 0, "simulated": True}
    if status == 3:
        rec["labels"] = result.get("labels", [])
    if status == 4:
        rec.update(error_code=KINDS["moderation"].error_code, error_reason=job["error"])
    return rec


def sentiment_create(ctx: Ctx) -> dict:
    f = body_object(ctx.body)
    kind = int(f.num("type", required=True, integer=True, choices=(1, 2, 3, 4)))
    content = f.str("content", required=True)
    ext = ext_of(content) if is_http_url(content) else ""
    if kind in (1, 2, 3) and not is_http_url(content):
        raise ParamError("content", f"must be an http(s) URL when type is {kind} ({_TYPE_NAMES[kind]})")
    if ext and (ext in _MEDIA_EXTS or kind == 4) and ext not in JARVIS_EXTS[kind]:
        raise ParamError("content", f"must be {'a' if kind != 1 else 'an'} {_TYPE_NAMES[kind]} URL "
                                    f"({', '.join(JARVIS_EXTS[kind])}) when type is {kind}")
    language = f.str("language")
    if language is not None and not re.fullmatch(r"[A-Za-z]{2}", language):
        raise ParamError("language", "must be an ISO-639-1 code (two letters, e.g. en)")
    user_input = f.str("input", allow_empty=True)
    webhook = f.webhook()
    params = {"type": kind, "content": content, "language": language, "input": user_input, "webhookUrl": webhook}
    job = ctx.sim.create_job("moderation", ctx.path, params, webhook_url=webhook)
    rec = analysis_record(ctx, job)
    return {k: rec[k] for k in ("create_time", "uid", "type", "webhookUrl", "result", "_id", "__v")} | {"status": 1}


def analysis_info(ctx: Ctx) -> dict:
    job_id = ctx.query.get("_id")
    if not job_id:
        raise ParamError("_id", "is required")
    return analysis_record(ctx, _jarvis_job(ctx, job_id))


register_kind("moderation", Kind("status", "sentiment analysis", render_moderation, 1212))


ROUTES = [
    ("POST", SENTIMENT, sentiment_create, True),
    ("GET", ANALYSIS, analysis_info, True),
]
