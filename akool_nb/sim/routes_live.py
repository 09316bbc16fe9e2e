"""Jarvis Moderator, knowledge bases, streaming avatar sessions and live face swap (catalog §B.15–B.18).

* Jarvis: a job (kind ``moderation``) on the usual clock, webhook ``type`` "sentiment analysis" (the docs list
  none for Jarvis); the analysis is ``media_live.render_moderation``; a failed one reports 1212.
* Knowledge bases: records in ``sim.store`` (collection ``knowledge``), kept with the service's data.
  1232 unknown id, 1233 name taken, 1234 more than ``MAX_KNOWLEDGE``, 1235/1236 an id that is not an
  ObjectId on update/detail.
* Streaming sessions and live face swap sessions: jobs (kinds ``live_session``, ``live_faceswap``) whose
  media is a still preview; their status is a small state machine of their own (below), not the job clock:

  streaming session   1 queueing ──(queue time, preview made)──▶ 2 live ──(duration over)──▶ 3
                      1 or 2 ──(close)──▶ 3;  1 ──(preview failed, e.g. background_url unreadable)──▶ 4
                      close of 3 or 4 → 1219, unknown id → 1216, more than MAX_LIVE_SESSIONS open → 1215,
                      an uploaded avatar still processing → 1214, failed → 1220
  live face swap      1 queuing ──(queue time, faces read)──▶ 2 processing ──(update: other faces)──▶ 2
                      1 or 2 ──(close)──▶ 3;  1 or 2 ──(a face unreadable / landmarks outside it)──▶ 4
                      update of 3 or 4, close of 3, unknown id → 1003; 4 ──(close)──▶ 4 (closed);
                      more than MAX_LIVE_FACESWAP open → 1104

No status endpoint is documented for live face swap (§F.50), so its update and close answers carry the
session's state as ``data`` (the docs show ``{code, msg}`` only; clients must ignore extra fields anyway).
Neither product streams media offline: the RTC credentials are placeholders marked SIMULATED.
"""
from __future__ import annotations

import os
import re
import secrets
import time

from .catalog import VOICES, stable_id
from .jobs import KINDS, Kind, register_kind
from .media_live import (TEXT_URL_EXTS, render_faceswap_preview, render_moderation, render_session_preview)
from .state import TEAM_ID, UID, now_ms
from .validate import ApiError, Ctx, Fields, ParamError, body_object, ext_of, is_http_url, query_choice, query_int

SENTIMENT, ANALYSIS = "/api/open/v3/content/analysis/sentiment", "/api/open/v3/content/analysis/infobyid"
KB, LA, LF = "/api/open/v4/knowledge", "/api/open/v4/liveAvatar", "/api/open/v3/faceswap/live"
_CREATED = 1751608916162


def _ms(seconds: float) -> int:
    return int(seconds * 1000)


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


# ================================================================================== knowledge base
KB_COLLECTION = "knowledge"
NAME_MAX, PROLOGUE_MAX, PROMPT_MAX = 100, 2000, 10_000
DOC_MAX, DOCS_MAX = 104_857_600, 524_288_000
DOC_EXTS = (".pdf", ".doc", ".docx", ".txt", ".md", ".json", ".xml", ".csv")
MAX_KNOWLEDGE = 100  # per account, offline: creating more answers 1234
OBJECT_ID = re.compile(r"^[0-9a-f]{24}$")


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


# ================================================================================ streaming avatar
MAX_LIVE_SESSIONS = 5  # the offline account's concurrent sessions; one more answers 1215
DEFAULT_DURATION = 600
STREAM_CREDENTIALS = {
    "agora": ("agora_uid", "agora_app_id", "agora_channel", "agora_token"),
    "livekit": ("livekit_url", "livekit_token", "livekit_room_name", "livekit_server_identity",
                "livekit_client_identity"),
    "trtc": ("trtc_sdk_app_id", "trtc_sdk_room_id", "trtc_sdk_user_id", "trtc_sdk_user_sig",
             "trtc_app_id", "trtc_room_id", "trtc_user_id", "trtc_user_sig"),
}
FAST_DIALOGUE_VOICES = ("alloy", "ash", "ballad", "coral", "echo", "sage", "shimmer", "verse", "marin", "cedar")


