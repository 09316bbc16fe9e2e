"""Face detection, face swap and reage (catalog §B.6, §B.7, §B.13), with a credit balance.

Face detection answers outside the ``{code, msg, data}`` envelope (docs §A.3): ``detect_faces`` and the
legacy ``/detect`` say ``{error_code: 0|1, error_msg, ...}``, ``analyze_frames`` says ``{success, error?, ...}``;
their errors come with HTTP 400. The legacy endpoint lives on another host at Akool (``sg3.akool.com``);
here it is ``/detect`` on the same server. Detection runs a real detector (``face_engine``) on the picture.

Face swap and reage are jobs (status ``faceswap_status``, results at ``listbyids``, webhook ``type``
"faceswap"). Each create costs simulated credits from a balance kept in the service's records
(``GET /api/open/v3/faceswap/quota/info``); at zero the create answers 1006. ``set_credit(server.state, n)``
sets the balance (tests, demos). Simulated prices: an image 1 credit, a video 5.
"""
from __future__ import annotations

import base64
import binascii
import io
import secrets
import shutil
import threading
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

import numpy as np

from .jobs import IMAGE_EXTS, VIDEO_EXTS, InputError, Kind, fetch, open_image, register_kind
from .state import UID
from .validate import ApiError, Ctx, Fields, ParamError, Raw, body_object, ext_of, is_http_url, is_number, not_found

DETECT_IMAGE_EXTS = (".jpg", ".jpeg", ".png", ".bmp", ".webp")
DETECT_VIDEO_EXTS = (".mp4", ".mov", ".avi", ".webm", ".mkv")
MAX_FACES = 8
TOO_MANY_FACES = "The number of people who can have their faces changed cannot exceed 8"
PRO_MODEL = "akool_faceswap_image_hq"
PATIENCE = "Please be patient! If your results are not generated in three hours, please check your input image."

IMAGE_KINDS = ("faceswap_image", "faceswap_pro", "reage_image")
VIDEO_KINDS = ("faceswap_video", "reage_video")
FACE_KINDS = IMAGE_KINDS + VIDEO_KINDS
FACESWAP_TYPE = {"faceswap_image": 1, "faceswap_pro": 1, "faceswap_video": 2, "reage_image": 3, "reage_video": 4}
COST = {"faceswap_image": 1, "faceswap_pro": 1, "reage_image": 1, "faceswap_video": 5, "reage_video": 5}
START_CREDIT = 1000.0
USER_ID = "5f00000000000000000000a1"

CREDIT, DELETED, CANCELLED = "faceswap_credit", "faceswap_deleted", "faceswap_cancelled"  # record collections
_credit_lock = threading.Lock()


def _ms(seconds: float) -> int:
    return int(seconds * 1000)


def _work(sim, tag: str) -> Path:
    path = sim.files_dir / "work" / f"{tag}-{secrets.token_hex(6)}"
    path.mkdir(parents=True, exist_ok=True)
    return path


# ------------------------------------------------------------------ credit
def credit_of(sim) -> float:
    record = sim.store.get_record(CREDIT, "balance")
    return float(record["credit"]) if record else START_CREDIT


def set_credit(sim, value: float) -> float:
    """Set the simulated faceswap credit balance: ``set_credit(server.state, 5)`` (``server``: the running
    offline Akool, e.g. ``akool_nb.sim.start()``'s handle)."""
    sim.store.put_record(CREDIT, "balance", {"credit": float(value)})
    return float(value)


def quota_info(ctx: Ctx) -> dict:
    return {"credit": credit_of(ctx.sim)}


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
    from . import face_engine as fe

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
    from . import face_engine as fe

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
    from . import face_engine as fe

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
    from . import face_engine as fe

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
    from . import face_engine as fe

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


# ---------------------------------------------------------- faceswap input
def unwrap_opts(item: Fields) -> None:
    """Real code passes the legacy ``/detect`` answer's ``landmarks_str`` (a one-face array) as ``opts``
    unchanged (in JS a one-element array reads as its string): accept ``["x,y:x,y:x,y:x,y"]``."""
    value = item.obj.get("opts")
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], str):
        item.obj["opts"] = value[0]


def _faces(f: Fields, field: str, *, opts: bool) -> list[dict]:
    items = f.list(field, required=True, nonempty=True)
    out = []
    for i in range(len(items)):
        item = f.item(field, i)
        path = item.str("path", required=True, url=True)
        if not opts:
            out.append({"path": path})
            continue
        unwrap_opts(item)
        value = item.str("opts", required=True, when="(the face's landmarks_str from face detection)")
        from .face_engine import OPTS

        if not OPTS.match(value):
            raise ParamError(item.name("opts"), 'must be the face\'s landmarks_str, "x1,y1:x2,y2:x3,y3:x4,y4"')
        out.append({"path": path, "opts": value})
    return out


