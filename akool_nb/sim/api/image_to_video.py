"""Image to video v4 (catalog §B.10): create, batch, results, effects, audio update and delete.

Each handler takes a :class:`~akool_nb.sim.validate.Ctx` and returns the envelope's ``data`` (or raises
``ApiError``).
"""
from __future__ import annotations

import json
import shutil
import threading
import time
from pathlib import Path

from ... import spec
from ..jobs import IMAGE_EXTS, InputError, Kind, _out, _video_result, fetch, open_image, register_kind
from ..state import TEAM_ID, UID
from ..validate import ApiError, Ctx, Fields, ParamError, body_object, not_found
from ._media import _assets_lock, _done_time, _err, _fast_div, _ms, _url_ext, _webhook


I2V = "image_to_video"


DELETED = "image_to_video_deleted"  # records collection: deleted image-to-video ids

I2V_RESOLUTIONS = ("720p", "1080p", "4k")
BATCH_RESOLUTIONS = ("480p", "720p", "1080p", "4k")
SHORT_SIDE = {name: min(size) for name, size in spec.VIDEO_RESOLUTIONS.items()}
I2V_CREDITS = {("720p", 5): 20, ("1080p", 5): 25, ("4k", 5): 30, ("720p", 10): 40, ("1080p", 10): 50,
               ("4k", 10): 60, ("480p", 5): 15, ("480p", 10): 30}
MAX_ACTIVE_I2V = 10  # unfinished image-to-video tasks per account; batch items beyond it go to errorList
# The models of the docs' AI model list example (§B.20); other model names are accepted with generic rules.
I2V_MODELS = {
    "AkoolImage2VideoFastV1": {"resolutions": ("720p", "1080p", "4k"), "durations": (5, 10), "last_frame": False},
    "seedance-1-0-lite-i2v-250428": {"resolutions": ("480p", "720p", "1080p"), "durations": (5, 10),
                                     "last_frame": True},
}
EFFECTS = [  # (name, effect_code, motion): the first three are the docs' own codes
    ("Squish", "squish_89244231312", "squish"), ("Cakeify", "cakeify_24743216", "cakeify"),
    ("Samurai", "samurai_99757865", "samurai"), ("Inflate", "inflate_51902337", "inflate"),
    ("Melt", "melt_73018456", "melt"), ("Spin", "spin_26481930", "spin"), ("Zoom In", "zoom_in_40817263", "zoom_in"),
    ("Zoom Out", "zoom_out_93057124", "zoom_out"), ("Pan Left", "pan_left_61729038", "pan_left"),
    ("Shake", "shake_85306142", "shake"),
]
_EFFECT_CREATED = 1752576694502


_lock = threading.Lock()  # batch slot counting


# =================================================================================== image to video
def _deleted(sim, job_id: str) -> bool:
    return sim.store.get_record(DELETED, job_id) is not None


def _i2v_job(ctx: Ctx, job_id: str) -> dict | None:
    job = ctx.sim.store.get_job(job_id, (I2V,))
    return None if job is None or _deleted(ctx.sim, job_id) else job


def i2v_record(sim, job: dict) -> dict:
    p, status = job["params"], sim.status_of(job)
    done = status == 3
    rec = {"_id": job["id"], "create_time": _ms(job["created"]), "uid": UID, "team_id": TEAM_ID,
           "update_time": _done_time(sim, job), "status": status, "webhookUrl": p.get("webhookurl") or "",
           "resolution": p["resolution"], "file_name": job["extra"]["file_name"],
           "effect_name": job["extra"].get("effect_name", ""), "image_url": p["image_url"],
           "prompt": p.get("prompt") or "", "negative_prompt": p.get("negative_prompt") or "",
           "extend_prompt": bool(p.get("extend_prompt")), "deduction_credit": job["extra"]["credits"],
           "video_duration": round(job["result"].get("duration", 0), 3) if done else 0,
           "video_url": sim.result_url(job), "thumbnailUrl": sim.result_url(job, "poster"), "sub_type": 1501,
           "only_add_audio": bool(p.get("pre_video_id")), "simulated": True}
    if "audio_type" in p:
        rec.update(audio_type=p["audio_type"], audio_url=p.get("audio_url") or "", effect_code=p.get("effect_code") or "")
    if p.get("pre_video_id"):
        rec["pre_video_id"] = p["pre_video_id"]
    if p.get("batch_id"):
        rec.update(model_name=p.get("model_name") or "", batch_id=p["batch_id"], batch_count=p["batch_count"],
                   last_image_url=p.get("last_image_url") or "")
    if status == 4:
        rec["error_code"], rec["error_reason"] = _err(job, I2V)
    return rec


