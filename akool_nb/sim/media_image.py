"""Pictures for the offline image families: background change and image generate.

* Background change is drawn by :mod:`akool_nb.media.background` (shared with the client's preview); this
  module keeps the offline output size caps.
* Image generate draws a scene from the prompt: colour words ("red", "navy" …) pick the palette, scene
  words ("night", "sunset", "ocean" …) the backdrop, shape words ("sun", "mountains", "stars", "city",
  "trees" …) what is drawn; the rest is seeded by the prompt's hash. ``createbyprompt`` answers a 2×2 grid
  of four candidates; U<n> redraws candidate n larger, V<n> draws a variant of it.
"""
from __future__ import annotations

import math
import random
import re
import zlib

from PIL import Image, ImageDraw, ImageFont, ImageOps


# Output size caps (longest side, pixels).
BG_MAX_SIDE, BG_MAX_SIDE_FAST = 4096, 480
TILE, TILE_FAST = 512, 128  # one candidate of the 2x2 grid
UPSCALE, UPSCALE_FAST = 3840, 256  # U1-U4: "a single 4k image" (16:9: 3840x2160; the longest side 3840)
VARIATION, VARIATION_FAST = 1024, 256
SCALES = {"1:1": (1, 1), "4:3": (4, 3), "3:4": (3, 4), "16:9": (16, 9), "9:16": (9, 16), "3:2": (3, 2),
          "2:3": (2, 3)}


# ------------------------------------------------------------------------------ image generate
COLOURS = {
    "red": (214, 40, 52), "crimson": (170, 18, 56), "scarlet": (235, 45, 30), "orange": (245, 140, 30),
    "yellow": (246, 208, 46), "gold": (212, 170, 50), "golden": (212, 170, 50), "green": (48, 160, 82),
    "lime": (150, 220, 60), "emerald": (20, 140, 100), "teal": (0, 128, 128), "cyan": (40, 200, 220),
    "turquoise": (60, 210, 190), "blue": (40, 90, 210), "azure": (60, 140, 240), "navy": (20, 30, 92),
    "indigo": (70, 40, 150), "purple": (128, 58, 180), "violet": (150, 90, 210), "magenta": (210, 40, 160),
    "pink": (240, 120, 170), "brown": (122, 80, 42), "black": (18, 18, 24), "white": (246, 246, 246),
    "gray": (128, 128, 132), "grey": (128, 128, 132), "silver": (190, 192, 204), "beige": (230, 214, 180),
}
SCENES = {
    "night": ((8, 12, 40), (44, 32, 96)), "space": ((4, 4, 14), (34, 12, 56)), "sunset": ((250, 150, 60), (118, 40, 110)),
    "sunrise": ((255, 200, 120), (120, 170, 230)), "dawn": ((255, 200, 150), (140, 160, 220)),
    "sky": ((110, 170, 240), (222, 236, 250)), "day": ((120, 180, 245), (230, 240, 252)),
    "forest": ((26, 82, 46), (96, 150, 80)), "jungle": ((20, 90, 40), (80, 160, 60)),
    "sea": ((18, 78, 160), (86, 172, 222)), "ocean": ((18, 78, 160), (86, 172, 222)),
    "beach": ((120, 190, 240), (238, 214, 160)), "desert": ((244, 206, 140), (200, 140, 80)),
    "snow": ((232, 240, 250), (180, 200, 222)), "winter": ((220, 232, 246), (160, 184, 214)),
    "city": ((60, 70, 100), (180, 160, 190)), "fire": ((60, 10, 10), (240, 120, 20)),
}
SHAPES = {
    "circle": "circle", "ball": "circle", "bubble": "circle", "planet": "circle", "dot": "circle",
    "sun": "sun", "moon": "moon", "square": "rect", "box": "rect", "cube": "rect", "house": "house",
    "building": "building", "city": "building", "skyscraper": "building", "tower": "building",
    "triangle": "triangle", "pyramid": "triangle", "mountain": "mountain", "hill": "mountain",
    "star": "star", "sparkle": "star", "wave": "wave", "sea": "wave", "ocean": "wave", "river": "wave",
    "water": "wave", "lake": "wave", "tree": "tree", "forest": "tree", "flower": "flower", "garden": "flower",
    "rose": "flower", "cloud": "cloud", "heart": "heart",
}
_RANDOM_SHAPES = ("circle", "rect", "triangle", "star", "cloud")


def _words(prompt: str) -> list[str]:
    out = []
    for word in re.findall(r"[a-z]+", prompt.lower()):
        out.append(word)
        if word.endswith("s") and len(word) > 3:
            out.append(word[:-1])  # "stars" -> "star", "mountains" -> "mountain"
    return out


def _bound_colours(prompt: str) -> dict[str, tuple[int, int, int]]:
    raw = re.findall(r"[a-z]+", prompt.lower())
    bound: dict[str, tuple[int, int, int]] = {}
    for i, word in enumerate(raw):
        kind = SHAPES.get(word) or (SHAPES.get(word[:-1]) if word.endswith("s") else None)
        colour = next((COLOURS[w] for w in reversed(raw[max(0, i - 2):i]) if w in COLOURS), None)
        if kind and colour and kind not in bound:
            bound[kind] = colour
    return bound


