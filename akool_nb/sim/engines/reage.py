"""Reage: a visible, deterministic filter on the face region.

Older (``face_reage`` > 0) deepens skin texture, draws wrinkles and greys the skin; younger (< 0) smooths
the skin around eyes and mouth and brightens it. The caller adds the "SIMULATED" badge.
"""
from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from .faces import Found, crop_box
from .swap import face_mask


# -------------------------------------------------------------------- reage
def _lines(draw: ImageDraw.ImageDraw, pts: list[np.ndarray], width: int) -> None:
    draw.line([tuple(map(float, p)) for p in pts], fill=255, width=width, joint="curve")


def _curve(a: np.ndarray, b: np.ndarray, bulge: np.ndarray, n: int = 12) -> list[np.ndarray]:
    return [a + (b - a) * t + bulge * 4 * t * (1 - t) for t in np.linspace(0, 1, n)]


def _wrinkles(size: tuple[int, int], face: Found) -> Image.Image:
    layer = Image.new("L", size, 0)
    draw = ImageDraw.Draw(layer)
    eye_d = face.eye_distance
    width = max(1, int(round(eye_d * 0.03)))
    if face.pts is not None:
        p = face.pts
        up = (p[27] - p[8]) / (np.linalg.norm(p[27] - p[8]) or 1.0)  # towards the forehead
        across = (p[45] - p[36]) / (np.linalg.norm(p[45] - p[36]) or 1.0)
        brow = (p[19] + p[24]) / 2
        for k in range(1, 4):  # forehead lines
            centre = brow + up * eye_d * (0.2 + 0.17 * k)
            half = across * eye_d * (0.75 - 0.08 * k)
            _lines(draw, _curve(centre - half, centre + half, up * eye_d * 0.06), width)
        for corner, side in ((p[36], -1), (p[45], 1)):  # crow's feet
            for angle in (-0.5, 0.0, 0.5):
                direction = across * side * math.cos(angle) + up * math.sin(angle)
                start = corner + across * side * eye_d * 0.08
                _lines(draw, [start, start + direction * eye_d * 0.3], width)
        for wing, mouth_corner, side in ((p[31], p[48], -1), (p[35], p[54], 1)):  # nasolabial folds
            a = wing + across * side * eye_d * 0.12
            b = mouth_corner + across * side * eye_d * 0.1 - up * eye_d * 0.08
            _lines(draw, _curve(a, b, across * side * eye_d * 0.08), width + 1)
        for lid in (p[36:42], p[42:48]):  # bags under the eyes
            left, right = lid[0], lid[3]
            _lines(draw, _curve(left - up * eye_d * 0.12, right - up * eye_d * 0.12, -up * eye_d * 0.1), width)
    else:
        le, re_, _, mouth = face.six[:4]
        for k in range(1, 4):
            y = min(le[1], re_[1]) - eye_d * (0.35 + 0.15 * k)
            draw.line([(le[0], y), (re_[0], y)], fill=255, width=width)
        draw.line([tuple(face.six[2] - [eye_d * 0.3, 0]), tuple(mouth - [eye_d * 0.45, 0])], fill=255, width=width)
        draw.line([tuple(face.six[2] + [eye_d * 0.3, 0]), tuple(mouth + [eye_d * 0.45, 0])], fill=255, width=width)
    return layer.filter(ImageFilter.GaussianBlur(max(0.6, eye_d * 0.012)))


def _features_mask(size: tuple[int, int], face: Found) -> np.ndarray:
    """1 on eyes, brows and mouth (kept sharp when smoothing), 0 on skin."""
    layer = Image.new("L", size, 0)
    draw = ImageDraw.Draw(layer)
    eye_d = face.eye_distance
    if face.pts is not None:
        p = face.pts
        for group in (p[36:42], p[42:48], p[48:60], p[17:22], p[22:27], p[31:36]):
            c = group.mean(axis=0)
            grown = c + (group - c) * 1.5
            pad = eye_d * 0.06
            x0, y0 = grown.min(axis=0) - pad
            x1, y1 = grown.max(axis=0) + pad
            draw.ellipse((x0, y0, x1, y1), fill=255)
    else:
        for c, rx, ry in ((face.six[0], 0.3, 0.18), (face.six[1], 0.3, 0.18), (face.six[3], 0.45, 0.25)):
            draw.ellipse((c[0] - eye_d * rx, c[1] - eye_d * ry, c[0] + eye_d * rx, c[1] + eye_d * ry), fill=255)
    return np.asarray(layer.filter(ImageFilter.GaussianBlur(max(1.0, eye_d * 0.05))), float) / 255.0


def reage(scene: Image.Image, face: Found, delta: int) -> Image.Image:
    """``scene`` with the face at ``face`` made older (``delta`` > 0) or younger (< 0), by up to 30 "years"."""
    scene = scene.convert("RGB")
    if not delta:
        return scene.copy()
    s = min(1.0, abs(delta) / 30.0)
    x0, y0, w, h = crop_box(face, scene.size, 0.3)
    local = face.moved(-x0, -y0)
    region = scene.crop((x0, y0, x0 + w, y0 + h))
    arr = np.asarray(region, float)
    luminance = arr @ np.array([0.299, 0.587, 0.114])
    eye_d = local.eye_distance
    if delta > 0:
        blurred = np.asarray(region.filter(ImageFilter.GaussianBlur(max(1.0, eye_d * 0.025))), float)
        aged = arr + (arr - blurred) * (2.5 * s)  # deeper skin texture
        aged = aged * (1 - 0.45 * s) + luminance[..., None] * (0.45 * s)  # paler, greyer
        aged = aged * (1 - np.array([0.0, 0.03, 0.10]) * s) * (1 - 0.07 * s)  # yellowed, duller
        lines = np.asarray(_wrinkles((w, h), local), float) / 255.0
        aged = aged - lines[..., None] * np.array([70.0, 80.0, 85.0]) * (0.35 + 0.65 * s)
    else:
        smooth = np.asarray(region.filter(ImageFilter.GaussianBlur(max(1.5, eye_d * 0.07))), float)
        skin = (1 - _features_mask((w, h), local))[..., None] * (0.9 * s)
        aged = arr * (1 - skin) + smooth * skin  # smooth skin, sharp features
        grey = (aged @ np.array([0.299, 0.587, 0.114]))[..., None]
        aged = grey + (aged - grey) * (1 + 0.2 * s)  # fresher colour
        aged = aged * (1 + 0.06 * s) + 5 * s  # brighter
    mask = np.asarray(face_mask(local, (w, h), shrink=0.97, feather=0.05), float)[..., None] / 255.0
    out = np.clip(aged, 0, 255) * mask + arr * (1 - mask)
    result = scene.copy()
    result.paste(Image.fromarray(np.clip(out, 0, 255).astype(np.uint8)), (x0, y0))
    return result


def texture(img: Image.Image, box: tuple[int, int, int, int]) -> float:
    """Mean absolute Laplacian inside ``box`` (x, y, w, h): how much fine detail (wrinkles, pores) there is."""
    x, y, w, h = box
    g = np.asarray(img.convert("L").crop((x, y, x + w, y + h)), float)
    lap = 4 * g[1:-1, 1:-1] - g[:-2, 1:-1] - g[2:, 1:-1] - g[1:-1, :-2] - g[1:-1, 2:]
    return float(np.abs(lap).mean())
