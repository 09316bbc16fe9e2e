"""Face detection (catalog §B.6): ``detect_faces``, ``analyze_frames`` and the legacy ``/detect``.

Face detection answers outside the ``{code, msg, data}`` envelope (docs §A.3): ``detect_faces`` and the
legacy ``/detect`` say ``{error_code: 0|1, error_msg, ...}``, ``analyze_frames`` says ``{success, error?, ...}``;
their errors come with HTTP 400. The legacy endpoint lives on another host at Akool (``sg3.akool.com``);
here it is ``/detect`` on the same server. Detection runs a real detector (``sim.engines``) on the picture.
"""
from __future__ import annotations

import base64
import binascii
import io
import numpy as np
import secrets
import shutil
import time
import uuid
from pathlib import Path
from typing import Any

from ..jobs import InputError, fetch
from ..validate import Ctx, Raw, ext_of, is_http_url, is_number


DETECT_IMAGE_EXTS = (".jpg", ".jpeg", ".png", ".bmp", ".webp")
DETECT_VIDEO_EXTS = (".mp4", ".mov", ".avi", ".webm", ".mkv")


def _work(sim, tag: str) -> Path:
    path = sim.files_dir / "work" / f"{tag}-{secrets.token_hex(6)}"
    path.mkdir(parents=True, exist_ok=True)
    return path


# --------------------------------------------------------------- detection
class DetectError(Exception):
    def __init__(self, msg: str, status: int = 400):
        super().__init__(msg)
        self.msg, self.status = msg, status


def _raw(status: int = 200, **body: Any) -> Raw:
    out = Raw(**body)
    out.status_code = status  # type: ignore[attr-defined]
    return out


def _open(path_or_bytes: Path | bytes, label: str = "media"):
    from PIL import Image, ImageOps

    try:
        img = Image.open(io.BytesIO(path_or_bytes) if isinstance(path_or_bytes, bytes) else path_or_bytes)
        img.load()
        return ImageOps.exif_transpose(img).convert("RGB")
    except Exception:
        raise DetectError("Failed to process media") from None


def _media_kind(url: str, path: Path) -> str:
    from .. import engines as fe

    ext = ext_of(url)
    if ext in DETECT_IMAGE_EXTS:
        return "image"
    if ext in DETECT_VIDEO_EXTS:
        return "video"
    try:  # no telling extension: look at the content
        from PIL import Image

        with Image.open(path) as img:
            img.verify()
        return "image"
    except Exception:
        pass
    try:
        fe.probe(path)
        return "video"
    except Exception:
        raise DetectError("Media type detection failed") from None


def _decode_img(value: Any) -> bytes:
    if not isinstance(value, str) or not value.strip():
        raise DetectError("img must be a base64-encoded image")
    text = value.strip()
    if text.startswith("data:"):
        text = text.partition(",")[2]
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=False)
    except (binascii.Error, ValueError):
        raise DetectError("img is not valid base64") from None


def _bool(body: dict, field: str, *, required: bool = False) -> bool:
    value = body.get(field)
    if value is None:
        if required:
            raise DetectError(f"{field} is required")
        return False
    if not isinstance(value, bool):
        raise DetectError(f"{field} must be a boolean (true or false)")
    return value


def _load_media(sim, body: dict, work: Path, *, url_field: str = "url", videos: bool = True) -> tuple[str, Any]:
    """("image", PIL image) or ("video", local path) for a detection request; ``url`` wins over ``img``."""
    url = body.get(url_field)
    if url is not None and url != "":
        if not isinstance(url, str) or not is_http_url(url):
            raise DetectError("Invalid URL format")
        try:
            path = fetch(sim, url.strip(), work, url_field)
        except InputError:
            raise DetectError("Failed to download media from URL") from None
        kind = _media_kind(url, path)
        if kind == "video" and not videos:
            raise DetectError("Failed to process media: this endpoint takes images only")
        return kind, (_open(path) if kind == "image" else path)
    if body.get("img") is not None:
        return "image", _open(_decode_img(body["img"]))
    raise DetectError(f"Either '{url_field}' or 'img' parameter must be provided")


