"""Video translation (catalog §B.14): create, the language list and the per-language voices.

Answers through ``_video``'s ``infobymodelid``. Each handler takes a :class:`~akool_nb.sim.validate.Ctx` and
returns the envelope's ``data`` (or raises ``ApiError``).
"""
from __future__ import annotations

import re
import uuid
from pathlib import Path

from ..catalog import VOICES
from ..jobs import InputError, Kind, _out, _video_result, fetch, register_kind
from ..state import TEAM_ID, UID
from ..validate import ApiError, Ctx, Fields, ParamError, body_object
from ._media import TRANSLATE, _assets_lock, _check_now, _err, _url_ext, video_limits
from ._video import register_record
from ._voice import _ms, _page


def translation_voices(ctx: Ctx) -> dict:
    """``GET /api/open/v4/voice/videoTranslation?language_code=&page=&size=``: the voices for a translation
    target language (undocumented; Akool's video-translation demo reads ``data.result``)."""

    code = (ctx.query.get("language_code") or "").strip()
    lang = _language(code) if code else None
    if code and lang is None:
        raise ParamError("language_code", f"{code} is not a language of GET /api/open/v3/language/list")
    primary = lang[0].split("-")[0].lower() if lang else None
    voices = [v for v in VOICES if primary is None or v["locale"] == primary]
    return _page(ctx, [{**ctx.sim.catalog.v4_item(v), "language_code": lang[0] if lang else v["locale"]}
                       for v in voices])


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

    from ..media_video import draw_tag, stable_seed

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
    from .. import media as base_media
    from .. import media_video as mv

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


register_kind(TRANSLATE, Kind("video_status", "video translate", render_translation, 1205))


register_record(TRANSLATE, lambda ctx, job, rec: translation_record(ctx.sim, job, rec))


ROUTES = [
    ("GET", "/api/open/v4/voice/videoTranslation", translation_voices, True),
    ("POST", "/api/open/v3/content/video/createbytranslate", translation_create, True),
    ("GET", "/api/open/v3/language/list", languages, True),
]
