"""Auth and audio endpoints: getToken, v3 audio (voice list, TTS, clone, info) and VoiceLab v4 (catalog §B.1, B.4, B.5).

Each handler takes a :class:`~.validate.Ctx` and returns the envelope's ``data`` (or raises ``ApiError``).
"""
from __future__ import annotations

import re

from .catalog import VOICES
from .state import TEAM_ID, UID
from .validate import (ApiError, Ctx, Fields, ParamError, Raw, body_object, not_found, query_choice, query_int,
                       rate_percent)

EMOTIONS = ("happy", "sad", "angry", "fearful", "disgusted", "surprised", "neutral")
SOUND_EFFECTS = ("spacious_echo", "auditorium_echo", "lofi_telephone", "robotic")
V3_TEXT_LIMIT, V4_TEXT_LIMIT = 5000, 50000


def get_token(ctx: Ctx) -> Raw:
    # The getToken page lists only 1000, 1101, 1102 and 1200: missing credentials are 1102 (not 1003).
    body = ctx.body if isinstance(ctx.body, dict) else {}
    client_id, client_secret = body.get("clientId"), body.get("clientSecret")
    for field, value in (("clientId", client_id), ("clientSecret", client_secret)):
        if not isinstance(value, str) or not value.strip():
            raise ApiError(1102, f"Authorization cannot be empty: {field} is required (a string; clientSecret "
                                 "is your API key)")
    return Raw(code=1000, msg="OK", token=ctx.sim.issue_token(client_id, client_secret))


def _text(f: Fields, field: str, limit: int) -> str:
    text = f.str(field, required=True)
    if len(text) > limit:
        raise ParamError(f.name(field), f"must be at most {limit} characters")
    return text


def _ms(seconds: float) -> int:
    return int(seconds * 1000)


def _failure(ctx: Ctx, job: dict, status: int) -> dict:
    from .jobs import KINDS

    return {"error_code": KINDS[job["kind"]].error_code, "error_reason": job["error"]} if status == 4 else {}


def known_voice(ctx: Ctx, f: Fields, field: str = "voice_id", *, code: int = 1008) -> str:
    """A required voice id that is in the voice lists (official or a finished clone), else ``code`` naming the
    field: a typo is refused before a job exists, as the real service refuses it (docs: take it from the lists)."""
    voice_id = f.str(field, required=True)
    if ctx.sim.catalog.voice(voice_id) is None:
        from .routes_voicelab import _clone

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
    from .jobs import public_url

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


# ---------------------------------------------------------------- VoiceLab v4
def _page(ctx: Ctx, items: list) -> dict:
    page, size = query_int(ctx.query, "page", 1), query_int(ctx.query, "size", 10)
    return {"result": items[(page - 1) * size: page * size], "count": len(items), "page": page, "size": size}


def voice_list_v4(ctx: Ctx) -> dict:
    kind = query_choice(ctx.query, "type", ("1", "2"), required=True)
    query_choice(ctx.query, "support_stream", ("1", "2"))
    if kind == "1":  # your cloned voices (routes_voicelab)
        from .routes_voicelab import cloned_voice_items

        return _page(ctx, ctx.sim.catalog.find_voice_items(cloned_voice_items(ctx), ctx.query))
    voices = ctx.sim.catalog.find_voice_items(VOICES, ctx.query)
    return _page(ctx, [ctx.sim.catalog.v4_item(v) for v in voices])


def _voice_options(f: Fields) -> dict:
    o = f.sub("voice_options")
    if o is None:
        return {}
    for field in ("stability", "similarity_boost", "style"):
        o.num(field, lo=0, hi=1)
    o.num("speed", lo=0.7, hi=1.2)
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


def _tts_v4(ctx: Ctx, job: dict) -> dict:
    p, status = job["params"], ctx.sim.status_of(job)
    voice = ctx.sim.catalog.voice(p["voice_id"])
    done = status == 3
    return {"_id": job["id"], "create_time": _ms(job["created"]), "update_time": _ms(job["created"]), "uid": UID,
            "team_id": TEAM_ID, "input_text": p["input_text"], "rate": "100%",
            "preview": ctx.sim.result_url(job) if done else None, "status": status, "webhookUrl": p["webhookUrl"],
            "duration": _ms(job["result"]["duration"]) if done else 0, "file_name": f"{job['id']}.mp3",
            "gender": voice["gender"] if voice else "", "deduction_credit": round(len(p["input_text"]) * 0.0044, 4),
            "name": job["id"], "priority": 2, "language_code": p["language_code"], "__v": 0,
            "voice_id": p["voice_id"], "simulated": True, **_failure(ctx, job, status)}


def resource_detail_v4(ctx: Ctx) -> dict:
    job = ctx.sim.store.get_job(ctx.path_params["_id"], ("tts_v4", "voice_change"))
    if job is None:
        raise not_found(f"_id {ctx.path_params['_id']}")
    if job["kind"] == "voice_change":  # voice changer results (routes_voicelab)
        from .routes_voicelab import change_record

        return {"result": change_record(ctx, job)}
    return {"result": _tts_v4(ctx, job)}


def resource_list_v4(ctx: Ctx) -> dict:
    kind = query_choice(ctx.query, "type", ("1", "2"), required=True)
    if kind == "2":  # voice changer results (routes_voicelab)
        from .routes_voicelab import change_records

        return _page(ctx, change_records(ctx))
    jobs = ctx.sim.store.jobs(("tts_v4",))
    return _page(ctx, [_tts_v4(ctx, job) for job in jobs])


def translation_voices(ctx: Ctx) -> dict:
    """``GET /api/open/v4/voice/videoTranslation?language_code=&page=&size=``: the voices for a translation
    target language (undocumented; Akool's video-translation demo reads ``data.result``)."""
    from .routes_media import _language

    code = (ctx.query.get("language_code") or "").strip()
    lang = _language(code) if code else None
    if code and lang is None:
        raise ParamError("language_code", f"{code} is not a language of GET /api/open/v3/language/list")
    primary = lang[0].split("-")[0].lower() if lang else None
    voices = [v for v in VOICES if primary is None or v["locale"] == primary]
    return _page(ctx, [{**ctx.sim.catalog.v4_item(v), "language_code": lang[0] if lang else v["locale"]}
                       for v in voices])


ROUTES = [
    ("POST", "/api/open/v3/getToken", get_token, False),
    ("GET", "/api/open/v4/voice/videoTranslation", translation_voices, True),
    ("GET", "/api/open/v3/voice/list", voice_list_v3, True),
    ("POST", "/api/open/v3/audio/create", audio_create_v3, True),
    ("POST", "/api/open/v3/audio/clone", audio_clone_v3, True),
    ("GET", "/api/open/v3/audio/infobymodelid", audio_info_v3, True),
    ("GET", "/api/open/v4/voice/list", voice_list_v4, True),
    ("POST", "/api/open/v4/voice/tts", voice_tts_v4, True),
    ("GET", "/api/open/v4/voice/resource/detail/{_id}", resource_detail_v4, True),
    ("GET", "/api/open/v4/voice/resource/list", resource_list_v4, True),
]