def _save_crop(sim, img, box: tuple[int, int, int, int], tag: str, name: str) -> str:
    x, y, w, h = box
    rel = f"faces/{tag}/{name}.jpg"
    path = sim.files_dir / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    img.crop((x, y, x + w, y + h)).save(path, quality=92)
    return sim.url_for(rel)


def _frame_data(sim, img, faces: list, *, frame_time: float | None, removed: list, want_urls: bool, tag: str,
                frame: int) -> dict:
    from .. import engines as fe

    data: dict[str, Any] = {
        "landmarks": [f.landmarks for f in faces], "landmarks_str": [f.landmarks_str for f in faces],
        "region": [f.region for f in faces], "removed": removed, "frame_time": frame_time,
        "face_urls": None, "crop_region": None, "crop_landmarks": None,
    }
    if want_urls:
        urls, regions, marks = [], [], []
        for i, face in enumerate(faces):
            box = fe.crop_box(face, img.size, 0.3)
            urls.append(_save_crop(sim, img, box, tag, f"face_{frame}_{i}"))
            regions.append(list(box))
            marks.append(fe.opts_of(face.six[:4] - np.array(box[:2])))
        data.update(face_urls=urls, crop_region=regions, crop_landmarks=marks)
    return data


def detect_faces(ctx: Ctx) -> Raw:
    from .. import engines as fe

    work = _work(ctx.sim, "detect")
    try:
        body = ctx.body
        if not isinstance(body, dict):
            raise DetectError("Request body must be a JSON object")
        frames = body.get("num_frames", 5)
        if frames is None:
            frames = 5
        if not is_number(frames) or frames != int(frames) or not 1 <= frames <= 100:
            raise DetectError("num_frames must be an integer between 1 and 100")
        single = _bool(body, "single_face")
        want_urls = _bool(body, "return_face_url")
        kind, media = _load_media(ctx.sim, body, work)
        tag = secrets.token_hex(8)
        faces_obj: dict[str, dict] = {}
        if kind == "image":
            faces = fe.detect(media, single=single)
            if not faces:
                raise DetectError("No faces detected")
            faces_obj["0"] = _frame_data(ctx.sim, media, faces, frame_time=None, removed=[], want_urls=want_urls,
                                         tag=tag, frame=0)
        else:
            try:
                info = fe.probe(media)
            except (ValueError, RuntimeError):
                raise DetectError("Failed to process media") from None
            count = int(frames)
            previous: list = []
            for i in range(count):
                t = round(info.duration * i / count, 3)
                try:
                    frame = fe.frame_at(media, t, max_side=100000)
                except (ValueError, RuntimeError):
                    raise DetectError("Failed to process media") from None
                faces = fe.detect(frame, single=single)
                removed = [p.region for p in previous if all(fe.iou(p.box, f.box) < 0.3 for f in faces)]
                faces_obj[str(i)] = _frame_data(ctx.sim, frame, faces, frame_time=t, removed=removed,
                                                want_urls=want_urls, tag=tag, frame=i)
                previous = faces
            if not any(f["landmarks"] for f in faces_obj.values()):
                raise DetectError("No faces detected")
        return _raw(error_code=0, error_msg="SUCCESS", faces_obj=faces_obj)
    except DetectError as err:
        return _raw(err.status, error_code=1, error_msg=err.msg, faces_obj={})
    finally:
        shutil.rmtree(work, ignore_errors=True)


