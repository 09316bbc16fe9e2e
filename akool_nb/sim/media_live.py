"""Media for the offline Jarvis Moderator, streaming sessions and live face swap.

The offline Jarvis is a small, deterministic rule set that explains itself line by line, in the docs'
result format (``"- <label>: <why>\\nResult: <conclusion>"``):

* text — keyword lists for some of the docs' labels (advertising, violence, politics, sexual, contraband,
  profanity, religion, cyberbullying, harmful), plus the caller's own ``input`` words ("customized");
* images — colour statistics: a large blood-red area reads as violence, a uniform picture cannot be judged,
  and text embedded in the file (PNG text chunks, EXIF description) goes through the text rules;
* audio — silence detection ("silent audio"); the words are known only for speech the offline Akool made
  itself (the text it was made from), otherwise the speech is not assessed;
* video — a few frames through the image rules and the sound track through the audio rules.

Any label found makes the content Non-Compliant; nothing assessable gives Unknown; otherwise Compliant.
Nothing here is a real classifier, and every result says so.

Long because: the offline Jarvis rule set (labels, keyword lists, explanations) reads best in one place.
"""
from __future__ import annotations

import io
import re
import subprocess
import zipfile
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import numpy as np

from .jobs import InputError, fetch, open_image
from .validate import ext_of

# Keyword lists (whole words/phrases, case-insensitive). Labels follow the docs' list of checked content.
KEYWORDS: dict[str, tuple[str, ...]] = {
    "advertising": ("buy now", "click here", "limited offer", "limited time offer", "free money", "promo code",
                    "discount code", "order now", "act now", "visit our website"),
    "violence": ("kill", "killing", "murder", "shoot", "shooting", "stab", "bomb", "massacre", "behead",
                 "terrorist", "gun"),
    "politics": ("overthrow the government", "coup", "rigged election", "propaganda", "regime change"),
    "sexual": ("porn", "pornography", "nude", "nudes", "sex", "xxx", "explicit content"),
    "contraband": ("cocaine", "heroin", "meth", "counterfeit", "smuggle", "smuggling", "illegal drugs"),
    "profanity": ("damn", "crap", "shit", "fuck", "bastard", "bitch"),
    "religion": ("infidel", "heretic", "blasphemy", "blasphemous"),
    "cyberbullying": ("loser", "idiot", "nobody likes you", "worthless", "shut up", "you are stupid"),
    "harmful": ("suicide", "self-harm", "kill yourself", "overdose", "how to make a bomb"),
}
TEXT_URL_EXTS = (".txt", ".docx", ".xml", ".pdf", ".csv", ".md", ".json")
IMAGE_LIMIT, AUDIO_LIMIT, VIDEO_LIMIT = 20 * 1024 * 1024, 25 * 1024 * 1024, 1024 * 1024 * 1024
AUDIO_MAX_S, VIDEO_MAX_LINES = 3600.0, 1080
RED_LIMIT, BLANK_STD, SILENCE_DB = 0.25, 3.0, -50.0
NOTE = "offline rules (akool_nb simulated Jarvis), not Akool's model"


@dataclass
class Report:
    """What the rules found: labelled lines, notes, and whether anything could be assessed at all."""

    findings: list[tuple[str, str]] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)
    assessed: bool = False

    def merge(self, other: "Report", prefix: str = "") -> None:
        self.findings += [(k, prefix + v) for k, v in other.findings]
        self.notes += [(k, prefix + v) for k, v in other.notes]
        self.assessed = self.assessed or other.assessed

    @property
    def conclusion(self) -> str:
        if self.findings:
            return "Non-Compliant"
        return "Compliant" if self.assessed else "Unknown"

    def render(self) -> dict:
        lines = [f"- {label}: {why}" for label, why in self.findings + self.notes]
        lines.append(f"- method: {NOTE}")
        return {"result": "\n".join(lines + [f"Result: {self.conclusion}"]), "final_conclusion": self.conclusion,
                "labels": sorted({label for label, _ in self.findings})}


