"""Face boxes, landmarks and index labels drawn on images, in the style of ``supervision``'s annotators.

Faces are plain data (a box ``x, y, w, h`` and a list of ``(x, y)`` landmarks), so any detector's output
fits; :meth:`Face.from_any` also reads dicts such as ``{"box": [...], "landmarks": [...]}`` or Akool's
``{"bbox": ..., "landmarks_str": ...}`` shapes. Strokes, dots and fonts scale with the image, and index
labels are placed so that they never overlap each other.

    from akool_nb.media.annotate import Face, FaceAnnotator
    faces = [Face((120, 80, 200, 240), [(170, 160), (260, 160), (215, 210), (180, 260), (250, 260)])]
    FaceAnnotator(faces).annotate(image)          # a new image; the input is left alone
"""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

__all__ = ["Face", "BoxAnnotator", "LandmarkAnnotator", "LabelAnnotator", "FaceAnnotator", "PALETTE"]

#: A colour per face index, distinguishable on light and dark photos (and for most colour-blind viewers).
PALETTE = ("#4a90e2", "#f5a623", "#27ae60", "#e74c3c", "#9b59b6", "#1abc9c", "#e67e22", "#ff5fa2")


@dataclass
class Face:
    """One face: ``box`` = (x, y, w, h) in image pixels, ``landmarks`` = [(x, y), ...]."""

    box: tuple[float, float, float, float]
    landmarks: list[tuple[float, float]] = field(default_factory=list)
    index: int | None = None
    score: float | None = None
    label: str | None = None

    @classmethod
    def from_any(cls, value: Any, index: int | None = None) -> "Face":
        if isinstance(value, Face):
            return value if index is None or value.index is not None else Face(value.box, value.landmarks, index,
                                                                                value.score, value.label)
        if isinstance(value, dict):
            box = value.get("box") or value.get("bbox") or value.get("rect")
            if box is None and {"x", "y", "w", "h"} <= value.keys():
                box = (value["x"], value["y"], value["w"], value["h"])
            marks = value.get("landmarks")
            if marks is None and value.get("landmarks_str"):
                marks = value["landmarks_str"]
            if isinstance(marks, str):
                marks = json.loads(marks) if marks.strip().startswith("[") else [
                    tuple(float(v) for v in p.split(",")) for p in marks.split(":") if p]
            return cls(tuple(float(v) for v in box), [tuple(map(float, p[:2])) for p in marks or []],
                       value.get("index", index), value.get("score"), value.get("label"))
        box = getattr(value, "box", None) or getattr(value, "bbox", None)
        marks = getattr(value, "landmarks", None) or []
        if box is None:
            raise TypeError(f"cannot read a face from {type(value).__name__}: needs a box (x, y, w, h)")
        return cls(tuple(float(v) for v in box), [tuple(map(float, p[:2])) for p in marks],
                   getattr(value, "index", index), getattr(value, "score", None), getattr(value, "label", None))


def _faces(faces: Iterable[Any] | None) -> list[Face]:
    out = []
    for i, face in enumerate(faces or []):
        f = Face.from_any(face, i)
        if f.index is None:
            f.index = i
        out.append(f)
    return out


def _colour(index: int | None, palette: Sequence[str]) -> str:
    return palette[(index or 0) % len(palette)]


def _unit(size: tuple[int, int]) -> float:
    """One 'stroke unit' for this image: 2 px on a 1080-line image, 4 px on 4K, at least 1."""
    return max(1.0, min(size) / 540)


@functools.lru_cache(maxsize=16)
def _font(px: int) -> Any:
    from PIL import ImageFont

    try:
        return ImageFont.load_default(size=px)
    except TypeError:  # Pillow < 10.1 without FreeType sizes
        return ImageFont.load_default()


class _Annotator:
    def __init__(self, faces: Iterable[Any] | None = None, *, palette: Sequence[str] = PALETTE,
                 thickness: float | None = None) -> None:
        self.faces = _faces(faces)
        self.palette = tuple(palette)
        self.thickness = thickness

    def annotate(self, image: Any, faces: Iterable[Any] | None = None, *, inplace: bool = False) -> Any:
        """Return ``image`` with the annotation drawn (a copy unless ``inplace``)."""
        from PIL import ImageDraw

        out = image if inplace else image.copy()
        if out.mode not in ("RGB", "RGBA"):
            out = out.convert("RGB")
        self._draw(ImageDraw.Draw(out), out.size, _faces(faces) if faces is not None else self.faces)
        return out

    def _stroke(self, size: tuple[int, int]) -> int:
        return max(1, round(self.thickness if self.thickness is not None else _unit(size)))

    def _draw(self, draw: Any, size: tuple[int, int], faces: list[Face]) -> None:
        raise NotImplementedError


class BoxAnnotator(_Annotator):
    """Face boxes with rounded corners, one colour per face index."""

    def _draw(self, draw: Any, size: tuple[int, int], faces: list[Face]) -> None:
        width = self._stroke(size)
        for face in faces:
            x, y, w, h = face.box
            radius = max(2, round(min(w, h) * 0.06))
            draw.rounded_rectangle((x, y, x + w, y + h), radius=radius, outline=_colour(face.index, self.palette),
                                   width=width)


