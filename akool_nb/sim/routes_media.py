"""Video products: image to video v4, character swap, lip sync, video translation (catalog §B.10–B.12, §B.14).

Each handler takes a :class:`~.validate.Ctx` and returns the envelope's ``data`` (or raises ``ApiError``).
Inputs on this service's own file URLs are probed at create time, so the documented limit codes come back
synchronously (1203 no audio, 1204 too long, 1207 too big, 1209 unreadable, 1210 too many fps); other URLs
are checked when the job fetches them, and a job that breaks a limit fails with that code.
Character swap, lip sync and translation answer through ``GET /api/open/v3/content/video/infobymodelid``
(``routes_video.RECORD_HOOKS``); image to video through ``POST .../resultsByIds``.
"""
from __future__ import annotations

import json
import math
import re
import shutil
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from . import routes_video
from .jobs import IMAGE_EXTS, KINDS, InputError, Kind, _out, _video_result, fetch, open_image, register_kind
from .state import TEAM_ID, UID, new_id
from .validate import ApiError, Ctx, Fields, ParamError, body_object, ext_of, not_found

I2V = "image_to_video"
SWAP, LIPSYNC, TRANSLATE = "character_swap", "lip_sync", "translation"
DELETED = "image_to_video_deleted"  # records collection: deleted image-to-video ids

I2V_RESOLUTIONS = ("720p", "1080p", "4k")
BATCH_RESOLUTIONS = ("480p", "720p", "1080p", "4k")
SHORT_SIDE = {"480p": 480, "720p": 720, "1080p": 1080, "4k": 2160}
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

SWAP_RESOLUTIONS = ("480p", "720p", "1080p")
SWAP_MODES = ("animate", "replace")
SWAP_UNIT = {"480p": 5, "720p": 10, "1080p": 15}  # credits per started 5 s
STUDIO_STYLES = ("affectionate", "angry", "calm", "cheerful", "depressed", "disgruntled", "embarrassed",
                 "empathetic", "excited", "fearful", "friendly", "unfriendly", "sad", "serious", "relaxed",
                 "professional")
STYLE_SPEED = {"excited": 1.12, "cheerful": 1.08, "angry": 1.1, "fearful": 1.1, "sad": 0.9, "calm": 0.92,
               "relaxed": 0.92, "depressed": 0.88}

# (lang_code, lang_name, what the simulated dubbing says): the list of GET /api/open/v3/language/list.
LANGUAGES = [
    ("af-ZA", "Afrikaans (South Africa)", "Hallo! Hierdie video is in Afrikaans vertaal. Hierdie stem is gesimuleer."),
    ("ar-SA", "Arabic (Saudi Arabia)", "مرحبا! تمت ترجمة هذا الفيديو إلى العربية. هذا الصوت محاكاة."),
    ("zh-CN", "Chinese (Mandarin, Simplified)", "你好！这个视频已被翻译成中文。这个声音是模拟的。"),
    ("zh-CN-shandong", "Chinese (Jilu Mandarin, Shandong)", "你好！这个视频已被翻译成山东话。这个声音是模拟的。"),
    ("zh-CN-sichuan", "Chinese (Southwestern Mandarin, Sichuan)", "你好！这个视频已被翻译成四川话。这个声音是模拟的。"),
    ("zh-HK", "Chinese (Cantonese, Traditional)", "你好！呢條片已經翻譯成廣東話。呢個聲係模擬嘅。"),
    ("nl-NL", "Dutch (Netherlands)", "Hallo! Deze video is vertaald naar het Nederlands. Deze stem is gesimuleerd."),
    ("en-US", "English (United States)", "Hello! This video was translated into English. This voice is simulated."),
    ("en-GB", "English (United Kingdom)", "Hello! This video was translated into British English. This voice is simulated."),
    ("fr-FR", "French (France)", "Bonjour ! Cette vidéo a été traduite en français. Cette voix est simulée."),
    ("de-DE", "German (Germany)", "Hallo! Dieses Video wurde ins Deutsche übersetzt. Diese Stimme ist simuliert."),
    ("hi-IN", "Hindi (India)", "नमस्ते! इस वीडियो का हिंदी में अनुवाद किया गया है। यह आवाज़ नकली है।"),
    ("id-ID", "Indonesian (Indonesia)", "Halo! Video ini telah diterjemahkan ke bahasa Indonesia. Suara ini adalah simulasi."),
    ("it-IT", "Italian (Italy)", "Ciao! Questo video è stato tradotto in italiano. Questa voce è simulata."),
    ("ja-JP", "Japanese (Japan)", "こんにちは！この動画は日本語に翻訳されました。この声はシミュレーションです。"),
    ("ko-KR", "Korean (Korea)", "안녕하세요! 이 영상은 한국어로 번역되었습니다. 이 목소리는 시뮬레이션입니다."),
    ("pl-PL", "Polish (Poland)", "Cześć! Ten film został przetłumaczony na język polski. Ten głos jest symulowany."),
    ("pt-BR", "Portuguese (Brazil)", "Olá! Este vídeo foi traduzido para o português. Esta voz é simulada."),
    ("ru-RU", "Russian (Russia)", "Здравствуйте! Это видео переведено на русский язык. Этот голос смоделирован."),
    ("es-ES", "Spanish (Spain)", "¡Hola! Este vídeo fue traducido al español. Esta voz es simulada."),
    ("es-MX", "Spanish (Mexico)", "¡Hola! Este video fue traducido al español de México. Esta voz es simulada."),
    ("sv-SE", "Swedish (Sweden)", "Hej! Den här videon har översatts till svenska. Den här rösten är simulerad."),
    ("th-TH", "Thai (Thailand)", "สวัสดี! วิดีโอนี้ถูกแปลเป็นภาษาไทย เสียงนี้เป็นเสียงจำลอง"),
    ("tr-TR", "Turkish (Turkey)", "Merhaba! Bu video Türkçeye çevrildi. Bu ses simülasyondur."),
    ("uk-UA", "Ukrainian (Ukraine)", "Привіт! Це відео перекладено українською. Цей голос змодельований."),
    ("vi-VN", "Vietnamese (Vietnam)", "Xin chào! Video này đã được dịch sang tiếng Việt. Giọng nói này là giả lập."),
]
ISO639_2 = {"af": "afr", "ar": "ara", "zh": "zho", "nl": "nld", "en": "eng", "fr": "fra", "de": "deu", "hi": "hin",
            "id": "ind", "it": "ita", "ja": "jpn", "ko": "kor", "pl": "pol", "pt": "por", "ru": "rus", "es": "spa",
            "sv": "swe", "th": "tha", "tr": "tur", "uk": "ukr", "vi": "vie"}

