"""Live face swap (catalog §B.18): create, update, close and info.

A session is a job (kind ``live_faceswap``) with its own state machine:

  1 queuing ──(queue time, faces read)──▶ 2 processing ──(update: other faces)──▶ 2
  1 or 2 ──(close)──▶ 3;  1 or 2 ──(a face unreadable / landmarks outside it)──▶ 4
  update of 3 or 4, close of 3, unknown id → 1003; 4 ──(close)──▶ 4 (closed);
  more than MAX_LIVE_FACESWAP open → 1104

No status endpoint is documented for live face swap (§F.50), so its update and close answers carry the
session's state as ``data`` (the docs show ``{code, msg}`` only; clients must ignore extra fields anyway).
"""
from __future__ import annotations

import secrets
import time

from ... import spec
from ..jobs import KINDS, Kind, register_kind
from ..media_live import render_faceswap_preview
from ..state import now_ms
from ..validate import ApiError, Ctx, Fields, ParamError, body_object


LF = "/api/open/v3/faceswap/live"


# =================================================================================== live face swap
MAX_LIVE_FACESWAP = 3  # the offline account's live face swap quota (open sessions); one more answers 1104
LANDMARKS = spec.LIVE_LANDMARKS_STR.pattern.strip("^$")


def faceswap_status(sim, job: dict) -> int:
    """The live face swap state machine (see the module docstring)."""
    extra = job["extra"]
    failed = job["media_state"] == "error"
    if extra.get("closed_at"):
        return 4 if failed else 3
    if time.time() - job["created"] < sim.timing.queue_s:
        return 1
    if failed:
        return 4
    if job["media_state"] == "pending" and not job["result"]:
        return 1
    return 2


def _source_images(f: Fields) -> list:
    items = f.list("sourceImage", required=True, nonempty=True)
    for i in range(len(items)):
        item = f.item("sourceImage", i)
        item.str("path", required=True, url=True)
        from ._face import unwrap_opts

        unwrap_opts(item)
        item.str("opts", required=True, pattern=LANDMARKS)
    return [{"path": it["path"], "opts": it["opts"]} for it in items]


def _live_record(ctx: Ctx, job: dict, keys: tuple[str, ...] | None = None) -> dict:
    status = faceswap_status(ctx.sim, job)
    extra = job["extra"]
    rec = {"_id": job["id"], "faceswap_status": status, **{k: extra[k] for k in (
        "front_user_id", "algorithm_user_id", "front_rtc_token", "channel_id", "app_id")}}
    if keys is not None:
        rec = {k: rec[k] for k in keys}
    rec["preview_url"] = ctx.sim.url_for(job["result"].get("file")) if status in (2, 3) and job["result"] else ""
    if status == 4:
        rec.update(error_code=KINDS["live_faceswap"].error_code, error_reason=job["error"])
    rec["simulated"] = True
    return rec


def _live_session(ctx: Ctx, f: Fields) -> dict:
    session_id = f.str("_id", required=True)
    job = ctx.sim.store.get_job(session_id, ("live_faceswap",))
    if job is None:
        raise ParamError("_id", f"{session_id} is not a live face swap session")
    return job


def live_create(ctx: Ctx) -> dict:
    f = body_object(ctx.body)
    sources = _source_images(f)
    open_now = [j for j in ctx.sim.store.jobs(("live_faceswap",)) if faceswap_status(ctx.sim, j) in (1, 2)]
    if len(open_now) >= MAX_LIVE_FACESWAP:
        raise ApiError(1104, f"Insufficient quota: {len(open_now)} live face swap sessions are open (the "
                             f"offline quota is {MAX_LIVE_FACESWAP}); close one first")
    stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime()) + f"{int(time.time() * 1000) % 1000:03d}"
    extra = {"closed_at": None, "front_user_id": "1", "algorithm_user_id": "3",
             "front_rtc_token": "SIMULATED-offline-rtc-token-" + secrets.token_hex(12),
             "channel_id": f"{stamp}_{secrets.randbelow(10000):04d}", "app_id": ""}
    # "version" counts updates: the render cache (jobs.Runner) must never answer an update with old faces.
    job = ctx.sim.create_job("live_faceswap", ctx.path, {"sourceImage": sources, "version": 0}, extra=extra)
    rec = _live_record(ctx, job)
    return {**rec, "faceswap_status": 1}


def live_update(ctx: Ctx) -> dict:
    f = body_object(ctx.body)
    job = _live_session(ctx, f)
    sources = _source_images(f)
    status = faceswap_status(ctx.sim, job)
    if job["extra"].get("closed_at"):
        raise ParamError("_id", f"{job['id']} is closed; create a new session")
    if status == 4:
        raise ParamError("_id", f"{job['id']} failed ({job['error']}); create a new session")
    params = {"sourceImage": sources, "version": int(job["params"].get("version", 0)) + 1}
    ctx.sim.store.update_job(job["id"], params=params, extra={**job["extra"], "updated_at": now_ms()},
                             media_state="pending", error="")
    ctx.sim.runner.submit(job["id"])
    return _live_record(ctx, ctx.sim.store.get_job(job["id"]), ("_id", "faceswap_status"))


def live_info(ctx: Ctx) -> dict:
    """``POST /api/open/v3/faceswap/live/info`` ``{"_id"}`` (undocumented; Akool's live face swap demo polls
    it until ``faceswap_status`` is 2, ready to join the channel)."""
    return _live_record(ctx, _live_session(ctx, body_object(ctx.body)))


def live_close(ctx: Ctx) -> dict:
    f = body_object(ctx.body)
    job = _live_session(ctx, f)
    if job["extra"].get("closed_at"):
        raise ParamError("_id", f"{job['id']} is already closed")
    closed_at = now_ms()
    ctx.sim.store.update_job(job["id"], extra={**job["extra"], "closed_at": closed_at})
    rec = _live_record(ctx, ctx.sim.store.get_job(job["id"]), ("_id", "faceswap_status"))
    return {**rec, "closed_at": closed_at}


def _render_faceswap(sim, job: dict, work) -> dict:
    """Render the newest faces: an update during the render makes it render again."""
    while True:
        result = render_faceswap_preview(sim, job, work)
        fresh = sim.store.get_job(job["id"])
        if fresh is None or fresh["params"].get("version") == job["params"].get("version"):
            return result
        job = fresh


register_kind("live_faceswap", Kind("faceswap_status", "live faceswap", _render_faceswap, 1016))


ROUTES = [
    ("POST", f"{LF}/create", live_create, True),
    ("POST", f"{LF}/update", live_update, True),
    ("POST", f"{LF}/close", live_close, True),
    ("POST", f"{LF}/info", live_info, True),
]