def tile_size(scale: str, long_side: int) -> tuple[int, int]:
    """Width and height for an aspect ratio ("16:9") with the given longest side."""
    a, b = SCALES[scale]
    return (long_side, max(1, round(long_side * b / a))) if a >= b else (max(1, round(long_side * a / b)), long_side)


def tile_seed(prompt: str, index: int) -> int:
    return zlib.crc32(f"{index}|{prompt}".encode())


def _hsv(rng: random.Random) -> tuple[int, int, int]:
    import colorsys

    r, g, b = colorsys.hsv_to_rgb(rng.random(), 0.45 + 0.45 * rng.random(), 0.55 + 0.4 * rng.random())
    return int(r * 255), int(g * 255), int(b * 255)


def _shift(c: tuple[int, int, int], rng: random.Random, amount: int) -> tuple[int, int, int]:
    return tuple(max(0, min(255, v + rng.randint(-amount, amount))) for v in c)  # type: ignore[return-value]


def _gradient(size: tuple[int, int], top: tuple, bottom: tuple) -> Image.Image:
    strip = Image.new("RGB", (1, 2))
    strip.putdata([tuple(top), tuple(bottom)])
    return strip.resize(size, Image.Resampling.BILINEAR)


def _star(cx: float, cy: float, r: float, points: int = 5) -> list[tuple[float, float]]:
    pts = []
    for k in range(points * 2):
        radius = r if k % 2 == 0 else r * 0.45
        angle = -math.pi / 2 + k * math.pi / points
        pts.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    return pts


