"""Face detection for the offline Akool: dlib's HOG detector, 68 landmarks, descriptors, Akool's 6 points.

Detection is dlib's HOG face detector (compiled into dlib) plus the 68-point landmark predictor and the
face-descriptor network whose weights ship inside the ``face_recognition_models`` package: nothing is
downloaded at run time. From the 68 points we report Akool's 6 landmarks, in the documented order
(docs §B.6.1; "left" is the image's left, as in the docs' examples where the left eye has the smaller x):

    0 left eye centre, 1 right eye centre, 2 nose tip, 3 mouth centre (x midway between the corners),
    4 left mouth corner, 5 right mouth corner

``landmarks_str`` is the first four, ``"x1,y1:x2,y2:x3,y3:x4,y4"`` (faceswap ``opts``).
"""
from __future__ import annotations

import math
import re
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
from PIL import Image, ImageOps


MAX_SIDE = 1280  # larger pictures are scaled down for detection (coordinates are scaled back)
UPSAMPLE_BELOW = 800  # pictures up to this size are searched once more at 2x, for small faces
THRESHOLD = 0.25  # HOG score below which a detection is ignored (real faces score ~0.8 to 2)
SAME_PERSON = 0.6  # face-descriptor distance under which two faces are one person (dlib's rule)

_lock = threading.Lock()


# ------------------------------------------------------------------ models
@lru_cache(maxsize=1)
def _models() -> tuple[Any, Any]:
    try:
        import dlib
        import face_recognition_models as weights
    except ImportError as exc:  # a plain install: the [faces] extra is not there
        raise ImportError(f'the offline Akool\'s face detector needs dlib and face_recognition_models '
                          f'({exc.name} is missing): pip install "akool_nb[faces]"') from exc
    return dlib.get_frontal_face_detector(), dlib.shape_predictor(weights.pose_predictor_model_location())


@lru_cache(maxsize=1)
def _recognizer() -> Any:
    _models()  # the same clear ImportError when the [faces] extra is missing
    import dlib
    import face_recognition_models as weights

    return dlib.face_recognition_model_v1(weights.face_recognition_model_location())


@dataclass
class Found:
    """One detected face, in the coordinates of the picture it was found in."""

    box: tuple[int, int, int, int]  # x, y, width, height
    score: float
    six: np.ndarray  # (6, 2) Akool's landmarks, documented order
    pts: np.ndarray | None = None  # (68, 2) dlib's points; None for a face known only from ``opts``
    descriptor: np.ndarray | None = field(default=None, repr=False)

    @property
    def landmarks(self) -> list[list[int]]:
        return [[int(round(x)), int(round(y))] for x, y in self.six]

    @property
    def landmarks_str(self) -> str:
        return opts_of(self.six[:4])

    @property
    def region(self) -> list[int]:
        return list(self.box)

    @property
    def bbox(self) -> list[int]:
        x, y, w, h = self.box
        return [x, y, x + w, y + h]

    @property
    def area(self) -> int:
        return self.box[2] * self.box[3]

    @property
    def centre(self) -> np.ndarray:
        x, y, w, h = self.box
        return np.array([x + w / 2, y + h / 2])

    @property
    def eye_distance(self) -> float:
        return float(np.linalg.norm(self.six[1] - self.six[0])) or 1.0

    @property
    def confidence(self) -> float:
        return round(1.0 / (1.0 + math.exp(-3.0 * self.score)), 3)

    def moved(self, dx: float, dy: float) -> "Found":
        off = np.array([dx, dy])
        x, y, w, h = self.box
        return Found((int(round(x + dx)), int(round(y + dy)), w, h), self.score, self.six + off,
                     None if self.pts is None else self.pts + off, self.descriptor)


def opts_of(points: np.ndarray) -> str:
    return ":".join(f"{int(round(x))},{int(round(y))}" for x, y in points)


OPTS = re.compile(r"^\s*-?\d+(?:\.\d+)?\s*,\s*-?\d+(?:\.\d+)?\s*(?::\s*-?\d+(?:\.\d+)?\s*,\s*-?\d+(?:\.\d+)?\s*){3}$")


def parse_opts(text: str) -> np.ndarray:
    """``"x1,y1:x2,y2:x3,y3:x4,y4"`` → a (4, 2) array (left eye, right eye, nose tip, mouth centre)."""
    return np.array([[float(v) for v in pair.split(",")] for pair in text.strip().split(":")])


