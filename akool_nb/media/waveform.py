"""Audio waveform images for previews: decode with the bundled ffmpeg at a low rate, draw min/max bars.

    from akool_nb.media.waveform import waveform_image
    img = waveform_image("speech.mp3", width=480, height=64)
"""
from __future__ import annotations

import os
import subprocess
from typing import Any

__all__ = ["waveform_peaks", "waveform_image"]

_RATE = 8000  # enough for a picture of loudness; 8 kHz mono s16 is ~16 KB per second


def waveform_peaks(source: str | os.PathLike[str], columns: int = 480, *, timeout: float = 60.0) -> list[float]:
    """Peak amplitude (0..1) of ``columns`` equal slices of the audio track of a file or URL."""
    import numpy as np

    from .thumbnails import ffmpeg_exe

    proc = subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-i", str(source),
                           "-vn", "-ac", "1", "-ar", str(_RATE), "-f", "s16le", "-"], capture_output=True,
                          timeout=timeout)
    if proc.returncode != 0:
        raise ValueError(f"could not decode audio from {source!s}: "
                         f"{proc.stderr.decode('utf-8', 'replace').strip()[-300:]}")
    samples = np.frombuffer(proc.stdout, dtype="<i2").astype(np.float32) / 32768.0
    if samples.size == 0:
        return [0.0] * columns
    edges = np.linspace(0, samples.size, columns + 1).astype(int)
    abs_samples = np.abs(samples)
    peaks = np.maximum.reduceat(abs_samples, np.minimum(edges[:-1], samples.size - 1))
    top = float(peaks.max()) or 1.0
    return [float(p) / top for p in peaks]


def waveform_image(source: str | os.PathLike[str], *, width: int = 480, height: int = 64,
                   colour: str = "#4a90e2", background: Any = (0, 0, 0, 0), bar: int = 2, gap: int = 1) -> Any:
    """A waveform picture (RGBA PIL image, transparent background by default) of an audio or video file."""
    from PIL import Image, ImageDraw

    from .layout import parse_colour

    step = max(1, bar + gap)
    peaks = waveform_peaks(source, max(1, width // step))
    img = Image.new("RGBA", (width, height), parse_colour(background) if not isinstance(background, tuple)
                    else background)
    draw = ImageDraw.Draw(img)
    fill = parse_colour(colour)
    middle = height / 2
    for i, peak in enumerate(peaks):
        half = max(1.0, peak * (height / 2 - 1))
        x = i * step
        draw.rectangle((x, round(middle - half), x + bar - 1, round(middle + half)), fill=fill)
    return img