def _voice_for(gender: str) -> str:
    want = "Female" if gender.lower().startswith("f") else "Male"
    return next(v["voice_id"] for v in VOICES if v["gender"] == want and v["locale"] == "en")


def _official_items(ctx: Ctx) -> list[dict]:
    sim = ctx.sim
    return [{"_id": stable_id("liveavatar", a["avatar_id"]), "uid": 0, "type": 2, "from": 2,
             "avatar_id": a["avatar_id"], "voice_id": _voice_for(a["gender"]), "name": a["name"],
             "url": sim.url_for(a["video"]), "thumbnailUrl": sim.url_for(a["poster"]), "gender": a["gender"],
             "available": True, "create_time": _CREATED, "simulated": True} for a in sim.catalog.avatars()]


def _uploaded(ctx: Ctx) -> list[dict]:
    return [j for j in ctx.sim.store.jobs(("avatar_upload",)) if int(j["params"].get("type", 1)) == 2]


def _uploaded_item(ctx: Ctx, job: dict) -> dict:
    p, status = job["params"], ctx.sim.status_of(job)
    return {"_id": job["id"], "uid": UID, "type": 2, "from": 3, "avatar_id": p["avatar_id"], "voice_id": "",
            "name": p["name"], "url": p["url"], "thumbnailUrl": ctx.sim.result_url(job, "poster"), "gender": "",
            "available": status == 3, "status": status, "create_time": _ms(job["created"]), "simulated": True}


def _platform(ctx: Ctx) -> str:
    platform = ctx.query.get("platform") or "open"
    if platform not in ("open", "aigc"):
        raise ParamError("platform", 'must be "open" or "aigc"')
    return platform


def streaming_avatar_list(ctx: Ctx) -> dict:
    _platform(ctx)
    page, size = query_int(ctx.query, "page", 1, hi=1_000_000), query_int(ctx.query, "size", 100, hi=100)
    items = _official_items(ctx) + [_uploaded_item(ctx, j) for j in _uploaded(ctx)]
    return {"count": len(items), "result": items[(page - 1) * size: page * size]}


def streaming_avatar_detail(ctx: Ctx) -> dict:
    platform = _platform(ctx)
    avatar_id = ctx.query.get("avatar_id")
    if not avatar_id:
        raise ParamError("avatar_id", "is required")
    items = _official_items(ctx) + [_uploaded_item(ctx, j) for j in _uploaded(ctx)]
    item = next((a for a in items if avatar_id in (a["avatar_id"], a["_id"])), None)
    if item is None:
        raise ApiError(1008, f"The content you get does not exist: streaming avatar_id {avatar_id}")
    return {**item, "platform": platform}


def session_status(sim, job: dict) -> int:
    """The session state machine (see the module docstring)."""
    extra = job["extra"]
    if extra.get("closed_at"):
        return 3
    elapsed = time.time() - job["created"]
    if elapsed < sim.timing.queue_s or job["media_state"] == "pending":
        return 1
    if job["media_state"] == "error":
        return 4
    if elapsed >= sim.timing.queue_s + float(job["params"]["duration"]):
        return 3
    return 2