def face_from_opts(points: np.ndarray, size: tuple[int, int]) -> Found:
    """A face known only by its four ``opts`` points (no detection): box and corners estimated."""
    le, re_, nose, mouth = points[:4]
    eye_d = float(np.linalg.norm(re_ - le)) or 1.0
    across = (re_ - le) / eye_d
    corners = [mouth - across * eye_d * 0.4, mouth + across * eye_d * 0.4]
    six = np.array([le, re_, nose, mouth, *corners])
    cx, cy = (le + re_ + mouth * 2) / 4
    w, h = eye_d * 2.2, eye_d * 2.6
    x0, y0 = max(0, cx - w / 2), max(0, cy - h * 0.55)
    box = (int(x0), int(y0), int(min(size[0] - x0, w)), int(min(size[1] - y0, h)))
    return Found(box, 0.0, six)


# --------------------------------------------------------------- detection
def as_rgb(image: Image.Image | np.ndarray) -> np.ndarray:
    if isinstance(image, np.ndarray):
        arr = image
        if arr.ndim == 2:
            arr = np.stack([arr] * 3, axis=-1)
        return np.ascontiguousarray(arr[..., :3], dtype=np.uint8)
    img = ImageOps.exif_transpose(image) if image.mode not in ("RGB",) else image
    if img.mode in ("RGBA", "LA", "P"):
        rgba = img.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        img = flat
    return np.asarray(img.convert("RGB"), dtype=np.uint8)


def _six(pts: np.ndarray) -> np.ndarray:
    left_eye, right_eye = pts[36:42].mean(axis=0), pts[42:48].mean(axis=0)
    nose, left_corner, right_corner = pts[30], pts[48], pts[54]
    mouth = np.array([(left_corner[0] + right_corner[0]) / 2, (pts[62][1] + pts[66][1]) / 2])
    return np.array([left_eye, right_eye, nose, mouth, left_corner, right_corner], dtype=float)


def detect(image: Image.Image | np.ndarray, *, single: bool = False, descriptors: bool = False) -> list[Found]:
    """Every face in ``image``, left to right (``single``: only the largest). Deterministic."""
    rgb = as_rgb(image)
    height, width = rgb.shape[:2]
    scale = min(1.0, MAX_SIDE / max(height, width))
    work = rgb if scale == 1.0 else np.asarray(
        Image.fromarray(rgb).resize((max(1, round(width * scale)), max(1, round(height * scale))),
                                    Image.Resampling.BILINEAR))
    upsample = 1 if max(work.shape[:2]) <= UPSAMPLE_BELOW else 0
    detector, predictor = _models()
    found: list[Found] = []
    with _lock:
        rects, scores, _ = detector.run(work, upsample, THRESHOLD)
        for rect, score in zip(rects, scores):
            shape = predictor(work, rect)
            pts = np.array([[p.x, p.y] for p in shape.parts()], dtype=float) / scale
            desc = np.array(_recognizer().compute_face_descriptor(work, shape)) if descriptors else None
            x0 = min(rect.left() / scale, pts[:, 0].min())
            y0 = min(rect.top() / scale, pts[17:27, 1].min())
            x1 = max(rect.right() / scale, pts[:, 0].max())
            y1 = max(rect.bottom() / scale, pts[:, 1].max())
            x0, y0 = max(0, int(round(x0))), max(0, int(round(y0)))
            x1, y1 = min(width, int(round(x1))), min(height, int(round(y1)))
            found.append(Found((x0, y0, max(1, x1 - x0), max(1, y1 - y0)), float(score), _six(pts), pts, desc))
    if single and found:
        found = [max(found, key=lambda f: f.area)]
    return sorted(found, key=lambda f: (f.box[0], f.box[1]))


def descriptor_of(image: Image.Image | np.ndarray) -> np.ndarray | None:
    """The identity descriptor of the largest face in ``image`` (None without a face)."""
    faces = detect(image, single=True, descriptors=True)
    return faces[0].descriptor if faces else None


def crop_box(face: Found, size: tuple[int, int], expand: float) -> tuple[int, int, int, int]:
    """The face's box grown by ``expand`` × its size on every side, inside the picture: x, y, w, h."""
    x, y, w, h = face.box
    dx, dy = w * expand, h * expand
    x0, y0 = max(0, int(round(x - dx))), max(0, int(round(y - dy)))
    x1, y1 = min(size[0], int(round(x + w + dx))), min(size[1], int(round(y + h + dy)))
    return x0, y0, max(1, x1 - x0), max(1, y1 - y0)


def iou(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    ax0, ay0, aw, ah = a
    bx0, by0, bw, bh = b
    ix = max(0, min(ax0 + aw, bx0 + bw) - max(ax0, bx0))
    iy = max(0, min(ay0 + ah, by0 + bh) - max(ay0, by0))
    inter = ix * iy
    return inter / float(aw * ah + bw * bh - inter or 1)
