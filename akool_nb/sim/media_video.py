"""Media for the offline Akool's video products: image to video, character swap, lip sync, translation.

Every output is real video derived from the inputs (frames decoded and re-encoded with the ffmpeg binary of
imageio-ffmpeg, drawn with Pillow/numpy) and carries the "SIMULATED" badge of :mod:`.media`:

* image to video — the still moves with the motion its effect or prompt names (zoom, pan, rotate, squish…);
* character swap — "animate": the character moves with the source video's motion; "replace": the character
  is blended into the video where its motion is;
* lip sync — the video re-voiced with the new audio, a mouth region that opens with the loudness;
* translation — the video with one speech track per target language (and burned-in captions).

Long because: four video products' renderers share one frame pipeline (decode, draw, encode).
"""
from __future__ import annotations

import math
import re
import subprocess
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterator, Sequence

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from .media import LABEL, _badge, _even, _ffmpeg, _ffmpeg_exe, _loudness, _open_rgb, _write_wav, media_duration

_X264 = ["-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p", "-movflags", "+faststart"]
AUDIO_RATE = 22050


# ------------------------------------------------------------------------------------------ probing
# One probe for the package (akool_nb.media.probe): what ffmpeg's banner says about a media file (no decoding).
from akool_nb.media.probe import Probe, probe_file as probe  # noqa: E402,F401


def out_size(width: int, height: int, short_side: int) -> tuple[int, int]:
    """Even dimensions with ``short_side`` on the shorter edge and the source's aspect ratio."""
    if width >= height:
        return _even(short_side * width / height), _even(short_side)
    return _even(short_side), _even(short_side * height / width)


def height_size(width: int, height: int, out_h: int) -> tuple[int, int]:
    return _even(out_h * width / height), _even(out_h)