def _limit(items: list) -> None:
    if len(items) > MAX_FACES:
        raise ApiError(1007, TOO_MANY_FACES)


def _media_url(f: Fields, field: str, exts: tuple[str, ...], what: str) -> str:
    url = f.str(field, required=True, url=True)
    if ext_of(url) not in ("",) + exts:
        raise ParamError(field, f"must be {what} URL ({', '.join(exts)})")
    return url


def _enhance_v3(f: Fields) -> int | None:
    value = f.get("face_enhance", False)
    if value is None:
        return None
    if isinstance(value, bool) or value not in (0, 1):
        raise ParamError("face_enhance", "must be 0 (Classic model) or 1 (HD Optimized model)")
    return int(value)


def _job_id() -> str:
    now = datetime.now()
    return f"{now:%Y%m%d%H%M%S}{now.microsecond // 1000:03d}-{secrets.randbelow(10000):04d}"


def _suffix(kind: str) -> str:
    return ".mp4" if kind in VIDEO_KINDS else ".jpg"


def _result_rel(job: dict) -> str:
    return f"results/{job['id']}/{job['id']}{_suffix(job['kind'])}"


def _create(ctx: Ctx, kind: str, params: dict, webhook: str) -> dict:
    """Charge the credit and create the job (atomically: two creates never both spend the last credit)."""
    with _credit_lock:
        balance = credit_of(ctx.sim)
        if balance < COST[kind]:
            raise ApiError(1006, "Your quota is not enough")
        job = ctx.sim.create_job(kind, ctx.path, params, webhook_url=webhook, extra={"job_id": _job_id()})
        set_credit(ctx.sim, balance - COST[kind])
    return job


def _created(ctx: Ctx, job: dict, *, url: bool = True) -> dict:
    data = {"_id": job["id"], "job_id": job["extra"]["job_id"]}
    if url:  # the future result URL: not there until faceswap_status is 3 (docs F.53)
        data["url"] = ctx.sim.url_for(_result_rel(job))
    return data


def _specify(ctx: Ctx, kind: str, media_field: str, exts: tuple[str, ...], what: str) -> dict:
    """v3 faceswap of a picture (``specifyimage``) or a video (``specifyvideo``): the same body otherwise."""
    f = body_object(ctx.body)
    targets = _faces(f, "targetImage", opts=True)
    sources = _faces(f, "sourceImage", opts=True)
    if len(sources) != len(targets):
        raise ParamError("sourceImage", f"must have one face per targetImage face ({len(targets)}), index for "
                                        f"index; got {len(sources)}")
    _limit(targets)
    modify = _media_url(f, media_field, exts, what)
    enhance = _enhance_v3(f)
    webhook = f.webhook()
    params = {"targetImage": targets, "sourceImage": sources, "face_enhance": enhance or 0, media_field: modify,
              "webhookUrl": webhook}
    return _created(ctx, _create(ctx, kind, params, webhook))


def specify_image(ctx: Ctx) -> dict:
    return _specify(ctx, "faceswap_image", "modifyImage", IMAGE_EXTS, "an image")


def specify_video(ctx: Ctx) -> dict:
    return _specify(ctx, "faceswap_video", "modifyVideo", VIDEO_EXTS, "a video")


def faceswap_pro(ctx: Ctx) -> dict:
    f = body_object(ctx.body)
    targets = _faces(f, "targetImage", opts=False)
    sources = _faces(f, "sourceImage", opts=False)
    for field, items in (("targetImage", targets), ("sourceImage", sources)):
        if len(items) != 1:
            raise ParamError(field, f"must hold exactly one image: {PRO_MODEL} swaps a single face (use "
                                    "/api/open/v3/faceswap/highquality/specifyimage for several)")
    f.str("model_name", required=True, choices=(PRO_MODEL,))
    enhance = f.get("face_enhance", False)
    if enhance is not None and not isinstance(enhance, bool):
        raise ParamError("face_enhance", "Face enhance must be a boolean value (true/false)")
    webhook = f.webhook()
    params = {"targetImage": targets, "sourceImage": sources, "model_name": PRO_MODEL,
              "face_enhance": bool(enhance), "webhookUrl": webhook}
    return _created(ctx, _create(ctx, "faceswap_pro", params, webhook), url=False)