_lock = threading.Lock()  # batch slot counting
_assets_lock = threading.Lock()  # effect previews and flags, made once per data directory


def _ms(seconds: float) -> int:
    return int(seconds * 1000)


def _fast_div(sim) -> int:
    return 4 if sim.fast else 1


def _err(job: dict, kind: str) -> tuple[int, str]:
    """(error_code, reason) of a failed job: "[1204] ..." reasons carry their documented code."""
    m = re.match(r"^\[(\d{4})\] (.*)$", job["error"] or "", re.S)
    return (int(m.group(1)), m.group(2)) if m else (KINDS[kind].error_code, job["error"])


def _done_time(sim, job: dict) -> int:
    status = sim.status_of(job)
    return _ms(job["created"] + (sim.timing.queue_s + sim.timing.process_s if status >= 3 else 0))


# ------------------------------------------------------------------------------------ input probing
def _local(ctx: Ctx, url: str) -> Path | None:
    return ctx.sim.local_file_for_url(url)


def video_limits(path: Path, label: str, *, max_s: float, max_fps: float, needs_audio: bool,
                 max_mb: int = 300) -> None:
    """Raise ``InputError("[code] message")`` when a video breaks the documented limits."""
    from .media_video import probe

    info = probe(path)
    if info.size > max_mb * 1024 * 1024:
        raise InputError(f"[1207] The video you are using exceeds the size limit of {max_mb}MB ({label})")
    if not info.has_video:
        raise InputError(f"[1209] Please upload a video in another encoding format ({label} is not a readable video)")
    if needs_audio and not info.has_audio:
        raise InputError(f"[1203] Video should contain audio ({label} has no audio track)")
    if info.duration is not None and info.duration > max_s + 0.05:
        raise InputError(f"[1204] Your video duration exceeds {max_s:g} seconds ({label} lasts {info.duration:.1f} s)")
    if info.fps is not None and info.fps > max_fps + 0.01:
        raise InputError(f"[1210] The video you are using exceeds the frame rate limit of {max_fps:g}fps "
                         f"({label} runs at {info.fps:g} fps)")


def _check_now(ctx: Ctx, url: str, label: str, **limits: Any) -> None:
    """Create-time check for this service's own files: a broken limit answers its code at once."""
    path = _local(ctx, url)
    if path is None:
        return
    try:
        video_limits(path, label, **limits)
    except InputError as exc:
        code, msg = re.match(r"^\[(\d{4})\] (.*)$", str(exc), re.S).groups()  # type: ignore[union-attr]
        raise ApiError(int(code), msg) from None


