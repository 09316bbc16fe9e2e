"""Text to speech: v3 audio create/clone/info and v4 ``voice/tts`` with its resource list (catalog §B.4, §B.5).

Each handler takes a :class:`~akool_nb.sim.validate.Ctx` and returns the envelope's ``data`` (or raises
``ApiError``).
"""
from __future__ import annotations

import re

from ... import spec
from ..state import UID
from ..validate import Ctx, Fields, ParamError, body_object, not_found, query_choice, rate_percent
from ._voice import _failure, _ms, _page, _tts_v4
from .voices import known_voice


EMOTIONS = ("happy", "sad", "angry", "fearful", "disgusted", "surprised", "neutral")
SOUND_EFFECTS = ("spacious_echo", "auditorium_echo", "lofi_telephone", "robotic")
V3_TEXT_LIMIT, V4_TEXT_LIMIT = 5000, 50000


def _text(f: Fields, field: str, limit: int) -> str:
    text = f.str(field, required=True)
    if len(text) > limit:
        raise ParamError(f.name(field), f"must be at most {limit} characters")
    return text


def _speed_from_rate(rate: float | None) -> float:
    """v3 ``rate`` "0%".."100%" (100% = normal) -> synthesis speed 0.5..1.0."""
    return 1.0 if rate is None else 0.5 + 0.5 * rate / 100


def audio_create_v3(ctx: Ctx) -> dict:
    f = body_object(ctx.body)
    text = _text(f, "input_text", V3_TEXT_LIMIT)
    voice_id = known_voice(ctx, f)
    rate = rate_percent(f)
    webhook = f.webhook()
    params = {"input_text": text, "voice_id": voice_id, "rate": f.obj.get("rate") or "100%",
              "speed": _speed_from_rate(rate), "webhookUrl": webhook}
    job = ctx.sim.create_job("tts_v3", ctx.path, params, webhook_url=webhook)
    # Real answers carry the voice's source (``from``) and document id (``voice_model_id``): observed,
    # docs/api-coverage.md.
    voice = ctx.sim.catalog.voice(voice_id)
    return {**_audio_v3(ctx, job), "status": 1, "from": 3, "voice_model_id": voice["_id"] if voice else voice_id}


def audio_clone_v3(ctx: Ctx) -> dict:
    f = body_object(ctx.body)
    text = _text(f, "input_text", V3_TEXT_LIMIT)
    rate = rate_percent(f, required=True)
    voice_url = f.str("voice_url", url=True)
    voice_id = f.str("voice_id")
    if not voice_url and not voice_id:
        raise ParamError("voice_url", "or voice_id is required")
    webhook = f.webhook()
    params = {"input_text": text, "rate": f.obj["rate"], "voice_url": voice_url, "voice_id": voice_id,
              "speed": _speed_from_rate(rate), "webhookUrl": webhook}
    job = ctx.sim.create_job("clone_v3", ctx.path, params, webhook_url=webhook)
    return {**_audio_v3(ctx, job), "status": 1}


def _audio_v3(ctx: Ctx, job: dict) -> dict:
    from ..jobs import public_url

    p, status = job["params"], ctx.sim.status_of(job)
    return {"_id": job["id"], "status": status, "url": public_url(ctx.sim, job), "input_text": p["input_text"],
            "voice_id": p.get("voice_id") or "", "voice_url": p.get("voice_url") or "", "rate": p["rate"],
            "webhookUrl": p["webhookUrl"], "create_time": _ms(job["created"]), "uid": UID,
            "duration": _ms(job["result"]["duration"]) if status == 3 else 0, "simulated": True,
            **_failure(ctx, job, status)}


def audio_info_v3(ctx: Ctx) -> dict:
    job_id = ctx.query.get("audio_model_id")
    if not job_id:
        raise ParamError("audio_model_id", "is required")
    job = ctx.sim.store.get_job(job_id, ("tts_v3", "clone_v3"))
    if job is None:
        raise not_found(f"audio_model_id {job_id}")
    return _audio_v3(ctx, job)