# ------------------------------------------------------------------------------------------ frames io
def decode_frames(path: Path, size: tuple[int, int], fps: float, count: int) -> Iterator[Image.Image]:
    """``count`` RGB frames of ``path`` at ``fps`` scaled to ``size``; the last frame repeats past the end."""
    w, h = size
    cmd = [_ffmpeg_exe(), "-v", "error", "-i", str(path), "-vf", f"fps={fps},scale={w}:{h}:flags=bilinear",
           "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    assert proc.stdout is not None
    nbytes, last = w * h * 3, None
    try:
        for _ in range(count):
            buf = proc.stdout.read(nbytes) if proc.stdout else b""
            if len(buf) == nbytes:
                last = Image.frombytes("RGB", size, buf)
            elif last is None:
                raise RuntimeError(f"no video frames could be decoded from {Path(path).name}")
            yield last
    finally:
        proc.stdout.close()
        proc.kill()
        proc.wait()


def encode(frames: Iterator[Image.Image], size: tuple[int, int], fps: float, out: Path, duration: float,
           audio: Sequence[tuple[Path, str | None]] = (), fast: bool = False) -> float:
    """Encode PIL frames (H.264) with zero or more audio tracks ``(path, iso639_2 language or None)``."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    args = ["-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{size[0]}x{size[1]}", "-framerate", str(fps), "-i", "-"]
    for path, _ in audio:
        args += ["-i", str(path)]
    args += ["-map", "0:v:0"]
    for i, (_, lang) in enumerate(audio):
        args += ["-map", f"{i + 1}:a:0"]
        if lang:
            args += [f"-metadata:s:a:{i}", f"language={lang}"]
    if audio:
        args += ["-c:a", "aac", "-b:a", "64k" if fast else "128k"]
        if len(audio) > 1:
            args += ["-disposition:a:0", "default"] + sum(([f"-disposition:a:{i}", "0"] for i in range(1, len(audio))), [])
    _ffmpeg([*args, *_X264, "-metadata", "comment=SIMULATED by the akool_nb offline Akool", "-t", f"{duration:.3f}",
             str(out)], frames=(f.tobytes() for f in frames))
    return media_duration(out)


def fit_audio(src: Path, out: Path, duration: float, *, tempo: float = 1.0, under: Path | None = None,
              under_volume: float = 0.2) -> Path:
    """``src`` as mono WAV of exactly ``duration`` s (padded with silence or cut), optionally sped up by
    ``tempo`` and mixed over ``under`` (e.g. the original soundtrack, quietly)."""
    chain = []
    t = max(0.5, min(tempo, 4.0))
    while t > 2.0:
        chain.append("atempo=2.0")
        t /= 2.0
    if abs(t - 1.0) > 1e-3:
        chain.append(f"atempo={t:.4f}")
    first = ",".join(chain + ["apad"])
    if under is None:
        _ffmpeg(["-i", str(src), "-af", first, "-ac", "1", "-ar", str(AUDIO_RATE), "-t", f"{duration:.3f}",
                 "-c:a", "pcm_s16le", str(out)])
    else:
        graph = (f"[0:a]{first},aformat=channel_layouts=mono[s];[1:a]volume={under_volume},apad,"
                 f"aformat=channel_layouts=mono[b];[s][b]amix=inputs=2:duration=longest:normalize=0[m]")
        _ffmpeg(["-i", str(src), "-i", str(under), "-filter_complex", graph, "-map", "[m]", "-ac", "1", "-ar",
                 str(AUDIO_RATE), "-t", f"{duration:.3f}", "-c:a", "pcm_s16le", str(out)])
    return out


def music_bed(out: Path, duration: float, seed: int = 0) -> Path:
    """An original, AI-free 'generated' soundtrack: a soft chord pad with a plucked arpeggio."""
    rate = AUDIO_RATE
    rng = np.random.default_rng(seed)
    n = int(duration * rate)
    t = np.arange(n, dtype=np.float32) / rate
    root = 220.0 * 2 ** (int(rng.integers(0, 7)) / 12)
    progression = [(0, 4, 7), (7, 11, 14), (9, 12, 16), (5, 9, 12)]  # I V vi IV
    chord_s = 2.0
    out_wave = np.zeros(n, dtype=np.float32)
    for k in range(int(math.ceil(duration / chord_s))):
        i0, i1 = int(k * chord_s * rate), min(n, int((k + 1) * chord_s * rate))
        if i0 >= n:
            break
        seg = t[i0:i1] - k * chord_s
        env = np.minimum(1.0, seg / 0.3) * np.minimum(1.0, (chord_s - seg) / 0.3)
        for semis in progression[k % 4]:
            f = root * 2 ** (semis / 12)
            out_wave[i0:i1] += 0.12 * env * (np.sin(2 * np.pi * f * seg) + 0.3 * np.sin(2 * np.pi * 2.003 * f * seg))
        for beat in range(4):  # arpeggio: one pluck per beat
            b0 = i0 + int(beat * chord_s / 4 * rate)
            if b0 >= i1:
                break
            seg_b = np.arange(min(i1 - b0, int(0.5 * rate)), dtype=np.float32) / rate
            f = 2 * root * 2 ** (progression[k % 4][beat % 3] / 12)
            out_wave[b0:b0 + seg_b.size] += 0.2 * np.exp(-seg_b * 7) * np.sin(2 * np.pi * f * seg_b)
    fade = np.minimum(1.0, np.minimum(t / 0.4, (duration - t) / 0.6)).clip(0, 1)
    out_wave *= fade
    peak = float(np.abs(out_wave).max()) or 1.0
    _write_wav(Path(out), out_wave * (0.5 / peak), rate)
    return Path(out)


# ------------------------------------------------------------------------------------------- drawing
@lru_cache(maxsize=32)
def _font(size: int) -> ImageFont.ImageFont:
    """DejaVu Sans (wide script coverage for captions) when installed, else Pillow's default font."""
    for name in ("DejaVuSans.ttf", "LiberationSans-Regular.ttf"):
        try:
            return ImageFont.truetype(name, max(8, size))
        except OSError:
            pass
    try:
        import matplotlib

        return ImageFont.truetype(str(Path(matplotlib.__file__).parent / "mpl-data/fonts/ttf/DejaVuSans.ttf"),
                                  max(8, size))
    except (ImportError, OSError):
        return ImageFont.load_default(size=max(8, size))


def draw_tag(img: Image.Image, text: str) -> None:
    """A small dark tag top-left naming what drove the result (effect, mode, language)."""
    d = ImageDraw.Draw(img, "RGBA")
    fs = max(8, round(min(img.size) * 0.045))
    font = _font(fs)
    x0, y0, x1, y1 = font.getbbox(text)
    pad = max(2, fs // 3)
    d.rounded_rectangle((pad, pad, pad + x1 - x0 + 2 * pad, pad + y1 - y0 + 2 * pad), radius=pad,
                        fill=(10, 10, 14, 170))
    d.text((2 * pad - x0, 2 * pad - y0), text, font=font, fill=(255, 255, 255, 240))


def draw_caption(img: Image.Image, text: str, *, bar: bool = False) -> None:
    """A subtitle at the bottom (``bar``: on an opaque band that hides the original captions)."""
    if not text:
        return
    w, h = img.size
    fs = max(8, round(h * 0.05))
    font = _font(fs)
    words, lines, line = text.split(), [], ""
    for word in words:
        trial = f"{line} {word}".strip()
        if line and font.getlength(trial) > 0.86 * w:
            lines.append(line)
            line = word
        else:
            line = trial
    lines.append(line)
    lines = lines[-3:]
    lh = int(fs * 1.25)
    top = int(h * 0.80) - lh * len(lines)
    d = ImageDraw.Draw(img, "RGBA")
    if bar:
        d.rectangle((0, top - fs // 3, w, top + lh * len(lines) + fs // 3), fill=(16, 16, 20, 255))
    for i, text_line in enumerate(lines):
        tw = font.getlength(text_line)
        x, y = (w - tw) / 2, top + i * lh
        if not bar:
            d.rectangle((x - fs / 4, y - fs / 8, x + tw + fs / 4, y + lh - fs / 8), fill=(0, 0, 0, 150))
        d.text((x, y), text_line, font=font, fill=(255, 255, 255, 255))


class Labeller:
    """Pastes the SIMULATED badge (cached per frame size)."""

    def __init__(self, size: tuple[int, int]):
        self.badge, self.pos = _badge(size, LABEL)

    def __call__(self, img: Image.Image) -> Image.Image:
        img.paste(self.badge, self.pos, self.badge)
        return img


def _cover(img: Image.Image, size: tuple[int, int]) -> Image.Image:
    """``img`` scaled and centre-cropped to fill ``size``."""
    w, h = size
    s = max(w / img.width, h / img.height)
    scaled = img.resize((max(w, round(img.width * s)), max(h, round(img.height * s))), Image.Resampling.BILINEAR)
    x, y = (scaled.width - w) // 2, (scaled.height - h) // 2
    return scaled.crop((x, y, x + w, y + h))


def _contain(img: Image.Image, size: tuple[int, int]) -> Image.Image:
    w, h = size
    s = min(w / img.width, h / img.height)
    return img.resize((max(2, round(img.width * s)), max(2, round(img.height * s))), Image.Resampling.BILINEAR)


def _backdrop(img: Image.Image, size: tuple[int, int]) -> Image.Image:
    small = _cover(img, (max(8, size[0] // 8), max(8, size[1] // 8))).filter(ImageFilter.GaussianBlur(2))
    back = small.resize(size, Image.Resampling.BILINEAR)
    return Image.blend(back, Image.new("RGB", size, (12, 12, 16)), 0.45)


# ------------------------------------------------------------------------------------- image to video
_TO = r"(?:\s+(?:to|towards)(?:\s+the)?)?\s+"  # "pan right", "panning to the right"
_PAN = r"(?:pan(?:ning)?|mov(?:e|ing)|slid(?:e|ing)|track(?:ing)?)"
_TILT = r"(?:tilt(?:ing)?|pan(?:ning)?|cran(?:e|ing))"
MOTION_WORDS: list[tuple[str, tuple[str, ...]]] = [  # (motion, regular expressions naming it)
    ("zoom_out", (r"zoom(?:ing)?\s+out", r"pull(?:ing)?\s+(?:back|out)", r"dolly\s+out", r"\breveal")),
    ("zoom_in", (r"zoom(?:ing)?\s+in", r"push(?:ing)?\s+in", r"dolly\s+in", r"close[- ]?up", r"\bcloser")),
    ("pan_left", (rf"{_PAN}{_TO}left",)),
    ("pan_right", (rf"{_PAN}{_TO}right",)),
    ("tilt_up", (rf"{_TILT}{_TO}up", r"\brises?\b")),
    ("tilt_down", (rf"{_TILT}{_TO}down", r"\bdescend")),
    ("spin", (r"\bspin", r"\b360\b", r"\btwirl")),
    ("rotate", (r"\brotat", r"\borbit", r"\bturn", r"\bsway")),
    ("shake", (r"\bshak", r"hand-?held", r"earthquake", r"\btrembl", r"\bjitter")),
    ("squish", (r"\bsquish", r"\bsquash", r"\bsqueez")),
    ("inflate", (r"\binflat", r"\bballoon", r"\bpuff", r"\bbulg")),
    ("melt", (r"\bmelt", r"\bdrip", r"\bliquid")),
    ("cakeify", (r"\bcake",)),
    ("samurai", (r"\bsamurai", r"\bsword", r"\bslic", r"\bslash")),
]
MOTION_LABELS = {"ken_burns": "slow camera drift", "zoom_in": "zoom in", "zoom_out": "zoom out",
                 "pan_left": "pan left", "pan_right": "pan right", "tilt_up": "tilt up", "tilt_down": "tilt down",
                 "spin": "spin", "rotate": "rotate", "shake": "shake", "squish": "squish", "inflate": "inflate",
                 "melt": "melt", "cakeify": "cakeify", "samurai": "samurai slice"}


def motion_for_prompt(prompt: str, negative_prompt: str = "") -> str:
    """The motion the prompt names first, unless the negative prompt names it too (default: a slow drift)."""
    text, avoid = (prompt or "").lower(), (negative_prompt or "").lower()
    hits = []
    for motion, patterns in MOTION_WORDS:
        found = [m.start() for p in patterns if (m := re.search(p, text))]
        if found and not any(re.search(p, avoid) for p in patterns):
            hits.append((min(found), motion))
    return min(hits)[1] if hits else "ken_burns"


def _ease(t: float) -> float:
    return t * t * (3 - 2 * t)


def _crop_zoom(base: Image.Image, size: tuple[int, int], z: float, cx: float, cy: float) -> Image.Image:
    bw, bh = base.size
    cw, ch = bw / z, bh / z
    cx = min(max(cx * bw, cw / 2), bw - cw / 2)
    cy = min(max(cy * bh, ch / 2), bh - ch / 2)
    return base.resize(size, Image.Resampling.BILINEAR, box=(cx - cw / 2, cy - ch / 2, cx + cw / 2, cy + ch / 2))


class MotionRenderer:
    """Frames of a still moving with one motion (deterministic for a seed)."""

    def __init__(self, image: Image.Image, size: tuple[int, int], motion: str, seed: int = 0):
        self.size, self.motion = size, motion
        self.rng = np.random.default_rng(seed)
        self.vary = 1.0 + 0.25 * (self.rng.random() - 0.5)  # batch items differ a little
        self.dir = 1 if self.rng.random() < 0.5 else -1
        self.base = _cover(image, (int(size[0] * 1.5), int(size[1] * 1.5)))
        self.fit = _cover(image, size)
        self.back = _backdrop(image, size)
        jitter = self.rng.normal(0, 1, (512, 2))
        self.shake = np.cumsum(jitter, axis=0) * 0.004
        self.shake -= np.linspace(0, 1, 512)[:, None] * self.shake[-1]
        self.melt_cols = np.interp(np.arange(size[0]), np.linspace(0, size[0] - 1, 12), self.rng.random(12))

    def frame(self, t: float, i: int) -> Image.Image:
        m, e, v, size = self.motion, _ease(t), self.vary, self.size
        w, h = size
        if m == "ken_burns":
            return _crop_zoom(self.base, size, 1 + 0.15 * v * e, 0.5 + 0.04 * self.dir * e, 0.5 - 0.03 * e)
        if m == "zoom_in":
            return _crop_zoom(self.base, size, 1 + 0.5 * v * e, 0.5, 0.47)
        if m == "zoom_out":
            return _crop_zoom(self.base, size, 1 + 0.5 * v * (1 - e), 0.5, 0.47)
        if m in ("pan_left", "pan_right", "tilt_up", "tilt_down"):
            d = (0.5 - 0.14 * v * (2 * e - 1)) if m in ("pan_left", "tilt_up") else (0.5 + 0.14 * v * (2 * e - 1))
            return _crop_zoom(self.base, size, 1.35, d, 0.5) if m.startswith("pan") else \
                _crop_zoom(self.base, size, 1.35, 0.5, d)
        if m == "rotate":
            angle = 7 * v * math.sin(2 * math.pi * t) * self.dir
            return _crop_zoom(self.base.rotate(angle, Image.Resampling.BILINEAR), size, 1.45, 0.5, 0.5)
        if m == "shake":
            dx, dy = self.shake[i % 512]
            return _crop_zoom(self.base, size, 1.12, 0.5 + dx, 0.5 + dy)
        frame = self.back.copy()
        if m == "spin":
            s = 0.8 - 0.15 * math.sin(math.pi * e)
            img = _contain(self.fit, (int(w * s), int(h * s))).convert("RGBA").rotate(360 * e * self.dir, expand=True)
            frame.paste(img, ((w - img.width) // 2, (h - img.height) // 2), img)
            return frame
        if m in ("squish", "inflate"):
            if m == "squish":
                s = math.sin(2 * math.pi * t) ** 2
                sx, sy = 0.8 * (1 + 0.3 * v * s), 0.8 * (1 - 0.35 * v * s)
            else:
                s = 1 - math.exp(-4 * t) * math.cos(9 * t)
                sx = sy = 0.62 + 0.33 * s
            img = self.fit.resize((max(2, int(w * sx)), max(2, int(h * sy))), Image.Resampling.BILINEAR)
            frame.paste(img, ((w - img.width) // 2, h - img.height - int(0.04 * h)))
            return frame
        if m == "melt":
            arr, out = np.asarray(self.fit), np.asarray(self.back).copy()
            shift = (e * h * 0.45 * (0.4 + self.melt_cols)).astype(int)
            for x in range(w):
                s = shift[x]
                out[s:, x] = arr[: h - s, x]
            return Image.fromarray(out)
        if m in ("cakeify", "samurai"):
            if t < 0.3:
                return _crop_zoom(_cover(self.fit, (int(w * 1.2), int(h * 1.2))), size, 1 + 0.1 * t / 0.3, 0.5, 0.5)
            cut = min(1.0, (t - 0.3) / 0.2)
            gap = 0.0 if t < 0.5 else _ease((t - 0.5) / 0.5) * 0.22 * h
            mask = Image.new("L", size, 0)
            md = ImageDraw.Draw(mask)
            if m == "cakeify":
                md.rectangle((0, 0, w, h // 2), fill=255)
            else:
                md.polygon([(0, 0), (w, 0), (w, int(h * 0.15)), (0, int(h * 0.85))], fill=255)
            inside = Image.new("RGB", size, (247, 230, 210))
            if m == "cakeify":  # the cake inside: sponge and cream layers
                dd = ImageDraw.Draw(inside)
                for k in range(0, h, max(4, h // 12)):
                    dd.rectangle((0, k, w, k + max(2, h // 24)), fill=(240, 150, 170) if (k // max(4, h // 12)) % 2 else (250, 240, 225))
            else:
                inside = Image.new("RGB", size, (20, 20, 24))
            frame = inside
            top = self.fit.copy()
            top.putalpha(mask)
            bottom = self.fit.copy()
            bottom.putalpha(Image.eval(mask, lambda p: 255 - p))
            dx = int(gap * 0.5) if m == "samurai" else 0
            frame.paste(bottom, (dx, int(gap / 2)), bottom)
            frame.paste(top, (-dx, -int(gap / 2)), top)
            if cut < 1.0 or gap == 0:
                d = ImageDraw.Draw(frame)
                if m == "cakeify":
                    d.line((0, h // 2, int(w * cut), h // 2), fill=(255, 255, 255), width=max(2, h // 90))
                else:
                    d.line((0, int(h * 0.85), int(w * cut), int(h * (0.85 - 0.7 * cut))), fill=(255, 255, 255),
                           width=max(2, h // 90))
            return frame
        return _crop_zoom(self.base, size, 1 + 0.15 * e, 0.5, 0.5)


def make_image_to_video(image: Image.Image, out: Path, *, motion: str, tag: str, short_side: int, fps: float,
                        duration: float, audio: Path | None, fast: bool, seed: int = 0,
                        last_image: Image.Image | None = None) -> float:
    img = _open_rgb(image)
    size = out_size(img.width, img.height, short_side)
    renderer = MotionRenderer(img, size, motion, seed)
    last = _cover(_open_rgb(last_image), size) if last_image is not None else None
    label = Labeller(size)
    n = max(1, round(duration * fps))

    def frames() -> Iterator[Image.Image]:
        for i in range(n):
            t = i / max(1, n - 1)
            frame = renderer.frame(t, i)
            if last is not None and t > 0.7:  # end on the requested last frame
                frame = Image.blend(frame, last, _ease((t - 0.7) / 0.3))
            draw_tag(frame, tag)
            yield label(frame)

    return encode(frames(), size, fps, out, duration, [(audio, None)] if audio else [], fast)


def replace_audio(video: Path, audio: Path, out: Path, duration: float, fast: bool) -> float:
    """The same picture (stream copied) with a new audio track."""
    _ffmpeg(["-i", str(video), "-i", str(audio), "-map", "0:v:0", "-map", "1:a:0", "-c:v", "copy", "-c:a", "aac",
             "-b:a", "64k" if fast else "128k", "-t", f"{duration:.3f}", "-movflags", "+faststart", str(out)])
    return media_duration(out)


# ------------------------------------------------------------------------------------ motion tracking
class MotionTracker:
    """Where and how much a video moves: the centroid of frame-to-frame change, smoothed."""

    def __init__(self) -> None:
        self.prev: np.ndarray | None = None
        self.cx, self.cy, self.energy = 0.5, 0.5, 0.0

    def update(self, frame: Image.Image) -> tuple[float, float, float]:
        small = np.asarray(frame.convert("L").resize((48, 27), Image.Resampling.BILINEAR), dtype=np.float32)
        if self.prev is not None:
            diff = np.abs(small - self.prev)
            total = float(diff.sum())
            if total > 48 * 27 * 1.5:
                ys, xs = np.mgrid[0:27, 0:48]
                self.cx = 0.8 * self.cx + 0.2 * float((diff * xs).sum() / total / 47)
                self.cy = 0.8 * self.cy + 0.2 * float((diff * ys).sum() / total / 26)
            self.energy = 0.7 * self.energy + 0.3 * min(1.0, total / (48 * 27 * 25))
        self.prev = small
        return self.cx, self.cy, self.energy


def _ellipse_mask(size: tuple[int, int]) -> Image.Image:
    w, h = size
    mask = Image.new("L", size, 0)
    ImageDraw.Draw(mask).ellipse((w * 0.08, h * 0.06, w * 0.92, h * 0.94), fill=255)
    return mask.filter(ImageFilter.GaussianBlur(max(1, min(w, h) // 12)))


def make_character_swap(character: Image.Image, video: Path, out: Path, *, mode: str, out_h: int, fps: float,
                        duration: float, keep_audio: bool, fast: bool) -> float:
    info = probe(video)
    size = height_size(info.width or 16, info.height or 9, out_h)
    w, h = size
    char = _open_rgb(character)
    label, tracker = Labeller(size), MotionTracker()
    n = max(1, round(duration * fps))
    if mode == "replace":
        fw = _even(min(w, h) * 0.42)
        face_size = (fw, _even(fw * 1.2))
        side = min(char.width, char.height)  # the upper centre of a portrait, where a face usually is
        face = _cover(char.crop((int((char.width - side) / 2), int(char.height * 0.08),
                                 int((char.width + side) / 2), int(char.height * 0.08 + side))), face_size)
        mask = _ellipse_mask(face_size)
    else:
        fitted = _contain(char, (int(w * 0.8), int(h * 0.86)))
        back = _backdrop(char, size)
        pip = (_even(w * 0.26), _even(w * 0.26 * h / w))

    def frames() -> Iterator[Image.Image]:
        for i, src in enumerate(decode_frames(video, size, fps, n)):
            cx, cy, energy = tracker.update(src)
            if mode == "replace":
                frame = src.copy()
                px = int(min(max(cx * w, fw / 2), w - fw / 2) - fw / 2)
                py = int(min(max((cy - 0.12) * h, face_size[1] / 2), h - face_size[1] / 2) - face_size[1] / 2)
                frame.paste(face, (px, py), mask)
                tag = "character swap: replace"
            else:
                frame = back.copy()
                angle = (cx - 0.5) * 14 + 3 * energy * math.sin(i / fps * 6)
                scale = 1.0 + 0.08 * energy
                body = fitted.resize((max(2, int(fitted.width * scale)), max(2, int(fitted.height * scale))),
                                     Image.Resampling.BILINEAR).convert("RGBA").rotate(angle, Image.Resampling.BILINEAR,
                                                                                        expand=True)
                ox = int((cx - 0.5) * w * 0.25 + (w - body.width) / 2)
                oy = int((cy - 0.5) * h * 0.12 + (h - body.height) / 2 + h * 0.04)
                frame.paste(body, (ox, oy), body)
                thumb = src.resize(pip, Image.Resampling.BILINEAR)
                ImageDraw.Draw(thumb).rectangle((0, 0, pip[0] - 1, pip[1] - 1), outline=(255, 255, 255), width=2)
                frame.paste(thumb, (max(2, w // 60), h - pip[1] - max(2, h // 40)))
                tag = "character swap: animate"
            draw_tag(frame, tag)
            yield label(frame)

    audio: list[tuple[Path, str | None]] = []
    if keep_audio and info.has_audio:
        track = out.with_name("track.wav")
        fit_audio(video, track, duration)
        audio = [(track, None)]
    try:
        return encode(frames(), size, fps, out, duration, audio, fast)
    finally:
        for path, _ in audio:
            path.unlink(missing_ok=True)


# ------------------------------------------------------------------------------ lip sync, translation
def _mouth(frame: Image.Image, level: float) -> Image.Image:
    """Open the 'mouth' region (lower centre) in proportion to the loudness."""
    if level < 0.05:
        return frame
    w, h = frame.size
    bw, bh = _even(w * 0.2), _even(h * 0.08)
    x0, y0 = (w - bw) // 2, int(h * 0.58)
    region = frame.crop((x0, y0, x0 + bw, y0 + bh))
    tall = region.resize((bw, max(2, int(bh * (1 + 0.6 * level)))), Image.Resampling.BILINEAR)
    out = frame.copy()
    out.paste(tall, (x0, y0 - (tall.height - bh) // 2))
    return out


def _meter(img: Image.Image, level: float, label: Labeller) -> None:
    d = ImageDraw.Draw(img)
    bx, by = label.pos
    bh = label.badge.height
    bar = max(2, bh // 5)
    for k in range(5):
        hgt = max(2, int(bh * (0.25 + 0.75 * level) * (0.5 + 0.5 * math.sin(1.3 * k + 11 * level) ** 2)))
        x = bx - (6 - k) * (bar + 2)
        d.rectangle((x, by + bh - hgt, x + bar - 1, by + bh - 1), fill=(235, 60, 60) if level > 0.05 else (160, 160, 160))


def make_lip_sync(video: Path, audio: Path, out: Path, *, out_h: int, fps: float, duration: float, fast: bool) -> float:
    info = probe(video)
    size = height_size(info.width or 16, info.height or 9, out_h)
    n = max(1, round(duration * fps))
    track = out.with_name("track.wav")
    fit_audio(audio, track, duration)
    levels = _loudness(track, fps, n)
    label = Labeller(size)

    def frames() -> Iterator[Image.Image]:
        for i, src in enumerate(decode_frames(video, size, fps, n)):
            frame = _mouth(src, float(levels[i]))
            draw_tag(frame, "lip sync")
            _meter(frame, float(levels[i]), label)
            yield label(frame)

    try:
        return encode(frames(), size, fps, out, duration, [(track, None)], fast)
    finally:
        track.unlink(missing_ok=True)


@dataclass
class Track:
    path: Path  # fitted WAV of the output's length
    lang: str | None  # ISO 639-2 code for the stream metadata
    caption: str  # what the speech says (for subtitles)
    spoken: float  # seconds of speech at the start of the track


def make_translation(video: Path, out: Path, tracks: list[Track], *, out_h: int, fps: float, duration: float,
                     tag: str, captions: Callable[[float], str] | None, caption_bar: bool, lipsync: bool,
                     fast: bool) -> float:
    info = probe(video)
    size = height_size(info.width or 16, info.height or 9, out_h)
    n = max(1, round(duration * fps))
    levels = _loudness(tracks[0].path, fps, n) if lipsync else None
    label = Labeller(size)

    def frames() -> Iterator[Image.Image]:
        for i, src in enumerate(decode_frames(video, size, fps, n)):
            t = i / fps
            frame = _mouth(src, float(levels[i])) if levels is not None else src.copy()
            if captions is not None:
                draw_caption(frame, captions(t), bar=caption_bar)
            draw_tag(frame, tag)
            if levels is not None:
                _meter(frame, float(levels[i]), label)
            yield label(frame)

    return encode(frames(), size, fps, out, duration, [(tr.path, tr.lang) for tr in tracks], fast)


def parse_subtitles(text: str) -> list[tuple[float, float, str]]:
    """Cues of an SRT or ASS file: ``[(start_s, end_s, text)]`` (styling dropped)."""
    cues = []

    def secs(h: str, m: str, s: str, frac: str) -> float:
        return int(h) * 3600 + int(m) * 60 + int(s) + float("0." + frac)

    for m in re.finditer(r"(\d+):(\d{2}):(\d{2})[,.](\d+)\s*-->\s*(\d+):(\d{2}):(\d{2})[,.](\d+)[^\n]*\n(.*?)(?:\n\s*\n|\Z)",
                         text, re.S):
        body = re.sub(r"<[^>]+>", "", m.group(9)).strip().replace("\n", " ")
        cues.append((secs(*m.group(1, 2, 3, 4)), secs(*m.group(5, 6, 7, 8)), body))
    for m in re.finditer(r"^Dialogue:\s*[^,]*,(\d+):(\d{2}):(\d{2})\.(\d+),(\d+):(\d{2}):(\d{2})\.(\d+),(?:[^,]*,){6}(.*)$",
                         text, re.M):
        body = re.sub(r"\{[^}]*\}", "", m.group(9)).replace("\\N", " ").strip()
        cues.append((secs(*m.group(1, 2, 3, 4)), secs(*m.group(5, 6, 7, 8)), body))
    return sorted(cues)


def stable_seed(*parts: str) -> int:
    return zlib.crc32("/".join(parts).encode())