# --------------------------------------------------------------------------------------------- text
def _custom_terms(user_input: str | None) -> list[str]:
    return [t.strip() for t in re.split(r"[,;\n]", user_input or "") if t.strip()]


def check_text(text: str, user_input: str | None = None, language: str | None = None, *,
               source: str = "text") -> Report:
    report = Report()
    words = text.strip()
    if not words:
        report.notes.append(("empty", f"the {source} has no words to assess"))
        return report
    report.assessed = True
    lists = dict(KEYWORDS)
    custom = _custom_terms(user_input)
    if custom:
        lists["customized"] = tuple(custom)
    for label, terms in lists.items():
        hits = []
        for term in terms:
            n = len(re.findall(rf"(?<!\w){re.escape(term)}(?!\w)", words, flags=re.IGNORECASE))
            if n:
                hits.append(f'"{term}"' + (f" ({n}×)" if n > 1 else ""))
        if hits:
            what = "your input words" if label == "customized" else f"the {label} keyword list"
            report.findings.append((label, f"the {source} matched {', '.join(hits)} from {what}"))
    if not report.findings:
        report.notes.append(("no label", f"{len(words)} characters of {source} matched none of the "
                                         f"{len(lists)} keyword lists ({', '.join(lists)})"))
    if language and language.lower() != "en":
        report.notes.append(("language", f"the keyword lists are English; language {language!r} was "
                                         "checked with them anyway"))
    return report


