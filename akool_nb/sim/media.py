"""Media makers for the offline Akool: real files, made locally, marked as simulated.

Everything the offline service hands back (speech, talking photos, avatar
videos, layout renders) is produced here with Pillow, numpy and the ffmpeg
binary bundled by imageio-ffmpeg.  Video is encoded by piping raw frames to
ffmpeg, never by moviepy frame loops: on a 2-core machine that is the
difference between ~1 s and ~10 s per clip.  Every picture carries a
"SIMULATED" badge so nobody mistakes an offline result for Akool's output.
"""

from __future__ import annotations

import math
import re
import shutil
import subprocess
import tempfile
import wave
import zlib
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable, Iterator

import numpy as np
from PIL import Image, ImageDraw, ImageFont, ImageOps

LABEL = "SIMULATED · akool_nb offline Akool"
LABEL_FAST = "SIMULATED · fast preview · akool_nb offline Akool"  # render="fast": smaller than Akool's output
SPEECH_TITLE = "akool_nb simulated speech"


# --------------------------------------------------------------------- ffmpeg
from akool_nb.media.probe import banner, ffmpeg_exe as _ffmpeg_exe, parse_duration  # noqa: E402  (one probe)


def _ffmpeg(args: list[str], *, frames: Iterable[bytes] | None = None) -> bytes:
    """Run ffmpeg with ``args``; optionally stream raw ``frames`` to its stdin.

    Returns stdout.  Raises RuntimeError carrying the tail of ffmpeg's stderr,
    which is where the only useful diagnosis lives.
    """
    cmd = [_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *args]
    if frames is None:
        proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True)
        rc, err, out = proc.returncode, proc.stderr, proc.stdout
    else:
        # stderr goes to a temp file so a chatty ffmpeg can never deadlock us.
        with tempfile.TemporaryFile() as errf:
            proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=errf)
            assert proc.stdin is not None
            try:
                for chunk in frames:
                    proc.stdin.write(chunk)
            except BrokenPipeError:
                pass  # ffmpeg died; its stderr below says why
            except BaseException:  # our frame source failed: don't leave ffmpeg behind
                proc.kill()
                proc.wait()
                raise
            finally:
                proc.stdin.close()
            rc, out = proc.wait(), b""
            errf.seek(0)
            err = errf.read()
    if rc != 0:
        tail = err.decode("utf-8", "replace").strip()[-1500:]
        raise RuntimeError(f"ffmpeg failed (exit {rc}): {tail}")
    return out


def media_duration(path: Path) -> float:
    """Duration in seconds of an audio or video file."""
    path = Path(path)
    if path.suffix.lower() == ".wav":
        with wave.open(str(path), "rb") as w:
            return w.getnframes() / float(w.getframerate())
    text = banner(path)
    seconds = parse_duration(text)
    if seconds is None:  # e.g. "Duration: N/A" on raw streams: decode and read the clock
        if "Invalid data" in text or "No such file" in text:
            raise RuntimeError(f"cannot read media {path}: {text.strip()[-300:]}")
        full = subprocess.run([_ffmpeg_exe(), "-hide_banner", "-i", str(path), "-f", "null", "-"], capture_output=True, stdin=subprocess.DEVNULL)
        times = re.findall(r"time=(\d+):(\d+):(\d+(?:\.\d+)?)", full.stderr.decode("utf-8", "replace"))
        if not times:
            raise RuntimeError(f"cannot determine duration of {path}")
        m_h, m_m, m_s = times[-1]
        return int(m_h) * 3600 + int(m_m) * 60 + float(m_s)
    return seconds


