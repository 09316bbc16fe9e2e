"""Lip sync (catalog §B.12): create; results at ``_video``'s ``infobymodelid``."""
from __future__ import annotations

import math
import uuid
from pathlib import Path

from ..jobs import InputError, Kind, _out, _video_result, fetch, register_kind
from ..state import UID, new_id
from ..validate import Ctx, ParamError, body_object
from ._media import LIPSYNC, _check_now, _err, _local, _ms, video_limits
from ._video import register_record


# ========================================================================================== lip sync
LIPSYNC_LIMITS = {"max_s": 60, "max_fps": 60, "needs_audio": False}


def lipsync_record(sim, job: dict, base: dict | None = None) -> dict:
    p, status = job["params"], sim.status_of(job)
    rec = dict(base or {})
    lock = job["extra"].get("duration", 0)
    rec.update({"_id": job["id"], "create_time": _ms(job["created"]), "uid": UID, "type": 9, "from": 2,
                "target_video": p["video_url"], "faceswap_quality": 2, "video_id": job["extra"]["video_id"],
                "video_status": status, "video_lock_duration": round(lock, 2),
                "deduction_lock_duration": int(math.ceil(lock / 10) * 10) if lock else 0, "external_video": "",
                "video": sim.result_url(job), "storage_loc": 1, "input_audio": p["audio_url"],
                "webhookUrl": p.get("webhookUrl") or "", "task_id": job["extra"]["task_id"], "lipsync": True,
                "__v": 0, "simulated": True})
    if status == 4:
        rec["error_code"], rec["error_reason"] = _err(job, LIPSYNC)
    return rec


def lipsync_create(ctx: Ctx) -> dict:
    f = body_object(ctx.body)
    video = f.str("video_url", required=True, url=True)
    audio = f.str("audio_url", required=True, url=True)
    webhook = f.webhook()
    _check_now(ctx, video, "video_url", **LIPSYNC_LIMITS)
    local = _local(ctx, video)
    duration = 0.0
    if local is not None:
        from ..media_video import probe

        duration = probe(local).duration or 0.0
    audio_local = _local(ctx, audio)
    if audio_local is not None:
        from ..media_video import probe

        if not probe(audio_local).has_audio:
            raise ParamError("audio_url", "has no audio this service can read")
    params = {"video_url": video, "audio_url": audio, "webhookUrl": webhook}
    job = ctx.sim.create_job(LIPSYNC, ctx.path, params, webhook_url=webhook,
                             extra={"video_id": str(uuid.uuid4()), "task_id": new_id(), "duration": duration})
    return lipsync_record(ctx.sim, job) | {"video_status": 1, "video": ""}


def render_lipsync(sim, job: dict, work: Path) -> dict:
    from .. import media_video as mv

    p = job["params"]
    work.mkdir(parents=True, exist_ok=True)
    video = fetch(sim, p["video_url"], work, "video_url")
    video_limits(video, "video_url", **LIPSYNC_LIMITS)
    audio = fetch(sim, p["audio_url"], work, "audio_url")
    info = mv.probe(video)
    if not mv.probe(audio).has_audio:
        raise InputError("audio_url could not be decoded as audio")
    fps = min(info.fps or 25, 10 if sim.fast else 25)  # the docs advise under 25 fps
    out_h = min(info.height or 720, 180 if sim.fast else 1080)
    out = _out(sim, job, ".mp4")
    try:
        length = mv.make_lip_sync(video, audio, out, out_h=out_h, fps=fps, duration=info.duration or 1.0,
                                  fast=sim.fast)
    except RuntimeError:
        raise InputError("[1211] Create lipsync error") from None
    return _video_result(sim, job, out, length)


register_kind(LIPSYNC, Kind("video_status", "lipsync", render_lipsync, 1211))


register_record(LIPSYNC, lambda ctx, job, rec: lipsync_record(ctx.sim, job, rec))


ROUTES = [
    ("POST", "/api/open/v3/content/video/lipsync", lipsync_create, True),
]