def _reage(ctx: Ctx, kind: str, media_field: str, exts: tuple[str, ...], what: str) -> dict:
    """Reage of a picture (``imgreage``) or a video (``vidreage``): the same body otherwise."""
    f = body_object(ctx.body)
    targets = _faces(f, "targetImage", opts=True)
    _limit(targets)
    years = int(f.num("face_reage", required=True, integer=True, lo=-30, hi=30))
    modify = _media_url(f, media_field, exts, what)
    webhook = f.webhook()
    params = {"targetImage": targets, "face_reage": years, media_field: modify, "webhookUrl": webhook}
    return _created(ctx, _create(ctx, kind, params, webhook))


def img_reage(ctx: Ctx) -> dict:
    return _reage(ctx, "reage_image", "modifyImage", IMAGE_EXTS, "an image")


def vid_reage(ctx: Ctx) -> dict:
    return _reage(ctx, "reage_video", "modifyVideo", VIDEO_EXTS, "a video")


# ---------------------------------------------------------------- results
def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, tz=timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def result_record(sim, job: dict) -> dict:
    from .jobs import KINDS

    status = sim.status_of(job)
    video = job["kind"] in VIDEO_KINDS
    duration = float(job["result"].get("duration") or 0) if status == 3 else 0.0
    rec = {"faceswap_type": FACESWAP_TYPE[job["kind"]], "faceswap_quality": 2, "faceswap_status": status,
           "deduction_status": 1, "image": 0 if video else 1, "video_duration": round(duration, 3),
           "deduction_duration": round(duration), "update_time": _ms(job["created"]), "_id": job["id"],
           "userId": USER_ID, "uid": UID, "url": sim.url_for(_result_rel(job)), "createdAt": _iso(job["created"]),
           "job_id": job["extra"].get("job_id", ""), "webhookUrl": job["params"].get("webhookUrl") or "",
           "simulated": True}
    if video and status == 3 and job["result"].get("poster"):
        rec["thumbnailUrl"] = sim.url_for(job["result"]["poster"])
    if status == 4:
        rec.update(faceswap_fail_reason=job["error"], error_code=KINDS[job["kind"]].error_code,
                   error_reason=job["error"])
    return rec


def _split_ids(value: str | None, field: str) -> list[str]:
    if not isinstance(value, str):
        raise ParamError(field, "is required: a comma-separated string of ids")
    ids = [v.strip() for v in value.split(",") if v.strip()]
    if not ids:
        raise ParamError(field, "must not be empty: a comma-separated string of ids")
    return ids


def list_by_ids(ctx: Ctx) -> dict:
    ids = _split_ids(ctx.query.get("_ids"), "_ids")
    out = []
    for job_id in ids:
        job = ctx.sim.store.get_job(job_id, FACE_KINDS)
        if job is not None and ctx.sim.store.get_record(DELETED, job_id) is None:
            out.append(result_record(ctx.sim, job))
    return {"result": out}


def del_by_ids(ctx: Ctx) -> None:
    f = body_object(ctx.body)
    value = f.get("_ids", True)
    if not isinstance(value, str):
        raise ParamError("_ids", "must be a comma-separated string of result ids (not an array)")
    ids = _split_ids(value, "_ids")
    found = [i for i in ids if ctx.sim.store.get_job(i, FACE_KINDS) is not None
             and ctx.sim.store.get_record(DELETED, i) is None]
    if not found:
        raise not_found(f"_ids {value}")
    for job_id in found:
        ctx.sim.store.put_record(DELETED, job_id, {"deleted": time.time()})
    return None


def job_del(ctx: Ctx) -> None:
    """Reage task cancel: ``job_ids`` are the create's ``job_id`` values (comma-separated)."""
    f = body_object(ctx.body)
    value = f.get("job_ids", True)
    if not isinstance(value, str):
        raise ParamError("job_ids", "must be a string: the job_id of the create answer (comma-separated for several)")
    wanted = set(_split_ids(value, "job_ids"))
    jobs = [j for j in ctx.sim.store.jobs(FACE_KINDS) if j["extra"].get("job_id") in wanted]
    if not jobs:
        raise not_found(f"job_ids {value}")
    for job in jobs:
        if ctx.sim.status_of(job) in (1, 2):
            ctx.sim.store.put_record(CANCELLED, job["id"], {"cancelled": time.time()})
            ctx.sim.store.update_job(job["id"], media_state="error", error="Cancelled (POST /api/open/v3/faceswap/job/del)")
    return None


