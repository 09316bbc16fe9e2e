"""Sample portraits: flat cartoon presenters drawn locally, for tutorials and for the offline Akool's avatars.

Shared by the client (:func:`akool_nb.samples.portrait`) and the offline service (its avatar catalogue and
talking-avatar frames), so it lives here rather than in ``akool_nb.sim``. Unlabelled: these are *inputs*;
the offline service adds its SIMULATED badge to what it renders from them.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

__all__ = ["make_sample_portrait", "draw_portrait", "look_for", "LOOKS"]


@dataclass(frozen=True)
class _Look:
    name: str
    gender: str
    skin: tuple[int, int, int]
    hair: tuple[int, int, int]
    style: str  # "long", "bob", "short", "side"
    iris: tuple[int, int, int]
    outfit: tuple[int, int, int]
    shirt: tuple[int, int, int]
    bg: tuple[tuple[int, int, int], tuple[int, int, int]]
    beard: bool = False


_LOOKS = [
    _Look("Anna", "female", (243, 208, 182), (156, 104, 58), "long", (70, 115, 170), (38, 58, 108), (245, 245, 248), ((206, 220, 236), (122, 146, 182))),
    _Look("Kofi", "male", (118, 76, 52), (28, 24, 24), "short", (70, 45, 30), (58, 60, 68), (190, 214, 238), ((236, 214, 186), (170, 128, 96)), beard=True),
    _Look("Mei", "female", (238, 204, 166), (26, 22, 30), "bob", (60, 40, 30), (26, 118, 118), (250, 240, 222), ((226, 236, 226), (140, 170, 150))),
    _Look("Raj", "male", (190, 134, 96), (44, 30, 26), "side", (80, 52, 34), (72, 82, 104), (250, 250, 252), ((230, 226, 240), (150, 140, 180))),
    _Look("Sofia", "female", (214, 162, 124), (110, 46, 28), "long", (78, 120, 72), (122, 30, 52), (240, 228, 226), ((240, 226, 214), (190, 140, 120))),
    _Look("Liam", "male", (246, 218, 198), (178, 96, 44), "side", (80, 130, 150), (56, 100, 72), (236, 236, 230), ((214, 230, 238), (110, 140, 160))),
]


def _shade(c: tuple[int, int, int], f: float) -> tuple[int, int, int]:
    return tuple(max(0, min(255, int(v * f))) for v in c)  # type: ignore[return-value]


def _draw_portrait(look: _Look, size: int, mouth: float = 0.0, blink: bool = False) -> Image.Image:
    """A flat cartoon presenter, drawn at 2x and downsampled for anti-aliasing."""
    S = size * 2

    def box(x0: float, y0: float, x1: float, y1: float) -> tuple[int, int, int, int]:
        return (int(x0 * S), int(y0 * S), int(x1 * S), int(y1 * S))

    top, bottom = look.bg
    img = Image.new("RGB", (1, 2))
    img.putdata([top, bottom])
    img = img.resize((S, S), Image.Resampling.BILINEAR)
    g = int(0.9 * S)  # soft studio light behind the head
    glow = Image.radial_gradient("L").resize((g, g)).point(lambda v: max(0, 110 - v))
    img.paste(Image.new("RGB", (g, g), (255, 255, 255)), ((S - g) // 2, int(0.4 * S) - g // 2), glow)
    d = ImageDraw.Draw(img, "RGBA")
    female = look.gender == "female"
    skin, shadow = look.skin, _shade(look.skin, 0.84)
    hw = 0.138 if female else 0.150
    head = (0.5 - hw, 0.20, 0.5 + hw, 0.585)

    # Torso: shoulders, shirt, lapels.
    sw = 0.36 if female else 0.39  # half shoulder width
    d.rounded_rectangle(box(0.5 - sw, 0.665, 0.5 + sw, 1.3), radius=int(0.17 * S), fill=look.outfit)
    d.polygon([(0.40 * S, 0.665 * S), (0.60 * S, 0.665 * S), (0.5 * S, 0.87 * S)], fill=look.shirt)
    lapel = _shade(look.outfit, 0.78)
    d.polygon([(0.40 * S, 0.665 * S), (0.5 * S, 0.87 * S), (0.45 * S, 1.0 * S), (0.30 * S, 0.70 * S)], fill=lapel)
    d.polygon([(0.60 * S, 0.665 * S), (0.5 * S, 0.87 * S), (0.55 * S, 1.0 * S), (0.70 * S, 0.70 * S)], fill=lapel)
    if look.style == "long":  # long hair falls behind the neck onto the shoulders
        d.rounded_rectangle(box(0.5 - hw - 0.04, 0.19, 0.5 + hw + 0.04, 0.74), radius=int(0.13 * S), fill=_shade(look.hair, 0.85))
    # Neck with collar opening; the chin casts a shadow on it.
    d.rounded_rectangle(box(0.44, 0.50, 0.56, 0.70), radius=int(0.03 * S), fill=shadow)
    d.polygon([(0.44 * S, 0.68 * S), (0.56 * S, 0.68 * S), (0.5 * S, 0.77 * S)], fill=shadow)
    if not female:  # shirt collar points
        d.polygon([(0.425 * S, 0.665 * S), (0.5 * S, 0.765 * S), (0.45 * S, 0.78 * S)], fill=_shade(look.shirt, 0.92))
        d.polygon([(0.575 * S, 0.665 * S), (0.5 * S, 0.765 * S), (0.55 * S, 0.78 * S)], fill=_shade(look.shirt, 0.92))
    # Ears, head.
    for ex in (0.5 - hw - 0.012, 0.5 + hw + 0.012):
        d.ellipse(box(ex - 0.022, 0.375, ex + 0.022, 0.455), fill=shadow)
    d.ellipse(box(*head), fill=skin)
    if look.beard:  # short beard: the jaw band left when the upper face is cut away
        bm = Image.new("L", (S, S), 0)
        b = ImageDraw.Draw(bm)
        b.ellipse(box(head[0], head[1], head[2], head[3] + 0.01), fill=150)
        b.rounded_rectangle(box(head[0] + 0.03, 0.0, head[2] - 0.03, 0.50), radius=int(0.07 * S), fill=0)
        b.rectangle(box(0, 0, 1, 0.40), fill=0)
        b.ellipse(box(0.452, 0.476, 0.548, 0.502), fill=150)  # moustache
        img.paste(look.hair, (0, 0), bm)
    # Hair: a hair ellipse minus a lowered "forehead" ellipse gives a natural hairline.
    mask = Image.new("L", (S, S), 0)
    m = ImageDraw.Draw(mask)
    m.ellipse(box(head[0] - 0.022, head[1] - 0.035, head[2] + 0.022, head[1] + 0.30), fill=255)
    part = {"side": 0.03, "bob": 0.0, "long": -0.012, "short": 0.0}[look.style]
    dip = {"bob": 0.085, "short": 0.045, "side": 0.058, "long": 0.07}[look.style]
    m.ellipse(box(head[0] + 0.012 + part, head[1] + dip, head[2] - 0.012 + part, head[3] + dip), fill=0)
    if look.style in ("short", "side"):
        m.rectangle(box(0, 0.40, 1, 1), fill=0)  # short hair stops above the ears
    else:  # side locks framing the face down to the jaw
        m.rectangle(box(0, 0.52 if look.style == "bob" else 0.70, 1, 1), fill=0)
    img.paste(look.hair, (0, 0), mask)
    hx = 0.5 - hw * 0.35
    d.arc(box(hx - 0.06, head[1] - 0.005, hx + 0.08, head[1] + 0.10), 200, 280, fill=_shade(look.hair, 1.35), width=int(0.008 * S))  # sheen
    # Cheeks, brows, eyes.
    for cx in (0.41, 0.59):
        d.ellipse(box(cx - 0.03, 0.455, cx + 0.03, 0.49), fill=(225, 90, 90, 34 if female else 18))
    brow = _shade(look.hair, 0.7)
    for cx, sgn in ((0.44, -1), (0.56, 1)):
        d.line([((cx - 0.03 * sgn) * S, 0.372 * S), (cx * S, 0.360 * S), ((cx + 0.032 * sgn) * S, 0.366 * S)], fill=brow, width=int((0.009 if female else 0.012) * S), joint="curve")
        if blink:
            d.arc(box(cx - 0.026, 0.385, cx + 0.026, 0.415), 20, 160, fill=_shade(skin, 0.5), width=int(0.006 * S))
            continue
        d.ellipse(box(cx - 0.027, 0.388, cx + 0.027, 0.414), fill=(250, 250, 250))
        d.ellipse(box(cx - 0.012, 0.389, cx + 0.012, 0.413), fill=look.iris)
        d.ellipse(box(cx - 0.0055, 0.3955, cx + 0.0055, 0.4065), fill=(20, 16, 16))
        d.ellipse(box(cx + 0.002, 0.392, cx + 0.008, 0.398), fill=(255, 255, 255))
        d.arc(box(cx - 0.028, 0.386, cx + 0.028, 0.42), 195, 345, fill=(40, 28, 24), width=int((0.006 if female else 0.004) * S))
    # Nose: a soft bridge shadow and the nostril line.
    d.line([(0.505 * S, 0.415 * S), (0.512 * S, 0.463 * S)], fill=shadow + (150,), width=int(0.006 * S))
    d.arc(box(0.482, 0.452, 0.518, 0.478), 20, 160, fill=_shade(skin, 0.66), width=int(0.005 * S))
    # Mouth: a smile when closed, an open mouth with teeth when talking.
    lips = (196, 86, 96) if female else (168, 84, 80) if look.beard else _shade(skin, 0.62)
    if mouth < 0.1:
        d.arc(box(0.455, 0.475, 0.545, 0.528), 25, 155, fill=lips, width=int(0.008 * S))
    else:
        mh = 0.012 + 0.03 * mouth
        d.chord(box(0.458, 0.505 - mh * 0.25, 0.542, 0.505 + mh), 0, 180, fill=(96, 28, 36), outline=lips, width=int(0.006 * S))
        d.rectangle(box(0.47, 0.505, 0.53, 0.505 + mh * 0.28), fill=(250, 250, 246))
        d.line([(0.458 * S, 0.505 * S), (0.542 * S, 0.505 * S)], fill=lips, width=int(0.006 * S))
    if female:  # small earrings
        for ex in (0.5 - hw - 0.012, 0.5 + hw + 0.012):
            d.ellipse(box(ex - 0.008, 0.455, ex + 0.008, 0.471), fill=(232, 196, 90))
    return img.resize((size, size), Image.Resampling.LANCZOS)


def _look_for(seed: int) -> _Look:
    if 0 <= seed < len(_LOOKS):
        return _LOOKS[seed]
    rng = np.random.default_rng(seed)  # beyond the catalogue: mix features deterministically
    pick = lambda attr: getattr(_LOOKS[int(rng.integers(len(_LOOKS)))], attr)  # noqa: E731
    return _Look(f"Guest{seed}", pick("gender"), pick("skin"), pick("hair"), pick("style"), pick("iris"), pick("outfit"), pick("shirt"), pick("bg"))


def make_sample_portrait(out_path: Path | None = None, *, size: int = 768, seed: int = 0) -> Image.Image:
    """A presentable cartoon portrait for tutorials (unlabelled: it is an *input*)."""
    img = _draw_portrait(_look_for(seed), size)
    if out_path is not None:
        Path(out_path).parent.mkdir(parents=True, exist_ok=True)
        img.save(out_path)
    return img


# Public names for the offline service (``akool_nb.sim.media``), which draws the same presenters.
LOOKS, draw_portrait, look_for = _LOOKS, _draw_portrait, _look_for
