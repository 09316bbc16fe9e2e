"""Reage (catalog §B.13): image and video reage on the faceswap service, and job delete.

Each handler takes a :class:`~akool_nb.sim.validate.Ctx` and returns the envelope's ``data`` (or raises
``ApiError``).
"""
from __future__ import annotations

import time
from pathlib import Path

from ..jobs import IMAGE_EXTS, Kind, VIDEO_EXTS, register_kind
from ..validate import Ctx, ParamError, body_object, not_found
from ._face import (
    CANCELLED, FACE_KINDS, _create, _created, _faces, _image, _limit, _locate, _media_url, _render_video,
    _save_image, _split_ids, _target_ref)


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


def render_reage_image(sim, job: dict, work: Path) -> dict:
    from .. import engines as fe

    p = job["params"]
    scene = _image(sim, p["modifyImage"], work, "modifyImage")
    faces = fe.detect(scene)
    out = scene
    for i, tgt in enumerate(p["targetImage"]):
        ref = _target_ref(sim, tgt, p["modifyImage"], work, f"targetImage[{i}]")
        out = fe.reage(out, _locate(scene, faces, ref, f"targetImage[{i}]", "modifyImage"), p["face_reage"])
    return _save_image(sim, job, out)


def render_reage_video(sim, job: dict, work: Path) -> dict:
    from .. import engines as fe

    years = job["params"]["face_reage"]
    return _render_video(sim, job, work, lambda frame, i, face: fe.reage(frame, face, years))


# Reage runs on the faceswap service (faceswap_status, listbyids); the docs name no webhook type for it.
register_kind("reage_image", Kind("faceswap_status", "faceswap", render_reage_image, 1016))
register_kind("reage_video", Kind("faceswap_status", "faceswap", render_reage_video, 1016))


ROUTES = [
    ("POST", "/api/open/v3/faceswap/highquality/imgreage", img_reage, True),
    ("POST", "/api/open/v3/faceswap/highquality/vidreage", vid_reage, True),
    ("POST", "/api/open/v3/faceswap/job/del", job_del, True),
]