def _strip_tags(markup: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", markup))


def _pdf_text(data: bytes) -> str:
    """Text shown by a simple PDF: the strings of its (possibly Flate-compressed) content streams."""
    chunks = [data]
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", data, flags=re.S):
        try:  # a decompressor object ignores the end-of-line bytes after the data
            chunks.append(zlib.decompressobj().decompress(match.group(1)))
        except zlib.error:
            pass
    out = []
    for chunk in chunks:
        for s in re.findall(rb"\(((?:\\.|[^\\)])*)\)\s*(?:Tj|'|\")", chunk) + \
                [t for arr in re.findall(rb"\[(.*?)\]\s*TJ", chunk, flags=re.S)
                 for t in re.findall(rb"\(((?:\\.|[^\\)])*)\)", arr)]:
            out.append(re.sub(rb"\\(.)", rb"\1", s).decode("latin-1"))
    return " ".join(out)


def document_text(path: Path, suffix: str) -> str:
    data = path.read_bytes()
    if suffix == ".docx":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                return _strip_tags(z.read("word/document.xml").decode("utf-8", "replace"))
        except (zipfile.BadZipFile, KeyError):
            raise InputError("content is not a readable .docx document") from None
    if suffix == ".pdf":
        return _pdf_text(data)
    text = data.decode("utf-8", "replace")
    return _strip_tags(text) if suffix == ".xml" else text


# -------------------------------------------------------------------------------------------- image
def image_stats(rgb: np.ndarray) -> dict:
    r, g, b = (rgb[..., i].astype(np.float32) for i in range(3))
    lum = 0.299 * r + 0.587 * g + 0.114 * b
    red = (r > 140) & (g < 80) & (b < 80) & (r - np.maximum(g, b) > 80)
    return {"red": float(red.mean()), "std": float(lum.std()), "brightness": float(lum.mean())}


def check_pixels(rgb: np.ndarray, where: str = "the picture") -> Report:
    s = image_stats(rgb)
    report = Report()
    if s["red"] > RED_LIMIT:
        report.findings.append(("violence", f"{s['red']:.0%} of {where} is saturated blood-red "
                                            f"(threshold {RED_LIMIT:.0%})"))
        report.assessed = True
    elif s["std"] < BLANK_STD:
        report.notes.append(("blank", f"{where} is uniform (contrast {s['std']:.1f}); nothing to assess"))
    else:
        report.assessed = True
        report.notes.append(("no label", f"{where}: blood-red area {s['red']:.0%} (< {RED_LIMIT:.0%}), "
                                         f"brightness {s['brightness']:.0f}/255, contrast {s['std']:.0f}"))
    return report


def _embedded_text(img: Any) -> str:
    parts = [str(v) for k, v in (img.info or {}).items() if isinstance(v, str) and k.lower() not in ("icc_profile",)]
    try:
        exif = img.getexif()
        parts += [str(exif.get(tag)) for tag in (0x010E, 0x9286) if exif.get(tag)]  # ImageDescription, UserComment
    except Exception:
        pass
    return " ".join(parts)


def check_image(path: Path, user_input: str | None) -> Report:
    if path.stat().st_size > IMAGE_LIMIT:
        raise InputError(f"content is {path.stat().st_size / 1048576:.1f}MB; images are limited to 20MB")
    img = open_image(path, "content")
    if (img.format or "").upper() not in ("PNG", "JPEG", "WEBP", "GIF"):
        raise InputError(f"content is a {img.format or 'unknown'} image; Jarvis takes PNG, JPEG, WEBP and "
                         "non-animated GIF")
    if getattr(img, "is_animated", False):
        raise InputError("content is an animated GIF; Jarvis takes non-animated GIFs only")
    small = img.convert("RGB")
    small.thumbnail((160, 160))
    report = check_pixels(np.asarray(small), f"the {img.width}x{img.height} picture")
    text = _embedded_text(img)
    if text.strip():
        words = check_text(text, user_input, source="text embedded in the image")
        report.findings += words.findings
    elif _custom_terms(user_input):
        report.notes.append(("customized", "your input words can only be matched in text; the picture has none"))
    return report


# -------------------------------------------------------------------------------------------- audio
@lru_cache(maxsize=1)
def _ffmpeg() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def probe(path: Path) -> str:
    """ffmpeg's banner for ``path`` (the package's one probe reads the same text: akool_nb.media.probe)."""
    from akool_nb.media.probe import banner

    return banner(path)


def pcm(path: Path, rate: int = 16000) -> np.ndarray:
    out = subprocess.run([_ffmpeg(), "-hide_banner", "-loglevel", "error", "-i", str(path), "-vn", "-ac", "1",
                          "-ar", str(rate), "-f", "s16le", "-"], capture_output=True, stdin=subprocess.DEVNULL)
    if out.returncode != 0:
        raise InputError("content could not be decoded as audio")
    return np.frombuffer(out.stdout, dtype="<i2").astype(np.float32) / 32768.0


def check_sound(samples: np.ndarray, rate: int, transcript: str | None, user_input: str | None,
                language: str | None, where: str = "the audio") -> Report:
    report = Report()
    seconds = len(samples) / rate
    win = max(1, rate // 20)  # 50 ms windows
    n = max(1, len(samples) // win)
    frames = samples[: n * win].reshape(n, -1) if len(samples) >= win else samples.reshape(1, -1)
    rms = np.sqrt(np.mean(frames ** 2, axis=1) + 1e-12)
    db = 20 * np.log10(rms + 1e-12)
    silent = float((db < SILENCE_DB).mean()) if len(db) else 1.0
    if silent > 0.95:
        report.findings.append(("silent audio", f"{silent:.0%} of {seconds:.1f} s of {where} is below "
                                                f"{SILENCE_DB:.0f} dBFS"))
        report.assessed = True
        return report
    loud = float(20 * np.log10(np.sqrt(np.mean(samples ** 2)) + 1e-12))
    if transcript:
        words = check_text(transcript, user_input, language, source=f"speech in {where}")
        report.merge(words)
        report.notes.append(("transcript", f"known words of {where}: the offline Akool made this speech from "
                                           f"{transcript[:80]!r}"))
    else:
        report.notes.append(("speech", f"{seconds:.1f} s of sound ({loud:.0f} dBFS) in {where}; words are not "
                                       "transcribed offline, so the speech itself was not assessed"))
    return report


def known_transcript(sim, url: str, depth: int = 0) -> str | None:
    """The words of speech the offline Akool made itself: its TTS text, followed through the media made from
    it (a talking photo's ``audio_url``, a talking avatar's audio element)."""
    if depth > 3 or not url:
        return None
    p = urlparse(url)
    if sim.local_file_for_url(url) is None:
        return None
    m = re.match(r"^/_sim/files/results/([0-9a-f]{24})/", unquote(p.path))
    job = sim.store.get_job(m.group(1)) if m else None
    if job is None:
        return None
    params = job["params"]
    if params.get("input_text"):
        return str(params["input_text"])
    for el in params.get("elements") or []:
        if isinstance(el, dict) and el.get("type") == "audio":
            if el.get("input_text"):
                return str(el["input_text"])
            if el.get("url"):
                return known_transcript(sim, el["url"], depth + 1)
    for key in ("audio_url", "audio", "url"):
        if isinstance(params.get(key), str):
            found = known_transcript(sim, params[key], depth + 1)
            if found:
                return found
    return None


def check_audio(sim, path: Path, url: str, user_input: str | None, language: str | None) -> Report:
    if path.stat().st_size > AUDIO_LIMIT:
        raise InputError(f"content is {path.stat().st_size / 1048576:.1f}MB; audio is limited to 25MB")
    samples = pcm(path)
    if len(samples) / 16000 > AUDIO_MAX_S:
        raise InputError(f"content lasts {len(samples) / 16000 / 60:.0f} min; audio is limited to 60 minutes")
    return check_sound(samples, 16000, known_transcript(sim, url), user_input, language)


# -------------------------------------------------------------------------------------------- video
def check_video(sim, path: Path, url: str, user_input: str | None, language: str | None) -> Report:
    if path.stat().st_size > VIDEO_LIMIT:
        raise InputError("content is larger than 1024MB, the video limit")
    info = probe(path)
    m = re.search(r"Video:.*?(\d{2,5})x(\d{2,5})", info)
    if m is None:
        raise InputError("content is not a video this service can read (mp4, avi)")
    w, h = int(m.group(1)), int(m.group(2))
    if min(w, h) > VIDEO_MAX_LINES:
        raise InputError(f"content is {w}x{h}; Jarvis takes video up to 1080p")
    d = re.search(r"Duration:\s*(\d+):(\d+):(\d+(?:\.\d+)?)", info)
    duration = int(d.group(1)) * 3600 + int(d.group(2)) * 60 + float(d.group(3)) if d else 0.0
    report = Report()
    size, count = 96, 4
    rate = count / duration if duration > 0 else 1
    raw = subprocess.run([_ffmpeg(), "-hide_banner", "-loglevel", "error", "-i", str(path), "-vf",
                          f"fps={rate:.6f},scale={size}:{size}", "-frames:v", str(count), "-pix_fmt", "rgb24",
                          "-f", "rawvideo", "-"], capture_output=True, stdin=subprocess.DEVNULL).stdout
    frames = np.frombuffer(raw, dtype=np.uint8)[: len(raw) // (size * size * 3) * size * size * 3]
    frames = frames.reshape(-1, size, size, 3)
    if not len(frames):
        raise InputError("content has no decodable video frames")
    for i, frame in enumerate(frames):
        at = (i + 0.5) / rate if duration > 0 else 0.0
        report.merge(check_pixels(frame, f"the frame at {at:.1f} s"))
    if "Audio:" in info:
        report.merge(check_sound(pcm(path), 16000, known_transcript(sim, url), user_input, language,
                                 where="the sound track"))
    else:
        report.notes.append(("sound", "the video has no sound track"))
    report.notes.insert(0, ("video", f"{w}x{h}, {duration:.1f} s; {len(frames)} frames checked"))
    return report


# ------------------------------------------------------------------------------------------- render
def render_moderation(sim, job: dict, work: Path) -> dict:
    """The job renderer: fetch the content if it is a URL, apply the rules, return the analysis."""
    p = job["params"]
    kind, content = p["type"], p["content"]
    user_input, language = p.get("input"), p.get("language")
    if kind == 4 and not re.match(r"^https?://", content.strip()):
        report = check_text(content, user_input, language)
    else:
        path = fetch(sim, content, work, "content")
        if kind == 4:
            suffix = ext_of(content) or path.suffix.lower()
            report = check_text(document_text(path, suffix), user_input, language,
                                source=f"{suffix or 'text'} document")
        elif kind == 1:
            report = check_image(path, user_input)
        elif kind == 3:
            report = check_audio(sim, path, content, user_input, language)
        else:
            report = check_video(sim, path, content, user_input, language)
    return report.render()


# ----------------------------------------------------------------------------------------- previews
def landmarks(opts: str) -> list[tuple[int, int]]:
    return [(int(x), int(y)) for x, y in (pt.split(",") for pt in opts.split(":"))]


def render_faceswap_preview(sim, job: dict, work: Path) -> dict:
    """Live face swap: each source face, cropped around its landmarks with the points drawn, side by side."""
    from PIL import Image, ImageDraw

    from .media import sim_label

    tiles = []
    for i, item in enumerate(job["params"]["sourceImage"]):
        label = f"sourceImage[{i}].path"
        img = open_image(fetch(sim, item["path"], work, label), label).convert("RGB")
        pts = landmarks(item["opts"])
        if any(not (0 <= x < img.width and 0 <= y < img.height) for x, y in pts):
            raise InputError(f"sourceImage[{i}].opts {item['opts']} lies outside the {img.width}x{img.height} "
                             "image; pass the landmarks face detection found in this image")
        xs, ys = [x for x, _ in pts], [y for _, y in pts]
        span = max(max(xs) - min(xs), max(ys) - min(ys), 8)
        cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
        half = span * 1.3
        box = (int(max(0, cx - half)), int(max(0, cy - half)), int(min(img.width, cx + half)),
               int(min(img.height, cy + half)))
        crop = img.crop(box)
        d = ImageDraw.Draw(crop)
        r = max(2, int(span / 25))
        for x, y in pts:
            x, y = x - box[0], y - box[1]
            d.ellipse((x - r, y - r, x + r, y + r), outline=(255, 214, 0), width=max(1, r // 2))
        crop.thumbnail((192, 192))
        tiles.append(crop)
    strip = Image.new("RGB", (sum(t.width for t in tiles) + 8 * (len(tiles) - 1), max(t.height for t in tiles)),
                      (24, 24, 28))
    x = 0
    for tile in tiles:
        strip.paste(tile, (x, 0))
        x += tile.width + 8
    if strip.width < 240:  # room for the label
        strip = strip.resize((240, max(1, strip.height * 240 // strip.width)))
    strip = sim_label(strip, "SIMULATED · live face swap")
    version = job["params"].get("version", 0)
    out = sim.files_dir / "results" / job["id"] / f"faces_{version}.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    strip.save(out)
    return {"file": sim.rel_of(out), "faces": len(tiles), "version": version}


def render_session_preview(sim, job: dict, work: Path) -> dict:
    """Streaming session: a still of the avatar in front of its background (what the stream would show)."""
    from PIL import Image

    from .media import sim_label

    p = job["params"]
    width, height = (320, 180) if sim.fast else (640, 360)
    if p.get("background_url"):
        bg = open_image(fetch(sim, p["background_url"], work, "background_url"), "background_url") \
            if ext_of(p["background_url"]) not in (".mp4", ".mov", ".avi", ".webm") else None
        if bg is None:
            from .jobs import still_of

            bg = still_of(fetch(sim, p["background_url"], work, "background_url"), work, "background_url")
        canvas = bg.convert("RGB").resize((width, height))
    else:
        canvas = Image.new("RGB", (width, height), (30, 36, 48))
    avatar_rel = job["extra"].get("avatar_image")
    if avatar_rel:
        from PIL import ImageDraw

        face = open_image(sim.files_dir / avatar_rel, "avatar").convert("RGB")
        side = int(height * 0.8)
        face = face.resize((side, side))
        mask = Image.new("L", (side, side), 0)
        ImageDraw.Draw(mask).ellipse((0, 0, side - 1, side - 1), fill=255)
        canvas.paste(face, ((width - side) // 2, (height - side) // 2), mask)
    still = sim_label(canvas, "SIMULATED · streaming avatar (no stream offline)")
    out = sim.files_dir / "results" / job["id"] / "preview.jpg"
    out.parent.mkdir(parents=True, exist_ok=True)
    still.save(out, quality=85)
    return {"file": sim.rel_of(out)}