def session_record(ctx: Ctx, job: dict) -> dict:
    p, extra, status = job["params"], job["extra"], session_status(ctx.sim, job)
    rec = {"_id": job["id"], "uid": UID, "type": 1, "status": status, "stream_type": p["stream_type"],
           "credentials": extra["credentials"], "avatar_id": p["avatar_id"], "duration": p["duration"],
           "create_time": _ms(job["created"]), "simulated": True,
           "preview_url": ctx.sim.url_for(job["result"].get("file")) if status in (2, 3) else ""}
    for key in ("knowledge_id", "voice_id", "voice_url", "language", "mode_type", "scene_mode", "e2e_type",
                "background_url", "voice_params"):
        if p.get(key) is not None:
            rec[key] = p[key]
    if extra.get("closed_at"):
        rec.update(closed_at=extra["closed_at"], end_reason="closed")
    elif status == 3:
        rec["end_reason"] = "duration elapsed"
    if status == 4:
        rec.update(error_code=KINDS["live_session"].error_code, error_reason=job["error"])
    return rec


def _placeholder_credentials(stream_type: str, session_id: str) -> dict:
    tag = f"SIMULATED-offline-{session_id[-8:]}"
    if stream_type == "agora":
        return {"agora_uid": 100000 + int(session_id[-4:], 16) % 100000, "agora_app_id": "SIMULATED-no-agora-app",
                "agora_channel": f"sim_{session_id}", "agora_token": f"{tag}-agora-token-no-stream"}
    if stream_type == "livekit":
        return {"livekit_url": "wss://simulated.invalid/livekit", "livekit_token": f"{tag}-livekit-token",
                "livekit_room_name": f"sim_{session_id}", "livekit_server_identity": "SIMULATED-avatar",
                "livekit_client_identity": "SIMULATED-client"}
    ids = {"app_id": "SIMULATED-no-trtc-app", "room_id": f"sim_{session_id}", "user_id": "SIMULATED-client",
           "user_sig": f"{tag}-trtc-usersig"}
    return {**{f"trtc_sdk_{k}": v for k, v in ids.items()}, **{f"trtc_{k}": v for k, v in ids.items()}}


def _voice_params(f: Fields, scene_mode: str | None) -> dict | None:
    v = f.sub("voice_params")
    if v is None:
        return None
    v.num("speed", lo=0.8, hi=1.2)
    v.str("stt_language")
    pron = v.sub("pron_map")
    if pron is not None:
        for word, said in pron.obj.items():
            if not isinstance(said, str):
                raise ParamError(pron.name(word), "must be a string (how to pronounce it)")
    v.str("stt_type", choices=("openai_realtime",))
    t = v.sub("turn_detection")
    if t is not None:
        t.str("type", choices=("server_vad", "semantic_vad"))
        t.num("threshold", lo=0, hi=1)
        t.num("prefix_padding_ms", lo=0, hi=60_000)
        t.num("silence_duration_ms", lo=0, hi=60_000)
    e = v.sub("elevenlabs_settings")
    if e is not None:
        e.str("api_key")
        e.str("model_id")
        for field in ("stability", "similarity_boost", "style"):
            e.num(field, lo=0, hi=1)
        e.bool("use_speaker_boost")
    voice = v.str("voice_id")
    if voice is not None and scene_mode == "fast_dialogue" and voice not in FAST_DIALOGUE_VOICES:
        raise ParamError("voice_params.voice_id", f"must be one of {', '.join(FAST_DIALOGUE_VOICES)} in "
                                                  "fast_dialogue mode")
    return v.obj


def _session_avatar(ctx: Ctx, avatar_id: str) -> str:
    """The avatar's still for the preview; or the documented error when it cannot stream. Uploads are looked
    at first: their ids never clash with the official ones (avatar/create refuses that with 1222)."""
    job = next((j for j in _uploaded(ctx) if j["params"]["avatar_id"] == avatar_id), None)
    if job is None:
        official = ctx.sim.catalog.avatar(avatar_id)
        if official is not None:
            return official.get("layer", official["image"])
        raise ApiError(1008, f"The content you get does not exist: streaming avatar_id {avatar_id}")
    status = ctx.sim.status_of(job)
    if status == 4:
        raise ApiError(1220, f"liveAvatar upload avatar error: avatar {avatar_id} failed ({job['error']})")
    if status != 3:
        raise ApiError(1214, f"liveAvatar in processing: avatar {avatar_id} is still being processed")
    return job["result"]["poster"]