def _file_name(prompt: str) -> str:
    return f"Image2Video_{(prompt or '')[:20]}.mp4"


def i2v_create(ctx: Ctx) -> dict:
    f = body_object(ctx.body)
    image = _url_ext(f, "image_url", IMAGE_EXTS, "an image URL")
    effect_code = f.str("effect_code", allow_empty=True) or None
    effect = next((e for e in EFFECTS if e[1] == effect_code), None)
    if effect_code and effect is None:
        raise ParamError("effect_code", f"{effect_code} is not an available effect "
                                        "(GET /api/open/v4/image2Video/effects)")
    prompt = f.str("prompt", required=True, allow_empty=True)
    if not prompt.strip() and not effect_code:
        raise ParamError("prompt", "must not be empty unless effect_code is set")
    negative = f.str("negative_prompt", required=True, allow_empty=True)
    f.bool("extend_prompt")
    resolution = f.str("resolution", required=True, choices=I2V_RESOLUTIONS)
    audio_type = f.num("audio_type", required=True, integer=True, choices=(1, 2, 3))
    audio_url = f.str("audio_url", required=audio_type == 2, when="when audio_type is 2", url=True,
                      allow_empty=audio_type != 2) or None
    length = f.num("video_length", required=True, integer=True, choices=(5, 10))
    premium = f.bool("is_premium_model")
    webhook = _webhook(f, "webhookurl", "webhookUrl")
    params = {"image_url": image, "prompt": prompt, "negative_prompt": negative,
              "extend_prompt": f.obj.get("extend_prompt"), "resolution": resolution, "audio_type": audio_type,
              "audio_url": audio_url if audio_type == 2 else None, "video_length": length,
              "is_premium_model": premium, "effect_code": effect_code, "webhookurl": webhook}
    extra = {"file_name": _file_name(prompt), "effect_name": effect[0] if effect else "",
             "credits": I2V_CREDITS[(resolution, length)]}
    job = ctx.sim.create_job(I2V, ctx.path, params, webhook_url=webhook, extra=extra)
    rec = i2v_record(ctx.sim, job)
    keep = ("create_time", "uid", "team_id", "status", "webhookUrl", "resolution", "file_name", "effect_name", "_id",
            "image_url", "prompt", "negative_prompt", "extend_prompt", "audio_type", "audio_url", "deduction_credit",
            "effect_code", "simulated")
    return {k: rec[k] for k in keep} | {"status": 1}


def _active_i2v(sim) -> int:
    return sum(1 for j in sim.store.jobs((I2V,)) if j["media_state"] == "pending" or sim.status_of(j) < 3)


def _listed_models(kind: int) -> set[str]:
    from .ai_models import AI_MODELS

    return {m["value"] for m in AI_MODELS if m["type"] == kind}


def i2v_batch(ctx: Ctx) -> dict:
    f = body_object(ctx.body)
    image = _url_ext(f, "image_url", IMAGE_EXTS, "an image URL")
    prompt = f.str("prompt", required=True)
    model_name = f.str("model_name")
    model = I2V_MODELS.get(model_name or "")
    if model_name is not None and model_name not in _listed_models(1501):  # refused before a job exists
        raise ParamError("model_name", f"{model_name} is not an image-to-video model; use a value from "
                                       "GET /api/open/v4/aigModel/list?types[]=1501")
    negative = f.str("negative_prompt", allow_empty=True)
    f.bool("extend_prompt")
    resolution = f.str("resolution", required=True, choices=model["resolutions"] if model else BATCH_RESOLUTIONS)
    length = f.num("video_length", required=True, integer=True, choices=model["durations"] if model else (5, 10))
    last = _url_ext(f, "last_image_url", IMAGE_EXTS, "an image URL", required=False)
    if last and model is not None and not model["last_frame"]:
        raise ParamError("last_image_url", f"is not supported by model {model_name} (supportedLastFrame is false)")
    count = f.num("count", integer=True, lo=1, hi=10) or 1
    webhook = _webhook(f, "webhookurl", "webhookUrl")
    batch_id = f"{_ms(time.time())}_{UID}"
    success, errors = [], []
    with _lock:  # the slot count and the creates must not interleave with another batch
        free = max(0, MAX_ACTIVE_I2V - _active_i2v(ctx.sim))
        for index in range(int(count)):
            if index >= free:
                errors.append({"index": index, "code": 1005,
                               "msg": f"Too many image to video tasks in progress (at most {MAX_ACTIVE_I2V}); "
                                      "please try again later"})
                continue
            params = {"image_url": image, "prompt": prompt, "model_name": model_name, "negative_prompt": negative,
                      "extend_prompt": f.obj.get("extend_prompt"), "resolution": resolution, "video_length": length,
                      "last_image_url": last, "webhookurl": webhook, "batch_id": batch_id,
                      "batch_count": int(count), "batch_index": index}
            extra = {"file_name": _file_name(prompt), "credits": I2V_CREDITS.get((resolution, length), 20)}
            job = ctx.sim.create_job(I2V, ctx.path, params, webhook_url=webhook, extra=extra)
            rec = i2v_record(ctx.sim, job)
            success.append({k: v for k, v in rec.items() if k not in ("video_url", "thumbnailUrl", "update_time",
                                                                    "video_duration", "only_add_audio", "sub_type")}
                           | {"status": 1})
    return {"successList": success, "errorList": errors}


