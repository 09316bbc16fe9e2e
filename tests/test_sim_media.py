"""Tests for the layout renderer (akool_nb.media.layout) and the offline media makers."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from akool_nb.media.layout import Layer, render_layers, render_talking_avatar, talking_avatar_layers
from akool_nb.sim import media

HAS_ESPEAK = shutil.which("espeak-ng") is not None


def _probe(path: Path) -> str:
    """ffmpeg's banner for ``path`` (stream list + Duration)."""
    return subprocess.run([media._ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True, text=True).stderr


def _decode(path: Path, rate: int = 16000) -> np.ndarray:
    """Decode any audio/video file's audio to mono int16 samples."""
    pcm = media._ffmpeg(["-i", str(path), "-vn", "-ac", "1", "-ar", str(rate), "-f", "s16le", "-"])
    return np.frombuffer(pcm, dtype="<i2")


def _frame(path: Path, t: float) -> np.ndarray:
    png = media._ffmpeg(["-ss", f"{t}", "-i", str(path), "-frames:v", "1", "-f", "image2pipe", "-c:v", "png", "-"])
    import io

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.int16)


SHORT = "Hello there."
LONG = "Hello there. This is a much longer sentence, spoken by the offline Akool to check that speech length follows the text."


# --------------------------------------------------------------------- speech
@pytest.mark.skipif(not HAS_ESPEAK, reason="espeak-ng not installed")
def test_espeak_duration_grows_with_text(tmp_path):
    short = media.synthesize_speech(SHORT, tmp_path / "s.wav", fast=True)
    long = media.synthesize_speech(LONG, tmp_path / "l.wav", fast=True)
    assert 0.3 < short < long
    assert long > 3 * short
    # Slower speech is longer.
    slow = media.synthesize_speech(LONG, tmp_path / "slow.wav", speed=0.6, fast=True)
    assert slow > long * 1.3