def session_create(ctx: Ctx) -> dict:
    f = body_object(ctx.body)
    avatar_id = f.str("avatar_id", required=True)
    duration = f.num("duration", positive=True, lo=0, hi=3600)
    knowledge_id = f.str("knowledge_id")
    voice_id = f.str("voice_id")
    voice_url = f.str("voice_url", url=True)
    language = f.str("language")
    mode_type = f.num("mode_type", integer=True, choices=(1, 2))
    scene_mode = f.str("scene_mode", choices=("fast_dialogue",))
    e2e_type = f.str("e2e_type", choices=("openai",))
    if e2e_type is not None and scene_mode != "fast_dialogue":
        raise ParamError("e2e_type", 'is only allowed with scene_mode "fast_dialogue"')
    background_url = f.str("background_url", url=True)
    stream_type = f.str("stream_type", choices=tuple(STREAM_CREDENTIALS)) or "agora"
    creds = f.sub("credentials")
    if creds is not None:
        for key, value in creds.obj.items():
            if key not in STREAM_CREDENTIALS[stream_type]:
                raise ParamError(creds.name(key), f"is not a {stream_type} credential "
                                                  f"({', '.join(STREAM_CREDENTIALS[stream_type])})")
            if not isinstance(value, (str, int)) or isinstance(value, bool):
                raise ParamError(creds.name(key), "must be a string or a number")
    voice_params = _voice_params(f, scene_mode)
    avatar_image = _session_avatar(ctx, avatar_id)
    if knowledge_id is not None and (not OBJECT_ID.match(knowledge_id)
                                     or ctx.sim.store.get_record(KB_COLLECTION, knowledge_id) is None):
        raise ApiError(1232, f"Knowledge not found: knowledge_id {knowledge_id}")
    live = [j for j in ctx.sim.store.jobs(("live_session",)) if session_status(ctx.sim, j) in (1, 2)]
    if len(live) >= MAX_LIVE_SESSIONS:
        raise ApiError(1215, f"liveAvatar processing is busy: {len(live)} sessions are open (the offline "
                             f"account runs at most {MAX_LIVE_SESSIONS}); close one first")
    params = {"avatar_id": avatar_id, "duration": duration if duration is not None else DEFAULT_DURATION,
              "knowledge_id": knowledge_id, "voice_id": voice_id, "voice_url": voice_url, "language": language,
              "mode_type": mode_type, "scene_mode": scene_mode, "e2e_type": e2e_type,
              "background_url": background_url, "stream_type": stream_type, "voice_params": voice_params}
    session_id = f"{int(time.time()):08x}{secrets.token_hex(8)}"
    credentials = dict(creds.obj) if creds is not None else _placeholder_credentials(stream_type, session_id)
    job = ctx.sim.create_job("live_session", ctx.path, params,
                             extra={"avatar_image": avatar_image, "credentials": credentials, "closed_at": None})
    return {**session_record(ctx, job), "status": 1, "preview_url": ""}  # a new session is queueing


def _session(ctx: Ctx, session_id: str) -> dict:
    job = ctx.sim.store.get_job(session_id, ("live_session",))
    if job is None:
        raise ApiError(1216, f"liveAvatar session not exist: {session_id}")
    return job


def session_detail(ctx: Ctx) -> dict:
    session_id = ctx.query.get("id")
    if not session_id:
        raise ParamError("id", "is required")
    return session_record(ctx, _session(ctx, session_id))


def session_list(ctx: Ctx) -> dict:
    page, size = query_int(ctx.query, "page", 1, hi=1_000_000), query_int(ctx.query, "size", 100, hi=100)
    status = query_choice(ctx.query, "status", ("1", "2", "3", "4"))
    items = [session_record(ctx, j) for j in ctx.sim.store.jobs(("live_session",))]
    if status is not None:
        items = [s for s in items if s["status"] == int(status)]
    return {"count": len(items), "result": items[(page - 1) * size: page * size]}


