"""Voices: the v3/v4 voice lists and VoiceLab v4 clone, changer, detail and delete (catalog §B.4, §B.5).

Clones are ``voice_clone`` jobs: their record is a *voice* (``/v4/voice/detail/{_id}``, ``/v4/voice/list?type=1``)
whose ``voice_id`` and ``preview`` appear on completion. Voice-changer runs are ``voice_change`` jobs: their record
is a *resource* (``/v4/voice/resource/detail/{_id}``, ``resource/list?type=2``). Deleted clones are remembered in
the ``voicelab_deleted`` record collection. Each handler takes a :class:`~akool_nb.sim.validate.Ctx` and returns
the envelope's ``data`` (or raises ``ApiError``).
"""
from __future__ import annotations

from pathlib import Path

from ... import spec
from ..catalog import VOICES
from ..jobs import InputError, Kind, fetch, register_kind
from ..state import TEAM_ID, UID
from ..validate import ApiError, Ctx, Fields, ParamError, body_object, ext_of, not_found, query_choice
from ._voice import _page, _tts_v4


def known_voice(ctx: Ctx, f: Fields, field: str = "voice_id", *, code: int = 1008) -> str:
    """A required voice id that is in the voice lists (official or a finished clone), else ``code`` naming the
    field: a typo is refused before a job exists, as the real service refuses it (docs: take it from the lists)."""
    voice_id = f.str(field, required=True)
    if ctx.sim.catalog.voice(voice_id) is None:

        job = _clone(ctx, voice_id)
        if job is None or ctx.sim.status_of(job) != 3:
            what = (f"{f.name(field)} {voice_id} is not a voice of GET /api/open/v4/voice/list or "
                    "/api/open/v3/voice/list")
            raise ApiError(code, ("Parameter error: " if code == 1003 else "The content you get does not exist: ")
                           + what)
    return voice_id


# ------------------------------------------------------------------ v3 audio
def voice_list_v3(ctx: Ctx) -> list:
    source = query_choice(ctx.query, "from", ("3", "4"))
    if source == "4":  # voices created by the user: the offline Akool has none
        return []
    return [ctx.sim.catalog.v3_item(v) for v in VOICES]


def voice_list_v4(ctx: Ctx) -> dict:
    kind = query_choice(ctx.query, "type", ("1", "2"), required=True)
    query_choice(ctx.query, "support_stream", ("1", "2"))
    if kind == "1":  # your cloned voices (voice_clone jobs)

        return _page(ctx, ctx.sim.catalog.find_voice_items(cloned_voice_items(ctx), ctx.query))
    voices = ctx.sim.catalog.find_voice_items(VOICES, ctx.query)
    return _page(ctx, [ctx.sim.catalog.v4_item(v) for v in voices])


def resource_detail_v4(ctx: Ctx) -> dict:
    job = ctx.sim.store.get_job(ctx.path_params["_id"], ("tts_v4", "voice_change"))
    if job is None:
        raise not_found(f"_id {ctx.path_params['_id']}")
    if job["kind"] == "voice_change":  # voice changer results (voice_change jobs)

        return {"result": change_record(ctx, job)}
    return {"result": _tts_v4(ctx, job)}


CLONE_MODELS = ("Akool Multilingual 1", "Akool Multilingual 3", "Akool Multilingual 4")
CHANGER_MODEL = "Akool Multilingual 1"
PROMPT_MODEL = "Akool Multilingual 3"
DEFAULT_CLONE_MODEL = CHANGER_MODEL  # the docs name no default; the changer's model keeps clones usable there
STREAMING_MODELS = ("Akool Multilingual 1", "Akool Multilingual 3")
CLONE_LIMIT_MB, PROMPT_LIMIT_MB, CHANGE_LIMIT_MB, PROMPT_MAX_SECONDS = 30, 20, 50, 8.0
PREVIEW_TEXT = {
    "en": "Hello! This is a simulated clone of your voice, made offline by akool_nb.",
    "es": "¡Hola! Esta es una copia simulada de tu voz, hecha sin conexión por akool_nb.",
    "fr": "Bonjour ! Voici un clone simulé de votre voix, créé hors ligne par akool_nb.",
    "de": "Hallo! Dies ist ein simulierter Klon deiner Stimme, offline erstellt von akool_nb.",
    "pt": "Olá! Este é um clone simulado da sua voz, feito offline pelo akool_nb.",
    "zh": "你好！这是你的声音的模拟克隆，由 akool_nb 离线生成。",
    "ja": "こんにちは。これは akool_nb がオフラインで作った、あなたの声の模擬クローンです。",
}
LANGUAGE_NAMES = {"en": "English", "es": "Spanish", "fr": "French", "de": "German", "pt": "Portuguese",
                  "zh": "Chinese", "ja": "Japanese", "hi": "Hindi", "it": "Italian", "ko": "Korean", "pl": "Polish",
                  "ru": "Russian", "nl": "Dutch", "ar": "Arabic", "tr": "Turkish", "yue": "Cantonese"}