def test_fallback_duration_grows_with_text(tmp_path, monkeypatch):
    monkeypatch.setattr(media.shutil, "which", lambda *a, **k: None)
    calls = []
    monkeypatch.setattr(media.subprocess, "run", _spy(media.subprocess.run, calls))
    short = media.synthesize_speech(SHORT, tmp_path / "s.wav", fast=True)
    long = media.synthesize_speech(LONG, tmp_path / "l.wav", fast=True)
    assert not any("espeak-ng" in str(c[0]) for c in calls), "fallback must not call espeak"
    assert short < long
    # ~14 characters per second (pauses at sentence ends add a little).
    assert abs(long - len(LONG) / 14) < 0.25 * len(LONG) / 14
    fast_speech = media.synthesize_speech(LONG, tmp_path / "f.wav", speed=2.0, fast=True)
    assert fast_speech < 0.6 * long
    samples = _decode(tmp_path / "l.wav")
    assert np.abs(samples).max() > 3000, "stand-in speech must be audible"
    # Not a constant tone: there are pauses and bursts.
    frames = np.abs(samples[: len(samples) // 320 * 320].reshape(-1, 320)).mean(axis=1)
    assert frames.min() < 0.1 * frames.max()


def _spy(real, calls):
    def run(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    return run


@pytest.mark.parametrize("fallback", [False, True])
@pytest.mark.parametrize("suffix", [".mp3", ".wav"])
def test_speech_formats_decode(tmp_path, monkeypatch, suffix, fallback):
    if fallback:
        monkeypatch.setattr(media.shutil, "which", lambda *a, **k: None)
    elif not HAS_ESPEAK:
        pytest.skip("espeak-ng not installed")
    out = tmp_path / f"speech{suffix}"
    dur = media.synthesize_speech("Testing one two three.", out, fast=True)
    samples = _decode(out)
    assert abs(len(samples) / 16000 - dur) < 0.1
    assert np.abs(samples).max() > 2000
    if suffix == ".mp3":
        assert "Audio: mp3" in _probe(out)
        assert "akool_nb simulated speech" in _probe(out)
    else:
        assert abs(media.media_duration(out) - dur) < 1e-6


@pytest.mark.parametrize("text", ["", "   \n"])
def test_empty_speech_raises(tmp_path, text):
    with pytest.raises(ValueError):
        media.synthesize_speech(text, tmp_path / "x.mp3")


def test_unknown_language_maps_to_english(tmp_path):
    if HAS_ESPEAK:
        assert media._espeak_voice("xx-YY") == "en"
        assert media._espeak_voice("de-DE") == "de"
    assert media.synthesize_speech("Hallo Welt.", tmp_path / "x.wav", language="xx-YY", fast=True) > 0.3


def test_ffmpeg_error_carries_stderr(tmp_path):
    with pytest.raises(RuntimeError, match="ffmpeg failed"):
        media._ffmpeg(["-i", str(tmp_path / "missing.wav"), str(tmp_path / "out.mp3")])


# ---------------------------------------------------------------------- video
@pytest.fixture(scope="module")
def speech(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("speech") / "speech.mp3"
    media.synthesize_speech("This is the offline Akool speaking for a few seconds, with pauses.", out, fast=True)
    return out


def test_talking_photo_has_video_audio_and_matching_duration(tmp_path, speech):
    photo = media.make_sample_portrait(size=300, seed=1)
    out = tmp_path / "tp.mp4"
    dur = media.make_talking_photo(photo, speech, out, fast=True)
    info = _probe(out)
    assert re.search(r"Stream #0:\d.*Video: h264", info)
    assert re.search(r"Stream #0:\d.*Audio: aac", info)
    assert "yuv420p" in info and "240x240" in info
    audio = media.media_duration(speech)
    assert abs(dur - audio) < 0.15
    assert abs(media.media_duration(out) - audio) < 0.15
    # Not a frozen frame, and the badge is burned in.
    a, b = _frame(out, 0.0), _frame(out, dur / 2)
    assert np.abs(a - b).mean() > 0.5
    assert abs(len(_decode(out)) / 16000 - audio) < 0.15


@pytest.mark.slow  # ~2 s: two 720p/180p renders at 25 fps
def test_talking_photo_normal_resolution(tmp_path, speech):
    src = tmp_path / "wide.png"
    media.make_sample_portrait(size=200).resize((401, 301)).save(src)  # odd sizes -> even frame
    out = tmp_path / "tp.mp4"
    dur = media.make_talking_photo(src, speech, out)
    info = _probe(out)
    m = re.search(r"Video: h264.*?, (\d+)x(\d+).*?, (\d+) fps", info)
    assert m, info
    w, h, fps = (int(v) for v in m.groups())
    assert h == 720 and w % 2 == 0 and abs(w - 720 * 401 / 301) <= 2 and fps == 25
    assert abs(dur - media.media_duration(speech)) < 0.15
    odd = media.make_talking_photo(src, speech, tmp_path / "odd.mp4", resolution=181, fast=False)
    m = re.search(r"Video: h264.*?, (\d+)x(\d+)", _probe(tmp_path / "odd.mp4"))
    assert m and int(m.group(1)) % 2 == 0 and int(m.group(2)) in (180, 182) and abs(odd - dur) < 0.15


def test_layout_video_with_audio_and_without(tmp_path, speech):
    still = render_talking_avatar([{"type": "image", "url": "#336699", "width": 3840, "height": 2160}], lambda e: None)
    d1 = media.make_layout_video(still, speech, tmp_path / "a.mp4", fast=True)
    assert abs(d1 - media.media_duration(speech)) < 0.15
    assert "Audio: aac" in _probe(tmp_path / "a.mp4")
    d2 = media.make_layout_video(still, None, tmp_path / "b.mp4", duration=1.5, fps=6, fast=True)
    assert abs(d2 - 1.5) < 0.2
    poster = media.make_poster(tmp_path / "b.mp4", tmp_path / "b.jpg", max_size=100)
    with Image.open(poster) as im:
        assert max(im.size) == 100
        px = np.asarray(im.convert("RGB"), dtype=int)
    assert np.abs(px[5, 5] - np.array([0x33, 0x66, 0x99])).max() < 20


# ------------------------------------------------------------------- avatars
@pytest.fixture(scope="module")
def avatars(tmp_path_factory):
    out = tmp_path_factory.mktemp("avatars")
    return out, media.make_avatar_assets(out, fast=True)


def test_avatar_assets_are_distinct_and_complete(avatars):
    _, items = avatars
    assert len(items) >= 6
    ids = [a["avatar_id"] for a in items]
    assert len(set(ids)) == len(ids) and all(re.fullmatch(r"[A-Za-z0-9]+", i) for i in ids)
    assert {a["gender"] for a in items} == {"female", "male"}
    arrays = []
    for a in items:
        with Image.open(a["image"]) as im:
            assert im.size == (512, 512)
            arrays.append(np.asarray(im.convert("RGB"), dtype=np.int16))
        assert a["poster"].exists() and a["video"].exists()
        assert abs(media.media_duration(a["video"]) - 2.0) < 0.2
    for i in range(len(arrays)):
        for j in range(i + 1, len(arrays)):
            assert np.abs(arrays[i] - arrays[j]).mean() > 10, (ids[i], ids[j])


def test_avatar_assets_idempotent(avatars):
    out, items = avatars
    mtimes = {p: p.stat().st_mtime_ns for p in out.iterdir()}
    t0 = time.perf_counter()
    again = media.make_avatar_assets(out, fast=True)
    assert time.perf_counter() - t0 < 0.5
    assert again == items
    assert {p: p.stat().st_mtime_ns for p in out.iterdir()} == mtimes


def test_sample_portrait_is_deterministic_and_not_blank(tmp_path):
    a = media.make_sample_portrait(tmp_path / "portrait.png", size=256, seed=0)
    b = media.make_sample_portrait(size=256, seed=0)
    assert a.size == (256, 256) and (tmp_path / "portrait.png").exists()
    assert np.array_equal(np.asarray(a), np.asarray(b))
    px = np.asarray(a)
    assert px.std() > 20 and len(np.unique(px.reshape(-1, 3), axis=0)) > 200
    assert not np.array_equal(px, np.asarray(media.make_sample_portrait(size=256, seed=1)))


# ---------------------------------------------------------------------- label
@pytest.mark.parametrize("size", [(640, 360), (200, 120), (1920, 1080)])
def test_label_changes_corner_pixels(size):
    img = Image.new("RGB", size, (200, 220, 60))
    out = media.sim_label(img)
    assert out.size == img.size and out.mode == "RGB"
    assert np.asarray(img).max() == 220, "input must not be modified"
    a, b = np.asarray(img, dtype=int), np.asarray(out, dtype=int)
    h, w = size[1], size[0]
    corner = np.abs(a - b)[int(h * 0.8) :, int(w * 0.5) :]
    assert (corner.sum(axis=2) > 60).mean() > 0.1
    assert np.array_equal(a[: h // 2, : w // 2], b[: h // 2, : w // 2])


def test_label_keeps_rgba():
    out = media.sim_label(Image.new("RGBA", (300, 200), (0, 0, 0, 0)))
    assert out.mode == "RGBA" and out.getchannel("A").getextrema()[1] > 100


# --------------------------------------------------------------------- layout
def _px(img: Image.Image, x: int, y: int) -> tuple:
    return img.getpixel((x, y))


@pytest.mark.parametrize("scale", [0.25, 0.1])
def test_colour_element_lands_on_scaled_rectangle(scale):
    el = {"type": "image", "url": "#1a2b3c", "width": 780, "height": 440, "scale_x": 1, "scale_y": 1, "offset_x": 1920, "offset_y": 1080}
    out = render_talking_avatar([el], lambda e: pytest.fail("colour must not be loaded"), scale=scale)
    assert out.size == (round(3840 * scale), round(2160 * scale))
    x0, y0 = round(1920 * scale), round(1080 * scale)
    x1, y1 = x0 + round(780 * scale), y0 + round(440 * scale)
    colour = (0x1A, 0x2B, 0x3C)
    for x, y in [(x0, y0), (x1 - 1, y0), (x0, y1 - 1), (x1 - 1, y1 - 1), ((x0 + x1) // 2, (y0 + y1) // 2)]:
        assert _px(out, x, y) == colour, (x, y)
    for x, y in [(x0 - 1, y0), (x0, y0 - 1), (x1, y0), (x0, y1), (x1, y1)]:
        assert _px(out, x, y) == (0, 0, 0), (x, y)


def test_later_elements_cover_earlier():
    red = Image.new("RGB", (100, 100), (255, 0, 0))
    els = [
        {"type": "image", "url": "bg.png", "width": 3840, "height": 2160, "offset_x": 0, "offset_y": 0},
        {"type": "avatar", "avatar_id": "x", "width": 1080, "height": 1080, "offset_x": 400, "offset_y": 400},
        {"type": "image", "url": "#00ff00", "width": 400, "height": 400, "offset_x": 800, "offset_y": 800},
        {"type": "audio", "url": "a.mp3"},
    ]
    load = lambda e: "#0000ff" if e["type"] == "image" else red  # noqa: E731
    out = render_talking_avatar(els, load, scale=0.25)
    assert _px(out, 10, 10) == (0, 0, 255)
    assert _px(out, 110, 110) == (255, 0, 0)
    assert _px(out, 210, 210) == (0, 255, 0)
    assert _px(out, 100 + 269, 100 + 269) == (255, 0, 0)
    assert _px(out, 100 + 271, 100 + 271) == (0, 0, 255)
    assert len(talking_avatar_layers(els, load)) == 3  # audio skipped


def test_alpha_is_respected():
    half_red = Image.new("RGBA", (10, 10), (255, 0, 0, 128))
    out = render_layers((100, 100), [Layer("#0000ff", 0, 0, 100, 100), Layer(half_red, 0, 0, 50, 50), Layer("#00ff0080", 50, 50, 50, 50)])
    r, g, b = _px(out, 10, 10)
    assert abs(r - 128) <= 2 and g == 0 and abs(b - 127) <= 2
    r, g, b = _px(out, 70, 70)
    assert r == 0 and abs(g - 128) <= 2 and abs(b - 127) <= 2
    transparent = render_layers((10, 10), [Layer("#ff0000", 0, 0, 5, 5)], background=(0, 0, 0, 0))
    assert transparent.mode == "RGBA" and _px(transparent, 8, 8)[3] == 0 and _px(transparent, 1, 1) == (255, 0, 0, 255)


def test_clipping_at_edges():
    grad = Image.linear_gradient("L").convert("RGB")  # 256x256, rows 0..255
    layers = [Layer(grad, -128, -128, 256, 256), Layer("#ffffff", 900, 500, 400, 400), Layer("#ff0000", 2000, 2000, 10, 10)]
    out = render_layers((1000, 600), layers)
    assert out.size == (1000, 600)
    # Only the bottom-right quarter of the gradient is visible: row 0 shows source row ~128.
    assert 120 <= _px(out, 5, 0)[0] <= 136
    assert _px(out, 5, 127)[0] >= 250 and _px(out, 5, 129) == (0, 0, 0)
    assert _px(out, 999, 599) == (255, 255, 255) and _px(out, 899, 599) == (0, 0, 0)
    scaled = render_layers((1000, 600), layers, scale=0.5)
    assert scaled.size == (500, 300) and _px(scaled, 499, 299) == (255, 255, 255) and _px(scaled, 449, 299) == (0, 0, 0)


def test_scale_xy_and_natural_size():
    els = [
        {"type": "image", "url": "#ffffff", "width": 400, "height": 200, "scale_x": 2, "scale_y": 0.5, "offset_x": 0, "offset_y": 0},
        {"type": "image", "url": "logo.png", "scale_x": 1.5, "scale_y": 1.5, "offset_x": 2000, "offset_y": 1000},
    ]
    logo = Image.new("RGB", (400, 400), (255, 0, 0))
    out = render_talking_avatar(els, lambda e: logo, scale=0.25)
    assert _px(out, 199, 24) == (255, 255, 255) and _px(out, 200, 0) == (0, 0, 0) and _px(out, 0, 25) == (0, 0, 0)
    # Natural size 400 * scale 1.5 = 600 canvas px -> 150 output px.
    assert _px(out, 500, 250) == (255, 0, 0) and _px(out, 649, 399) == (255, 0, 0)
    assert _px(out, 650, 300) == (0, 0, 0) and _px(out, 600, 400) == (0, 0, 0)


def test_missing_sources_are_skipped_and_bare_hex_accepted():
    els = [{"type": "avatar", "avatar_id": "nope", "width": 1000, "height": 1000}, {"type": "image", "url": "00ff00", "width": 40, "height": 40}]
    out = render_talking_avatar(els, lambda e: None, scale=0.25)
    assert _px(out, 5, 5) == (0, 255, 0) and _px(out, 20, 20) == (0, 0, 0)


def test_layout_render_is_fast():
    avatar = Image.new("RGBA", (1080, 1080), (200, 100, 50, 255))
    els = [
        {"type": "image", "url": "#223344", "width": 3840, "height": 2160, "offset_x": 0, "offset_y": 0, "scale_x": 1, "scale_y": 1},
        {"type": "image", "url": "#aabbcc", "width": 780, "height": 438, "offset_x": 1920, "offset_y": 1080, "scale_x": 1, "scale_y": 1},
        {"type": "avatar", "width": 1080, "height": 1080, "offset_x": 1920, "offset_y": 1080, "scale_x": 1, "scale_y": 1},
    ]
    render_talking_avatar(els, lambda e: avatar)
    t0 = time.perf_counter()
    for _ in range(5):
        render_talking_avatar(els, lambda e: avatar)
    assert (time.perf_counter() - t0) / 5 < 0.05
