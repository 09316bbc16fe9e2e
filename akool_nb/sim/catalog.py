"""The offline catalogue: Akool voices (VoiceLab v4 and v3 lists) and official avatars.

Everything here is simulated and says so: names end with " (sim)" and items carry ``simulated: true``.
Voice previews are synthesized on first request of their file. Official avatars are made once per data
directory by ``media.make_avatar_assets`` in a background thread started with the service.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import threading
import time
from pathlib import Path
from typing import Any

log = logging.getLogger("akool_nb.sim")

# (voice_id, name, gender, language, locale, accent, age, style, scenario, model, sample text)
_VOICES = [
    ("6889b628662160e2caad5dbc", "Aria", "Female", "English", "en", "American", ["Young"], ["Calm", "Confident"],
     ["Education", "Advertisement"], 1, "Hello! I am Aria, a simulated Akool voice for your offline projects."),
    ("akoolsim0en0marcus", "Marcus", "Male", "English", "en", "British", ["Middle"], ["Authoritative", "Deep"],
     ["Advertisement", "News"], 3, "Good evening. This is Marcus with a short simulated news update."),
    ("akoolsim0en0eleanor", "Eleanor", "Female", "English", "en", "Australian", ["Elderly"], ["Warm", "Calm"],
     ["Audiobook", "Storytelling"], 2, "Once upon a time, in a quiet village, a story was waiting to be told."),
    ("akoolsim0en0leo", "Leo", "Male", "English", "en", "American", ["Young"], ["Enthusiastic", "Friendly"],
     ["Social Media", "Advertisement"], 1, "Hey everyone, Leo here! Let's make something awesome today."),
    ("akoolsim0es0sofia", "Sofía", "Female", "Spanish", "es", "Mexican", ["Young"], ["Friendly", "Calm"],
     ["Education", "Customer Service"], 4, "Hola, soy Sofía. Bienvenidos a esta demostración simulada."),
    ("akoolsim0es0mateo", "Mateo", "Male", "Spanish", "es", "Castilian", ["Middle"], ["Authoritative"],
     ["News", "Education"], 2, "Buenas tardes, les habla Mateo con las noticias del día."),
    ("akoolsim0fr0camille", "Camille", "Female", "French", "fr", "Parisian", ["Middle"], ["Calm", "Elegant"],
     ["Audiobook", "Advertisement"], 1, "Bonjour, je m'appelle Camille. Ceci est une voix simulée."),
    ("akoolsim0de0lukas", "Lukas", "Male", "German", "de", "Standard German", ["Middle"], ["Confident", "Deep"],
     ["Education", "News"], 3, "Guten Tag, ich bin Lukas, eine simulierte Stimme."),
    ("akoolsim0zh0mei", "Mei", "Female", "Chinese", "zh", "Mandarin", ["Young"], ["Friendly", "Enthusiastic"],
     ["Customer Service", "Social Media"], 3, "你好，我是美，一个模拟的声音。"),
    ("akoolsim0ja0haruto", "Haruto", "Male", "Japanese", "ja", "Tokyo", ["Young"], ["Calm"],
     ["Education", "Storytelling"], 3, "こんにちは、ハルトです。これはシミュレーションの声です。"),
    ("akoolsim0pt0ana", "Ana", "Female", "Portuguese", "pt", "Brazilian", ["Middle"], ["Warm", "Friendly"],
     ["Advertisement", "Customer Service"], 4, "Olá, eu sou a Ana. Esta é uma voz simulada do Brasil."),
    ("akoolsim0hi0priya", "Priya", "Female", "Hindi", "hi", "Indian", ["Young"], ["Enthusiastic"],
     ["Education", "Social Media"], 2, "नमस्ते, मैं प्रिया हूँ। यह एक नकली आवाज़ है।"),
    # The docs' v3 TTS example voice (B.4.2): listed, so the docs' own example still works when unknown
    # voice ids are refused.
    ("LcfcDJNUP1GQjkzn1xUU", "Rachel", "Female", "English", "en", "American", ["Middle"], ["Calm"],
     ["Education", "Audiobook"], 1, "Hi, I am Rachel, the simulated voice of the docs' example."),
]
_CREATED = 1751608916162  # a fixed, plausible create_time (ms)


def stable_id(*parts: str) -> str:
    return hashlib.md5("/".join(parts).encode()).hexdigest()[:24]


def _voice(row: tuple) -> dict:
    vid, name, gender, language, locale, accent, age, style, scenario, model, text = row
    return {
        "_id": stable_id("voice", vid), "voice_id": vid, "name": f"{name} (sim)", "gender": gender,
        "language": language, "locale": locale, "accent": accent, "age": age, "style": style,
        "scenario": scenario, "voice_model_name": f"Akool Multilingual {model}",
        "support_stream": model in (1, 3), "text": text, "duration": round(len(text) / 14 * 1000),
    }


VOICES = [_voice(row) for row in _VOICES]
_PREVIEW = re.compile(r"^catalog/voices/([A-Za-z0-9]+)\.mp3$")


class Catalog:
    def __init__(self, sim):
        self.sim = sim
        self._avatars: list[dict] | None = None
        self.avatar_error = ""
        self._ready = threading.Event()
        self._file_lock = threading.Lock()

    # ---------------------------------------------------------------- voices
    def voice(self, voice_id: str | None) -> dict | None:
        return next((v for v in VOICES if voice_id in (v["voice_id"], v["_id"])), None)

    def language_of(self, voice_id: str | None, default: str = "en") -> str:
        v = self.voice(voice_id)
        return v["locale"] if v else default

    def preview_url(self, voice: dict) -> str:
        return self.sim.url_for(f"catalog/voices/{voice['voice_id']}.mp3")

    def v4_item(self, v: dict) -> dict:
        keep = ("_id", "voice_id", "gender", "language", "locale", "name", "text", "duration", "style",
                "scenario", "age", "voice_model_name", "support_stream")
        return {**{k: v[k] for k in keep}, "uid": 0, "team_id": "", "preview": self.preview_url(v), "status": 3,
                "create_time": _CREATED, "update_time": _CREATED, "deduction_credit": 0, "webhookUrl": "",
                "simulated": True}

    def v3_item(self, v: dict) -> dict:
        return {"_id": v["_id"], "voice_id": v["voice_id"], "preview": self.preview_url(v), "name": v["name"],
                "gender": v["gender"], "accent": v["accent"], "from": 3, "language": v["language"],
                "description": f"{v['language']} {v['gender'].lower()} voice, {', '.join(v['style']).lower()}",
                "useCase": ", ".join(v["scenario"]), "create_time": _CREATED, "simulated": True}

    # --------------------------------------------------------------- avatars
    def start(self) -> None:
        threading.Thread(target=self._make_avatars, name="akool-sim-avatars", daemon=True).start()

    def _make_avatars(self) -> None:
        out_dir = self.sim.files_dir / "catalog" / ("avatars-fast" if self.sim.fast else "avatars")
        manifest = out_dir / "manifest.json"
        try:
            if manifest.is_file():
                self._avatars = json.loads(manifest.read_text())
            else:
                from . import media

                made = media.make_avatar_assets(out_dir, fast=self.sim.fast)
                self._avatars = [self._record(a) for a in made]
                manifest.write_text(json.dumps(self._avatars, indent=1))
        except Exception as exc:  # the service still works without official avatars
            self.avatar_error = f"{type(exc).__name__}: {exc}"
            log.warning("offline Akool: could not make the official avatars: %s", self.avatar_error)
            self._avatars = []
        finally:
            self._ready.set()

    def _record(self, a: dict) -> dict:
        name = str(a["name"])
        rec = {"_id": stable_id("avatar", str(a["avatar_id"])), "avatar_id": str(a["avatar_id"]),
               "name": name if name.endswith("(sim)") else f"{name} (sim)", "gender": str(a.get("gender", ""))}
        for key in ("image", "video", "poster", "layer"):
            rec[key] = self.sim.rel_of(Path(a[key]))
        return rec

    def avatars(self, timeout: float = 300.0) -> list[dict]:
        """The official avatars (waits for them to be made on first use)."""
        self._ready.wait(timeout)
        return list(self._avatars or [])

    def avatar(self, avatar_id: str) -> dict | None:
        return next((a for a in self.avatars() if avatar_id in (a["avatar_id"], a["_id"])), None)

    def avatar_item(self, a: dict) -> dict:
        return {"_id": a["_id"], "name": a["name"], "avatar_id": a["avatar_id"], "url": self.sim.url_for(a["video"]),
                "gender": a["gender"], "thumbnailUrl": self.sim.url_for(a["poster"]), "from": 2, "type": 1,
                "status": 3, "uid": 0, "create_time": _CREATED, "simulated": True}

    # ------------------------------------------------------------ lazy files
    def make_lazy_file(self, rel: str, path: Path) -> None:
        m = _PREVIEW.match(rel)
        voice = self.voice(m.group(1)) if m else None
        if voice is None:
            return
        from . import media

        with self._file_lock:
            if path.is_file():
                return
            tmp = path.with_name(f"{path.stem}.{os.getpid()}.{time.time_ns()}.tmp.mp3")
            media.synthesize_speech(voice["text"], tmp, language=voice["locale"], fast=self.sim.fast)
            os.replace(tmp, path)

    def find_voice_items(self, voices: list[dict], query: dict[str, Any]) -> list[dict]:
        """VoiceLab list filters: comma-separated style/gender/age/scenario (any match), fuzzy name,
        support_stream 1|2."""
        out = voices
        for field in ("style", "gender", "age", "scenario"):
            wanted = {w.strip().lower() for w in (query.get(field) or "").split(",") if w.strip()}
            if wanted:
                def match(v: dict, field: str = field, wanted: set = wanted) -> bool:
                    have = v[field] if isinstance(v[field], list) else [v[field]]
                    return bool(wanted & {h.lower() for h in have})
                out = [v for v in out if match(v)]
        name = (query.get("name") or "").strip().lower()
        if name:
            out = [v for v in out if name in v["name"].lower()]
        stream = query.get("support_stream")
        if stream in ("1", "2"):
            out = [v for v in out if v["support_stream"] == (stream == "1")]
        return out