def session_close(ctx: Ctx) -> dict:
    """Close by ``id`` ([SUPPLEMENT], the guide) or ``session_id`` (the [s24] samples); both are read (§F.16)."""
    f = body_object(ctx.body)
    by_id, by_session = f.str("id"), f.str("session_id")
    if by_id is None and by_session is None:
        raise ParamError("id", "is required")
    if by_id is not None and by_session is not None and by_id != by_session:
        raise ParamError("session_id", "must name the same session as id")
    session_id = by_id or by_session
    job = _session(ctx, session_id)
    status = session_status(ctx.sim, job)
    if status in (3, 4):
        why = "it was closed" if job["extra"].get("closed_at") else ("its duration is over" if status == 3
                                                                     else "it failed")
        raise ApiError(1219, f"liveAvatar closed: session {session_id} is not open ({why})")
    closed_at = now_ms()
    ctx.sim.store.update_job(job["id"], extra={**job["extra"], "closed_at": closed_at})
    return {"session_id": session_id, "status": "closed", "closed_at": closed_at}


# =================================================================================== live face swap
MAX_LIVE_FACESWAP = 3  # the offline account's live face swap quota (open sessions); one more answers 1104
LANDMARKS = r"\d+,\d+(?::\d+,\d+){3}"


def faceswap_status(sim, job: dict) -> int:
    """The live face swap state machine (see the module docstring)."""
    extra = job["extra"]
    failed = job["media_state"] == "error"
    if extra.get("closed_at"):
        return 4 if failed else 3
    if time.time() - job["created"] < sim.timing.queue_s:
        return 1
    if failed:
        return 4
    if job["media_state"] == "pending" and not job["result"]:
        return 1
    return 2


def _source_images(f: Fields) -> list:
    items = f.list("sourceImage", required=True, nonempty=True)
    for i in range(len(items)):
        item = f.item("sourceImage", i)
        item.str("path", required=True, url=True)
        from .routes_face import unwrap_opts

        unwrap_opts(item)
        item.str("opts", required=True, pattern=LANDMARKS)
    return [{"path": it["path"], "opts": it["opts"]} for it in items]


def _live_record(ctx: Ctx, job: dict, keys: tuple[str, ...] | None = None) -> dict:
    status = faceswap_status(ctx.sim, job)
    extra = job["extra"]
    rec = {"_id": job["id"], "faceswap_status": status, **{k: extra[k] for k in (
        "front_user_id", "algorithm_user_id", "front_rtc_token", "channel_id", "app_id")}}
    if keys is not None:
        rec = {k: rec[k] for k in keys}
    rec["preview_url"] = ctx.sim.url_for(job["result"].get("file")) if status in (2, 3) and job["result"] else ""
    if status == 4:
        rec.update(error_code=KINDS["live_faceswap"].error_code, error_reason=job["error"])
    rec["simulated"] = True
    return rec


def _live_session(ctx: Ctx, f: Fields) -> dict:
    session_id = f.str("_id", required=True)
    job = ctx.sim.store.get_job(session_id, ("live_faceswap",))
    if job is None:
        raise ParamError("_id", f"{session_id} is not a live face swap session")
    return job


def live_create(ctx: Ctx) -> dict:
    f = body_object(ctx.body)
    sources = _source_images(f)
    open_now = [j for j in ctx.sim.store.jobs(("live_faceswap",)) if faceswap_status(ctx.sim, j) in (1, 2)]
    if len(open_now) >= MAX_LIVE_FACESWAP:
        raise ApiError(1104, f"Insufficient quota: {len(open_now)} live face swap sessions are open (the "
                             f"offline quota is {MAX_LIVE_FACESWAP}); close one first")
    stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime()) + f"{int(time.time() * 1000) % 1000:03d}"
    extra = {"closed_at": None, "front_user_id": "1", "algorithm_user_id": "3",
             "front_rtc_token": "SIMULATED-offline-rtc-token-" + secrets.token_hex(12),
             "channel_id": f"{stamp}_{secrets.randbelow(10000):04d}", "app_id": ""}
    # "version" counts updates: the render cache (jobs.Runner) must never answer an update with old faces.
    job = ctx.sim.create_job("live_faceswap", ctx.path, {"sourceImage": sources, "version": 0}, extra=extra)
    rec = _live_record(ctx, job)
    return {**rec, "faceswap_status": 1}


