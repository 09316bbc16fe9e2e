"""The background-change picture, shared by the client's local preview and the offline Akool's result.

Composites with the shared layout renderer (:mod:`akool_nb.media.layout`); ``background.preview()`` (client,
widget) and the offline ``bg/replace`` both call :func:`render_background_change`, so a local preview and the
offline result agree pixel for pixel (the result only adds the SIMULATED badge). ``removeBg`` is simulated by
keying out the colour found along the picture's edges (flood-filled from the border).
"""
from __future__ import annotations

from typing import Callable, Mapping

from PIL import Image, ImageDraw, ImageFilter, ImageOps

from .layout import background_change_layers, render_layers


def fit_scale(canvas: tuple[int, int], max_side: int) -> float:
    """The render scale that keeps the longest side within ``max_side`` (never upscales)."""
    return min(1.0, max_side / max(canvas))


def remove_background(img: Image.Image, tolerance: float = 42.0) -> Image.Image:
    """RGBA copy of ``img`` with its backdrop transparent: pixels close to the edge colour of their row
    (left/right border pixels, so vertical gradients work) that connect to the border."""
    import numpy as np

    rgb = img.convert("RGB")
    a = np.asarray(rgb, dtype=np.float32)
    h, w = a.shape[:2]
    reference = (a[:, :1, :] + a[:, -1:, :]) / 2.0  # per-row edge colour
    distance = np.sqrt(((a - reference) ** 2).sum(axis=2))
    candidate = Image.fromarray(np.where(distance < tolerance, 255, 0).astype(np.uint8)).copy()  # writable
    step = max(1, min(w, h) // 64)
    border = ([(x, 0) for x in range(0, w, step)] + [(x, h - 1) for x in range(0, w, step)]
              + [(0, y) for y in range(0, h, step)] + [(w - 1, y) for y in range(0, h, step)])
    for point in border:
        if candidate.getpixel(point) == 255:
            ImageDraw.floodfill(candidate, point, 128)
    backdrop = np.asarray(candidate) == 128
    alpha = Image.fromarray(np.where(backdrop, 0, 255).astype(np.uint8))
    alpha = alpha.filter(ImageFilter.GaussianBlur(1))
    out = rgb.convert("RGBA")
    if img.mode in ("RGBA", "LA") or "transparency" in img.info:  # keep transparency it already had
        alpha = Image.fromarray(np.minimum(np.asarray(alpha), np.asarray(img.convert("RGBA").getchannel("A"))))
    out.putalpha(alpha)
    return out


def layer_image(img: Image.Image, key: str, params: Mapping) -> Image.Image:
    """A loaded input as the renderer draws it: EXIF-upright, and cut out for ``origin_img`` + ``removeBg``."""
    img = ImageOps.exif_transpose(img)
    if key == "origin_img" and params.get("removeBg"):
        img = remove_background(img)
    return img


def render_background_change(params: Mapping, load: Callable[[str], Image.Image], max_side: int) -> Image.Image:
    """The background-change picture for ``params`` (the ``bg/replace`` body); ``load(key)`` reads the
    image at ``params[key]``. Unlabelled: the offline service adds the badge to its copy."""
    canvas, layers, background = background_change_layers(params, lambda key: layer_image(load(key), key, params))
    return render_layers(canvas, layers, scale=fit_scale(canvas, max_side), background=background)