DELETED = "voicelab_deleted"


def _ms(seconds: float) -> int:
    return int(seconds * 1000)


def _failure(job: dict, status: int) -> dict:
    from ..jobs import KINDS

    return {"error_code": KINDS[job["kind"]].error_code, "error_reason": job["error"]} if status == 4 else {}


def _size_mb(path: Path) -> float:
    return path.stat().st_size / 1024 / 1024


def _decode(path: Path, label: str):
    from .. import media_voice

    try:
        samples = media_voice.decode(path)
    except RuntimeError:
        raise InputError(f"{label} could not be decoded as audio") from None
    if samples.size == 0:
        raise InputError(f"{label} contains no audio")
    return samples


# ------------------------------------------------------------------ clone
def _tags(o: Fields, field: str) -> list | None:
    tags = o.list(field)
    if tags is not None and any(not isinstance(t, str) for t in tags):
        raise ParamError(o.name(field), "must be an array of strings")
    return tags


def voice_clone(ctx: Ctx) -> dict:
    f = body_object(ctx.body)
    source = f.str("source_voice_file", required=True, url=True)
    options: dict = {}
    o = f.sub("voice_options")
    if o is not None:
        for field in ("style", "gender", "age", "scenario"):
            _tags(o, field)
        o.bool("remove_background_noise")
        o.str("language", pattern=r"[a-z]{2,3}")
        o.str("clone_prompt")
        o.bool("need_volume_normalization")
        options = o.obj
    name = f.str("name", allow_empty=True)
    model = f.str("voice_model_name", choices=CLONE_MODELS)
    m3_only = [k for k in ("clone_prompt", "need_volume_normalization") if options.get(k) is not None]
    if m3_only and model is not None and model != PROMPT_MODEL:
        raise ParamError(f"voice_options.{m3_only[0]}", f'is only supported by "{PROMPT_MODEL}" (voice_model_name)')
    if options.get("clone_prompt") and ext_of(source) not in ("", ".mp3", ".wav"):
        raise ParamError("source_voice_file", "must be an mp3 or wav file when voice_options.clone_prompt is used")
    webhook = f.webhook()
    params = {"source_voice_file": source, "voice_options": options, "name": name or "",
              "voice_model_name": model or (PROMPT_MODEL if m3_only else DEFAULT_CLONE_MODEL), "webhookUrl": webhook}
    job = ctx.sim.create_job("voice_clone", ctx.path, params, webhook_url=webhook)
    return {**clone_record(ctx, job), "status": 1}


def _language(job: dict) -> str:
    return (job["params"]["voice_options"].get("language") or "en").lower()


def clone_voice_id(job: dict) -> str:
    return f"akoolsimclone{job['id']}"


def clone_record(ctx: Ctx, job: dict) -> dict:
    """A cloned voice as ``voice/detail`` and ``voice/list?type=1`` show it."""
    p, status = job["params"], ctx.sim.status_of(job)
    o, done = p["voice_options"], status == 3
    language = _language(job)
    result = job["result"] if done else {}
    gender = (o.get("gender") or [result.get("gender") or ""])[0]
    name = p["name"] or f"My voice {job['id'][-6:]}"
    return {"_id": job["id"], "uid": UID, "team_id": TEAM_ID, "voice_id": clone_voice_id(job) if done else None,
            "gender": gender, "name": name, "preview": ctx.sim.result_url(job) or None,
            "text": result.get("text") or PREVIEW_TEXT.get(language, PREVIEW_TEXT["en"]),
            "duration": _ms(result.get("duration", 0)), "status": status, "create_time": _ms(job["created"]),
            "update_time": _ms(job["created"]), "style": o.get("style") or [], "scenario": o.get("scenario") or [],
            "age": o.get("age") or [], "deduction_credit": 0, "webhookUrl": p["webhookUrl"],
            "source_voice_file": p["source_voice_file"], "language": LANGUAGE_NAMES.get(language, language),
            "locale": language, "voice_model_name": p["voice_model_name"],
            "support_stream": p["voice_model_name"] in STREAMING_MODELS, "simulated": True, **_failure(job, status)}


def _live_clones(ctx: Ctx) -> list[dict]:
    deleted = {r["_id"] for r in ctx.sim.store.list_records(DELETED)}
    return [j for j in ctx.sim.store.jobs(("voice_clone",)) if j["id"] not in deleted]


