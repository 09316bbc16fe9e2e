"""What faces, faceswap and reage share: media loading, the job records, the credit balance.

Face swap and reage are jobs (status ``faceswap_status``, results at ``listbyids``, webhook ``type``
"faceswap"). Each create costs simulated credits from a balance kept in the service's records
(``GET /api/open/v3/faceswap/quota/info``); at zero the create answers 1006. ``set_credit(server.state, n)``
sets the balance (tests, demos). Simulated prices: an image 1 credit, a video 5.
"""
from __future__ import annotations

import secrets
import threading
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

from ... import spec
from ..jobs import InputError, fetch, open_image
from ..validate import ApiError, Ctx, Fields, ParamError, ext_of


MAX_FACES = spec.MAX_FACES
TOO_MANY_FACES = "The number of people who can have their faces changed cannot exceed 8"


PATIENCE = "Please be patient! If your results are not generated in three hours, please check your input image."

IMAGE_KINDS = ("faceswap_image", "faceswap_pro", "reage_image")
VIDEO_KINDS = ("faceswap_video", "reage_video")
FACE_KINDS = IMAGE_KINDS + VIDEO_KINDS


COST = {"faceswap_image": 1, "faceswap_pro": 1, "reage_image": 1, "faceswap_video": 5, "reage_video": 5}
START_CREDIT = 1000.0


CREDIT, DELETED, CANCELLED = "faceswap_credit", "faceswap_deleted", "faceswap_cancelled"  # record collections
_credit_lock = threading.Lock()


# ------------------------------------------------------------------ credit
def credit_of(sim) -> float:
    record = sim.store.get_record(CREDIT, "balance")
    return float(record["credit"]) if record else START_CREDIT


def set_credit(sim, value: float) -> float:
    """Set the simulated faceswap credit balance: ``set_credit(server.state, 5)`` (``server``: the running
    offline Akool, e.g. ``akool_nb.sim.start()``'s handle)."""
    sim.store.put_record(CREDIT, "balance", {"credit": float(value)})
    return float(value)


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
        from ..engines import OPTS

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


def _split_ids(value: str | None, field: str) -> list[str]:
    if not isinstance(value, str):
        raise ParamError(field, "is required: a comma-separated string of ids")
    ids = [v.strip() for v in value.split(",") if v.strip()]
    if not ids:
        raise ParamError(field, "must not be empty: a comma-separated string of ids")
    return ids


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
    from ..media import sim_label

    _cancelled(sim, job)
    out = _out_path(sim, job)
    sim_label(img).save(out, quality=92)
    return {"file": sim.rel_of(out)}


def _target_ref(sim, item: dict, media_url: str, work: Path, label: str, scale: float = 1.0):
    """(crop picture or None, opts points, points are frame coordinates) for one targetImage item."""
    from .. import engines as fe

    points = fe.parse_opts(item["opts"])
    if item["path"] == media_url:
        return None, points * scale, True
    return _image(sim, item["path"], work, f"{label}.path"), points, False


def _locate(scene, faces, ref, label: str, what: str):
    from .. import engines as fe

    crop, points, same = ref
    found = fe.locate(scene, faces, crop, points, same_picture=same)
    if found is None:
        raise InputError(f"{label}: no face in {what} matches this face (the detector found {len(faces)} "
                         f"face(s)); pass a face crop and its landmarks_str from face detection")
    return found


def _render_video(sim, job: dict, work: Path, edit: Callable[[Any, int, Any], Any]) -> dict:
    """Every frame of ``modifyVideo`` (fast mode: 2 s, 8 fps, 360 px) through ``edit(frame, i, face)`` for each
    target face ``i`` found in it; audio kept. A target never found in any frame fails the job."""
    from .. import engines as fe
    from ..media import make_poster, media_duration

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