def _ids(f: Fields) -> list[str]:
    value = f.get("_ids", True)
    if not isinstance(value, str):
        raise ParamError("_ids", "must be a string of ids separated by commas")
    ids = [i.strip() for i in value.split(",") if i.strip()]
    if not ids:
        raise ParamError("_ids", "must name at least one id")
    return list(dict.fromkeys(ids))


def i2v_results(ctx: Ctx) -> dict:
    ids = _ids(body_object(ctx.body))
    jobs = [_i2v_job(ctx, i) for i in ids]
    return {"result": [i2v_record(ctx.sim, j) for j in jobs if j is not None]}


def i2v_update_audio(ctx: Ctx) -> dict:
    f = body_object(ctx.body)
    pre_id = f.str("pre_video_id", required=True)
    audio_type = f.num("audio_type", required=True, integer=True, choices=(1, 2))
    audio_url = f.str("audio_url", required=audio_type == 2, when="when audio_type is 2", url=True,
                      allow_empty=audio_type != 2) or None
    pre = _i2v_job(ctx, pre_id)
    if pre is None:
        raise not_found(f"pre_video_id {pre_id}")
    status = ctx.sim.status_of(pre)
    if status != 3:
        raise ApiError(1010, f"This content cannot be operated: video {pre_id} is "
                             f"{'failed' if status == 4 else 'still processing'}")
    p = pre["params"]
    params = {"image_url": p["image_url"], "prompt": p.get("prompt") or "", "negative_prompt": "",
              "extend_prompt": False, "resolution": p["resolution"], "audio_type": audio_type,
              "audio_url": audio_url if audio_type == 2 else None, "video_length": p["video_length"],
              "effect_code": p.get("effect_code"), "pre_video_id": pre_id, "webhookurl": ""}
    extra = {"file_name": pre["extra"]["file_name"], "effect_name": pre["extra"].get("effect_name", ""),
             "credits": 10 if int(p["video_length"]) == 10 else 5}
    job = ctx.sim.create_job(I2V, ctx.path, params, extra=extra)
    return {k: v for k, v in i2v_record(ctx.sim, job).items() if k not in ("thumbnailUrl", "sub_type")} | {"status": 1}


def i2v_delete(ctx: Ctx) -> dict:
    ids = _ids(body_object(ctx.body))
    deleted, refused = [], []
    for job_id in ids:
        job = _i2v_job(ctx, job_id)
        if job is None:
            refused.append({"_id": job_id, "msg": "video resource does not exist"})
        elif ctx.sim.status_of(job) < 3:
            refused.append({"_id": job_id, "msg": "video resource is processing, please try again later"})
        else:
            ctx.sim.store.put_record(DELETED, job_id, {"_id": job_id, "deleted": time.time()})
            shutil.rmtree(ctx.sim.files_dir / "results" / job_id, ignore_errors=True)
            deleted.append(job_id)
    return {"successIds": deleted, "noPermissionItems": refused}


def i2v_effects(ctx: Ctx) -> dict:
    sim = ctx.sim
    folder = sim.files_dir / "catalog" / ("effects-fast" if sim.fast else "effects")
    with _assets_lock:
        if not (folder / "manifest.json").is_file():
            _make_effect_assets(folder, fast=sim.fast)
    items = [{"_id": f"687632b95a0f52799eee{i:04x}", "create_time": _EFFECT_CREATED, "name": name,
              "logo": sim.url_for(sim.rel_of(folder / f"{code}.png")),
              "video_url": sim.url_for(sim.rel_of(folder / f"{code}.mp4")), "effect_code": code, "simulated": True}
             for i, (name, code, _) in enumerate(EFFECTS)]
    return {"result": items, "count": len(items)}


