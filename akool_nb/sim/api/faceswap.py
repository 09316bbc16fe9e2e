"""Face swap (catalog §B.7): image, pro image and video swaps, their results, deletes and the quota.

Each handler takes a :class:`~akool_nb.sim.validate.Ctx` and returns the envelope's ``data`` (or raises
``ApiError``).
"""
from __future__ import annotations

import time
from datetime import datetime, timezone
from pathlib import Path

from ..jobs import IMAGE_EXTS, InputError, Kind, VIDEO_EXTS, register_kind
from ..state import UID
from ..validate import Ctx, Fields, ParamError, body_object, not_found
from ._face import (
    DELETED, FACE_KINDS, VIDEO_KINDS, _create, _created, _faces, _image, _limit, _locate, _media_url,
    _render_video, _result_rel, _save_image, _split_ids, _target_ref, credit_of)


PRO_MODEL = "akool_faceswap_image_hq"


FACESWAP_TYPE = {"faceswap_image": 1, "faceswap_pro": 1, "faceswap_video": 2, "reage_image": 3, "reage_video": 4}


USER_ID = "5f00000000000000000000a1"


def _ms(seconds: float) -> int:
    return int(seconds * 1000)


def quota_info(ctx: Ctx) -> dict:
    return {"credit": credit_of(ctx.sim)}


def _enhance_v3(f: Fields) -> int | None:
    value = f.get("face_enhance", False)
    if value is None:
        return None
    if isinstance(value, bool) or value not in (0, 1):
        raise ParamError("face_enhance", "must be 0 (Classic model) or 1 (HD Optimized model)")
    return int(value)


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


# ---------------------------------------------------------------- results
def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, tz=timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def result_record(sim, job: dict) -> dict:
    from ..jobs import KINDS

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


def _source_face(sim, item: dict, work: Path, label: str):
    """The source picture and its four points (``opts``; without opts: its largest detected face)."""
    from .. import engines as fe

    img = _image(sim, item["path"], work, f"{label}.path")
    if item.get("opts"):
        return img, fe.parse_opts(item["opts"])
    faces = fe.detect(img, single=True)
    if not faces:
        raise InputError(f"{label}: no face found in {item['path']}")
    return img, faces[0].six[:4]


def render_faceswap_image(sim, job: dict, work: Path) -> dict:
    from .. import engines as fe

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
    from .. import engines as fe

    p = job["params"]
    scene = _image(sim, p["targetImage"][0]["path"], work, "targetImage[0].path")
    faces = fe.detect(scene, single=True)
    if not faces:
        raise InputError("targetImage[0]: no face found in the image")
    source, points = _source_face(sim, p["sourceImage"][0], work, "sourceImage[0]")
    return _save_image(sim, job, fe.swap(scene, faces[0], source, points, enhance=bool(p.get("face_enhance"))))


def render_faceswap_video(sim, job: dict, work: Path) -> dict:
    from .. import engines as fe

    p = job["params"]
    sources = [_source_face(sim, s, work, f"sourceImage[{i}]") for i, s in enumerate(p["sourceImage"])]
    enhance = bool(p.get("face_enhance"))
    return _render_video(sim, job, work,
                         lambda frame, i, face: fe.swap(frame, face, sources[i][0], sources[i][1], enhance=enhance))


register_kind("faceswap_image", Kind("faceswap_status", "faceswap", render_faceswap_image, 1016))
register_kind("faceswap_pro", Kind("faceswap_status", "faceswap", render_faceswap_pro, 1016))
register_kind("faceswap_video", Kind("faceswap_status", "faceswap", render_faceswap_video, 1016))


ROUTES = [
    ("POST", "/api/open/v3/faceswap/highquality/specifyimage", specify_image, True),
    ("POST", "/api/open/v4/faceswap/faceswapByImage", faceswap_pro, True),
    ("POST", "/api/open/v3/faceswap/highquality/specifyvideo", specify_video, True),
    ("GET", "/api/open/v3/faceswap/result/listbyids", list_by_ids, True),
    ("POST", "/api/open/v3/faceswap/result/delbyids", del_by_ids, True),
    ("GET", "/api/open/v3/faceswap/quota/info", quota_info, True),
]