def live_update(ctx: Ctx) -> dict:
    f = body_object(ctx.body)
    job = _live_session(ctx, f)
    sources = _source_images(f)
    status = faceswap_status(ctx.sim, job)
    if job["extra"].get("closed_at"):
        raise ParamError("_id", f"{job['id']} is closed; create a new session")
    if status == 4:
        raise ParamError("_id", f"{job['id']} failed ({job['error']}); create a new session")
    params = {"sourceImage": sources, "version": int(job["params"].get("version", 0)) + 1}
    ctx.sim.store.update_job(job["id"], params=params, extra={**job["extra"], "updated_at": now_ms()},
                             media_state="pending", error="")
    ctx.sim.runner.submit(job["id"])
    return _live_record(ctx, ctx.sim.store.get_job(job["id"]), ("_id", "faceswap_status"))


def live_info(ctx: Ctx) -> dict:
    """``POST /api/open/v3/faceswap/live/info`` ``{"_id"}`` (undocumented; Akool's live face swap demo polls
    it until ``faceswap_status`` is 2, ready to join the channel)."""
    return _live_record(ctx, _live_session(ctx, body_object(ctx.body)))


def live_close(ctx: Ctx) -> dict:
    f = body_object(ctx.body)
    job = _live_session(ctx, f)
    if job["extra"].get("closed_at"):
        raise ParamError("_id", f"{job['id']} is already closed")
    closed_at = now_ms()
    ctx.sim.store.update_job(job["id"], extra={**job["extra"], "closed_at": closed_at})
    rec = _live_record(ctx, ctx.sim.store.get_job(job["id"]), ("_id", "faceswap_status"))
    return {**rec, "closed_at": closed_at}


def _render_faceswap(sim, job: dict, work) -> dict:
    """Render the newest faces: an update during the render makes it render again."""
    while True:
        result = render_faceswap_preview(sim, job, work)
        fresh = sim.store.get_job(job["id"])
        if fresh is None or fresh["params"].get("version") == job["params"].get("version"):
            return result
        job = fresh


register_kind("moderation", Kind("status", "sentiment analysis", render_moderation, 1212))
register_kind("live_session", Kind("status", "live avatar", render_session_preview, 1218))
register_kind("live_faceswap", Kind("faceswap_status", "live faceswap", _render_faceswap, 1016))

ROUTES = [
    ("POST", SENTIMENT, sentiment_create, True),
    ("GET", ANALYSIS, analysis_info, True),
    ("GET", f"{KB}/list", knowledge_list, True),
    ("POST", f"{KB}/create", knowledge_create, True),
    ("GET", f"{KB}/detail", knowledge_detail, True),
    ("POST", f"{KB}/update", knowledge_update, True),
    ("DELETE", f"{KB}/delete", knowledge_delete, True),
    ("GET", f"{LA}/avatar/list", streaming_avatar_list, True),
    ("GET", f"{LA}/avatar/detail", streaming_avatar_detail, True),
    ("POST", f"{LA}/session/create", session_create, True),
    ("GET", f"{LA}/session/detail", session_detail, True),
    ("GET", f"{LA}/session/list", session_list, True),
    ("POST", f"{LA}/session/close", session_close, True),
    ("POST", f"{LF}/create", live_create, True),
    ("POST", f"{LF}/update", live_update, True),
    ("POST", f"{LF}/close", live_close, True),
    ("POST", f"{LF}/info", live_info, True),
]
