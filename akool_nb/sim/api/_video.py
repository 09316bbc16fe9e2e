"""The shared video result, ``GET /api/open/v3/content/video/infobymodelid`` (catalog §B.2, §B.3).

Talking photo, talking avatar and createVideo jobs answer here; other families whose jobs this endpoint also
answers (character swap, lip sync, translation) call :func:`register_record` at import with a function that
shapes that kind's record. Each handler takes a :class:`~akool_nb.sim.validate.Ctx` and returns the envelope's
``data`` (or raises ``ApiError``).
"""
from __future__ import annotations

from ..jobs import KINDS
from ..state import UID
from ..validate import Ctx, ParamError, not_found


VIDEO_KINDS = ("talking_photo", "talking_avatar", "avatar_video")
# Other families whose jobs this endpoint also answers (lip sync, translation, character swap) add
# kind -> fn(ctx, job, record) -> record here; the function shapes that kind's record.
RECORD_HOOKS: dict = {}


def register_record(kind: str, shape) -> None:
    """Let ``infobymodelid`` answer jobs of ``kind`` too; ``shape(ctx, job, record)`` returns that kind's record."""
    RECORD_HOOKS[kind] = shape


def _ms(seconds: float) -> int:
    return int(seconds * 1000)


# ------------------------------------------------------------ video results
def video_record(ctx: Ctx, job: dict) -> dict:
    """The ``infobymodelid`` data for any video job (talking photo, talking avatar, createVideo)."""
    sim, p, extra = ctx.sim, job["params"], job["extra"]
    status = sim.status_of(job)
    done = status == 3
    duration = job["result"].get("duration", 0) if done else 0
    rec = {"_id": job["id"], "create_time": _ms(job["created"]), "uid": UID, "video_id": extra.get("video_id", ""),
           "video_status": status, "video": sim.result_url(job), "deduction_duration": round(duration),
           "video_duration": round(duration, 3), "external_video": "", "storage_loc": 1,
           "thumbnailUrl": sim.result_url(job, "poster"), "webhookUrl": p.get("webhookUrl") or "", "simulated": True}
    if job["kind"] == "talking_photo":
        rec.update(type=5, talking_photo=p["talking_photo_url"], audio_url=p["audio_url"], prompt=p.get("prompt") or "",
                   resolution=p.get("resolution") or "720")
    elif job["kind"] == "talking_avatar":
        rec["task_id"] = extra.get("task_id", "")
    if status == 4:
        rec.update(error_code=KINDS[job["kind"]].error_code, error_reason=job["error"])
    if done and "sim_render" in job["result"]:  # a fast-mode preview says so (not Akool's 3840x2160)
        rec["sim_render"] = job["result"]["sim_render"]
    hook = RECORD_HOOKS.get(job["kind"])
    return hook(ctx, job, rec) if hook else rec


def video_info(ctx: Ctx) -> dict:
    job_id = ctx.query.get("video_model_id")
    if not job_id:
        raise ParamError("video_model_id", "is required")
    job = ctx.sim.store.get_job(job_id, VIDEO_KINDS + tuple(RECORD_HOOKS))
    if job is None:
        raise not_found(f"video_model_id {job_id}")
    return video_record(ctx, job)


def _created(ctx: Ctx, job: dict) -> dict:
    return {**video_record(ctx, job), "video_status": 1, "video": ""}


def _user_avatar(ctx: Ctx, avatar_id: str) -> dict | None:
    return next((j for j in ctx.sim.store.jobs(("avatar_upload",)) if j["params"]["avatar_id"] == avatar_id), None)


ROUTES = [
    ("GET", "/api/open/v3/content/video/infobymodelid", video_info, True),
]