def legacy_detect(ctx: Ctx) -> Raw:
    """``POST https://sg3.akool.com/detect`` (deprecated): one picture, no ``faces_obj`` wrapper."""
    from .. import engines as fe

    started = time.monotonic()
    work = _work(ctx.sim, "detect")
    try:
        body = ctx.body
        if not isinstance(body, dict):
            raise DetectError("Request body must be a JSON object")
        # Real apps leave single_face out (the docs say required): then one face, the largest, so that
        # landmarks_str is the one face's string that code passes on as faceswap opts.
        single = True if body.get("single_face") is None else _bool(body, "single_face")
        _, img = _load_media(ctx.sim, body, work, url_field="image_url", videos=False)
        faces = fe.detect(img, single=single)
        if not faces:
            raise DetectError("No faces detected")
        return _raw(error_code=0, error_msg="SUCCESS", landmarks=[f.landmarks for f in faces],
                    landmarks_str=[f.landmarks_str for f in faces], region=[f.region for f in faces],
                    seconds=round(time.monotonic() - started, 4), trx_id=str(uuid.uuid4()))
    except DetectError as err:
        return _raw(err.status, error_code=1, error_msg=err.msg)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def analyze_frames(ctx: Ctx) -> Raw:
    """Faces across frames, one ``person`` per identity (face descriptors; a single frame: one per face)."""
    from .. import engines as fe

    work = _work(ctx.sim, "analyze")
    try:
        body = ctx.body if isinstance(ctx.body, dict) else {}
        urls = body.get("frame_urls")
        if not isinstance(urls, list) or not urls:
            raise DetectError("frame_urls is required and must not be empty")
        for i, url in enumerate(urls):
            if not is_http_url(url):
                raise DetectError(f"Invalid URL format: frame_urls[{i}]")
        stamps = body.get("timestamps")
        if stamps is None:
            stamps = [float(i) for i in range(len(urls))]
        elif not isinstance(stamps, list) or len(stamps) != len(urls) or not all(is_number(t) for t in stamps):
            raise DetectError("timestamps must be an array with one number (seconds) per frame URL")
        expand = body.get("expand_ratio", 0.3)
        if expand is None:
            expand = 0.3
        if not is_number(expand) or not 0 <= expand <= 1:
            raise DetectError("expand_ratio must be a number between 0 and 1")
        multi = len(urls) > 1
        persons: list[dict] = []
        tag = secrets.token_hex(8)
        for idx, url in enumerate(urls):
            try:
                path = fetch(ctx.sim, url.strip(), work, f"frame_urls[{idx}]")
            except InputError:
                raise DetectError("Failed to download image from URL") from None
            img = _open(path)
            seen: set[int] = set()
            for face in fe.detect(img, descriptors=multi):
                k = None
                if multi:  # the same identity as a person of an earlier frame (not yet seen in this one)?
                    dists = [(float(np.linalg.norm(p["descriptor"] - face.descriptor)), j)
                             for j, p in enumerate(persons) if j not in seen]
                    if dists and min(dists)[0] < fe.SAME_PERSON:
                        k = min(dists)[1]
                if k is None:
                    box = fe.crop_box(face, img.size, float(expand))
                    persons.append({"descriptor": face.descriptor, "first": face, "confidence": face.confidence,
                                    "face_url": _save_crop(ctx.sim, img, box, tag, f"person_{len(persons)}"),
                                    "appearances": []})
                    k = len(persons) - 1
                person = persons[k]
                seen.add(k)
                person["confidence"] = max(person["confidence"], face.confidence)
                person["appearances"].append({"timestamp": float(stamps[idx]), "frame_idx": idx, "bbox": face.bbox})
        persons.sort(key=lambda p: (p["first"].bbox[0], p["first"].bbox[1]))
        out = []
        for index, p in enumerate(persons):
            times = [a["timestamp"] for a in p["appearances"]]
            out.append({"person_id": f"person_{index}", "index": index, "face_url": p["face_url"],
                        "bbox": p["first"].bbox, "confidence": p["confidence"], "appearances": p["appearances"],
                        "first_seen": min(times), "last_seen": max(times)})
        return _raw(success=True, frame_count=len(urls), persons=out)
    except DetectError as err:
        return _raw(err.status, success=False, error=err.msg)
    finally:
        shutil.rmtree(work, ignore_errors=True)


# How the detection endpoints answer a request the service-wide request check refuses (app.ApiDoor): in
# their own envelope, as their handlers answer a DetectError.
BAD_REQUEST = {
    "/interface/detect-api/detect_faces": lambda field, rule: _raw(400, error_code=1, error_msg=f"{field} {rule}",
                                                                   faces_obj={}),
    "/interface/detect-api/faceswap/analyze_frames": lambda field, rule: _raw(400, success=False,
                                                                              error=f"{field} {rule}"),
    "/detect": lambda field, rule: _raw(400, error_code=1, error_msg=f"{field} {rule}"),
}


ROUTES = [
    ("POST", "/interface/detect-api/detect_faces", detect_faces, True),
    ("POST", "/interface/detect-api/faceswap/analyze_frames", analyze_frames, True),
    # Real apps call the legacy host with no auth header or the docs' literal placeholder: it checks none.
    ("POST", "/detect", legacy_detect, False),
]