def _voice_options(f: Fields) -> dict:
    o = f.sub("voice_options")
    if o is None:
        return {}
    for field in ("stability", "similarity_boost", "style"):
        o.num(field, lo=0, hi=1)
    o.num("speed", lo=spec.TTS_SPEED[0], hi=spec.TTS_SPEED[1])
    o.bool("speaker_boost")
    o.str("emotion", choices=EMOTIONS)
    o.num("volume", lo=0, hi=100, integer=True)
    return o.obj


def _extra_options(f: Fields) -> None:
    e = f.sub("extra_options")
    if e is None:
        return
    e.str("previous_text", allow_empty=True)
    e.str("next_text", allow_empty=True)
    e.str("apply_text_normalization", choices=("auto", "on", "off"))
    for field in ("apply_language_text_normalization", "latex_read", "text_normalization", "subtitle_enable"):
        e.bool(field)
    a = e.sub("audio_setting")
    if a is not None:
        a.num("sample_rate", choices=(8000, 16000, 22050, 24000, 32000, 44100))
        a.num("bitrate", choices=(32000, 64000, 128000, 256000))
        a.str("format", choices=("mp3", "wav"))
        a.num("channel", choices=(1, 2))
    weights = e.list("timber_weights", max_len=4) or []
    for i in range(len(weights)):
        w = e.item("timber_weights", i)
        w.str("voice_id", required=True)
        w.num("weight", required=True, lo=1, hi=100, integer=True)
    d = e.sub("pronunciation_dict")
    if d is not None:
        tones = d.list("tone") or []
        if any(not isinstance(t, str) for t in tones):
            raise ParamError(d.name("tone"), "must be an array of strings")
    m = e.sub("voice_modify")
    if m is not None:
        for field in ("pitch", "intensity", "timbre"):
            m.num(field, lo=-100, hi=100, integer=True)
        m.str("sound_effects", choices=SOUND_EFFECTS)
    e.num("pitch", lo=-12, hi=12, integer=True)


def voice_tts_v4(ctx: Ctx) -> dict:
    f = body_object(ctx.body)
    text = _text(f, "input_text", V4_TEXT_LIMIT)
    voice_id = known_voice(ctx, f)
    options = _voice_options(f)
    language = f.str("language_code")
    if language is not None and not re.fullmatch(r"[a-z]{2,3}", language):
        raise ParamError("language_code", 'must be an ISO 639-1 language code such as "en" or "zh"')
    _extra_options(f)
    f.num("pitch", lo=-12, hi=12, integer=True)  # the docs' example sends it at the top level (§F.3 #24)
    webhook = f.webhook()
    params = {"input_text": text, "voice_id": voice_id, "voice_options": options, "language_code": language or "",
              "language": language, "speed": options.get("speed") or 1.0, "webhookUrl": webhook}
    job = ctx.sim.create_job("tts_v4", ctx.path, params, webhook_url=webhook)
    rec = _tts_v4(ctx, job)
    defaults = {"stability": 0.5, "similarity_boost": 0.75, "style": 0, "speed": 1.0, "speaker_boost": False,
                "emotion": "neutral", "volume": 50}
    voice = ctx.sim.catalog.voice(voice_id)
    return {**rec, "status": 1, "voice_model_id": voice["_id"] if voice else "", "voice_id": voice_id,
            "voice_options": {**defaults, **options}}


def resource_list_v4(ctx: Ctx) -> dict:
    kind = query_choice(ctx.query, "type", ("1", "2"), required=True)
    if kind == "2":  # voice changer results (see voices)
        from .voices import change_records

        return _page(ctx, change_records(ctx))
    jobs = ctx.sim.store.jobs(("tts_v4",))
    return _page(ctx, [_tts_v4(ctx, job) for job in jobs])


ROUTES = [
    ("POST", "/api/open/v3/audio/create", audio_create_v3, True),
    ("POST", "/api/open/v3/audio/clone", audio_clone_v3, True),
    ("GET", "/api/open/v3/audio/infobymodelid", audio_info_v3, True),
    ("POST", "/api/open/v4/voice/tts", voice_tts_v4, True),
    ("GET", "/api/open/v4/voice/resource/list", resource_list_v4, True),
]