def cloned_voice_items(ctx: Ctx) -> list[dict]:
    """Your clones for ``voice/list?type=1`` (newest first, deleted ones left out)."""
    return [clone_record(ctx, job) for job in _live_clones(ctx)]


def _clone(ctx: Ctx, key: str) -> dict | None:
    """A live clone job by its document ``_id`` or (once completed) its ``voice_id``."""
    for job in _live_clones(ctx):
        if job["id"] == key or clone_voice_id(job) == key:
            return job
    return None


def render_clone(sim, job: dict, work: Path) -> dict:
    from .. import media_voice

    p = job["params"]
    prompt = p["voice_options"].get("clone_prompt")
    sample = fetch(sim, p["source_voice_file"], work, "source_voice_file")
    limit = PROMPT_LIMIT_MB if prompt else CLONE_LIMIT_MB
    if _size_mb(sample) > limit:
        raise InputError(f"source_voice_file is {_size_mb(sample):.1f} MB; the limit is {limit} MB")
    samples = _decode(sample, "source_voice_file")
    seconds = samples.size / media_voice.RATE
    if prompt and seconds >= PROMPT_MAX_SECONDS:
        raise InputError(f"source_voice_file lasts {seconds:.1f} s; with clone_prompt it must be shorter than 8 s")
    f0 = media_voice.estimate_f0(samples)
    if f0 is None:
        raise InputError("no voice was found in source_voice_file (silent or not speech)")
    language = _language(job)
    text = PREVIEW_TEXT.get(language, PREVIEW_TEXT["en"])
    out = sim.files_dir / "results" / job["id"] / f"{job['id']}.mp3"
    duration = media_voice.clone_preview(text, out, f0=f0, language=language, fast=sim.fast)
    return {"file": sim.rel_of(out), "duration": duration, "f0": round(f0, 2), "text": text,
            "sample_seconds": round(seconds, 3), "gender": "Male" if f0 < 165 else "Female"}


def voice_detail(ctx: Ctx) -> dict:
    key = ctx.path_params["_id"]
    job = _clone(ctx, key)
    if job is not None:
        return clone_record(ctx, job)
    voice = ctx.sim.catalog.voice(key)
    if voice is not None:
        return ctx.sim.catalog.v4_item(voice)
    raise not_found(f"voice _id {key}")


def voice_delete(ctx: Ctx) -> dict:
    f = body_object(ctx.body)
    ids = f.list("_ids", required=True, nonempty=True)
    if any(not isinstance(i, str) or not i.strip() for i in ids):
        raise ParamError("_ids", "must be an array of voice document _id strings")
    success, refused = [], []
    for voice_id in dict.fromkeys(ids):
        job = _clone(ctx, voice_id)
        if job is not None and job["id"] == voice_id:
            ctx.sim.store.put_record(DELETED, voice_id, {"_id": voice_id})
            success.append(voice_id)
        elif ctx.sim.catalog.voice(voice_id) is not None:
            refused.append({"_id": voice_id, "msg": f"VoiceId:{voice_id} is an Akool voice; you can only "
                                                   "delete your own voices"})
        else:
            refused.append({"_id": voice_id, "msg": f"VoiceId:{voice_id} resource not found"})
    return {"successIds": success, "noPermissionVoices": refused}


# ------------------------------------------------------------------ voice changer
def _target(ctx: Ctx, voice_id: str) -> tuple[str, str, str]:
    """(model, gender, name) of a voice-changer target, or 1008 if there is no such voice."""
    voice = ctx.sim.catalog.voice(voice_id)
    if voice is not None:
        return voice["voice_model_name"], voice["gender"], voice["name"]
    job = _clone(ctx, voice_id)
    if job is not None and ctx.sim.status_of(job) == 3:
        return job["params"]["voice_model_name"], job["result"].get("gender", ""), job["params"]["name"]
    raise ApiError(1008, f"The content you get does not exist: voice_id {voice_id}")


def voice_change(ctx: Ctx) -> dict:
    f = body_object(ctx.body)
    voice_id = f.str("voice_id", required=True)
    source = f.str("source_voice_file", required=True, url=True)
    options: dict = {}
    o = f.sub("voice_options")
    if o is not None:
        for field in ("stability", "similarity_boost", "style"):
            o.num(field, lo=0, hi=1)
        o.bool("speaker_boost")
        o.str("file_format", choices=("mp3", "wav"))
        o.bool("remove_background_noise")
        o.num("speed", lo=spec.TTS_SPEED[0], hi=spec.TTS_SPEED[1])
        options = o.obj
    model = f.str("voice_model_name", choices=(CHANGER_MODEL,))
    webhook = f.webhook()
    voice_model, gender, _name = _target(ctx, voice_id)
    if voice_model != CHANGER_MODEL:
        raise ParamError("voice_id", f'is an "{voice_model}" voice; only "{CHANGER_MODEL}" voices support voice change')
    params = {"voice_id": voice_id, "source_voice_file": source, "voice_options": options,
              "voice_model_name": model or CHANGER_MODEL, "webhookUrl": webhook, "gender": gender}
    job = ctx.sim.create_job("voice_change", ctx.path, params, webhook_url=webhook)
    return {**change_record(ctx, job), "status": 1, "preview": None}


