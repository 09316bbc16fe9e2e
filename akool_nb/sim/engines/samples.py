"""Sample face pictures for tests and tutorials: photos shipped inside packages (scikit-image,
matplotlib), a group picture and a short face clip made from a photo.
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Iterator

from PIL import Image

from .faces import as_rgb
from .video_io import fit


# ------------------------------------------------------------------ samples
def sample_photo(name: str = "astronaut") -> Image.Image:
    """A real photograph of a face that ships inside an installed package (nothing is downloaded):
    ``"astronaut"`` (Eileen Collins, scikit-image) or ``"grace_hopper"`` (matplotlib)."""
    if name == "astronaut":
        from skimage import data

        return Image.fromarray(data.astronaut())
    if name == "grace_hopper":
        from matplotlib import cbook

        return Image.open(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)).convert("RGB")
    raise ValueError(f"unknown sample {name!r}; use 'astronaut' or 'grace_hopper'")


def sample_group(width: int = 900, height: int = 500) -> Image.Image:
    """Both sample photos side by side on one canvas: two faces of different sizes (astronaut left, larger
    picture; Grace Hopper right)."""
    canvas = Image.new("RGB", (width, height), (214, 218, 226))
    a = sample_photo("astronaut").resize((int(height * 0.8),) * 2, Image.Resampling.LANCZOS)
    g = sample_photo("grace_hopper")
    g = g.resize((int(height * 0.6), int(height * 0.6 * g.height / g.width)), Image.Resampling.LANCZOS)
    canvas.paste(a, (int(width * 0.02), int(height * 0.1)))
    canvas.paste(g, (int(width * 0.62), int(height * 0.16)))
    return canvas


def make_face_clip(photo: Image.Image, out: Path, *, seconds: float = 2.0, fps: int = 10, size: int = 320,
                   audio: bool = False) -> Path:
    """A short MP4 of ``photo`` with a slow pan and zoom (the face moves), optionally with a tone track."""
    from ..media import _X264, _ffmpeg

    src = as_rgb(photo)
    img = Image.fromarray(src)
    w, h = fit(img.width, img.height, size)
    n = max(1, int(round(seconds * fps)))

    def frames() -> Iterator[bytes]:
        for i in range(n):
            t = i / max(1, n - 1)
            zoom = 1.0 + 0.12 * t
            cw, ch = img.width / zoom, img.height / zoom
            cx = img.width / 2 + (img.width - cw) / 2 * 0.6 * math.sin(math.pi * t)
            cy = img.height / 2
            box = (cx - cw / 2, cy - ch / 2, cx + cw / 2, cy + ch / 2)
            yield img.resize((w, h), Image.Resampling.BILINEAR, box=box).tobytes()

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    args = ["-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{w}x{h}", "-framerate", str(fps), "-i", "-"]
    if audio:
        args += ["-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}", "-c:a", "aac", "-b:a", "64k",
                 "-shortest"]
    _ffmpeg([*args, *_X264, "-t", f"{seconds:.3f}", str(out)], frames=frames())
    return out