# ---------------------------------------------------------------- rendering
def _image(sim, url: str, work: Path, label: str):
    from PIL import ImageOps

    return ImageOps.exif_transpose(open_image(fetch(sim, url, work, label), label)).convert("RGB")


def _cancelled(sim, job: dict) -> None:
    if sim.store.get_record(CANCELLED, job["id"]) is not None:
        raise InputError("Cancelled (POST /api/open/v3/faceswap/job/del)")


def _out_path(sim, job: dict) -> Path:
    out = sim.files_dir / _result_rel(job)
    out.parent.mkdir(parents=True, exist_ok=True)
    return out


def _save_image(sim, job: dict, img) -> dict:
    from .media import sim_label

    _cancelled(sim, job)
    out = _out_path(sim, job)
    sim_label(img).save(out, quality=92)
    return {"file": sim.rel_of(out)}


def _source_face(sim, item: dict, work: Path, label: str):
    """The source picture and its four points (``opts``; without opts: its largest detected face)."""
    from . import face_engine as fe

    img = _image(sim, item["path"], work, f"{label}.path")
    if item.get("opts"):
        return img, fe.parse_opts(item["opts"])
    faces = fe.detect(img, single=True)
    if not faces:
        raise InputError(f"{label}: no face found in {item['path']}")
    return img, faces[0].six[:4]


def _target_ref(sim, item: dict, media_url: str, work: Path, label: str, scale: float = 1.0):
    """(crop picture or None, opts points, points are frame coordinates) for one targetImage item."""
    from . import face_engine as fe

    points = fe.parse_opts(item["opts"])
    if item["path"] == media_url:
        return None, points * scale, True
    return _image(sim, item["path"], work, f"{label}.path"), points, False


def _locate(scene, faces, ref, label: str, what: str):
    from . import face_engine as fe

    crop, points, same = ref
    found = fe.locate(scene, faces, crop, points, same_picture=same)
    if found is None:
        raise InputError(f"{label}: no face in {what} matches this face (the detector found {len(faces)} "
                         f"face(s)); pass a face crop and its landmarks_str from face detection")
    return found


def render_faceswap_image(sim, job: dict, work: Path) -> dict:
    from . import face_engine as fe

    p = job["params"]
    scene = _image(sim, p["modifyImage"], work, "modifyImage")
    faces = fe.detect(scene)
    out = scene
    for i, (src, tgt) in enumerate(zip(p["sourceImage"], p["targetImage"])):
        ref = _target_ref(sim, tgt, p["modifyImage"], work, f"targetImage[{i}]")
        target = _locate(scene, faces, ref, f"targetImage[{i}]", "modifyImage")
        source, points = _source_face(sim, src, work, f"sourceImage[{i}]")
        out = fe.swap(out, target, source, points, enhance=bool(p.get("face_enhance")))
    return _save_image(sim, job, out)


def render_faceswap_pro(sim, job: dict, work: Path) -> dict:
    from . import face_engine as fe

    p = job["params"]
    scene = _image(sim, p["targetImage"][0]["path"], work, "targetImage[0].path")
    faces = fe.detect(scene, single=True)
    if not faces:
        raise InputError("targetImage[0]: no face found in the image")
    source, points = _source_face(sim, p["sourceImage"][0], work, "sourceImage[0]")
    return _save_image(sim, job, fe.swap(scene, faces[0], source, points, enhance=bool(p.get("face_enhance"))))


def render_reage_image(sim, job: dict, work: Path) -> dict:
    from . import face_engine as fe

    p = job["params"]
    scene = _image(sim, p["modifyImage"], work, "modifyImage")
    faces = fe.detect(scene)
    out = scene
    for i, tgt in enumerate(p["targetImage"]):
        ref = _target_ref(sim, tgt, p["modifyImage"], work, f"targetImage[{i}]")
        out = fe.reage(out, _locate(scene, faces, ref, f"targetImage[{i}]", "modifyImage"), p["face_reage"])
    return _save_image(sim, job, out)


