"""The offline Akool's face engine: a real face detector, face swap and reage, on real pixels.

Detection is dlib's HOG face detector (compiled into dlib) plus the 68-point landmark predictor and the
face-descriptor network whose weights ship inside the ``face_recognition_models`` package: nothing is
downloaded at run time. From the 68 points we report Akool's 6 landmarks, in the documented order
(docs §B.6.1; "left" is the image's left, as in the docs' examples where the left eye has the smaller x):

    0 left eye centre, 1 right eye centre, 2 nose tip, 3 mouth centre (x midway between the corners),
    4 left mouth corner, 5 right mouth corner

``landmarks_str`` is the first four, ``"x1,y1:x2,y2:x3,y3:x4,y4"`` (faceswap ``opts``).

Face swap warps the source face onto each target face with the similarity transform that maps the source's
four ``opts`` points onto the target's, matches its colours to the target skin and feathers it in with a
mask cut from the target's 68-point outline. Reage is a visible, deterministic filter on the face region:
older (``face_reage`` > 0) deepens skin texture, draws wrinkles and greys the skin; younger (< 0) smooths
the skin around eyes and mouth and brightens it. Everything leaves with a "SIMULATED" badge.
"""
from __future__ import annotations

import math
import re
import subprocess
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageOps

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


# ----------------------------------------------------------------- geometry
def similarity(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """The 2×3 similarity transform (rotation, uniform scale, shift) taking ``src`` points closest to ``dst``
    in the least-squares sense (Umeyama)."""
    src, dst = np.asarray(src, float), np.asarray(dst, float)
    mu_s, mu_d = src.mean(axis=0), dst.mean(axis=0)
    s0, d0 = src - mu_s, dst - mu_d
    cov = d0.T @ s0 / len(src)
    u, sig, vt = np.linalg.svd(cov)
    d = np.eye(2)
    if np.linalg.det(u) * np.linalg.det(vt) < 0:
        d[1, 1] = -1
    rot = u @ d @ vt
    var = (s0 ** 2).sum() / len(src)
    scale = float(np.trace(np.diag(sig) @ d) / var) if var > 0 else 1.0
    t = mu_d - scale * rot @ mu_s
    return np.hstack([scale * rot, t[:, None]])


def apply(m: np.ndarray, pts: np.ndarray) -> np.ndarray:
    return np.asarray(pts, float) @ m[:, :2].T + m[:, 2]


def warp(img: Image.Image, m: np.ndarray, size: tuple[int, int], *, resample=Image.Resampling.BILINEAR) -> Image.Image:
    """``img`` moved by ``m`` (source → output coordinates) onto a canvas of ``size``."""
    full = np.vstack([m, [0, 0, 1]])
    inv = np.linalg.inv(full)
    coeffs = (inv[0, 0], inv[0, 1], inv[0, 2], inv[1, 0], inv[1, 1], inv[1, 2])
    return img.transform(size, Image.Transform.AFFINE, coeffs, resample=resample)


def _outline(face: Found) -> list[tuple[float, float]]:
    """The face's outline: jaw (0–16) then the brows (26→17) lifted towards the forehead."""
    if face.pts is None:
        le, re_, _, mouth = face.six[:4]
        centre = (le + re_ + mouth * 2) / 4
        eye_d = face.eye_distance
        return [(centre[0] + eye_d * 1.05 * math.cos(a), centre[1] + eye_d * 1.35 * math.sin(a))
                for a in np.linspace(0, 2 * math.pi, 36, endpoint=False)]
    pts = face.pts
    lift = (pts[8] - pts[27]) * 0.18  # from the nose bridge towards the chin
    brows = [tuple(p - lift) for p in pts[26:16:-1]]
    return [tuple(p) for p in pts[0:17]] + brows


def face_mask(face: Found, size: tuple[int, int], *, shrink: float = 0.93, feather: float = 0.07) -> Image.Image:
    """A soft "L" mask of the face area (255 inside)."""
    outline = np.array(_outline(face))
    centre = outline.mean(axis=0)
    outline = centre + (outline - centre) * shrink
    mask = Image.new("L", size, 0)
    ImageDraw.Draw(mask).polygon([tuple(p) for p in outline], fill=255)
    radius = max(1.0, face.eye_distance * feather * 2)
    return mask.filter(ImageFilter.GaussianBlur(radius))


# ----------------------------------------------------------------- swapping
def _colour_match(src: np.ndarray, dst: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """``src`` with the mean and spread of ``dst`` inside ``weight`` (per channel)."""
    w = weight[..., None]
    total = float(weight.sum()) or 1.0
    mu_s = (src * w).sum(axis=(0, 1)) / total
    mu_d = (dst * w).sum(axis=(0, 1)) / total
    sd_s = np.sqrt(((src - mu_s) ** 2 * w).sum(axis=(0, 1)) / total) + 1e-3
    sd_d = np.sqrt(((dst - mu_d) ** 2 * w).sum(axis=(0, 1)) / total) + 1e-3
    ratio = np.clip(sd_d / sd_s, 0.6, 1.6)
    return (src - mu_s) * ratio + mu_d


def swap(scene: Image.Image, target: Found, source: Image.Image, source_points: np.ndarray, *,
         enhance: bool = False) -> Image.Image:
    """``scene`` with the face at ``target`` replaced by the face of ``source`` whose first four landmarks
    (eyes, nose tip, mouth centre) are ``source_points``."""
    scene = scene.convert("RGB")
    m = similarity(source_points[:4], target.six[:4])
    x0, y0, w, h = crop_box(target, scene.size, 0.35)
    # Work on the face's neighbourhood only: shift the transform into the crop.
    shift = np.array([[1, 0, -x0], [0, 1, -y0]], float)
    m_crop = shift @ np.vstack([m, [0, 0, 1]])
    local = target.moved(-x0, -y0)
    region = scene.crop((x0, y0, x0 + w, y0 + h))
    src = source.convert("RGB")
    warped = warp(src, m_crop, (w, h))
    if enhance:
        warped = warped.filter(ImageFilter.UnsharpMask(radius=2, percent=90, threshold=2))
    cover = warp(Image.new("L", src.size, 255), m_crop, (w, h))
    mask = np.asarray(face_mask(local, (w, h)), float) / 255.0
    mask *= np.asarray(cover.filter(ImageFilter.MinFilter(5)), float) / 255.0
    dst_arr = np.asarray(region, float)
    src_arr = _colour_match(np.asarray(warped, float), dst_arr, (mask > 0.5).astype(float))
    out = src_arr * mask[..., None] + dst_arr * (1 - mask[..., None])
    result = scene.copy()
    result.paste(Image.fromarray(np.clip(out, 0, 255).astype(np.uint8)), (x0, y0))
    return result


def match_score(scene_gray: np.ndarray, face: Found, crop_gray: np.ndarray, crop_points: np.ndarray) -> float:
    """How well ``face`` in the scene looks like the face crop (normalised cross-correlation, -1..1), after
    aligning the scene face onto the crop's four points."""
    m = similarity(face.six[:4], crop_points[:4])
    h, w = crop_gray.shape
    warped = np.asarray(warp(Image.fromarray(scene_gray), m, (w, h)), float)
    le, re_, _, mouth = crop_points[:4]
    centre = (le + re_ + mouth * 2) / 4
    eye_d = float(np.linalg.norm(re_ - le)) or 1.0
    yy, xx = np.mgrid[0:h, 0:w]
    inside = ((xx - centre[0]) / (eye_d * 1.1)) ** 2 + ((yy - centre[1]) / (eye_d * 1.4)) ** 2 <= 1.0
    if inside.sum() < 20:
        return -1.0
    a, b = warped[inside], crop_gray.astype(float)[inside]
    a, b = a - a.mean(), b - b.mean()
    denom = math.sqrt(float((a * a).sum() * (b * b).sum())) or 1.0
    return float((a * b).sum() / denom)


def gray(img: Image.Image) -> np.ndarray:
    return np.asarray(img.convert("L"))


def locate(scene: Image.Image, faces: list[Found], crop: Image.Image | None, points: np.ndarray, *,
           same_picture: bool, min_score: float = 0.45) -> Found | None:
    """Which of ``faces`` (found in ``scene``) is the face described by a faceswap ``{path, opts}`` item:
    ``crop`` is the picture at ``path`` and ``points`` its ``opts``. When ``path`` is the scene itself the
    points are scene coordinates; otherwise the crop is compared with each face (appearance, then identity)."""
    if same_picture or crop is None:
        if faces:
            best = min(faces, key=lambda f: float(np.linalg.norm(f.six[:4] - points[:4], axis=1).mean()))
            if float(np.linalg.norm(best.six[:4] - points[:4], axis=1).mean()) < 0.35 * best.eye_distance:
                return best
        return face_from_opts(points, scene.size)  # landmarks given by hand: trust them
    if not faces:
        return None
    scene_gray, crop_gray = gray(scene), gray(crop)
    scores = [match_score(scene_gray, f, crop_gray, points) for f in faces]
    best = int(np.argmax(scores))
    if scores[best] >= min_score:
        return faces[best]
    wanted = descriptor_of(crop)
    if wanted is None:
        return None
    with_desc = detect(scene, descriptors=True)
    if not with_desc:
        return None
    dist = [float(np.linalg.norm(f.descriptor - wanted)) for f in with_desc]
    i = int(np.argmin(dist))
    if dist[i] >= SAME_PERSON:
        return None
    return min(faces, key=lambda f: iou(f.box, with_desc[i].box) * -1)


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


# ------------------------------------------------------------------- video
@dataclass(frozen=True)
class VideoInfo:
    width: int
    height: int
    fps: float
    duration: float
    has_audio: bool


def probe(path: Path) -> VideoInfo:
    from .media import _ffmpeg_exe, media_duration

    out = subprocess.run([_ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True,
                         stdin=subprocess.DEVNULL).stderr.decode("utf-8", "replace")
    video = re.search(r"Stream #.*?Video:.*?(\d{2,5})x(\d{2,5})", out)
    if video is None:
        raise ValueError(f"no video stream in {Path(path).name}")
    fps_m = re.search(r"(\d+(?:\.\d+)?) fps", out) or re.search(r"(\d+(?:\.\d+)?) tbr", out)
    return VideoInfo(int(video.group(1)), int(video.group(2)), float(fps_m.group(1)) if fps_m else 25.0,
                     media_duration(path), "Audio:" in out)


def even(v: float) -> int:
    return max(2, int(round(v / 2.0)) * 2)


def fit(width: int, height: int, max_side: int) -> tuple[int, int]:
    scale = min(1.0, max_side / max(width, height))
    return even(width * scale), even(height * scale)


def read_frames(path: Path, size: tuple[int, int], fps: float, duration: float) -> Iterator[Image.Image]:
    """Decoded RGB frames of ``path`` at ``fps``, scaled to ``size``, for ``duration`` seconds."""
    from .media import _ffmpeg_exe

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

    from .media import _ffmpeg

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
    from .media import LABEL, _badge, _encode

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
    from .media import _X264, _ffmpeg

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
