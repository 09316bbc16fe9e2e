"""Face swap geometry and blending: similarity transforms, face masks, colour matching, locating a face.

Face swap warps the source face onto each target face with the similarity transform that maps the source's
four ``opts`` points onto the target's, matches its colours to the target skin and feathers it in with a
mask cut from the target's 68-point outline.
"""
from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from .faces import Found, SAME_PERSON, crop_box, descriptor_of, detect, face_from_opts, iou


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