def _render_video(sim, job: dict, work: Path, edit: Callable[[Any, int, Any], Any]) -> dict:
    """Every frame of ``modifyVideo`` (fast mode: 2 s, 8 fps, 360 px) through ``edit(frame, i, face)`` for each
    target face ``i`` found in it; audio kept. A target never found in any frame fails the job."""
    from . import face_engine as fe
    from .media import make_poster, media_duration

    p = job["params"]
    path = fetch(sim, p["modifyVideo"], work, "modifyVideo")
    try:
        info = fe.probe(path)
    except (ValueError, RuntimeError):
        raise InputError("modifyVideo is not a video this service can read") from None
    max_side, max_fps, max_seconds = (360, 8.0, 2.0) if sim.fast else (720, 25.0, 60.0)
    size = fe.fit(info.width, info.height, max_side)
    fps = min(max_fps, info.fps or max_fps)
    duration = min(info.duration, max_seconds)
    scale = size[0] / info.width
    refs = [_target_ref(sim, t, p["modifyVideo"], work, f"targetImage[{i}]", scale)
            for i, t in enumerate(p["targetImage"])]
    tracker = fe.Tracker(refs)
    seen = [False] * len(refs)

    def frames():
        for frame in fe.read_frames(path, size, fps, duration):
            for i, face in enumerate(tracker.step(frame)):
                if face is not None:
                    seen[i] = True
                    frame = edit(frame, i, face)
            yield frame

    out = _out_path(sim, job)
    try:
        fe.write_video(frames(), size, fps, out, audio_from=path if info.has_audio else None, duration=duration,
                       fast=sim.fast)
    except RuntimeError:
        raise InputError("modifyVideo could not be processed") from None
    missing = [i for i, ok in enumerate(seen) if not ok]
    if missing:
        raise InputError(f"targetImage[{missing[0]}]: no face in modifyVideo matches this face")
    _cancelled(sim, job)
    poster = make_poster(out, out.with_name("poster.jpg"))
    return {"file": sim.rel_of(out), "duration": media_duration(out), "poster": sim.rel_of(poster)}


def render_faceswap_video(sim, job: dict, work: Path) -> dict:
    from . import face_engine as fe

    p = job["params"]
    sources = [_source_face(sim, s, work, f"sourceImage[{i}]") for i, s in enumerate(p["sourceImage"])]
    enhance = bool(p.get("face_enhance"))
    return _render_video(sim, job, work,
                         lambda frame, i, face: fe.swap(frame, face, sources[i][0], sources[i][1], enhance=enhance))


def render_reage_video(sim, job: dict, work: Path) -> dict:
    from . import face_engine as fe

    years = job["params"]["face_reage"]
    return _render_video(sim, job, work, lambda frame, i, face: fe.reage(frame, face, years))


register_kind("faceswap_image", Kind("faceswap_status", "faceswap", render_faceswap_image, 1016))
register_kind("faceswap_pro", Kind("faceswap_status", "faceswap", render_faceswap_pro, 1016))
register_kind("faceswap_video", Kind("faceswap_status", "faceswap", render_faceswap_video, 1016))
# Reage runs on the faceswap service (faceswap_status, listbyids); the docs name no webhook type for it.
register_kind("reage_image", Kind("faceswap_status", "faceswap", render_reage_image, 1016))
register_kind("reage_video", Kind("faceswap_status", "faceswap", render_reage_video, 1016))

ROUTES = [
    ("POST", "/interface/detect-api/detect_faces", detect_faces, True),
    ("POST", "/interface/detect-api/faceswap/analyze_frames", analyze_frames, True),
    # Real apps call the legacy host with no auth header or the docs' literal placeholder: it checks none.
    ("POST", "/detect", legacy_detect, False),
    ("POST", "/api/open/v3/faceswap/highquality/specifyimage", specify_image, True),
    ("POST", "/api/open/v4/faceswap/faceswapByImage", faceswap_pro, True),
    ("POST", "/api/open/v3/faceswap/highquality/specifyvideo", specify_video, True),
    ("GET", "/api/open/v3/faceswap/result/listbyids", list_by_ids, True),
    ("POST", "/api/open/v3/faceswap/result/delbyids", del_by_ids, True),
    ("GET", "/api/open/v3/faceswap/quota/info", quota_info, True),
    ("POST", "/api/open/v3/faceswap/highquality/imgreage", img_reage, True),
    ("POST", "/api/open/v3/faceswap/highquality/vidreage", vid_reage, True),
    ("POST", "/api/open/v3/faceswap/job/del", job_del, True),
]

# How the detection endpoints answer a request the service-wide request check refuses (app.ApiDoor): in
# their own envelope, as their handlers answer a DetectError.
BAD_REQUEST = {
    "/interface/detect-api/detect_faces": lambda field, rule: _raw(400, error_code=1, error_msg=f"{field} {rule}",
                                                                   faces_obj={}),
    "/interface/detect-api/faceswap/analyze_frames": lambda field, rule: _raw(400, success=False,
                                                                              error=f"{field} {rule}"),
    "/detect": lambda field, rule: _raw(400, error_code=1, error_msg=f"{field} {rule}"),
}