# ---------------------------------------------------------------------- label
def _badge(size: tuple[int, int], text: str) -> tuple[Image.Image, tuple[int, int]]:
    """The translucent label badge and its bottom-right position for ``size``."""
    w, h = size
    fs = max(9, round(min(w, h) * 0.04))
    font = ImageFont.load_default(size=fs)
    while fs > 6 and font.getbbox(text)[2] > 0.86 * w:  # keep it inside narrow frames
        fs -= 1
        font = ImageFont.load_default(size=fs)
    x0, y0, x1, y1 = font.getbbox(text)
    pad = max(3, fs // 2)
    bw, bh = x1 - x0 + 2 * pad + pad // 2, y1 - y0 + 2 * pad
    badge = Image.new("RGBA", (bw, bh), (0, 0, 0, 0))
    d = ImageDraw.Draw(badge)
    d.rounded_rectangle((0, 0, bw - 1, bh - 1), radius=pad, fill=(10, 10, 14, 165))
    d.rectangle((0, pad // 2, max(2, pad // 3), bh - 1 - pad // 2), fill=(235, 60, 60, 230))  # accent stripe
    d.text((pad + pad // 2 - x0, pad - y0), text, font=font, fill=(255, 255, 255, 240))
    margin = max(4, fs // 2)
    return badge, (max(0, w - bw - margin), max(0, h - bh - margin))


def sim_label(img: Image.Image, text: str = LABEL) -> Image.Image:
    """Copy of ``img`` with a semi-transparent "simulated" badge bottom-right."""
    out = img.copy() if img.mode in ("RGB", "RGBA") else img.convert("RGB")
    badge, pos = _badge(out.size, text)
    if out.mode == "RGBA":
        out.alpha_composite(badge, pos)
    else:
        out.paste(badge, pos, badge)
    return out


# --------------------------------------------------------------------- speech
_ALIASES = {"zh": "cmn", "zh-cn": "cmn", "zh-hans": "cmn", "zh-tw": "cmn", "zh-hk": "yue", "jp": "ja", "iw": "he", "no": "nb"}


@lru_cache(maxsize=1)
def _espeak_languages() -> frozenset[str]:
    out = subprocess.run(["espeak-ng", "--voices"], capture_output=True, text=True).stdout
    return frozenset(line.split()[1].lower() for line in out.splitlines()[1:] if len(line.split()) > 1)


def _espeak_voice(language: str) -> str:
    known = _espeak_languages()
    code = (language or "en").strip().lower().replace("_", "-")
    for cand in (code, _ALIASES.get(code), code.split("-")[0], _ALIASES.get(code.split("-")[0])):
        if cand and cand in known:
            return cand
    return "en"


def _standin_speech(text: str, rate: int, speed: float) -> np.ndarray:
    """Speech-like stand-in: voiced syllable bursts with a falling pitch contour.

    Each character gets 1/(14*speed) s so length follows the text like real
    speech; spaces and punctuation become pauses.
    """
    slot = 1.0 / (14.0 * max(speed, 0.1))
    rng = np.random.default_rng(zlib.crc32(text.encode()))
    formants = {"a": (800, 1200), "e": (500, 1900), "i": (300, 2300), "o": (500, 900), "u": (350, 800)}
    # Tokenise into (kind, chars): syllables of <=3 letters, or pauses.
    events: list[tuple[str, str]] = []
    for word in re.findall(r"\w+|\s+|[^\w\s]", text):
        if word[0].isalnum() or word[0] == "_":
            events += [("syl", word[i : i + 3]) for i in range(0, len(word), 3)]
        else:
            events.append(("pause", word))
    total = sum(len(c) * slot * (3.0 if k == "pause" and c.strip() in {".", "!", "?"} else 1.0) for k, c in events)
    out = np.zeros(int(math.ceil(total * rate)) + 1, dtype=np.float32)
    t, phrase_start = 0.0, 0.0
    for kind, chars in events:
        if kind == "pause":
            big = chars.strip() in {".", "!", "?"}
            t += len(chars) * slot * (3.0 if big else 1.0)
            if big or chars.strip() in {",", ";", ":"}:
                phrase_start = t  # pitch resets after a phrase break
            continue
        dur = len(chars) * slot
        n = max(8, int(dur * rate))
        u = np.linspace(0.0, 1.0, n, dtype=np.float32)
        decl = 1.1 - 0.25 * min(1.0, (t - phrase_start) / 2.5)  # declination across a phrase
        f0 = 135.0 * decl * (1.0 + 0.07 * np.sin(np.pi * u) + rng.uniform(-0.05, 0.05))
        phase = 2 * np.pi * np.cumsum(f0) / rate
        vowel = next((c for c in chars.lower() if c in formants), "a")
        f1, f2 = formants[vowel]
        wave_ = np.zeros(n, dtype=np.float32)
        for k in range(1, 12):  # harmonics shaped by two vowel formants
            fk = k * float(f0.mean())
            amp = (math.exp(-(((fk - f1) / 250) ** 2)) + 0.6 * math.exp(-(((fk - f2) / 350) ** 2)) + 0.15) / k
            wave_ += amp * np.sin(k * phase).astype(np.float32)
        env = np.minimum(1.0, np.minimum(u * dur / 0.02, (1 - u) * dur / 0.05))
        if not chars[0].lower() in "aeiou":  # consonant onset: a short noise burst
            burst = min(n, int(0.025 * rate))
            wave_[:burst] += rng.normal(0, 0.25, burst).astype(np.float32)
        i0 = int(t * rate)
        seg = (wave_ * env)[: len(out) - i0]
        out[i0 : i0 + len(seg)] += seg
        t += dur
    peak = float(np.abs(out).max()) or 1.0
    return out * (0.6 / peak)


def _write_wav(path: Path, samples: np.ndarray, rate: int) -> None:
    pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())


def synthesize_speech(text: str, out_path: Path, *, language: str = "en", speed: float = 1.0, fast: bool = False) -> float:
    """Write speech for ``text`` to ``out_path`` (.mp3 or .wav); return its duration."""
    if not text or not text.strip():
        raise ValueError("text must not be empty")
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    rate = 16000 if fast else 22050
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "speech.wav"
        made = False
        if shutil.which("espeak-ng"):
            (Path(tmp) / "text.txt").write_text(text, encoding="utf-8")
            wpm = str(int(min(500, max(80, 175 * speed))))
            cmd = ["espeak-ng", "-v", _espeak_voice(language), "-s", wpm, "-w", str(raw), "-f", str(Path(tmp) / "text.txt")]
            made = subprocess.run(cmd, capture_output=True).returncode == 0 and raw.exists()
        if not made:  # no espeak (or it failed): the numpy stand-in
            _write_wav(raw, _standin_speech(text, rate, speed), rate)
        codec = ["-c:a", "libmp3lame", "-b:a", "48k" if fast else "96k"] if out_path.suffix.lower() == ".mp3" else ["-c:a", "pcm_s16le"]
        _ffmpeg(["-i", str(raw), "-ac", "1", "-ar", str(rate), *codec, "-metadata", f"title={SPEECH_TITLE}", str(out_path)])
    return media_duration(out_path)


# ---------------------------------------------------------------------- video
def _even(v: float) -> int:
    return max(2, int(round(v / 2.0)) * 2)


def _loudness(audio_path: Path, fps: float, n: int) -> np.ndarray:
    """Per-video-frame loudness in 0..1 (drives the 'talking' motion)."""
    pcm = _ffmpeg(["-i", str(audio_path), "-ac", "1", "-ar", "8000", "-f", "s16le", "-"])
    x = np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0
    hop = 8000.0 / fps
    env = np.zeros(n, dtype=np.float32)
    for i in range(n):
        seg = x[int(i * hop) : int((i + 1) * hop)]
        env[i] = float(np.sqrt(np.mean(seg * seg))) if seg.size else 0.0
    ref = float(np.percentile(env, 95)) if n else 0.0
    return np.clip(env / ref, 0.0, 1.0) if ref > 1e-4 else env


def _motion_frames(base: Callable[[int], Image.Image], levels: np.ndarray, fps: float, size: tuple[int, int], period: float = 4.0) -> Iterator[bytes]:
    """Raw RGB frames: slow 'breathing' zoom, a small nod on loud frames, the
    badge and a level meter.  PIL's resize(box=...) crops+scales in one pass."""
    w, h = size
    badge, (bx, by) = _badge(size, LABEL)
    bar_w = max(2, badge.height // 5)
    for i, level in enumerate(levels):
        t = i / fps
        zoom = 1.0 + 0.012 * (1 - math.cos(2 * math.pi * t / period)) / 2 + 0.018 * float(level)
        cw, ch = w / zoom, h / zoom
        cx, cy = w / 2, min(h - ch / 2, max(ch / 2, h * 0.46 + h * 0.004 * float(level)))
        frame = base(i).resize(size, Image.Resampling.BILINEAR, box=(cx - cw / 2, cy - ch / 2, cx + cw / 2, cy + ch / 2))
        frame.paste(badge, (bx, by), badge)
        d = ImageDraw.Draw(frame)
        for k in range(5):  # audio level meter left of the badge: shows it "talks"
            bar_h = max(2, int(badge.height * (0.25 + 0.75 * level) * (0.5 + 0.5 * math.sin(1.3 * k + 2.1 * i) ** 2)))
            x = bx - (6 - k) * (bar_w + 2)
            d.rectangle((x, by + badge.height - bar_h, x + bar_w - 1, by + badge.height - 1), fill=(235, 60, 60) if level > 0.05 else (160, 160, 160))
        yield frame.tobytes()


_X264 = ["-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p", "-movflags", "+faststart"]


def _encode(frames: Iterable[bytes], size: tuple[int, int], fps: float, out_path: Path, audio: Path | None, duration: float, fast: bool) -> None:
    Path(out_path).parent.mkdir(parents=True, exist_ok=True)
    args = ["-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{size[0]}x{size[1]}", "-framerate", str(fps), "-i", "-"]
    if audio is not None:
        args += ["-i", str(audio), "-map", "0:v:0", "-map", "1:a:0", "-c:a", "aac", "-b:a", "64k" if fast else "128k"]
    _ffmpeg([*args, *_X264, "-t", f"{duration:.3f}", str(out_path)], frames=frames)


def _open_rgb(photo: Image.Image | Path) -> Image.Image:
    img = photo if isinstance(photo, Image.Image) else ImageOps.exif_transpose(Image.open(photo))
    if img.mode in ("RGBA", "LA", "P"):  # flatten transparency onto white, not black
        rgba = img.convert("RGBA")
        bg = Image.new("RGB", rgba.size, (255, 255, 255))
        bg.paste(rgba, mask=rgba.getchannel("A"))
        return bg
    return img.convert("RGB")


def make_talking_photo(photo: Image.Image | Path, audio_path: Path, out_path: Path, *, resolution: int = 720, fast: bool = False) -> float:
    """MP4 of ``photo`` gently moving with the audio's loudness, audio attached."""
    img = _open_rgb(photo)
    h = _even(240 if fast else resolution)
    size = (_even(h * img.width / img.height), h)
    base = img.resize(size, Image.Resampling.LANCZOS)
    fps = 10 if fast else 25
    duration = media_duration(audio_path)
    n = max(1, math.ceil(duration * fps))
    frames = _motion_frames(lambda i: base, _loudness(audio_path, fps, n), fps, size)
    _encode(frames, size, fps, out_path, Path(audio_path), duration, fast)
    return media_duration(out_path)


def make_layout_video(still: Image.Image, audio_path: Path | None, out_path: Path, *, duration: float | None = None, fps: int = 12, fast: bool = False) -> float:
    """The (labelled) still as an MP4; length = audio, else ``duration`` (default 5 s). ``fast``: a small
    preview, badged "fast preview". ffmpeg loops the one still (never a frame list in memory, even at 4K)."""
    img = _open_rgb(still)
    max_h = 270 if fast else 2160
    h = min(img.height, max_h)
    size = (_even(h * img.width / img.height), _even(h))
    labelled = sim_label(img.resize(size, Image.Resampling.LANCZOS) if size != img.size else img,
                         LABEL_FAST if fast else LABEL)
    length = media_duration(audio_path) if audio_path is not None else float(duration or 5.0)
    with tempfile.TemporaryDirectory() as tmp:
        png = Path(tmp) / "still.png"
        labelled.save(png, compress_level=1)  # read once by ffmpeg: zlib's default level costs ~1 s at 4K
        args = ["-loop", "1", "-framerate", str(fps), "-i", str(png)]
        if audio_path is not None:
            args += ["-i", str(audio_path), "-map", "0:v:0", "-map", "1:a:0", "-c:a", "aac", "-b:a", "64k" if fast else "128k"]
        Path(out_path).parent.mkdir(parents=True, exist_ok=True)
        # No lookahead or B-frames (a still gains nothing from them): x264 then holds ~2 frames, not ~40
        # (at 3840x2160 ffmpeg peaks near 0.4 GB instead of 1 GB).
        _ffmpeg([*args, *_X264, "-tune", "stillimage", "-threads", "2",
                 "-x264-params", "rc-lookahead=0:sync-lookahead=0:bframes=0", "-t", f"{length:.3f}", str(out_path)])
    return media_duration(out_path)


def make_poster(video_path: Path, out_path: Path, *, max_size: int = 480) -> Path:
    """First frame of ``video_path`` as a thumbnail (JPEG or PNG by suffix)."""
    png = _ffmpeg(["-i", str(video_path), "-frames:v", "1", "-f", "image2pipe", "-c:v", "png", "-"])
    import io

    img = Image.open(io.BytesIO(png)).convert("RGB")
    img.thumbnail((max_size, max_size), Image.Resampling.LANCZOS)
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    img.save(out_path, **({"quality": 85} if out_path.suffix.lower() in (".jpg", ".jpeg") else {}))
    return out_path


# ------------------------------------------------------------------ portraits
# Drawn by the client's media package (shared with akool_nb.samples); the avatar catalogue below uses them.
from akool_nb.media.portraits import LOOKS as _LOOKS, draw_portrait as _draw_portrait, make_sample_portrait  # noqa: E402,F401


def make_avatar_assets(out_dir: Path, *, fast: bool = False) -> list[dict]:
    """The offline 'official' avatar catalogue: PNG + 2 s MP4 loop + poster each.

    Idempotent: files that already exist are left alone.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    size, fps = (256, 10) if fast else (512, 25)
    n = 2 * fps
    result = []
    for look in _LOOKS:
        aid = f"sim{look.name}01"
        image, video, poster = out_dir / f"{aid}.png", out_dir / f"{aid}.mp4", out_dir / f"{aid}_poster.jpg"
        layer = out_dir / f"{aid}_layer.png"  # unlabelled: composited into results, which get their own badge
        if not image.exists():
            sim_label(_draw_portrait(look, 512)).save(image)
        if not layer.exists():
            _draw_portrait(look, 512).save(layer)
        if not video.exists():
            cache: dict[tuple[int, bool], Image.Image] = {}
            # Talking mouth (4 openings) and one blink; breathing period = loop length.
            mouth = [round(3 * abs(math.sin(2 * math.pi * 1.5 * i / fps))) for i in range(n)]
            blink = [1.3 <= i / fps < 1.45 for i in range(n)]

            def frame(i: int) -> Image.Image:
                key = (mouth[i], blink[i])
                if key not in cache:
                    cache[key] = _draw_portrait(look, size, mouth=key[0] / 3, blink=key[1])
                return cache[key]

            levels = np.array([m / 3 for m in mouth], dtype=np.float32) * 0.3
            tmp = video.with_suffix(".part.mp4")  # never leave a half-written file that looks done
            _encode(_motion_frames(frame, levels, fps, (size, size), period=2.0), (size, size), fps, tmp, None, 2.0, fast)
            tmp.replace(video)
        if not poster.exists():
            make_poster(video, poster, max_size=size)
        result.append({"avatar_id": aid, "name": look.name, "gender": look.gender, "image": image, "video": video, "poster": poster,
                       "layer": layer})
    return result
