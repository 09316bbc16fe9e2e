"""Audio for the offline VoiceLab: pitch measurement, the cloned voice's preview, the voice changer.

A clone is modelled by one number, the sample's median pitch (F0): the preview is ordinary offline speech
shifted to that pitch. The voice changer shifts the source audio to the target voice's pitch (resampling,
which moves the formants with it) and applies the requested speed, keeping its words and timing. Results
carry the title "akool_nb simulated ..." in their metadata.
"""
from __future__ import annotations

import math
import tempfile
import zlib
from pathlib import Path

import numpy as np

from .media import _ffmpeg, media_duration, synthesize_speech

RATE = 16000
F0_RANGE = (60.0, 420.0)
CLONE_TITLE = "akool_nb simulated voice clone"
CHANGE_TITLE = "akool_nb simulated voice change"


def decode(path: Path, rate: int = RATE) -> np.ndarray:
    """Mono float32 samples of any audio/video file ffmpeg can read (RuntimeError if it cannot)."""
    pcm = _ffmpeg(["-i", str(path), "-vn", "-ac", "1", "-ar", str(rate), "-f", "s16le", "-"])
    return np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0


def estimate_f0(samples: np.ndarray, rate: int = RATE) -> float | None:
    """Median pitch in Hz over the voiced frames (normalised autocorrelation), or None without voice."""
    frame, hop = int(0.04 * rate), int(0.02 * rate)
    if samples.size < frame:
        return None
    rms_all = float(np.sqrt(np.mean(samples * samples)))
    if rms_all < 1e-3:
        return None
    lo, hi = int(rate / F0_RANGE[1]), int(rate / F0_RANGE[0])
    picks = []
    for start in range(0, samples.size - frame, hop):
        x = samples[start:start + frame]
        if float(np.sqrt(np.mean(x * x))) < 0.3 * rms_all:
            continue  # silence or a consonant
        x = x - x.mean()
        spectrum = np.fft.rfft(x, 2 * frame)
        ac = np.fft.irfft(spectrum * np.conj(spectrum))[:frame]
        if ac[0] <= 0:
            continue
        ac = ac / ac[0]
        lag = lo + int(np.argmax(ac[lo:hi]))
        if ac[lag] < 0.45:
            continue  # not periodic enough to be voiced
        # Prefer the shortest lag that is nearly as periodic (avoids octave-down errors).
        for divisor in (4, 3, 2):
            sub = round(lag / divisor)
            if sub >= lo and ac[sub] > 0.9 * ac[lag]:
                lag = sub
                break
        if 1 <= lag < frame - 1:  # parabolic interpolation around the peak
            a, b, c = ac[lag - 1], ac[lag], ac[lag + 1]
            denom = a - 2 * b + c
            lag = lag + (0.5 * (a - c) / denom if denom else 0.0)
        picks.append(rate / lag)
    if len(picks) < 3:
        return None
    return float(np.median(picks))


def voice_pitch(gender: str | None, key: str) -> float:
    """A catalogue voice's pitch: by gender, varied a little per voice (deterministic)."""
    base = 120.0 if (gender or "").lower().startswith("m") else 210.0
    return base * (0.92 + 0.16 * (zlib.crc32(key.encode()) % 1000) / 1000)


def _atempo(factor: float) -> list[str]:
    """``atempo`` filters whose product is ``factor`` (each stage within 0.5–2)."""
    stages = []
    while factor > 2.0:
        stages.append("atempo=2.0")
        factor /= 2.0
    while factor < 0.5:
        stages.append("atempo=0.5")
        factor /= 0.5
    stages.append(f"atempo={factor:.6f}")
    return stages


def shift(src: Path, out: Path, ratio: float, *, speed: float = 1.0, title: str, fast: bool = False) -> float:
    """Write ``src`` with its pitch times ``ratio`` and its tempo times ``speed``; return the duration."""
    ratio = min(2.5, max(0.4, ratio))
    rate = RATE if fast else 24000
    chain = [f"asetrate={rate * ratio:.3f}", f"aresample={rate}", *_atempo(speed / ratio)]
    codec = (["-c:a", "pcm_s16le"] if out.suffix.lower() == ".wav"
             else ["-c:a", "libmp3lame", "-b:a", "48k" if fast else "96k"])
    out.parent.mkdir(parents=True, exist_ok=True)
    _ffmpeg(["-i", str(src), "-vn", "-ac", "1", "-ar", str(rate), "-af", ",".join(chain), *codec,
             "-metadata", f"title={title}", str(out)])
    return media_duration(out)


def clone_preview(text: str, out: Path, *, f0: float, language: str, fast: bool = False) -> float:
    """Offline speech of ``text`` moved to the pitch ``f0`` of the cloned sample; returns the duration."""
    with tempfile.TemporaryDirectory() as tmp:
        plain = Path(tmp) / "plain.wav"
        synthesize_speech(text, plain, language=language, fast=fast)
        own = estimate_f0(decode(plain)) or 130.0
        return shift(plain, out, f0 / own, title=CLONE_TITLE, fast=fast)


def tone_sample(out: Path, f0: float, seconds: float = 2.0, rate: int = RATE) -> Path:
    """A voice-like test sample: harmonics of ``f0`` in syllable bursts (for tests and tutorials)."""
    t = np.arange(int(seconds * rate)) / rate
    wave_ = sum(np.sin(2 * math.pi * k * f0 * t) / k for k in range(1, 8))
    envelope = 0.55 + 0.45 * np.sin(2 * math.pi * 3.0 * t) ** 2
    samples = (0.35 * wave_ / np.abs(wave_).max() * envelope).astype(np.float32)
    pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes()
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw.pcm"
        raw.write_bytes(pcm)
        out.parent.mkdir(parents=True, exist_ok=True)
        codec = ["-c:a", "pcm_s16le"] if out.suffix.lower() == ".wav" else ["-c:a", "libmp3lame", "-b:a", "64k"]
        _ffmpeg(["-f", "s16le", "-ar", str(rate), "-ac", "1", "-i", str(raw), *codec, str(out)])
    return out