def _make_effect_assets(folder: Path, *, fast: bool) -> None:
    from ..media import make_sample_portrait
    from ..media_video import draw_tag, make_image_to_video

    folder.mkdir(parents=True, exist_ok=True)
    portrait = make_sample_portrait(None, size=128 if fast else 384, seed=2)
    for name, code, motion in EFFECTS:
        logo = portrait.resize((96, 96))
        draw_tag(logo, name)
        logo.save(folder / f"{code}.png")
        tmp = folder / f"{code}.part.mp4"
        make_image_to_video(portrait, tmp, motion=motion, tag=name, short_side=96 if fast else 256,
                            fps=8 if fast else 24, duration=1.0 if fast else 3.0, audio=None, fast=fast)
        tmp.replace(folder / f"{code}.mp4")
    (folder / "manifest.json").write_text(json.dumps([e[1] for e in EFFECTS]))


def render_i2v(sim, job: dict, work: Path) -> dict:
    from .. import media_video as mv

    p = job["params"]
    work.mkdir(parents=True, exist_ok=True)
    length = float(p["video_length"])
    out = _out(sim, job, ".mp4")
    if p.get("pre_video_id"):  # updateVideoAudio: the earlier picture, new audio
        pre = sim.store.get_job(p["pre_video_id"])
        if pre is None or not pre["result"].get("file") or _deleted(sim, p["pre_video_id"]):
            raise InputError(f"pre_video_id {p['pre_video_id']} no longer exists")
        source = sim.files_dir / pre["result"]["file"]
        audio = _i2v_audio(sim, job, work, length)
        try:
            duration = mv.replace_audio(source, audio, out, length, sim.fast)
        except RuntimeError:
            raise InputError("the new audio could not be used") from None
        return _video_result(sim, job, out, duration)
    image = open_image(fetch(sim, p["image_url"], work, "image_url"), "image_url")
    last = open_image(fetch(sim, p["last_image_url"], work, "last_image_url"), "last_image_url") \
        if p.get("last_image_url") else None
    effect = next((e for e in EFFECTS if e[1] == p.get("effect_code")), None)
    if effect is not None:
        motion, tag = effect[2], f"effect: {effect[0]}"
    else:
        motion = mv.motion_for_prompt(p.get("prompt") or "", p.get("negative_prompt") or "")
        tag = f"motion: {mv.MOTION_LABELS[motion]}"
    audio = _i2v_audio(sim, job, work, length) if p.get("audio_type") in (1, 2) else None
    short = SHORT_SIDE[p["resolution"]] // _fast_div(sim)
    fps = 8 if sim.fast else (30 if p.get("is_premium_model") else 24)
    seed = mv.stable_seed(job["id"], str(p.get("batch_index", 0)))
    try:
        duration = mv.make_image_to_video(image, out, motion=motion, tag=tag, short_side=short, fps=fps,
                                          duration=length, audio=audio, fast=sim.fast, seed=seed, last_image=last)
    except RuntimeError:
        raise InputError("the video could not be made") from None
    return _video_result(sim, job, out, duration)


def _i2v_audio(sim, job: dict, work: Path, length: float) -> Path:
    from .. import media_video as mv

    p = job["params"]
    track = work / "track.wav"
    if int(p["audio_type"]) == 1:
        return mv.music_bed(track, length, seed=mv.stable_seed(job["id"]))
    src = fetch(sim, p["audio_url"], work, "audio_url")
    try:
        return mv.fit_audio(src, track, length)
    except RuntimeError:
        raise InputError("audio_url could not be decoded as audio") from None


register_kind(I2V, Kind("status", "image to video", render_i2v, 1015))


ROUTES = [
    ("POST", "/api/open/v4/image2Video/createBySourcePrompt", i2v_create, True),
    ("POST", "/api/open/v4/image2Video/createBySourcePrompt/batch", i2v_batch, True),
    ("POST", "/api/open/v4/image2Video/resultsByIds", i2v_results, True),
    ("GET", "/api/open/v4/image2Video/effects", i2v_effects, True),
    ("POST", "/api/open/v4/image2Video/updateVideoAudio", i2v_update_audio, True),
    ("POST", "/api/open/v4/image2Video/delbyids", i2v_delete, True),
]