def _draw(d: ImageDraw.ImageDraw, kind: str, x: float, y: float, s: float, colour: tuple, size: tuple[int, int],
          alpha: int) -> None:
    w, h = size
    fill = (*colour, alpha)
    dark = (*(max(0, int(c * 0.6)) for c in colour), alpha)
    if kind == "circle":
        d.ellipse((x - s, y - s, x + s, y + s), fill=fill)
    elif kind == "sun":
        for k in range(12):
            a = k * math.pi / 6
            d.line((x + 1.2 * s * math.cos(a), y + 1.2 * s * math.sin(a), x + 1.6 * s * math.cos(a),
                    y + 1.6 * s * math.sin(a)), fill=fill, width=max(1, int(s / 8)))
        d.ellipse((x - s, y - s, x + s, y + s), fill=fill)
    elif kind == "moon":
        d.ellipse((x - s, y - s, x + s, y + s), fill=fill)
        d.ellipse((x - s * 0.4, y - s * 1.05, x + s * 1.5, y + s * 0.8), fill=(0, 0, 0, 0))
    elif kind == "rect":
        d.rectangle((x - s, y - s, x + s, y + s), fill=fill)
    elif kind == "house":
        d.rectangle((x - s, y - s * 0.2, x + s, y + s), fill=fill)
        d.polygon([(x - s * 1.2, y - s * 0.2), (x + s * 1.2, y - s * 0.2), (x, y - s * 1.2)], fill=dark)
    elif kind == "building":
        top = y - s * 2
        d.rectangle((x - s * 0.5, top, x + s * 0.5, h), fill=fill)
        for wy in range(int(top + s * 0.3), h, max(3, int(s * 0.5))):
            for wx in (x - s * 0.25, x + s * 0.1):
                d.rectangle((wx, wy, wx + s * 0.15, wy + s * 0.2), fill=(255, 236, 150, alpha))
    elif kind == "triangle":
        d.polygon([(x - s, y + s), (x + s, y + s), (x, y - s)], fill=fill)
    elif kind == "mountain":
        d.polygon([(x - s * 2.2, h), (x + s * 2.2, h), (x, y - s)], fill=fill)
        d.polygon([(x - s * 0.45, y - s * 0.2), (x + s * 0.45, y - s * 0.2), (x, y - s)], fill=(250, 250, 252, alpha))
    elif kind == "star":
        d.polygon(_star(x, y, s), fill=fill)
    elif kind == "wave":
        pts = [(0, h)]
        for i in range(0, w + 1, max(1, w // 48)):
            pts.append((i, y + s * 0.3 * math.sin(i / w * 6 * math.pi + x / w * 6)))
        pts.append((w, h))
        d.polygon(pts, fill=fill)
    elif kind == "tree":
        d.rectangle((x - s * 0.15, y + s * 0.4, x + s * 0.15, y + s * 1.2), fill=(110, 70, 40, alpha))
        d.polygon([(x - s * 0.8, y + s * 0.6), (x + s * 0.8, y + s * 0.6), (x, y - s)], fill=fill)
    elif kind == "flower":
        for k in range(5):
            a = k * 2 * math.pi / 5
            px, py = x + s * 0.6 * math.cos(a), y + s * 0.6 * math.sin(a)
            d.ellipse((px - s * 0.45, py - s * 0.45, px + s * 0.45, py + s * 0.45), fill=fill)
        d.ellipse((x - s * 0.35, y - s * 0.35, x + s * 0.35, y + s * 0.35), fill=(250, 210, 60, alpha))
    elif kind == "cloud":
        for dx, dy, r in ((-0.6, 0.1, 0.5), (0.0, -0.2, 0.7), (0.6, 0.1, 0.5)):
            d.ellipse((x + dx * s - r * s, y + dy * s - r * s, x + dx * s + r * s, y + dy * s + r * s),
                      fill=(250, 250, 252, alpha))
    elif kind == "heart":
        d.ellipse((x - s, y - s * 0.6, x, y + s * 0.3), fill=fill)
        d.ellipse((x, y - s * 0.6, x + s, y + s * 0.3), fill=fill)
        d.polygon([(x - s * 0.97, y - s * 0.05), (x + s * 0.97, y - s * 0.05), (x, y + s * 1.1)], fill=fill)


def generate_image(prompt: str, size: tuple[int, int], seed: int, *, jitter: int = 0,
                   source: Image.Image | None = None, caption: bool = True) -> Image.Image:
    """One picture for ``prompt`` (unlabelled). The composition depends only on ``prompt`` and ``seed``,
    in coordinates relative to ``size``, so the same seed at a larger size is the same picture, sharper.
    ``jitter`` != 0 moves, resizes and recolours every shape a little (a variation)."""
    w, h = size
    words = _words(prompt)
    rng = random.Random(seed)
    wobble = random.Random(seed * 7919 + jitter) if jitter else None
    palette = [COLOURS[x] for x in dict.fromkeys(words) if x in COLOURS] or [_hsv(rng) for _ in range(3)]
    scene = next((SCENES[x] for x in words if x in SCENES), None)
    top, bottom = scene if scene else (palette[0], palette[-1])
    if not scene:  # a pale backdrop of the palette behind the palette-coloured shapes
        top = tuple(int(c + (255 - c) * 0.7) for c in top)
        bottom = tuple(int(c + (255 - c) * 0.35) for c in bottom)
    kinds = list(dict.fromkeys(SHAPES[x] for x in words if x in SHAPES)) or rng.sample(_RANDOM_SHAPES, 2)
    bound = _bound_colours(prompt)  # "red sun", "blue mountains": that colour for that shape
    base = _gradient(size, top, bottom)
    if source is not None:  # image to image: the source, tinted towards the backdrop
        base = Image.blend(base, ImageOps.fit(source.convert("RGB"), size, Image.Resampling.LANCZOS), 0.7)
    layer = Image.new("RGBA", size, (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    unit = min(w, h)
    # Backdrop shapes (ground-level) first, then the rest; 2-4 of each kind.
    order = sorted(kinds, key=lambda k: k not in ("mountain", "wave", "building"))
    for i, kind in enumerate(order):
        for j in range(rng.randint(2, 4) if kind not in ("sun", "moon", "wave") else 1):
            x, y = rng.uniform(0.1, 0.9) * w, rng.uniform(0.15, 0.85) * h
            s = rng.uniform(0.07, 0.16) * unit
            if kind in ("sun", "moon"):
                y, s = rng.uniform(0.15, 0.35) * h, 0.12 * unit
            elif kind in ("mountain", "building", "tree", "house"):
                y = rng.uniform(0.5, 0.75) * h
            elif kind == "wave":
                y = rng.uniform(0.6, 0.8) * h
            colour = bound.get(kind) or palette[(i + j) % len(palette)]
            if wobble is not None:
                x += wobble.uniform(-0.05, 0.05) * w
                y += wobble.uniform(-0.05, 0.05) * h
                s *= wobble.uniform(0.85, 1.15)
                colour = _shift(colour, wobble, 28)
            _draw(d, kind, x, y, s, colour, size, 170 if source is not None else 235)
    base.paste(layer, (0, 0), layer)
    if caption:
        _caption(base, prompt)
    return base


def _caption(img: Image.Image, prompt: str) -> None:
    w, h = img.size
    fs = max(7, round(min(w, h) * 0.045))
    font = ImageFont.load_default(size=fs)
    text = prompt.strip().replace("\n", " ")
    while len(text) > 4 and font.getbbox(text)[2] > 0.9 * w:
        text = text[: max(4, int(len(text) * 0.85))].rstrip() + "…"
    x0, y0, x1, y1 = font.getbbox(text)
    pad = max(2, fs // 3)
    overlay = Image.new("RGBA", (x1 - x0 + 2 * pad, y1 - y0 + 2 * pad), (0, 0, 0, 110))
    ImageDraw.Draw(overlay).text((pad - x0, pad - y0), text, font=font, fill=(255, 255, 255, 235))
    img.paste(overlay, (pad, pad), overlay)


def generate_grid(prompt: str, scale: str, tile_long_side: int, source: Image.Image | None = None) -> Image.Image:
    """The 2×2 grid of four candidates (1 2 / 3 4), each ``tile_size(scale, tile_long_side)``."""
    tw, th = tile_size(scale, tile_long_side)
    grid = Image.new("RGB", (2 * tw, 2 * th))
    for i in range(4):
        grid.paste(generate_image(prompt, (tw, th), tile_seed(prompt, i), source=source), ((i % 2) * tw, (i // 2) * th))
    return grid