class LandmarkAnnotator(_Annotator):
    """Landmark dots (white ring around a coloured centre) with optional small point numbers."""

    def __init__(self, faces: Iterable[Any] | None = None, *, numbers: bool = True, **kw: Any) -> None:
        super().__init__(faces, **kw)
        self.numbers = numbers

    def _draw(self, draw: Any, size: tuple[int, int], faces: list[Face]) -> None:
        unit = _unit(size)
        font = _font(max(9, round(7 * unit)))
        for face in faces:
            colour = _colour(face.index, self.palette)
            r = max(2.0, min(face.box[2], face.box[3]) * 0.018, 2.2 * unit)
            for n, (px, py) in enumerate(face.landmarks):
                draw.ellipse((px - r - unit, py - r - unit, px + r + unit, py + r + unit), fill="#ffffff")
                draw.ellipse((px - r, py - r, px + r, py + r), fill=colour)
                if self.numbers:
                    draw.text((px + r + 1.5 * unit, py - r - 1.5 * unit), str(n), fill="#ffffff", font=font,
                              stroke_width=max(1, round(unit * 0.6)), stroke_fill="#000000")


class LabelAnnotator(_Annotator):
    """Face index labels ("face 0", or ``Face.label``) on a filled tag; tags never overlap one another."""

    def __init__(self, faces: Iterable[Any] | None = None, *, text: str = "face {index}", **kw: Any) -> None:
        super().__init__(faces, **kw)
        self.text = text

    def _draw(self, draw: Any, size: tuple[int, int], faces: list[Face]) -> None:
        unit = _unit(size)
        font = _font(max(11, round(11 * unit)))
        pad = round(3 * unit)
        placed: list[tuple[float, float, float, float]] = []
        for face in sorted(faces, key=lambda f: (f.box[1], f.box[0])):
            label = face.label or self.text.format(index=face.index)
            left, top, right, bottom = draw.textbbox((0, 0), label, font=font)
            tw, th = right - left + 2 * pad, bottom - top + 2 * pad
            rect = _place(face.box, (tw, th), size, placed, self._stroke(size))
            placed.append(rect)
            draw.rounded_rectangle(rect, radius=round(2 * unit), fill=_colour(face.index, self.palette))
            draw.text((rect[0] + pad - left, rect[1] + pad - top), label, fill="#ffffff", font=font)


def _overlaps(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _place(box: Sequence[float], tag: tuple[float, float], size: tuple[int, int],
           placed: list[tuple[float, float, float, float]], stroke: int) -> tuple[float, float, float, float]:
    """First free spot among: above the box, below it, inside its top-left corner, to its right, to its
    left; then slide down from the first candidate until it no longer overlaps any earlier tag."""
    x, y, w, h = box
    tw, th = tag
    cands = [(x, y - th - stroke), (x, y + h + stroke), (x + stroke, y + stroke), (x + w + stroke, y),
             (x - tw - stroke, y)]

    def clamp(px: float, py: float) -> tuple[float, float, float, float]:
        px = min(max(0.0, px), max(0.0, size[0] - tw))
        py = min(max(0.0, py), max(0.0, size[1] - th))
        return (px, py, px + tw, py + th)

    for cx, cy in cands:
        rect = clamp(cx, cy)
        if not any(_overlaps(rect, other) for other in placed):
            return rect
    rect = clamp(*cands[0])
    for _ in range(200):
        hit = next((o for o in placed if _overlaps(rect, o)), None)
        if hit is None:
            break
        rect = (rect[0], hit[3] + 1, rect[2], hit[3] + 1 + th)
    return rect


class FaceAnnotator(_Annotator):
    """Boxes + landmarks + non-overlapping index labels in one pass (the FacePanel's overlay)."""

    def __init__(self, faces: Iterable[Any] | None = None, *, landmarks: bool = True, labels: bool = True,
                 numbers: bool = True, selected: Iterable[int] = (), **kw: Any) -> None:
        super().__init__(faces, **kw)
        self.parts: list[_Annotator] = [BoxAnnotator(**kw)]
        if landmarks:
            self.parts.append(LandmarkAnnotator(numbers=numbers, **kw))
        if labels:
            self.parts.append(LabelAnnotator(**kw))
        self.selected = set(selected)

    def _draw(self, draw: Any, size: tuple[int, int], faces: list[Face]) -> None:
        if self.selected:  # a thicker white outline marks selected faces
            width = self._stroke(size) * 3
            for face in faces:
                if face.index in self.selected:
                    x, y, w, h = face.box
                    draw.rounded_rectangle((x - width, y - width, x + w + width, y + h + width),
                                           radius=max(2, round(min(w, h) * 0.08)), outline="#ffffff",
                                           width=max(1, width // 2))
        for part in self.parts:
            part._draw(draw, size, faces)
