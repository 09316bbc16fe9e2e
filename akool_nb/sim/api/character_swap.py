"""Character swap (catalog §B.11): create; results at ``_video``'s ``infobymodelid``."""
from __future__ import annotations

import math
import time
from pathlib import Path

from ..jobs import InputError, Kind, _out, _video_result, fetch, open_image, register_kind
from ..state import TEAM_ID, UID
from ..validate import Ctx, ParamError, body_object
from ._media import SWAP, _done_time, _err, _fast_div, _local, _ms, _url_ext, _webhook
from ._video import register_record


SWAP_RESOLUTIONS = ("480p", "720p", "1080p")
SWAP_MODES = ("animate", "replace")
SWAP_UNIT = {"480p": 5, "720p": 10, "1080p": 15}  # credits per started 5 s


# =================================================================================== character swap
def swap_record(sim, job: dict) -> dict:
    p, status = job["params"], sim.status_of(job)
    duration = job["result"].get("duration") if status == 3 else job["extra"].get("duration", 0)
    rec = {"_id": job["id"], "create_time": _ms(job["created"]), "uid": UID, "team_id": TEAM_ID,
           "update_time": _done_time(sim, job), "video_duration": round(duration or 0, 3),
           "webhookUrl": p.get("webhookurl") or "", "file_name": job["extra"]["file_name"],
           "image_url": p["image"], "video_url": p["video"], "video": sim.result_url(job),
           "prompt": p.get("prompt") or "", "resolution": p["resolution"], "mode": p["mode"],
           "model_name": p.get("model_name") or "wavespeed-ai/wan-2.2/animate",
           "deduction_credit": job["extra"]["credits"] if status != 4 else 0, "video_status": status,
           "thumbnailUrl": sim.result_url(job, "poster"), "simulated": True}
    if status == 4:
        rec["faceswap_fail_reason"] = _err(job, SWAP)[1]
    return rec


def swap_create(ctx: Ctx) -> dict:
    f = body_object(ctx.body)
    image = _url_ext(f, "image", (".png", ".jpg", ".jpeg"), "a PNG or JPEG image URL")
    video = _url_ext(f, "video", (".mp4",), "an MP4 video URL")
    duration = f.num("duration", lo=1, hi=120)
    resolution = f.str("resolution", choices=SWAP_RESOLUTIONS) or "720p"
    mode = f.str("mode", choices=SWAP_MODES) or "animate"
    prompt = f.str("prompt", allow_empty=True)
    if prompt is not None and len(prompt) > 500:
        raise ParamError("prompt", "must be at most 500 characters")
    model_name = f.str("model_name")
    webhook = _webhook(f, "webhookurl", "webhookUrl")
    known = duration
    local = _local(ctx, video)
    if local is not None:
        from ..media_video import probe

        info = probe(local)
        if not info.has_video:
            raise ParamError("video", "is not a video this service can read (MP4, H.264)")
        if info.duration is not None and info.duration > 120.05:
            raise ParamError("video", f"must be at most 120 seconds long (it lasts {info.duration:.1f} s)")
        known = min(duration or info.duration or 0, info.duration or 0)
    params = {"image": image, "video": video, "duration": duration, "resolution": resolution, "mode": mode,
              "prompt": prompt, "model_name": model_name, "webhookurl": webhook}
    extra = {"file_name": f"CharacterSwap_{_ms(time.time())}.mp4", "duration": known or 0,
             "credits": math.ceil((known or 5) / 5) * SWAP_UNIT[resolution]}
    job = ctx.sim.create_job(SWAP, ctx.path, params, webhook_url=webhook, extra=extra)
    rec = swap_record(ctx.sim, job)
    keep = ("_id", "create_time", "uid", "team_id", "video_duration", "deduction_credit", "resolution", "file_name",
            "image_url", "video_url", "prompt", "mode", "model_name", "webhookUrl", "simulated")
    return {k: rec[k] for k in keep} | {"status": 1}


def render_swap(sim, job: dict, work: Path) -> dict:
    from .. import media_video as mv

    p = job["params"]
    work.mkdir(parents=True, exist_ok=True)
    image = open_image(fetch(sim, p["image"], work, "image"), "image")
    video = fetch(sim, p["video"], work, "video")
    info = mv.probe(video)
    if not info.has_video:
        raise InputError("video is not a video this service can read")
    if (info.duration or 0) > 120.05:
        raise InputError(f"[1003] video must be at most 120 seconds long (it lasts {info.duration:.1f} s)")
    duration = min(float(p.get("duration") or info.duration or 5), info.duration or 5)
    fps = min(info.fps or 25, 10 if sim.fast else 25)
    out = _out(sim, job, ".mp4")
    try:
        length = mv.make_character_swap(image, video, out, mode=p["mode"],
                                        out_h=int(p["resolution"][:-1]) // _fast_div(sim), fps=fps, duration=duration,
                                        keep_audio=True, fast=sim.fast)
    except RuntimeError:
        raise InputError("the video could not be processed") from None
    return _video_result(sim, job, out, length)


register_kind(SWAP, Kind("video_status", "character swap", render_swap, 1015, webhook_processing=False))


# The shared video info endpoint answers for these kinds with their own record shapes.
register_record(SWAP, lambda ctx, job, rec: swap_record(ctx.sim, job))


ROUTES = [
    ("POST", "/api/open/v4/characterSwap/create", swap_create, True),
]