def _url_ext(f: Fields, field: str, exts: tuple[str, ...], what: str, *, required: bool = True) -> str | None:
    url = f.str(field, required=required, url=True)
    if url is not None and ext_of(url) and ext_of(url) not in exts:
        raise ParamError(f.name(field), f"must be {what} ({', '.join(exts)})")
    return url


def _webhook(f: Fields, primary: str, other: str) -> str:
    """The documented spelling, or the other one (the docs use both, §F.15)."""
    return f.webhook(primary) or f.webhook(other)


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
    from .routes_image import AI_MODELS

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
    from .media import make_sample_portrait
    from .media_video import draw_tag, make_image_to_video

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
    from . import media_video as mv

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
    from . import media_video as mv

    p = job["params"]
    track = work / "track.wav"
    if int(p["audio_type"]) == 1:
        return mv.music_bed(track, length, seed=mv.stable_seed(job["id"]))
    src = fetch(sim, p["audio_url"], work, "audio_url")
    try:
        return mv.fit_audio(src, track, length)
    except RuntimeError:
        raise InputError("audio_url could not be decoded as audio") from None


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
        from .media_video import probe

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
    from . import media_video as mv

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
        from .media_video import probe

        duration = probe(local).duration or 0.0
    audio_local = _local(ctx, audio)
    if audio_local is not None:
        from .media_video import probe

        if not probe(audio_local).has_audio:
            raise ParamError("audio_url", "has no audio this service can read")
    params = {"video_url": video, "audio_url": audio, "webhookUrl": webhook}
    job = ctx.sim.create_job(LIPSYNC, ctx.path, params, webhook_url=webhook,
                             extra={"video_id": str(uuid.uuid4()), "task_id": new_id(), "duration": duration})
    return lipsync_record(ctx.sim, job) | {"video_status": 1, "video": ""}


def render_lipsync(sim, job: dict, work: Path) -> dict:
    from . import media_video as mv

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


# ================================================================================= video translation
TRANSLATION_LIMITS = {"max_s": 60, "max_fps": 30, "needs_audio": True}


def _language(code: str) -> tuple[str, str, str] | None:
    """A listed language by its exact code, or by its primary subtag ("es" → "es-ES")."""
    low = code.lower()
    exact = next((lang for lang in LANGUAGES if lang[0].lower() == low), None)
    return exact or next((lang for lang in LANGUAGES if lang[0].split("-")[0].lower() == low), None)


def languages(ctx: Ctx) -> dict:
    folder = ctx.sim.files_dir / "catalog" / "flags"
    with _assets_lock:
        if not (folder / "done").is_file():
            _make_flags(folder)
    return {"lang_list": [{"lang_name": name, "lang_code": code,
                           "url": ctx.sim.url_for(ctx.sim.rel_of(folder / f"{code}.png"))}
                          for code, name, _ in LANGUAGES]}