def _change_name(job: dict) -> str:
    import hashlib

    return hashlib.md5(job["id"].encode()).hexdigest()  # like the docs' generated names


def change_record(ctx: Ctx, job: dict) -> dict:
    """A voice-changer result as ``resource/detail`` and ``resource/list?type=2`` show it."""
    p, status = job["params"], ctx.sim.status_of(job)
    o, done = p["voice_options"], status == 3
    voice = ctx.sim.catalog.voice(p["voice_id"])
    clone = None if voice is not None else _clone(ctx, p["voice_id"])
    fmt = o.get("file_format") or "mp3"
    duration = job["result"].get("duration", 0) if done else 0
    source_name = p["source_voice_file"].rstrip("/").rsplit("/", 1)[-1] or f"{job['id']}.{fmt}"
    return {"_id": job["id"], "create_time": _ms(job["created"]), "update_time": _ms(job["created"]), "uid": UID,
            "team_id": TEAM_ID, "source_voice_file": p["source_voice_file"],
            "preview": ctx.sim.result_url(job) or None, "status": status, "webhookUrl": p["webhookUrl"],
            "duration": _ms(duration), "file_name": source_name, "gender": p.get("gender") or "",
            "deduction_credit": round(duration / 60 * 4.4, 4), "name": _change_name(job), "rate": "100%",
            "voice_model_id": voice["_id"] if voice else (clone["id"] if clone else ""), "voice_id": p["voice_id"],
            "voice_options": {k: o[k] for k in ("stability", "similarity_boost", "style", "speaker_boost") if k in o},
            "__v": 0, "simulated": True, **_failure(job, status)}


def change_records(ctx: Ctx) -> list[dict]:
    return [change_record(ctx, job) for job in ctx.sim.store.jobs(("voice_change",))]


def _target_pitch(sim, p: dict) -> float:
    from .. import media_voice

    voice = sim.catalog.voice(p["voice_id"])
    if voice is not None:
        return media_voice.voice_pitch(voice["gender"], voice["voice_id"])
    for job in sim.store.jobs(("voice_clone",)):
        if p["voice_id"] in (job["id"], clone_voice_id(job)) and job["result"].get("f0"):
            return float(job["result"]["f0"])
    raise InputError(f"voice_id {p['voice_id']} no longer exists")


def render_change(sim, job: dict, work: Path) -> dict:
    from .. import media_voice

    p = job["params"]
    src = fetch(sim, p["source_voice_file"], work, "source_voice_file")
    if _size_mb(src) > CHANGE_LIMIT_MB:
        raise InputError(f"source_voice_file is {_size_mb(src):.1f} MB; the limit is {CHANGE_LIMIT_MB} MB")
    samples = _decode(src, "source_voice_file")
    own = media_voice.estimate_f0(samples) or 130.0
    target = _target_pitch(sim, p)
    fmt = p["voice_options"].get("file_format") or "mp3"
    out = sim.files_dir / "results" / job["id"] / f"{job['id']}.{fmt}"
    speed = float(p["voice_options"].get("speed") or 1.0)
    duration = media_voice.shift(src, out, target / own, speed=speed, title=media_voice.CHANGE_TITLE, fast=sim.fast)
    return {"file": sim.rel_of(out), "duration": duration, "source_f0": round(own, 2), "f0": round(target, 2)}


# Webhook ``type`` "audio": the docs list no VoiceLab types (catalog §F.8 #69); VoiceLab TTS uses "audio" too.
register_kind("voice_clone", Kind("status", "audio", render_clone, 1112))
register_kind("voice_change", Kind("status", "audio", render_change, 1112))


ROUTES = [
    ("GET", "/api/open/v3/voice/list", voice_list_v3, True),
    ("GET", "/api/open/v4/voice/list", voice_list_v4, True),
    ("GET", "/api/open/v4/voice/resource/detail/{_id}", resource_detail_v4, True),
    ("POST", "/api/open/v4/voice/clone", voice_clone, True),
    ("POST", "/api/open/v4/voice/change", voice_change, True),
    ("GET", "/api/open/v4/voice/detail/{_id}", voice_detail, True),
    ("POST", "/api/open/v4/voice/del", voice_delete, True),
]
