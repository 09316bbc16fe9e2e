"""Video in and out for the face products: frames read and written with ffmpeg, a face tracker.

Probing is :func:`akool_nb.media.probe.probe_file` (one probe for the whole package); :func:`probe` here
adds what the face video products require (a video stream, a frame rate).
"""
from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np
from PIL import Image

from .faces import Found, MAX_SIDE, detect
from .swap import locate


# ------------------------------------------------------------------- video
@dataclass(frozen=True)
class VideoInfo:
    width: int
    height: int
    fps: float
    duration: float
    has_audio: bool


def probe(path: Path) -> VideoInfo:
    """What the face video products need of a video (the package's one probe, akool_nb.media.probe)."""
    from akool_nb.media.probe import probe_file

    from ..media import media_duration

    found = probe_file(path)
    if not found.has_video:
        raise ValueError(f"no video stream in {Path(path).name}")
    return VideoInfo(found.width, found.height, found.fps if found.fps else 25.0, media_duration(path),
                     found.has_audio)


def even(v: float) -> int:
    return max(2, int(round(v / 2.0)) * 2)


def fit(width: int, height: int, max_side: int) -> tuple[int, int]:
    scale = min(1.0, max_side / max(width, height))
    return even(width * scale), even(height * scale)


def read_frames(path: Path, size: tuple[int, int], fps: float, duration: float) -> Iterator[Image.Image]:
    """Decoded RGB frames of ``path`` at ``fps``, scaled to ``size``, for ``duration`` seconds."""
    from ..media import _ffmpeg_exe

    w, h = size
    cmd = [_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-i", str(path), "-t", f"{duration:.3f}",
           "-vf", f"fps={fps},scale={w}:{h}", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert proc.stdout is not None
    frame_bytes = w * h * 3
    try:
        while True:
            data = proc.stdout.read(frame_bytes)
            if len(data) < frame_bytes:
                break
            yield Image.frombytes("RGB", (w, h), data)
    finally:
        proc.stdout.close()
        proc.kill()
        proc.wait()


def frame_at(path: Path, t: float, max_side: int = MAX_SIDE) -> Image.Image:
    """The frame of ``path`` at ``t`` seconds (at most ``max_side`` pixels on its long side)."""
    import io

    from ..media import _ffmpeg

    png = _ffmpeg(["-ss", f"{max(0.0, t):.3f}", "-i", str(path), "-frames:v", "1", "-f", "image2pipe",
                   "-c:v", "png", "-"])
    if not png:
        raise ValueError(f"no frame at {t:.2f}s")
    img = Image.open(io.BytesIO(png)).convert("RGB")
    img.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    return img


def write_video(frames: Iterator[Image.Image], size: tuple[int, int], fps: float, out: Path, *,
                audio_from: Path | None, duration: float, fast: bool) -> None:
    """Encode labelled frames as H.264 MP4, with the audio of ``audio_from`` when given."""
    from ..media import LABEL, _badge, _encode

    badge, pos = _badge(size, LABEL)

    def raw() -> Iterator[bytes]:
        for frame in frames:
            frame = frame if frame.size == size else frame.resize(size)
            frame.paste(badge, pos, badge)
            yield frame.tobytes()

    _encode(raw(), size, fps, out, audio_from, duration, fast)


class Tracker:
    """Follows target faces from frame to frame: each target stays with the detection nearest to where it
    was; a lost target is found again by appearance (``locate``). Positions are reused for a few frames when
    the detector misses a face (motion blur)."""

    def __init__(self, targets: list[tuple[Image.Image | None, np.ndarray, bool]], keep: int = 3):
        self.targets = targets  # (crop picture or None, opts points, points are frame coordinates)
        self.last: list[Found | None] = [None] * len(targets)
        self.missed = [0] * len(targets)
        self.keep = keep

    def step(self, frame: Image.Image) -> list[Found | None]:
        faces = detect(frame)
        taken: set[int] = set()
        out: list[Found | None] = []
        for i, (crop, points, same) in enumerate(self.targets):
            prev, pick = self.last[i], None
            if prev is not None:
                near = [(float(np.linalg.norm(f.centre - prev.centre)), k) for k, f in enumerate(faces) if k not in taken]
                if near:
                    dist, k = min(near)
                    if dist < 0.6 * max(prev.box[2], prev.box[3]):
                        pick = faces[k]
                        taken.add(k)
            if pick is None and (prev is None or self.missed[i] >= self.keep):
                free = [f for k, f in enumerate(faces) if k not in taken]
                if free or same:
                    pick = locate(frame, free, crop, points, same_picture=same)
                    if pick is not None and pick in faces:
                        taken.add(faces.index(pick))
            if pick is None and prev is not None and self.missed[i] < self.keep:
                self.missed[i] += 1
                out.append(prev)
                continue
            self.missed[i] = 0 if pick is not None else self.missed[i] + 1
            self.last[i] = pick if pick is not None else self.last[i]
            out.append(pick)
        return out