def _make_flags(folder: Path) -> None:
    from PIL import Image

    from .media_video import draw_tag, stable_seed

    folder.mkdir(parents=True, exist_ok=True)
    for code, _, _ in LANGUAGES:
        seed = stable_seed(code)
        colours = [((seed >> s) & 0xFF, (seed >> (s + 8)) & 0xFF, (seed >> (s + 16)) & 0xFF) for s in (0, 3, 6)]
        img = Image.new("RGB", (60, 40))
        for i, colour in enumerate(colours):
            img.paste(colour, (0, i * 40 // 3, 60, (i + 1) * 40 // 3 + 1))
        draw_tag(img, code.split("-")[0].upper())
        img.save(folder / f"{code}.png")
    (folder / "done").write_text("ok")


def translation_record(sim, job: dict, base: dict | None = None) -> dict:
    p, status = job["params"], sim.status_of(job)
    rec = dict(base or {})
    done = status == 3
    duration = job["result"].get("duration", 0) if done else 0
    rec.update({"_id": job["id"], "create_time": _ms(job["created"]), "uid": UID, "team_id": TEAM_ID,
                "video_id": job["extra"]["video_id"], "video_status": status, "video": sim.result_url(job),
                "progress": {1: 0, 2: 50, 3: 100, 4: 100}[status], "deduction_duration": round(duration),
                "video_duration": round(duration, 3), "url": p["url"], "language": p["language"],
                "source_language": p.get("source_language") or "DEFAULT", "lipsync": bool(p.get("lipsync")),
                "webhookUrl": p.get("webhookUrl") or "", "thumbnailUrl": sim.result_url(job, "poster"),
                "simulated": True})
    if status == 4:
        rec["error_code"], rec["error_reason"] = _err(job, TRANSLATE)
    else:
        rec.pop("error_code", None)
        rec.pop("error_reason", None)
    return rec


def _studio_voice(f: Fields) -> dict | None:
    s = f.sub("studio_voice")
    if s is None:
        return None
    s.str("style", choices=STUDIO_STYLES)
    words = s.list("no_translate_words") or []
    if any(not isinstance(w, str) for w in words):
        raise ParamError(s.name("no_translate_words"), "must be an array of strings")
    for field in ("fixed_words", "pronounced_words"):
        mapping = s.sub(field)
        if mapping is not None and any(not isinstance(v, str) for v in mapping.obj.values()):
            raise ParamError(s.name(field), "must map words to strings")
    return s.obj


def translation_create(ctx: Ctx) -> dict:
    f = body_object(ctx.body)
    url = f.str("url", required=True, url=True)
    source = f.str("source_language") or "DEFAULT"
    if source != "DEFAULT" and _language(source) is None:
        raise ParamError("source_language", f'{source} is not a supported language; use "DEFAULT" or a code from '
                                            "GET /api/open/v3/language/list")
    language = f.str("language", required=True)
    codes = [c.strip() for c in language.split(",")]
    for code in codes:
        if not code or _language(code) is None:
            raise ParamError("language", f"{code or '(empty)'} is not a supported language "
                                         "(codes from GET /api/open/v3/language/list, comma-separated)")
    if len({c.lower() for c in codes}) != len(codes):
        raise ParamError("language", "names a language twice")
    lipsync = f.bool("lipsync")
    webhook = f.webhook()
    f.num("speaker_num", integer=True, lo=0, hi=100)
    f.bool("remove_bgm")
    f.num("caption_type", integer=True, choices=(0, 1, 2, 3, 4))
    caption_url = _url_ext(f, "caption_url", (".srt", ".ass"), "a subtitle file URL", required=False)
    studio = _studio_voice(f)
    f.bool("dynamic_duration")
    _check_now(ctx, url, "url", **TRANSLATION_LIMITS)
    if lipsync:  # 1202: the same video lip-synced into the same language again
        for other in ctx.sim.store.jobs((TRANSLATE,)):
            q = other["params"]
            if q["url"] == url and q.get("lipsync") and other["media_state"] != "error":
                again = {c.lower() for c in q["language"].split(",")} & {c.lower() for c in codes}
                if again:
                    raise ApiError(1202, "The same video cannot be translated with lip-sync in the same language "
                                         f"more than once ({', '.join(sorted(again))})")
    params = {"url": url, "source_language": source, "lipsync": bool(lipsync),
              "webhookUrl": webhook, "speaker_num": f.obj.get("speaker_num") or 0,
              "remove_bgm": bool(f.obj.get("remove_bgm")), "caption_type": f.obj.get("caption_type") or 0,
              "caption_url": caption_url, "studio_voice": studio,
              "dynamic_duration": bool(f.obj.get("dynamic_duration"))}
    # The real service makes one job per target language and lists them in ``all_results`` (Akool's own
    # demo reads it; docs/api-coverage.md); the answer's top level is the first language's job.
    keys = ("_id", "create_time", "uid", "team_id", "video_id", "video_status", "video", "language",
            "source_language", "lipsync", "webhookUrl", "simulated")
    created = []
    for code in codes:
        job = ctx.sim.create_job(TRANSLATE, ctx.path, {**params, "language": code}, webhook_url=webhook,
                                 extra={"video_id": str(uuid.uuid4())})
        rec = translation_record(ctx.sim, job)
        created.append({k: rec[k] for k in keys} | {"video_status": 1, "video": ""})
    return {**created[0], "all_results": created}


def _speech_text(sentence: str, studio: dict) -> tuple[str, str]:
    """(what is said, what the caption shows) for a language, with the studio_voice word rules."""
    fixed = studio.get("fixed_words") or {}
    keep = studio.get("no_translate_words") or []
    caption = " ".join([*fixed.values(), sentence, *keep]).strip()
    spoken = caption
    for word, sound in (studio.get("pronounced_words") or {}).items():
        spoken = re.sub(re.escape(word), sound, spoken, flags=re.I)
    return spoken, caption


def render_translation(sim, job: dict, work: Path) -> dict:
    from . import media as base_media
    from . import media_video as mv

    p = job["params"]
    work.mkdir(parents=True, exist_ok=True)
    video = fetch(sim, p["url"], work, "url")
    video_limits(video, "url", **TRANSLATION_LIMITS)
    info = mv.probe(video)
    length = info.duration or 1.0
    studio = p.get("studio_voice") or {}
    speed = STYLE_SPEED.get(studio.get("style") or "", 1.0)
    spoken = []
    for code in p["language"].split(","):
        lang = _language(code)
        assert lang is not None
        said, caption = _speech_text(lang[2], studio)
        raw = work / f"speech_{lang[0]}.wav"
        seconds = base_media.synthesize_speech(said, raw, language=lang[0], speed=speed, fast=sim.fast)
        spoken.append((lang, caption, raw, seconds))
    out_len = max(length, max(s[3] for s in spoken) + 0.3) if p.get("dynamic_duration") else length
    tracks = []
    for lang, caption, raw, seconds in spoken:
        room = max(0.5, out_len - 0.2)
        tempo = seconds / room if seconds > room else 1.0
        track = work / f"track_{lang[0]}.wav"
        try:
            mv.fit_audio(raw, track, out_len, tempo=tempo, under=None if p.get("remove_bgm") else video)
        except RuntimeError:
            raise InputError("[1201] Create audio error") from None
        tracks.append(mv.Track(track, ISO639_2.get(lang[0].split("-")[0]), caption, min(seconds / tempo, out_len)))
    captions = None
    ctype = int(p.get("caption_type") or 0)
    if p.get("caption_url"):
        try:
            cues = mv.parse_subtitles(fetch(sim, p["caption_url"], work, "caption_url").read_text("utf-8", "replace"))
        except UnicodeError:
            cues = []
        if not cues:
            raise InputError("caption_url is not an SRT or ASS subtitle file with cues")
        captions = lambda t: next((c[2] for c in cues if c[0] <= t < c[1]), "")  # noqa: E731
    elif ctype in (2, 3, 4):
        first = tracks[0]
        captions = lambda t: first.caption if t < first.spoken + 0.5 else ""  # noqa: E731
    elif ctype == 1:
        note = f"[{p.get('source_language') or 'DEFAULT'}] original subtitles"
        captions = lambda t: note  # noqa: E731
    fps = min(info.fps or 25, 10 if sim.fast else 25)
    out_h = min(info.height or 720, 180 if sim.fast else 1080)
    out = _out(sim, job, ".mp4")
    tag = "translated → " + ", ".join(lang[0] for lang, *_ in spoken) + (" · lip sync" if p.get("lipsync") else "")
    try:
        duration = mv.make_translation(video, out, tracks, out_h=out_h, fps=fps, duration=out_len, tag=tag,
                                       captions=captions, caption_bar=ctype == 3, lipsync=bool(p.get("lipsync")),
                                       fast=sim.fast)
    except RuntimeError:
        raise InputError("[1205] Create video error") from None
    result = _video_result(sim, job, out, duration)
    result["languages"] = [lang[0] for lang, *_ in spoken]
    return result


# ====================================================================================== registration
register_kind(I2V, Kind("status", "image to video", render_i2v, 1015))
register_kind(SWAP, Kind("video_status", "character swap", render_swap, 1015, webhook_processing=False))
register_kind(LIPSYNC, Kind("video_status", "lipsync", render_lipsync, 1211))
register_kind(TRANSLATE, Kind("video_status", "video translate", render_translation, 1205))

# The shared video info endpoint answers for these kinds with their own record shapes.
routes_video.RECORD_HOOKS[SWAP] = lambda ctx, job, rec: swap_record(ctx.sim, job)
routes_video.RECORD_HOOKS[LIPSYNC] = lambda ctx, job, rec: lipsync_record(ctx.sim, job, rec)
routes_video.RECORD_HOOKS[TRANSLATE] = lambda ctx, job, rec: translation_record(ctx.sim, job, rec)

ROUTES = [
    ("POST", "/api/open/v4/image2Video/createBySourcePrompt", i2v_create, True),
    ("POST", "/api/open/v4/image2Video/createBySourcePrompt/batch", i2v_batch, True),
    ("POST", "/api/open/v4/image2Video/resultsByIds", i2v_results, True),
    ("GET", "/api/open/v4/image2Video/effects", i2v_effects, True),
    ("POST", "/api/open/v4/image2Video/updateVideoAudio", i2v_update_audio, True),
    ("POST", "/api/open/v4/image2Video/delbyids", i2v_delete, True),
    ("POST", "/api/open/v4/characterSwap/create", swap_create, True),
    ("POST", "/api/open/v3/content/video/lipsync", lipsync_create, True),
    ("POST", "/api/open/v3/content/video/createbytranslate", translation_create, True),
    ("GET", "/api/open/v3/language/list", languages, True),
]
