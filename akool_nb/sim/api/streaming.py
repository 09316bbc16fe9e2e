"""Streaming avatar sessions (catalog §B.17): avatars, session create/detail/list/close.

A session is a job (kind ``live_session``) whose media is a still preview; its status is a small state machine:

  1 queueing ──(queue time, preview made)──▶ 2 live ──(duration over)──▶ 3
  1 or 2 ──(close)──▶ 3;  1 ──(preview failed, e.g. background_url unreadable)──▶ 4
  close of 3 or 4 → 1219, unknown id → 1216, more than MAX_LIVE_SESSIONS open → 1215,
  an uploaded avatar still processing → 1214, failed → 1220

No media streams offline: the RTC credentials are placeholders marked SIMULATED.
"""
from __future__ import annotations

import secrets
import time

from ... import spec
from ...spec.streaming import CREDENTIAL_FIELDS as STREAM_CREDENTIALS, FAST_DIALOGUE_VOICES
from ..catalog import VOICES, stable_id
from ..jobs import KINDS, Kind, register_kind
from ..media_live import render_session_preview
from ..state import UID, now_ms
from ..validate import ApiError, Ctx, Fields, ParamError, body_object, query_choice, query_int
from ._live import KB_COLLECTION, OBJECT_ID, _ms


LA = "/api/open/v4/liveAvatar"


_CREATED = 1751608916162


# ================================================================================ streaming avatar
MAX_LIVE_SESSIONS = 5  # the offline account's concurrent sessions; one more answers 1215
DEFAULT_DURATION = 600


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
    v.num("speed", lo=spec.LIVE_VOICE_SPEED[0], hi=spec.LIVE_VOICE_SPEED[1])
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


register_kind("live_session", Kind("status", "live avatar", render_session_preview, 1218))


ROUTES = [
    ("GET", f"{LA}/avatar/list", streaming_avatar_list, True),
    ("GET", f"{LA}/avatar/detail", streaming_avatar_detail, True),
    ("POST", f"{LA}/session/create", session_create, True),
    ("GET", f"{LA}/session/detail", session_detail, True),
    ("GET", f"{LA}/session/list", session_list, True),
    ("POST", f"{LA}/session/close", session_close, True),
]
